/**
 * Symmetric positive-definite banded matrices: compact storage, Cholesky factorization in
 * O(n p^2) and solves in O(n p). The curve Hessian H = D2'D2 + diag(priorWeight) has half-bandwidth
 * 2, so a factorization of a 600-variable curve costs a few thousand flops instead of a dense n^3.
 */
import { type CurveProblem } from './problem.ts'

/**
 * The lower band of a symmetric matrix: entry (i, j) with 0 <= i - j <= bandwidth is stored at
 * data[i * (bandwidth + 1) + (i - j)]; entries outside the band are zero. Rows near the top keep
 * unused slots (for j < 0) so every row has the same stride.
 */
export type SymmetricBandedMatrix = { n: number; bandwidth: number; data: Float64Array }

/** The lower-triangular Cholesky factor L (H = L L'), stored with the same layout as the matrix. */
export type BandedCholesky = { n: number; bandwidth: number; data: Float64Array }

/** A zero n x n symmetric matrix with the given half-bandwidth. */
export function createBandedMatrix(n: number, bandwidth: number): SymmetricBandedMatrix {
  return { n, bandwidth, data: new Float64Array(n * (bandwidth + 1)) }
}

/** Storage slot of (i, j) for i >= j within the band. */
function slot(bandwidth: number, i: number, j: number): number {
  return i * (bandwidth + 1) + (i - j)
}

/** Entry (i, j) of a symmetric banded matrix (zero outside the band). */
export function bandedEntry(matrix: SymmetricBandedMatrix, i: number, j: number): number {
  const [row, col] = i >= j ? [i, j] : [j, i]
  if (row - col > matrix.bandwidth) return 0
  return matrix.data[slot(matrix.bandwidth, row, col)]!
}

/** Adds value to entry (i, j) (and so to (j, i)); throws if (i, j) is outside the band. */
export function addToBanded(matrix: SymmetricBandedMatrix, i: number, j: number, value: number): void {
  const [row, col] = i >= j ? [i, j] : [j, i]
  if (row - col > matrix.bandwidth) throw new Error(`entry (${i}, ${j}) is outside half-bandwidth ${matrix.bandwidth}`)
  matrix.data[slot(matrix.bandwidth, row, col)]! += value
}

/** y = M x for a symmetric banded M. */
export function multiplyBanded(matrix: SymmetricBandedMatrix, x: Float64Array): Float64Array {
  const { n, bandwidth, data } = matrix
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    y[i]! += data[slot(bandwidth, i, i)]! * x[i]!
    for (let j = Math.max(0, i - bandwidth); j < i; j++) {
      const value = data[slot(bandwidth, i, j)]!
      y[i]! += value * x[j]!
      y[j]! += value * x[i]!
    }
  }
  return y
}

/**
 * Cholesky factorization H = L L' of a symmetric positive-definite banded matrix, row by row:
 * L[i][j] = (H[i][j] - sum_k L[i][k] L[j][k]) / L[j][j], where k only runs over the band, so the
 * cost is O(n p^2). Throws naming the row if a pivot is not positive (H not positive definite).
 */
export function choleskyBanded(matrix: SymmetricBandedMatrix): BandedCholesky {
  const { n, bandwidth: p } = matrix
  const l = new Float64Array(matrix.data)
  for (let i = 0; i < n; i++) {
    for (let j = Math.max(0, i - p); j <= i; j++) {
      let sum = l[slot(p, i, j)]!
      for (let k = Math.max(0, i - p); k < j; k++) sum -= l[slot(p, i, k)]! * l[slot(p, j, k)]!
      if (i === j) {
        if (!(sum > 0)) throw new Error(`banded Cholesky: matrix is not positive definite (pivot ${sum} at row ${i})`)
        l[slot(p, i, i)] = Math.sqrt(sum)
      } else {
        l[slot(p, i, j)] = sum / l[slot(p, j, j)]!
      }
    }
  }
  return { n, bandwidth: p, data: l }
}

/** Solves L y = b in place (forward substitution over the band). */
function forwardSubstitute(factor: BandedCholesky, y: Float64Array): void {
  const { n, bandwidth: p, data } = factor
  // L is lower triangular: the leading zeros of y stay zero (a quote's row is zero before its first month).
  let first = 0
  while (first < n && y[first] === 0) first++
  for (let i = first; i < n; i++) {
    let sum = y[i]!
    for (let j = Math.max(0, i - p); j < i; j++) sum -= data[slot(p, i, j)]! * y[j]!
    y[i] = sum / data[slot(p, i, i)]!
  }
}

/** Solves L' x = y in place (back substitution over the band). */
function backSubstitute(factor: BandedCholesky, x: Float64Array): void {
  const { n, bandwidth: p, data } = factor
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i]!
    for (let j = i + 1; j <= Math.min(n - 1, i + p); j++) sum -= data[slot(p, j, i)]! * x[j]!
    x[i] = sum / data[slot(p, i, i)]!
  }
}

/** Solves H x = b given H's banded Cholesky factor; returns a new array and leaves b untouched. */
export function solveBandedCholesky(factor: BandedCholesky, b: Float64Array): Float64Array {
  if (b.length !== factor.n) throw new Error(`right-hand side has length ${b.length}, expected ${factor.n}`)
  const x = new Float64Array(b)
  forwardSubstitute(factor, x)
  backSubstitute(factor, x)
  return x
}

/** The half-bandwidth of the curve Hessian: second differences couple a variable with its two neighbours on each side. */
export const CURVE_BANDWIDTH = 2

/** Second-difference stencil d[i-1] - 2 d[i] + d[i+1]. */
const STENCIL = [1, -2, 1] as const

/**
 * H = D2'D2 + diag(priorWeight) for a problem, so that the objective is d'Hd with d = x - prior.
 * Each second-difference row inside a segment adds the outer product of (1, -2, 1) at its three
 * variables; nothing couples two segments, so H is block-diagonal with pentadiagonal blocks.
 */
export function buildCurveHessian(problem: CurveProblem): SymmetricBandedMatrix {
  const hessian = createBandedMatrix(problem.n, CURVE_BANDWIDTH)
  for (const { start, length } of problem.segments) {
    for (let first = start; first + 2 < start + length; first++) addStencilRow(hessian, first)
  }
  for (let i = 0; i < problem.n; i++) addToBanded(hessian, i, i, problem.priorWeight[i]!)
  return hessian
}

/** Adds the outer product of the stencil placed at variables first .. first + 2. */
function addStencilRow(hessian: SymmetricBandedMatrix, first: number): void {
  for (let a = 0; a < STENCIL.length; a++) {
    for (let b = 0; b <= a; b++) addToBanded(hessian, first + a, first + b, STENCIL[a]! * STENCIL[b]!)
  }
}
