import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  buildDenseKkt,
  choleskyDense,
  choleskyPivots,
  pivotedCholesky,
  solveCholeskyDense,
  solveCurveProblemDense,
  solveDenseLinearSystem,
} from './dense.ts'
import { type CurveProblem } from './problem.ts'

function multiply(matrix: Float64Array, size: number, x: Float64Array): Float64Array {
  return Float64Array.from({ length: size }, (_, i) => {
    let sum = 0
    for (let j = 0; j < size; j++) sum += matrix[i * size + j]! * x[j]!
    return sum
  })
}

/** B'B for a random B (rows x size): symmetric positive semidefinite with rank <= rows. */
function gram(b: number[][], size: number): Float64Array {
  const g = new Float64Array(size * size)
  for (const row of b) {
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) g[i * size + j]! += row[i]! * row[j]!
  }
  return g
}

const entries = (count: number) => fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: count, maxLength: count })

describe('solveDenseLinearSystem', () => {
  it('solves well-conditioned systems, including ones that need row swaps (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), entries(144), entries(12), (size, values, rhs) => {
        // Diagonally dominant after a cyclic row shift: partial pivoting must swap rows to find it.
        const matrix = new Float64Array(size * size)
        for (let i = 0; i < size; i++) {
          for (let j = 0; j < size; j++) matrix[i * size + j] = values[(i * size + j) % values.length]! * 0.1
          matrix[i * size + ((i + 1) % size)]! += 5
        }
        const b = Float64Array.from({ length: size }, (_, i) => rhs[i]!)
        const x = solveDenseLinearSystem(matrix, size, b)
        const back = multiply(matrix, size, x)
        for (let i = 0; i < size; i++) expect(back[i]).toBeCloseTo(b[i]!, 10)
      }),
    )
  })

  it('throws on a singular matrix', () => {
    expect(() => solveDenseLinearSystem(Float64Array.from([1, 2, 2, 4]), 2, Float64Array.from([1, 1]))).toThrow(/singular/)
  })
})

describe('dense Cholesky', () => {
  it('solves SPD systems and reports positive pivots; returns null when not positive definite', () => {
    const matrix = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3])
    const factor = choleskyDense(matrix, 3)!
    const x = solveCholeskyDense(factor, 3, Float64Array.from([1, 2, 3]))
    const back = multiply(matrix, 3, x)
    expect(Array.from(back).map((v) => Number(v.toFixed(12)))).toEqual([1, 2, 3])
    expect(choleskyPivots(factor, 3)[0]).toBeCloseTo(4, 12)
    expect(choleskyDense(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull()
  })
})

describe('pivotedCholesky', () => {
  it("finds the rank of B'B and expresses each dependent row through the pivots (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), entries(64), (size, rank, values) => {
        // Rows strictly diagonally dominant on their first columns, so B has full row rank; entries on a 1e-3 grid.
        const b = Array.from({ length: Math.min(rank, size) }, (_, r) =>
          Array.from(
            { length: size },
            (_, i) => Math.round(values[(r * size + i) % values.length]! * 1000) / 1000 + (r === i ? size + 1 : 0),
          ),
        )
        const g = gram(b, size)
        const { pivots, dependent } = pivotedCholesky(g, size, 1e-11)
        expect(pivots.length).toBe(b.length)
        expect(pivots.length + dependent.length).toBe(size)
        for (const { index, coefficients } of dependent) {
          // Column `index` of B is the same combination of the pivot columns.
          for (const row of b) {
            const combined = pivots.reduce((sum, p, t) => sum + coefficients[t]! * row[p]!, 0)
            expect(combined).toBeCloseTo(row[index]!, 8)
          }
        }
      }),
    )
  })

  it('prefers the earliest row on ties, so callers choose which duplicate is dependent', () => {
    const { pivots, dependent } = pivotedCholesky(Float64Array.from([2, 2, 2, 2]), 2, 1e-11)
    expect(pivots).toEqual([0])
    expect(dependent.map((d) => d.index)).toEqual([1])
    expect(dependent[0]!.coefficients[0]).toBeCloseTo(1, 14)
  })
})

describe('solveCurveProblemDense', () => {
  const problem: CurveProblem = {
    n: 4,
    segments: [{ start: 0, length: 4 }],
    prior: Float64Array.from([10, 10, 10, 10]),
    priorWeight: Float64Array.from([1, 1, 1, 1]),
    constraints: [
      {
        label: 'first half',
        terms: [
          [0, 0.5],
          [1, 0.5],
        ],
        target: 12,
      },
    ],
  }

  it("builds [[2H, A'], [A, 0]] and meets the constraint", () => {
    const { size, matrix, rhs } = buildDenseKkt(problem)
    expect(size).toBe(5)
    expect(Array.from(matrix.slice(0, 5))).toEqual([4, -4, 2, 0, 0.5])
    expect(Array.from(matrix.slice(20, 25))).toEqual([0.5, 0.5, 0, 0, 0])
    expect(Array.from(rhs)).toEqual([20, 20, 20, 20, 12]) // D2 annihilates the flat prior: 2H prior = 2 w prior
    const { x, multipliers } = solveCurveProblemDense(problem)
    expect((x[0]! + x[1]!) / 2).toBeCloseTo(12, 12)
    expect(multipliers[0]).toBeGreaterThan(0)
  })

  it('refuses bands and redundant constraints', () => {
    expect(() => solveCurveProblemDense({ ...problem, constraints: [{ ...problem.constraints[0]!, band: { lo: 11, hi: 13 } }] })).toThrow(
      /first half has a band/,
    )
    expect(() => solveCurveProblemDense({ ...problem, constraints: [problem.constraints[0]!, problem.constraints[0]!] })).toThrow(
      /singular/,
    )
  })
})
