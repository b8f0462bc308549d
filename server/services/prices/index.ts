import { MARKETS, nercHolidaysBetween, PriceRecord, type MarketId, type MarketRun } from '@carbon/schemas'
import { z } from 'zod'
import { logIfSlow, queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { encodeRowBinary } from '../../adapters/clickhouse/row-binary.ts'
import { AppError } from '../../errors.ts'
import { yieldToEventLoop } from '../../time-slice.ts'
import { cachedPriceRead, pricesChanged } from './read-cache.ts'
import {
  intervalMinutes,
  keepLastPerKey,
  maxHistoryBuckets,
  msToIso,
  PRICE_COLUMNS,
  toClickHouseTime,
  toNumberOrNull,
  writePriceRow,
} from './helpers.ts'
import {
  LatestPricesInput,
  MAX_HISTORY_POINTS,
  PriceHistoryInput,
  type HistoryPoint,
  type LatestPrice,
  type LatestPricesOutput,
  type PriceHistoryOutput,
  type Resolution,
} from './schemas.ts'

/*
 * Prices live in the ClickHouse table `prices` (migrations/clickhouse/0001_prices.sql), a
 * ReplacingMergeTree keyed by (market, node, run, interval_start). Every read uses FINAL, so a
 * re-ingested interval counts once, with its latest values, even before the background merge.
 * Hourly and daily rollups are aggregate queries over FINAL rather than materialized views: a
 * view aggregating inserts would count a re-ingested interval twice (docs/decisions/004).
 *
 * Every value reaches SQL as a bound query parameter ({name:Type}), including time zones, peak
 * hours and days and the NERC holiday list. The only text assembled here is chosen from
 * constants by the `resolution` enum.
 */

/**
 * Rows per INSERT. A batch is encoded as RowBinary on the main thread in short slices
 * (encodeRowBinary) and read by the store on its own threads; 50k rows keep memory bounded.
 */
export const INSERT_BATCH_ROWS = 50_000

/**
 * Validates the records (all of them, before anything is written; not again when the caller says
 * it checked them with the same schema and interval rule: `validated`, as the prices consumer's
 * decode does) and inserts them in batches of INSERT_BATCH_ROWS. Re-inserting an interval
 * replaces it; within one call the later copy of an interval wins. Returns the number of rows
 * written. Yields to the event loop between batches, so a large call does not stall other
 * requests of the process.
 */
export async function insertPrices(ch: ClickHouseHandle, records: PriceRecord[], options: { validated?: boolean } = {}): Promise<{ inserted: number }> {
  if (!options.validated) await validatePriceRecords(records)
  let inserted = 0
  for (let offset = 0; offset < records.length; offset += INSERT_BATCH_ROWS) {
    const batch = records.slice(offset, offset + INSERT_BATCH_ROWS)
    const rows = keepLastPerKey(batch)
    const body = await encodeRowBinary(rows, writePriceRow)
    const started = performance.now()
    await ch.insertEncoded('prices', PRICE_COLUMNS, body, 'RowBinary')
    logIfSlow(ch, 'prices.insert', started, { rows: rows.length })
    inserted += rows.length
  }
  // Cached answers about these markets and runs are now stale (read-cache.ts).
  if (records.length > 0) pricesChanged(ch, records)
  return { inserted }
}

/** Every record against PriceRecord and its run's interval length; the first invalid one is a BAD_REQUEST naming its index. */
async function validatePriceRecords(records: readonly PriceRecord[]): Promise<void> {
  for (let offset = 0; offset < records.length; offset += INSERT_BATCH_ROWS) {
    if (offset > 0) await yieldToEventLoop()
    for (let index = offset; index < Math.min(offset + INSERT_BATCH_ROWS, records.length); index++) {
      const parsed = PriceRecord.safeParse(records[index])
      if (!parsed.success) {
        throw new AppError('BAD_REQUEST', `price record ${index} is invalid: ${z.prettifyError(parsed.error)}`, {
          details: { index, issues: z.flattenError(parsed.error).fieldErrors },
        })
      }
      try {
        intervalMinutes(parsed.data)
      } catch (error) {
        throw new AppError('BAD_REQUEST', `price record ${index} is invalid: ${(error as Error).message}`, {
          details: { index },
        })
      }
    }
  }
}

type LatestRow = {
  node: string
  start_ms: number | string
  end_ms: number | string
  lmp: number
  energy: number | null
  congestion: number | null
  loss: number | null
  ghg: number | null
  is_latest: number | boolean
}

/*
 * `latest` finds each node's last interval_start; keys do not change under deduplication, so it
 * needs no FINAL. The scalar lower bound (earliest latest interval minus the longest interval)
 * is evaluated before the main read and prunes partitions and granules by the primary key; the
 * join then keeps, per node, its latest interval and the interval ending where that one starts.
 */
const LATEST_CTE = `
WITH latest AS (
  SELECT node, max(interval_start) AS last_start, max(interval_minutes) AS max_minutes
  FROM prices
  WHERE market = {market:String} AND run = {run:String} AND node IN {nodes:Array(String)}
  GROUP BY node
)`

const LATEST_SQL = `${LATEST_CTE}
SELECT
  p.node AS node,
  toUnixTimestamp64Milli(p.interval_start) AS start_ms,
  toUnixTimestamp64Milli(p.interval_end) AS end_ms,
  p.lmp AS lmp, p.energy AS energy, p.congestion AS congestion, p.loss AS loss, p.ghg AS ghg,
  p.interval_start = l.last_start AS is_latest
FROM prices AS p FINAL
INNER JOIN latest AS l ON p.node = l.node
WHERE p.market = {market:String} AND p.run = {run:String} AND p.node IN {nodes:Array(String)}
  AND p.interval_start >= (SELECT min(last_start) - toIntervalMinute(max(max_minutes)) FROM latest)
  AND (p.interval_start = l.last_start OR p.interval_end = l.last_start)`

const SPARKLINE_SQL = `${LATEST_CTE}
SELECT p.node AS node, toStartOfHour(p.interval_start) AS hour, avg(p.lmp) AS lmp_avg
FROM prices AS p FINAL
INNER JOIN latest AS l ON p.node = l.node
WHERE p.market = {market:String} AND p.run = {run:String} AND p.node IN {nodes:Array(String)}
  AND p.interval_start >= (SELECT toStartOfHour(min(last_start)) - toIntervalHour({hours:UInt16} - 1) FROM latest)
  AND p.interval_start >= toStartOfHour(l.last_start) - toIntervalHour({hours:UInt16} - 1)
  AND p.interval_start <= l.last_start
GROUP BY node, hour
ORDER BY node, hour`

/**
 * Per requested node: its latest interval of the run, the LMP of the interval before it (the one
 * ending where the latest starts; null when not stored) and the change, and with sparklineHours
 * > 0 the hourly (UTC hour) LMP averages of the last N hours up to and including the hour of the
 * latest interval, oldest first (hours without data are skipped). Nodes without prices are absent;
 * the answer follows the order of `nodes`.
 */
export async function latestPrices(ch: ClickHouseHandle, input: LatestPricesInput): Promise<LatestPricesOutput> {
  const { market, run, nodes, sparklineHours } = parseInput(LatestPricesInput, input)
  const unique = [...new Set(nodes)]
  const key = `latest|${market}|${run}|${sparklineHours}|${unique.join(',')}`
  return cachedPriceRead(ch, { market, run }, key, () => loadLatestPrices(ch, market, run, unique, sparklineHours), latestWeight)
}

const latestWeight = (out: LatestPricesOutput) => out.prices.reduce((sum, p) => sum + 1 + p.sparkline.length, 1)

async function loadLatestPrices(ch: ClickHouseHandle, market: MarketId, run: MarketRun, unique: string[], sparklineHours: number): Promise<LatestPricesOutput> {
  const params = { market, run, nodes: unique }
  const rows = await queryRows<LatestRow>(ch, 'prices.latest', LATEST_SQL, params)

  const latest = new Map<string, LatestRow>()
  const previous = new Map<string, LatestRow>()
  for (const row of rows) (Number(row.is_latest) ? latest : previous).set(row.node, row)

  const sparklines = new Map<string, number[]>()
  if (sparklineHours > 0 && latest.size > 0) {
    const hourly = await queryRows<{ node: string; lmp_avg: number }>(ch, 'prices.sparkline', SPARKLINE_SQL, {
      ...params,
      hours: sparklineHours,
    })
    for (const row of hourly) {
      const list = sparklines.get(row.node) ?? []
      list.push(row.lmp_avg)
      sparklines.set(row.node, list)
    }
  }

  const prices: LatestPrice[] = []
  for (const node of unique) {
    const row = latest.get(node)
    if (!row) continue
    const previousLmp = previous.get(node)?.lmp ?? null
    prices.push({
      node,
      intervalStart: msToIso(row.start_ms),
      intervalEnd: msToIso(row.end_ms),
      lmp: row.lmp,
      energy: row.energy,
      congestion: row.congestion,
      loss: row.loss,
      ghg: row.ghg,
      previousLmp,
      change: previousLmp === null ? null : row.lmp - previousLmp,
      sparkline: sparklines.get(node) ?? [],
    })
  }
  return { market, run, prices }
}

/*
 * History. The peak flag follows @carbon/schemas isOnPeak: hour ending (local hour of the
 * interval start + 1) in the market's peak time zone within [peakFrom, peakTo], on a peak
 * weekday (ISO, toDayOfWeek's default mode), and the local date not a NERC holiday.
 */
const HISTORY_WITH = `
WITH
  toTimeZone(interval_start, {peakTz:String}) AS peak_local,
  toHour(peak_local) + 1 BETWEEN {peakFrom:UInt8} AND {peakTo:UInt8}
    AND has({peakDays:Array(UInt8)}, toDayOfWeek(peak_local))
    AND NOT has({holidays:Array(Date)}, toDate(peak_local)) AS on_peak`

/**
 * Which nodes a history query reads, and how it groups and limits them: one node (priceHistory),
 * or a set of nodes read at once, grouped and ordered by node (priceSummaries, priceHistories).
 * Both are built from the same fragments below, so the peak logic exists once.
 */
type NodeScope = { where: string; select: string; groupBy: string }
const ONE_NODE: NodeScope = { where: 'node = {node:String}', select: '', groupBy: '' }
const NODE_SET: NodeScope = { where: 'node IN {nodes:Array(String)}', select: '\n  node AS node,', groupBy: 'node, ' }

const historyWhere = (scope: NodeScope) => `
FROM prices FINAL
WHERE market = {market:String} AND ${scope.where} AND run = {run:String}
  AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}`

const rawSql = (scope: NodeScope) => `${HISTORY_WITH}
SELECT${scope.select}
  toUnixTimestamp64Milli(interval_start) AS start_ms,
  toUnixTimestamp64Milli(interval_end) AS end_ms,
  lmp AS lmp_avg, lmp AS lmp_min, lmp AS lmp_max,
  energy AS energy_avg, congestion AS congestion_avg, loss AS loss_avg, ghg AS ghg_avg,
  if(on_peak, lmp, NULL) AS on_peak_lmp,
  if(on_peak, NULL, lmp) AS off_peak_lmp,
  1 AS samples
${historyWhere(scope)}
ORDER BY ${scope.groupBy}interval_start
LIMIT {limit:UInt32}`

/** Bucket start and end per aggregated resolution: hourly in UTC, daily in the market's time zone. */
const BUCKETS: Record<Exclude<Resolution, 'raw'>, { start: string; end: string }> = {
  hourly: { start: 'toStartOfHour(interval_start)', end: 'bucket + INTERVAL 1 HOUR' },
  // toDateTime(next local date, tz) is the next local midnight: 23 or 25 hours later on DST days.
  daily: { start: 'toStartOfDay(toTimeZone(interval_start, {tz:String}))', end: 'toDateTime(toDate(bucket) + 1, {tz:String})' },
}

const aggregateSql = (bucket: { start: string; end: string }, scope: NodeScope) => `${HISTORY_WITH},
  ${bucket.start} AS bucket
SELECT${scope.select}
  toUnixTimestamp(bucket) * 1000 AS start_ms,
  toUnixTimestamp(${bucket.end}) * 1000 AS end_ms,
  avg(lmp) AS lmp_avg, min(lmp) AS lmp_min, max(lmp) AS lmp_max,
  avg(energy) AS energy_avg, avg(congestion) AS congestion_avg, avg(loss) AS loss_avg, avg(ghg) AS ghg_avg,
  avgIfOrNull(lmp, on_peak) AS on_peak_lmp,
  avgIfOrNull(lmp, NOT on_peak) AS off_peak_lmp,
  count() AS samples
${historyWhere(scope)}
GROUP BY ${scope.groupBy}bucket
ORDER BY ${scope.groupBy}bucket
LIMIT {limit:UInt32}`

const historySql = (scope: NodeScope): Record<Resolution, string> => ({
  raw: rawSql(scope),
  hourly: aggregateSql(BUCKETS.hourly, scope),
  daily: aggregateSql(BUCKETS.daily, scope),
})
const HISTORY_SQL = historySql(ONE_NODE)
const HISTORIES_SQL = historySql(NODE_SET)

const summarySql = (scope: NodeScope) => `${HISTORY_WITH}
SELECT${scope.select}
  count() AS count,
  minOrNull(lmp) AS lmp_min, maxOrNull(lmp) AS lmp_max, avgOrNull(lmp) AS atc,
  avgIfOrNull(lmp, on_peak) AS on_peak_lmp, avgIfOrNull(lmp, NOT on_peak) AS off_peak_lmp
${historyWhere(scope)}${scope.groupBy ? '\nGROUP BY node' : ''}`
const SUMMARY_SQL = summarySql(ONE_NODE)
const SUMMARIES_SQL = summarySql(NODE_SET)

/**
 * The bound parameters of every history query but the node(s): the range, the market's time
 * zone (daily buckets) and its peak definition (HISTORY_WITH), and the row limit.
 */
function historyParams(market: MarketId, run: MarketRun, from: Date, to: Date) {
  const def = MARKETS[market]
  return {
    market,
    run,
    from: toClickHouseTime(from),
    to: toClickHouseTime(to),
    tz: def.timeZone,
    peakTz: def.peakTimeZone,
    peakFrom: def.peakHourEndingFrom,
    peakTo: def.peakHourEndingTo,
    peakDays: [...def.peakDays],
    holidays: nercHolidaysBetween(from, to),
    limit: MAX_HISTORY_POINTS + 1,
  }
}

type PointRow = {
  start_ms: number | string
  end_ms: number | string
  lmp_avg: number
  lmp_min: number
  lmp_max: number
  energy_avg: number | null
  congestion_avg: number | null
  loss_avg: number | null
  ghg_avg: number | null
  on_peak_lmp: number | null
  off_peak_lmp: number | null
  samples: number | string
}

type SummaryRow = {
  count: number | string
  lmp_min: number | null
  lmp_max: number | null
  atc: number | null
  on_peak_lmp: number | null
  off_peak_lmp: number | null
}

/** The summary of a history: count, min, max, around-the-clock, on- and off-peak averages. */
export type HistorySummary = PriceHistoryOutput['summary']

const toPoint = (r: PointRow): HistoryPoint => ({
  intervalStart: msToIso(r.start_ms),
  intervalEnd: msToIso(r.end_ms),
  lmp: r.lmp_avg,
  min: r.lmp_min,
  max: r.lmp_max,
  energy: r.energy_avg,
  congestion: r.congestion_avg,
  loss: r.loss_avg,
  ghg: r.ghg_avg,
  onPeak: r.on_peak_lmp,
  offPeak: r.off_peak_lmp,
  samples: Number(r.samples),
})

/** A summary row as the API gives it; no row (no prices) is the empty summary. */
const toSummary = (summary: SummaryRow | undefined): HistorySummary => ({
  count: Number(summary?.count ?? 0),
  min: toNumberOrNull(summary?.lmp_min),
  max: toNumberOrNull(summary?.lmp_max),
  atc: toNumberOrNull(summary?.atc),
  onPeak: toNumberOrNull(summary?.on_peak_lmp),
  offPeak: toNumberOrNull(summary?.off_peak_lmp),
})

/**
 * Prices of one node and run with interval_start in [from, to): raw intervals, UTC-hour buckets
 * or calendar-day buckets of the market's time zone (23 and 25 hours long on DST changes), each
 * with average/min/max LMP, average components, on- and off-peak averages and its sample count,
 * plus a summary over the whole range. Refuses from >= to and ranges that could hold more than
 * MAX_HISTORY_POINTS buckets (BAD_REQUEST).
 */
export async function priceHistory(ch: ClickHouseHandle, input: PriceHistoryInput): Promise<PriceHistoryOutput> {
  const { market, node, run, resolution, ...range } = parseInput(PriceHistoryInput, input)
  // from < to is the schema's rule (PriceHistoryInput).
  const from = new Date(range.from)
  const to = new Date(range.to)
  const timeZone = MARKETS[market].timeZone
  const buckets = maxHistoryBuckets(resolution, run, from, to, timeZone)
  if (buckets > MAX_HISTORY_POINTS) throw tooManyPoints(resolution, buckets)
  const key = `history|${market}|${node}|${run}|${resolution}|${from.getTime()}|${to.getTime()}`
  return cachedPriceRead(ch, { market, run }, key, () => loadPriceHistory(ch, { market, node, run, resolution, from, to, timeZone }), (out) => out.points.length + 1)
}

async function loadPriceHistory(
  ch: ClickHouseHandle,
  { market, node, run, resolution, from, to, timeZone }: { market: MarketId; node: string; run: MarketRun; resolution: Resolution; from: Date; to: Date; timeZone: string },
): Promise<PriceHistoryOutput> {
  const params = { ...historyParams(market, run, from, to), node }
  const rows = await queryRows<PointRow>(ch, `prices.history.${resolution}`, HISTORY_SQL[resolution], params)
  // Unreachable while buckets are counted from the range; kept in case intervals are shorter than the run's.
  if (rows.length > MAX_HISTORY_POINTS) throw tooManyPoints(resolution, rows.length)
  const [summary] = await queryRows<SummaryRow>(ch, 'prices.history.summary', SUMMARY_SQL, params)

  return { market, node, run, resolution, timeZone, points: rows.map(toPoint), summary: toSummary(summary) }
}

/** A range of several nodes of one run: priceHistory's input with `nodes` (as latestPrices takes them) for `node`. */
const NodesRange = z.object({
  market: PriceHistoryInput.shape.market,
  run: PriceHistoryInput.shape.run,
  nodes: LatestPricesInput.shape.nodes,
  from: PriceHistoryInput.shape.from,
  to: PriceHistoryInput.shape.to,
})
const fromBeforeTo = (input: { from: string; to: string }) => Date.parse(input.from) < Date.parse(input.to)
const AFTER_FROM = { path: ['to'], message: 'must be after from' }

export const PriceSummariesInput = NodesRange.refine(fromBeforeTo, AFTER_FROM)
export type PriceSummariesInput = z.input<typeof PriceSummariesInput>
export const PriceHistoriesInput = NodesRange.extend({ resolution: PriceHistoryInput.shape.resolution }).refine(fromBeforeTo, AFTER_FROM)
export type PriceHistoriesInput = z.input<typeof PriceHistoriesInput>

/**
 * priceHistory's summary for each of several nodes of one run over [from, to), in one query:
 * per requested node (in request order, duplicates once) the same count, min, max, around-the-
 * clock and on-/off-peak averages; a node without prices has the empty summary (count 0, nulls).
 */
export async function priceSummaries(ch: ClickHouseHandle, input: PriceSummariesInput): Promise<Map<string, HistorySummary>> {
  const { market, run, nodes, ...range } = parseInput(PriceSummariesInput, input)
  const unique = [...new Set(nodes)]
  const params = { ...historyParams(market, run, new Date(range.from), new Date(range.to)), nodes: unique }
  const rows = await queryRows<SummaryRow & { node: string }>(ch, 'prices.summaries', SUMMARIES_SQL, params)
  const byNode = new Map(rows.map((r) => [r.node, r]))
  return new Map(unique.map((node) => [node, toSummary(byNode.get(node))]))
}

/**
 * priceHistory's points for each of several nodes of one run over [from, to), in one query: per
 * requested node (in request order, duplicates once) the same raw intervals or hourly or daily
 * buckets, oldest first; a node without prices has none. Refuses what priceHistory refuses, and
 * ranges whose buckets over all the nodes could be more than MAX_HISTORY_POINTS (BAD_REQUEST).
 */
export async function priceHistories(ch: ClickHouseHandle, input: PriceHistoriesInput): Promise<Map<string, HistoryPoint[]>> {
  const { market, run, nodes, resolution, ...range } = parseInput(PriceHistoriesInput, input)
  const unique = [...new Set(nodes)]
  const from = new Date(range.from)
  const to = new Date(range.to)
  const buckets = maxHistoryBuckets(resolution, run, from, to, MARKETS[market].timeZone) * unique.length
  if (buckets > MAX_HISTORY_POINTS) throw tooManyPoints(resolution, buckets)

  const params = { ...historyParams(market, run, from, to), nodes: unique }
  const rows = await queryRows<PointRow & { node: string }>(ch, `prices.histories.${resolution}`, HISTORIES_SQL[resolution], params)
  if (rows.length > MAX_HISTORY_POINTS) throw tooManyPoints(resolution, rows.length)
  const out = new Map<string, HistoryPoint[]>(unique.map((node) => [node, []]))
  for (const row of rows) out.get(row.node)?.push(toPoint(row))
  return out
}

function tooManyPoints(resolution: Resolution, buckets: number): AppError {
  const coarser = resolution === 'raw' ? 'hourly or daily' : resolution === 'hourly' ? 'daily' : undefined
  const advice = coarser ? `pick a coarser resolution (${coarser}) or a shorter range` : 'pick a shorter range'
  return AppError.badRequest(
    `The range holds up to ${buckets.toLocaleString('en-US')} ${resolution} points, more than the ${MAX_HISTORY_POINTS.toLocaleString('en-US')} ` +
      `one call returns: ${advice}.`,
    { resolution, buckets, max: MAX_HISTORY_POINTS },
  )
}

/** Applies the schema's defaults and checks (services are also called without a router in front). */
function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', `invalid input: ${z.prettifyError(parsed.error)}`, {
      details: { issues: z.flattenError(parsed.error).fieldErrors },
    })
  }
  return parsed.data
}
