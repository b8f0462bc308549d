import {
  baseDataVersionOf,
  bundledFuelHistory,
  checkFuelHistory,
  checkMeasuredLoad,
  fuelHistoryId,
  loadShapesId,
  measuredLoad,
  SCENARIO_MARKETS,
  type FuelHistory,
  type MeasuredLoad,
  type ScenarioMarket,
} from '@carbon/scenario'
import { and, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { scenarioRuns, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { listSeries } from '../series/index.ts'
import { seriesRecords } from '../series/store.ts'
import { FuelSnapshot, LoadShapesSnapshot, type FuelHistorySummary, type LoadShapesSummary } from './schemas.ts'

/**
 * The scenario engine's inputs from the stored datasets, each kept as a content-addressed snapshot
 * with the run: the Henry Hub monthly history a run prices gas with, and the hourly load shapes
 * measured from EIA-930 demand.
 *
 * Henry Hub:
 *
 * - Where it comes from: the stored dataset (ClickHouse `series_values`: GAS HENRY_HUB price,
 *   monthly, written by the series ingest from EIA's RNGWHHDm.xls) when it holds any month; months
 *   before its first month (an ingest that began after 1997 keeps only its window) are taken from
 *   the workbook bundled in packages/scenario. With no stored month (the embedded first start
 *   before the demo's series are stored, a store with none) the bundled workbook alone.
 * - Its id: packages/scenario `fuelHistoryId`, sha256 prefix of (release, months, prices). It
 *   enters the run identity through the base-data version (`baseDataVersionOf(id)`), so a new
 *   or revised month is a new run id, and the run's lineage names it (`fuelHistoryId`, with a
 *   summary under `lineage.fuelHistory`).
 *
 * Load shapes (EIA-930): for each market the model runs, the demand series of its own balancing
 * authority (MISO.DEMAND, CISO.DEMAND: product GRID, docs/decisions/023), the 36 whole calendar
 * months before the month of its latest value (so the shapes, and the run ids, change when a
 * month is complete, not with every hour that arrives), made into each calendar month's peak-day
 * and off-peak-day hourly shape by packages/scenario `measuredLoad`; a month without enough
 * complete days of both classes, and a market without the series, keep the built-in shapes. Their
 * id (`loadShapesId`) enters the base-data version beside the history's.
 *
 * Where the snapshots are kept: in the run's own row, `scenario_runs.lineage.fuelSnapshot` and
 * `lineage.loadShapesSnapshot` (PostgreSQL jsonb), written with the run in one insert. Every path
 * that requests or executes a run holds the PostgreSQL handle, the snapshots are small (about 360
 * months, ~10 KB of JSON; 2 x 24 values per market and month, ~25 KB), and a run's row alone is
 * then enough to compute it again with exactly those inputs, whatever the series store holds
 * since. `readFuelSnapshot` finds a history by id.
 */

/** A run's inputs from the stored datasets, and the base-data version runs on them are identified by. */
export type RunInputs = { fuel: FuelSnapshot; shapes: LoadShapesSnapshot | null; baseDataVersion: string }

/** The stored series the history is read from. */
export const HENRY_HUB_MONTHLY = { product: 'GAS', series: 'HENRY_HUB', measure: 'price', frequency: 'month' } as const

/** The EIA-930 demand series each market's shapes are measured from: its own balancing authority's. */
export const DEMAND_SERIES: Readonly<Record<ScenarioMarket, string>> = { MISO: 'MISO.DEMAND', CAISO: 'CISO.DEMAND' }

/** Whole calendar months of hourly demand the shapes are measured over. */
export const SHAPE_MONTHS = 36

/** Period starts read: every month EIA publishes (from 1997) up to far beyond any run. */
const READ_FROM = '1990-01-01T00:00:00.000Z'
const READ_TO = '2100-01-01T00:00:00.000Z'
/** More months than READ_FROM..READ_TO holds, and more hours than SHAPE_MONTHS months: reads are never cut short. */
const MAX_MONTHS = 12 * 111
const MAX_SHAPE_HOURS = 745 * SHAPE_MONTHS

function historyOf(snapshot: FuelSnapshot): FuelHistory {
  return { release: snapshot.release, months: snapshot.months }
}

function inputsOf(fuel: FuelSnapshot, shapes: LoadShapesSnapshot | null): RunInputs {
  return { fuel, shapes, baseDataVersion: baseDataVersionOf(fuel.id, shapes?.id ?? null) }
}

/** A snapshot of a history: checked (the month or price at fault named) and given its content id. */
export function snapshotOf(history: FuelHistory, source: FuelSnapshot['source'], workbookMonths = 0): FuelSnapshot {
  checkFuelHistory(history, source === 'series' ? `the stored ${HENRY_HUB_MONTHLY.product} ${HENRY_HUB_MONTHLY.series} monthly series` : 'the bundled Henry Hub workbook')
  const months = history.months.map(({ month, price }) => ({ month, price }))
  return { id: fuelHistoryId(history), source, release: history.release, workbookMonths, months }
}

/** The engine's own inputs: the bundled workbook's history (its id is FUEL_HISTORY_ID) and the built-in load shapes. */
export function workbookRunInputs(): RunInputs {
  return inputsOf(snapshotOf(bundledFuelHistory().history, 'workbook'), null)
}

/**
 * The stored Henry Hub monthly prices, oldest first, and their release: the date of the latest
 * publication among them (null when none carries one, e.g. the demo's rows).
 */
export async function storedHenryHubHistory(ch: ClickHouseHandle): Promise<FuelHistory> {
  const values = await seriesRecords(ch, { ...HENRY_HUB_MONTHLY, market: null, from: READ_FROM, to: READ_TO, limit: MAX_MONTHS })
  let latest: string | null = null
  for (const v of values) if (v.publishedAt !== null && (latest === null || v.publishedAt > latest)) latest = v.publishedAt
  return { release: latest === null ? null : latest.slice(0, 10), months: values.map((v) => ({ month: v.periodStart.slice(0, 7), price: v.value })) }
}

/** The stored months, preceded by the bundled workbook's months before the first stored one. */
function withEarlierWorkbookMonths(stored: FuelHistory): { history: FuelHistory; workbookMonths: number } {
  const first = stored.months[0]!.month
  const earlier = bundledFuelHistory().history.months.filter((m) => m.month < first)
  return { history: { release: stored.release, months: [...earlier, ...stored.months] }, workbookMonths: earlier.length }
}

/** The fuel history from the stored series (completed before its first month by the workbook), else the workbook's. */
async function currentFuel(ch: ClickHouseHandle): Promise<FuelSnapshot> {
  const stored = await storedHenryHubHistory(ch)
  if (stored.months.length === 0) return workbookRunInputs().fuel
  const { history, workbookMonths } = withEarlierWorkbookMonths(stored)
  return snapshotOf(history, 'series', workbookMonths)
}

/** UTC midnight of the first day of the month `months` after the month of `iso`. */
function monthStart(iso: string, months: number): string {
  const d = new Date(iso)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)).toISOString()
}

/**
 * A market's measured load from its stored demand series: the SHAPE_MONTHS whole months before the
 * month of its latest value; null without the series or without a month of enough complete days.
 */
export async function storedMeasuredLoad(ch: ClickHouseHandle, market: ScenarioMarket): Promise<MeasuredLoad | null> {
  const series = DEMAND_SERIES[market]
  const catalogue = await listSeries(ch, { product: 'GRID', market })
  const summary = catalogue.series.find((s) => s.series === series && s.measure === 'demand' && s.frequency === 'hour')
  if (!summary) return null
  const to = monthStart(summary.last, 0)
  const from = monthStart(summary.last, -SHAPE_MONTHS)
  const values = await seriesRecords(ch, { product: 'GRID', market, series, measure: 'demand', frequency: 'hour', from, to, limit: MAX_SHAPE_HOURS })
  return measuredLoad(market, series, values.map((v) => ({ periodEnd: v.periodEnd, value: v.value })))
}

/** The measured load shapes of every market that has them (in SCENARIO_MARKETS order), as a snapshot; null for none. */
async function currentShapes(ch: ClickHouseHandle): Promise<LoadShapesSnapshot | null> {
  const loads: MeasuredLoad[] = []
  for (const market of SCENARIO_MARKETS) {
    const load = await storedMeasuredLoad(ch, market)
    if (load) loads.push(load)
  }
  checkMeasuredLoad(loads)
  const id = loadShapesId(loads)
  return id === null ? null : LoadShapesSnapshot.parse({ id, loads })
}

/**
 * The inputs a run requested now is computed from: with `ch`, the stored Henry Hub history and the
 * load shapes measured from the stored EIA-930 demand (each where the store has them), else the
 * engine's own (bundled workbook, built-in shapes). A stored value the model cannot take (a
 * negative price, a month twice) is an INTERNAL error naming it: a run is never computed from
 * silently repaired inputs.
 */
export async function currentRunInputs(ch: ClickHouseHandle | undefined): Promise<RunInputs> {
  if (!ch) return workbookRunInputs()
  try {
    const [fuel, shapes] = [await currentFuel(ch), await currentShapes(ch)]
    return inputsOf(fuel, shapes)
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    throw new AppError('INTERNAL', `the stored series cannot be scenario inputs: ${error.message}`, {
      userMessage: 'A stored series (Henry Hub or EIA-930 demand) cannot be used for a scenario run; an operator has to correct it.',
      cause: error,
    })
  }
}

/** What a run records about its inputs in its lineage: ids and summaries, and the snapshots themselves. */
export type InputsLineage = {
  fuelHistoryId: string
  fuelHistory: FuelHistorySummary
  loadShapes: LoadShapesSummary | null
  fuelSnapshot: FuelSnapshot
  loadShapesSnapshot?: LoadShapesSnapshot
}

export function inputsLineage(inputs: RunInputs): InputsLineage {
  const { fuel, shapes } = inputs
  return {
    fuelHistoryId: fuel.id,
    fuelHistory: summarizeFuel(fuel),
    loadShapes: shapes ? summarizeShapes(shapes) : null,
    fuelSnapshot: fuel,
    ...(shapes ? { loadShapesSnapshot: shapes } : {}),
  }
}

export function summarizeFuel(snapshot: FuelSnapshot): FuelHistorySummary {
  return {
    source: snapshot.source,
    release: snapshot.release,
    first: snapshot.months[0]?.month ?? null,
    last: snapshot.months.at(-1)?.month ?? null,
    months: snapshot.months.length,
    workbookMonths: snapshot.workbookMonths,
  }
}

export function summarizeShapes(snapshot: LoadShapesSnapshot): LoadShapesSummary {
  return {
    id: snapshot.id,
    markets: snapshot.loads.map((l) => ({ market: l.market, series: l.series, first: l.first, last: l.last, months: l.months.map((m) => m.month) })),
  }
}

/** Why a stored run cannot be computed with the inputs it names. */
export class RunInputError extends Error {
  override name = 'RunInputError'
}

/** The inputs the model takes for a stored run. */
export type ModelInputs = { fuel: FuelHistory; shapes: MeasuredLoad[] }

/**
 * The inputs a stored run is computed with: the snapshots in its lineage (their content checked
 * against the ids and base-data version the run recorded), else, for a run recorded before
 * snapshots, the bundled workbook when the run names it (by content id, or by the file's id runs
 * recorded then) and the built-in shapes. Throws a RunInputError naming the run and ids
 * otherwise: other inputs would give the run id other numbers.
 */
export function inputsOfRun(run: { runId: string; fuelHistoryId: string; baseDataVersion: string; lineage: unknown }): ModelInputs {
  const lineage = (run.lineage ?? {}) as { fuelSnapshot?: unknown; loadShapesSnapshot?: unknown }
  if (lineage.fuelSnapshot === undefined) {
    const bundled = bundledFuelHistory()
    if (run.fuelHistoryId !== bundled.id && run.fuelHistoryId !== bundled.fileId) {
      throw new RunInputError(`run ${run.runId} names fuel history ${run.fuelHistoryId}, which its lineage does not hold and the bundled workbook (${bundled.id}) is not`)
    }
    return { fuel: bundled.history, shapes: [] }
  }
  const fuel = FuelSnapshot.safeParse(lineage.fuelSnapshot)
  if (!fuel.success) throw new RunInputError(`run ${run.runId}: lineage.fuelSnapshot is not a fuel snapshot: ${z.prettifyError(fuel.error)}`)
  const shapes = lineage.loadShapesSnapshot === undefined ? null : LoadShapesSnapshot.safeParse(lineage.loadShapesSnapshot)
  if (shapes && !shapes.success) throw new RunInputError(`run ${run.runId}: lineage.loadShapesSnapshot is not a load shapes snapshot: ${z.prettifyError(shapes.error)}`)
  const history = historyOf(fuel.data)
  const loads = shapes?.data.loads ?? []
  const id = fuelHistoryId(history)
  const shapesId = loadShapesId(loads)
  const version = baseDataVersionOf(id, shapesId)
  if (id !== run.fuelHistoryId || version !== run.baseDataVersion) {
    throw new RunInputError(
      `run ${run.runId}: its snapshots are fuel history ${id} and load shapes ${shapesId ?? 'none'} (base data ${version}), but the run names fuel history ${run.fuelHistoryId} and base data ${run.baseDataVersion}`,
    )
  }
  return { fuel: history, shapes: loads }
}

/**
 * A fuel snapshot by id: from the lineage of a run that recorded it, or the bundled workbook's; null
 * when no run holds it.
 */
export async function readFuelSnapshot(db: Database, id: string): Promise<FuelSnapshot | null> {
  const [row] = await db
    .select({ snapshot: sql<unknown>`${scenarioRuns.lineage} -> 'fuelSnapshot'` })
    .from(scenarioRuns)
    .where(and(eq(scenarioRuns.fuelHistoryId, id), sql`${scenarioRuns.lineage} -> 'fuelSnapshot' is not null`))
    .limit(1)
  if (row) return FuelSnapshot.parse(row.snapshot)
  const workbook = workbookRunInputs().fuel
  return workbook.id === id ? workbook : null
}

/** A load shapes snapshot by id, from the lineage of a run that recorded it; null when no run holds it. */
export async function readLoadShapesSnapshot(db: Database, id: string): Promise<LoadShapesSnapshot | null> {
  const [row] = await db
    .select({ snapshot: sql<unknown>`${scenarioRuns.lineage} -> 'loadShapesSnapshot'` })
    .from(scenarioRuns)
    .where(sql`${scenarioRuns.lineage} -> 'loadShapesSnapshot' ->> 'id' = ${id}`)
    .limit(1)
  return row ? LoadShapesSnapshot.parse(row.snapshot) : null
}
