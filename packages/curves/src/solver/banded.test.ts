import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addToBanded,
  bandedEntry,
  buildCurveHessian,
  choleskyBanded,
  createBandedMatrix,
  CURVE_BANDWIDTH,
  multiplyBanded,
  solveBandedCholesky,
  type SymmetricBandedMatrix,
} from './banded.ts'
import { curveObjective, type CurveProblem } from './problem.ts'

/** A random SPD banded matrix: random symmetric band plus a diagonal that dominates it. */
const spdBandedArb = fc
  .record({
    n: fc.integer({ min: 1, max: 40 }),
    bandwidth: fc.integer({ min: 0, max: 5 }),
    seed: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 240, maxLength: 240 }),
  })
  .map(({ n, bandwidth, seed }) => {
    const matrix = createBandedMatrix(n, bandwidth)
    let next = 0
    for (let i = 0; i < n; i++) {
      for (let j = Math.max(0, i - bandwidth); j < i; j++) addToBanded(matrix, i, j, seed[next++ % seed.length]!)
    }
    for (let i = 0; i < n; i++) {
      let offDiagonal = 0
      for (let j = Math.max(0, i - bandwidth); j <= Math.min(n - 1, i + bandwidth); j++)
        if (j !== i) offDiagonal += Math.abs(bandedEntry(matrix, i, j))
      addToBanded(matrix, i, i, offDiagonal + 0.1 + Math.abs(seed[i % seed.length]!))
    }
    return matrix
  })

function dense(matrix: SymmetricBandedMatrix): number[][] {
  return Array.from({ length: matrix.n }, (_, i) => Array.from({ length: matrix.n }, (_, j) => bandedEntry(matrix, i, j)))
}

describe('banded Cholesky', () => {
  it("factors H = L L' and solves H x = b (fast-check)", () => {
    fc.assert(
      fc.property(spdBandedArb, (matrix) => {
        const factor = choleskyBanded(matrix)
        const h = dense(matrix)
        for (let i = 0; i < matrix.n; i++) {
          for (let j = 0; j <= i; j++) {
            let product = 0
            for (let k = 0; k <= j; k++) product += lowerEntry(factor, i, k) * lowerEntry(factor, j, k)
            expect(product).toBeCloseTo(h[i]![j]!, 10)
          }
        }
        const b = Float64Array.from({ length: matrix.n }, (_, i) => Math.sin(i + 1))
        const x = solveBandedCholesky(factor, b)
        const back = multiplyBanded(matrix, x)
        for (let i = 0; i < matrix.n; i++) expect(back[i]).toBeCloseTo(b[i]!, 10)
      }),
    )
  })

  it('rejects a matrix that is not positive definite, naming the row', () => {
    const matrix = createBandedMatrix(3, 1)
    addToBanded(matrix, 0, 0, 1)
    addToBanded(matrix, 1, 0, 2)
    addToBanded(matrix, 1, 1, 1)
    addToBanded(matrix, 2, 2, 1)
    expect(() => choleskyBanded(matrix)).toThrow(/not positive definite .* row 1/)
  })

  it('refuses entries outside the band and reads them as zero', () => {
    const matrix = createBandedMatrix(5, 1)
    expect(() => addToBanded(matrix, 3, 0, 1)).toThrow(/outside half-bandwidth 1/)
    expect(bandedEntry(matrix, 0, 4)).toBe(0)
  })

  it('checks the right-hand side length', () => {
    const matrix = createBandedMatrix(2, 0)
    addToBanded(matrix, 0, 0, 1)
    addToBanded(matrix, 1, 1, 1)
    expect(() => solveBandedCholesky(choleskyBanded(matrix), new Float64Array(3))).toThrow(/length 3, expected 2/)
  })
})

/** Entry (i, k) of the lower factor (zero above the diagonal or outside the band). */
function lowerEntry(factor: SymmetricBandedMatrix, i: number, k: number): number {
  if (k > i) return 0
  return bandedEntry(factor, i, k)
}

describe('buildCurveHessian', () => {
  const problemArb = fc
    .record({
      pieces: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3 }), length: fc.integer({ min: 1, max: 15 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
      values: fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 70, maxLength: 70 }),
      weights: fc.array(fc.double({ min: 1e-6, max: 10, noNaN: true }), { minLength: 70, maxLength: 70 }),
    })
    .map(({ pieces, values, weights }) => {
      let position = 0
      const segments = pieces.map(({ gap, length }) => {
        const start = position + gap
        position = start + length
        return { start, length }
      })
      const n = position
      const problem: CurveProblem = {
        n,
        segments,
        prior: Float64Array.from({ length: n }, (_, i) => values[(i + 7) % values.length]! / 2),
        priorWeight: Float64Array.from({ length: n }, (_, i) => weights[i % weights.length]!),
        constraints: [],
      }
      return { problem, x: Float64Array.from({ length: n }, (_, i) => values[i % values.length]!) }
    })

  it("gives d'Hd equal to the objective computed from its definition (fast-check)", () => {
    fc.assert(
      fc.property(problemArb, ({ problem, x }) => {
        const hessian = buildCurveHessian(problem)
        expect(hessian.bandwidth).toBe(CURVE_BANDWIDTH)
        const d = x.map((value, i) => value - problem.prior[i]!)
        const hd = multiplyBanded(hessian, d)
        const quadratic = d.reduce((sum, value, i) => sum + value * hd[i]!, 0)
        const direct = curveObjective(problem, x)
        expect(Math.abs(quadratic - direct)).toBeLessThanOrEqual(1e-9 * Math.max(1, direct))
      }),
    )
  })

  it("never couples two segments, and is the pentadiagonal D2'D2 inside one", () => {
    const problem: CurveProblem = {
      n: 8,
      segments: [
        { start: 0, length: 5 },
        { start: 5, length: 3 },
      ],
      prior: new Float64Array(8),
      priorWeight: new Float64Array(8).fill(0.5),
      constraints: [],
    }
    const h = dense(buildCurveHessian(problem))
    expect(h[0]!.slice(0, 5)).toEqual([1.5, -2, 1, 0, 0])
    expect(h[1]!.slice(0, 5)).toEqual([-2, 5.5, -4, 1, 0])
    expect(h[2]!.slice(0, 5)).toEqual([1, -4, 6.5, -4, 1])
    expect(h[4]!.slice(0, 5)).toEqual([0, 0, 1, -2, 1.5])
    expect(h[4]![5]).toBe(0)
    expect(h[3]![5]).toBe(0)
    expect(h[5]!.slice(5)).toEqual([1.5, -2, 1])
    expect(h[6]!.slice(5)).toEqual([-2, 4.5, -2])
  })
})
