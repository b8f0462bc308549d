import { compareMonths, isMonthKey, monthRange, type MonthKey } from './calendar.ts'
import { CurveInputError } from './errors.ts'

/**
 * A traded delivery period: one month (`2027-01`), a quarter (`2027-Q3`), a calendar year (`Cal-2028`)
 * or a strip of contiguous months (`2027-01/2027-02`, both ends included). `code` is the canonical
 * spelling, so two spellings of one contract compare equal by code.
 */
export type Contract = { code: string; kind: 'month' | 'quarter' | 'calendar' | 'strip'; first: MonthKey; last: MonthKey }

const QUARTER = /^(\d{4})-Q([1-4])$/i
const CALENDAR = /^Cal-(\d{4})$/i
const STRIP = /^(\d{4}-\d{2})\s*\/\s*(\d{4}-\d{2})$/

/** The contract a code names, or a reason it names none. */
function tryParseContract(raw: string): Contract | string {
  const code = raw.trim()
  if (isMonthKey(code)) return { code, kind: 'month', first: code, last: code }
  const quarter = QUARTER.exec(code)
  if (quarter) {
    const [year, q] = [quarter[1]!, Number(quarter[2])]
    const first = `${year}-${String(q * 3 - 2).padStart(2, '0')}`
    const last = `${year}-${String(q * 3).padStart(2, '0')}`
    return { code: `${year}-Q${q}`, kind: 'quarter', first, last }
  }
  const cal = CALENDAR.exec(code)
  if (cal) return { code: `Cal-${cal[1]}`, kind: 'calendar', first: `${cal[1]}-01`, last: `${cal[1]}-12` }
  const strip = STRIP.exec(code)
  if (strip) {
    const [first, last] = [strip[1]!, strip[2]!]
    if (!isMonthKey(first) || !isMonthKey(last)) return 'a strip is two months YYYY-MM/YYYY-MM'
    if (compareMonths(first, last) > 0) return `the strip starts (${first}) after it ends (${last})`
    return { code: `${first}/${last}`, kind: 'strip', first, last }
  }
  if (/^\d{4}-\d{1,2}$/.test(code)) return 'not a month (expected YYYY-MM, month 01-12)'
  return 'unknown contract code (expected 2027-01, 2027-Q3, Cal-2028 or 2027-01/2027-02)'
}

/**
 * Parses a contract code (surrounding spaces ignored; `Q`/`Cal` in any case). Throws CurveInputError
 * naming the code when it is not one of the four forms or its months are invalid.
 */
export function parseContract(code: string): Contract {
  const parsed = tryParseContract(code)
  if (typeof parsed === 'string') throw new CurveInputError([{ contract: code, field: 'contract', value: code, message: parsed }])
  return parsed
}

/** Like parseContract but returns the reason instead of throwing (for collecting every issue of a file). */
export function parseContractSafe(code: string): { contract: Contract } | { error: string } {
  const parsed = tryParseContract(code)
  return typeof parsed === 'string' ? { error: parsed } : { contract: parsed }
}

/** The delivery months of a contract, in order. */
export function contractMonths(c: Contract): MonthKey[] {
  return monthRange(c.first, c.last)
}
