/**
 * `npm run bench:scenario`: the scenario fundamentals model (packages/scenario/src/model).
 *
 * - Full run: runScenario on the built-in base scenario (BASE_SCENARIO_TEXT parsed by the
 *   language): every market (MISO, CAISO), monthly 2025-01..2050-12, on- and off-peak at every hub.
 *   One warm-up run (it builds the cached calendar frames), then BENCH_SCENARIO_RUNS (default 9)
 *   timed runs; the median is the figure. Goal: < 1,000 ms.
 * - Monte Carlo: runMonteCarlo with BENCH_SCENARIO_DRAWS (default 1,000) seeded draws of gas and
 *   load (P10/P50/P90 per market, hub, block and month), timed end to end, with draws/s. Goal: < 60 s.
 *
 * Progress goes to stderr, a table to stdout, the last stdout line is one JSON object. A benchmark
 * measures; it asserts nothing beyond the sanity of its own setup.
 */
import os from 'node:os'
import { ENGINE_VERSION, BASE_DATA_VERSION, resolveBase, runMonteCarlo, runScenario } from '@carbon/scenario'

const RUNS = Math.max(1, Number(process.env.BENCH_SCENARIO_RUNS ?? 9))
const DRAWS = Math.max(1, Number(process.env.BENCH_SCENARIO_DRAWS ?? 1_000))
const SEED = 20_261_206
const GOALS = { fullRunMs: 1_000, monteCarloMs: 60_000 }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits))

function progress(label: string) {
  process.stderr.write(`${label}\n`)
}

function main() {
  // Throws, listing the diagnostics, if the built-in base does not check.
  const assumptions = resolveBase()

  progress('warm-up run (builds the calendar frames)...')
  let started = performance.now()
  const warm = runScenario(assumptions)
  const warmMs = performance.now() - started
  const months = warm.months.length
  const series = warm.markets.reduce((n, m) => n + m.hubs.length * 2, 0)

  const runMs: number[] = []
  for (let i = 0; i < RUNS; i++) {
    progress(`full run ${i + 1}/${RUNS}...`)
    started = performance.now()
    runScenario(assumptions)
    runMs.push(performance.now() - started)
  }

  progress(`Monte Carlo, ${DRAWS} draws (seed ${SEED})...`)
  started = performance.now()
  const mc = runMonteCarlo(assumptions, {
    draws: DRAWS,
    seed: SEED,
    onProgress: (done, total) => {
      if (done % 100 === 0 || done === total) progress(`  ${done}/${total} draws, ${round((performance.now() - started) / 1000)} s`)
    },
  })
  const mcMs = performance.now() - started
  const fullRunMs = median(runMs)

  const result = {
    bench: 'scenario',
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version },
    engine: ENGINE_VERSION,
    baseData: BASE_DATA_VERSION,
    problem: { markets: warm.markets.length, months, priceSeries: series, first: warm.months[0], last: warm.months.at(-1) },
    fullRun: { runs: RUNS, medianMs: round(fullRunMs, 2), minMs: round(Math.min(...runMs), 2), maxMs: round(Math.max(...runMs), 2), warmUpMs: round(warmMs) },
    monteCarlo: { draws: mc.bands.draws, seed: SEED, totalMs: round(mcMs), drawsPerSec: round((DRAWS / mcMs) * 1000, 1) },
    goals: { fullRunMs: GOALS.fullRunMs, monteCarloMs: GOALS.monteCarloMs, fullRunMet: fullRunMs < GOALS.fullRunMs, monteCarloMet: mcMs < GOALS.monteCarloMs },
  }

  process.stdout.write(`\nscenario model: ${result.problem.markets} markets x ${months} months x ${series} hub-block series\n`)
  process.stdout.write(` full run (median of ${RUNS})   ${String(result.fullRun.medianMs).padStart(10)} ms   goal < ${GOALS.fullRunMs} ms\n`)
  process.stdout.write(` Monte Carlo ${DRAWS} draws      ${String(result.monteCarlo.totalMs).padStart(10)} ms   goal < ${GOALS.monteCarloMs} ms (${result.monteCarlo.drawsPerSec} draws/s)\n\n`)
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

main()
