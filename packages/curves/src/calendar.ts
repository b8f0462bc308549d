import { MARKETS, type MarketId } from '@carbon/schemas'
import { isOnPeak, nercHolidays, zonedParts } from '@carbon/schemas/calendar'
import { CurveInputError } from './errors.ts'

/** A delivery month as `YYYY-MM`; string order is month order. */
export type MonthKey = string

/** The curve's long end: every build runs to here unless told otherwise. */
export const LAST_CURVE_MONTH: MonthKey = '2050-12'

/** Delivery blocks: on-peak, off-peak, and ATC (around the clock, the hours-weighted mix of the two). */
export type Block = 'onpeak' | 'offpeak' | 'atc'

/** Hours of a block in one month (atc = onpeak + offpeak = every clock hour of the month). */
export type BlockHours = { onpeak: number; offpeak: number; atc: number }

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/

/** Whether `m` is a well-formed `YYYY-MM`. */
export function isMonthKey(m: string): boolean {
  return MONTH_KEY.test(m)
}

/** Value of the ASCII digit at position i of text, or -1 if it is not one. */
function digitAt(text: string, i: number): number {
  const code = text.charCodeAt(i) - 48
  return code >= 0 && code <= 9 ? code : -1
}

/**
 * The index of a well-formed `YYYY-MM` read digit by digit, or -1 (then the regular expression
 * decides and reports). A build parses thousands of months; this is the path they take.
 */
function quickMonthIndex(m: string): number {
  if (m.length !== 7 || m.charCodeAt(4) !== 45) return -1
  const y0 = digitAt(m, 0)
  const y1 = digitAt(m, 1)
  const y2 = digitAt(m, 2)
  const y3 = digitAt(m, 3)
  const m0 = digitAt(m, 5)
  const m1 = digitAt(m, 6)
  if (y0 < 0 || y1 < 0 || y2 < 0 || y3 < 0 || m0 < 0 || m1 < 0) return -1
  const month = m0 * 10 + m1
  if (month < 1 || month > 12) return -1
  return (y0 * 1000 + y1 * 100 + y2 * 10 + y3) * 12 + month - 1
}

/** Months since year 0 (a total order that makes month arithmetic integer arithmetic). */
export function monthIndex(m: MonthKey): number {
  const quick = typeof m === 'string' ? quickMonthIndex(m) : -1
  if (quick >= 0) return quick
  const match = MONTH_KEY.exec(m)
  if (!match) throw new CurveInputError([{ value: m, message: 'not a month (expected YYYY-MM)' }])
  return Number(match[1]) * 12 + Number(match[2]) - 1
}

const monthKeyCache = new Map<number, MonthKey>()

/** The month with index `i` (inverse of monthIndex). Cached: a build formats the same few hundred months again and again. */
export function monthFromIndex(i: number): MonthKey {
  let key = monthKeyCache.get(i)
  if (key === undefined) {
    const year = Math.floor(i / 12)
    const month = i - year * 12 + 1
    key = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`
    if (monthKeyCache.size < 100_000) monthKeyCache.set(i, key)
  }
  return key
}

/** `m` moved by `k` months (k may be negative). */
export function addMonths(m: MonthKey, k: number): MonthKey {
  return monthFromIndex(monthIndex(m) + k)
}

/** Negative, zero or positive as a is before, equal to or after b (usable as a sort comparator). */
export function compareMonths(a: MonthKey, b: MonthKey): number {
  return monthIndex(a) - monthIndex(b)
}

/** Number of months from a to b (b - a; 0 when equal). */
export function monthsBetween(a: MonthKey, b: MonthKey): number {
  return monthIndex(b) - monthIndex(a)
}

/** Every month from `first` to `last`, both included; empty when first is after last. */
export function monthRange(first: MonthKey, last: MonthKey): MonthKey[] {
  const out: MonthKey[] = []
  for (let i = monthIndex(first), end = monthIndex(last); i <= end; i++) out.push(monthFromIndex(i))
  return out
}

const holidayCache = new Map<number, Set<string>>()
function holidaySet(year: number): Set<string> {
  let set = holidayCache.get(year)
  if (!set) {
    set = new Set(nercHolidays(year))
    holidayCache.set(year, set)
  }
  return set
}

/** UTC offset of `timeZone` at `instantMs`, in whole minutes (wall clock minus UTC). */
function offsetMinutes(instantMs: number, timeZone: string): number {
  const p = zonedParts(new Date(instantMs), timeZone)
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute))
  return Math.round((wall - Math.floor(instantMs / 60_000) * 60_000) / 60_000)
}

/**
 * Offset in force for most of local date (y, m, d): sampled at 12:00 UTC, which is 04:00 to 08:00
 * in the US peak zones, after their 02:00 DST changes. Day lengths follow from consecutive offsets.
 */
function dayOffset(year: number, month: number, day: number, timeZone: string): number {
  return offsetMinutes(Date.UTC(year, month - 1, day, 12), timeZone)
}

/** Brute force for the two DST days a year: every real hour of the local day through isOnPeak. */
function onPeakHoursOfOddDay(market: MarketId, startOffset: number, year: number, month: number, day: number, hours: number): number {
  const midnightUtc = Date.UTC(year, month - 1, day) - startOffset * 60_000
  let count = 0
  for (let h = 0; h < hours; h++) if (isOnPeak(market, new Date(midnightUtc + h * 3_600_000))) count++
  return count
}

function computeMonthHours(market: MarketId, month: MonthKey): BlockHours {
  const def = MARKETS[market]
  const i = monthIndex(month)
  const year = Math.floor(i / 12)
  const mon = (i % 12) + 1
  const days = new Date(Date.UTC(year, mon, 0)).getUTCDate()
  const holidays = holidaySet(year)
  const peakPerDay = def.peakHourEndingTo - def.peakHourEndingFrom + 1
  let onpeak = 0
  let total = 0
  // Offset at the start of day 1 = the offset in force late on the last day of the previous month.
  let prevOffset = dayOffset(year, mon, 0, def.peakTimeZone)
  for (let d = 1; d <= days; d++) {
    const offset = dayOffset(year, mon, d, def.peakTimeZone)
    const hours = 24 - (offset - prevOffset) / 60
    total += hours
    if (hours !== 24) {
      onpeak += onPeakHoursOfOddDay(market, prevOffset, year, mon, d, hours)
    } else {
      const isoWeekday = ((new Date(Date.UTC(year, mon - 1, d)).getUTCDay() + 6) % 7) + 1
      const date = `${month}-${String(d).padStart(2, '0')}`
      if (def.peakDays.includes(isoWeekday) && !holidays.has(date)) onpeak += peakPerDay
    }
    prevOffset = offset
  }
  return Object.freeze({ onpeak, offpeak: total - onpeak, atc: total })
}

const hoursCache = new Map<string, BlockHours>()

/**
 * Exact on-peak, off-peak and ATC hours of a month under the market's peak definition: clock hours in
 * the peak time zone's prevailing time (the spring DST month has one hour fewer, taken from off-peak;
 * the fall month one more), NERC holidays off-peak. Computed by day (23/24/25-hour days) and cached,
 * since a build asks for ~600 month-market pairs. The result is frozen: do not mutate it.
 */
export function monthHours(market: MarketId, month: MonthKey): BlockHours {
  const key = `${market}:${month}`
  let hours = hoursCache.get(key)
  if (!hours) {
    hours = computeMonthHours(market, month)
    hoursCache.set(key, hours)
  }
  return hours
}

/** Hours of `block` in `month` (atc = every clock hour). */
export function blockHours(market: MarketId, month: MonthKey, block: Block): number {
  return monthHours(market, month)[block]
}
