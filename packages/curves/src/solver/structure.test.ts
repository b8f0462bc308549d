import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Arena } from './arena.ts'
import { bandedEntry, buildCurveHessian, choleskyBanded, multiplyBanded, solveBandedCholesky } from './banded.ts'
import { choleskyDense, pivotedCholesky, solveCholeskyDense } from './dense.ts'
import { solveCurveProblemDense } from './dense.ts'
import { solveCurveProblem } from './kkt.ts'
import { type CurveConstraint, type CurveProblem, constraintValue } from './problem.ts'
import { curveStructure, quoteComponents, schurComplement, solveHessian } from './structure.ts'
import { maxAbs, maxDifference } from './test-helpers.ts'

// ---------- random problems shaped like curves ----------

/**
 * Segments with gaps (variables outside every segment), quotes as windows, scattered rows and rows
 * across segments; prior weights of the given scales (tiny ones make H ill-conditioned on purpose).
 */
const problemOf = (weightScales: number[]): fc.Arbitrary<CurveProblem> =>
  fc
  .record({
    pieces: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 2 }), length: fc.integer({ min: 1, max: 40 }) }), { minLength: 1, maxLength: 3 }),
    seed: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 64, maxLength: 64 }),
    rows: fc.array(
      fc.record({
        kind: fc.constantFrom('window', 'scattered', 'window', 'window'),
        start: fc.nat(),
        length: fc.integer({ min: 1, max: 12 }),
        picks: fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 4 }),
      }),
      { minLength: 0, maxLength: 16 },
    ),
    weightScale: fc.constantFrom(...weightScales),
  })
  .map(({ pieces, seed, rows, weightScale }) => {
    let position = 0
    const segments = pieces.map(({ gap, length }) => {
      const start = position + gap
      position = start + length
      return { start, length }
    })
    const n = position
    const value = (i: number) => seed[i % seed.length]!
    const prior = Float64Array.from({ length: n }, (_, i) => 40 + 20 * value(i))
    const priorWeight = Float64Array.from({ length: n }, (_, i) => weightScale * (0.5 + value(i + 7)))
    const hidden = Float64Array.from({ length: n }, (_, i) => 45 + 15 * value(i + 3))
    const constraints = rows.map((row, k): CurveConstraint => {
      const indices =
        row.kind === 'window'
          ? Array.from({ length: Math.min(row.length, n - (row.start % n)) }, (_, t) => (row.start % n) + t)
          : [...new Set(row.picks.map((p) => p % n))]
      const weights = indices.map((i) => 1 + Math.round(4 * value(i + k)))
      const total = weights.reduce((sum, w) => sum + w, 0)
      const terms = indices.map((i, t) => [i, weights[t]! / total] as [number, number])
      return { label: `q${k}`, terms, target: constraintValue({ label: '', terms, target: 0 }, hidden) }
    })
    return { n, segments, prior, priorWeight, constraints }
  })

const problemArb = problemOf([1e-6, 1e-3, 1, 10])
/** Conditioned well enough that the dense LU reference is itself accurate to better than 1e-9. */
const wellConditionedArb = problemOf([1e-3, 1, 10])

const minimum = (values: Float64Array) => values.reduce((a, b) => Math.min(a, b), Infinity)

/** S = A H^-1 A' the slow way: one full banded solve per quote with the L L' factor. */
function referenceSchur(problem: CurveProblem): Float64Array {
  const factor = choleskyBanded(buildCurveHessian(problem))
  const m = problem.constraints.length
  const s = new Float64Array(m * m)
  problem.constraints.forEach((ck, k) => {
    const a = new Float64Array(problem.n)
    for (const [index, weight] of ck.terms) a[index]! += weight
    const w = solveBandedCholesky(factor, a)
    problem.constraints.forEach((cj, j) => (s[j * m + k] = constraintValue(cj, w)))
  })
  return s
}

describe('curve structure (reversed Cholesky, components, Schur complement)', () => {
  it("factors H = U U' and solves H x = b to a residual at rounding level (fast-check)", () => {
    fc.assert(
      fc.property(problemArb, fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 130, maxLength: 130 }), (problem, values) => {
        const structure = curveStructure(problem, new Arena())
        const hessian = buildCurveHessian(problem)
        const { u0, u1, u2 } = structure.factor
        for (let i = 0; i < problem.n; i++) {
          // (U U')[i][j] for j = i, i + 1, i + 2.
          const at = (a: Float64Array, k: number) => (k < problem.n ? a[k]! : 0)
          const diagonal = u0[i]! ** 2 + u1[i]! ** 2 + u2[i]! ** 2
          const first = u1[i]! * at(u0, i + 1) + u2[i]! * at(u1, i + 1)
          const second = u2[i]! * at(u0, i + 2)
          const scale = Math.max(1, bandedEntry(hessian, i, i))
          expect(Math.abs(diagonal - bandedEntry(hessian, i, i))).toBeLessThanOrEqual(1e-12 * scale)
          if (i + 1 < problem.n) expect(Math.abs(first - bandedEntry(hessian, i, i + 1))).toBeLessThanOrEqual(1e-12 * scale)
          if (i + 2 < problem.n) expect(Math.abs(second - bandedEntry(hessian, i, i + 2))).toBeLessThanOrEqual(1e-12 * scale)
        }
        // Judged by the residual, as any backward-stable solve is: with prior weights near 1e-7 H is
        // too ill-conditioned for two different factorizations to agree digit for digit.
        const b = Float64Array.from({ length: problem.n }, (_, i) => values[i % values.length]!)
        const got = new Float64Array(b)
        solveHessian(structure, got)
        const residual = multiplyBanded(hessian, got).map((value, i) => value - b[i]!)
        expect(maxAbs(residual)).toBeLessThanOrEqual(1e-12 * Math.max(1, maxAbs(b), 16 * maxAbs(got)))
      }),
      { numRuns: 200 },
    )
  })

  it("computes S = A H^-1 A' exactly symmetric, zero between components, equal to one full solve per quote (fast-check)", () => {
    fc.assert(
      fc.property(problemArb, (problem) => {
        const arena = new Arena()
        const structure = curveStructure(problem, arena)
        const component = quoteComponents(structure, arena)
        const s = schurComplement(structure, component, arena)
        const reference = referenceSchur(problem)
        const m = problem.constraints.length
        // Both factorizations are backward stable; their S differ by about eps x cond(H) ~ eps / min(priorWeight).
        const tolerance = Math.max(1e-10, 1e-12 / minimum(problem.priorWeight))
        expect(maxDifference(s, reference)).toBeLessThanOrEqual(tolerance * Math.max(1, maxAbs(reference)))
        for (let j = 0; j < m; j++) {
          for (let k = 0; k < m; k++) {
            expect(s[j * m + k]).toBe(s[k * m + j])
            if (component[j] !== component[k]) expect(s[j * m + k]).toBe(0)
          }
        }
      }),
      { numRuns: 200 },
    )
  })

  it('puts quotes in one component exactly when a chain of shared blocks of H links them', () => {
    const problem: CurveProblem = {
      n: 20,
      segments: [
        { start: 0, length: 8 },
        { start: 8, length: 8 },
      ],
      prior: new Float64Array(20),
      priorWeight: new Float64Array(20).fill(1),
      constraints: [
        { label: 'on', terms: [[1, 1]], target: 1 },
        { label: 'off', terms: [[9, 1]], target: 1 },
        { label: 'loose', terms: [[17, 1]], target: 1 },
        { label: 'on too', terms: [[6, 1]], target: 1 },
        { label: 'atc', terms: [[3, 0.5], [11, 0.5]], target: 1 },
      ],
    }
    const arena = new Arena()
    const component = quoteComponents(curveStructure(problem, arena), arena)
    expect(Array.from(component)).toEqual([0, 0, 2, 0, 0])
    const without = quoteComponents(curveStructure({ ...problem, constraints: problem.constraints.slice(0, 4) }, arena), arena)
    expect(Array.from(without)).toEqual([0, 1, 2, 0])
  })
})

describe('solveCurveProblem against the dense KKT reference', () => {
  it('gives the same curve to 1e-9 on random consistent problems, with gaps and rows across segments (fast-check)', () => {
    fc.assert(
      fc.property(wellConditionedArb, (problem) => {
        const solution = solveCurveProblem(problem)
        const kept = { ...problem, constraints: problem.constraints.filter((c) => !solution.diagnostics.redundant.includes(c.label)) }
        const dense = solveCurveProblemDense(kept)
        // Relative to the curve's size (the dense reference solves the (n + m) KKT matrix by LU with partial pivoting).
        expect(maxDifference(solution.x, dense.x)).toBeLessThanOrEqual(1e-9 * Math.max(1, maxAbs(dense.x)))
        for (const constraint of problem.constraints) {
          expect(Math.abs(constraintValue(constraint, solution.x) - constraint.target)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(constraint.target)))
        }
      }),
      { numRuns: 300 },
    )
  })

  it('meets every quote to 1e-9 with prior weights down to 1e-6, where the dense reference is no longer exact (fast-check)', () => {
    fc.assert(
      fc.property(problemArb, (problem) => {
        const solution = solveCurveProblem(problem)
        for (const constraint of problem.constraints) {
          expect(Math.abs(constraintValue(constraint, solution.x) - constraint.target)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(constraint.target)))
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe('redundancy, component by component', () => {
  const base = (n: number): Omit<CurveProblem, 'constraints'> => ({
    n,
    segments: [
      { start: 0, length: n / 2 },
      { start: n / 2, length: n / 2 },
    ],
    prior: new Float64Array(n).fill(40),
    priorWeight: new Float64Array(n).fill(0.01),
  })
  const month = (index: number, target: number, label: string): CurveConstraint => ({ label, terms: [[index, 1]], target })

  it('names the quotes a conflicting quote depends on inside its own component only', () => {
    const problem: CurveProblem = {
      ...base(24),
      constraints: [
        month(0, 50, 'on Jan'),
        month(1, 52, 'on Feb'),
        month(12, 30, 'off Jan'),
        month(13, 31, 'off Feb'),
        { label: 'off Jan-Feb', terms: [[12, 0.5], [13, 0.5]], target: 30.5 },
        { label: 'on Jan-Feb', terms: [[0, 0.5], [1, 0.5]], target: 51.75 },
      ],
    }
    expect(() => solveCurveProblem(problem)).toThrow('Inconsistent quotes: on Jan-Feb disagrees with on Jan, on Feb by 0.75')
    const consistent = solveCurveProblem({ ...problem, constraints: problem.constraints.map((c) => (c.label === 'on Jan-Feb' ? { ...c, target: 51 } : c)) })
    expect(consistent.diagnostics.redundant).toEqual(['off Jan-Feb', 'on Jan-Feb'])
  })

  it('reports a quote whose weights cancel out, alone in its component, as missing by its price', () => {
    const problem: CurveProblem = {
      ...base(24),
      constraints: [
        { label: 'zero', terms: [[3, 1], [3, -1]], target: 2 },
        month(15, 30, 'off'),
      ],
    }
    expect(() => solveCurveProblem(problem)).toThrow('Inconsistent quotes: zero has no weight on any variable but misses by 2')
  })
})

describe('dense helpers used by the fast path', () => {
  /** The textbook Cholesky loop, no envelope. */
  function plainCholesky(matrix: Float64Array, size: number): Float64Array {
    const l = new Float64Array(size * size)
    for (let i = 0; i < size; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = matrix[i * size + j]!
        for (let k = 0; k < j; k++) sum -= l[i * size + k]! * l[j * size + k]!
        l[i * size + j] = i === j ? Math.sqrt(sum) : sum / l[j * size + j]!
      }
    }
    return l
  }

  it("the envelope-aware Cholesky gives the plain loop's doubles on block-diagonal SPD matrices, and block solves agree (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 50, maxLength: 50 }),
        (sizes, seed) => {
          const size = sizes.reduce((a, b) => a + b, 0)
          const matrix = new Float64Array(size * size)
          const start = new Int32Array(size)
          const end = new Int32Array(size)
          let offset = 0
          let next = 0
          for (const block of sizes) {
            for (let i = 0; i < block; i++) {
              start[offset + i] = offset
              end[offset + i] = offset + block
              for (let j = 0; j <= i; j++) {
                const value = i === j ? block + 1 + Math.abs(seed[next++ % 50]!) : seed[next++ % 50]!
                matrix[(offset + i) * size + offset + j] = value
                matrix[(offset + j) * size + offset + i] = value
              }
            }
            offset += block
          }
          // Skipped products are exact zeros, so the doubles agree (a zero's sign aside: + 0 folds -0 into 0).
          const same = (values: Float64Array) => Array.from(values, (v) => v + 0)
          const factor = choleskyDense(matrix, size)!
          expect(same(factor)).toEqual(same(plainCholesky(matrix, size)))
          const rhs = Float64Array.from({ length: size }, (_, i) => seed[(i * 7) % 50]!)
          const full = solveCholeskyDense(factor, size, rhs)
          const blocked = solveCholeskyDense(factor, size, rhs, new Arena(), { start, end })
          expect(same(blocked)).toEqual(same(full))
        },
      ),
      { numRuns: 200 },
    )
  })

  it("pivotedCholesky's columns are the Cholesky factor of the pivot rows in pivot order", () => {
    const b = [
      [1, 2, 0, 1],
      [0, 1, 3, 1],
      [2, 0, 1, 1],
    ]
    // Gram matrix of four vectors in R^3 plus a duplicate of the first: rank 3, one dependent row.
    const vectors = [...[0, 1, 2, 3].map((c) => b.map((row) => row[c]!)), b.map((row) => row[0]!)]
    const size = vectors.length
    const matrix = new Float64Array(size * size)
    vectors.forEach((u, i) => vectors.forEach((v, j) => (matrix[i * size + j] = u.reduce((sum, x, t) => sum + x * v[t]!, 0))))
    const { pivots, columns, dependent } = pivotedCholesky(matrix, size, 1e-11)
    expect(pivots.length + dependent.length).toBe(size)
    pivots.forEach((p, a) => {
      pivots.forEach((q, c) => {
        let sum = 0
        for (let t = 0; t <= Math.min(a, c); t++) sum += columns[p * size + t]! * columns[q * size + t]!
        expect(sum).toBeCloseTo(matrix[p * size + q]!, 10)
      })
    })
  })
})

describe('Arena', () => {
  it('hands out zeroed views and keeps earlier views intact when it grows', () => {
    const arena = new Arena()
    const first = arena.float64(10)
    first.fill(7)
    const big = arena.float64(1 << 17)
    expect(big.every((v) => v === 0)).toBe(true)
    big.fill(3)
    expect(Array.from(first)).toEqual(new Array(10).fill(7))
    arena.reset()
    expect(arena.float64(5).every((v) => v === 0)).toBe(true)
    const ints = arena.int32(4)
    expect(Array.from(ints)).toEqual([0, 0, 0, 0])
    expect(Array.from(arena.copy([1, 2, 3]))).toEqual([1, 2, 3])
  })
})
