import type { Platform } from '../../platform.ts'
import { hasCurveBuilds, seedDemoCurves } from './curves.ts'
import { hasFuelCurveBuilds, seedDemoFuelCurves } from './fuel-curves.ts'
import { hasPrices, seedDemo, type SeedOptions } from './index.ts'
import { hasHouseRuns, seedDemoScenarios } from './scenarios.ts'
import { hasSeries, seedDemoSeries } from './series.ts'
import { readDemoState, unfinishedSteps, writeDemoState, type DemoState, type DemoStep } from './state.ts'

export type DemoLoadOptions = {
  /** Days of generated history for a new load (a resumed load keeps its recorded window). */
  days: number
  now?: Date
  /**
   * 'first-start' (`carbon serve`): a store that already holds prices counts as loaded (a data
   * directory from before the load record, or prices from the ingest). 'seed' (`carbon seed-demo`):
   * the prices are loaded whatever the store holds.
   */
  mode: 'first-start' | 'seed'
  progress?: SeedOptions['progress']
  /** Told which steps an earlier start left unfinished, before they are loaded again. */
  onResume?: (steps: DemoStep[]) => void
  /** Told when a step starts loading. */
  onStep?: (step: DemoStep) => void
}

export type DemoLoadResult = {
  resumed: DemoStep[]
  prices?: { nodes: number; records: number }
  scenarios?: { runId: string; status: string }
  curves?: { builds: number }
  fuelCurves?: { builds: number }
  series?: { files: number; records: number }
}

/**
 * Loads the demo until it is complete: every step marked started before and done after (see
 * state.ts), an unfinished step of an earlier, interrupted start loaded again with its recorded
 * window, a finished one skipped. Safe to interrupt at any point and to run again.
 */
export async function loadDemoUntilComplete(platform: Platform, options: DemoLoadOptions): Promise<DemoLoadResult> {
  const dataDir = platform.env.dataDir
  const recorded = readDemoState(dataDir)
  const resumed = unfinishedSteps(recorded)
  const state = resumed.length > 0 && recorded ? recorded : await newDemoState(platform, options)
  if (resumed.length > 0) {
    platform.log.warn({ steps: resumed, end: state.end, days: state.days }, 'demo data incomplete from an earlier start; loading again')
    options.onResume?.(resumed)
  }
  const result: DemoLoadResult = { resumed }
  const end = new Date(state.end)
  if (state.steps.prices !== 'done') {
    result.prices = await runStep(platform, state, 'prices', options, () => seedDemo(platform, { days: state.days, end, progress: options.progress }))
  }
  // The base scenario's run before the curves: the curves' prior beyond the quotes is the base run.
  if (state.steps.scenarios !== 'done') {
    result.scenarios = await runStep(platform, state, 'scenarios', options, () => seedDemoScenarios(platform))
  }
  if (state.steps.curves !== 'done') {
    result.curves = await runStep(platform, state, 'curves', options, () => seedDemoCurves(platform, { end, skipDone: true }))
  }
  if (state.steps.series !== 'done') {
    result.series = await runStep(platform, state, 'series', options, () => seedDemoSeries(platform))
  }
  if (state.steps.fuelCurves !== 'done') {
    result.fuelCurves = await runStep(platform, state, 'fuelCurves', options, () => seedDemoFuelCurves(platform, { end }))
  }
  return result
}

/** A new load's record: what the stores already hold counts as loaded. */
async function newDemoState(platform: Platform, options: DemoLoadOptions): Promise<DemoState> {
  const state: DemoState = { version: 1, end: (options.now ?? new Date()).toISOString(), days: options.days, steps: {} }
  if (options.mode === 'first-start' && (await hasPrices(platform))) state.steps.prices = 'done'
  if (await hasHouseRuns(platform)) state.steps.scenarios = 'done'
  if (await hasCurveBuilds(platform)) state.steps.curves = 'done'
  if (await hasSeries(platform)) state.steps.series = 'done'
  if (await hasFuelCurveBuilds(platform)) state.steps.fuelCurves = 'done'
  return state
}

async function runStep<T>(platform: Platform, state: DemoState, step: DemoStep, options: DemoLoadOptions, load: () => Promise<T>): Promise<T> {
  const dataDir = platform.env.dataDir
  state.steps[step] = 'started'
  writeDemoState(dataDir, state)
  options.onStep?.(step)
  const result = await load()
  state.steps[step] = 'done'
  writeDemoState(dataDir, state)
  return result
}
