import { z } from 'zod'
import { MarketId } from './price-record.ts'

/** Version of the canonical series record; bump on any change consumers can see. */
export const SERIES_RECORD_VERSION = 2

/**
 * The products beside power prices (docs/decisions/023). Each is entitled per channel like a
 * market, except GRID: fundamentals (demand, generation by fuel) belong to the market their
 * balancing authority maps to, and are entitled through that market.
 */
export const ProductId = z.enum(['GAS', 'LNG', 'LCFS', 'REC', 'GRID'])
export type ProductId = z.infer<typeof ProductId>

/** Products entitled on their own (GRID goes with its market). */
export const ENTITLED_PRODUCTS = ['GAS', 'LNG', 'LCFS', 'REC'] as const satisfies readonly ProductId[]
export type EntitledProduct = (typeof ENTITLED_PRODUCTS)[number]

/**
 * What one value measures (interchange: net MWh out of a balancing authority, EIA-930 TI; negative
 * = imports). Version 2 added the EIA-860M generator inventory: `nameplate_capacity` and
 * `summer_capacity` (operable MW) and `generators` (how many the capacity sums).
 */
export const SeriesMeasure = z.enum([
  'price',
  'volume',
  'transfers',
  'trades',
  'demand',
  'net_generation',
  'interchange',
  'nameplate_capacity',
  'summer_capacity',
  'generators',
])
export type SeriesMeasure = z.infer<typeof SeriesMeasure>

/**
 * How long one period is. `hour` periods are instants (EIA-930 labels each hour by its end, UTC);
 * `day`, `week` and `month` periods are the publisher's dates, stored as UTC midnights (a gas
 * day's price is the date's price, whatever the clock).
 */
export const SeriesFrequency = z.enum(['hour', 'day', 'week', 'month'])
export type SeriesFrequency = z.infer<typeof SeriesFrequency>

/**
 * The units values are stored in, as the publisher states them (nominal dollars). LCFS credits are
 * metric tons of CO2e (`MT`, prices `$/MT`); a REC is one MWh (`$/MWh`); counts are `count`;
 * generating capacity is `MW` (version 2).
 */
export const SeriesUnit = z.enum(['$/MMBtu', 'MMBtu', '$/MT', 'MT', 'count', 'MWh', '$/MWh', 'MW'])
export type SeriesUnit = z.infer<typeof SeriesUnit>

const IsoUtc = z.iso.datetime({ offset: false })

/** A series id: upper-case words joined by `_`, dotted parts (`HENRY_HUB`, `PACW.NG`, `REC.NJ.SOLAR.2026`). */
export const SeriesId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Z0-9][A-Z0-9_-]*(\.[A-Z0-9][A-Z0-9_-]*)*$/, 'upper-case words joined by "_", parts by "."')
export type SeriesId = z.infer<typeof SeriesId>

/**
 * The one canonical record of every series that is not a nodal power price: one value of one
 * series for one period. `market` is set for GRID series (the market the balancing authority maps
 * to) and null otherwise. `attributes` carries what the series id encodes, spelled out (REC state,
 * class and vintage; EIA-930 respondent and fuel), so readers need not split ids.
 */
export const SeriesRecord = z.object({
  product: ProductId,
  market: MarketId.nullable(),
  series: SeriesId,
  measure: SeriesMeasure,
  frequency: SeriesFrequency,
  periodStart: IsoUtc,
  periodEnd: IsoUtc,
  value: z.number().finite(),
  unit: SeriesUnit,
  attributes: z.record(z.string().min(1).max(64), z.string().max(128)),
  source: z.string().min(1),
  publishedAt: IsoUtc.nullable(),
})
export type SeriesRecord = z.infer<typeof SeriesRecord>

/** What a series' reader is entitled through: its market for GRID, else its product. */
export function entitlementKey(record: Pick<SeriesRecord, 'product' | 'market'>): MarketId | EntitledProduct {
  if (record.product === 'GRID') {
    if (!record.market) throw new Error('a GRID series needs the market its balancing authority maps to')
    return record.market
  }
  return record.product
}

const DAY_MS = 86_400_000

/** The UTC-midnight period of a publisher date (`YYYY-MM-DD`) for day, week (ending that date) or month. */
export function datePeriod(date: string, frequency: Exclude<SeriesFrequency, 'hour'>): { periodStart: string; periodEnd: string } {
  const day = Date.parse(`${date}T00:00:00Z`)
  if (!Number.isFinite(day)) throw new Error(`not a date: ${date}`)
  if (frequency === 'day') return { periodStart: iso(day), periodEnd: iso(day + DAY_MS) }
  if (frequency === 'week') return { periodStart: iso(day - 6 * DAY_MS), periodEnd: iso(day + DAY_MS) }
  const start = new Date(day)
  const first = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)
  const next = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)
  return { periodStart: iso(first), periodEnd: iso(next) }
}

const iso = (ms: number): string => new Date(ms).toISOString()
