import type { FuelCurveMonth } from '@carbon/curves'
import {
  baseDataVersionOf,
  bundledFuelHistory,
  checkForwardGas,
  checkFuelHistory,
  checkMeasuredLoad,
  forwardGasId,
  fuelHistoryId,
  loadShapesId,
  measuredLoad,
  MODEL_LAST_MONTH,
  SCENARIO_MARKETS,
  usesForwardGas,
  type ForwardGasCurve,
  type FuelHistory,
  type MeasuredLoad,
  type ScenarioMarket,
} from '@carbon/scenario'
import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import { z } from 'zod'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { curveBuilds, scenarioRuns, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { fuelCurveDefinition, fuelCurveId } from '../curves/fuel-catalog.ts'
import { readFuelCurvePoints } from '../curves/fuel-points.ts'
import { listSeries } from '../series/index.ts'
import { seriesRecords } from '../series/store.ts'
import { checkText } from './engine.ts'
import { FuelSnapshot, GasForwardSnapshot, LoadShapesSnapshot, type FuelHistorySummary, type GasForwardSummary, type LoadShapesSummary } from './schemas.ts'

/**
 * The scenario engine's inputs from the stored datasets, each kept as a content-addressed snapshot
 * with the run: the Henry Hub monthly history a run prices gas with, the hourly load shapes
 * measured from EIA-930 demand, and the Henry Hub forward curve a scenario's
 * `set fuel.gas = forward` prices gas with.
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
 * Henry Hub forward (issue 18: forward gas curves feed the scenario engine's fuel inputs): a
 * scenario opts in explicitly, `set fuel.gas = forward [from YYYY-MM]` (packages/scenario
 * forward-gas.ts), and only a run whose resolved assumptions say so reads it (`RunNeeds`, from the
 * version's canonical form: `runNeedsOf`). It is the latest house build of the GAS HENRY_HUB fuel
 * curve that is done (newest as-of date, then highest version; an organization's private builds
 * are not the house's inputs), its months after the history's last month through
 * MODEL_LAST_MONTH, read from ClickHouse `fuel_curve_points`. Its content id (`forwardGasId`)
 * enters the base-data version beside the others only in such a run; every other run (the house
 * base run among them: the base scenario sets a price) has exactly the id and lineage it had
 * before curves, whatever curves are built. A run that needs it while the house has no build (or
 * only one without a month after the history) is refused at request time (BAD_REQUEST: build one
 * on /gas/curves/HENRY_HUB or set fuel.gas to a price), never computed on a made-up gas price.
 *
 * Where the snapshots are kept: in the run's own row, `scenario_runs.lineage.fuelSnapshot`,
 * `lineage.loadShapesSnapshot` and `lineage.gasForwardSnapshot` (PostgreSQL jsonb), written with
 * the run in one insert. Every path that requests or executes a run holds the PostgreSQL handle,
 * the snapshots are small (about 360 months, ~10 KB of JSON; 2 x 24 values per market and month,
 * ~25 KB; at most about 300 forward months, ~10 KB), and a run's row alone is then enough to
 * compute it again with exactly those inputs, whatever the series and curve stores hold since.
 * `readFuelSnapshot` finds a history by id.
 */

/** A run's inputs from the stored datasets, and the base-data version runs on them are identified by. */
export type RunInputs = { fuel: FuelSnapshot; shapes: LoadShapesSnapshot | null; forward: GasForwardSnapshot | null; baseDataVersion: string }

/** What a run's scenario asks of the stores beyond the history and shapes every run has: the Henry Hub forward curve, when it sets `fuel.gas = forward`. */
export type RunNeeds = { gasForward: boolean }

/**
 * The needs of a run of a stored canonical scenario (it resolves alone, engine.ts checkText). A
 * canonical form that does not parse (only a bug stores one) needs nothing here: the run is
 * recorded on the usual inputs and the model fails it with the parser's reason, as before.
 */
export function runNeedsOf(canonical: string): RunNeeds {
  const { assumptions } = checkText(canonical, () => undefined, { file: 'canonical' })
  return { gasForward: assumptions !== null && usesForwardGas(assumptions) }
}

/** The stored series the history is read from. */
export const HENRY_HUB_MONTHLY = { product: 'GAS', series: 'HENRY_HUB', measure: 'price', frequency: 'month' } as const

/** The EIA-930 demand series each market's shapes are measured from: its own balancing authority's. */
export const DEMAND_SERIES: Readonly<Record<ScenarioMarket, string>> = { MISO: 'MISO.DEMAND', CAISO: 'CISO.DEMAND' }

/** Whole calendar months of hourly demand the shapes are measured over. */
export const SHAPE_MONTHS = 36

/** The fuel curve whose house build prices gas after the history. */
export const HENRY_HUB_FORWARD = { product: 'GAS', curve: 'HENRY_HUB' } as const

/** Period starts read: every month EIA publishes (from 1997) up to far beyond any run. */
const READ_FROM = '1990-01-01T00:00:00.000Z'
const READ_TO = '2100-01-01T00:00:00.000Z'
/** More months than READ_FROM..READ_TO holds, and more hours than SHAPE_MONTHS months: reads are never cut short. */
const MAX_MONTHS = 12 * 111
const MAX_SHAPE_HOURS = 745 * SHAPE_MONTHS

function historyOf(snapshot: FuelSnapshot): FuelHistory {
  return { release: snapshot.release, months: snapshot.months }
}

function forwardOf(snapshot: GasForwardSnapshot): ForwardGasCurve {
  return { curve: snapshot.curveId, asOf: snapshot.asOf, months: snapshot.months }
}

function inputsOf(fuel: FuelSnapshot, shapes: LoadShapesSnapshot | null, forward: GasForwardSnapshot | null = null): RunInputs {
  return { fuel, shapes, forward, baseDataVersion: baseDataVersionOf(fuel.id, shapes?.id ?? null, forward?.id ?? null) }
}

/** A snapshot of a history: checked (the month or price at fault named) and given its content id. */
export function snapshotOf(history: FuelHistory, source: FuelSnapshot['source'], workbookMonths = 0): FuelSnapshot {
  checkFuelHistory(history, source === 'series' ? `the stored ${HENRY_HUB_MONTHLY.product} ${HENRY_HUB_MONTHLY.series} monthly series` : 'the bundled Henry Hub workbook')
  const months = history.months.map(({ month, price }) => ({ month, price }))
  return { id: fuelHistoryId(history), source, release: history.release, workbookMonths, months }
}

/** The engine's own inputs: the bundled workbook's history (its id is FUEL_HISTORY_ID) and the built-in load shapes. */
export function workbookRunInputs(): RunInputs {
  return inputsOf(snapshotOf(bundledFuelHistory().history, 'workbook'), null, null)
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

/** A fuel build the forward is read from: which curve, build and version, as of when. */
export type ForwardBuild = { curveId: string; buildId: string; version: number; asOf: string }

/**
 * The latest house build of the Henry Hub curve that is done: the newest as-of date, of it the
 * highest version; null when the house has built none.
 */
export async function latestHouseForwardBuild(db: Database): Promise<ForwardBuild | null> {
  const curveId = fuelCurveId(HENRY_HUB_FORWARD.product, HENRY_HUB_FORWARD.curve)
  const [row] = await db
    .select({ buildId: curveBuilds.id, version: curveBuilds.version, asOf: curveBuilds.asOf })
    .from(curveBuilds)
    .where(and(eq(curveBuilds.curveId, curveId), isNull(curveBuilds.organizationId), eq(curveBuilds.status, 'done')))
    .orderBy(desc(curveBuilds.asOf), desc(curveBuilds.version))
    .limit(1)
  return row ? { curveId, ...row } : null
}

/**
 * A forward snapshot of a build's points: its months after `historyLast` (the history prices
 * those before) through MODEL_LAST_MONTH, checked (RangeError naming the build and month) and
 * given its content id; null when no month is left.
 */
export function forwardSnapshotOf(build: ForwardBuild, points: readonly Pick<FuelCurveMonth, 'month' | 'price'>[], historyLast: string | null): GasForwardSnapshot | null {
  const months = points.filter((p) => (historyLast === null || p.month > historyLast) && p.month <= MODEL_LAST_MONTH).map(({ month, price }) => ({ month, price }))
  if (months.length === 0) return null
  const curve: ForwardGasCurve = { curve: build.curveId, asOf: build.asOf, months }
  checkForwardGas(curve, `the ${build.curveId} curve's build ${build.buildId} (version ${build.version} as of ${build.asOf})`)
  return { id: forwardGasId(curve), curveId: build.curveId, buildId: build.buildId, version: build.version, asOf: build.asOf, months }
}

/** What to do instead of `forward`, in every refusal of a run that needs the curve. */
const FORWARD_REMEDY = `build one on /gas/curves/${HENRY_HUB_FORWARD.curve} or set fuel.gas to a price`

/** The refusal of a run that sets `fuel.gas = forward` while it cannot have the curve; `why` says what is missing. */
export function forwardRefused(why: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('BAD_REQUEST', `the scenario sets fuel.gas = forward, but ${why}; ${FORWARD_REMEDY}`, {
    userMessage: `This scenario sets fuel.gas = forward, but ${why}: ${FORWARD_REMEDY}.`,
    details: { curveId: fuelCurveId(HENRY_HUB_FORWARD.product, HENRY_HUB_FORWARD.curve), ...details },
  })
}

/** The refusal when the house has no Henry Hub build (or the run is requested without the stores). */
export function noHouseForward(): AppError {
  return forwardRefused('no house Henry Hub forward curve is built')
}

/**
 * The Henry Hub forward after `historyLast` from the latest house build (its points in ClickHouse
 * `fuel_curve_points`), for a run that sets `fuel.gas = forward`. Without a house build, or with
 * one that has no month after the history, a BAD_REQUEST AppError naming it and the remedy. A
 * done build without stored points is a RangeError naming it: the store lost what the build wrote.
 */
export async function storedGasForward(ch: ClickHouseHandle, db: Database, historyLast: string | null): Promise<GasForwardSnapshot> {
  const build = await latestHouseForwardBuild(db)
  if (!build) throw noHouseForward()
  const points = (await readFuelCurvePoints(ch, build.curveId, [build.buildId])).get(build.buildId) ?? []
  if (points.length === 0) throw new RangeError(`the ${build.curveId} curve's build ${build.buildId} (version ${build.version} as of ${build.asOf}) is done but fuel_curve_points holds none of its months`)
  const snapshot = forwardSnapshotOf(build, points, historyLast)
  if (!snapshot) {
    throw forwardRefused(
      `the house Henry Hub forward curve (build ${build.buildId}, version ${build.version} as of ${build.asOf}) has no month after the Henry Hub history's last month ${historyLast}`,
      { buildId: build.buildId, asOf: build.asOf, historyLast },
    )
  }
  return snapshot
}

/**
 * The inputs a run requested now is computed from: with `ch`, the stored Henry Hub history and the
 * load shapes measured from the stored EIA-930 demand (each where the store has them), and, when
 * `needs.gasForward` (the scenario sets `fuel.gas = forward`), the Henry Hub forward curve of the
 * latest house build (from `db`; refused without one: storedGasForward); else the engine's own
 * (bundled workbook, built-in shapes). A run that does not need the curve never reads it. A stored
 * value the model cannot take (a negative price, a month twice) is an INTERNAL error naming it: a
 * run is never computed from silently repaired inputs.
 */
export async function currentRunInputs(ch: ClickHouseHandle | undefined, db?: Database, needs: RunNeeds = { gasForward: false }): Promise<RunInputs> {
  if (!ch) return fitInputs(workbookRunInputs(), needs)
  try {
    const fuel = await currentFuel(ch)
    const shapes = await currentShapes(ch)
    if (!needs.gasForward) return inputsOf(fuel, shapes, null)
    if (!db) throw noHouseForward()
    return inputsOf(fuel, shapes, await storedGasForward(ch, db, fuel.months.at(-1)?.month ?? null))
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    throw new AppError('INTERNAL', `the stored series or curve cannot be scenario inputs: ${error.message}`, {
      userMessage: 'A stored series (Henry Hub or EIA-930 demand) or the Henry Hub forward curve cannot be used for a scenario run; an operator has to correct it.',
      cause: error,
    })
  }
}

/**
 * The inputs a run of `needs` is identified by: a run that needs the curve and has none is refused
 * (noHouseForward); a run that does not need it is given none even when `inputs` hold one, so its
 * base-data version, run id and lineage are those of a run before curves.
 */
export function fitInputs(inputs: RunInputs, needs: RunNeeds): RunInputs {
  if (needs.gasForward) {
    if (!inputs.forward) throw noHouseForward()
    return inputs
  }
  return inputs.forward ? inputsOf(inputs.fuel, inputs.shapes, null) : inputs
}

/**
 * What a run records about its inputs in its lineage: ids and summaries, and the snapshots
 * themselves. `gasForward` and its snapshot only in a run with the curve: the lineage of every
 * other run is the one runs had before curves.
 */
export type InputsLineage = {
  fuelHistoryId: string
  fuelHistory: FuelHistorySummary
  loadShapes: LoadShapesSummary | null
  gasForward?: GasForwardSummary
  fuelSnapshot: FuelSnapshot
  loadShapesSnapshot?: LoadShapesSnapshot
  gasForwardSnapshot?: GasForwardSnapshot
}

export function inputsLineage(inputs: RunInputs): InputsLineage {
  const { fuel, shapes, forward } = inputs
  return {
    fuelHistoryId: fuel.id,
    fuelHistory: summarizeFuel(fuel),
    loadShapes: shapes ? summarizeShapes(shapes) : null,
    ...(forward ? { gasForward: summarizeForward(forward) } : {}),
    fuelSnapshot: fuel,
    ...(shapes ? { loadShapesSnapshot: shapes } : {}),
    ...(forward ? { gasForwardSnapshot: forward } : {}),
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

/** The curve's catalogue name (`Henry Hub gas`), else its id. */
function forwardCurveName(curveId: string): string {
  const definition = fuelCurveDefinition(HENRY_HUB_FORWARD.product, HENRY_HUB_FORWARD.curve)
  return definition && fuelCurveId(definition.product, definition.curve) === curveId ? definition.name : curveId
}

export function summarizeForward(snapshot: GasForwardSnapshot): GasForwardSummary {
  return {
    id: snapshot.id,
    curveId: snapshot.curveId,
    name: forwardCurveName(snapshot.curveId),
    buildId: snapshot.buildId,
    version: snapshot.version,
    asOf: snapshot.asOf,
    first: snapshot.months[0]!.month,
    last: snapshot.months.at(-1)!.month,
    months: snapshot.months.length,
  }
}

/** Why a stored run cannot be computed with the inputs it names. */
export class RunInputError extends Error {
  override name = 'RunInputError'
}

/** The inputs the model takes for a stored run. */
export type ModelInputs = { fuel: FuelHistory; shapes: MeasuredLoad[]; forward: ForwardGasCurve | null }

/** The forward curve of a run's lineage snapshot (null when it holds none); a RunInputError when it is not one. */
function forwardOfRun(runId: string, stored: unknown): ForwardGasCurve | null {
  if (stored === undefined) return null
  const parsed = GasForwardSnapshot.safeParse(stored)
  if (!parsed.success) throw new RunInputError(`run ${runId}: lineage.gasForwardSnapshot is not a forward gas snapshot: ${z.prettifyError(parsed.error)}`)
  const curve = forwardOf(parsed.data)
  const id = forwardGasId(curve)
  if (id !== parsed.data.id) throw new RunInputError(`run ${runId}: lineage.gasForwardSnapshot says id ${parsed.data.id}, but its months are forward curve ${id}`)
  return curve
}

/**
 * The inputs a stored run is computed with: the snapshots in its lineage (their content checked
 * against the ids and base-data version the run recorded), else, for a run recorded before
 * snapshots, the bundled workbook when the run names it (by content id, or by the file's id runs
 * recorded then), the built-in shapes and no forward curve. Throws a RunInputError naming the run
 * and ids otherwise: other inputs would give the run id other numbers.
 */
export function inputsOfRun(run: { runId: string; fuelHistoryId: string; baseDataVersion: string; lineage: unknown }): ModelInputs {
  const lineage = (run.lineage ?? {}) as { fuelSnapshot?: unknown; loadShapesSnapshot?: unknown; gasForwardSnapshot?: unknown }
  if (lineage.fuelSnapshot === undefined) {
    const bundled = bundledFuelHistory()
    if (run.fuelHistoryId !== bundled.id && run.fuelHistoryId !== bundled.fileId) {
      throw new RunInputError(`run ${run.runId} names fuel history ${run.fuelHistoryId}, which its lineage does not hold and the bundled workbook (${bundled.id}) is not`)
    }
    return { fuel: bundled.history, shapes: [], forward: null }
  }
  const fuel = FuelSnapshot.safeParse(lineage.fuelSnapshot)
  if (!fuel.success) throw new RunInputError(`run ${run.runId}: lineage.fuelSnapshot is not a fuel snapshot: ${z.prettifyError(fuel.error)}`)
  const shapes = lineage.loadShapesSnapshot === undefined ? null : LoadShapesSnapshot.safeParse(lineage.loadShapesSnapshot)
  if (shapes && !shapes.success) throw new RunInputError(`run ${run.runId}: lineage.loadShapesSnapshot is not a load shapes snapshot: ${z.prettifyError(shapes.error)}`)
  const forward = forwardOfRun(run.runId, lineage.gasForwardSnapshot)
  const history = historyOf(fuel.data)
  const loads = shapes?.data.loads ?? []
  const id = fuelHistoryId(history)
  const shapesId = loadShapesId(loads)
  const forwardId = forward ? forwardGasId(forward) : null
  const version = baseDataVersionOf(id, shapesId, forwardId)
  if (id !== run.fuelHistoryId || version !== run.baseDataVersion) {
    throw new RunInputError(
      `run ${run.runId}: its snapshots are fuel history ${id}, load shapes ${shapesId ?? 'none'} and forward gas curve ${forwardId ?? 'none'} (base data ${version}), but the run names fuel history ${run.fuelHistoryId} and base data ${run.baseDataVersion}`,
    )
  }
  return { fuel: history, shapes: loads, forward }
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

/** A forward gas snapshot by id, from the lineage of a run that recorded it; null when no run holds it. */
export async function readGasForwardSnapshot(db: Database, id: string): Promise<GasForwardSnapshot | null> {
  const [row] = await db
    .select({ snapshot: sql<unknown>`${scenarioRuns.lineage} -> 'gasForwardSnapshot'` })
    .from(scenarioRuns)
    .where(sql`${scenarioRuns.lineage} -> 'gasForwardSnapshot' ->> 'id' = ${id}`)
    .limit(1)
  return row ? GasForwardSnapshot.parse(row.snapshot) : null
}
