import { describe, expect, it } from 'vitest'
import { type CurveProblem, constraintValue, curveObjective, exportProblem, importProblem, validateProblem } from './problem.ts'

function sample(): CurveProblem {
  return {
    n: 6,
    segments: [
      { start: 0, length: 3 },
      { start: 3, length: 3 },
    ],
    prior: Float64Array.from([40, 42.5, 41, 30, 0.1 + 0.2, 29]),
    priorWeight: Float64Array.from([1e-3, 1e-3, 1e-3, 2, 2, 2]),
    constraints: [
      {
        label: 'Q onpeak',
        terms: [
          [0, 352 / 1056],
          [1, 336 / 1056],
          [2, 368 / 1056],
        ],
        target: 41.3,
      },
      { label: 'Jan offpeak', terms: [[3, 1]], target: 31, band: { lo: 30.5, hi: 31.5 } },
    ],
  }
}

describe('validateProblem', () => {
  it('accepts a well-formed problem', () => {
    expect(() => validateProblem(sample())).not.toThrow()
  })

  const cases: [string, (p: CurveProblem) => CurveProblem, RegExp][] = [
    ['n', (p: CurveProblem) => ({ ...p, n: 0 }), /n must be a positive integer, got 0/],
    ['prior length', (p: CurveProblem) => ({ ...p, prior: new Float64Array(5) }), /prior\.length must be n \(6\), got 5/],
    [
      'prior value',
      (p: CurveProblem) => ({ ...p, prior: Float64Array.from([1, 2, NaN, 4, 5, 6]) }),
      /prior\[2\] must be a finite number, got NaN/,
    ],
    [
      'weight',
      (p: CurveProblem) => ({ ...p, priorWeight: Float64Array.from([1, 1, 1, 0, 1, 1]) }),
      /priorWeight\[3\] must be a number > 0, got 0/,
    ],
    [
      'weight type',
      (p: CurveProblem) => ({ ...p, priorWeight: [1, 1, 1, 1, 1, 1] as unknown as Float64Array }),
      /priorWeight must be a Float64Array/,
    ],
    [
      'segment start',
      (p: CurveProblem) => ({ ...p, segments: [{ start: 6, length: 1 }] }),
      /segments\[0\]\.start must be an integer in \[0, 6\), got 6/,
    ],
    [
      'segment length',
      (p: CurveProblem) => ({ ...p, segments: [{ start: 4, length: 3 }] }),
      /segments\[0\]\.length must be an integer in \[1, 2\], got 3/,
    ],
    [
      'overlap',
      (p: CurveProblem) => ({
        ...p,
        segments: [
          { start: 2, length: 3 },
          { start: 0, length: 3 },
        ],
      }),
      /segments\[0\]\.start must be >= 3 \(segments\[1\] overlaps it\), got 2/,
    ],
    [
      'term index',
      (p: CurveProblem) => ({ ...p, constraints: [{ label: 'x', terms: [[6, 1]], target: 1 }] }),
      /constraints\[0\]\.terms\[0\]\[0\] must be an integer index in \[0, 6\), got 6/,
    ],
    [
      'term weight',
      (p: CurveProblem) => ({ ...p, constraints: [{ label: 'x', terms: [[1, Infinity]], target: 1 }] }),
      /constraints\[0\]\.terms\[0\]\[1\] must be a finite number, got Infinity/,
    ],
    [
      'empty terms',
      (p: CurveProblem) => ({ ...p, constraints: [{ label: 'x', terms: [], target: 1 }] }),
      /constraints\[0\]\.terms must be a non-empty array/,
    ],
    ['zero row', (p: CurveProblem) => ({ ...p, constraints: [{ label: 'x', terms: [[1, 0]], target: 1 }] }), /at least one nonzero weight/],
    [
      'target',
      (p: CurveProblem) => ({ ...p, constraints: [{ label: 'x', terms: [[1, 1]], target: NaN }] }),
      /constraints\[0\]\.target must be a finite number, got NaN/,
    ],
    [
      'band order',
      (p: CurveProblem) => ({ ...p, constraints: [{ label: 'x', terms: [[1, 1]], target: 1, band: { lo: 2, hi: 1 } }] }),
      /constraints\[0\]\.band must be lo <= hi, got \{"lo":2,"hi":1\}/,
    ],
  ]
  it.each(cases)('names the bad field: %s', (_, mutate, message) => {
    expect(() => validateProblem(mutate(sample()))).toThrow(message)
  })
})

describe('exportProblem / importProblem', () => {
  it('round-trips through JSON with every double intact', () => {
    const problem = sample()
    const json = JSON.parse(JSON.stringify(exportProblem(problem)))
    expect(json.prior[4]).toBe(0.1 + 0.2)
    const back = importProblem(json)
    expect(back).toEqual(problem)
    expect(Buffer.from(back.prior.buffer).equals(Buffer.from(problem.prior.buffer))).toBe(true)
    expect(exportProblem(back)).toEqual(exportProblem(problem))
  })

  it('validates what it imports', () => {
    const json = exportProblem(sample())
    expect(() => importProblem({ ...json, priorWeight: [1, 1, 1, -1, 1, 1] })).toThrow(/priorWeight\[3\] must be a number > 0, got -1/)
    expect(() => importProblem({ ...json, prior: 'x' })).toThrow(/prior must be an array of numbers/)
    expect(() => importProblem(null)).toThrow(/problem must be an object/)
    expect(() => importProblem({ ...json, segments: undefined })).toThrow(/segments must be an array/)
  })
})

describe('curveObjective and constraintValue', () => {
  it('is zero at the prior and adds curvature inside segments only', () => {
    const problem = sample()
    expect(curveObjective(problem, problem.prior)).toBe(0)
    // A kink at the boundary between segments costs nothing but the prior weight.
    const x = Float64Array.from(problem.prior)
    x[3]! += 1
    expect(curveObjective(problem, x)).toBeCloseTo(1 + 2, 12)
    expect(
      constraintValue(
        {
          label: 'twice',
          terms: [
            [0, 0.5],
            [0, 0.5],
          ],
          target: 0,
        },
        problem.prior,
      ),
    ).toBe(40)
  })
})
