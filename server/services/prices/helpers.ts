import { RUN_INTERVAL_MINUTES, type MarketRun, type PriceRecord } from '@carbon/schemas'
import type { RowBinaryWriter } from '../../adapters/clickhouse/row-binary.ts'
import type { Resolution } from './schemas.ts'

/** The columns of a `prices` row as writePriceRow writes it, in its order (ingested_at takes its default). */
export const PRICE_COLUMNS = [
  'market',
  'node',
  'run',
  'interval_start',
  'interval_end',
  'interval_minutes',
  'lmp',
  'energy',
  'congestion',
  'loss',
  'ghg',
  'source',
  'published_at',
] as const

const MAX_INTERVAL_MINUTES = 65_535 // UInt16

const CANONICAL_UTC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,3})\d*)?Z$/

/**
 * An instant as ClickHouse's DateTime64(3) text in UTC, `YYYY-MM-DD hh:mm:ss.sss`: the one
 * format every server parses in JSON inserts and in query parameters whatever its
 * date_time_input_format (the ISO `T...Z` form needs best_effort). Sub-millisecond digits are
 * dropped, as DateTime64(3) would. A `...Z` string is rewritten as text (4x faster than a Date
 * round trip, which matters at a million records); any other form goes through Date.
 */
export function toClickHouseTime(value: string | Date): string {
  if (typeof value === 'string') {
    const m = CANONICAL_UTC.exec(value)
    if (m) return `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(3, '0')}`
  }
  const date = typeof value === 'string' ? new Date(value) : value
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a timestamp: ${String(value)}`)
  return date.toISOString().replace('T', ' ').slice(0, 23)
}

/** Milliseconds since the epoch (a number from chDB, a string from a server) as ISO 8601 UTC. */
export function msToIso(ms: number | string): string {
  return new Date(Number(ms)).toISOString()
}

/** A ClickHouse number that may arrive quoted (64-bit integers over HTTP) or null. */
export function toNumberOrNull(value: number | string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value)
}

/**
 * Milliseconds since the epoch of an ISO 8601 instant, or NaN. Parsed texts are remembered
 * (a batch of prices carries few distinct times: one interval's start for every node), up to
 * INSTANT_CACHE_SIZE of them, then the memory starts over.
 */
export function instantMs(text: string): number {
  let ms = instantCache.get(text)
  if (ms === undefined) {
    if (instantCache.size >= INSTANT_CACHE_SIZE) instantCache.clear()
    ms = Date.parse(text)
    instantCache.set(text, ms)
  }
  return ms
}

const INSTANT_CACHE_SIZE = 4_096
const instantCache = new Map<string, number>()

/**
 * The length in whole minutes of a record's interval. Throws a RangeError unless the interval
 * ends after it starts and fits the table's UInt16 minutes (45 days).
 */
export function intervalMinutes(record: Pick<PriceRecord, 'intervalStart' | 'intervalEnd'>): number {
  const start = instantMs(record.intervalStart)
  const end = instantMs(record.intervalEnd)
  const minutes = Math.round((end - start) / 60_000)
  if (!(end > start) || minutes > MAX_INTERVAL_MINUTES) {
    throw new RangeError(`interval ${record.intervalStart} .. ${record.intervalEnd} must end after it starts, within 45 days`)
  }
  return minutes
}

/**
 * One valid record as a RowBinary row of PRICE_COLUMNS (see intervalMinutes for what it throws).
 * Times go as whole milliseconds, which is what DateTime64(3) keeps.
 */
export function writePriceRow(writer: RowBinaryWriter, record: PriceRecord): void {
  const minutes = intervalMinutes(record)
  writer.string(record.market)
  writer.string(record.node)
  writer.string(record.run)
  writer.dateTime64ms(instantMs(record.intervalStart))
  writer.dateTime64ms(instantMs(record.intervalEnd))
  writer.uint16(minutes)
  writePriceValues(writer, record)
  writer.string(record.source)
  writer.nullableDateTime64ms(record.publishedAt === null ? null : instantMs(record.publishedAt))
}

/** The record's LMP and its components, in the order `prices` and `price_arrivals` both list them. */
export function writePriceValues(writer: RowBinaryWriter, record: PriceRecord): void {
  writer.float64(record.lmp)
  writer.nullableFloat64(record.energy)
  writer.nullableFloat64(record.congestion)
  writer.nullableFloat64(record.loss)
  writer.nullableFloat64(record.ghg)
}

/**
 * Keeps the LAST record of each key (market, node, run, interval start), in first-seen order.
 * Rows of one insert share their ingested_at, so the table could not tell which of two copies in
 * one batch is newer; the caller's order decides instead. Keys are looked up level by level
 * (market and run, node, start), so no key text is built per record.
 */
export function keepLastPerKey(records: readonly PriceRecord[]): PriceRecord[] {
  const byMarketRun = new Map<string, Map<string, Map<number, number>>>()
  const out: PriceRecord[] = []
  let market: string | undefined
  let run: string | undefined
  let byNode = new Map<string, Map<number, number>>()
  for (const record of records) {
    if (record.market !== market || record.run !== run) {
      market = record.market
      run = record.run
      const group = `${market}\u0000${run}`
      byNode = byMarketRun.get(group) ?? new Map()
      byMarketRun.set(group, byNode)
    }
    let byStart = byNode.get(record.node)
    if (byStart === undefined) byNode.set(record.node, (byStart = new Map()))
    const start = instantMs(record.intervalStart)
    const at = byStart.get(start)
    if (at === undefined) {
      byStart.set(start, out.length)
      out.push(record)
    } else {
      out[at] = record
    }
  }
  return out
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>()
/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  let f = dayFormatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dayFormatters.set(timeZone, f)
  }
  return f.format(instant)
}

const HOUR = 3_600_000

/**
 * The most buckets a history over [from, to) can have: intervals of the run's length (raw), UTC
 * hours touched (hourly) or calendar days of `timeZone` touched (daily). Computed from the range
 * alone, so a request is accepted or refused before any query runs, whatever the data holds.
 */
export function maxHistoryBuckets(resolution: Resolution, run: MarketRun, from: Date, to: Date, timeZone: string): number {
  const span = to.getTime() - from.getTime()
  if (span <= 0) return 0
  switch (resolution) {
    case 'raw':
      return Math.ceil(span / (RUN_INTERVAL_MINUTES[run] * 60_000))
    case 'hourly':
      return Math.ceil(to.getTime() / HOUR) - Math.floor(from.getTime() / HOUR)
    case 'daily': {
      const first = Date.parse(`${localDate(from, timeZone)}T00:00:00Z`)
      const last = Date.parse(`${localDate(new Date(to.getTime() - 1), timeZone)}T00:00:00Z`)
      return Math.round((last - first) / (24 * HOUR)) + 1
    }
  }
}
