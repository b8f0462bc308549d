/**
 * Builds a monthly forward curve (on-peak and off-peak, ATC derived) from forward quotes.
 *
 * The curve is the smoothest deviation from a prior that reprices every quote. The prior is a
 * fundamentals scenario's prices for the hub when the caller passes them (scenario-prior.ts: scaled
 * to the quotes, the scale fading to 1 past them), else the escalation placeholder (prior.ts):
 * variables are the on-peak months then the off-peak months (two segments, so the blocks never bend
 * each other), each quote is an hours-weighted average of the months it delivers, and the solver
 * (solver/) minimizes squared second differences of (curve - prior) plus a prior weight that is tiny
 * where quotes exist and grows past the last quoted month, so the long end reverts to the prior.
 */
import { createHash } from 'node:crypto'
import { MARKETS, type MarketId } from '@carbon/schemas'
import { addMonths, compareMonths, monthFromIndex, monthHours, monthIndex, monthRange, monthsBetween, type Block, type BlockHours, type MonthKey } from './calendar.ts'
import { checkPriorParams, checkQuoteRange, compareContracts, comparePrices, resolveCurveMonths } from './canonical.ts'
import { CurveInputError, type CurveInputIssue } from './errors.ts'
import { DEFAULT_ANNUAL_ESCALATION, DEFAULT_PEAK_RATIO, escalationPrior } from './prior.ts'
import type { Quote } from './quotes.ts'
import {
  DEFAULT_PRIOR_FADE_MONTHS,
  fadedScale,
  scenarioUnits,
  type ScenarioPrior,
  type ScenarioPriorDiagnostics,
  type ScenarioPriorRef,
} from './scenario-prior.ts'
import type { CurvePoint } from './views.ts'
import { type CurveConstraint, type CurveProblem, type CurveSolution, solveCurveProblem } from './solver/index.ts'

/**
 * Tunables of a build. Defaults (DEFAULT_BUILD_PARAMS): 2.5 % escalation; prior weight 1e-6 up to the
 * last quoted month (quotes rule there; the weight only keeps the system positive definite); past it
 * the weight grows as priorWeightLiquid + priorWeightGrowth x (months beyond)^2, with growth 1e-6: about
 * 1.4e-4 a year out and 5.8e-4 two years out, which against the curvature penalty pulls the deviation
 * from the prior back to a few percent within roughly three years. priorShape 'flat' removes seasonality.
 * priorFadeMonths (default 36) applies to a scenario prior only: the months over which the scale fitted
 * to the quotes fades to 1 past the last quoted month (0: the scenario itself right after the quotes).
 * annualEscalation and priorShape shape a scenario prior only in months the scenario does not cover.
 */
export type BuildParams = {
  annualEscalation: number
  priorWeightLiquid: number
  priorWeightGrowth: number
  priorShape: 'seasonal' | 'flat'
  priorFadeMonths: number
}

/** The defaults documented on BuildParams. */
export const DEFAULT_BUILD_PARAMS: Readonly<BuildParams> = Object.freeze({
  annualEscalation: DEFAULT_ANNUAL_ESCALATION,
  priorWeightLiquid: 1e-6,
  priorWeightGrowth: 1e-6,
  priorShape: 'seasonal',
  priorFadeMonths: DEFAULT_PRIOR_FADE_MONTHS,
})

export type BuildCurveInput = {
  market: MarketId
  quotes: readonly Quote[]
  /** Trade date, YYYY-MM-DD. */
  asOf: string
  /** First curve month; default the month after asOf. May be asOf's own month (balance of month), not earlier. */
  firstMonth?: MonthKey
  /** Last curve month; default LAST_CURVE_MONTH (2050-12). */
  lastMonth?: MonthKey
  params?: Partial<BuildParams>
  /**
   * A fundamentals scenario's monthly prices for the curve's hub: the prior (scaled to the quotes,
   * fading to the scenario past them). Absent: the escalation prior.
   */
  scenarioPrior?: ScenarioPrior
}

/** One month of the built curve with its block hours (the rows views.ts aggregates); atc is the hours-weighted mix of the two blocks. */
export type CurveMonth = CurvePoint

/** How the curve reprices one input quote (error = repriced - price; nonzero only inside a bid/ask band). */
export type RepricedQuote = { code: string; block: Block; price: number; bid: number | null; ask: number | null; repriced: number; error: number }

export type CurveBuildDiagnostics = CurveSolution['diagnostics'] & {
  /** The last month any quote delivers in. */
  lastLiquidMonth: MonthKey
  params: BuildParams
  /**
   * Annual-mean price level of the prior at priorLevelMonth, per block (escalation prior: its level;
   * scenario prior: its hours-weighted mean over the 12 curve months centred on priorLevelMonth).
   */
  priorLevel: { onpeak: number; offpeak: number }
  /** Middle of the quoted period (first quoted month to lastLiquidMonth). */
  priorLevelMonth: MonthKey
  /** Which prior the build used. */
  prior: { kind: 'escalation' } | ScenarioPriorDiagnostics
}

export type CurveBuild = {
  market: MarketId
  asOf: string
  firstMonth: MonthKey
  lastMonth: MonthKey
  months: CurveMonth[]
  /** The quotes in canonical order (by first month, last month, code, block, price, bid, ask). */
  quotes: RepricedQuote[]
  diagnostics: CurveBuildDiagnostics
  /** SHA-256 (hex) of the canonical JSON of market, asOf, firstMonth, lastMonth, sorted quotes and resolved params. */
  inputsHash: string
}

/** Resolved parameters; every problem with them is an issue. */
function resolveParams(params: Partial<BuildParams> | undefined, issues: CurveInputIssue[]): BuildParams {
  // Known keys only, in a fixed order: unknown keys are ignored so they cannot leak into the output or the hash.
  const given = params ?? {}
  const resolved: BuildParams = {
    annualEscalation: given.annualEscalation ?? DEFAULT_BUILD_PARAMS.annualEscalation,
    priorWeightLiquid: given.priorWeightLiquid ?? DEFAULT_BUILD_PARAMS.priorWeightLiquid,
    priorWeightGrowth: given.priorWeightGrowth ?? DEFAULT_BUILD_PARAMS.priorWeightGrowth,
    priorShape: given.priorShape ?? DEFAULT_BUILD_PARAMS.priorShape,
    priorFadeMonths: given.priorFadeMonths ?? DEFAULT_BUILD_PARAMS.priorFadeMonths,
  }
  checkPriorParams(resolved, issues)
  const fade = resolved.priorFadeMonths
  if (!(Number.isInteger(fade) && fade >= 0 && fade <= 600)) issues.push({ field: 'params.priorFadeMonths', value: String(fade), message: 'must be a whole number of months 0..600' })
  return resolved
}

type Horizon = { market: MarketId; asOf: string; firstMonth: MonthKey; lastMonth: MonthKey; params: BuildParams }

/** Checks market, dates and params, and resolves the defaults; throws every problem at once. */
function resolveHorizon(input: Omit<BuildCurveInput, 'quotes' | 'scenarioPrior'>): Horizon {
  const issues: CurveInputIssue[] = []
  if (!Object.hasOwn(MARKETS, input.market)) issues.push({ field: 'market', value: String(input.market), message: 'unknown market' })
  const { firstMonth, lastMonth } = resolveCurveMonths(input, issues)
  const params = resolveParams(input.params, issues)
  if (issues.length > 0) throw new CurveInputError(issues)
  return { market: input.market, asOf: input.asOf, firstMonth, lastMonth, params }
}

const BLOCK_ORDER: Record<Block, number> = { onpeak: 0, offpeak: 1, atc: 2 }

/** Canonical quote order, so the build and its hash do not depend on input order. */
function compareQuotes(a: Quote, b: Quote): number {
  return compareContracts(a.contract, b.contract) || BLOCK_ORDER[a.block] - BLOCK_ORDER[b.block] || comparePrices(a, b)
}

/**
 * SHA-256 of the canonical inputs (objects built with a fixed key order, quotes sorted). A scenario
 * prior adds its run, hub and fade (the run id names its prices); without one the hash is what it
 * was before scenario priors existed.
 */
function hashInputs(horizon: Horizon, sorted: readonly Quote[], prior?: ScenarioPriorRef): string {
  const { market, asOf, firstMonth, lastMonth, params } = horizon
  const canonical = {
    market,
    asOf,
    firstMonth,
    lastMonth,
    quotes: sorted.map((q) => ({ contract: q.contract.code, block: q.block, price: q.price, bid: q.bid, ask: q.ask })),
    params: {
      annualEscalation: params.annualEscalation,
      priorWeightLiquid: params.priorWeightLiquid,
      priorWeightGrowth: params.priorWeightGrowth,
      priorShape: params.priorShape,
    },
    ...(prior ? { prior: { runId: prior.runId, hub: prior.hub, fadeMonths: params.priorFadeMonths } } : {}),
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}

/** Variable layout: on-peak months at [0, M), off-peak months at [M, 2M). */
type Layout = { market: MarketId; months: readonly MonthKey[]; start: number; hours: readonly BlockHours[] }

const layoutCache = new Map<string, Layout>()

/**
 * The month layout of a curve, cached by market and horizon: builds of one trade month share it, and
 * computing it means ~600 month-hour look-ups. Shared, so read only (not frozen: reads of frozen
 * arrays measured slower in V8, and every use in this file only reads).
 */
function layoutOf(market: MarketId, firstMonth: MonthKey, lastMonth: MonthKey): Layout {
  const key = `${market}|${firstMonth}|${lastMonth}`
  const cached = layoutCache.get(key)
  if (cached !== undefined) return cached
  const months = monthRange(firstMonth, lastMonth)
  const layout: Layout = { market, months, start: monthIndex(firstMonth), hours: months.map((m) => monthHours(market, m)) }
  if (layoutCache.size >= 256) layoutCache.clear()
  layoutCache.set(key, layout)
  return layout
}

/** Offsets (from the first curve month) of a contract's delivery months, in order. */
function contractOffsets(layout: Layout, contract: Quote['contract']): number[] {
  const first = monthIndex(contract.first) - layout.start
  const last = monthIndex(contract.last) - layout.start
  const offsets: number[] = []
  for (let k = first; k <= last; k++) offsets.push(k)
  return offsets
}

/** The hours-weighted averaging row of a quote over the variables. */
function quoteTerms(layout: Layout, quote: Quote): [number, number][] {
  const M = layout.months.length
  const first = monthIndex(quote.contract.first) - layout.start
  const last = monthIndex(quote.contract.last) - layout.start
  const terms: [number, number][] = []
  // Plain property reads per block (a computed key on the hours objects is a slow keyed lookup).
  if (quote.block === 'atc') {
    let total = 0
    for (let k = first; k <= last; k++) total += layout.hours[k]!.atc
    for (let k = first; k <= last; k++) terms.push([k, layout.hours[k]!.onpeak / total], [M + k, layout.hours[k]!.offpeak / total])
  } else if (quote.block === 'onpeak') {
    let total = 0
    for (let k = first; k <= last; k++) total += layout.hours[k]!.onpeak
    for (let k = first; k <= last; k++) terms.push([k, layout.hours[k]!.onpeak / total])
  } else {
    let total = 0
    for (let k = first; k <= last; k++) total += layout.hours[k]!.offpeak
    for (let k = first; k <= last; k++) terms.push([M + k, layout.hours[k]!.offpeak / total])
  }
  return terms
}

/** Constraint labels `2027-Q3 onpeak`; a repeated quote gets ` #2`, ` #3` so labels stay unique. */
function labelsOf(quotes: readonly Quote[]): string[] {
  const seen = new Map<string, number>()
  return quotes.map((q) => {
    const base = `${q.contract.code} ${q.block}`
    const count = (seen.get(base) ?? 0) + 1
    seen.set(base, count)
    return count === 1 ? base : `${base} #${count}`
  })
}

function constraintsOf(layout: Layout, quotes: readonly Quote[]): CurveConstraint[] {
  const labels = labelsOf(quotes)
  return quotes.map((q, i) => ({
    label: labels[i]!,
    terms: quoteTerms(layout, q),
    target: q.price,
    ...(q.bid !== null && q.ask !== null ? { band: { lo: q.bid, hi: q.ask } } : {}),
  }))
}

/** Last month any quote delivers in. */
function lastLiquidMonthOf(quotes: readonly Quote[]): MonthKey {
  return quotes.reduce((last, q) => (compareMonths(q.contract.last, last) > 0 ? q.contract.last : last), quotes[0]!.contract.last)
}

function firstQuotedMonthOf(quotes: readonly Quote[]): MonthKey {
  return quotes.reduce((first, q) => (compareMonths(q.contract.first, first) < 0 ? q.contract.first : first), quotes[0]!.contract.first)
}

type UnitPriors = { onpeak: Float64Array; offpeak: Float64Array }

/** Ratio fit Σ w price / Σ w (prior at level 1 repriced over the quote), w = the quote's block hours. */
function ratioLevel(quotes: readonly Quote[], unitValue: (q: Quote) => { value: number; hours: number }): number {
  let numerator = 0
  let denominator = 0
  for (const q of quotes) {
    const { value, hours } = unitValue(q)
    numerator += hours * q.price
    denominator += hours * value
  }
  return numerator / denominator
}

/** Hours and hours-weighted average of a per-month vector over a quote's months for one block. */
function averageOver(layout: Layout, q: Quote, block: 'onpeak' | 'offpeak', vector: Float64Array): { value: number; hours: number } {
  let hours = 0
  let sum = 0
  for (const k of contractOffsets(layout, q.contract)) {
    const h = layout.hours[k]![block]
    hours += h
    sum += h * vector[k]!
  }
  return { value: sum / hours, hours }
}

/**
 * Prior levels per block. The level is fitted so the unit prior (shape x escalation, level 1) reprices
 * the chosen quotes on average (hours-weighted ratio), which makes it the annual-mean level at the
 * level month whatever mix of months and strips was quoted. Chosen quotes: the block's own quotes
 * touching its last liquid year (the 12 months up to the last month the block's own quotes reach). A block
 * never quoted on its own takes the other block's level through DEFAULT_PEAK_RATIO; with only ATC
 * quotes, both levels are fitted together to the ATC quotes with that ratio between them.
 */
function priorLevels(layout: Layout, quotes: readonly Quote[], units: UnitPriors): { onpeak: number; offpeak: number } {
  const recent = (list: Quote[]) => {
    if (list.length === 0) return list
    const windowStart = addMonths(lastLiquidMonthOf(list), -11)
    return list.filter((q) => compareMonths(q.contract.last, windowStart) >= 0)
  }
  const own = (block: 'onpeak' | 'offpeak') => recent(quotes.filter((q) => q.block === block))
  const fit = (block: 'onpeak' | 'offpeak') => {
    const chosen = own(block)
    return chosen.length > 0 ? ratioLevel(chosen, (q) => averageOver(layout, q, block, units[block])) : undefined
  }
  const ratio = DEFAULT_PEAK_RATIO[layout.market]
  const onpeak = fit('onpeak')
  const offpeak = fit('offpeak')
  if (onpeak !== undefined && offpeak !== undefined) return { onpeak, offpeak }
  if (onpeak !== undefined) return { onpeak, offpeak: onpeak / ratio }
  if (offpeak !== undefined) return { onpeak: offpeak * ratio, offpeak }
  const atcQuotes = recent(quotes.filter((q) => q.block === 'atc'))
  const level = ratioLevel(atcQuotes, (q) => {
    const on = averageOver(layout, q, 'onpeak', units.onpeak)
    const off = averageOver(layout, q, 'offpeak', units.offpeak)
    const hours = on.hours + off.hours
    return { value: (on.hours * ratio * on.value + off.hours * off.value) / hours, hours }
  })
  return { onpeak: level * ratio, offpeak: level }
}

/** Prior weight per variable: priorWeightLiquid up to the last liquid month, growing quadratically after it. */
function priorWeights(layout: Layout, lastLiquid: MonthKey, params: BuildParams): Float64Array {
  const M = layout.months.length
  const weights = new Float64Array(2 * M)
  const liquidEnd = monthIndex(lastLiquid) - layout.start
  for (let k = 0; k < M; k++) {
    const beyond = Math.max(0, k - liquidEnd)
    const w = params.priorWeightLiquid + params.priorWeightGrowth * beyond * beyond
    weights[k] = w
    weights[M + k] = w
  }
  return weights
}

/**
 * Scales of a scenario prior per block (see scenario-prior.ts): each block's own quotes over the
 * whole quoted tenor; a block never quoted on its own takes the other's scale (the scenario's spread
 * stays); ATC quotes only: one scale fitted to them with the scenario's own on/off-peak mix.
 */
function scenarioScales(layout: Layout, quotes: readonly Quote[], units: UnitPriors): { onpeak: number; offpeak: number } {
  const fit = (block: 'onpeak' | 'offpeak') => {
    const own = quotes.filter((q) => q.block === block)
    return own.length > 0 ? ratioLevel(own, (q) => averageOver(layout, q, block, units[block])) : undefined
  }
  const onpeak = fit('onpeak')
  const offpeak = fit('offpeak')
  let scales: { onpeak: number; offpeak: number }
  if (onpeak !== undefined || offpeak !== undefined) {
    scales = { onpeak: onpeak ?? offpeak!, offpeak: offpeak ?? onpeak! }
  } else {
    const k = ratioLevel(
      quotes.filter((q) => q.block === 'atc'),
      (q) => {
        const on = averageOver(layout, q, 'onpeak', units.onpeak)
        const off = averageOver(layout, q, 'offpeak', units.offpeak)
        const hours = on.hours + off.hours
        return { value: (on.hours * on.value + off.hours * off.value) / hours, hours }
      },
    )
    scales = { onpeak: k, offpeak: k }
  }
  for (const block of ['onpeak', 'offpeak'] as const) {
    if (!Number.isFinite(scales[block]) || scales[block] <= 0) {
      throw new CurveInputError([
        {
          field: 'scenarioPrior',
          value: String(scales[block]),
          message: `the scenario's ${block} prices cannot be scaled to the quotes (their hours-weighted average over the quoted months is not positive, or the quotes' is not)`,
        },
      ])
    }
  }
  return scales
}

/** Hours-weighted mean of each block of a prior over the 12 curve months centred on `month` (those inside the curve). */
function annualMeanAround(layout: Layout, prior: Float64Array, month: MonthKey): { onpeak: number; offpeak: number } {
  const M = layout.months.length
  const centre = monthIndex(month) - layout.start
  const sums = { onpeak: 0, offpeak: 0, hOn: 0, hOff: 0 }
  for (let k = Math.max(0, centre - 6); k < Math.min(M, centre + 6); k++) {
    const h = layout.hours[k]!
    sums.onpeak += h.onpeak * prior[k]!
    sums.offpeak += h.offpeak * prior[M + k]!
    sums.hOn += h.onpeak
    sums.hOff += h.offpeak
  }
  return { onpeak: sums.onpeak / sums.hOn, offpeak: sums.offpeak / sums.hOff }
}

type BuiltPrior = { prior: Float64Array; priorLevel: { onpeak: number; offpeak: number }; info: CurveBuildDiagnostics['prior'] }

/** The escalation placeholder: level fitted to the recent quotes, seasonal shape, constant drift. */
const unitPriorCache = new Map<string, Float64Array>()

/**
 * The escalation prior at level 1 (shape x escalation) for a layout, cached: it is a pure function of
 * these arguments (a power per month), and builds of one market and trade month share it. Read only.
 */
function unitEscalationPrior(layout: Layout, block: 'onpeak' | 'offpeak', levelMonth: MonthKey, params: BuildParams): Float64Array {
  const months = layout.months
  const key = `${layout.market}|${block}|${months[0]}|${months.length}|${levelMonth}|${params.annualEscalation}|${params.priorShape}`
  let unit = unitPriorCache.get(key)
  if (unit === undefined) {
    unit = escalationPrior({ market: layout.market, block, months, level: 1, levelMonth, annualEscalation: params.annualEscalation, shape: params.priorShape })
    if (unitPriorCache.size >= 256) unitPriorCache.clear()
    unitPriorCache.set(key, unit)
  }
  return unit
}

function escalationPriorOf(layout: Layout, quotes: readonly Quote[], params: BuildParams, priorLevelMonth: MonthKey): BuiltPrior {
  const M = layout.months.length
  const unitPrior = (block: 'onpeak' | 'offpeak') => unitEscalationPrior(layout, block, priorLevelMonth, params)
  const units = { onpeak: unitPrior('onpeak'), offpeak: unitPrior('offpeak') }
  const priorLevel = priorLevels(layout, quotes, units)
  const prior = new Float64Array(2 * M)
  for (let k = 0; k < M; k++) {
    prior[k] = priorLevel.onpeak * units.onpeak[k]!
    prior[M + k] = priorLevel.offpeak * units.offpeak[k]!
  }
  return { prior, priorLevel, info: { kind: 'escalation' } }
}

/** The scenario's prices scaled to the quotes, the scale fading to 1 past the last quoted month. */
function scenarioPriorOf(layout: Layout, quotes: readonly Quote[], params: BuildParams, scenario: ScenarioPrior, lastLiquid: MonthKey, priorLevelMonth: MonthKey): BuiltPrior {
  const M = layout.months.length
  const units = scenarioUnits(layout.market, layout.months, scenario, params.annualEscalation, params.priorShape)
  const scale = scenarioScales(layout, quotes, units)
  const liquidEnd = monthIndex(lastLiquid) - layout.start
  const prior = new Float64Array(2 * M)
  for (let k = 0; k < M; k++) {
    prior[k] = units.onpeak[k]! * fadedScale(scale.onpeak, k, liquidEnd, params.priorFadeMonths)
    prior[M + k] = units.offpeak[k]! * fadedScale(scale.offpeak, k, liquidEnd, params.priorFadeMonths)
  }
  return {
    prior,
    priorLevel: annualMeanAround(layout, prior, priorLevelMonth),
    info: { kind: 'scenario', runId: scenario.runId, hub: scenario.hub, scale, fadeMonths: params.priorFadeMonths, coveredFrom: units.coveredFrom, coveredTo: units.coveredTo },
  }
}

/** Everything a build solves, before solving it: the canonical quotes, the month layout and the QP. */
type PreparedCurve = {
  horizon: Horizon
  quotes: Quote[]
  layout: Layout
  problem: CurveProblem
  lastLiquidMonth: MonthKey
  priorLevel: { onpeak: number; offpeak: number }
  priorLevelMonth: MonthKey
  priorInfo: CurveBuildDiagnostics['prior']
}

function prepareCurve(input: BuildCurveInput): PreparedCurve {
  const horizon = resolveHorizon(input)
  checkQuoteRange(input.quotes, horizon)
  const quotes = [...input.quotes].sort(compareQuotes)
  const { market, params } = horizon
  const layout = layoutOf(market, horizon.firstMonth, horizon.lastMonth)
  const M = layout.months.length
  const lastLiquidMonth = lastLiquidMonthOf(quotes)
  const firstQuoted = firstQuotedMonthOf(quotes)
  const priorLevelMonth = addMonths(firstQuoted, Math.floor(monthsBetween(firstQuoted, lastLiquidMonth) / 2))
  const { prior, priorLevel, info } = input.scenarioPrior
    ? scenarioPriorOf(layout, quotes, params, input.scenarioPrior, lastLiquidMonth, priorLevelMonth)
    : escalationPriorOf(layout, quotes, params, priorLevelMonth)
  const problem: CurveProblem = {
    n: 2 * M,
    segments: [
      { start: 0, length: M },
      { start: M, length: M },
    ],
    prior,
    priorWeight: priorWeights(layout, lastLiquidMonth, params),
    constraints: constraintsOf(layout, quotes),
  }
  return { horizon, quotes, layout, problem, lastLiquidMonth, priorLevel, priorLevelMonth, priorInfo: info }
}

/**
 * The QP buildCurve solves for these inputs (on-peak months then off-peak months), without solving
 * it: for benchmarks against other solvers of the same KKT system, and for inspection.
 */
export function curveProblem(input: BuildCurveInput): CurveProblem {
  return prepareCurve(input).problem
}

/**
 * Builds the curve from quotes. Throws CurveInputError (bad market, dates, params, quotes outside the
 * curve, no quotes) or the solver's CurveConflictError (quotes that contradict each other, naming them).
 * Deterministic: the same input, in any quote order, gives the same bytes of JSON.stringify(build).
 * Nothing is rounded.
 */
export function buildCurve(input: BuildCurveInput): CurveBuild {
  const { horizon, quotes, layout, problem, lastLiquidMonth, priorLevel, priorLevelMonth, priorInfo } = prepareCurve(input)
  const { market, params } = horizon
  const M = layout.months.length
  // The solver refines its own solution (quotes repriced to the rounding of the prices) and derives
  // redundancy from the quotes' own weights, so its default tolerance (1e-9 relative) applies.
  const solution = solveCurveProblem(problem)

  const months: CurveMonth[] = layout.months.map((month, k) => {
    const h = layout.hours[k]!
    const onpeak = solution.x[k]!
    const offpeak = solution.x[M + k]!
    return { month, onpeak, offpeak, atc: (h.onpeak * onpeak + h.offpeak * offpeak) / h.atc, hours: { onpeak: h.onpeak, offpeak: h.offpeak, atc: h.atc } }
  })
  const build: CurveBuild = {
    market,
    asOf: horizon.asOf,
    firstMonth: horizon.firstMonth,
    lastMonth: horizon.lastMonth,
    months,
    quotes: [],
    diagnostics: { ...solution.diagnostics, lastLiquidMonth, params, priorLevel, priorLevelMonth, prior: priorInfo },
    inputsHash: hashInputs(horizon, quotes, input.scenarioPrior),
  }
  build.quotes = quotes.map((q) => {
    const repriced = repriceQuote(build, q)
    return { code: q.contract.code, block: q.block, price: q.price, bid: q.bid, ask: q.ask, repriced, error: repriced - q.price }
  })
  return build
}

/**
 * The inputsHash buildCurve would give these inputs, without solving: SHA-256 (hex) of the canonical
 * JSON of market, asOf, resolved firstMonth/lastMonth, the quotes sorted canonically and the params
 * with defaults filled in (so an explicit default hashes like an omitted one, and quote order does not
 * matter; with a scenario prior, its run id, hub and fade). Lets a caller store or deduplicate a build request before it is solved. Throws
 * CurveInputError for an invalid market, dates or params, as buildCurve does.
 */
export function curveInputsHash(input: Omit<BuildCurveInput, 'quotes' | 'scenarioPrior'> & { quotes: readonly Quote[]; scenarioPrior?: ScenarioPriorRef }): string {
  return hashInputs(resolveHorizon(input), [...input.quotes].sort(compareQuotes), input.scenarioPrior)
}

/**
 * The curve's price for a quote: the hours-weighted average over the quote's months of its block
 * (ATC over all hours). Throws CurveInputError when the quote delivers outside the build.
 */
export function repriceQuote(build: Pick<CurveBuild, 'firstMonth' | 'months'>, quote: Pick<Quote, 'contract' | 'block'>): number {
  const start = monthIndex(build.firstMonth)
  let hours = 0
  let sum = 0
  for (let i = monthIndex(quote.contract.first), last = monthIndex(quote.contract.last); i <= last; i++) {
    const m = monthFromIndex(i)
    const row = build.months[i - start]
    if (!row || row.month !== m) {
      throw new CurveInputError([{ contract: quote.contract.code, message: `month ${m} is outside the curve ${build.firstMonth}..${build.months.at(-1)?.month}` }])
    }
    hours += row.hours[quote.block]
    sum += row.hours[quote.block] * row[quote.block]
  }
  return sum / hours
}
