import { SERIES_DATASETS, SERIES_SOURCES, isSeriesDatasetId, isSeriesSourceId, type SeriesDatasetDefinition, type SeriesSourceDefinition } from '@carbon/connectors'
import { MarketId, ProductId, SeriesFrequency, type DataKey } from '@carbon/schemas'
import { and, desc, eq, gte, inArray, lte, sql } from 'drizzle-orm'
import { z } from 'zod'
import { TOPICS } from '../../adapters/bus/index.ts'
import { queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { deadLetters, ingestRuns, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { msToIso } from '../prices/helpers.ts'
import { UPLOADABLE_SOURCES } from '../series/upload.ts'
import { SERIES_END_TOLERANCE_MS, SERIES_WINDOW_SPAN_MS, enteredPeriods, expectedPeriods, gapRuns, presenceOf } from './series-periods.ts'
import {
  SERIES_LATE_MARGIN_MS,
  SERIES_MAX_GAPS,
  SERIES_RUNS_WINDOW_MS,
  SeriesHealthInput,
  type SeriesDatasetHealth,
  type SeriesDatasetStatus,
  type SeriesDeadLetters,
  type SeriesHealth,
  type SeriesHealthRow,
  type SeriesIngestActivity,
  type SeriesRunSummary,
} from './series-schemas.ts'

/*
 * Data health of the series beside power (docs/decisions/023), per series dataset (a series
 * source id, the `source` of series_values and the `dataset` of ingest_runs and dead letters):
 *
 * - completeness per series (product, market, id, measure, frequency) over its window, the last
 *   expected periods up to its newest stored one (series-periods.ts): weekdays for daily series,
 *   the series' own 7-day grid for weekly ones, months, hours. Missing periods as gap ranges
 *   (daily ones with their dates). Series users enter (REC quotes) have no calendar: their
 *   expected periods are the ones they hold, so they show no gap and their health is their
 *   newest period and its arrival. A series belongs to the dataset that wrote its newest period
 *   (series_values keeps one row per period, the latest ingested, whatever its source).
 *   Each series' window is read without reading its history (see "stored values" below).
 * - freshness: the newest period end against the publisher's schedule (SERIES_DATASETS
 *   publishedUntil), taken SERIES_LATE_MARGIN_MS plus the polling cadence ago; late when it ends
 *   before that (daily series: more than a long weekend before). A copy of a publisher's file
 *   (datahub's Henry Hub CSV) follows the publisher's schedule; uploads (REC quotes) have none.
 * - ingest runs (Postgres ingest_runs, under the file's data key) of the last 7 days, and the
 *   dead letters of `series.dlq` (their bus key starts with the file's data key).
 *
 * Scope: the products given and the GRID series of the markets given, nothing else; every value
 * reaches SQL as a bound parameter.
 */

/** Datasets that are copies of a publisher's file: they follow that publisher's schedule. */
const SCHEDULE_OF: Readonly<Record<string, string>> = { 'datahub.ng.hh_spot_daily': 'eia.ng.hh_spot_daily' }

type Scope = { products: string[]; markets: string[]; keys: DataKey[]; now: number }

function resolve(input: SeriesHealthInput): Scope {
  const parsed = SeriesHealthInput.safeParse(input)
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', `invalid series-health input: ${z.prettifyError(parsed.error)}`, {
      details: { issues: z.flattenError(parsed.error).fieldErrors },
    })
  }
  const products = [...new Set(parsed.data.products)]
  const markets = [...new Set(parsed.data.markets)]
  return { products, markets, keys: [...products, ...markets], now: parsed.data.now.getTime() }
}

// ---------------------------------------------------------------- stored values

/*
 * A series' window is read in two steps, so that the rows read stay bounded by the windows
 * whatever history is stored (years of hourly EIA-930 per balancing authority and measure),
 * where one query used to run a window function over every row of the scope (FINAL) and keep
 * the window's rows afterwards:
 *
 * 1. SERIES_NEWEST_SQL: each series' first and newest period start and latest ingest, one
 *    aggregation over the key columns only (product, series, measure, frequency, period_start,
 *    ingested_at; no value, unit, source or attribute read, no FINAL), in the table's ORDER BY
 *    order (optimize_aggregation_in_order). FINAL would only drop older versions of a period
 *    kept (same key, same period start, an earlier ingested_at), which change none of
 *    min(period_start), max(period_start) or max(ingested_at). The market
 *    is not grouped on: it is a function of the series ('' off GRID; on GRID the market its
 *    balancing authority maps to, whatever the row's date: packages/connectors
 *    EIA930_BALANCING_AUTHORITIES).
 * 2. seriesWindowSql: only the rows from `newest - SERIES_WINDOW_SPAN_MS[frequency]` of each
 *    series on (windowRanges: series whose bounds lie within RANGE_SLACK_MS of each other share
 *    one `(key) IN (...) AND period_start >= bound` term, so the primary key picks the granules
 *    of the windows and skips the history before them). A series whose newest period is years
 *    old gets its own window there, not one near the others'. The newest version of each period
 *    is taken by argMax(..., ingested_at) over those rows, which is what FINAL keeps
 *    (ReplacingMergeTree(ingested_at); the one case where the two may pick differently is a tie:
 *    two files of one consumer batch holding the same period, stored with the batch's one
 *    ingested_at, where FINAL keeps the last inserted and argMax either). FINAL over the same
 *    ranges cost several times the argMax read on scripts/bench-health.ts's data (its merge of
 *    the parts' ranges). Then the scope's market, then the per-series window bound exactly as
 *    before (max(start) OVER the series).
 *
 * First, newest and latest ingest come from step 1; unit, source, newest end and the period
 * starts of the window from step 2: the same answer as the single query gave. Step 1 still
 * passes over the key columns of every row of the scope (a streaming aggregate, one state per
 * series at a time); step 2 reads the granules (8,192 rows) holding the windows, whatever lies before them.
 */

/** Whose series: the products given (market '') and the GRID series of the markets given. */
const SCOPE_SQL = `((product IN {products:Array(String)} AND market = '') OR (product = 'GRID' AND market IN {markets:Array(String)}))`

const SERIES_NEWEST_SQL = `
SELECT product, series, measure, frequency,
  toUnixTimestamp64Milli(min(period_start)) AS first_ms,
  toUnixTimestamp64Milli(max(period_start)) AS last_ms,
  toUnixTimestamp64Milli(max(ingested_at)) AS ingested_ms
FROM series_values
WHERE ${SCOPE_SQL}
GROUP BY product, series, measure, frequency`

/**
 * Step 2 with the window terms of windowRanges in place of `ranges`. The innermost query keeps
 * each period's newest version (names prefixed `v_` so no alias shadows the column it reads).
 */
const seriesWindowSql = (ranges: string) => `
SELECT product, market, series, measure, frequency,
  any(unit) AS unit,
  argMax(source, start_ms) AS source,
  max(start_ms) AS last_ms,
  max(end_ms) AS last_end_ms,
  groupArray(start_ms) AS starts
FROM (
  SELECT product, v_market AS market, series, measure, frequency, v_unit AS unit, v_source AS source,
    toUnixTimestamp64Milli(period_start) AS start_ms,
    toUnixTimestamp64Milli(v_end) AS end_ms,
    max(start_ms) OVER (PARTITION BY product, market, series, measure, frequency) AS series_last_ms
  FROM (
    SELECT product, series, measure, frequency, period_start,
      argMax(market, ingested_at) AS v_market,
      argMax(unit, ingested_at) AS v_unit,
      argMax(source, ingested_at) AS v_source,
      argMax(period_end, ingested_at) AS v_end
    FROM series_values
    WHERE ${ranges}
    GROUP BY product, series, measure, frequency, period_start
  )
  WHERE ${SCOPE_SQL}
)
WHERE start_ms >= series_last_ms - multiIf(frequency = 'hour', {hourSpan:Int64}, frequency = 'day', {daySpan:Int64}, frequency = 'week', {weekSpan:Int64}, {monthSpan:Int64})
GROUP BY product, market, series, measure, frequency
ORDER BY product, market, series, measure, indexOf(['hour', 'day', 'week', 'month'], frequency)`

/**
 * Series whose window bounds lie within this of the first bound of a term share the term (and
 * read at most this much more than their window: 24 hours of an hourly series, a day of a daily
 * one). Series published together end together, so a scope is a few terms, not one per series.
 */
const RANGE_SLACK_MS = 86_400_000

type Num = number | string
type NewestRow = { product: string; series: string; measure: string; frequency: string; first_ms: Num; last_ms: Num; ingested_ms: Num }
type WindowRow = { product: string; market: string; series: string; measure: string; frequency: string; unit: string; source: string; last_ms: Num; last_end_ms: Num; starts: Num[] }

/** One stored series over its window, as the health rows are built from. */
export type SeriesWindowRow = WindowRow & { first_ms: Num; ingested_ms: Num }

const identityOf = (r: { product: string; series: string; measure: string; frequency: string }) => `${r.product}\u0000${r.series}\u0000${r.measure}\u0000${r.frequency}`

/**
 * The window terms of step 2 (`(product, series, measure, frequency) IN (...) AND period_start >=
 * bound`, ORed), every value a bound parameter: the series sorted by their window's lower
 * bound, a new term where a bound lies more than RANGE_SLACK_MS after its term's first.
 * Frequencies this code does not know are left out (their rows are not health rows).
 */
export function windowRanges(newest: readonly NewestRow[]): { sql: string; params: Record<string, unknown> } {
  const bounded = newest
    .filter((r) => SeriesFrequency.safeParse(r.frequency).success)
    .map((r) => ({ r, from: Number(r.last_ms) - SERIES_WINDOW_SPAN_MS[r.frequency as SeriesFrequency] }))
    .sort((a, b) => a.from - b.from)
  const terms: { from: number; rows: NewestRow[] }[] = []
  for (const { r, from } of bounded) {
    const term = terms.at(-1)
    if (term && from - term.from <= RANGE_SLACK_MS) term.rows.push(r)
    else terms.push({ from, rows: [r] })
  }
  const params: Record<string, unknown> = {}
  const sql = terms.map((t, i) => {
    Object.assign(params, {
      [`p${i}`]: t.rows.map((r) => r.product),
      [`s${i}`]: t.rows.map((r) => r.series),
      [`m${i}`]: t.rows.map((r) => r.measure),
      [`f${i}`]: t.rows.map((r) => r.frequency),
      [`from${i}`]: t.from,
    })
    return `((product, series, measure, frequency) IN arrayZip({p${i}:Array(String)}, {s${i}:Array(String)}, {m${i}:Array(String)}, {f${i}:Array(String)}) AND period_start >= fromUnixTimestamp64Milli({from${i}:Int64}, 'UTC'))`
  })
  return { sql: sql.join(' OR '), params }
}

/**
 * Every stored series of the products and GRID markets given over its window (see the plan
 * above), by product, market, series, measure and frequency (finest first).
 */
export async function readSeriesWindows(ch: ClickHouseHandle, products: readonly string[], markets: readonly string[]): Promise<SeriesWindowRow[]> {
  const scope = { products, markets }
  // Grouped in the table's ORDER BY order: streamed series by series, no hash of every row's key
  // (half the time of a hash aggregation on scripts/bench-health.ts's 8-year data).
  const newest = await queryRows<NewestRow>(ch, 'quality.series.newest', SERIES_NEWEST_SQL, scope, { optimize_aggregation_in_order: 1 })
  const ranges = windowRanges(newest)
  if (ranges.sql === '') return []
  const rows = await queryRows<WindowRow>(ch, 'quality.series.window', seriesWindowSql(ranges.sql), {
    ...scope,
    ...ranges.params,
    hourSpan: SERIES_WINDOW_SPAN_MS.hour,
    daySpan: SERIES_WINDOW_SPAN_MS.day,
    weekSpan: SERIES_WINDOW_SPAN_MS.week,
    monthSpan: SERIES_WINDOW_SPAN_MS.month,
  })
  const byIdentity = new Map(newest.map((r) => [identityOf(r), r]))
  return rows.flatMap((r) => {
    const n = byIdentity.get(identityOf(r))
    // A series first stored between the two reads has no first period or ingest yet: next view.
    return n ? [{ ...r, first_ms: n.first_ms, ingested_ms: n.ingested_ms }] : []
  })
}

type StoredSeries = { source: string; row: Omit<SeriesHealthRow, 'late' | 'ended'>; lastEnd: number; ingested: number }

async function loadSeries(ch: ClickHouseHandle, scope: Scope): Promise<StoredSeries[]> {
  if (scope.keys.length === 0) return []
  const rows = await readSeriesWindows(ch, scope.products, scope.markets)
  const out: StoredSeries[] = []
  for (const r of rows) {
    const product = ProductId.safeParse(r.product)
    const frequency = SeriesFrequency.safeParse(r.frequency)
    if (!product.success || !frequency.success) continue
    out.push(storedSeries(r, product.data, frequency.data))
  }
  return out
}

/** Sources users enter as files: no calendar of expected periods (series-periods.ts enteredPeriods). */
const ENTERED_SOURCES: ReadonlySet<string> = new Set(UPLOADABLE_SOURCES)

function storedSeries(r: SeriesWindowRow, product: ProductId, frequency: SeriesFrequency): StoredSeries {
  const first = Number(r.first_ms)
  const last = Number(r.last_ms)
  const present = new Set(r.starts.map(Number))
  const entered = ENTERED_SOURCES.has(r.source)
  const expected = entered ? enteredPeriods(frequency, present, last) : expectedPeriods(frequency, first, last)
  const received = expected.filter((t) => present.has(t)).length
  const gaps = gapRuns(frequency, expected, present)
  const market = MarketId.safeParse(r.market)
  return {
    source: r.source,
    lastEnd: Number(r.last_end_ms),
    ingested: Number(r.ingested_ms),
    row: {
      product,
      market: market.success ? market.data : null,
      calendar: entered ? 'entered' : 'publisher',
      series: r.series,
      measure: r.measure,
      frequency,
      unit: r.unit,
      firstPeriodStart: msToIso(first),
      lastPeriodStart: msToIso(last),
      lastPeriodEnd: msToIso(r.last_end_ms),
      lastIngestedAt: msToIso(r.ingested_ms),
      windowFrom: msToIso(expected[0] ?? last),
      expectedPeriods: expected.length,
      receivedPeriods: received,
      ratio: expected.length > 0 ? received / expected.length : 0,
      missingPeriods: expected.length - received,
      gaps: gaps
        .slice(-SERIES_MAX_GAPS)
        .reverse()
        .map((g) => ({ from: msToIso(g.from), to: msToIso(g.to), periods: g.periods, dates: g.dates })),
      presence: presenceOf(expected, present),
    },
  }
}

// ---------------------------------------------------------------- ingest runs and dead letters

const NO_RUNS = (): SeriesIngestActivity['runs'] => ({ ok: 0, partial: 0, 'no-data': 0, failed: 0 })
const emptyActivity = (): SeriesIngestActivity => ({ lastRun: null, lastFailure: null, runs: NO_RUNS() })

type RunRow = { market: string; dataset: string; status: string; file: string; finishedAt: Date; records: number; issues: number; error: string | null }

function runSummary(run: RunRow): SeriesRunSummary {
  return {
    key: run.market as DataKey,
    status: run.status,
    file: run.file,
    finishedAt: run.finishedAt.toISOString(),
    records: run.records,
    issues: run.issues,
    error: run.error,
  }
}

const SERIES_SOURCE_IDS = Object.keys(SERIES_SOURCES)

/** Per dataset: the latest run and failure among the scope's keys, and the runs per status, over the last 7 days. */
async function loadRuns(db: Database, scope: Scope): Promise<Map<string, SeriesIngestActivity>> {
  const out = new Map<string, SeriesIngestActivity>()
  if (scope.keys.length === 0) return out
  const inWindow = and(
    inArray(ingestRuns.market, scope.keys),
    inArray(ingestRuns.dataset, SERIES_SOURCE_IDS),
    gte(ingestRuns.startedAt, new Date(scope.now - SERIES_RUNS_WINDOW_MS)),
    lte(ingestRuns.startedAt, new Date(scope.now)),
  )
  const columns = {
    market: ingestRuns.market,
    dataset: ingestRuns.dataset,
    status: ingestRuns.status,
    file: ingestRuns.file,
    finishedAt: ingestRuns.finishedAt,
    records: ingestRuns.records,
    issues: ingestRuns.issues,
    error: ingestRuns.error,
  }
  const latestFirst = [ingestRuns.dataset, desc(ingestRuns.startedAt), desc(ingestRuns.id)] as const
  const [lastRuns, lastFailures, counts] = await Promise.all([
    db.selectDistinctOn([ingestRuns.dataset], columns).from(ingestRuns).where(inWindow).orderBy(...latestFirst),
    db
      .selectDistinctOn([ingestRuns.dataset], columns)
      .from(ingestRuns)
      .where(and(inWindow, eq(ingestRuns.status, 'failed')))
      .orderBy(...latestFirst),
    db
      .select({ dataset: ingestRuns.dataset, status: ingestRuns.status, runs: sql<number>`count(*)`.mapWith(Number) })
      .from(ingestRuns)
      .where(inWindow)
      .groupBy(ingestRuns.dataset, ingestRuns.status),
  ])
  const entry = (dataset: string) => {
    let e = out.get(dataset)
    if (!e) out.set(dataset, (e = emptyActivity()))
    return e
  }
  for (const run of lastRuns) entry(run.dataset).lastRun = runSummary(run)
  for (const run of lastFailures) entry(run.dataset).lastFailure = runSummary(run)
  for (const row of counts) {
    const runs = entry(row.dataset).runs
    if (row.status in runs) runs[row.status as keyof typeof runs] += row.runs
  }
  return out
}

const NO_DEAD_LETTERS = (): SeriesDeadLetters => ({ pending: 0, replayed: 0, latestReason: null, latestAt: null })

/**
 * Per dataset: the dead letters of series.dlq whose bus key (`<data key>:<file>`) is of the scope,
 * pending (not replayed) and replayed, with the latest pending reason.
 */
async function loadDeadLetters(db: Database, scope: Scope): Promise<Map<string, SeriesDeadLetters>> {
  const out = new Map<string, SeriesDeadLetters>()
  if (scope.keys.length === 0) return out
  const keyOf = sql`split_part(${deadLetters.messageKey}, ':', 1)`
  const inScope = and(eq(deadLetters.topic, TOPICS.seriesDlq), inArray(keyOf, scope.keys))
  const [groups, latest] = await Promise.all([
    db
      .select({
        dataset: deadLetters.dataset,
        pending: sql<number>`count(*) filter (where ${deadLetters.replayResult} is distinct from 'replayed')`.mapWith(Number),
        replayed: sql<number>`count(*) filter (where ${deadLetters.replayResult} = 'replayed')`.mapWith(Number),
      })
      .from(deadLetters)
      .where(inScope)
      .groupBy(deadLetters.dataset),
    db
      .selectDistinctOn([deadLetters.dataset], { dataset: deadLetters.dataset, reason: deadLetters.reason, lastSeenAt: deadLetters.lastSeenAt })
      .from(deadLetters)
      .where(and(inScope, sql`${deadLetters.replayResult} is distinct from 'replayed'`))
      .orderBy(deadLetters.dataset, desc(deadLetters.lastSeenAt), desc(deadLetters.id)),
  ])
  for (const g of groups) out.set(g.dataset ?? '', { ...NO_DEAD_LETTERS(), pending: g.pending, replayed: g.replayed })
  for (const l of latest) {
    const e = out.get(l.dataset ?? '')
    if (e) Object.assign(e, { latestReason: l.reason, latestAt: l.lastSeenAt.toISOString() })
  }
  return out
}

// ---------------------------------------------------------------- schedule and status

/** The publication schedule a dataset follows: its own, or the publisher dataset's it copies; none for uploads. */
export function scheduleFor(dataset: string): { id: string; definition: SeriesDatasetDefinition } | null {
  const id = isSeriesDatasetId(dataset) ? dataset : SCHEDULE_OF[dataset]
  if (!id || !isSeriesDatasetId(id)) return null
  return { id, definition: SERIES_DATASETS[id] }
}

/** Exclusive bound on the period starts the publisher had out `margin + cadence` before `now`. */
export function expectedThrough(definition: SeriesDatasetDefinition, now: number): number {
  return definition.publishedUntil(now - SERIES_LATE_MARGIN_MS - definition.cadenceMs)
}

/** Late: the series' newest period ends before the expected bound (beyond the frequency's tolerance). */
export function isLate(frequency: SeriesFrequency, lastPeriodEnd: number, through: number): boolean {
  return lastPeriodEnd + SERIES_END_TOLERANCE_MS[frequency] < through
}

function statusOf(d: Pick<SeriesDatasetHealth, 'schedule' | 'ingest' | 'series' | 'deadLetters'>): SeriesDatasetStatus {
  if (d.schedule?.late) return 'late'
  if (d.ingest.lastRun?.status === 'failed') return 'failing'
  if (d.series.some((s) => s.missingPeriods > 0) || d.deadLetters.pending > 0) return 'gaps'
  return d.schedule ? 'ok' : 'unscheduled'
}

function productOf(dataset: string, series: readonly SeriesHealthRow[]): ProductId {
  if (isSeriesSourceId(dataset)) return SERIES_SOURCES[dataset].product
  return series[0]?.product ?? 'GAS'
}

/**
 * Each series' row with its lateness. A source whose every file is the whole inventory as of its
 * period (`inventory`: EIA-860M) drops a series when nothing of it is left (every generator of a
 * technology retired): such a series, older than the dataset's newest period, has ended; it is
 * neither late nor a reason for the dataset to be.
 */
function seriesRows(dataset: string, stored: readonly StoredSeries[], newest: number | null, through: number | null): SeriesHealthRow[] {
  const inventory = isSeriesSourceId(dataset) && (SERIES_SOURCES[dataset] as SeriesSourceDefinition).inventory === true
  return stored.map((s) => {
    const ended = inventory && newest !== null && s.lastEnd < newest
    return { ...s.row, ended, late: through === null ? null : !ended && isLate(s.row.frequency, s.lastEnd, through) }
  })
}

function datasetHealth(
  dataset: string,
  stored: readonly StoredSeries[],
  ingest: SeriesIngestActivity,
  dead: SeriesDeadLetters,
  now: number,
): SeriesDatasetHealth {
  const schedule = scheduleFor(dataset)
  const through = schedule ? expectedThrough(schedule.definition, now) : null
  const lastEnd = stored.length > 0 ? Math.max(...stored.map((s) => s.lastEnd)) : null
  const series = seriesRows(dataset, stored, lastEnd, through)
  const lateSeries = series.filter((s) => s.late).length
  const expected = series.reduce((n, s) => n + s.expectedPeriods, 0)
  const received = series.reduce((n, s) => n + s.receivedPeriods, 0)
  const ingested = stored.length > 0 ? Math.max(...stored.map((s) => s.ingested)) : null
  const health: Omit<SeriesDatasetHealth, 'status'> = {
    dataset,
    product: productOf(dataset, series),
    description: isSeriesSourceId(dataset) ? SERIES_SOURCES[dataset].description : null,
    schedule:
      schedule && through !== null
        ? {
            scheduleOf: schedule.id,
            cadenceHours: schedule.definition.cadenceMs / 3_600_000,
            expectedThrough: msToIso(through),
            // Nothing stored at all while the publisher has released: late too.
            late: lateSeries > 0 || series.length === 0,
            lateSeries,
          }
        : null,
    lastPeriodEnd: lastEnd === null ? null : msToIso(lastEnd),
    lastIngestedAt: ingested === null ? null : msToIso(ingested),
    expectedPeriods: expected,
    receivedPeriods: received,
    ratio: expected > 0 ? received / expected : null,
    series,
    ingest,
    deadLetters: dead,
  }
  return { ...health, status: statusOf(health) }
}

/**
 * The series beside power of the given products and markets (GRID), one entry per dataset that
 * stored a series of them or ran or dead-lettered under their keys in the last 7 days, by product
 * then dataset id.
 */
export async function seriesHealth(ch: ClickHouseHandle, db: Database, input: SeriesHealthInput): Promise<SeriesHealth> {
  const scope = resolve(input)
  const [stored, runs, dead] = await Promise.all([loadSeries(ch, scope), loadRuns(db, scope), loadDeadLetters(db, scope)])
  const bySource = new Map<string, StoredSeries[]>()
  for (const s of stored) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s])
  const datasets = new Set([...bySource.keys(), ...runs.keys(), ...[...dead.keys()].filter((d) => d !== '')])
  const out = [...datasets].map((dataset) =>
    datasetHealth(dataset, bySource.get(dataset) ?? [], runs.get(dataset) ?? emptyActivity(), dead.get(dataset) ?? NO_DEAD_LETTERS(), scope.now),
  )
  const order = ProductId.options
  out.sort((a, b) => order.indexOf(a.product) - order.indexOf(b.product) || a.dataset.localeCompare(b.dataset))
  return { generatedAt: msToIso(scope.now), lateMarginHours: SERIES_LATE_MARGIN_MS / 3_600_000, datasets: out }
}
