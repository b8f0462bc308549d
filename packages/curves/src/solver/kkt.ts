/**
 * The structured KKT solver. With d = x - prior the problem is
 *   minimize d'Hd  subject to  A x = target (equalities),  lo <= a.x <= hi (bid/ask bands)
 * where H = D2'D2 + diag(priorWeight) is banded (half-bandwidth 2). The minimizer has the form
 * d = H^-1 A' nu, so every question is about the small m x m Schur complement S = A H^-1 A':
 * equalities solve S nu = target - A prior, redundancy is rank deficiency of S (the combination a
 * redundant quote is made of is then read off the weight rows, which are better conditioned than S),
 * and the band active set only ever factorizes submatrices of S. S is computed from short banded
 * substitutions over the quoted months only, and is block diagonal over components (on-peak and
 * off-peak quotes never meet): see structure.ts. Why it is shaped this way, with profiles and
 * figures: docs/decisions/018-curve-solver-speed.md.
 *
 * Multiplier convention everywhere: multipliers[k] is the sensitivity of the optimal objective to
 * constraint k's right-hand side (its target, or the bound it sits on), i.e. 2H(x - prior) = A' multipliers.
 * A band held at its bid (lo) has a multiplier >= 0, one held at its ask (hi) a multiplier <= 0.
 */
import { Arena } from './arena.ts'
import { type DiagonalBlocks, choleskyDense, choleskyPivots, pivotedCholesky, solveCholeskyDense } from './dense.ts'
import { type CurveProblem, curveObjective, validateProblem } from './problem.ts'
import {
  type CurveStructure,
  curveStructure,
  quoteComponents,
  rowDot,
  componentGroups,
  schurComplement,
  solveHessian,
} from './structure.ts'

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

/**
 * S = A H^-1 A' (row-major, exactly symmetric), A prior, the problem's structure (sparse rows, the
 * factor of H) and each quote's component (quotes in different components have S_jk = 0).
 */
type SchurSystem = {
  n: number
  m: number
  s: Float64Array
  base: Float64Array
  structure: CurveStructure
  component: Int32Array
  /** The quotes of each component (by component id), in index order. */
  members: Int32Array[]
  /** Whether any quote has a bid/ask band. */
  hasBands: boolean
  /** Scratch memory of this solve (see arena.ts): every temporary below comes from it. */
  arena: Arena
}

/** The solver's scratch memory, reused from solve to solve (a solve is synchronous, so one suffices per thread). */
const SCRATCH = new Arena()

/**
 * S = A H^-1 A' component by component, W = H^-1 A' only where quotes read it (see structure.ts).
 * W itself is not kept: a curve is prior + H^-1 (A' nu), one banded solve.
 */
function buildSchurSystem(problem: CurveProblem, arena: Arena): SchurSystem {
  const { n } = problem
  const structure = curveStructure(problem, arena)
  const { rows } = structure
  const m = rows.m
  const component = quoteComponents(structure, arena)
  const s = schurComplement(structure, component, arena)
  const base = arena.float64(m)
  for (let k = 0; k < m; k++) base[k] = rowDot(rows, k, problem.prior)
  const members: Int32Array[] = []
  for (const group of componentGroups(component)) {
    const list = arena.int32(group.length)
    group.forEach((k, t) => (list[t] = k))
    members[group[0]!] = list
  }
  const hasBands = problem.constraints.some((c) => c.band !== undefined)
  return { n, m, s, base, structure, component, members, hasBands, arena }
}

/** Positions 0 .. size - 1 of `rows` reordered so each component's quotes are contiguous (stable within one). */
function componentOrder(system: SchurSystem, rows: readonly number[]): Int32Array {
  const order = system.arena.int32(rows.length)
  for (let t = 0; t < rows.length; t++) order[t] = t
  return order.sort((p, q) => system.component[rows[p]!]! - system.component[rows[q]!]! || p - q)
}

/**
 * The Cholesky factor of S on a set of quotes (with signs), factorized in component order so the
 * envelope-aware dense Cholesky only works inside each component's block. `order[t]` is the position
 * in `rows` of the t-th factorized row; solve() takes and returns vectors in `rows` order.
 */
type SchurFactor = { size: number; order: Int32Array; factor: Float64Array; blocks: DiagonalBlocks }

/** The contiguous runs of one component in a component-ordered list of quotes, per position. */
function blocksOfOrder(system: SchurSystem, ordered: readonly number[]): DiagonalBlocks {
  const size = ordered.length
  const blocks = { start: system.arena.int32(size), end: system.arena.int32(size) }
  for (let t = 0; t < size; t++) {
    const same = t > 0 && system.component[ordered[t]!] === system.component[ordered[t - 1]!]
    blocks.start[t] = same ? blocks.start[t - 1]! : t
  }
  for (let t = size - 1; t >= 0; t--) {
    const same = t + 1 < size && blocks.start[t + 1] === blocks.start[t]
    blocks.end[t] = same ? blocks.end[t + 1]! : t + 1
  }
  return blocks
}

function factorSchur(system: SchurSystem, rows: readonly number[], signs?: readonly number[]): SchurFactor | null {
  const order = componentOrder(system, rows)
  const permuted = Array.from(order, (t) => rows[t]!)
  const factor = choleskyDense(
    schurSubmatrix(
      system,
      permuted,
      signs === undefined ? undefined : Array.from(order, (t) => signs[t]!),
    ),
    rows.length,
    system.arena,
  )
  return factor === null ? null : { size: rows.length, order, factor, blocks: blocksOfOrder(system, permuted) }
}

function solveSchur(system: SchurSystem, factor: SchurFactor, rhs: ArrayLike<number>): Float64Array {
  const { size, order } = factor
  const permuted = system.arena.float64(size)
  for (let t = 0; t < size; t++) permuted[t] = rhs[order[t]!]!
  const solved = solveCholeskyDense(factor.factor, size, permuted, system.arena, factor.blocks)
  const out = system.arena.float64(size)
  for (let t = 0; t < size; t++) out[order[t]!] = solved[t]!
  return out
}

/** S restricted to rows/columns `rows`, each row and column multiplied by its sign. */
function schurSubmatrix(system: SchurSystem, rows: readonly number[], signs?: readonly number[]): Float64Array {
  const size = rows.length
  const sub = system.arena.float64(size * size)
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
 * A quote's weight row with duplicate indices merged, as its nonzeros in index order: the entries of
 * the dense row (same sums, same order), so every product below gives the doubles the dense row did.
 */
type WeightRow = { index: Int32Array; weight: Float64Array; first: number; last: number }

function weightRow(system: SchurSystem, k: number): WeightRow {
  const { rows } = system.structure
  const dense = system.arena.float64(system.n)
  let count = 0
  for (let t = rows.start[k]!, end = rows.start[k + 1]!; t < end; t++) dense[rows.index[t]!]! += rows.weight[t]!
  for (let i = rows.first[k]!; i <= rows.last[k]!; i++) if (dense[i] !== 0) count++
  const row: WeightRow = { index: system.arena.int32(count), weight: system.arena.float64(count), first: rows.first[k]!, last: rows.last[k]! }
  count = 0
  for (let i = rows.first[k]!; i <= rows.last[k]!; i++) {
    if (dense[i] === 0) continue
    row.index[count] = i
    row.weight[count++] = dense[i]!
  }
  return row
}

/** a . b in index order (a merge of the two nonzero lists; disjoint supports give 0). */
function rowDotRow(a: WeightRow, b: WeightRow): number {
  if (a.last < b.first || b.last < a.first) return 0
  let sum = 0
  for (let p = 0, q = 0; p < a.index.length && q < b.index.length; ) {
    if (a.index[p]! < b.index[q]!) p++
    else if (a.index[p]! > b.index[q]!) q++
    else sum += a.weight[p++]! * b.weight[q++]!
  }
  return sum
}

/** row . v for a dense v, in index order. */
function rowDotDense(row: WeightRow, v: Float64Array): number {
  let sum = 0
  for (let t = 0; t < row.index.length; t++) sum += row.weight[t]! * v[row.index[t]!]!
  return sum
}

/**
 * The coefficients c with a_row = sum_t c_t a_basis[t], from the Euclidean Gram matrix of the raw
 * weight rows (one refinement step). The pivoted Cholesky of S tells which rows are dependent, but
 * its own coefficients inherit S's conditioning (about 1/priorWeight), which would turn rounding
 * into spurious price conflicts; the weight rows themselves are well conditioned.
 */
function combinationOf(system: SchurSystem, basisRows: WeightRow[], gram: Float64Array, target: WeightRow): Float64Array {
  const rank = basisRows.length
  const coefficients = new Float64Array(rank)
  const residual = system.arena.float64(system.n)
  for (let t = 0; t < target.index.length; t++) residual[target.index[t]!] = target.weight[t]!
  const projections = system.arena.float64(rank)
  for (let step = 0; step < 2; step++) {
    basisRows.forEach((row, t) => (projections[t] = rowDotDense(row, residual)))
    const delta = solveCholeskyDense(gram, rank, projections, system.arena)
    basisRows.forEach((row, t) => {
      coefficients[t]! += delta[t]!
      for (let u = 0; u < row.index.length; u++) residual[row.index[u]!]! -= delta[t]! * row.weight[u]!
    })
  }
  return coefficients
}

/** Cholesky factor of the Gram matrix of the basis weight rows (independent rows, so positive definite). */
function gramFactor(system: SchurSystem, basisRows: WeightRow[]): Float64Array {
  const rank = basisRows.length
  const gram = system.arena.float64(rank * rank)
  basisRows.forEach((row, s) => basisRows.forEach((other, t) => (gram[s * rank + t] = rowDotRow(row, other))))
  const factor = choleskyDense(gram, rank, system.arena)
  if (factor === null) throw new Error('curve solver: the independent quotes have a singular weight Gram matrix (internal error)')
  return factor
}

/**
 * Guards against dropping a real quote: a dependency found through S (where a tiny priorWeight
 * makes distinct quotes look alike) must also be an exact combination of the raw weight rows.
 */
function assertExactCombination(
  problem: CurveProblem,
  system: SchurSystem,
  row: WeightRow,
  label: string,
  basisRows: WeightRow[],
  basis: readonly number[],
  coefficients: Float64Array,
): void {
  // row - sum_t c_t basis_t, subtracting in basis order at every variable as the dense loop did.
  const miss = system.arena.float64(system.n)
  let scale = 0
  for (let t = 0; t < row.index.length; t++) {
    miss[row.index[t]!] = row.weight[t]!
    scale = Math.max(scale, Math.abs(row.weight[t]!))
  }
  basisRows.forEach((basisRow, t) => {
    for (let u = 0; u < basisRow.index.length; u++) miss[basisRow.index[u]!]! -= coefficients[t]! * basisRow.weight[u]!
  })
  let worst = 0
  for (let i = 0; i < system.n; i++) worst = Math.max(worst, Math.abs(miss[i]!))
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
 * The rank-revealing pivoted Cholesky of S on `rows`, run on each component separately: S is block
 * diagonal over components, so the greedy picks inside one component never depend on another's
 * (the other columns contribute exact zeros) and the pivots and dependent rows are the ones the
 * whole-matrix run finds, at the cost of the blocks' cubes instead of m^3.
 * Returns quote indices: the basis (component by component, pivot order) and the dependent quotes.
 */
function pivotedByComponent(system: SchurSystem, rows: readonly number[]): { basis: number[]; dependent: number[]; factor: Float64Array } {
  const groups = new Map<number, number[]>()
  for (const k of rows) {
    const id = system.component[k]!
    const group = groups.get(id)
    if (group === undefined) groups.set(id, [k])
    else group.push(k)
  }
  const basis: number[] = []
  const dependent: number[] = []
  const results = [...groups.values()].map((group) => {
    const result = pivotedCholesky(schurSubmatrix(system, group), group.length, RANK_TOLERANCE, system.arena)
    for (const p of result.pivots) basis.push(group[p]!)
    for (const { index } of result.dependent) dependent.push(group[index]!)
    return { size: group.length, ...result }
  })
  dependent.sort((p, q) => rows.indexOf(p) - rows.indexOf(q))
  return { basis, dependent, factor: basisFactor(system, basis.length, results) }
}

/**
 * The Cholesky factor of S on the basis quotes in basis order (component by component, pivot order),
 * read off the pivoted factorizations: block diagonal, block c holding L[pivots[a]][b] of component c.
 * It is what factorSchur would compute for those rows in that order, so the first working-set solve reuses it.
 */
function basisFactor(system: SchurSystem, rank: number, results: { size: number; pivots: number[]; columns: Float64Array }[]): Float64Array {
  const factor = system.arena.float64(rank * rank)
  let offset = 0
  for (const { size, pivots, columns } of results) {
    for (let a = 0; a < pivots.length; a++) {
      for (let b = 0; b <= a; b++) factor[(offset + a) * rank + offset + b] = columns[pivots[a]! * size + b]!
    }
    offset += pivots.length
  }
  return factor
}

/**
 * Splits the equality quotes into an independent set and consistent redundant ones, via a
 * rank-revealing pivoted Cholesky of S on the equality rows. Throws CurveConflictError listing every
 * redundant quote whose price disagrees with the combination of the quotes it depends on.
 */
function resolveEqualities(
  problem: CurveProblem,
  system: SchurSystem,
  tolerance: number,
): { independent: number[]; redundant: number[]; factor: SchurFactor } {
  const rows = equalityPivotOrder(problem)
  const pivoted = pivotedByComponent(system, rows)
  const { basis, dependent } = pivoted
  const independent = [...basis].sort((p, q) => p - q)
  const factor = reusedFactor(system, basis, independent, pivoted.factor)
  if (dependent.length === 0) return { independent, redundant: [], factor }
  const redundant: number[] = []
  const conflicts: CurveConflict[] = []
  const bases = componentBases(system, basis)
  for (const row of dependent) {
    const { label, target } = problem.constraints[row]!
    // A quote is a combination of the basis quotes of its own component only (other components
    // share no variable with it): the same coefficients as over the whole basis, whose other
    // entries are exact zeros, from a Gram matrix the size of one component.
    // (A component may have no basis quote at all: a row whose weights cancel to zero.)
    const own = bases.get(system.component[row]!) ?? { quotes: [], rows: [], gram: null }
    own.gram ??= gramFactor(system, own.rows)
    const weights = weightRow(system, row)
    const coefficients = combinationOf(system, own.rows, own.gram, weights)
    assertExactCombination(problem, system, weights, label, own.rows, own.quotes, coefficients)
    let implied = 0
    own.quotes.forEach((k, t) => (implied += coefficients[t]! * problem.constraints[k]!.target))
    const size = target - implied
    if (Math.abs(size) <= allowance(tolerance, target)) redundant.push(row)
    else conflicts.push({ constraint: label, involved: involvedLabels(problem, own.quotes, coefficients), size })
  }
  if (conflicts.length > 0) throw new CurveConflictError(conflicts)
  return { independent, redundant: redundant.sort((p, q) => p - q), factor }
}

/** The basis quotes of each component (in basis order), their weight rows, and their Gram factor once needed. */
function componentBases(system: SchurSystem, basis: readonly number[]): Map<number, { quotes: number[]; rows: WeightRow[]; gram: Float64Array | null }> {
  const bases = new Map<number, { quotes: number[]; rows: WeightRow[]; gram: Float64Array | null }>()
  for (const k of basis) {
    const id = system.component[k]!
    let own = bases.get(id)
    if (own === undefined) {
      own = { quotes: [], rows: [], gram: null }
      bases.set(id, own)
    }
    own.quotes.push(k)
    own.rows.push(weightRow(system, k))
  }
  return bases
}

/** The basis factor as a SchurFactor over the independent quotes in index order (order[t] = position of the t-th basis quote). */
function reusedFactor(system: SchurSystem, basis: readonly number[], independent: readonly number[], factor: Float64Array): SchurFactor {
  const position = new Map<number, number>()
  independent.forEach((k, t) => position.set(k, t))
  const order = system.arena.int32(basis.length)
  basis.forEach((k, t) => (order[t] = position.get(k)!))
  return { size: basis.length, order, factor, blocks: blocksOfOrder(system, basis) }
}

/**
 * One row of the working set. sign +1: a.x = bound (an equality, or a band held at lo);
 * sign -1: a band held at hi. In normal form every row reads sign * (a.x - bound) >= 0 (= 0 if fixed).
 */
type WorkingRow = { index: number; sign: 1 | -1; bound: number; fixed: boolean }

type WorkingSetSolution = { nu: Float64Array; factor: SchurFactor }

/** The equality-constrained minimizer for a working set: nu with S_AA nu_A = bound - A prior (nu zero elsewhere). */
function solveWorkingSet(system: SchurSystem, rows: readonly WorkingRow[], known?: SchurFactor): WorkingSetSolution {
  const indices = rows.map((r) => r.index)
  const factor = known ?? factorSchur(system, indices)
  if (factor === null) throw new Error('curve solver: the active quotes became linearly dependent (internal error)')
  const rhs = system.arena.float64(rows.length)
  rows.forEach((r, t) => (rhs[t] = r.bound - system.base[r.index]!))
  const nuActive = solveSchur(system, factor, rhs)
  const nu = system.arena.float64(system.m)
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
function refinedCurve(problem: CurveProblem, system: SchurSystem, rows: readonly WorkingRow[], solved: WorkingSetSolution, steps = REFINEMENT_STEPS): Float64Array {
  const x = assembleCurve(problem, system, solved.nu)
  for (let step = 0; step < steps; step++) {
    const residual = system.arena.float64(rows.length)
    rows.forEach((r, t) => (residual[t] = r.bound - rowDot(system.structure.rows, r.index, x)))
    // Within a few units in the last place of the prices: another step cannot improve it.
    if (residual.every((value, t) => Math.abs(value) <= 4 * Number.EPSILON * Math.max(1, Math.abs(rows[t]!.bound)))) break
    const delta = system.arena.float64(system.m)
    const deltaActive = solveSchur(system, solved.factor, residual)
    rows.forEach((r, t) => {
      delta[r.index] = deltaActive[t]!
      solved.nu[r.index]! += deltaActive[t]!
    })
    addColumns(system, delta, x)
  }
  return x
}

/** The most violated band bound not in the working set (largest violation; lowest index, lo before hi, on ties). */
function mostViolatedBand(problem: CurveProblem, values: Float64Array, active: readonly WorkingRow[], tolerance: number): WorkingRow | null {
  const inSet = new Set(active.map((r) => r.index))
  let best: WorkingRow | null = null
  let worst = 0
  for (let k = 0; k < problem.constraints.length; k++) {
    const band = problem.constraints[k]!.band
    if (band === undefined || inSet.has(k)) continue
    const value = values[k]!
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
function addDirection(system: SchurSystem, state: ActiveSetState, p: WorkingRow): { r: Float64Array; delta: number } {
  const { active } = state
  const size = active.length
  const spp = system.s[p.index * system.m + p.index]!
  if (size === 0) return { r: new Float64Array(0), delta: spp }
  // The signed matrix D S D (D = the rows' signs) has the factor D L D of S's factor L: exact sign
  // flips, so one unsigned factor of the working set serves every step until the set changes.
  state.factor ??= factorSchur(
    system,
    active.map((row) => row.index),
  )
  if (state.factor === null) throw new Error('curve solver: the active quotes became linearly dependent (internal error)')
  const column = system.arena.float64(size)
  active.forEach((row, t) => (column[t] = system.s[row.index * system.m + p.index]!))
  const z = solveSchur(system, state.factor, column)
  const r = system.arena.float64(size)
  let delta = spp
  active.forEach((row, t) => {
    r[t] = row.sign * p.sign * z[t]!
    delta -= column[t]! * z[t]!
  })
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
function bandConflict(problem: CurveProblem, system: SchurSystem, values: Float64Array, active: readonly WorkingRow[], p: WorkingRow): CurveConflictError {
  const size = p.bound - values[p.index]!
  const rows = active.map((row) => row.index)
  const basisRows = rows.map((k) => weightRow(system, k))
  const coefficients = rows.length > 0 ? combinationOf(system, basisRows, gramFactor(system, basisRows), weightRow(system, p.index)) : []
  return new CurveConflictError([
    { constraint: problem.constraints[p.index]!.label, involved: involvedLabels(problem, rows, coefficients), size },
  ])
}

/**
 * The active-set iterate: working rows with their multipliers in normal form (u >= 0 for bands),
 * and the curve x = prior + W nu, kept both as nu and as the curve so band values are read off
 * the same numbers a caller would read.
 */
type ActiveSetState = {
  active: WorkingRow[]
  u: number[]
  nu: Float64Array
  /**
   * a_k . x for every quote k. A band step updates these m numbers (by S times the step in nu)
   * instead of the curve, which would cost a banded solve per step; every anchor recomputes them
   * from the refined curve (values from base + S nu alone lose too much to cancellation when bands
   * are degenerate, e.g. bid = ask on dependent quotes).
   */
  values: Float64Array
  /** The refined curve of the last anchor: the final answer as is when no band ever entered. */
  x: Float64Array
  iterations: number
  /** The last anchor's working-set solve. */
  solved: WorkingSetSolution | null
  /** The factor of S on the working set in its current order (unsigned); null once the set changed. */
  factor: SchurFactor | null
}

/**
 * Re-anchors the iterate on the exact minimizer of its working set, its curve refined by `steps`
 * (see refinedCurve). Valid whenever every working row is met, which holds at the start and after
 * every full step of the method; it keeps rounding from accumulating over many steps. The anchors
 * between band steps do without refinement (two banded solves each, most of a band step's cost);
 * enforceBands refines before any decision rounding could sway, and the answer is solved and
 * refined again on the final set.
 */
function anchor(problem: CurveProblem, system: SchurSystem, state: ActiveSetState, known?: SchurFactor, steps = REFINEMENT_STEPS): void {
  const solved = solveWorkingSet(system, state.active, known)
  state.x = refinedCurve(problem, system, state.active, solved, steps)
  // Only bands read the quote values: without any, the curve is the answer and they are not needed.
  if (system.hasBands) for (let k = 0; k < system.m; k++) state.values[k] = rowDot(system.structure.rows, k, state.x)
  state.nu = solved.nu
  state.solved = solved
  state.factor = solved.factor
  state.u = state.active.map((row) => row.sign * 2 * solved.nu[row.index]!)
}

/**
 * values += S coefficients, over the coefficients of `rows` (and `extra`) only (S is symmetric: row j
 * is column j, and zero outside j's component).
 */
function addSchurColumns(system: SchurSystem, rows: readonly WorkingRow[], coefficients: Float64Array, values: Float64Array, extra?: number): void {
  const { m, s, members } = system
  const add = (j: number) => {
    const coefficient = coefficients[j]!
    if (coefficient === 0) return
    const offset = j * m
    for (const k of members[system.component[j]!]!) values[k]! += s[offset + k]! * coefficient
  }
  for (const row of rows) add(row.index)
  if (extra !== undefined) add(extra)
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
    const { r, delta } = addDirection(system, state, p)
    const slack = p.sign * (state.values[p.index]! - p.bound)
    const primal = delta > 0 ? (-2 * slack) / delta : Infinity
    const dual = dualStepLimit(state.active, state.u, r)
    if (primal === Infinity && dual.t === Infinity) throw bandConflict(problem, system, state.values, state.active, p)
    const t = Math.min(primal, dual.t)
    if (primal !== Infinity) moveAlong(system, state, p, r, t)
    state.u.forEach((value, s) => (state.u[s] = value - t * r[s]!))
    up += t
    state.factor = null
    if (t === primal) {
      state.active.push(p)
      state.u.push(up)
      return
    }
    state.active.splice(dual.drop, 1)
    state.u.splice(dual.drop, 1)
  }
}

/** x += t z with z = (1/2) H^-1 (sign_p a_p - sum_s sign_s r_s a_s), i.e. nu += (t/2) zeta, and A x += S (nu step). */
function moveAlong(system: SchurSystem, state: ActiveSetState, p: WorkingRow, r: Float64Array, t: number): void {
  const step = system.arena.float64(system.m)
  step[p.index] = 0.5 * t * p.sign
  state.active.forEach((row, s) => (step[row.index] = -0.5 * t * row.sign * r[s]!))
  state.nu[p.index]! += step[p.index]!
  for (const row of state.active) state.nu[row.index]! += step[row.index]!
  addSchurColumns(system, state.active, step, state.values, p.index)
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
  equalityFactor: SchurFactor,
): ActiveSetState {
  const state: ActiveSetState = {
    active: [...equalities],
    u: [],
    nu: system.arena.float64(system.m),
    values: system.arena.float64(system.m),
    x: problem.prior,
    iterations: 0,
    solved: null,
    factor: null,
  }
  anchor(problem, system, state, equalityFactor)
  if (!system.hasBands) return state
  let refined = true
  for (;;) {
    const p = mostViolatedBand(problem, state.values, state.active, tolerance)
    // The anchors between band steps are not refined (see anchor): a decision that rounding could
    // change (no band violated, or one violated by little) is made again on the refined curve.
    if (!refined && (p === null || p.sign * (p.bound - state.values[p.index]!) < CLEAR_VIOLATION * allowance(tolerance, p.bound))) {
      anchor(problem, system, state, state.factor ?? undefined)
      refined = true
      continue
    }
    if (p === null) return state
    addBand(problem, system, state, p, maxIterations)
    anchor(problem, system, state, undefined, 0)
    refined = false
  }
}

/**
 * A band violated by more than this many times its allowance is violated whatever the rounding of
 * an unrefined curve (its error is orders of magnitude smaller); below it, the refined curve decides.
 */
const CLEAR_VIOLATION = 1e4

/** Max |a.x - target| over equality quotes, and max distance outside the band over banded quotes. */
function maxResidual(problem: CurveProblem, system: SchurSystem, x: Float64Array): number {
  let worst = 0
  for (let k = 0; k < system.m; k++) {
    const constraint = problem.constraints[k]!
    const value = rowDot(system.structure.rows, k, x)
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

/** x += W coefficients = H^-1 (A' coefficients): one banded solve instead of one column per quote. */
function addColumns(system: SchurSystem, coefficients: Float64Array, x: Float64Array): void {
  const { rows } = system.structure
  const v = system.arena.float64(system.n)
  let any = false
  for (let k = 0; k < system.m; k++) {
    const coefficient = coefficients[k]!
    if (coefficient === 0) continue
    any = true
    for (let t = rows.start[k]!, end = rows.start[k + 1]!; t < end; t++) v[rows.index[t]!]! += coefficient * rows.weight[t]!
  }
  if (!any) return
  solveHessian(system.structure, v)
  for (let i = 0; i < system.n; i++) x[i]! += v[i]!
}

function conditionOf(pivots: number[]): number {
  if (pivots.length === 0) return 1
  let largest = pivots[0]!
  let smallest = pivots[0]!
  for (const pivot of pivots) {
    largest = Math.max(largest, pivot)
    smallest = Math.min(smallest, pivot)
  }
  return largest / smallest
}

/**
 * Solves a curve problem: reversed banded Cholesky H = U U', Schur complement S = A H^-1 A' per
 * component (structure.ts), rank-revealing pivoted Cholesky of S over the equality quotes
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
  SCRATCH.reset()
  const system = buildSchurSystem(problem, SCRATCH)
  const { independent, redundant, factor } = resolveEqualities(problem, system, tolerance)
  const equalities = independent.map((index): WorkingRow => ({ index, sign: 1, bound: problem.constraints[index]!.target, fixed: true }))
  const state = enforceBands(problem, system, equalities, tolerance, maxIterations, factor)
  const finalRows = [...state.active].sort((p, q) => p.index - q.index)
  // Without band steps the last anchor already solved exactly these rows in this order.
  const reuse = state.iterations === 0 && state.solved !== null && state.active.every((row, t) => row === finalRows[t])
  const solved = reuse ? state.solved! : solveWorkingSet(system, finalRows)
  const x = reuse ? state.x : refinedCurve(problem, system, finalRows, solved)
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
      maxResidual: maxResidual(problem, system, x),
      objective: curveObjective(problem, x),
      schurCondition: conditionOf(choleskyPivots(solved.factor.factor, finalRows.length)),
    },
  }
}
