import { MarketId, MarketRun } from '@carbon/schemas'
import { z } from 'zod'

export const MarketSchema = z.object({
  id: MarketId,
  name: z.string(),
  timeZone: z.string().describe('IANA time zone of the market clock (trade days, daily rollups)'),
  runs: z.array(MarketRun),
  intervalMinutes: z.record(z.string(), z.number().int()).describe('interval length per market run'),
  peak: z.object({
    timeZone: z.string(),
    hourEndingFrom: z.number().int(),
    hourEndingTo: z.number().int(),
    days: z.array(z.number().int().min(1).max(7)).describe('ISO weekdays, 1 = Monday'),
    holidays: z.literal('NERC'),
  }),
  nodeCount: z.number().int(),
})
export type Market = z.infer<typeof MarketSchema>

export const MarketListOutput = z.object({ markets: z.array(MarketSchema) })
export type MarketListOutput = z.infer<typeof MarketListOutput>
