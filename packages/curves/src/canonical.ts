/**
 * Checks and orderings both curve builders share (build.ts for power, fuel.ts for gas and basis):
 * an as-of date and the curve's months as the builders accept them, quotes inside those months,
 * the prior's parameters both take, and the canonical order of quotes that makes a build and its inputs hash independent of the
 * order quotes arrive in.
 */
import { addMonths, compareMonths, isMonthKey, LAST_CURVE_MONTH, type MonthKey } from './calendar.ts'
import type { Contract } from './contracts.ts'
import { CurveInputError, type CurveInputIssue } from './errors.ts'

/** The prior's parameters both builders take (power adds its fade, fuel none). */
type PriorParams = { annualEscalation: number; priorWeightLiquid: number; priorWeightGrowth: number; priorShape: string }

/** An issue per prior parameter out of its range, naming `params.<field>`, its value and what it must be. */
export function checkPriorParams(resolved: PriorParams, issues: CurveInputIssue[]): void {
  const check = (field: keyof PriorParams, ok: boolean, expectation: string) => {
    if (!ok) issues.push({ field: `params.${field}`, value: String(resolved[field]), message: `must be ${expectation}` })
  }
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
  check('annualEscalation', finite(resolved.annualEscalation) && resolved.annualEscalation > -1, 'a finite number > -1')
  check('priorWeightLiquid', finite(resolved.priorWeightLiquid) && resolved.priorWeightLiquid > 0, 'a finite number > 0')
  check('priorWeightGrowth', finite(resolved.priorWeightGrowth) && resolved.priorWeightGrowth >= 0, 'a finite number >= 0')
  check('priorShape', resolved.priorShape === 'seasonal' || resolved.priorShape === 'flat', "'seasonal' or 'flat'")
}

const AS_OF = /^(\d{4})-(\d{2})-(\d{2})$/

/** Whether `text` is a real calendar date YYYY-MM-DD (2026-02-30 is not). */
export function isValidAsOf(text: unknown): text is string {
  if (typeof text !== 'string') return false
  const match = AS_OF.exec(text)
  if (!match) return false
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().slice(0, 10) === text
}

/** Whether `text` is a month YYYY-MM. */
export function isMonth(text: unknown): text is MonthKey {
  return typeof text === 'string' && isMonthKey(text)
}

function compareNullable(a: number | null, b: number | null): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a - b
}

/** Contracts by first month, last month, then code. */
export function compareContracts(a: Contract, b: Contract): number {
  return compareMonths(a.first, b.first) || compareMonths(a.last, b.last) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
}

/** Quotes of the same contract (and block) by price, bid, then ask (a missing bid or ask first). */
export function comparePrices(a: { price: number; bid: number | null; ask: number | null }, b: { price: number; bid: number | null; ask: number | null }): number {
  return a.price - b.price || compareNullable(a.bid, b.bid) || compareNullable(a.ask, b.ask)
}

/**
 * The curve's first and last month (defaults: the month after asOf, and LAST_CURVE_MONTH), every
 * problem with asOf and them pushed into `issues`.
 */
export function resolveCurveMonths(
  input: { asOf: unknown; firstMonth?: MonthKey; lastMonth?: MonthKey },
  issues: CurveInputIssue[],
): { firstMonth: MonthKey; lastMonth: MonthKey } {
  const asOf = isValidAsOf(input.asOf) ? input.asOf : null
  if (asOf === null) issues.push({ field: 'asOf', value: String(input.asOf), message: 'must be a date YYYY-MM-DD' })
  const asOfMonth = asOf !== null ? asOf.slice(0, 7) : '0000-01'
  const firstMonth = input.firstMonth ?? addMonths(asOfMonth, 1)
  const lastMonth = input.lastMonth ?? LAST_CURVE_MONTH
  if (!isMonth(firstMonth)) issues.push({ field: 'firstMonth', value: String(firstMonth), message: 'must be a month YYYY-MM' })
  else if (asOf !== null && compareMonths(firstMonth, asOfMonth) < 0) {
    issues.push({ field: 'firstMonth', value: firstMonth, message: `is before the month of asOf (${asOf}): past months are settled, not forward` })
  }
  if (!isMonth(lastMonth)) issues.push({ field: 'lastMonth', value: String(lastMonth), message: 'must be a month YYYY-MM' })
  else if (isMonth(firstMonth) && compareMonths(lastMonth, firstMonth) < 0) {
    issues.push({ field: 'lastMonth', value: lastMonth, message: `is before firstMonth ${firstMonth}` })
  }
  return { firstMonth, lastMonth }
}

/** Every quote must deliver inside [firstMonth, lastMonth]; a partly delivered contract is rejected too. Throws every problem at once. */
export function checkQuoteRange(quotes: readonly { contract: Contract; line: number | null }[], horizon: { firstMonth: MonthKey; lastMonth: MonthKey }): void {
  const issues: CurveInputIssue[] = []
  if (quotes.length === 0) issues.push({ message: 'no quotes: a curve needs at least one quote' })
  for (const q of quotes) {
    const { code, first, last } = q.contract
    const at = { contract: code, field: 'contract', value: code, ...(q.line !== null ? { line: q.line } : {}) }
    if (compareMonths(last, horizon.firstMonth) < 0) {
      issues.push({ ...at, message: `delivers entirely before the first curve month ${horizon.firstMonth}` })
    } else if (compareMonths(first, horizon.firstMonth) < 0) {
      issues.push({
        ...at,
        message:
          `starts ${first}, before the first curve month ${horizon.firstMonth}: its price includes months already delivered or ` +
          `outside the curve, so it cannot be spread over the remaining months; quote the rest as a strip ${horizon.firstMonth}/${last}`,
      })
    }
    if (compareMonths(last, horizon.lastMonth) > 0) issues.push({ ...at, message: `delivers after the last curve month ${horizon.lastMonth}` })
  }
  if (issues.length > 0) throw new CurveInputError(issues)
}
