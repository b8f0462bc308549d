/**
 * Dense linear algebra on small matrices (row-major Float64Array, size x size), and the dense
 * reference solver. The structured solver only ever factorizes m x m matrices (m ~ 40 quotes) here;
 * the reference solver builds the whole (n + m) x (n + m) KKT matrix on purpose, so tests and the
 * benchmark compare the structured solution against a method that shares none of its shortcuts.
 */
import { type Arena, doubles } from './arena.ts'
import { buildCurveHessian, bandedEntry } from './banded.ts'
import { type CurveProblem, validateProblem } from './problem.ts'

/**
 * Solves M x = b by Gaussian elimination with partial pivoting (largest |pivot| in the column,
 * lowest row on ties). O(size^3): fine up to a few hundred unknowns. Throws if M is singular to
 * working precision. Neither M nor b is modified.
 */
export function solveDenseLinearSystem(matrix: Float64Array, size: number, rhs: Float64Array): Float64Array {
  const a = new Float64Array(matrix)
  const b = new Float64Array(rhs)
  const scale = maxAbs(a)
  for (let col = 0; col < size; col++) {
    const pivotRow = largestInColumn(a, size, col)
    if (!(Math.abs(a[pivotRow * size + col]!) > 1e-14 * scale)) throw new Error(`dense solve: matrix is singular at column ${col}`)
    if (pivotRow !== col) swapRows(a, b, size, col, pivotRow)
    eliminateBelow(a, b, size, col)
  }
  return backSubstituteUpper(a, b, size)
}

function maxAbs(values: Float64Array): number {
  let max = 0
  for (const value of values) max = Math.max(max, Math.abs(value))
  return max
}

function largestInColumn(a: Float64Array, size: number, col: number): number {
  let best = col
  for (let row = col + 1; row < size; row++) {
    if (Math.abs(a[row * size + col]!) > Math.abs(a[best * size + col]!)) best = row
  }
  return best
}

function swapRows(a: Float64Array, b: Float64Array, size: number, r1: number, r2: number): void {
  for (let k = 0; k < size; k++) {
    const t = a[r1 * size + k]!
    a[r1 * size + k] = a[r2 * size + k]!
    a[r2 * size + k] = t
  }
  const t = b[r1]!
  b[r1] = b[r2]!
  b[r2] = t
}

function eliminateBelow(a: Float64Array, b: Float64Array, size: number, col: number): void {
  const pivot = a[col * size + col]!
  for (let row = col + 1; row < size; row++) {
    const factor = a[row * size + col]! / pivot
    if (factor === 0) continue
    a[row * size + col] = 0
    for (let k = col + 1; k < size; k++) a[row * size + k]! -= factor * a[col * size + k]!
    b[row]! -= factor * b[col]!
  }
}

function backSubstituteUpper(a: Float64Array, b: Float64Array, size: number): Float64Array {
  const x = new Float64Array(size)
  for (let row = size - 1; row >= 0; row--) {
    let sum = b[row]!
    for (let k = row + 1; k < size; k++) sum -= a[row * size + k]! * x[k]!
    x[row] = sum / a[row * size + row]!
  }
  return x
}

/**
 * Cholesky factor (lower triangular, row-major) of a small symmetric positive-definite matrix, or
 * null if a pivot is not positive. Only the lower triangle of the input is read.
 * Envelope-aware: L[i][j] is zero left of row i's first nonzero, so those products are skipped (the
 * same doubles as the plain loop). A block-diagonal matrix whose blocks are contiguous (the Schur
 * complement of on-peak and off-peak quotes, ordered by block) costs the sum of its blocks' cubes.
 */
export function choleskyDense(matrix: Float64Array, size: number, arena?: Arena): Float64Array | null {
  const l = doubles(arena, size * size)
  const first = arena === undefined ? new Int32Array(size) : arena.int32(size)
  for (let i = 0; i < size; i++) {
    let j = 0
    while (j < i && matrix[i * size + j] === 0) j++
    first[i] = j
  }
  for (let i = 0; i < size; i++) {
    for (let j = first[i]!; j <= i; j++) {
      let sum = matrix[i * size + j]!
      for (let k = Math.max(first[i]!, first[j]!); k < j; k++) sum -= l[i * size + k]! * l[j * size + k]!
      if (i === j) {
        if (!(sum > 0)) return null
        l[i * size + i] = Math.sqrt(sum)
      } else {
        l[i * size + j] = sum / l[j * size + j]!
      }
    }
  }
  return l
}

/**
 * Row i of a block-diagonal factor lives in the contiguous block [start[i], end[i]): L is zero
 * outside it, so substitutions skip the rest (the same doubles, fewer products).
 */
export type DiagonalBlocks = { start: Int32Array; end: Int32Array }

/** Solves (L L') x = b for a factor from choleskyDense (x from `arena` when given; `blocks` when L is block diagonal). */
export function solveCholeskyDense(factor: Float64Array, size: number, rhs: ArrayLike<number>, arena?: Arena, blocks?: DiagonalBlocks): Float64Array {
  const x = doubles(arena, size)
  for (let i = 0; i < size; i++) x[i] = rhs[i]!
  for (let i = 0; i < size; i++) {
    let sum = x[i]!
    for (let k = blocks === undefined ? 0 : blocks.start[i]!; k < i; k++) sum -= factor[i * size + k]! * x[k]!
    x[i] = sum / factor[i * size + i]!
  }
  for (let i = size - 1; i >= 0; i--) {
    let sum = x[i]!
    for (let k = i + 1, end = blocks === undefined ? size : blocks.end[i]!; k < end; k++) sum -= factor[k * size + i]! * x[k]!
    x[i] = sum / factor[i * size + i]!
  }
  return x
}

/** The squared diagonal of a Cholesky factor: the pivots of the factorized matrix. */
export function choleskyPivots(factor: Float64Array, size: number): number[] {
  return Array.from({ length: size }, (_, i) => factor[i * size + i]! ** 2)
}

/** A row the pivoted Cholesky found to be a combination of the pivot rows: row = sum coefficients[t] * row(pivots[t]). */
export type DependentRow = { index: number; coefficients: Float64Array }

export type PivotedCholesky = {
  /** Rows chosen as pivots, in pivot order (local indices into the factorized matrix). */
  pivots: number[]
  /**
   * L row by row: L[i][t] (row i's entry in the t-th pivot's column) at columns[i * size + t];
   * L[pivots[a]][b] for b <= a is the Cholesky factor of the pivot rows in pivot order.
   */
  columns: Float64Array
  /** Rows left over once every remaining (scaled) residual fell below the rank tolerance. */
  dependent: DependentRow[]
}

/**
 * Rank-revealing Cholesky of a symmetric positive-semidefinite matrix with diagonal pivoting on
 * the Jacobi-scaled residual: at each step the row whose residual diagonal is the largest fraction
 * of its own diagonal is eliminated (earliest row on ties, so callers control preference by
 * ordering). It stops when every remaining fraction is <= rankTolerance: those rows are (to working
 * precision) combinations of the pivots, and their coefficients come from one back substitution
 * each, since the eliminated columns of L already hold the forward substitution.
 */
export function pivotedCholesky(matrix: Float64Array, size: number, rankTolerance: number, arena?: Arena): PivotedCholesky {
  const residual = doubles(arena, size)
  for (let i = 0; i < size; i++) residual[i] = matrix[i * size + i]!
  const chosen = new Uint8Array(size)
  // L[i][t] at columns[i * size + t]: one block, not one array per pivot, and the products of one
  // elimination step read two rows contiguously.
  const columns = doubles(arena, size * size)
  const pivots: number[] = []
  for (;;) {
    const next = bestScaledPivot(matrix, size, residual, chosen, rankTolerance)
    if (next < 0) break
    eliminationColumn(matrix, size, residual, chosen, columns, pivots, next)
    pivots.push(next)
    chosen[next] = 1
  }
  const dependent: DependentRow[] = []
  for (let i = 0; i < size; i++) {
    if (chosen[i] === 0) dependent.push({ index: i, coefficients: combinationCoefficients(columns, size, pivots, i) })
  }
  return { pivots, columns, dependent }
}

/** The unchosen row with the largest residual-to-diagonal fraction above the tolerance, or -1. */
function bestScaledPivot(matrix: Float64Array, size: number, residual: Float64Array, chosen: Uint8Array, rankTolerance: number): number {
  let best = -1
  let bestFraction = rankTolerance
  for (let i = 0; i < size; i++) {
    const diagonal = matrix[i * size + i]!
    if (chosen[i] === 1 || !(diagonal > 0)) continue
    const fraction = residual[i]! / diagonal
    if (fraction > bestFraction) {
      best = i
      bestFraction = fraction
    }
  }
  return best
}

/** Column of L for a new pivot (entry pivots.length of every row), updating the residual diagonal of the rows not yet chosen. */
function eliminationColumn(
  matrix: Float64Array,
  size: number,
  residual: Float64Array,
  chosen: Uint8Array,
  columns: Float64Array,
  pivots: number[],
  pivot: number,
): void {
  const step = pivots.length
  const root = Math.sqrt(residual[pivot]!)
  const pivotRow = pivot * size
  columns[pivotRow + step] = root
  for (let i = 0; i < size; i++) {
    if (chosen[i] === 1 || i === pivot) continue
    const row = i * size
    let sum = matrix[row + pivot]!
    for (let t = 0; t < step; t++) sum -= columns[row + t]! * columns[pivotRow + t]!
    const value = sum / root
    columns[row + step] = value
    residual[i] = residual[i]! - value ** 2
  }
}

/** Solves L_PP' c = L[row, :] by back substitution: the coefficients of row over the pivot rows. */
function combinationCoefficients(columns: Float64Array, size: number, pivots: number[], row: number): Float64Array {
  const rank = pivots.length
  const c = new Float64Array(rank)
  for (let t = rank - 1; t >= 0; t--) {
    let sum = columns[row * size + t]!
    for (let u = t + 1; u < rank; u++) sum -= columns[pivots[u]! * size + t]! * c[u]!
    c[t] = sum / columns[pivots[t]! * size + t]!
  }
  return c
}

/** The full KKT system of an equality-constrained curve problem, dense. */
export type DenseKkt = { size: number; matrix: Float64Array; rhs: Float64Array }

/**
 * [[2H, A'], [A, 0]] [x; mu] = [2H prior; target]: the first-order conditions of minimizing
 * (x - prior)' H (x - prior) subject to A x = target, written out densely.
 */
export function buildDenseKkt(problem: CurveProblem): DenseKkt {
  const { n, constraints } = problem
  const size = n + constraints.length
  const matrix = new Float64Array(size * size)
  const rhs = new Float64Array(size)
  const hessian = buildCurveHessian(problem)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) matrix[i * size + j] = 2 * bandedEntry(hessian, i, j)
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) rhs[i]! += matrix[i * size + j]! * problem.prior[j]!
  }
  constraints.forEach((constraint, k) => {
    const row = n + k
    for (const [index, weight] of constraint.terms) {
      matrix[row * size + index]! += weight
      matrix[index * size + row]! += weight
    }
    rhs[row] = constraint.target
  })
  return { size, matrix, rhs }
}

/**
 * Reference solver for equality-only problems: the dense KKT matrix solved by Gaussian elimination
 * with partial pivoting. Multipliers follow the structured solver's convention (the sensitivity of
 * the optimal objective to each target, i.e. 2H(x - prior) = A' multipliers), so they compare
 * directly. Throws on bands (not handled) and on redundant constraints (the KKT matrix is singular).
 */
export function solveCurveProblemDense(problem: CurveProblem): { x: Float64Array; multipliers: Float64Array } {
  validateProblem(problem)
  const banded = problem.constraints.find((c) => c.band !== undefined)
  if (banded !== undefined) throw new Error(`dense reference solver handles equality constraints only; ${banded.label} has a band`)
  const { size, matrix, rhs } = buildDenseKkt(problem)
  const solution = solveDenseLinearSystem(matrix, size, rhs)
  const x = solution.slice(0, problem.n)
  const multipliers = solution.slice(problem.n).map((mu) => -mu)
  return { x, multipliers }
}
