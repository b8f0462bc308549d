/**
 * Monte Carlo bands around a scenario. Each draw scales the scenario's Henry Hub path and its load
 * path by seeded random multipliers, runs the dispatch, and keeps every hub's monthly on-peak and
 * off-peak prices; P10/P50/P90 are read per market, hub, block and month.
 *
 * - Gas: log-normal, mean-reverting in log space (Ornstein-Uhlenbeck, monthly steps):
 *   x_k = x_{k-1} e^{-kappa/12} + sigma sqrt((1 - e^{-2 kappa/12}) / (2 kappa)) z_k, multiplier
 *   exp(x_k - var_k / 2) (mean 1), sigma = 30 %/yr, kappa = 0.5 /yr (half-life ~1.4 years; the
 *   long-run spread of log gas is sigma / sqrt(2 kappa) = 30 %).
 * - Load: a random walk in log space, 2 %/yr: y_k = y_{k-1} + 0.02 sqrt(1/12) z_k, multiplier
 *   exp(y_k - var_k / 2); energy and peak scale together.
 * - Months covered by the Henry Hub history are realized: both multipliers are 1 there, and the
 *   draws start after the history's last month.
 * - PRNG: mulberry32 seeded with `seed`; normals by Box-Muller from two uniforms each, drawn in a
 *   fixed order (per draw: every gas step, then every load step), so the same seed gives the same
 *   bands on every machine.
 */
import { monthIndex } from '@carbon/curves'
import { SCENARIO_MARKETS, type Assumptions, type Bands, type Block, type ScenarioResult } from '../types.ts'
import { dispatchMarket, MODEL_MONTHS, runScenarioWith, scenarioInputs, type MarketInputs, type ModelContext } from './engine.ts'

export type MonteCarloOptions = {
  draws: number
  seed: number
  onProgress?: (done: number, total: number) => void
  /** Annual volatility of log gas (default 0.30), mean reversion per year (0.5), annual volatility of log load (0.02). */
  gasVolatility?: number
  gasReversion?: number
  loadVolatility?: number
}

export type MonteCarloResult = { bands: Bands; result: ScenarioResult }

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function normal(rand: () => number): number {
  const u = 1 - rand()
  const v = rand()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** First month index (into MODEL_MONTHS) that is not realized history. */
function firstDrawnMonth(ctx: ModelContext): number {
  if (!ctx.historyLast) return 0
  const k = monthIndex(ctx.historyLast) - monthIndex(MODEL_MONTHS[0]!) + 1
  return Math.max(0, Math.min(MODEL_MONTHS.length, k))
}

/** Gas and load multipliers of one draw. */
export function drawPaths(rand: () => number, start: number, n: number, options: MonteCarloOptions): { gas: Float64Array; load: Float64Array } {
  const sigma = options.gasVolatility ?? 0.3
  const kappa = options.gasReversion ?? 0.5
  const sigmaLoad = options.loadVolatility ?? 0.02
  const dt = 1 / 12
  const decay = Math.exp(-kappa * dt)
  const step = sigma * Math.sqrt((1 - Math.exp(-2 * kappa * dt)) / (2 * kappa))
  const gas = new Float64Array(n).fill(1)
  const load = new Float64Array(n).fill(1)
  let x = 0
  let variance = 0
  for (let k = start; k < n; k++) {
    x = x * decay + step * normal(rand)
    variance = variance * decay * decay + step * step
    gas[k] = Math.exp(x - variance / 2)
  }
  let y = 0
  let loadVariance = 0
  const loadStep = sigmaLoad * Math.sqrt(dt)
  for (let k = start; k < n; k++) {
    y += loadStep * normal(rand)
    loadVariance += loadStep * loadStep
    load[k] = Math.exp(y - loadVariance / 2)
  }
  return { gas, load }
}

function withDraw(inputs: MarketInputs, gas: Float64Array, load: Float64Array): MarketInputs {
  return {
    ...inputs,
    gas: inputs.gas.map((g, k) => g * gas[k]!),
    energyMwh: inputs.energyMwh.map((e, k) => e * load[k]!),
    peakMw: inputs.peakMw.map((p, k) => p * load[k]!),
  }
}

/** Percentile by linear interpolation between order statistics (sorted ascending). */
function percentile(sorted: Float64Array, p: number): number {
  const pos = p * (sorted.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

export function runMonteCarloWith(ctx: ModelContext, assumptions: Assumptions, options: MonteCarloOptions): MonteCarloResult {
  const { draws, seed } = options
  if (!Number.isInteger(draws) || draws < 1) throw new RangeError(`draws: expected a whole number of at least 1, found ${draws}`)
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed: expected a whole number 0..4294967295, found ${seed}`)
  const n = MODEL_MONTHS.length
  const start = firstDrawnMonth(ctx)
  const markets = SCENARIO_MARKETS.map((m) => ({ base: ctx.bases[m], inputs: scenarioInputs(ctx, ctx.bases[m], assumptions) }))
  // samples[market][hub * 2 + block] = draws x months, draw-major
  const samples = markets.map(({ base }) => base.hubs.flatMap(() => [new Float64Array(draws * n), new Float64Array(draws * n)]))
  const rand = mulberry32(seed)
  for (let d = 0; d < draws; d++) {
    const { gas, load } = drawPaths(rand, start, n, options)
    markets.forEach(({ base, inputs }, mi) => {
      const result = dispatchMarket(base, withDraw(inputs, gas, load))
      result.hubs.forEach((hub, hi) => {
        samples[mi]![hi * 2]!.set(hub.onpeak, d * n)
        samples[mi]![hi * 2 + 1]!.set(hub.offpeak, d * n)
      })
    })
    if (options.onProgress && ((d + 1) % 50 === 0 || d + 1 === draws)) options.onProgress(d + 1, draws)
  }
  const column = new Float64Array(draws)
  const bands: Bands = {
    draws,
    seed,
    markets: markets.map(({ base }, mi) => ({
      market: base.market,
      hubs: base.hubs.flatMap((hub, hi) =>
        (['onpeak', 'offpeak'] as Block[]).map((block, bi) => {
          const all = samples[mi]![hi * 2 + bi]!
          const p10 = new Float64Array(n)
          const p50 = new Float64Array(n)
          const p90 = new Float64Array(n)
          for (let k = 0; k < n; k++) {
            for (let d = 0; d < draws; d++) column[d] = all[d * n + k]!
            column.sort()
            p10[k] = percentile(column, 0.1)
            p50[k] = percentile(column, 0.5)
            p90[k] = percentile(column, 0.9)
          }
          return { hub: hub.hub, block, p10, p50, p90 }
        }),
      ),
    })),
  }
  return { bands, result: runScenarioWith(ctx, assumptions) }
}
