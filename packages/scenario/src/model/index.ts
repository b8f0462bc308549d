/**
 * The fundamentals model: base data per market (base/, SOURCES.md), representative hours
 * (frames.ts), paths from assumptions (paths.ts), merit-order dispatch with storage and scarcity
 * (dispatch.ts, engine.ts), Monte Carlo bands (montecarlo.ts), the backcast (backcast.ts), the
 * Henry Hub history, measured load shapes and Henry Hub forward curve a context is made of, given
 * as data (fuel-history.ts, load-shapes.ts, forward-gas.ts: `modelContextFor`), the version ids
 * of a run's inputs (versions.ts), and the fleet check against an EIA-860M inventory (fleet.ts).
 * Decision record: docs/decisions/013-scenario-model.md.
 */
import type { Assumptions, ScenarioMarket, ScenarioResult } from '../types.ts'
import { backcastWith, type BackcastRow } from './backcast.ts'
import { MARKET_BASES, type MarketBase } from './base/index.ts'
import { createModelContext, runScenarioWith, type FuelHistory, type ModelContext, type RunOptions } from './engine.ts'
import { checkForwardGas, forwardGasId, type ForwardGasCurve } from './forward-gas.ts'
import { checkFuelHistory, fuelHistoryId, henryHubHistory } from './fuel-history.ts'
import { checkMeasuredLoad, loadShapesId, type MeasuredLoad } from './load-shapes.ts'
import { runMonteCarloWith, type MonteCarloOptions, type MonteCarloResult } from './montecarlo.ts'
import { canonicalJson, sha256Hex, VERSION_HEX } from './versions.ts'

export { ENGINE_VERSION, MODEL_MONTHS, createModelContext, runScenarioWith, dispatchMarket, scenarioInputs, monthOffers } from './engine.ts'
export type { FuelHistory, MarketInputs, ModelContext, RunOptions } from './engine.ts'
export { MARKET_BASES } from './base/index.ts'
export type { MarketBase, HubSpec, ImportSpec, TrancheSpec, YearData, TargetDefaults } from './base/index.ts'
export { buildStack, clearPrice, scarcityAdder, shiftStorage, shapeHydro, accumulateDispatch, type Offer, type Stack, type ScarcityCurve } from './dispatch.ts'
export { runMonteCarloWith, mulberry32, type MonteCarloOptions, type MonteCarloResult } from './montecarlo.ts'
export { backcastWith, backcastInputs, SYSTEM_HUB, type BackcastRow } from './backcast.ts'
export { canonicalJson } from './versions.ts'
export { HENRY_HUB_FILE, bundledFuelHistory, checkFuelHistory, fuelHistoryId } from './fuel-history.ts'
export { checkForwardGas, forwardGasId, type ForwardGasCurve } from './forward-gas.ts'
export { MIN_SHAPE_DAYS, checkMeasuredLoad, loadShapesId, measuredLoad, type HourlyDemand, type MeasuredLoad, type MeasuredMonth } from './load-shapes.ts'
export {
  CALIBRATION_TOLERANCE,
  CALIBRATION_YEAR,
  PUBLISHED_AVERAGES,
  compareWithPublished,
  type CalibrationComparison,
  type PublishedAverage,
  type PublishedBlock,
  type PublishedUse,
} from './calibration.ts'
export { BASE_SCENARIO_TEXT, BASE_BUILDS } from '../base.ts'
export {
  FLEET_GAP_THRESHOLD_MW,
  baseFleetAt,
  checkFleet,
  fleetAt,
  fleetGap,
  gapStatement,
  inventoryFleet,
  modelTechnologyOf,
  statementMonth,
  type FleetGap,
  type FleetGapRow,
  type FleetInventory,
  type FleetMw,
  type InventoryTechnology,
} from './fleet.ts'

/** A model context on one gas history (and measured load shapes and a forward gas curve, if any), with the version ids a run on it records. */
export type FuelContext = { ctx: ModelContext; baseDataVersion: string; fuelHistoryId: string; loadShapesId: string | null; forwardGasId: string | null }

let tablesDigest: string | null = null

/** sha256 (hex) of the canonical JSON of every base-data table, computed once. */
function baseTablesDigest(): string {
  tablesDigest ??= sha256Hex(canonicalJson(MARKET_BASES))
  return tablesDigest
}

/**
 * The base-data version of runs on a gas history, measured load shapes and a forward gas curve:
 * sha256 prefix (16 hex) of the tables' digest, `\nfuel ` and the history's content id, and, when
 * there are measured shapes, `\nshapes ` and theirs, and, when there is a forward curve,
 * `\nforward ` and its (forward-gas.ts `forwardGasId`). The run identity names it, so a run id
 * changes with the base data, every month or price of the history, every measured shape and every
 * forward month; a run without shapes or curve has the version it had before either existed.
 */
export function baseDataVersionOf(fuelHistoryId: string, loadShapesId: string | null = null, forwardGasId: string | null = null): string {
  const shapes = loadShapesId === null ? '' : `\nshapes ${loadShapesId}`
  const forward = forwardGasId === null ? '' : `\nforward ${forwardGasId}`
  return sha256Hex(baseTablesDigest(), `\nfuel ${fuelHistoryId}${shapes}${forward}`).slice(0, VERSION_HEX)
}

/** The built-in bases with each measured market's shapes (new objects: frames are cached per base object). */
function basesWith(shapes: readonly MeasuredLoad[]): Record<ScenarioMarket, MarketBase> {
  if (shapes.length === 0) return MARKET_BASES
  const out = { ...MARKET_BASES }
  for (const load of shapes) out[load.market] = { ...MARKET_BASES[load.market], measuredLoad: load.months }
  return out
}

/** Contexts by content (history, shapes and forward ids): a process runs on a handful (bundled, stored, a new month, a new curve). */
const contexts = new Map<string, FuelContext>()
const MAX_CONTEXTS = 8

/**
 * The model context on a gas history and, optionally, measured load shapes and a Henry Hub forward
 * curve (each checked: RangeError naming the bad month), with its version ids. Memoized by
 * content: the same history, shapes and curve give the same context object.
 */
export function modelContextFor(history: FuelHistory, shapes: readonly MeasuredLoad[] = [], forward: ForwardGasCurve | null = null): FuelContext {
  checkFuelHistory(history, 'fuel history')
  checkMeasuredLoad(shapes)
  if (forward) checkForwardGas(forward, 'forward gas curve')
  const id = fuelHistoryId(history)
  const shapesId = loadShapesId(shapes)
  const forwardId = forward ? forwardGasId(forward) : null
  const key = `${id}|${shapesId ?? ''}|${forwardId ?? ''}`
  let found = contexts.get(key)
  if (!found) {
    const baseDataVersion = baseDataVersionOf(id, shapesId, forwardId)
    const ctx = createModelContext(basesWith(shapes), history, baseDataVersion, forward)
    found = { ctx, baseDataVersion, fuelHistoryId: id, loadShapesId: shapesId, forwardGasId: forwardId }
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!)
    contexts.set(key, found)
  }
  return found
}

let defaults: FuelContext | null = null

/** The default context: built-in base data and the EIA Henry Hub file shipped in packages/scenario/data (kept, never evicted). */
function defaultContext(): FuelContext {
  defaults ??= modelContextFor(henryHubHistory().history)
  return defaults
}

/** The base-data version of runs on the bundled Henry Hub workbook (see baseDataVersionOf). */
export const BASE_DATA_VERSION: string = defaultContext().baseDataVersion

/** The content id (fuelHistoryId) of the bundled Henry Hub workbook's history. */
export const FUEL_HISTORY_ID: string = defaultContext().fuelHistoryId

/** The model context runs use by default (exposed for tests and tools). */
export function modelContext(): ModelContext {
  return defaultContext().ctx
}

/** The deterministic run of a scenario: every market, MODEL_FIRST_MONTH..MODEL_LAST_MONTH. */
export function runScenario(assumptions: Assumptions, options?: RunOptions): ScenarioResult {
  return runScenarioWith(defaultContext().ctx, assumptions, options)
}

/** P10/P50/P90 bands around a scenario (seeded gas and load draws) and the deterministic run. */
export function runMonteCarlo(assumptions: Assumptions, options: MonteCarloOptions): MonteCarloResult {
  return runMonteCarloWith(defaultContext().ctx, assumptions, options)
}

/** The model run for a past base year (that year's Henry Hub months, capacity and load): annual on-, off-peak and ATC per hub. */
export function backcast(year: number): BackcastRow[] {
  return backcastWith(defaultContext().ctx, year)
}
