import { z } from 'zod'

/** Version of the canonical price record; bump on any change consumers can see. */
export const PRICE_RECORD_VERSION = 2

/**
 * The ISO/RTO markets, in the order the hub lists them. Version 2 of the record added PJM through
 * AESO (docs/decisions/022).
 */
export const MarketId = z.enum(['MISO', 'CAISO', 'PJM', 'ERCOT', 'SPP', 'NYISO', 'ISONE', 'IESO', 'AESO'])
export type MarketId = z.infer<typeof MarketId>

/**
 * Market runs: DA (day-ahead, hourly), RT5 (real-time 5-minute), RT15 (real-time 15-minute),
 * RTH (real-time hourly, e.g. MISO's hourly-integrated real-time LMPs).
 */
export const MarketRun = z.enum(['DA', 'RT5', 'RT15', 'RTH'])
export type MarketRun = z.infer<typeof MarketRun>

export const NodeType = z.enum(['hub', 'zone', 'generator', 'interface'])
export type NodeType = z.infer<typeof NodeType>

const IsoUtc = z.iso.datetime({ offset: false })

/** The one canonical price record (shared/DESIGN.md). Timestamps are ISO 8601 UTC ("...Z"). */
export const PriceRecord = z.object({
  market: MarketId,
  node: z.string().min(1).max(128),
  run: MarketRun,
  intervalStart: IsoUtc,
  intervalEnd: IsoUtc,
  lmp: z.number().finite(),
  energy: z.number().finite().nullable(),
  congestion: z.number().finite().nullable(),
  loss: z.number().finite().nullable(),
  ghg: z.number().finite().nullable(),
  source: z.string().min(1),
  publishedAt: IsoUtc.nullable(),
})
export type PriceRecord = z.infer<typeof PriceRecord>

/** Interval length in minutes for each run. */
export const RUN_INTERVAL_MINUTES: Record<MarketRun, number> = { DA: 60, RT5: 5, RT15: 15, RTH: 60 }
