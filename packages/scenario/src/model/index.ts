/**
 * The fundamentals model: base data per market (base/, SOURCES.md), representative hours
 * (frames.ts), paths from assumptions (paths.ts), merit-order dispatch with storage and scarcity
 * (dispatch.ts, engine.ts), Monte Carlo bands (montecarlo.ts), the backcast (backcast.ts) and the
 * version ids of a run's inputs (versions.ts). Decision record: docs/decisions/013-scenario-model.md.
 */
import type { Assumptions, ScenarioResult } from '../types.ts'
import { backcastWith, type BackcastRow } from './backcast.ts'
import { MARKET_BASES } from './base/index.ts'
import { createModelContext, runScenarioWith, type ModelContext, type RunOptions } from './engine.ts'
import { henryHubHistory } from './fuel-history.ts'
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
export { HENRY_HUB_FILE } from './fuel-history.ts'
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

type Defaults = { ctx: ModelContext; baseDataVersion: string; fuelHistoryId: string }
let defaults: Defaults | null = null

/** The default context: built-in base data and the EIA Henry Hub file shipped in packages/scenario/data. */
function defaultContext(): Defaults {
  if (!defaults) {
    const { bytes, history } = henryHubHistory()
    const baseDataVersion = sha256Hex(canonicalJson(MARKET_BASES), bytes).slice(0, VERSION_HEX)
    const fuelHistoryId = sha256Hex(bytes, `\n${history.release ?? ''}`).slice(0, VERSION_HEX)
    defaults = { ctx: createModelContext(MARKET_BASES, history, baseDataVersion), baseDataVersion, fuelHistoryId }
  }
  return defaults
}

/** sha256 prefix (16 hex) over the canonical JSON of every base-data table and the Henry Hub file's bytes. */
export const BASE_DATA_VERSION: string = defaultContext().baseDataVersion

/** sha256 prefix (16 hex) of the Henry Hub file's bytes plus its release date. */
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
