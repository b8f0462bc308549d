import { FETCH_DATASETS, MARKET_DATASETS, SOURCES, type DatasetDefinition } from '@carbon/connectors'
import { MarketId, MarketRun, RUN_INTERVAL_MINUTES, type PriceRecord } from '@carbon/schemas'
import { and, count, desc, eq, gte, inArray, lte, sum } from 'drizzle-orm'
import { z } from 'zod'
import { logIfSlow, queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { encodeRowBinary } from '../../adapters/clickhouse/row-binary.ts'
import { ingestRuns, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { instantMs, msToIso, toClickHouseTime, writePriceValues } from '../prices/helpers.ts'
import {
  EXPECTED_NODES_LOOKBACK_MS,
  FRESHNESS_TARGET_MS,
  INGEST_RUNS_WINDOW_MS,
  MAX_GAP_RANGES,
  QualityInput,
  REVISION_EXAMPLES,
  SeriesRequest,
  WORST_INTERVALS,
  type CompletenessOutput,
  type CompletenessPoint,
  type CompletenessSeries,
  type DataHealth,
  type DatasetCompleteness,
  type DatasetFreshness,
  type DatasetGaps,
  type DatasetHealth,
  type DatasetKey,
  type DatasetLateness,
  type DatasetRevisions,
  type FreshnessOutput,
  type GapRange,
  type GapsOutput,
  type IngestActivity,
  type IngestRunSummary,
  type LateOutput,
  type RevisionsOutput,
} from './schemas.ts'

/*
 * Data quality of the stored prices, per market and dataset (a `source` of `prices` in one run,
 * see DatasetKey), over a window [now - window, now) of interval starts:
 *
 * - completeness: distinct nodes received per interval against the EXPECTED nodes, which are the
 *   distinct nodes the dataset delivered over the 7 days before the window's end (the window
 *   itself included). Read from `prices` FINAL, so data written straight to `prices` (the demo)
 *   counts too. Expected intervals are the run's grid (RUN_INTERVAL_MINUTES) from the dataset's
 *   first to its last interval in the window; a missing interval counts as 0 nodes. The summary
 *   ratio is received node-intervals / (expected nodes x expected intervals). A dataset that
 *   stopped delivering shows up in freshness, not here.
 *   `prices` keeps one row per (market, node, run, interval): where two sources write the same
 *   key (MISO's preliminary and final RT reports), the row belongs to the source stored last.
 * - gaps: expected interval starts with no row at all, as runs of consecutive intervals.
 * - late arrivals (price_arrivals): a value (node, interval, LMP, publication time) is late when
 *   it was FIRST stored more than FRESHNESS_TARGET_MS after max(interval end, published at); the
 *   first storing counts, so a redelivered batch adds nothing.
 * - revisions (price_arrivals): (node, interval) keys that arrived with more than one distinct LMP,
 *   attributed to the source of the latest arrival; duplicates of one value are one value.
 * - freshness: now - the newest ingested_at (price_arrivals, else `prices` for data stored without
 *   the consumer), the newest interval end, whether the dataset is stale (see expectationFor), and
 *   the ingest runs (Postgres ingest_runs) of the dataset.
 *
 * Every value reaches SQL as a bound parameter. Arrivals and ingest runs after `now` are ignored,
 * so a summary "as of" an earlier time does not see later arrivals.
 */

const HOUR = 3_600_000

type Resolved = { markets: MarketId[]; now: number; from: number; to: number; lookbackFrom: number }

function resolve(input: QualityInput): Resolved {
  const parsed = QualityInput.safeParse(input)
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', `invalid data-quality input: ${z.prettifyError(parsed.error)}`, {
      details: { issues: z.flattenError(parsed.error).fieldErrors },
    })
  }
  const { markets, now, window } = parsed.data
  const to = now.getTime()
  return { markets: [...new Set(markets)], now: to, from: to - window, to, lookbackFrom: to - EXPECTED_NODES_LOOKBACK_MS }
}

function chParams(q: Resolved) {
  return {
    markets: q.markets,
    from: toClickHouseTime(new Date(q.from)),
    to: toClickHouseTime(new Date(q.to)),
    now: toClickHouseTime(new Date(q.now)),
    lookbackFrom: toClickHouseTime(new Date(q.lookbackFrom)),
  }
}

const windowOf = (q: Resolved) => ({ from: msToIso(q.from), to: msToIso(q.to) })

/**
 * The name of a dataset: the source id when it is a catalogue source in its own run, otherwise
 * `source:run` (e.g. `demo.generated:RT5`), so no two datasets of a market share a name.
 */
export function datasetName(source: string, run: MarketRun): string {
  const catalogue = (SOURCES as Readonly<Record<string, { run: MarketRun } | undefined>>)[source]
  return catalogue?.run === run ? source : `${source}:${run}`
}

type GroupRow = { market: string; source: string; run: string }

/** The dataset of a result row; null for a market or run outside the enums (never written by insertPrices). */
function keyOf(row: GroupRow): DatasetKey | null {
  const market = MarketId.safeParse(row.market)
  const run = MarketRun.safeParse(row.run)
  if (!market.success || !run.success) return null
  return { market: market.data, dataset: datasetName(row.source, run.data), source: row.source, run: run.data }
}

const mapKey = (k: { market: string; dataset: string }) => `${k.market}\u0000${k.dataset}`

// ---------------------------------------------------------------- arrivals

export const ARRIVAL_COLUMNS = [
  'market',
  'run',
  'source',
  'node',
  'interval_start',
  'interval_end',
  'lmp',
  'energy',
  'congestion',
  'loss',
  'ghg',
  'published_at',
  'ingested_at',
  'bus_partition',
  'bus_offset',
  'raw_key',
] as const

/**
 * Where a record sat on the bus (`prices.normalized`): the live stream replays by it; with the
 * raw file it came from (header `raw-key`, migration 0005), by which the consumer recognises a
 * republished record.
 */
export type BusPosition = { partition: number; offset: string; rawKey?: string }

/**
 * Appends one arrival per record to `price_arrivals` in ONE insert, all with `ingestedAt` (the
 * prices consumer calls it per batch, after the batch is in `prices`). Records must be valid
 * PriceRecords (the consumer has checked them). Re-recording a batch appends it again; the
 * quality queries count distinct keys and values.
 */
export async function recordArrivals(
  ch: ClickHouseHandle,
  records: readonly PriceRecord[],
  ingestedAt: Date,
  positions?: readonly BusPosition[],
): Promise<{ inserted: number }> {
  if (records.length === 0) return { inserted: 0 }
  if (positions && positions.length !== records.length) throw new RangeError('recordArrivals: one position per record')
  const at = ingestedAt.getTime()
  const body = await encodeRowBinary(records, (writer, r, i) => {
    writer.string(r.market)
    writer.string(r.run)
    writer.string(r.source)
    writer.string(r.node)
    writer.dateTime64ms(instantMs(r.intervalStart))
    writer.dateTime64ms(instantMs(r.intervalEnd))
    writePriceValues(writer, r)
    writer.nullableDateTime64ms(r.publishedAt === null ? null : instantMs(r.publishedAt))
    writer.dateTime64ms(at)
    writer.uint16(positions?.[i]?.partition ?? 0)
    writer.uint64(positions?.[i]?.offset ?? '0')
    writer.string(positions?.[i]?.rawKey ?? '')
  })
  const started = performance.now()
  await ch.insertEncoded('price_arrivals', ARRIVAL_COLUMNS, body, 'RowBinary')
  logIfSlow(ch, 'quality.arrivals.insert', started, { rows: records.length })
  return { inserted: records.length }
}

// ---------------------------------------------------------------- completeness and gaps

const EXPECTED_NODES_SQL = `
SELECT market, source, run, uniqExact(node) AS nodes
FROM prices FINAL
WHERE market IN {markets:Array(String)}
  AND interval_start >= {lookbackFrom:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}
GROUP BY market, source, run`

const RECEIVED_SQL = `
SELECT market, source, run, toUnixTimestamp64Milli(interval_start) AS start_ms, uniqExact(node) AS received
FROM prices FINAL
WHERE market IN {markets:Array(String)}
  AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}
GROUP BY market, source, run, interval_start
ORDER BY market, source, run, interval_start`

/** One dataset's intervals in the window: nodes received per interval start, on the run's grid. */
type DatasetIntervals = {
  key: DatasetKey
  stepMs: number
  expectedNodes: number
  /** Every grid point from the first to the last interval start in the window, ascending. */
  grid: number[]
  received: Map<number, number>
}

async function loadIntervals(ch: ClickHouseHandle, q: Resolved): Promise<DatasetIntervals[]> {
  const params = chParams(q)
  const [expectedRows, receivedRows] = await Promise.all([
    queryRows<GroupRow & { nodes: number | string }>(ch, 'quality.expected_nodes', EXPECTED_NODES_SQL, params),
    queryRows<GroupRow & { start_ms: number | string; received: number | string }>(ch, 'quality.received', RECEIVED_SQL, params),
  ])
  const expected = new Map<string, number>()
  for (const row of expectedRows) {
    const key = keyOf(row)
    if (key) expected.set(mapKey(key), Number(row.nodes))
  }
  const byDataset = new Map<string, DatasetIntervals>()
  for (const row of receivedRows) {
    const key = keyOf(row)
    if (!key) continue
    let entry = byDataset.get(mapKey(key))
    if (!entry) {
      entry = {
        key,
        stepMs: RUN_INTERVAL_MINUTES[key.run] * 60_000,
        // The window lies inside the lookback, so every received node is also an expected one.
        expectedNodes: expected.get(mapKey(key)) ?? 0,
        grid: [],
        received: new Map(),
      }
      byDataset.set(mapKey(key), entry)
    }
    entry.received.set(Number(row.start_ms), Number(row.received))
  }
  for (const entry of byDataset.values()) {
    const starts = [...entry.received.keys()]
    const first = Math.min(...starts)
    const last = Math.max(...starts)
    // Rows off the grid of the first interval (never written by the connectors) are not counted.
    for (let t = first; t <= last; t += entry.stepMs) entry.grid.push(t)
  }
  return [...byDataset.values()].sort(compareIntervals)
}

const compareIntervals = (a: DatasetIntervals, b: DatasetIntervals) => compareKeys(a.key, b.key)

function compareKeys(a: { market: string; dataset: string }, b: { market: string; dataset: string }): number {
  return a.market === b.market ? a.dataset.localeCompare(b.dataset) : a.market.localeCompare(b.market)
}

function point(d: DatasetIntervals, start: number): CompletenessPoint {
  const received = Math.min(d.received.get(start) ?? 0, d.expectedNodes)
  return { intervalStart: msToIso(start), received, ratio: d.expectedNodes > 0 ? received / d.expectedNodes : 0 }
}

function completenessOf(d: DatasetIntervals): DatasetCompleteness {
  let receivedTotal = 0
  let delivered = 0
  const partial: CompletenessPoint[] = []
  for (const start of d.grid) {
    const p = point(d, start)
    receivedTotal += p.received
    if (p.received > 0) delivered++
    if (p.received > 0 && p.received < d.expectedNodes) partial.push(p)
  }
  partial.sort((a, b) => a.ratio - b.ratio || a.intervalStart.localeCompare(b.intervalStart))
  const slots = d.expectedNodes * d.grid.length
  return {
    ...d.key,
    intervalMinutes: d.stepMs / 60_000,
    expectedNodes: d.expectedNodes,
    expectedIntervals: d.grid.length,
    deliveredIntervals: delivered,
    ratio: slots > 0 ? receivedTotal / slots : 0,
    firstInterval: msToIso(d.grid[0]!),
    lastInterval: msToIso(d.grid[d.grid.length - 1]!),
    worstIntervals: partial.slice(0, WORST_INTERVALS),
  }
}

function gapsOf(d: DatasetIntervals): DatasetGaps {
  const ranges: GapRange[] = []
  let missing = 0
  let open: { from: number; count: number } | null = null
  for (const start of d.grid) {
    if (d.received.has(start)) {
      if (open) ranges.push(gapRange(open, d.stepMs))
      open = null
      continue
    }
    missing++
    if (open) open.count++
    else open = { from: start, count: 1 }
  }
  if (open) ranges.push(gapRange(open, d.stepMs))
  ranges.reverse()
  return {
    ...d.key,
    intervalMinutes: d.stepMs / 60_000,
    missingIntervals: missing,
    ranges: ranges.slice(0, MAX_GAP_RANGES),
    truncated: ranges.length > MAX_GAP_RANGES,
  }
}

function gapRange(open: { from: number; count: number }, stepMs: number): GapRange {
  return { from: msToIso(open.from), to: msToIso(open.from + open.count * stepMs), intervals: open.count }
}

function seriesOf(intervals: DatasetIntervals[], request: SeriesRequest | undefined): CompletenessSeries | null {
  if (!request) return null
  const d = intervals.find((i) => i.key.market === request.market && i.key.dataset === request.dataset)
  if (!d) return null
  return {
    ...d.key,
    intervalMinutes: d.stepMs / 60_000,
    expectedNodes: d.expectedNodes,
    points: d.grid.map((start) => point(d, start)),
  }
}

function parseSeries(series: SeriesRequest | undefined): SeriesRequest | undefined {
  if (series === undefined) return undefined
  const parsed = SeriesRequest.safeParse(series)
  if (!parsed.success) throw AppError.badRequest(`invalid series request: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/**
 * Completeness per market and dataset over the window (see the header comment), with the worst
 * delivered intervals and, when `series` names a dataset, its every interval.
 */
export async function completeness(ch: ClickHouseHandle, input: QualityInput & { series?: SeriesRequest }): Promise<CompletenessOutput> {
  const q = resolve(input)
  const series = parseSeries(input.series)
  const intervals = await loadIntervals(ch, q)
  return { window: windowOf(q), datasets: intervals.map(completenessOf), series: seriesOf(intervals, series) }
}

/** Missing intervals per market and dataset: grid points between its first and last interval in the window with no row. */
export async function gaps(ch: ClickHouseHandle, input: QualityInput): Promise<GapsOutput> {
  const q = resolve(input)
  const intervals = await loadIntervals(ch, q)
  return { window: windowOf(q), datasets: intervals.map(gapsOf) }
}

// ---------------------------------------------------------------- late arrivals and revisions

const LATE_SQL = `
SELECT market, source, run,
  count() AS arrivals,
  countIf(delay_ms > 0) AS late,
  maxIfOrNull(delay_ms, delay_ms > 0) AS max_delay_ms
FROM (
  SELECT market, source, run,
    toUnixTimestamp64Milli(min(ingested_at))
      - greatest(toUnixTimestamp64Milli(any(interval_end)), ifNull(toUnixTimestamp64Milli(published_at), 0))
      - {targetMs:Int64} AS delay_ms
  FROM price_arrivals
  WHERE market IN {markets:Array(String)}
    AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}
    AND ingested_at <= {now:DateTime64(3, 'UTC')}
  GROUP BY market, source, run, node, interval_start, lmp, published_at
)
GROUP BY market, source, run`

const REVISIONS_SQL = `
SELECT market, source, run, node, start_ms, old_lmp, new_lmp, n_values,
  count() OVER (PARTITION BY market, source, run) AS revised
FROM (
  SELECT market, run, node,
    toUnixTimestamp64Milli(interval_start) AS start_ms,
    argMax(source, ingested_at) AS source,
    argMin(lmp, ingested_at) AS old_lmp,
    argMax(lmp, ingested_at) AS new_lmp,
    uniqExact(lmp) AS n_values
  FROM price_arrivals
  WHERE market IN {markets:Array(String)}
    AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}
    AND ingested_at <= {now:DateTime64(3, 'UTC')}
  GROUP BY market, run, node, interval_start
  HAVING n_values > 1
)
ORDER BY market, source, run, start_ms DESC, node
LIMIT {examples:UInt32} BY market, source, run`

type LateRow = GroupRow & { arrivals: number | string; late: number | string; max_delay_ms: number | string | null }
type RevisionRow = GroupRow & {
  node: string
  start_ms: number | string
  old_lmp: number
  new_lmp: number
  n_values: number | string
  revised: number | string
}

async function loadLateness(ch: ClickHouseHandle, q: Resolved): Promise<DatasetLateness[]> {
  const rows = await queryRows<LateRow>(ch, 'quality.late', LATE_SQL, { ...chParams(q), targetMs: FRESHNESS_TARGET_MS })
  const out: DatasetLateness[] = []
  for (const row of rows) {
    const key = keyOf(row)
    if (!key) continue
    out.push({
      ...key,
      arrivals: Number(row.arrivals),
      late: Number(row.late),
      maxDelaySeconds: row.max_delay_ms === null ? null : Number(row.max_delay_ms) / 1000,
    })
  }
  return out.sort(compareKeys)
}

async function loadRevisions(ch: ClickHouseHandle, q: Resolved): Promise<DatasetRevisions[]> {
  const rows = await queryRows<RevisionRow>(ch, 'quality.revisions', REVISIONS_SQL, { ...chParams(q), examples: REVISION_EXAMPLES })
  const byDataset = new Map<string, DatasetRevisions>()
  for (const row of rows) {
    const key = keyOf(row)
    if (!key) continue
    let entry = byDataset.get(mapKey(key))
    if (!entry) {
      entry = { ...key, revised: Number(row.revised), examples: [] }
      byDataset.set(mapKey(key), entry)
    }
    entry.examples.push({
      node: row.node,
      intervalStart: msToIso(row.start_ms),
      oldLmp: row.old_lmp,
      newLmp: row.new_lmp,
      values: Number(row.n_values),
    })
  }
  return [...byDataset.values()].sort(compareKeys)
}

/** Per market and dataset: distinct values that arrived in the window and how many of them were late. */
export async function lateArrivals(ch: ClickHouseHandle, input: QualityInput): Promise<LateOutput> {
  const q = resolve(input)
  return { window: windowOf(q), datasets: await loadLateness(ch, q) }
}

/** Per market and dataset: intervals that arrived with more than one distinct LMP, with the latest few as examples. */
export async function revisions(ch: ClickHouseHandle, input: QualityInput): Promise<RevisionsOutput> {
  const q = resolve(input)
  return { window: windowOf(q), datasets: await loadRevisions(ch, q) }
}

// ---------------------------------------------------------------- freshness and ingest runs

/*
 * The newest ingested_at and interval end per dataset, over intervals starting in the lookback
 * (later ones too: day-ahead prices of tomorrow). `prices` is read without FINAL: a replaced row
 * still records when its own source last delivered.
 */
const freshnessSql = (table: 'price_arrivals' | 'prices') => `
SELECT market, source, run,
  toUnixTimestamp64Milli(max(ingested_at)) AS ingested_ms,
  toUnixTimestamp64Milli(max(interval_end)) AS end_ms
FROM ${table}
WHERE market IN {markets:Array(String)}
  AND interval_start >= {lookbackFrom:DateTime64(3, 'UTC')}
  AND ingested_at <= {now:DateTime64(3, 'UTC')}
GROUP BY market, source, run`

type FreshRow = GroupRow & { ingested_ms: number | string; end_ms: number | string }

type Expectation = { definition: DatasetDefinition; graceMs: number }

const CATALOGUE: Readonly<Record<string, DatasetDefinition | undefined>> = { ...FETCH_DATASETS, ...MARKET_DATASETS }

/**
 * What a dataset should have by now: its connectors dataset definition (FETCH_DATASETS, MARKET_DATASETS), or for a
 * source outside it (the demo generator, datasets not yet in the fetch catalogue) the catalogue
 * dataset of the same market and run. `publishedUntil(now - grace)` is the end of the intervals
 * it should hold; grace is the freshness target (5 minutes), plus the polling cadence for daily
 * files (polled hourly: a file published at 14:00 may be fetched at 14:59).
 */
export function expectationFor(market: MarketId, source: string, run: MarketRun | null): Expectation | null {
  const own = CATALOGUE[source]
  const definition =
    own && own.market === market && (run === null || own.run === run)
      ? own
      : run === null
        ? undefined
        : Object.values(CATALOGUE).find((d) => d?.market === market && d.run === run)
  if (!definition) return null
  const daily = definition.cadenceMs >= HOUR
  return { definition, graceMs: FRESHNESS_TARGET_MS + (daily ? definition.cadenceMs : 0) }
}

/** Stale: the newest interval ends before what the publisher had out `grace` ago (no data at all is stale too). */
export function staleness(
  key: { market: MarketId; source: string; run: MarketRun | null },
  lastIntervalEnd: number | null,
  now: number,
): { expectedThrough: string | null; stale: boolean | null } {
  const expectation = expectationFor(key.market, key.source, key.run)
  if (!expectation) return { expectedThrough: null, stale: null }
  const through = expectation.definition.publishedUntil(now - expectation.graceMs)
  return { expectedThrough: msToIso(through), stale: lastIntervalEnd === null || lastIntervalEnd < through }
}

const NO_RUNS = (): IngestActivity['runs24h'] => ({ ok: 0, partial: 0, 'no-data': 0, failed: 0 })

async function loadIngestActivity(db: Database, q: Resolved): Promise<Map<string, IngestActivity>> {
  const now = new Date(q.now)
  const inLookback = and(
    inArray(ingestRuns.market, q.markets),
    gte(ingestRuns.startedAt, new Date(q.lookbackFrom)),
    lte(ingestRuns.startedAt, now),
  )
  const runColumns = {
    market: ingestRuns.market,
    dataset: ingestRuns.dataset,
    status: ingestRuns.status,
    file: ingestRuns.file,
    startedAt: ingestRuns.startedAt,
    finishedAt: ingestRuns.finishedAt,
    records: ingestRuns.records,
    issues: ingestRuns.issues,
    newNodes: ingestRuns.newNodes,
    error: ingestRuns.error,
  }
  const latestFirst = [ingestRuns.market, ingestRuns.dataset, desc(ingestRuns.startedAt), desc(ingestRuns.id)] as const
  const [lastRuns, lastFailures, counts] = await Promise.all([
    db
      .selectDistinctOn([ingestRuns.market, ingestRuns.dataset], runColumns)
      .from(ingestRuns)
      .where(inLookback)
      .orderBy(...latestFirst),
    db
      .selectDistinctOn([ingestRuns.market, ingestRuns.dataset], runColumns)
      .from(ingestRuns)
      .where(and(inLookback, eq(ingestRuns.status, 'failed')))
      .orderBy(...latestFirst),
    db
      .select({
        market: ingestRuns.market,
        dataset: ingestRuns.dataset,
        status: ingestRuns.status,
        runs: count(),
        records: sum(ingestRuns.records),
        issues: sum(ingestRuns.issues),
      })
      .from(ingestRuns)
      .where(
        and(
          inArray(ingestRuns.market, q.markets),
          gte(ingestRuns.startedAt, new Date(q.now - INGEST_RUNS_WINDOW_MS)),
          lte(ingestRuns.startedAt, now),
        ),
      )
      .groupBy(ingestRuns.market, ingestRuns.dataset, ingestRuns.status),
  ])

  const out = new Map<string, IngestActivity>()
  const entry = (market: string, dataset: string) => {
    const k = mapKey({ market, dataset })
    let e = out.get(k)
    if (!e) {
      e = { lastRun: null, lastFailure: null, runs24h: NO_RUNS(), records24h: 0, issues24h: 0 }
      out.set(k, e)
    }
    return e
  }
  for (const run of lastRuns) entry(run.market, run.dataset).lastRun = runSummary(run)
  for (const run of lastFailures) {
    entry(run.market, run.dataset).lastFailure = { finishedAt: run.finishedAt.toISOString(), error: run.error }
  }
  for (const row of counts) {
    const e = entry(row.market, row.dataset)
    const status = row.status as keyof IngestActivity['runs24h']
    if (status in e.runs24h) e.runs24h[status] += Number(row.runs)
    e.records24h += Number(row.records ?? 0)
    e.issues24h += Number(row.issues ?? 0)
  }
  return out
}

function runSummary(run: {
  status: string
  file: string
  startedAt: Date
  finishedAt: Date
  records: number
  issues: number
  newNodes: number
  error: string | null
}): IngestRunSummary {
  return {
    status: run.status,
    file: run.file,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    records: run.records,
    issues: run.issues,
    newNodes: run.newNodes,
    error: run.error,
  }
}

async function loadFreshness(ch: ClickHouseHandle, db: Database, q: Resolved): Promise<DatasetFreshness[]> {
  const params = chParams(q)
  const [arrivals, prices, ingest] = await Promise.all([
    queryRows<FreshRow>(ch, 'quality.freshness.arrivals', freshnessSql('price_arrivals'), params),
    queryRows<FreshRow>(ch, 'quality.freshness.prices', freshnessSql('prices'), params),
    loadIngestActivity(db, q),
  ])
  const found = new Map<string, { key: DatasetKey; row: FreshRow; from: 'arrivals' | 'prices' }>()
  for (const [rows, from] of [
    [arrivals, 'arrivals'],
    [prices, 'prices'],
  ] as const) {
    for (const row of rows) {
      const key = keyOf(row)
      if (key && !found.has(mapKey(key))) found.set(mapKey(key), { key, row, from })
    }
  }

  const out: DatasetFreshness[] = []
  for (const [k, { key, row, from }] of found) {
    const ingested = Number(row.ingested_ms)
    const end = Number(row.end_ms)
    out.push({
      ...key,
      lastIngestedAt: msToIso(ingested),
      ageSeconds: (q.now - ingested) / 1000,
      measuredFrom: from,
      lastIntervalEnd: msToIso(end),
      ...staleness(key, end, q.now),
      ingest: ingest.get(k) ?? emptyActivity(),
    })
  }
  // Datasets the ingest ran for but that stored nothing (in the lookback).
  for (const [k, activity] of ingest) {
    if (found.has(k)) continue
    const [market, dataset] = k.split('\u0000') as [MarketId, string]
    const run = (SOURCES as Readonly<Record<string, { run: MarketRun } | undefined>>)[dataset]?.run ?? null
    out.push({
      market,
      dataset,
      source: dataset,
      run,
      lastIngestedAt: null,
      ageSeconds: null,
      measuredFrom: null,
      lastIntervalEnd: null,
      ...staleness({ market, source: dataset, run }, null, q.now),
      ingest: activity,
    })
  }
  return out.sort(compareKeys)
}

const emptyActivity = (): IngestActivity => ({ lastRun: null, lastFailure: null, runs24h: NO_RUNS(), records24h: 0, issues24h: 0 })

/** Per market and dataset: how old its newest data is, whether it is stale, and its ingest runs. */
export async function freshness(ch: ClickHouseHandle, db: Database, input: QualityInput): Promise<FreshnessOutput> {
  const q = resolve(input)
  return { now: msToIso(q.now), datasets: await loadFreshness(ch, db, q) }
}

// ---------------------------------------------------------------- the summary

/**
 * Everything above for the given markets, one entry per dataset seen in any of it, datasets
 * sorted by name within each market (markets in the order given). `series` adds the full
 * per-interval completeness of one dataset (the page's chart). Used by the Data health page and
 * the quality gauges of /metrics.
 */
export async function dataHealth(ch: ClickHouseHandle, db: Database, input: QualityInput & { series?: SeriesRequest }): Promise<DataHealth> {
  const q = resolve(input)
  const series = parseSeries(input.series)
  const [intervals, late, revised, fresh] = await Promise.all([
    loadIntervals(ch, q),
    loadLateness(ch, q),
    loadRevisions(ch, q),
    loadFreshness(ch, db, q),
  ])

  const rows = new Map<string, DatasetHealth>()
  const row = (key: { market: MarketId; dataset: string; source: string; run: MarketRun | null }): DatasetHealth => {
    const k = mapKey(key)
    let r = rows.get(k)
    if (!r) {
      r = {
        market: key.market,
        dataset: key.dataset,
        source: key.source,
        run: key.run,
        completeness: null,
        gaps: null,
        late: { arrivals: 0, late: 0, maxDelaySeconds: null },
        revisions: { revised: 0, examples: [] },
        freshness: { lastIngestedAt: null, ageSeconds: null, measuredFrom: null, lastIntervalEnd: null, ...staleness(key, null, q.now) },
        ingest: emptyActivity(),
      }
      rows.set(k, r)
    }
    return r
  }
  for (const f of fresh) {
    const { market: _m, dataset: _d, source: _s, run: _r, ingest, ...info } = f
    Object.assign(row(f), { freshness: info, ingest })
  }
  for (const d of intervals) {
    const { market: _m, dataset: _d, source: _s, run: _r, ...c } = completenessOf(d)
    const { market: _gm, dataset: _gd, source: _gs, run: _gr, ...g } = gapsOf(d)
    Object.assign(row(d.key), { completeness: c, gaps: g })
  }
  for (const l of late) {
    const { market: _m, dataset: _d, source: _s, run: _r, ...info } = l
    row(l).late = info
  }
  for (const r of revised) {
    const { market: _m, dataset: _d, source: _s, run: _r, ...info } = r
    row(r).revisions = info
  }

  const all = [...rows.values()].sort(compareKeys)
  return {
    generatedAt: msToIso(q.now),
    window: windowOf(q),
    freshnessTargetSeconds: FRESHNESS_TARGET_MS / 1000,
    markets: q.markets.map((market) => ({ market, datasets: all.filter((d) => d.market === market) })),
    series: seriesOf(intervals, series),
  }
}
