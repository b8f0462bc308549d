/**
 * The generic forward-curve problem the solver works on: no calendar knowledge, only variables,
 * smooth segments, a prior and linear averaging constraints. The calendar layer turns contracts
 * and quotes into this shape; the solver never needs to know what a month is.
 *
 * Objective, with d = x - prior:
 *   sum over segments of sum_i (d[i-1] - 2 d[i] + d[i+1])^2  +  sum_i priorWeight[i] * d[i]^2
 * i.e. the maximum-smoothness deviation from a seasonal prior (second differences only inside a
 * segment, so on-peak and off-peak curves never bend each other).
 */

/** A contiguous run of variables that forms one smooth curve. */
export type CurveSegment = { start: number; length: number }

/** One quote: an average of variables equal to a target, or (with a band) between bid and ask. */
export type CurveConstraint = {
  /** Contract name used in error messages and diagnostics, e.g. "2027-Q3 onpeak". */
  label: string
  /** [variable index, weight] pairs of an hours-weighted average (they sum to 1, but nothing relies on it). */
  terms: ReadonlyArray<readonly [index: number, weight: number]>
  /** The quote (mid). With a band the solver enforces the band only; the target is kept for reporting. */
  target: number
  /** Optional bid/ask: lo <= a.x <= hi instead of a.x = target. */
  band?: { lo: number; hi: number }
}

export type CurveProblem = {
  /** Number of variables (e.g. on-peak months then off-peak months). */
  n: number
  /** Curvature is penalized inside a segment only, never across segments. */
  segments: CurveSegment[]
  /** The seasonal shape the curve deviates from as little (and as smoothly) as possible; length n. */
  prior: Float64Array
  /** Weight of each squared deviation from the prior; length n, each > 0 so the Hessian is positive definite. */
  priorWeight: Float64Array
  constraints: CurveConstraint[]
}

/** The JSON form of a problem, so another tool (e.g. a Python/SciPy benchmark) reads the exact same numbers. */
export type ExportedCurveProblem = {
  n: number
  segments: CurveSegment[]
  prior: number[]
  priorWeight: number[]
  constraints: { label: string; terms: [number, number][]; target: number; band?: { lo: number; hi: number } }[]
}

/** Human-readable rendering of a bad value for error messages. */
function show(value: unknown): string {
  if (typeof value === 'number') return String(value)
  if (value === undefined) return 'undefined'
  return JSON.stringify(value) ?? String(value)
}

function fail(field: string, value: unknown, expectation: string): never {
  throw new Error(`Invalid curve problem: ${field} must be ${expectation}, got ${show(value)}`)
}

function isIndex(value: unknown, size: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < size
}

function checkVector(field: string, vector: unknown, n: number, positive: boolean): void {
  if (!(vector instanceof Float64Array)) fail(field, vector, 'a Float64Array')
  if (vector.length !== n) fail(`${field}.length`, vector.length, `n (${n})`)
  for (let i = 0; i < n; i++) {
    const value = vector[i]!
    if (!Number.isFinite(value)) fail(`${field}[${i}]`, value, 'a finite number')
    if (positive && !(value > 0)) fail(`${field}[${i}]`, value, 'a number > 0')
  }
}

function checkSegments(segments: unknown, n: number): void {
  if (!Array.isArray(segments)) fail('segments', segments, 'an array')
  const list = segments as CurveSegment[]
  list.forEach((segment, s) => {
    if (!isIndex(segment?.start, n)) fail(`segments[${s}].start`, segment?.start, `an integer in [0, ${n})`)
    const room = n - segment.start
    if (!Number.isInteger(segment.length) || segment.length < 1 || segment.length > room) {
      fail(`segments[${s}].length`, segment.length, `an integer in [1, ${room}]`)
    }
  })
  const order = list.map((_, s) => s).sort((p, q) => list[p]!.start - list[q]!.start || p - q)
  for (let k = 1; k < order.length; k++) {
    const before = list[order[k - 1]!]!
    const after = list[order[k]!]!
    if (before.start + before.length > after.start) {
      fail(`segments[${order[k]}].start`, after.start, `>= ${before.start + before.length} (segments[${order[k - 1]}] overlaps it)`)
    }
  }
}

function checkConstraint(constraint: CurveConstraint, k: number, n: number): void {
  const field = `constraints[${k}]`
  if (typeof constraint?.label !== 'string') fail(`${field}.label`, constraint?.label, 'a string')
  if (!Array.isArray(constraint.terms) || constraint.terms.length === 0) fail(`${field}.terms`, constraint.terms, 'a non-empty array')
  let nonzero = false
  // A plain loop: every solve runs this over every term, so no closure per constraint.
  for (let t = 0; t < constraint.terms.length; t++) {
    const term = constraint.terms[t]
    if (!Array.isArray(term) || term.length !== 2) fail(`${field}.terms[${t}]`, term, 'an [index, weight] pair')
    if (!isIndex(term[0], n)) fail(`${field}.terms[${t}][0]`, term[0], `an integer index in [0, ${n})`)
    if (typeof term[1] !== 'number' || !Number.isFinite(term[1])) fail(`${field}.terms[${t}][1]`, term[1], 'a finite number')
    if (term[1] !== 0) nonzero = true
  }
  if (!nonzero) fail(`${field}.terms`, constraint.terms, 'at least one nonzero weight')
  if (typeof constraint.target !== 'number' || !Number.isFinite(constraint.target))
    fail(`${field}.target`, constraint.target, 'a finite number')
  if (constraint.band !== undefined) checkBand(constraint.band, field)
}

function checkBand(band: { lo: number; hi: number }, field: string): void {
  if (typeof band.lo !== 'number' || !Number.isFinite(band.lo)) fail(`${field}.band.lo`, band.lo, 'a finite number')
  if (typeof band.hi !== 'number' || !Number.isFinite(band.hi)) fail(`${field}.band.hi`, band.hi, 'a finite number')
  if (band.lo > band.hi) fail(`${field}.band`, band, 'lo <= hi')
}

/**
 * Checks every field of a problem and throws a plain Error naming the first bad field and its
 * value. Run before solving so a malformed problem fails with a message, not with NaN curves.
 */
export function validateProblem(problem: CurveProblem): void {
  if (!Number.isInteger(problem.n) || problem.n < 1) fail('n', problem.n, 'a positive integer')
  checkVector('prior', problem.prior, problem.n, false)
  checkVector('priorWeight', problem.priorWeight, problem.n, true)
  checkSegments(problem.segments, problem.n)
  if (!Array.isArray(problem.constraints)) fail('constraints', problem.constraints, 'an array')
  problem.constraints.forEach((constraint, k) => checkConstraint(constraint, k, problem.n))
}

/** A plain JSON-able copy of a problem (numbers are exact: JSON round-trips doubles, except that -0 comes back as 0). */
export function exportProblem(problem: CurveProblem): ExportedCurveProblem {
  return {
    n: problem.n,
    segments: problem.segments.map((s) => ({ start: s.start, length: s.length })),
    prior: Array.from(problem.prior),
    priorWeight: Array.from(problem.priorWeight),
    constraints: problem.constraints.map((c) => ({
      label: c.label,
      terms: c.terms.map(([index, weight]) => [index, weight] as [number, number]),
      target: c.target,
      ...(c.band !== undefined ? { band: { lo: c.band.lo, hi: c.band.hi } } : {}),
    })),
  }
}

function numberArray(value: unknown, field: string): number[] {
  if (!Array.isArray(value)) fail(field, value, 'an array of numbers')
  return value as number[]
}

/** The inverse of exportProblem: accepts parsed JSON, validates it and returns a solver-ready problem. */
export function importProblem(json: unknown): CurveProblem {
  if (typeof json !== 'object' || json === null) fail('problem', json, 'an object')
  const data = json as Partial<ExportedCurveProblem>
  if (!Array.isArray(data.constraints)) fail('constraints', data.constraints, 'an array')
  const problem: CurveProblem = {
    n: data.n as number,
    segments: (data.segments ?? []).map((s) => ({ start: s?.start, length: s?.length })),
    prior: Float64Array.from(numberArray(data.prior, 'prior')),
    priorWeight: Float64Array.from(numberArray(data.priorWeight, 'priorWeight')),
    constraints: data.constraints.map((c) => ({
      label: c?.label,
      terms: Array.isArray(c?.terms) ? c.terms.map((t) => (Array.isArray(t) ? ([t[0], t[1]] as const) : t)) : c?.terms,
      target: c?.target,
      ...(c?.band !== undefined ? { band: { lo: c.band?.lo, hi: c.band?.hi } } : {}),
    })),
  }
  if (!Array.isArray(data.segments)) fail('segments', data.segments, 'an array')
  validateProblem(problem)
  return problem
}

/**
 * The objective value of x for a problem, computed directly from its definition (second differences
 * inside each segment plus the weighted prior deviation), independent of any matrix the solver builds.
 */
export function curveObjective(problem: CurveProblem, x: Float64Array): number {
  let total = 0
  for (const { start, length } of problem.segments) {
    for (let i = start + 1; i < start + length - 1; i++) {
      const curvature = x[i - 1]! - problem.prior[i - 1]! - 2 * (x[i]! - problem.prior[i]!) + (x[i + 1]! - problem.prior[i + 1]!)
      total += curvature * curvature
    }
  }
  for (let i = 0; i < problem.n; i++) {
    const deviation = x[i]! - problem.prior[i]!
    total += problem.priorWeight[i]! * deviation * deviation
  }
  return total
}

/** a.v for one constraint row (duplicate indices add up). */
export function constraintValue(constraint: CurveConstraint, v: Float64Array): number {
  let sum = 0
  for (const [index, weight] of constraint.terms) sum += weight * v[index]!
  return sum
}
