/**
 * Builds a monthly fuel forward curve (natural gas at a hub, or an LNG basis such as JKM - HH) from
 * forward quotes, with the same solver as the power curves (solver/).
 *
 * Differences from power (build.ts): ONE price per month ($/MMBtu), so one smooth segment of
 * variables; a quote over several months is the calendar-DAYS-weighted average of its months (gas
 * is traded per MMBtu per day, so a quarter delivers each of its days once); no blocks; prices are
 * bounded by MAX_ABS_FUEL_PRICE and a basis may be negative.
 *
 * Prior beyond the last quote (and within strips): level x shape[calendar month] x (1 +
 * annualEscalation)^(years from the middle of the quoted period), the level fitted (days-weighted)
 * to the quotes of the last quoted year, as the power builder does. Shapes:
 * - gas: GAS_SEASONAL_SHAPE, a winter premium. Gas is stored in summer and withdrawn in winter, so
 *   forward prices carry the cost of carry and storage: the NYMEX Henry Hub strip typically prices
 *   the winter months (Dec-Feb) 10-20 % above the injection months (Apr-Sep). The numbers are a
 *   hand-set profile of that pattern, normalized to a days-weighted annual mean of 1.
 * - lng_basis: flat. A basis (JKM - HH, TTF - HH) has no shape that holds across years (it is a
 *   spread of two seasonal prices whose seasons differ), and its escalation defaults to 0: a spread
 *   does not inflate like a price does.
 * The prior weight grows past the last quoted month exactly as in build.ts, so the long end reverts
 * to the prior within a few years.
 */
import { createHash } from 'node:crypto'
import { addMonths, compareMonths, monthFromIndex, monthIndex, monthRange, monthsBetween, type MonthKey } from './calendar.ts'
import { checkPriorParams, checkQuoteRange, compareContracts, comparePrices, resolveCurveMonths } from './canonical.ts'
import { CurveInputError, type CurveInputIssue } from './errors.ts'
import { normalizeUnblockedQuotes, parseUnblockedQuotesCsv, type QuoteKind, type UnblockedQuote, type UnblockedQuoteInput } from './quotes.ts'
import { type CurveProblem, type CurveSolution, solveCurveProblem } from './solver/index.ts'
import { calendarOf, quarterOf, type Granularity } from './views.ts'

/** What a fuel curve prices: gas at a hub ($/MMBtu), or an LNG basis to Henry Hub ($/MMBtu, may be negative). */
export type FuelCommodity = 'gas' | 'lng_basis'

export const FUEL_COMMODITIES: readonly FuelCommodity[] = ['gas', 'lng_basis']

/** The unit of every fuel curve and quote. */
export const FUEL_UNIT = 'USD/MMBtu'

/**
 * The largest price magnitude a fuel quote, bid or ask may have, in $/MMBtu. Henry Hub monthly
 * forwards have stayed under $20 and JKM under $100 (2022); daily cash prices spiked to a few hundred
 * in the February 2021 freeze. Anything beyond 1000 is a typo (a $/MWh price in the wrong form).
 */
export const MAX_ABS_FUEL_PRICE = 1_000

/** Fuel quotes: no block, $/MMBtu, ±MAX_ABS_FUEL_PRICE. */
export const FUEL_QUOTES: QuoteKind = Object.freeze({ block: false, unit: '$/MMBtu', maxAbsPrice: MAX_ABS_FUEL_PRICE })

/** A fuel quote: a contract and a price in $/MMBtu, optional bid/ask, the CSV line it came from. */
export type FuelQuote = UnblockedQuote
export type FuelQuoteInput = UnblockedQuoteInput

/** Parses a fuel quote file: header `contract,price[,bid,ask]`; errors name line, field, contract and value. */
export function parseFuelQuotesCsv(text: string, options: { file?: string } = {}): FuelQuote[] {
  return parseUnblockedQuotesCsv(text, FUEL_QUOTES, options)
}

/** Validates fuel quotes from JSON (the index is the `line` of an issue). */
export function normalizeFuelQuotes(inputs: readonly FuelQuoteInput[], options: { file?: string } = {}): FuelQuote[] {
  return normalizeUnblockedQuotes(inputs, FUEL_QUOTES, options)
}

/** Whether a price is a finite number within ±MAX_ABS_FUEL_PRICE $/MMBtu. */
export function isSaneFuelPrice(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value) <= MAX_ABS_FUEL_PRICE
}

/** Days of a month (calendar days: the weight of the month in any multi-month fuel contract). */
export function monthDays(month: MonthKey): number {
  const i = monthIndex(month)
  const year = Math.floor(i / 12)
  return new Date(Date.UTC(year, (i % 12) + 1, 0)).getUTCDate()
}

/** Raw gas shape Jan..Dec (winter premium, summer injection discount), before normalization. */
const RAW_GAS_SHAPE: readonly number[] = [1.14, 1.11, 1.0, 0.93, 0.92, 0.94, 0.97, 0.98, 0.96, 0.97, 1.03, 1.1]

/** Reference year of the shape's days-weighted normalization (a non-leap year). */
const SHAPE_REFERENCE_YEAR = 2030

function normalizedByDays(raw: readonly number[]): readonly number[] {
  const days = monthRange(`${SHAPE_REFERENCE_YEAR}-01`, `${SHAPE_REFERENCE_YEAR}-12`).map(monthDays)
  const mean = raw.reduce((sum, v, i) => sum + v * days[i]!, 0) / days.reduce((a, b) => a + b, 0)
  return Object.freeze(raw.map((v) => v / mean))
}

/** Gas seasonal shape (index 0 = January), days-weighted annual mean 1; see the file comment. */
export const GAS_SEASONAL_SHAPE: readonly number[] = normalizedByDays(RAW_GAS_SHAPE)

const FLAT: readonly number[] = Object.freeze(Array<number>(12).fill(1))

/**
 * Tunables of a fuel build; defaults per commodity (DEFAULT_FUEL_PARAMS). The prior weights mean
 * what they mean in build.ts (BuildParams).
 */
export type FuelBuildParams = {
  annualEscalation: number
  priorWeightLiquid: number
  priorWeightGrowth: number
  priorShape: 'seasonal' | 'flat'
}

export const DEFAULT_FUEL_PARAMS: Readonly<Record<FuelCommodity, Readonly<FuelBuildParams>>> = Object.freeze({
  gas: Object.freeze({ annualEscalation: 0.025, priorWeightLiquid: 1e-6, priorWeightGrowth: 1e-6, priorShape: 'seasonal' as const }),
  lng_basis: Object.freeze({ annualEscalation: 0, priorWeightLiquid: 1e-6, priorWeightGrowth: 1e-6, priorShape: 'flat' as const }),
})

export type BuildFuelCurveInput = {
  /** The curve's id (e.g. `GAS:HENRY_HUB`, `LNG:JKM-HH`): part of the inputs hash, never interpreted. */
  curve: string
  commodity: FuelCommodity
  quotes: readonly FuelQuote[]
  /** Trade date, YYYY-MM-DD. */
  asOf: string
  /** First curve month; default the month after asOf. May be asOf's own month (balance of month), not earlier. */
  firstMonth?: MonthKey
  /** Last curve month; default LAST_CURVE_MONTH (2050-12). */
  lastMonth?: MonthKey
  params?: Partial<FuelBuildParams>
}

/** One month of a fuel curve: its price and its calendar days (the weight views and repricing use). */
export type FuelCurveMonth = { month: MonthKey; price: number; days: number }

/** How the curve reprices one input quote (error = repriced - price; nonzero only inside a bid/ask band). */
export type RepricedFuelQuote = { code: string; price: number; bid: number | null; ask: number | null; repriced: number; error: number }

export type FuelBuildDiagnostics = CurveSolution['diagnostics'] & {
  lastLiquidMonth: MonthKey
  params: FuelBuildParams
  /** Annual-mean level of the prior at priorLevelMonth. */
  priorLevel: number
  priorLevelMonth: MonthKey
  prior: { kind: 'escalation'; shape: 'seasonal' | 'flat' }
}

export type FuelCurveBuild = {
  curve: string
  commodity: FuelCommodity
  asOf: string
  firstMonth: MonthKey
  lastMonth: MonthKey
  months: FuelCurveMonth[]
  /** The quotes in canonical order (first month, last month, code, price, bid, ask). */
  quotes: RepricedFuelQuote[]
  diagnostics: FuelBuildDiagnostics
  /** SHA-256 (hex) of the canonical JSON of commodity, curve, asOf, months, sorted quotes and resolved params. */
  inputsHash: string
}

type FuelHorizon = { curve: string; commodity: FuelCommodity; asOf: string; firstMonth: MonthKey; lastMonth: MonthKey; params: FuelBuildParams }

function resolveFuelParams(commodity: FuelCommodity, given: Partial<FuelBuildParams> | undefined, issues: CurveInputIssue[]): FuelBuildParams {
  const defaults = DEFAULT_FUEL_PARAMS[commodity] ?? DEFAULT_FUEL_PARAMS.gas
  const resolved: FuelBuildParams = {
    annualEscalation: given?.annualEscalation ?? defaults.annualEscalation,
    priorWeightLiquid: given?.priorWeightLiquid ?? defaults.priorWeightLiquid,
    priorWeightGrowth: given?.priorWeightGrowth ?? defaults.priorWeightGrowth,
    priorShape: given?.priorShape ?? defaults.priorShape,
  }
  checkPriorParams(resolved, issues)
  return resolved
}

/** Checks commodity, curve, dates and params and fills the defaults; throws every problem at once. */
function resolveFuelHorizon(input: Omit<BuildFuelCurveInput, 'quotes'>): FuelHorizon {
  const issues: CurveInputIssue[] = []
  if (!FUEL_COMMODITIES.includes(input.commodity)) issues.push({ field: 'commodity', value: String(input.commodity), message: `unknown commodity (expected ${FUEL_COMMODITIES.join(' or ')})` })
  if (typeof input.curve !== 'string' || input.curve.trim() === '') issues.push({ field: 'curve', value: String(input.curve), message: 'must name the curve' })
  const { firstMonth, lastMonth } = resolveCurveMonths(input, issues)
  const params = resolveFuelParams(input.commodity, input.params, issues)
  if (issues.length > 0) throw new CurveInputError(issues)
  return { curve: input.curve, commodity: input.commodity, asOf: input.asOf, firstMonth, lastMonth, params }
}

function compareFuelQuotes(a: FuelQuote, b: FuelQuote): number {
  return compareContracts(a.contract, b.contract) || comparePrices(a, b)
}

function hashFuelInputs(horizon: FuelHorizon, sorted: readonly FuelQuote[]): string {
  const { commodity, curve, asOf, firstMonth, lastMonth, params } = horizon
  const canonical = {
    commodity,
    curve,
    asOf,
    firstMonth,
    lastMonth,
    quotes: sorted.map((q) => ({ contract: q.contract.code, price: q.price, bid: q.bid, ask: q.ask })),
    params: { annualEscalation: params.annualEscalation, priorWeightLiquid: params.priorWeightLiquid, priorWeightGrowth: params.priorWeightGrowth, priorShape: params.priorShape },
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
}

/** The curve's months with their days; offsets count from the first curve month. */
type FuelLayout = { months: readonly MonthKey[]; start: number; days: readonly number[] }

function fuelLayout(firstMonth: MonthKey, lastMonth: MonthKey): FuelLayout {
  const months = monthRange(firstMonth, lastMonth)
  return { months, start: monthIndex(firstMonth), days: months.map(monthDays) }
}

/** The days-weighted averaging row of a quote over the month variables. */
function fuelTerms(layout: FuelLayout, quote: FuelQuote): [number, number][] {
  const first = monthIndex(quote.contract.first) - layout.start
  const last = monthIndex(quote.contract.last) - layout.start
  let total = 0
  for (let k = first; k <= last; k++) total += layout.days[k]!
  const terms: [number, number][] = []
  for (let k = first; k <= last; k++) terms.push([k, layout.days[k]! / total])
  return terms
}

/** Constraint labels are the contract codes; a repeated contract gets ` #2`, ` #3`. */
function fuelLabels(quotes: readonly FuelQuote[]): string[] {
  const seen = new Map<string, number>()
  return quotes.map((q) => {
    const count = (seen.get(q.contract.code) ?? 0) + 1
    seen.set(q.contract.code, count)
    return count === 1 ? q.contract.code : `${q.contract.code} #${count}`
  })
}

/** Days-weighted average of a vector over a quote's months, with the days. */
function averageOverDays(layout: FuelLayout, q: FuelQuote, vector: Float64Array): { value: number; days: number } {
  let days = 0
  let sum = 0
  for (let k = monthIndex(q.contract.first) - layout.start, last = monthIndex(q.contract.last) - layout.start; k <= last; k++) {
    days += layout.days[k]!
    sum += layout.days[k]! * vector[k]!
  }
  return { value: sum / days, days }
}

type FuelPrepared = { horizon: FuelHorizon; quotes: FuelQuote[]; layout: FuelLayout; problem: CurveProblem; lastLiquidMonth: MonthKey; priorLevel: number; priorLevelMonth: MonthKey }

function prepareFuelCurve(input: BuildFuelCurveInput): FuelPrepared {
  const horizon = resolveFuelHorizon(input)
  checkQuoteRange(input.quotes, horizon)
  const quotes = [...input.quotes].sort(compareFuelQuotes)
  const { params } = horizon
  const layout = fuelLayout(horizon.firstMonth, horizon.lastMonth)
  const M = layout.months.length
  const lastLiquidMonth = quotes.reduce((last, q) => (compareMonths(q.contract.last, last) > 0 ? q.contract.last : last), quotes[0]!.contract.last)
  const firstQuoted = quotes.reduce((first, q) => (compareMonths(q.contract.first, first) < 0 ? q.contract.first : first), quotes[0]!.contract.first)
  const priorLevelMonth = addMonths(firstQuoted, Math.floor(monthsBetween(firstQuoted, lastLiquidMonth) / 2))

  const shape = params.priorShape === 'seasonal' ? GAS_SEASONAL_SHAPE : FLAT
  const growth = 1 + params.annualEscalation
  const unit = new Float64Array(M)
  for (let k = 0; k < M; k++) unit[k] = shape[(layout.start + k) % 12]! * growth ** (monthsBetween(priorLevelMonth, layout.months[k]!) / 12)
  // Level: days-weighted ratio fit to the quotes touching the last quoted year (as build.ts's priorLevels).
  const windowStart = addMonths(lastLiquidMonth, -11)
  let numerator = 0
  let denominator = 0
  for (const q of quotes) {
    if (compareMonths(q.contract.last, windowStart) < 0) continue
    const { value, days } = averageOverDays(layout, q, unit)
    numerator += days * q.price
    denominator += days * value
  }
  const priorLevel = numerator / denominator
  const prior = new Float64Array(M)
  for (let k = 0; k < M; k++) prior[k] = priorLevel * unit[k]!

  const priorWeight = new Float64Array(M)
  const liquidEnd = monthIndex(lastLiquidMonth) - layout.start
  for (let k = 0; k < M; k++) {
    const beyond = Math.max(0, k - liquidEnd)
    priorWeight[k] = params.priorWeightLiquid + params.priorWeightGrowth * beyond * beyond
  }
  const labels = fuelLabels(quotes)
  const problem: CurveProblem = {
    n: M,
    segments: [{ start: 0, length: M }],
    prior,
    priorWeight,
    constraints: quotes.map((q, i) => ({
      label: labels[i]!,
      terms: fuelTerms(layout, q),
      target: q.price,
      ...(q.bid !== null && q.ask !== null ? { band: { lo: q.bid, hi: q.ask } } : {}),
    })),
  }
  return { horizon, quotes, layout, problem, lastLiquidMonth, priorLevel, priorLevelMonth }
}

/** The QP buildFuelCurve solves (one variable per month), without solving it. */
export function fuelCurveProblem(input: BuildFuelCurveInput): CurveProblem {
  return prepareFuelCurve(input).problem
}

/**
 * Builds a fuel curve from quotes. Throws CurveInputError (bad commodity, dates, params, quotes
 * outside the curve, no quotes) or the solver's CurveConflictError naming the contracts that
 * contradict each other. Deterministic: the same input in any quote order gives the same build.
 */
export function buildFuelCurve(input: BuildFuelCurveInput): FuelCurveBuild {
  const { horizon, quotes, layout, problem, lastLiquidMonth, priorLevel, priorLevelMonth } = prepareFuelCurve(input)
  const solution = solveCurveProblem(problem)
  const months: FuelCurveMonth[] = layout.months.map((month, k) => ({ month, price: solution.x[k]!, days: layout.days[k]! }))
  const build: FuelCurveBuild = {
    curve: horizon.curve,
    commodity: horizon.commodity,
    asOf: horizon.asOf,
    firstMonth: horizon.firstMonth,
    lastMonth: horizon.lastMonth,
    months,
    quotes: [],
    diagnostics: { ...solution.diagnostics, lastLiquidMonth, params: horizon.params, priorLevel, priorLevelMonth, prior: { kind: 'escalation', shape: horizon.params.priorShape } },
    inputsHash: hashFuelInputs(horizon, quotes),
  }
  build.quotes = quotes.map((q) => {
    const repriced = repriceFuelQuote(build, q)
    return { code: q.contract.code, price: q.price, bid: q.bid, ask: q.ask, repriced, error: repriced - q.price }
  })
  return build
}

/** The inputsHash buildFuelCurve would give, without solving (defaults filled, quote order irrelevant). */
export function fuelCurveInputsHash(input: BuildFuelCurveInput): string {
  return hashFuelInputs(resolveFuelHorizon(input), [...input.quotes].sort(compareFuelQuotes))
}

/** The curve's price for a contract: the days-weighted average of its months. Throws when a month is outside the curve. */
export function repriceFuelQuote(build: Pick<FuelCurveBuild, 'firstMonth' | 'months'>, quote: Pick<FuelQuote, 'contract'>): number {
  const start = monthIndex(build.firstMonth)
  let days = 0
  let sum = 0
  for (let i = monthIndex(quote.contract.first), last = monthIndex(quote.contract.last); i <= last; i++) {
    const m = monthFromIndex(i)
    const row = build.months[i - start]
    if (!row || row.month !== m) {
      throw new CurveInputError([{ contract: quote.contract.code, message: `month ${m} is outside the curve ${build.firstMonth}..${build.months.at(-1)?.month}` }])
    }
    days += row.days
    sum += row.days * row.price
  }
  return sum / days
}

/** One row of a fuel curve view: a period's days-weighted price over the months the curve has of it. */
export type FuelViewRow = { period: string; first: MonthKey; last: MonthKey; months: number; days: number; price: number }

/**
 * A fuel curve at the chosen granularity, days-weighted: months before asOf's month are dropped;
 * 'standard' is quarters for the calendar year of the first remaining month and the nine after it,
 * then calendar years (as curveView for power).
 */
export function fuelCurveView(points: readonly FuelCurveMonth[], granularity: Granularity, asOf: string): FuelViewRow[] {
  const asOfMonth = asOf.slice(0, 7)
  monthIndex(asOfMonth)
  const sorted = [...points].sort((a, b) => compareMonths(a.month, b.month))
  const duplicate = sorted.find((p, i) => i > 0 && p.month === sorted[i - 1]!.month)
  if (duplicate) throw new CurveInputError([{ field: 'month', value: duplicate.month, message: 'month appears twice in the curve' }])
  const live = sorted.filter((p) => compareMonths(p.month, asOfMonth) >= 0)
  if (live.length === 0) return []
  const firstAnnual = `${Number(live[0]!.month.slice(0, 4)) + 10}-01`
  const periodOf: (m: MonthKey) => string =
    granularity === 'monthly'
      ? (m) => m
      : granularity === 'quarterly'
        ? quarterOf
        : granularity === 'annual'
          ? calendarOf
          : (m) => (compareMonths(m, firstAnnual) < 0 ? quarterOf(m) : calendarOf(m))
  const rows: FuelViewRow[] = []
  const sums: number[] = []
  for (const p of live) {
    const period = periodOf(p.month)
    const row = rows.at(-1)
    if (row && row.period === period) {
      sums[sums.length - 1] = sums.at(-1)! + p.price * p.days
      row.days += p.days
      row.months += 1
      row.last = p.month
      row.price = sums.at(-1)! / row.days
    } else {
      rows.push({ period, first: p.month, last: p.month, months: 1, days: p.days, price: p.price })
      sums.push(p.price * p.days)
    }
  }
  return rows
}
