import { MarketId, MarketRun } from '@carbon/schemas'
import { z } from 'zod'

const NodeName = z.string().min(1).max(128)
const Utc = z.iso.datetime({ offset: true })

export const LatestPricesInput = z.object({
  market: MarketId,
  run: MarketRun,
  nodes: z.array(NodeName).min(1).max(500),
  sparklineHours: z.number().int().min(0).max(168).default(0)
    .describe('hourly averages to return per node, ending at its latest interval (0 = none)'),
})
export type LatestPricesInput = z.input<typeof LatestPricesInput>

export const LatestPrice = z.object({
  node: z.string(),
  intervalStart: z.iso.datetime(),
  intervalEnd: z.iso.datetime(),
  lmp: z.number(),
  energy: z.number().nullable(),
  congestion: z.number().nullable(),
  loss: z.number().nullable(),
  ghg: z.number().nullable(),
  previousLmp: z.number().nullable().describe('LMP of the interval before, if stored'),
  change: z.number().nullable().describe('lmp - previousLmp'),
  sparkline: z.array(z.number()),
})
export type LatestPrice = z.infer<typeof LatestPrice>

export const LatestPricesOutput = z.object({
  market: MarketId,
  run: MarketRun,
  prices: z.array(LatestPrice).describe('one per requested node that has prices; nodes without prices are absent'),
})
export type LatestPricesOutput = z.infer<typeof LatestPricesOutput>

export const Resolution = z.enum(['raw', 'hourly', 'daily'])
export type Resolution = z.infer<typeof Resolution>

export const PriceHistoryInput = z.object({
  market: MarketId,
  node: NodeName,
  run: MarketRun,
  from: Utc.describe('inclusive interval start, ISO 8601'),
  to: Utc.describe('exclusive interval start, ISO 8601'),
  resolution: Resolution.default('hourly'),
}).refine((input) => Date.parse(input.from) < Date.parse(input.to), {
  path: ['to'],
  message: 'must be after from',
})
export type PriceHistoryInput = z.input<typeof PriceHistoryInput>

export const HistoryPoint = z.object({
  intervalStart: z.iso.datetime(),
  intervalEnd: z.iso.datetime(),
  lmp: z.number().describe('average LMP over the bucket (the LMP itself for raw)'),
  min: z.number(),
  max: z.number(),
  energy: z.number().nullable(),
  congestion: z.number().nullable(),
  loss: z.number().nullable(),
  ghg: z.number().nullable(),
  onPeak: z.number().nullable().describe('average of the on-peak intervals in the bucket'),
  offPeak: z.number().nullable().describe('average of the off-peak intervals in the bucket'),
  samples: z.number().int(),
})
export type HistoryPoint = z.infer<typeof HistoryPoint>

export const HistorySummary = z.object({
  count: z.number().int(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  atc: z.number().nullable().describe('around-the-clock average'),
  onPeak: z.number().nullable(),
  offPeak: z.number().nullable(),
})

export const PriceHistoryOutput = z.object({
  market: MarketId,
  node: z.string(),
  run: MarketRun,
  resolution: Resolution,
  timeZone: z.string().describe('time zone of the daily buckets'),
  points: z.array(HistoryPoint),
  summary: HistorySummary,
})
export type PriceHistoryOutput = z.infer<typeof PriceHistoryOutput>

/** The most points one history call returns (a year of 5-minute intervals fits). */
export const MAX_HISTORY_POINTS = 110_000
