/**
 * `npm run bench:curves`: the forward-curve builder and solver against SciPy, on the same problems, in one run.
 *
 * Quote sets (scripts/bench-curves-sets.ts), BENCH_CURVES curves each (default 1,000), the four demo
 * hubs on weekdays going back from 2026-11-25, each curve monthly from the month after the trade date
 * to 2050-12, on-peak + off-peak (about 290 months per block, 580 variables):
 *   demo       the demo quotes (about 64 mids: months, quarters, Cal strips; no overlaps);
 *   bands      the same with bid/ask on every quote past the first six months (bands, active set);
 *   redundant  the demo quotes plus consistent redundant ones (quarters of quoted months, a repeated Cal).
 *
 * Ours, in this process, after one warm-up pass over every problem:
 *   build      buildCurve end to end: quote checks and ordering, month layout and hours, the prior,
 *              the QP, solveCurveProblem, the monthly output, the repriced quotes and the inputs hash;
 *   solve      solveCurveProblem on the QP buildCurve solves (curveProblem): validation, H = U U',
 *              the Schur complement S = A H^-1 A', rank-revealing pivoted Cholesky of S (redundancy),
 *              the band active set, the final curve with refinement and its diagnostics.
 * SciPy, in a child process (scripts/bench-curves-scipy.py, Debian python3-scipy), per problem:
 *   assembly   the KKT matrix [[2H, A'], [A, 0]] and right-hand side with scipy.sparse, vectorized,
 *              from numpy arrays of the exported problem (prior, weights, CSR of A: reading the JSON
 *              into them is not timed, and the calendar and prior work of a build is not on SciPy's
 *              side at all); the parsed JSON is freed before timing (kept alive it made spsolve
 *              about five times slower);
 *   solve      scipy.sparse.linalg.spsolve (SuperLU) on it.
 *   On the redundant set A holds the equality quotes minus the rows ours dropped as redundant (the
 *   KKT matrix with them is singular; SciPy gets our rank decision for free). On the band set A holds
 *   the equality quotes plus the bands ours found active, each at the bound it holds: one linear solve
 *   at the final active set, not a QP solve (SciPy has no sparse QP solver; this peer is a lower bound
 *   on what any QP method needs, since each of its iterations solves a system like it).
 * Ratios (above 1 = ours faster): solve = SciPy solve / our solve; build = SciPy assembly + solve / our
 * build. Per curve: medians over the set; batch: sums.
 * Batch: BENCH_CURVES_BATCH (default 10,000) demo curves built with buildCurve across
 * BENCH_CURVES_WORKERS worker threads (default: os.availableParallelism()), wall time from "go" to the
 * last worker's answer (inputs prepared and the JIT warmed beforehand), against the same curves built
 * one after the other on the main thread. The SciPy batch figure is its demo per-curve assembly + solve
 * times the batch size (SciPy is not run 10,000 times).
 *
 * Progress goes to stderr, a table to stdout, the last stdout line is one JSON object. A benchmark
 * measures; it asserts nothing beyond the sanity of its own setup.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { buildCurve, curveProblem, exportProblem, solveCurveProblem, type BuildCurveInput, type CurveProblem, type CurveSolution } from '@carbon/curves'
import { curveInputs, QUOTE_SETS, type QuoteSet } from './bench-curves-sets.ts'

const COUNT = Math.max(1, Number(process.env.BENCH_CURVES ?? 1_000))
const BATCH = Math.max(0, Number(process.env.BENCH_CURVES_BATCH ?? 10_000))
const WORKERS = Math.max(1, Number(process.env.BENCH_CURVES_WORKERS ?? os.availableParallelism()))
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3'
const root = path.resolve(import.meta.dirname, '..')

type Times = { medianMs: number; totalMs: number }
type ScipyResult = { scipy: string; numpy: string; problems: number; assembly: Times; solve: Times; assemblyAndSolve: Times; maxAbsDiff: number }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function timeEach<T>(items: readonly T[], run: (item: T) => unknown): Times {
  const times = items.map((item) => {
    const started = performance.now()
    run(item)
    return performance.now() - started
  })
  return { medianMs: median(times), totalMs: times.reduce((a, b) => a + b, 0) }
}

function progress(label: string) {
  process.stderr.write(`${label}...\n`)
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits))

/** A's rows as CSR arrays (duplicates kept, as the solver sums them) for SciPy's vectorized assembly. */
function csrOf(problem: CurveProblem): { indptr: number[]; indices: number[]; data: number[] } {
  const indptr = [0]
  const indices: number[] = []
  const data: number[] = []
  for (const constraint of problem.constraints) {
    for (const [index, weight] of constraint.terms) {
      indices.push(index)
      data.push(weight)
    }
    indptr.push(indices.length)
  }
  return { indptr, indices, data }
}

/** The rows SciPy solves with, as [row, right-hand side]: equalities ours kept, bands ours found active at their bound. */
function keptRows(problem: CurveProblem, solution: CurveSolution): [number, number][] {
  const redundant = new Set(solution.diagnostics.redundant)
  const active = new Map(solution.diagnostics.activeBands.map((b) => [b.label, b.side]))
  const keep: [number, number][] = []
  problem.constraints.forEach((c, k) => {
    if (c.band === undefined && !redundant.has(c.label)) keep.push([k, c.target])
    const side = active.get(c.label)
    if (c.band !== undefined && side !== undefined) keep.push([k, side === 'lo' ? c.band.lo : c.band.hi])
  })
  return keep
}

function runScipy(problems: CurveProblem[], solutions: CurveSolution[]): ScipyResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-bench-curves-'))
  const file = path.join(dir, 'problems.json')
  const items = problems.map((p, i) => ({ problem: exportProblem(p), csr: csrOf(p), keep: keptRows(p, solutions[i]!), x: Array.from(solutions[i]!.x) }))
  fs.writeFileSync(file, JSON.stringify({ problems: items }))
  const child = spawnSync(PYTHON, [path.join(root, 'scripts/bench-curves-scipy.py'), file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  fs.rmSync(dir, { recursive: true, force: true })
  if (child.status !== 0) {
    process.stderr.write(`SciPy baseline failed (is python3-scipy installed for ${PYTHON}?):\n${child.stderr}\n`)
    process.exit(1)
  }
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as ScipyResult
}

function measureSet(set: QuoteSet) {
  progress(`${set}: preparing ${COUNT} quote sets`)
  const curves: BuildCurveInput[] = curveInputs(set, 0, COUNT)
  const problems = curves.map(curveProblem)
  progress(`${set}: warm-up (every problem once)`)
  for (const input of curves) buildCurve(input)
  const solutions = problems.map((p) => solveCurveProblem(p))
  progress(`${set}: buildCurve x ${COUNT}, solveCurveProblem x ${COUNT}`)
  const build = timeEach(curves, buildCurve)
  const solve = timeEach(problems, (p) => solveCurveProblem(p))
  progress(`${set}: SciPy x ${COUNT} (${PYTHON})`)
  const scipy = runScipy(problems, solutions)
  const mean = (f: (s: CurveSolution) => number) => round(solutions.reduce((sum, s) => sum + f(s), 0) / solutions.length, 1)
  return {
    set,
    size: {
      medianVariables: median(problems.map((p) => p.n)),
      medianQuotes: median(problems.map((p) => p.constraints.length)),
      meanRedundant: mean((s) => s.diagnostics.redundant.length),
      meanActiveBands: mean((s) => s.diagnostics.activeBands.length),
      meanIterations: mean((s) => s.diagnostics.iterations),
    },
    ours: {
      buildPerCurveMs: round(build.medianMs, 4),
      buildBatchMs: round(build.totalMs, 1),
      solvePerCurveMs: round(solve.medianMs, 4),
      solveBatchMs: round(solve.totalMs, 1),
    },
    scipy: {
      assemblyPerCurveMs: round(scipy.assembly.medianMs, 4),
      solvePerCurveMs: round(scipy.solve.medianMs, 4),
      assemblyAndSolvePerCurveMs: round(scipy.assemblyAndSolve.medianMs, 4),
      assemblyBatchMs: round(scipy.assembly.totalMs, 1),
      solveBatchMs: round(scipy.solve.totalMs, 1),
      version: scipy.scipy,
      numpy: scipy.numpy,
    },
    ratios: {
      solvePerCurve: round(scipy.solve.medianMs / solve.medianMs, 2),
      solveBatch: round(scipy.solve.totalMs / solve.totalMs, 2),
      buildPerCurve: round(scipy.assemblyAndSolve.medianMs / build.medianMs, 2),
      buildBatch: round(scipy.assemblyAndSolve.totalMs / build.totalMs, 2),
    },
    maxAbsDiffVsScipy: scipy.maxAbsDiff,
  }
}

/** Builds curves 0..total - 1 of the demo set on `workers` threads; wall ms from "go" to the last answer. */
async function workerBatch(total: number, workers: number): Promise<{ wallMs: number; curves: number }> {
  const share = Math.ceil(total / workers)
  const url = new URL('./bench-curves-worker.ts', import.meta.url)
  // A worker does not inherit tsx's loader from this thread: a small bootstrap registers it, then
  // imports the TypeScript worker.
  const tsx = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}) })`
  const threads = Array.from(
    { length: workers },
    (_, w) => new Worker(bootstrap, { eval: true, workerData: { set: 'demo', from: w * share, to: Math.min(total, (w + 1) * share) } }),
  )
  const next = (worker: Worker) =>
    new Promise<{ ms?: number; curves?: number }>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
  await Promise.all(threads.map(next))
  const started = performance.now()
  const answers = threads.map(next)
  for (const worker of threads) worker.postMessage('go')
  const results = await Promise.all(answers)
  const wallMs = performance.now() - started
  await Promise.all(threads.map((worker) => worker.terminate()))
  return { wallMs, curves: results.reduce((sum, r) => sum + (r.curves ?? 0), 0) }
}

function serialBatch(total: number): number {
  const inputs = curveInputs('demo', 0, total)
  for (const input of inputs.slice(0, 50)) buildCurve(input)
  const started = performance.now()
  for (const input of inputs) buildCurve(input)
  return performance.now() - started
}

async function main() {
  const started = performance.now()
  const sets = QUOTE_SETS.map(measureSet)
  let batch = null
  if (BATCH > 0) {
    progress(`batch: ${BATCH} demo curves on the main thread`)
    const serialMs = serialBatch(BATCH)
    progress(`batch: ${BATCH} demo curves on ${WORKERS} worker threads`)
    const parallel = await workerBatch(BATCH, WORKERS)
    const demo = sets[0]!
    const scipyBatchMs = demo.scipy.assemblyAndSolvePerCurveMs * BATCH
    batch = {
      curves: parallel.curves,
      workerThreads: WORKERS,
      cores: os.availableParallelism(),
      wallMs: round(parallel.wallMs, 1),
      curvesPerSecond: round((parallel.curves / parallel.wallMs) * 1000, 0),
      serialMainThreadMs: round(serialMs, 1),
      speedupOverSerial: round(serialMs / parallel.wallMs, 2),
      scipyExtrapolatedMs: round(scipyBatchMs, 1),
      scipyExtrapolatedVsOurs: round(scipyBatchMs / parallel.wallMs, 2),
    }
  }
  const result = {
    bench: 'curves',
    machine: { cpus: os.cpus().length, availableParallelism: os.availableParallelism(), cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version, loadAverage: os.loadavg().map((l) => round(l, 2)) },
    methods: {
      ours: 'kkt-banded-schur: H = U U\' (reversed banded Cholesky), S = A H^-1 A\' per component from short substitutions, pivoted Cholesky of S, dual active set for bands',
      oursBuild: 'buildCurve end to end (layout, prior, QP, solve, monthly output, repriced quotes, hash)',
      scipyAssembly: 'vectorized scipy.sparse KKT [[2H, A_K\'], [A_K, 0]] + rhs from numpy arrays of the exported problem (reading untimed)',
      scipySolve: 'scipy.sparse.linalg.spsolve (SuperLU, COLAMD) on that KKT',
      scipyRows: 'A_K: equality quotes minus those ours dropped as redundant, plus the bands ours found active at their bound',
      ratios: 'SciPy / ours: solve vs solve, SciPy assembly + solve vs our buildCurve',
    },
    problems: { curvesPerSet: COUNT, horizon: 'month after the trade date to 2050-12, on-peak + off-peak' },
    sets,
    batch,
    totalSec: round((performance.now() - started) / 1000, 1),
  }

  process.stdout.write(`\nforward curves, ${COUNT} curves per set (per-curve medians, ms; ratios SciPy / ours)\n`)
  process.stdout.write(' set        quotes  our build  our solve  SciPy asm  SciPy solve  solve x  build x  max |dx|\n')
  for (const s of sets) {
    const cells = [s.set.padEnd(10), String(s.size.medianQuotes).padStart(6), String(s.ours.buildPerCurveMs).padStart(10), String(s.ours.solvePerCurveMs).padStart(10)]
    cells.push(String(s.scipy.assemblyPerCurveMs).padStart(10), String(s.scipy.solvePerCurveMs).padStart(12), String(s.ratios.solvePerCurve).padStart(8), String(s.ratios.buildPerCurve).padStart(8))
    process.stdout.write(` ${cells.join(' ')} ${s.maxAbsDiffVsScipy.toExponential(1).padStart(9)}\n`)
  }
  if (batch) {
    process.stdout.write(
      ` batch: ${batch.curves} curves on ${batch.workerThreads} threads (${batch.cores} cores): ${batch.wallMs} ms, ${batch.curvesPerSecond} curves/s, ` +
        `${batch.speedupOverSerial}x the main thread alone, ${batch.scipyExtrapolatedVsOurs}x SciPy (extrapolated)\n`,
    )
  }
  process.stdout.write(`\n${JSON.stringify(result)}\n`)
}

await main()
