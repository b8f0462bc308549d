import { MarketId, NodeType } from '@carbon/schemas'
import { z } from 'zod'

export const PricingNodeSchema = z.object({
  market: MarketId,
  name: z.string(),
  type: NodeType,
  activeFrom: z.iso.datetime().nullable(),
  activeTo: z.iso.datetime().nullable(),
})
export type PricingNode = z.infer<typeof PricingNodeSchema>

export const NodeSearchInput = z.object({
  market: MarketId.optional(),
  type: NodeType.optional(),
  q: z.string().trim().max(64).optional().describe('case-insensitive name prefix'),
  cursor: z.string().max(256).optional().describe('opaque cursor from a previous page'),
  limit: z.number().int().min(1).max(200).default(50),
})
export type NodeSearchInput = z.input<typeof NodeSearchInput>

export const NodeSearchOutput = z.object({
  items: z.array(PricingNodeSchema),
  nextCursor: z.string().nullable(),
})
export type NodeSearchOutput = z.infer<typeof NodeSearchOutput>

export const NodeUpsert = PricingNodeSchema.partial({ activeFrom: true, activeTo: true })
export type NodeUpsert = z.infer<typeof NodeUpsert>
