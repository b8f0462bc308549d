import { MarketId, MarketRun, type PriceRecord } from './price-record.ts'

/**
 * True when `value` is a PriceRecord exactly as `PriceRecord.parse` would return it: the twelve
 * keys and no other, every field of its type and bounds, every time in the canonical
 * `Date#toISOString` form (`YYYY-MM-DDTHH:MM:SS.mmmZ`) of a real instant. False says only "not
 * sure": the caller asks the zod schema, which gives the verdict and the reason. Producers write
 * the canonical form, so the schema is asked only about records that are wrong or unusual
 * (another precision, extra keys), and a consumer validating a million records of a day does
 * not build a second copy of each.
 */
export function isExactPriceRecord(value: unknown): value is PriceRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const r = value as Record<string, unknown>
  return (
    MARKETS.has(r.market as string) &&
    boundedText(r.node, 128) &&
    RUNS.has(r.run as string) &&
    canonicalInstant(r.intervalStart) &&
    canonicalInstant(r.intervalEnd) &&
    finite(r.lmp) &&
    finiteOrNull(r.energy) &&
    finiteOrNull(r.congestion) &&
    finiteOrNull(r.loss) &&
    finiteOrNull(r.ghg) &&
    boundedText(r.source, Number.MAX_SAFE_INTEGER) &&
    (r.publishedAt === null || canonicalInstant(r.publishedAt)) &&
    Object.keys(r).length === PRICE_RECORD_KEYS
  )
}

const PRICE_RECORD_KEYS = 12
const MARKETS: ReadonlySet<unknown> = new Set(MarketId.options)
const RUNS: ReadonlySet<unknown> = new Set(MarketRun.options)

const boundedText = (v: unknown, max: number) => typeof v === 'string' && v.length >= 1 && v.length <= max
const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
const finiteOrNull = (v: unknown) => v === null || finite(v)

const CANONICAL_SHAPE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\dZ$/
/** Texts already found canonical: a batch of prices carries few distinct times. Bounded; starts over when full. */
const canonicalSeen = new Set<string>()
const CANONICAL_SEEN_MAX = 4_096

/** A real instant written as toISOString writes it (which rejects 2025-02-29 and 24:00 alike: they do not round-trip). */
function canonicalInstant(v: unknown): boolean {
  if (typeof v !== 'string') return false
  if (canonicalSeen.has(v)) return true
  if (v.length !== 24 || !CANONICAL_SHAPE.test(v)) return false
  const ms = Date.parse(v)
  if (!Number.isFinite(ms) || new Date(ms).toISOString() !== v) return false
  if (canonicalSeen.size >= CANONICAL_SEEN_MAX) canonicalSeen.clear()
  canonicalSeen.add(v)
  return true
}
