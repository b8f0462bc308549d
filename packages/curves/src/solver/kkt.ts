/**
 * The structured KKT solver. With d = x - prior the problem is
 *   minimize d'Hd  subject to  A x = target (equalities),  lo <= a.x <= hi (bid/ask bands)
 * where H = D2'D2 + diag(priorWeight) is banded (half-bandwidth 2). The minimizer has the form
 * d = H^-1 A' nu, so once W = H^-1 A' is known (one banded solve per quote) every question is about
 * the small m x m Schur complement S = A W: equalities solve S nu = target - A prior, redundancy is
 * rank deficiency of S (the combination a redundant quote is made of is then read off the weight
 * rows, which are better conditioned than S), and the band active set only ever factorizes
 * submatrices of S.
 *
 * Multiplier convention everywhere: multipliers[k] is the sensitivity of the optimal objective to
 * constraint k's right-hand side (its target, or the bound it sits on), i.e. 2H(x - prior) = A' multipliers.
 * A band held at its bid (lo) has a multiplier >= 0, one held at its ask (hi) a multiplier <= 0.
 */
import { buildCurveHessian, choleskyBanded, solveBandedCholesky } from './banded.ts'
import { choleskyDense, choleskyPivots, pivotedCholesky, solveCholeskyDense } from './dense.ts'
import { type CurveConstraint, type CurveProblem, constraintValue, curveObjective, validateProblem } from './problem.ts'

export type CurveSolveOptions = {
  /** Relative tolerance in price units: a quote may miss by tolerance * max(1, |price|). Default 1e-9. */
  tolerance?: number
  /** Cap on band active-set iterations (a safety net; the method terminates on its own). Default max(100, 20 m). */
  maxIterations?: number
}

/** One set of quotes that cannot all hold: `constraint` differs by `size` from what `involved` imply. */
export type CurveConflict = {
  constraint: string
  involved: string[]
  /** Signed, in price units: the dependent quote (or the band bound it misses) minus the value the others imply. */
  size: number
}

export type CurveSolution = {
  x: Float64Array
  /** One per input constraint; 0 for dropped redundant quotes and inactive bands. */
  multipliers: Float64Array
  diagnostics: {
    method: 'kkt-banded-schur'
    variables: number
    constraints: number
    /** Labels of consistent redundant equality quotes that were dropped (input order). */
    redundant: string[]
    /** Bands that bind at the solution (input order). */
    activeBands: { label: string; side: 'lo' | 'hi' }[]
    /** Band active-set iterations (0 without bands). */
    iterations: number
    /** Max |a.x - target| over equality quotes and max band violation. */
    maxResidual: number
    objective: number
    /** Largest over smallest pivot of the Schur complement of the final active quotes (1 when there are none). */
    schurCondition: number
  }
}

/** Rounds a conflict size for messages (the exact value stays in `conflicts`). */
function formatSize(size: number): string {
  return String(Number(size.toPrecision(6)))
}

function describeConflict(conflict: CurveConflict): string {
  if (conflict.involved.length === 0)
    return `${conflict.constraint} has no weight on any variable but misses by ${formatSize(conflict.size)}`
  return `${conflict.constraint} disagrees with ${conflict.involved.join(', ')} by ${formatSize(conflict.size)}`
}

/**
 * Quotes that contradict each other: a redundant quote whose price differs from what the quotes it
 * depends on imply, or bid/ask bands that cannot be met together. Carries every conflict found so
 * a user can fix the quote file in one pass.
 */
export class CurveConflictError extends Error {
  readonly conflicts: CurveConflict[]

  constructor(conflicts: CurveConflict[]) {
    super(`Inconsistent quotes: ${conflicts.map(describeConflict).join('; ')}`)
    this.name = 'CurveConflictError'
    this.conflicts = conflicts
  }
}

/**
 * A quote counts as a combination of others when its Schur residual is at most this fraction of
 * its own Schur diagonal. Exact dependencies land near 1e-13 even with priorWeight 1e-10, while
 * independent quotes stay around priorWeight or above, so this separates them for any sensible prior.
 */
const RANK_TOLERANCE = 1e-11
/** A dependency found in the smoothness metric must also hold for the raw weight rows to this relative accuracy. */
const COMBINATION_TOLERANCE = 1e-9
/** Coefficients smaller than this fraction of the largest are numerical noise, not involvement. */
const INVOLVEMENT_TOLERANCE = 1e-7

/** W = H^-1 A' (column k at k * n), S = A W (row-major, exactly symmetric) and A prior. */
type SchurSystem = { n: number; m: number; w: Float64Array; s: Float64Array; base: Float64Array }

function denseRow(constraint: CurveConstraint, n: number): Float64Array {
  const row = new Float64Array(n)
  for (const [index, weight] of constraint.terms) row[index]! += weight
  return row
}

/** One banded solve per quote for W, then the m x m Schur complement from the sparse rows. */
function buildSchurSystem(problem: CurveProblem): SchurSystem {
  const { n, constraints } = problem
  const m = constraints.length
  const factor = choleskyBanded(buildCurveHessian(problem))
  const w = new Float64Array(m * n)
  constraints.forEach((constraint, k) => w.set(solveBandedCholesky(factor, denseRow(constraint, n)), k * n))
  // S[j][k] = a_j . W_k, read straight from W through a_j's few terms (no per-pair views).
  const s = new Float64Array(m * m)
  for (let j = 0; j < m; j++) {
    const terms = constraints[j]!.terms
    for (let k = j; k < m; k++) {
      const offset = k * n
      let value = 0
      for (const [index, weight] of terms) value += weight * w[offset + index]!
      s[j * m + k] = value
      s[k * m + j] = value
    }
  }
  const base = Float64Array.from(constraints, (c) => constraintValue(c, problem.prior))
  return { n, m, w, s, base }
}

/** S restricted to rows/columns `rows`, each row and column multiplied by its sign. */
function schurSubmatrix(system: SchurSystem, rows: readonly number[], signs?: readonly number[]): Float64Array {
  const size = rows.length
  const sub = new Float64Array(size * size)
  for (let a = 0; a < size; a++) {
    for (let b = 0; b < size; b++) {
      const sign = signs === undefined ? 1 : signs[a]! * signs[b]!
      sub[a * size + b] = sign * system.s[rows[a]! * system.m + rows[b]!]!
    }
  }
  return sub
}

/** The price-unit slack a quote is allowed: tolerance * max(1, |price|). */
function allowance(tolerance: number, price: number): number {
  return tolerance * Math.max(1, Math.abs(price))
}

/** Labels of the rows with a non-negligible coefficient, in input order. */
function involvedLabels(problem: CurveProblem, rows: readonly number[], coefficients: ArrayLike<number>): string[] {
  let largest = 0
  for (let t = 0; t < rows.length; t++) largest = Math.max(largest, Math.abs(coefficients[t]!))
  const picked = rows.filter((_, t) => Math.abs(coefficients[t]!) > INVOLVEMENT_TOLERANCE * largest)
  return [...picked].sort((p, q) => p - q).map((k) => problem.constraints[k]!.label)
}

/**
 * The coefficients c with a_row = sum_t c_t a_basis[t], from the Euclidean Gram matrix of the raw
 * weight rows (one refinement step). The pivoted Cholesky of S tells which rows are dependent, but
 * its own coefficients inherit S's conditioning (about 1/priorWeight), which would turn rounding
 * into spurious price conflicts; the weight rows themselves are well conditioned.
 */
function combinationOf(basisRows: Float64Array[], gram: Float64Array, target: Float64Array): Float64Array {
  const rank = basisRows.length
  const coefficients = new Float64Array(rank)
  const residual = new Float64Array(target)
  for (let step = 0; step < 2; step++) {
    const delta = solveCholeskyDense(
      gram,
      rank,
      Float64Array.from(basisRows, (row) => dot(row, residual)),
    )
    basisRows.forEach((row, t) => {
      coefficients[t]! += delta[t]!
      for (let i = 0; i < row.length; i++) residual[i]! -= delta[t]! * row[i]!
    })
  }
  return coefficients
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!
  return sum
}

/** Cholesky factor of the Gram matrix of the basis weight rows (independent rows, so positive definite). */
function gramFactor(basisRows: Float64Array[]): Float64Array {
  const rank = basisRows.length
  const gram = new Float64Array(rank * rank)
  basisRows.forEach((row, s) => basisRows.forEach((other, t) => (gram[s * rank + t] = dot(row, other))))
  const factor = choleskyDense(gram, rank)
  if (factor === null) throw new Error('curve solver: the independent quotes have a singular weight Gram matrix (internal error)')
  return factor
}

/**
 * Guards against dropping a real quote: a dependency found through S (where a tiny priorWeight
 * makes distinct quotes look alike) must also be an exact combination of the raw weight rows.
 */
function assertExactCombination(
  problem: CurveProblem,
  row: Float64Array,
  label: string,
  basisRows: Float64Array[],
  basis: readonly number[],
  coefficients: Float64Array,
): void {
  let scale = 0
  let worst = 0
  for (let i = 0; i < row.length; i++) {
    let value = row[i]!
    scale = Math.max(scale, Math.abs(value))
    basisRows.forEach((basisRow, t) => (value -= coefficients[t]! * basisRow[i]!))
    worst = Math.max(worst, Math.abs(value))
  }
  if (worst > COMBINATION_TOLERANCE * scale) {
    throw new Error(
      `Curve problem is numerically singular: ${label} is nearly, but not exactly, a combination of ` +
        `${involvedLabels(problem, basis, coefficients).join(', ')} under the smoothness metric; increase priorWeight`,
    )
  }
}

/** Equality quotes ordered so shorter contracts are preferred as pivots: a quarter, not one of its months, is reported redundant. */
function equalityPivotOrder(problem: CurveProblem): number[] {
  const rows = problem.constraints.map((_, k) => k).filter((k) => problem.constraints[k]!.band === undefined)
  return rows.sort((p, q) => problem.constraints[p]!.terms.length - problem.constraints[q]!.terms.length || p - q)
}

/**
 * Splits the equality quotes into an independent set and consistent redundant ones, via a
 * rank-revealing pivoted Cholesky of S on the equality rows. Throws CurveConflictError listing every
 * redundant quote whose price disagrees with the combination of the quotes it depends on.
 */
function resolveEqualities(problem: CurveProblem, system: SchurSystem, tolerance: number): { independent: number[]; redundant: number[] } {
  const rows = equalityPivotOrder(problem)
  const { pivots, dependent } = pivotedCholesky(schurSubmatrix(system, rows), rows.length, RANK_TOLERANCE)
  const basis = pivots.map((p) => rows[p]!)
  if (dependent.length === 0) return { independent: basis.sort((p, q) => p - q), redundant: [] }
  const basisRows = basis.map((k) => denseRow(problem.constraints[k]!, problem.n))
  const gram = gramFactor(basisRows)
  const redundant: number[] = []
  const conflicts: CurveConflict[] = []
  for (const { index } of dependent) {
    const row = rows[index]!
    const { label, target } = problem.constraints[row]!
    const weights = denseRow(problem.constraints[row]!, problem.n)
    const coefficients = combinationOf(basisRows, gram, weights)
    assertExactCombination(problem, weights, label, basisRows, basis, coefficients)
    let implied = 0
    basis.forEach((k, t) => (implied += coefficients[t]! * problem.constraints[k]!.target))
    const size = target - implied
    if (Math.abs(size) <= allowance(tolerance, target)) redundant.push(row)
    else conflicts.push({ constraint: label, involved: involvedLabels(problem, basis, coefficients), size })
  }
  if (conflicts.length > 0) throw new CurveConflictError(conflicts)
  return { independent: basis.sort((p, q) => p - q), redundant: redundant.sort((p, q) => p - q) }
}

/**
 * One row of the working set. sign +1: a.x = bound (an equality, or a band held at lo);
 * sign -1: a band held at hi. In normal form every row reads sign * (a.x - bound) >= 0 (= 0 if fixed).
 */
type WorkingRow = { index: number; sign: 1 | -1; bound: number; fixed: boolean }

type WorkingSetSolution = { nu: Float64Array; factor: Float64Array }

/** The equality-constrained minimizer for a working set: nu with S_AA nu_A = bound - A prior (nu zero elsewhere). */
function solveWorkingSet(system: SchurSystem, rows: readonly WorkingRow[]): WorkingSetSolution {
  const indices = rows.map((r) => r.index)
  const factor = choleskyDense(schurSubmatrix(system, indices), rows.length)
  if (factor === null) throw new Error('curve solver: the active quotes became linearly dependent (internal error)')
  const rhs = Float64Array.from(rows, (r) => r.bound - system.base[r.index]!)
  const nuActive = solveCholeskyDense(factor, rows.length, rhs)
  const nu = new Float64Array(system.m)
  indices.forEach((k, t) => (nu[k] = nuActive[t]!))
  return { nu, factor }
}

/** Iterative-refinement steps per working-set solve. */
const REFINEMENT_STEPS = 2

/**
 * The curve of a working-set solution, iteratively refined: each step re-solves S_AA delta = bound - A x
 * with the residual of the curve itself and adds W delta (small terms, so little new rounding).
 * Assembling x = prior + W nu cancels large terms when priorWeight is small; refinement brings the
 * quotes' residuals back to the rounding of the prices. Updates nu in place.
 */
function refinedCurve(problem: CurveProblem, system: SchurSystem, rows: readonly WorkingRow[], solved: WorkingSetSolution): Float64Array {
  const x = assembleCurve(problem, system, solved.nu)
  for (let step = 0; step < REFINEMENT_STEPS; step++) {
    const residual = Float64Array.from(rows, (r) => r.bound - constraintValue(problem.constraints[r.index]!, x))
    // Within a few units in the last place of the prices: another step cannot improve it.
    if (residual.every((value, t) => Math.abs(value) <= 4 * Number.EPSILON * Math.max(1, Math.abs(rows[t]!.bound)))) break
    const delta = new Float64Array(system.m)
    const deltaActive = solveCholeskyDense(solved.factor, rows.length, residual)
    rows.forEach((r, t) => {
      delta[r.index] = deltaActive[t]!
      solved.nu[r.index]! += deltaActive[t]!
    })
    addColumns(system, delta, x)
  }
  return x
}

/** The most violated band bound not in the working set (largest violation; lowest index, lo before hi, on ties). */
function mostViolatedBand(problem: CurveProblem, x: Float64Array, active: readonly WorkingRow[], tolerance: number): WorkingRow | null {
  const inSet = new Set(active.map((r) => r.index))
  let best: WorkingRow | null = null
  let worst = 0
  for (let k = 0; k < problem.constraints.length; k++) {
    const band = problem.constraints[k]!.band
    if (band === undefined || inSet.has(k)) continue
    const value = constraintValue(problem.constraints[k]!, x)
    const below = band.lo - value
    const above = value - band.hi
    if (below > allowance(tolerance, band.lo) && below > worst) {
      best = { index: k, sign: 1, bound: band.lo, fixed: false }
      worst = below
    } else if (above > allowance(tolerance, band.hi) && above > worst) {
      best = { index: k, sign: -1, bound: band.hi, fixed: false }
      worst = above
    }
  }
  return best
}

/**
 * Goldfarb-Idnani step for adding row p to working set A, in normal form (rows multiplied by their
 * sign): r = S~_AA^-1 S~_Ap is how the active multipliers must fall per unit of p's multiplier, and
 * delta = S_pp - S~_pA r is p's Schur residual given A (0 when p is a combination of A).
 */
function addDirection(system: SchurSystem, active: readonly WorkingRow[], p: WorkingRow): { r: Float64Array; delta: number } {
  const size = active.length
  const spp = system.s[p.index * system.m + p.index]!
  if (size === 0) return { r: new Float64Array(0), delta: spp }
  const factor = choleskyDense(
    schurSubmatrix(
      system,
      active.map((row) => row.index),
      active.map((row) => row.sign),
    ),
    size,
  )
  if (factor === null) throw new Error('curve solver: the active quotes became linearly dependent (internal error)')
  const cross = Float64Array.from(active, (row) => row.sign * p.sign * system.s[row.index * system.m + p.index]!)
  const r = solveCholeskyDense(factor, size, cross)
  let delta = spp
  for (let t = 0; t < size; t++) delta -= cross[t]! * r[t]!
  return { r, delta: delta > RANK_TOLERANCE * spp ? delta : 0 }
}

/** The largest dual step before an active band's multiplier reaches zero, and which band (lowest position on ties). */
function dualStepLimit(active: readonly WorkingRow[], u: readonly number[], r: Float64Array): { t: number; drop: number } {
  let t = Infinity
  let drop = -1
  active.forEach((row, s) => {
    if (row.fixed || !(r[s]! > 0)) return
    const limit = Math.max(0, u[s]!) / r[s]!
    if (limit < t) {
      t = limit
      drop = s
    }
  })
  return { t, drop }
}

/**
 * The conflict certified when p is a combination of the working set and no band can give way.
 * The quotes involved are read from the Euclidean combination of the weight rows (well conditioned),
 * not from the Schur-metric direction.
 */
function bandConflict(problem: CurveProblem, x: Float64Array, active: readonly WorkingRow[], p: WorkingRow): CurveConflictError {
  const size = p.bound - constraintValue(problem.constraints[p.index]!, x)
  const rows = active.map((row) => row.index)
  const basisRows = rows.map((k) => denseRow(problem.constraints[k]!, problem.n))
  const coefficients =
    rows.length > 0 ? combinationOf(basisRows, gramFactor(basisRows), denseRow(problem.constraints[p.index]!, problem.n)) : []
  return new CurveConflictError([
    { constraint: problem.constraints[p.index]!.label, involved: involvedLabels(problem, rows, coefficients), size },
  ])
}

/**
 * The active-set iterate: working rows with their multipliers in normal form (u >= 0 for bands),
 * and the curve x = prior + W nu, kept both as nu and as the curve so band values are read off
 * the same numbers a caller would read.
 */
type ActiveSetState = { active: WorkingRow[]; u: number[]; nu: Float64Array; x: Float64Array; iterations: number }

/**
 * Re-anchors the iterate on the exact (refined) minimizer of its working set. Valid whenever every
 * working row is met, which holds at the start and after every full step of the method; it keeps
 * rounding from accumulating over many steps.
 */
function anchor(problem: CurveProblem, system: SchurSystem, state: ActiveSetState): void {
  const solved = solveWorkingSet(system, state.active)
  state.x = refinedCurve(problem, system, state.active, solved)
  state.nu = solved.nu
  state.u = state.active.map((row) => row.sign * 2 * solved.nu[row.index]!)
}

/**
 * Adds one violated band bound p (Goldfarb-Idnani): step along the primal direction that keeps the
 * working set tight while p's multiplier grows; if an active band's multiplier would turn negative
 * first, drop that band and continue; once p is met exactly, add it. Each add or drop is one iteration.
 */
function addBand(problem: CurveProblem, system: SchurSystem, state: ActiveSetState, p: WorkingRow, maxIterations: number): void {
  let up = 0
  for (;;) {
    if (++state.iterations > maxIterations) throw new Error(`curve solver: no band active set after ${maxIterations} iterations`)
    const { r, delta } = addDirection(system, state.active, p)
    const slack = p.sign * (constraintValue(problem.constraints[p.index]!, state.x) - p.bound)
    const primal = delta > 0 ? (-2 * slack) / delta : Infinity
    const dual = dualStepLimit(state.active, state.u, r)
    if (primal === Infinity && dual.t === Infinity) throw bandConflict(problem, state.x, state.active, p)
    const t = Math.min(primal, dual.t)
    if (primal !== Infinity) moveAlong(system, state, p, r, t)
    state.u.forEach((value, s) => (state.u[s] = value - t * r[s]!))
    up += t
    if (t === primal) {
      state.active.push(p)
      state.u.push(up)
      return
    }
    state.active.splice(dual.drop, 1)
    state.u.splice(dual.drop, 1)
  }
}

/** x += t z with z = (1/2) H^-1 (sign_p a_p - sum_s sign_s r_s a_s), i.e. nu += (t/2) zeta. */
function moveAlong(system: SchurSystem, state: ActiveSetState, p: WorkingRow, r: Float64Array, t: number): void {
  const step = new Float64Array(system.m)
  step[p.index] = 0.5 * t * p.sign
  state.active.forEach((row, s) => (step[row.index] = -0.5 * t * row.sign * r[s]!))
  step.forEach((value, k) => (state.nu[k]! += value))
  addColumns(system, step, state.x)
}

/**
 * The band active set by the dual (Goldfarb-Idnani) active-set method. It starts from the
 * equality-only solution with every band inactive, which is optimal but possibly outside some band
 * (dual feasible, not primal feasible); it then adds the most violated band bound, dropping any band
 * whose multiplier would change sign, until every band holds. Starting there needs no feasible
 * point (quoted mids of overlapping contracts need not agree, so "all bands at mid" may be
 * infeasible), and a violated bound that is a combination of the working set with nothing left to
 * drop certifies infeasibility, which becomes a CurveConflictError naming the quotes.
 */
function enforceBands(
  problem: CurveProblem,
  system: SchurSystem,
  equalities: WorkingRow[],
  tolerance: number,
  maxIterations: number,
): ActiveSetState {
  const state: ActiveSetState = { active: [...equalities], u: [], nu: new Float64Array(system.m), x: problem.prior, iterations: 0 }
  anchor(problem, system, state)
  for (;;) {
    const p = mostViolatedBand(problem, state.x, state.active, tolerance)
    if (p === null) return state
    addBand(problem, system, state, p, maxIterations)
    anchor(problem, system, state)
  }
}

/** Max |a.x - target| over equality quotes, and max distance outside the band over banded quotes. */
function maxResidual(problem: CurveProblem, x: Float64Array): number {
  let worst = 0
  for (const constraint of problem.constraints) {
    const value = constraintValue(constraint, x)
    const miss =
      constraint.band === undefined
        ? Math.abs(value - constraint.target)
        : Math.max(0, constraint.band.lo - value, value - constraint.band.hi)
    worst = Math.max(worst, miss)
  }
  return worst
}

/** x = prior + sum_k nu_k W[:, k] over the nonzero nu, in index order. */
function assembleCurve(problem: CurveProblem, system: SchurSystem, nu: Float64Array): Float64Array {
  const x = new Float64Array(problem.prior)
  addColumns(system, nu, x)
  return x
}

/** x += W coefficients (skipping zero coefficients), in index order. */
function addColumns(system: SchurSystem, coefficients: Float64Array, x: Float64Array): void {
  for (let k = 0; k < system.m; k++) {
    const coefficient = coefficients[k]!
    if (coefficient === 0) continue
    const offset = k * system.n
    for (let i = 0; i < system.n; i++) x[i]! += coefficient * system.w[offset + i]!
  }
}

function conditionOf(pivots: number[]): number {
  if (pivots.length === 0) return 1
  return Math.max(...pivots) / Math.min(...pivots)
}

/**
 * Solves a curve problem: banded Cholesky of H, W = H^-1 A' (one banded solve per quote, O(n m)),
 * Schur complement S = A W, rank-revealing pivoted Cholesky of S over the equality quotes
 * (consistent redundant quotes are dropped and reported; inconsistent ones throw CurveConflictError),
 * the band active set by the dual active-set method on submatrices of S, and a final solve on the
 * active quotes for x and the multipliers. Deterministic: no randomness and every choice is broken
 * by index, so the same problem gives the same bytes.
 */
export function solveCurveProblem(problem: CurveProblem, options: CurveSolveOptions = {}): CurveSolution {
  validateProblem(problem)
  const tolerance = options.tolerance ?? 1e-9
  const m = problem.constraints.length
  const maxIterations = options.maxIterations ?? Math.max(100, 20 * m)
  const system = buildSchurSystem(problem)
  const { independent, redundant } = resolveEqualities(problem, system, tolerance)
  const equalities = independent.map((index): WorkingRow => ({ index, sign: 1, bound: problem.constraints[index]!.target, fixed: true }))
  const state = enforceBands(problem, system, equalities, tolerance, maxIterations)
  const finalRows = [...state.active].sort((p, q) => p.index - q.index)
  const solved = solveWorkingSet(system, finalRows)
  const x = refinedCurve(problem, system, finalRows, solved)
  const nu = solved.nu
  return {
    x,
    multipliers: nu.map((value) => 2 * value),
    diagnostics: {
      method: 'kkt-banded-schur',
      variables: problem.n,
      constraints: m,
      redundant: redundant.map((k) => problem.constraints[k]!.label),
      activeBands: finalRows
        .filter((row) => !row.fixed)
        .map((row) => ({ label: problem.constraints[row.index]!.label, side: row.sign === 1 ? 'lo' : 'hi' })),
      iterations: state.iterations,
      maxResidual: maxResidual(problem, x),
      objective: curveObjective(problem, x),
      schurCondition: conditionOf(choleskyPivots(solved.factor, finalRows.length)),
    },
  }
}
