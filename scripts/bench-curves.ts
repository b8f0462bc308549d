/**
 * `npm run bench:curves`: the forward-curve solver against SciPy, on the same KKT problems, in one run.
 *
 * Problems: the demo quote sets (packages/demo-data) of the four demo hubs (MISO Indiana and
 * Illinois, CAISO SP15 and NP15) on BENCH_CURVES (default 1,000) trade dates going back from
 * 2026-11-25, weekdays only: each about 36 contracts (18 months, quarters, Cal strips to ten years
 * out), on-peak and off-peak (about 72 quotes), monthly from the month after the trade date to
 * 2050-12 (about 290 months per block, 580 variables).
 *
 * Measured in this process (after one warm-up pass over every problem):
 *   build       buildCurve end to end: quote ordering, hours per block, the prior, the QP,
 *               the solve (with its refinement step), the monthly output and the repriced quotes;
 *   solve       solveCurveProblem on the QP that buildCurve solves (curveProblem): the banded
 *               Cholesky of H, W = H^-1 A', the Schur complement, its pivoted factorization.
 * The baseline, in a child process: scripts/bench-curves-scipy.py assembles each problem's KKT
 * matrix [[2H, A'], [A, 0]] with scipy.sparse and solves it with spsolve (SuperLU), Debian's
 * python3-scipy, timing assembly + solve per problem (not the JSON reading), and reports the
 * largest |x_scipy - x_ts| over all problems.
 * Per curve: the single-curve time is the median over the batch's curves; the batch is the sum.
 * Ratios: SciPy time / ours (above 1 = ours faster).
 *
 * Progress goes to stderr, a table to stdout, the last stdout line is one JSON object. A benchmark
 * measures; it asserts nothing beyond the sanity of its own setup.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildCurve, curveProblem, exportProblem, normalizeQuotes, solveCurveProblem, type BuildCurveInput, type CurveProblem } from '@carbon/curves'
import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'

const COUNT = Math.max(1, Number(process.env.BENCH_CURVES ?? 1_000))
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3'
const root = path.resolve(import.meta.dirname, '..')

function tradeDates(count: number, end = '2026-11-25'): string[] {
  const dates: string[] = []
  const day = new Date(`${end}T00:00:00Z`)
  while (dates.length < count) {
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) dates.push(day.toISOString().slice(0, 10))
    day.setUTCDate(day.getUTCDate() - 1)
  }
  return dates
}

function inputs(count: number): BuildCurveInput[] {
  const dates = tradeDates(Math.ceil(count / DEMO_CURVE_HUBS.length))
  const out: BuildCurveInput[] = []
  for (const asOf of dates) {
    for (const hub of DEMO_CURVE_HUBS) {
      if (out.length < count) out.push({ market: hub.market, asOf, quotes: normalizeQuotes(demoQuotes(hub, asOf)) })
    }
  }
  return out
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function timeEach<T>(items: readonly T[], run: (item: T) => unknown): number[] {
  return items.map((item) => {
    const started = performance.now()
    run(item)
    return performance.now() - started
  })
}

function progress(label: string) {
  process.stderr.write(`${label}...\n`)
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits))

function main() {
  const started = performance.now()
  progress(`preparing ${COUNT} demo quote sets`)
  const curves = inputs(COUNT)
  const problems: CurveProblem[] = curves.map(curveProblem)
  const sizes = { variables: median(problems.map((p) => p.n)), quotes: median(problems.map((p) => p.constraints.length)) }

  progress('warm-up (every problem once)')
  for (const input of curves) buildCurve(input)
  for (const problem of problems) solveCurveProblem(problem)

  progress(`buildCurve x ${COUNT}`)
  const buildMs = timeEach(curves, buildCurve)
  progress(`solveCurveProblem x ${COUNT}`)
  const solutions = problems.map((p) => solveCurveProblem(p).x)
  const solveMs = timeEach(problems, (p) => solveCurveProblem(p))

  progress(`SciPy spsolve x ${COUNT} (${PYTHON})`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-bench-curves-'))
  const file = path.join(dir, 'problems.json')
  fs.writeFileSync(file, JSON.stringify({ problems: problems.map((p, i) => ({ problem: exportProblem(p), x: Array.from(solutions[i]!) })) }))
  const child = spawnSync(PYTHON, [path.join(root, 'scripts/bench-curves-scipy.py'), file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  fs.rmSync(dir, { recursive: true, force: true })
  if (child.status !== 0) {
    process.stderr.write(`SciPy baseline failed (is python3-scipy installed for ${PYTHON}?):\n${child.stderr}\n`)
    process.exit(1)
  }
  const scipy = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
    scipy: string
    numpy: string
    problems: number
    totalMs: number
    medianMs: number
    maxAbsDiff: number
  }

  const ours = {
    buildMedianMs: median(buildMs),
    buildBatchMs: buildMs.reduce((a, b) => a + b, 0),
    solveMedianMs: median(solveMs),
    solveBatchMs: solveMs.reduce((a, b) => a + b, 0),
  }
  const result = {
    bench: 'curves',
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version },
    problems: { curves: COUNT, medianVariables: sizes.variables, medianQuotes: sizes.quotes, horizon: 'month after the trade date to 2050-12, on-peak + off-peak' },
    ours: {
      method: 'kkt-banded-schur',
      buildPerCurveMs: round(ours.buildMedianMs),
      buildBatchMs: round(ours.buildBatchMs, 1),
      solvePerCurveMs: round(ours.solveMedianMs),
      solveBatchMs: round(ours.solveBatchMs, 1),
    },
    scipy: { method: 'scipy.sparse.linalg.spsolve (SuperLU) on the assembled KKT matrix', version: scipy.scipy, numpy: scipy.numpy, perCurveMs: round(scipy.medianMs), batchMs: round(scipy.totalMs, 1) },
    ratios: {
      scipyVsOurSolvePerCurve: round(scipy.medianMs / ours.solveMedianMs, 2),
      scipyVsOurSolveBatch: round(scipy.totalMs / ours.solveBatchMs, 2),
      scipyVsOurBuildBatch: round(scipy.totalMs / ours.buildBatchMs, 2),
    },
    maxAbsDiffVsScipy: scipy.maxAbsDiff,
    totalSec: round((performance.now() - started) / 1000, 1),
  }

  process.stdout.write(`\nforward curves, ${COUNT} curves (median ${sizes.variables} variables, ${sizes.quotes} quotes)\n`)
  process.stdout.write(` what                          per curve ms   batch ms\n`)
  process.stdout.write(` ours: buildCurve (end to end) ${String(result.ours.buildPerCurveMs).padStart(12)} ${String(result.ours.buildBatchMs).padStart(10)}\n`)
  process.stdout.write(` ours: solve (KKT, banded)     ${String(result.ours.solvePerCurveMs).padStart(12)} ${String(result.ours.solveBatchMs).padStart(10)}\n`)
  process.stdout.write(` SciPy ${scipy.scipy} spsolve (KKT)   ${String(result.scipy.perCurveMs).padStart(12)} ${String(result.scipy.batchMs).padStart(10)}\n`)
  process.stdout.write(` SciPy / ours (solve): ${result.ratios.scipyVsOurSolveBatch}x; largest |x_scipy - x_ours|: ${scipy.maxAbsDiff.toExponential(2)}\n\n`)
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

main()
