import { SERIES_DATASETS, SERIES_SOURCES, isSeriesDatasetId, isSeriesSourceId, type SeriesDatasetDefinition } from '@carbon/connectors'
import { MarketId, ProductId, SeriesFrequency, type DataKey } from '@carbon/schemas'
import { and, desc, eq, gte, inArray, lte, sql } from 'drizzle-orm'
import { z } from 'zod'
import { TOPICS } from '../../adapters/bus/index.ts'
import { queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { deadLetters, ingestRuns, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { msToIso } from '../prices/helpers.ts'
import { SERIES_END_TOLERANCE_MS, SERIES_WINDOW_SPAN_MS, expectedPeriods, gapRuns, presenceOf } from './series-periods.ts'
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
 *   (daily ones with their dates). A series belongs to the dataset that wrote its newest period
 *   (series_values keeps one row per period, the latest ingested, whatever its source).
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

const SERIES_SQL = `
SELECT product, market, series, measure, frequency,
  any(unit) AS unit,
  argMax(source, start_ms) AS source,
  any(series_first_ms) AS first_ms,
  max(start_ms) AS last_ms,
  max(end_ms) AS last_end_ms,
  any(series_ingested_ms) AS ingested_ms,
  groupArray(start_ms) AS starts
FROM (
  SELECT product, market, series, measure, frequency, unit, source,
    toUnixTimestamp64Milli(period_start) AS start_ms,
    toUnixTimestamp64Milli(period_end) AS end_ms,
    max(start_ms) OVER w AS series_last_ms,
    min(start_ms) OVER w AS series_first_ms,
    max(toUnixTimestamp64Milli(ingested_at)) OVER w AS series_ingested_ms
  FROM series_values FINAL
  WHERE (product IN {products:Array(String)} AND market = '') OR (product = 'GRID' AND market IN {markets:Array(String)})
  WINDOW w AS (PARTITION BY product, market, series, measure, frequency)
)
WHERE start_ms >= series_last_ms - multiIf(frequency = 'hour', {hourSpan:Int64}, frequency = 'day', {daySpan:Int64}, frequency = 'week', {weekSpan:Int64}, {monthSpan:Int64})
GROUP BY product, market, series, measure, frequency
ORDER BY product, market, series, measure, indexOf(['hour', 'day', 'week', 'month'], frequency)`

type Num = number | string
type SeriesRow = {
  product: string
  market: string
  series: string
  measure: string
  frequency: string
  unit: string
  source: string
  first_ms: Num
  last_ms: Num
  last_end_ms: Num
  ingested_ms: Num
  starts: Num[]
}

type StoredSeries = { source: string; row: Omit<SeriesHealthRow, 'late'>; lastEnd: number; ingested: number }

async function loadSeries(ch: ClickHouseHandle, scope: Scope): Promise<StoredSeries[]> {
  if (scope.keys.length === 0) return []
  const rows = await queryRows<SeriesRow>(ch, 'quality.series', SERIES_SQL, {
    products: scope.products,
    markets: scope.markets,
    hourSpan: SERIES_WINDOW_SPAN_MS.hour,
    daySpan: SERIES_WINDOW_SPAN_MS.day,
    weekSpan: SERIES_WINDOW_SPAN_MS.week,
    monthSpan: SERIES_WINDOW_SPAN_MS.month,
  })
  const out: StoredSeries[] = []
  for (const r of rows) {
    const product = ProductId.safeParse(r.product)
    const frequency = SeriesFrequency.safeParse(r.frequency)
    if (!product.success || !frequency.success) continue
    out.push(storedSeries(r, product.data, frequency.data))
  }
  return out
}

function storedSeries(r: SeriesRow, product: ProductId, frequency: SeriesFrequency): StoredSeries {
  const first = Number(r.first_ms)
  const last = Number(r.last_ms)
  const present = new Set(r.starts.map(Number))
  const expected = expectedPeriods(frequency, first, last)
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

function datasetHealth(
  dataset: string,
  stored: readonly StoredSeries[],
  ingest: SeriesIngestActivity,
  dead: SeriesDeadLetters,
  now: number,
): SeriesDatasetHealth {
  const schedule = scheduleFor(dataset)
  const through = schedule ? expectedThrough(schedule.definition, now) : null
  const series = stored.map((s) => ({ ...s.row, late: through === null ? null : isLate(s.row.frequency, s.lastEnd, through) }))
  const lateSeries = series.filter((s) => s.late).length
  const expected = series.reduce((n, s) => n + s.expectedPeriods, 0)
  const received = series.reduce((n, s) => n + s.receivedPeriods, 0)
  const lastEnd = stored.length > 0 ? Math.max(...stored.map((s) => s.lastEnd)) : null
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
