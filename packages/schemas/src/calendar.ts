import { MARKETS, type MarketDefinition } from './markets.ts'
import type { MarketId } from './price-record.ts'

const pad = (n: number) => String(n).padStart(2, '0')
const isoDate = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`

/** Day of month of the n-th (1-based) given weekday (0 = Sunday) of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay()
  return 1 + ((weekday - first + 7) % 7) + (n - 1) * 7
}

function lastWeekday(year: number, month: number, weekday: number): number {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const last = new Date(Date.UTC(year, month - 1, days)).getUTCDay()
  return days - ((last - weekday + 7) % 7)
}

/** A fixed-date holiday falling on a Sunday is observed on the Monday; NERC does not move Saturdays. */
function observedFixed(year: number, month: number, day: number): string {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay()
  return weekday === 0 ? isoDate(year, month, day + 1) : isoDate(year, month, day)
}

/**
 * NERC off-peak holidays of a year as YYYY-MM-DD: New Year's Day, Memorial Day, Independence Day,
 * Labor Day, Thanksgiving Day and Christmas Day (Sunday dates observed on Monday).
 */
export function nercHolidays(year: number): string[] {
  return [
    observedFixed(year, 1, 1),
    isoDate(year, 5, lastWeekday(year, 5, 1)),
    observedFixed(year, 7, 4),
    isoDate(year, 9, nthWeekday(year, 9, 1, 1)),
    isoDate(year, 11, nthWeekday(year, 11, 4, 4)),
    observedFixed(year, 12, 25),
  ]
}

/** NERC holidays for every year touched by [from, to]. */
export function nercHolidaysBetween(from: Date, to: Date): string[] {
  const out: string[] = []
  for (let y = from.getUTCFullYear() - 1; y <= to.getUTCFullYear() + 1; y++) out.push(...nercHolidays(y))
  return out
}

/** Wall-clock parts of an instant in an IANA time zone (24-hour clock, zero-padded strings). */
export type ZonedParts = { year: string; month: string; day: string; hour: string; minute: string; weekday: string }

const partsFormatters = new Map<string, Intl.DateTimeFormat>()
/** The wall-clock parts of `instant` in `timeZone`; formatters are cached per zone. */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  let f = partsFormatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    })
    partsFormatters.set(timeZone, f)
  }
  const out: Record<string, string> = {}
  for (const p of f.formatToParts(instant)) out[p.type] = p.value
  return out as ZonedParts
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function dateParts(date: string): [number, number, number] {
  const match = ISO_DATE.exec(date)
  if (!match) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`)
  return [Number(match[1]), Number(match[2]), Number(match[3])]
}

/** `date` (YYYY-MM-DD) moved by `days` calendar days (a date is a date: no time zone). */
export function addDays(date: string, days: number): string {
  const [year, month, day] = dateParts(date)
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10)
}

/** The calendar date (YYYY-MM-DD) of an instant on a clock. */
export function dateIn(instant: Date, timeZone: string): string {
  const parts = zonedParts(instant, timeZone)
  return `${parts.year}-${parts.month}-${parts.day}`
}

/** The UTC instant at which `date` (YYYY-MM-DD) begins on a clock: local midnight, DST-safe (23- and 25-hour days). */
export function dayStartUtc(date: string, timeZone: string): Date {
  const [year, month, day] = dateParts(date)
  const wall = Date.UTC(year, month - 1, day)
  let guess = wall
  // Two corrections reach the offset in force at that wall time (midnight is never skipped by DST in the markets' zones).
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(new Date(guess), timeZone)
    guess += wall - Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute))
  }
  return new Date(guess)
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
function localParts(instant: Date, timeZone: string) {
  const parts = zonedParts(instant, timeZone)
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    isoWeekday: WEEKDAYS.indexOf(parts.weekday) + 1,
  }
}

/** Whether the interval starting at `intervalStart` is on-peak under the market's definition. */
export function isOnPeak(market: MarketId | MarketDefinition, intervalStart: Date): boolean {
  const def = typeof market === 'string' ? MARKETS[market] : market
  const local = localParts(intervalStart, def.peakTimeZone)
  const hourEnding = local.hour + 1
  if (hourEnding < def.peakHourEndingFrom || hourEnding > def.peakHourEndingTo) return false
  if (!def.peakDays.includes(local.isoWeekday)) return false
  return !nercHolidays(Number(local.date.slice(0, 4))).includes(local.date)
}
