import { addDays } from '@carbon/schemas'
import { round } from './format.ts'
import type { FuelChange } from './schemas.ts'

/**
 * The fuels report's arithmetic on stored values, pure (no stores): which values count as of a
 * date, changes against earlier values, and the forward curve's table. Values are the series
 * service's (periods as UTC-midnight ISO instants, docs/decisions/023).
 */

/** Days of Henry Hub the chart draws, to its latest daily price on or before the report's date. */
export const FUELS_CHART_DAYS = 90

/** Decimals the fuels report rounds to: gas and LNG in $/MMBtu to 3 (EIA prints 3.125), others to 2. */
export const GAS_DECIMALS = 3
export const OTHER_DECIMALS = 2

export type StoredValue = { periodStart: string; periodEnd: string; value: number }

/** The date (YYYY-MM-DD) of an instant stored as a UTC midnight. */
export const dayOf = (iso: string): string => iso.slice(0, 10)

/** The last day a period covers: the day before its (exclusive) end. */
export const lastDayOf = (value: Pick<StoredValue, 'periodEnd'>): string => addDays(dayOf(value.periodEnd), -1)

/**
 * The values whose period has ended by the end of `date` (a week ending after the date, or the
 * month it falls in, is not known as of that date), oldest first as given.
 */
export function endedBy<T extends Pick<StoredValue, 'periodEnd'>>(values: readonly T[], date: string): T[] {
  return values.filter((v) => lastDayOf(v) <= date)
}

/** The latest value of those given (the last: the service answers oldest first), or null. */
export function latest<T>(values: readonly T[]): T | null {
  return values.length === 0 ? null : values[values.length - 1]!
}

/** The latest value whose period starts on or before `day`, or null. */
export function onOrBefore<T extends Pick<StoredValue, 'periodStart'>>(values: readonly T[], day: string): T | null {
  let found: T | null = null
  for (const v of values) if (dayOf(v.periodStart) <= day) found = v
  return found
}

/** How the report names a period: a day by its date, a week by its last day, a month as YYYY-MM. */
export function periodLabel(frequency: 'day' | 'week' | 'month', value: Pick<StoredValue, 'periodStart' | 'periodEnd'>): string {
  return frequency === 'week' ? lastDayOf(value) : frequency === 'month' ? value.periodStart.slice(0, 7) : dayOf(value.periodStart)
}

/** `value` minus an earlier stored value (null without one), with the earlier value's period (periodLabel). */
export function changeAgainst(value: number, earlier: StoredValue | null, decimals: number, frequency: 'day' | 'week' | 'month' = 'day'): FuelChange {
  return earlier === null ? { against: null, value: null } : { against: periodLabel(frequency, earlier), value: round(value - earlier.value, decimals) }
}

/** The same day one calendar month before (the month's last day when it is shorter: 03-31 -> 02-28). */
export function monthBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const month = m === 1 ? 12 : m - 1
  const year = m === 1 ? y - 1 : y
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, days)).padStart(2, '0')}`
}

/**
 * Changes of the latest daily value: against the stored day before it, the latest stored day at
 * least 7 days before it and at least one calendar month before it.
 */
export function dailyChanges(values: readonly StoredValue[], decimals: number): { day: FuelChange; week: FuelChange; month: FuelChange } | null {
  const last = latest(values)
  if (last === null) return null
  const date = dayOf(last.periodStart)
  const before = values.length > 1 ? values[values.length - 2]! : null
  return {
    day: changeAgainst(last.value, before, decimals),
    week: changeAgainst(last.value, onOrBefore(values, addDays(date, -7)), decimals),
    month: changeAgainst(last.value, onOrBefore(values, monthBefore(date)), decimals),
  }
}

export type ForwardMonth = { period: string; first: string; last: string; days: number; price: number }
export type ForwardRow = { period: string; first: string; last: string; price: number }

/** How many months the forward table lists one by one before calendar years. */
export const FORWARD_MONTHS = 12

/**
 * A monthly fuel curve as the report's table: the first 12 months one by one, then one row per
 * calendar year (the calendar-days-weighted mean of its months, as the curves service aggregates);
 * a year the curve covers only in part is labelled with its months (`2027-08..2027-12`, or `2027-12`).
 */
export function forwardTable(months: readonly ForwardMonth[], decimals = GAS_DECIMALS): ForwardRow[] {
  const rows: ForwardRow[] = months.slice(0, FORWARD_MONTHS).map((m) => ({ period: m.period, first: m.first, last: m.last, price: round(m.price, decimals) }))
  const years = new Map<string, { first: string; last: string; weighted: number; days: number; months: number }>()
  for (const m of months.slice(FORWARD_MONTHS)) {
    const year = m.first.slice(0, 4)
    const y = years.get(year) ?? { first: m.first, last: m.last, weighted: 0, days: 0, months: 0 }
    y.last = m.last
    y.weighted += m.price * m.days
    y.days += m.days
    y.months += 1
    years.set(year, y)
  }
  for (const [year, y] of years) {
    const period = y.months === 12 ? `Cal-${year}` : y.months === 1 ? y.first : `${y.first}..${y.last}`
    rows.push({ period, first: y.first, last: y.last, price: round(y.weighted / y.days, decimals) })
  }
  return rows
}

/**
 * The default date of the report: the latest day a daily series shown has a value for (or one of
 * `days`, e.g. a forward curve's as-of date), else the latest day a weekly or monthly period shown
 * ends on; never after today (UTC). Null without any.
 */
export function defaultReportDate(series: readonly { frequency: string; last: string }[], today: string, days: readonly string[] = []): string | null {
  const daily = [...series.filter((s) => s.frequency === 'day').map((s) => dayOf(s.last)), ...days]
  const others = series.filter((s) => s.frequency === 'week' || s.frequency === 'month').map((s) => periodLastDay(s.frequency, s.last))
  const candidates = daily.length > 0 ? daily : others
  if (candidates.length === 0) return null
  const max = candidates.reduce((a, b) => (a > b ? a : b))
  return max > today ? today : max
}

/** The last day of a period from its start: a day itself, a week's seventh day, a month's last day. */
function periodLastDay(frequency: string, start: string): string {
  const day = dayOf(start)
  if (frequency === 'week') return addDays(day, 6)
  if (frequency === 'month') {
    const [y, m] = day.split('-').map(Number) as [number, number]
    return `${day.slice(0, 7)}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`
  }
  return day
}
