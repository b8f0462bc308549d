import { RUN_INTERVAL_MINUTES, type MarketRun, type PriceRecord } from '@carbon/schemas'
import type { Resolution } from './schemas.ts'

/** A row of the `prices` table as sent in a JSONEachRow insert (ingested_at takes its default). */
export type PriceRow = {
  market: string
  node: string
  run: string
  interval_start: string
  interval_end: string
  interval_minutes: number
  lmp: number
  energy: number | null
  congestion: number | null
  loss: number | null
  ghg: number | null
  source: string
  published_at: string | null
}

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
] as const satisfies readonly (keyof PriceRow)[]

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
 * The length in whole minutes of a record's interval. Throws a RangeError unless the interval
 * ends after it starts and fits the table's UInt16 minutes (45 days).
 */
export function intervalMinutes(record: Pick<PriceRecord, 'intervalStart' | 'intervalEnd'>): number {
  const start = Date.parse(record.intervalStart)
  const end = Date.parse(record.intervalEnd)
  const minutes = Math.round((end - start) / 60_000)
  if (!(end > start) || minutes > MAX_INTERVAL_MINUTES) {
    throw new RangeError(`interval ${record.intervalStart} .. ${record.intervalEnd} must end after it starts, within 45 days`)
  }
  return minutes
}

/** The table row of a valid record (see intervalMinutes for what it throws). */
export function toPriceRow(record: PriceRecord): PriceRow {
  return {
    market: record.market,
    node: record.node,
    run: record.run,
    interval_start: toClickHouseTime(record.intervalStart),
    interval_end: toClickHouseTime(record.intervalEnd),
    interval_minutes: intervalMinutes(record),
    lmp: record.lmp,
    energy: record.energy,
    congestion: record.congestion,
    loss: record.loss,
    ghg: record.ghg,
    source: record.source,
    published_at: record.publishedAt === null ? null : toClickHouseTime(record.publishedAt),
  }
}

/** A row's values in PRICE_COLUMNS order, for JSONCompactEachRow (no keys: less to write and parse). */
export function rowValues(row: PriceRow): unknown[] {
  return [
    row.market,
    row.node,
    row.run,
    row.interval_start,
    row.interval_end,
    row.interval_minutes,
    row.lmp,
    row.energy,
    row.congestion,
    row.loss,
    row.ghg,
    row.source,
    row.published_at,
  ]
}

/**
 * Keeps the LAST row of each key (market, node, run, interval_start), in first-seen order. Rows
 * of one insert share their ingested_at, so the table could not tell which of two copies in one
 * batch is newer; the caller's order decides instead.
 */
export function keepLastPerKey(rows: PriceRow[]): PriceRow[] {
  const index = new Map<string, number>()
  const out: PriceRow[] = []
  for (const row of rows) {
    const key = `${row.market}\u0000${row.node}\u0000${row.run}\u0000${row.interval_start}`
    const at = index.get(key)
    if (at === undefined) {
      index.set(key, out.length)
      out.push(row)
    } else {
      out[at] = row
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
