import {
  bundledFuelHistory,
  modelContext,
  modelContextFor,
  runMonteCarloWith,
  runScenarioWith,
  type ForwardGasCurve,
  type FuelHistory,
  type MeasuredLoad,
  type ModelContext,
} from '@carbon/scenario'
import { assumptionsOfCanonical } from './engine.ts'
import { resultRows, type RunRows } from './rows.ts'
import type { RunMode } from './schemas.ts'

/**
 * What the model is asked to run: a stored canonical scenario in a mode, on a Henry Hub monthly
 * history, measured load shapes and a Henry Hub forward curve (the run's snapshots,
 * fuel-inputs.ts; default the workbook bundled with the engine, the built-in shapes and no curve).
 */
export type ModelRequest = {
  canonical: string
  mode: RunMode
  draws?: number | null
  seed?: number | null
  fuel?: FuelHistory | null
  shapes?: MeasuredLoad[] | null
  forward?: ForwardGasCurve | null
}

function contextOf(request: ModelRequest): ModelContext {
  if (!request.fuel && !request.shapes?.length && !request.forward) return modelContext()
  return modelContextFor(request.fuel ?? bundledFuelHistory().history, request.shapes ?? [], request.forward ?? null).ctx
}

/**
 * Runs the fundamentals model on a canonical scenario and returns the rows to store: synchronous CPU
 * work (a full run well under a second, a 1,000-draw Monte Carlo up to a minute). The scenario worker
 * calls it in a worker thread (model-thread.ts); `onProgress` gets 0..1 during a Monte Carlo run.
 */
export function computeRunRows(request: ModelRequest, onProgress?: (progress: number) => void): RunRows {
  const assumptions = assumptionsOfCanonical(request.canonical)
  const ctx = contextOf(request)
  if (request.mode === 'deterministic') return resultRows(runScenarioWith(ctx, assumptions), null)
  if (!request.draws || request.seed === null || request.seed === undefined) throw new Error('a Monte Carlo run needs draws and a seed')
  const { result, bands } = runMonteCarloWith(ctx, assumptions, {
    draws: request.draws,
    seed: request.seed,
    onProgress: (done, total) => onProgress?.(total > 0 ? Math.min(1, done / total) : 0),
  })
  return resultRows(result, bands)
}
