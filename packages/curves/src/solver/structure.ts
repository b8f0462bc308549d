/**
 * The structure the fast curve solver works on, in flat typed arrays: the quotes as sparse rows with
 * their index ranges, the Hessian H = D2'D2 + diag(priorWeight) as three pentadiagonal bands, its
 * reversed Cholesky factor H = U U' (U upper triangular), and the blocks of H (the segments, and every
 * variable outside a segment on its own), which nothing couples.
 *
 * Why U U' and not L L': a quote averages a contiguous run of months, usually near the front. With
 * U, U z = a runs from the quote's last month down to the start of its block and z is zero above it,
 * so H^-1 a = U'^-1 z is exact from a short back substitution plus a forward one that can stop at the
 * last quoted variable (where the other quotes read it). With L the forward half would run to the end
 * of the curve for every quote.
 */
import { type Arena } from './arena.ts'
import { type CurveProblem } from './problem.ts'

/** The quotes as compressed sparse rows: row k is index/weight[start[k] .. start[k + 1]), spanning variables first[k] .. last[k]. */
export type SparseRows = {
  m: number
  start: Int32Array
  index: Int32Array
  weight: Float64Array
  first: Int32Array
  last: Int32Array
}

/**
 * H = U U' with U upper triangular of half-bandwidth 2: U[i][i] = u0[i], U[i][i+1] = u1[i], U[i][i+2] = u2[i].
 * inverse[i] = 1 / u0[i]: substitutions multiply by it (a multiply pipelines, a divide does not).
 */
export type ReversedCholesky = { n: number; u0: Float64Array; u1: Float64Array; u2: Float64Array; inverse: Float64Array }

export type CurveStructure = {
  n: number
  rows: SparseRows
  factor: ReversedCholesky
  /** First variable of the block that holds variable i (blocks are never coupled by H). */
  blockStart: Int32Array
  /** One past the last variable of the block that holds variable i. */
  blockEnd: Int32Array
  /** One past the last variable any quote reads in the block of variable i: H^-1 a_k is never needed beyond it there. */
  readEnd: Int32Array
}

/** Flattens the constraints' [index, weight] terms (duplicates kept: they add up in every product). */
export function sparseRows(problem: CurveProblem, arena: Arena): SparseRows {
  const m = problem.constraints.length
  let total = 0
  for (const constraint of problem.constraints) total += constraint.terms.length
  const rows: SparseRows = {
    m,
    start: arena.int32(m + 1),
    index: arena.int32(total),
    weight: arena.float64(total),
    first: arena.int32(m),
    last: arena.int32(m),
  }
  let position = 0
  for (let k = 0; k < m; k++) {
    rows.start[k] = position
    let first = problem.n
    let last = -1
    const terms = problem.constraints[k]!.terms
    for (let t = 0; t < terms.length; t++) {
      const index = terms[t]![0]
      rows.index[position] = index
      rows.weight[position] = terms[t]![1]
      position++
      if (index < first) first = index
      if (index > last) last = index
    }
    rows.first[k] = first
    rows.last[k] = last
  }
  rows.start[m] = position
  return rows
}

/** a_k . v for sparse row k (terms in input order, as constraintValue sums them). */
export function rowDot(rows: SparseRows, k: number, v: Float64Array): number {
  let sum = 0
  for (let t = rows.start[k]!, end = rows.start[k + 1]!; t < end; t++) sum += rows.weight[t]! * v[rows.index[t]!]!
  return sum
}

/**
 * The three bands of H (diagonal, first and second superdiagonal), built like buildCurveHessian:
 * the outer product of the stencil (1, -2, 1) for every second-difference row, then the prior weight
 * on the diagonal, added in the same order so the entries are the same doubles.
 */
export function curveHessianBands(problem: CurveProblem, arena: Arena): { h0: Float64Array; h1: Float64Array; h2: Float64Array } {
  const n = problem.n
  const h0 = arena.float64(n)
  const h1 = arena.float64(n)
  const h2 = arena.float64(n)
  for (const { start, length } of problem.segments) {
    for (let first = start; first + 2 < start + length; first++) {
      h0[first]! += 1
      h1[first]! += -2
      h2[first]! += 1
      h0[first + 1]! += 4
      h1[first + 1]! += -2
      h0[first + 2]! += 1
    }
  }
  for (let i = 0; i < n; i++) h0[i]! += problem.priorWeight[i]!
  return { h0, h1, h2 }
}

/**
 * H = U U' from the bottom up: u2[i] = H[i][i+2] / u0[i+2], u1[i] = (H[i][i+1] - u2[i] u1[i+1]) / u0[i+1],
 * u0[i] = sqrt(H[i][i] - u1[i]^2 - u2[i]^2). O(n). Throws naming the row if H is not positive definite.
 */
export function reversedCholesky(h0: Float64Array, h1: Float64Array, h2: Float64Array, arena: Arena): ReversedCholesky {
  const n = h0.length
  const u0 = arena.float64(n)
  const u1 = arena.float64(n)
  const u2 = arena.float64(n)
  for (let i = n - 1; i >= 0; i--) {
    const second = i + 2 < n ? h2[i]! / u0[i + 2]! : 0
    const first = i + 1 < n ? (h1[i]! - second * u1[i + 1]!) / u0[i + 1]! : 0
    const pivot = h0[i]! - first * first - second * second
    if (!(pivot > 0)) throw new Error(`banded Cholesky: matrix is not positive definite (pivot ${pivot} at row ${i})`)
    u0[i] = Math.sqrt(pivot)
    u1[i] = first
    u2[i] = second
  }
  const inverse = arena.float64(n)
  for (let i = 0; i < n; i++) inverse[i] = 1 / u0[i]!
  return { n, u0, u1, u2, inverse }
}

/** Block boundaries of H: i and i + 1 share a block when an entry of H couples a variable <= i with one > i. */
function blocksOf(h1: Float64Array, h2: Float64Array, arena: Arena): { blockStart: Int32Array; blockEnd: Int32Array } {
  const n = h1.length
  const blockStart = arena.int32(n)
  const blockEnd = arena.int32(n)
  for (let i = 1; i < n; i++) {
    const coupled = h1[i - 1] !== 0 || h2[i - 1] !== 0 || (i >= 2 && h2[i - 2] !== 0)
    blockStart[i] = coupled ? blockStart[i - 1]! : i
  }
  let end = n
  for (let i = n - 1; i >= 0; i--) {
    blockEnd[i] = end
    if (blockStart[i] === i) end = i
  }
  return { blockStart, blockEnd }
}

/** Per variable: one past the last variable of its block that any quote reads (the block start if none does). */
function readEnds(rows: SparseRows, blockStart: Int32Array, blockEnd: Int32Array, arena: Arena): Int32Array {
  const n = blockStart.length
  const readEnd = arena.int32(n)
  for (let t = 0; t < rows.index.length; t++) {
    const index = rows.index[t]!
    const start = blockStart[index]!
    readEnd[start] = Math.max(readEnd[start]!, index + 1)
  }
  for (let i = 0; i < n; i++) readEnd[i] = Math.min(blockEnd[i]!, Math.max(readEnd[blockStart[i]!]!, blockStart[i]!))
  return readEnd
}

/** Everything the solver needs about a problem's structure, in O(n + nonzeros). */
export function curveStructure(problem: CurveProblem, arena: Arena): CurveStructure {
  const rows = sparseRows(problem, arena)
  const { h0, h1, h2 } = curveHessianBands(problem, arena)
  const factor = reversedCholesky(h0, h1, h2, arena)
  const blocks = blocksOf(h1, h2, arena)
  return { n: problem.n, rows, factor, ...blocks, readEnd: readEnds(rows, blocks.blockStart, blocks.blockEnd, arena) }
}

/** Solves U z = v in place over [low, high] (z is zero above high when v is), back to front. */
function solveUpper(factor: ReversedCholesky, v: Float64Array, low: number, high: number): void {
  const { n, u1, u2, inverse } = factor
  for (let i = high; i >= low; i--) {
    let sum = v[i]!
    if (i + 1 < n) sum -= u1[i]! * v[i + 1]!
    if (i + 2 < n) sum -= u2[i]! * v[i + 2]!
    v[i] = sum * inverse[i]!
  }
}

/** Solves U' w = z in place over [low, end), front to back (w is zero below low when z is and low starts a block). */
function solveLower(factor: ReversedCholesky, z: Float64Array, low: number, end: number): void {
  const { u1, u2, inverse } = factor
  for (let i = low; i < end; i++) {
    let sum = z[i]!
    if (i - 1 >= low) sum -= u1[i - 1]! * z[i - 1]!
    if (i - 2 >= low) sum -= u2[i - 2]! * z[i - 2]!
    z[i] = sum * inverse[i]!
  }
}

/** v := H^-1 v in place over the whole curve (v is the right-hand side on entry). */
export function solveHessian(structure: CurveStructure, v: Float64Array): void {
  let high = v.length - 1
  while (high >= 0 && v[high] === 0) high--
  if (high < 0) return
  solveUpper(structure.factor, v, 0, high)
  solveLower(structure.factor, v, 0, v.length)
}

/**
 * S = A H^-1 A' (m x m, row-major, exactly symmetric; zero between components), one component at a
 * time. For a component, the columns of W = H^-1 A' are computed together as one dense block over
 * the variables its quotes read, stored row by row (variable-major), so each substitution step updates
 * every column of the component in one inner loop: independent multiply-adds that pipeline, instead
 * of one column's recurrence waiting on its own previous row. Rows in a block's unread tail (past the
 * last variable any quote reads there) are skipped: W is read by no quote there, and the back
 * substitution above the quotes' months only carries zeros.
 * Then S[j][k] = a_j . W_k (terms in input order) for k >= j, mirrored.
 */
export function schurComplement(structure: CurveStructure, component: Int32Array, arena: Arena): Float64Array {
  const m = structure.rows.m
  const s = arena.float64(m * m)
  for (const group of componentGroups(component)) schurOfComponent(structure, group, s, arena)
  return s
}

/** Quote indices grouped by component, each group in index order, groups by their lowest index. */
export function componentGroups(component: Int32Array): number[][] {
  const groups = new Map<number, number[]>()
  for (let k = 0; k < component.length; k++) {
    const group = groups.get(component[k]!)
    if (group === undefined) groups.set(component[k]!, [k])
    else group.push(k)
  }
  return [...groups.values()]
}

function schurOfComponent(structure: CurveStructure, members: readonly number[], s: Float64Array, arena: Arena): void {
  const { rows, blockStart, readEnd } = structure
  const { u1, u2, inverse } = structure.factor
  const m = rows.m
  const width = members.length
  // Columns by last month: column c of W is then only ever read at or below reach[c] (see below).
  const group = [...members].sort((p, q) => rows.last[p]! - rows.last[q]! || p - q)
  let low = structure.n
  for (const k of group) low = Math.min(low, blockStart[rows.first[k]!]!)
  const high = rows.last[group[width - 1]!]! + 1
  // Row of variable i at w[(i - low + 2) * width ..]: two zero rows of padding on each side, so the
  // substitutions read zeros past the ends without a test.
  const w = arena.float64((high - low + 4) * width)
  const shift = 2 - low
  const reach = arena.int32(width)
  for (let c = 0; c < width; c++) {
    const k = group[c]!
    reach[c] = rows.last[k]!
    for (let t = rows.start[k]!, end = rows.start[k + 1]!; t < end; t++) w[(rows.index[t]! + shift) * width + c]! += rows.weight[t]!
  }
  // U Z = A' from the bottom up. Column c of Z is zero above reach[c] (its quote's last month), so at
  // variable i only the columns from firstReaching(i) on are computed.
  let from = width
  for (let i = high - 1; i >= low; i--) {
    while (from > 0 && reach[from - 1]! >= i) from--
    // A block's unread tail (no quote reads there) stays zero: nothing above it in its block is nonzero.
    if (i >= readEnd[i]! || from === width) continue
    const row = (i + shift) * width
    const a1 = u1[i]!
    const a2 = u2[i]!
    const scale = inverse[i]!
    for (let c = from; c < width; c++) w[row + c] = (w[row + c]! - a1 * w[row + width + c]! - a2 * w[row + 2 * width + c]!) * scale
  }
  // U' W = Z from the top down. S[j][k] is read as a_j . W_k with j's column at or before k's, and
  // a_j lies at or below reach[k]: W_k is never read above reach[k], so it is not computed there.
  from = 0
  for (let i = low; i < high; i++) {
    while (from < width && reach[from]! < i) from++
    if (i >= readEnd[i]!) continue
    const row = (i + shift) * width
    const b1 = i >= 1 ? u1[i - 1]! : 0
    const b2 = i >= 2 ? u2[i - 2]! : 0
    const scale = inverse[i]!
    for (let c = from; c < width; c++) w[row + c] = (w[row + c]! - b1 * w[row - width + c]! - b2 * w[row - 2 * width + c]!) * scale
  }
  const sums = arena.float64(width)
  for (let a = 0; a < width; a++) {
    const j = group[a]!
    sums.fill(0)
    for (let t = rows.start[j]!, end = rows.start[j + 1]!; t < end; t++) {
      const row = (rows.index[t]! + shift) * width
      const weight = rows.weight[t]!
      for (let c = a; c < width; c++) sums[c]! += weight * w[row + c]!
    }
    for (let c = a; c < width; c++) {
      const k = group[c]!
      s[j * m + k] = sums[c]!
      s[k * m + j] = sums[c]!
    }
  }
}

/**
 * Connected components of the quotes under "touches the same block of H": quotes in different
 * components have S_jk = 0, so the Schur complement is block diagonal over them. Component ids are
 * the lowest quote index in the component.
 */
export function quoteComponents(structure: CurveStructure, arena: Arena): Int32Array {
  const { rows, blockStart } = structure
  const parent = arena.int32(rows.m)
  for (let k = 0; k < rows.m; k++) parent[k] = k
  const find = (k: number): number => {
    let root = k
    while (parent[root] !== root) root = parent[root]!
    while (parent[k] !== root) {
      const next = parent[k]!
      parent[k] = root
      k = next
    }
    return root
  }
  const owner = arena.int32(structure.n).fill(-1)
  for (let k = 0; k < rows.m; k++) {
    for (let t = rows.start[k]!, end = rows.start[k + 1]!; t < end; t++) {
      const block = blockStart[rows.index[t]!]!
      const other = owner[block]!
      if (other < 0) owner[block] = k
      else {
        const a = find(other)
        const b = find(k)
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b)
      }
    }
  }
  const component = arena.int32(rows.m)
  for (let k = 0; k < rows.m; k++) component[k] = find(k)
  return component
}
