import { compareMonths, monthIndex, type BlockHours, type MonthKey } from './calendar.ts'
import { CurveInputError } from './errors.ts'

/** One month of a curve with its block hours (the shape of CurveBuild's `months` rows). */
export type CurvePoint = { month: MonthKey; onpeak: number; offpeak: number; atc: number; hours: BlockHours }

/**
 * One row of a curve view. `period` is the contract code of the period (`2027-01`, `2027-Q1`,
 * `Cal-2030`); `first`/`last`/`months` say which months of it the curve actually has: a partial
 * period at either end aggregates only the months present. Prices are hours-weighted averages.
 */
export type ViewRow = {
  period: string
  first: MonthKey
  last: MonthKey
  months: number
  onpeak: number
  offpeak: number
  atc: number
  hours: BlockHours
}

/** How finely to show a curve; 'standard' = quarters for the first ten calendar years, Cal years after. */
export type Granularity = 'monthly' | 'quarterly' | 'annual' | 'standard'

/** Quarter code of a month (`2027-Q3`). */
export function quarterOf(m: MonthKey): string {
  return `${m.slice(0, 4)}-Q${Math.floor((Number(m.slice(5, 7)) - 1) / 3) + 1}`
}

/** Calendar-year code of a month (`Cal-2027`). */
export function calendarOf(m: MonthKey): string {
  return `Cal-${m.slice(0, 4)}`
}

/** Points sorted by month; duplicate months are an error (a curve has one price per month). */
function sortedPoints(points: readonly CurvePoint[]): CurvePoint[] {
  const sorted = [...points].sort((a, b) => compareMonths(a.month, b.month))
  const duplicates = sorted.filter((p, i) => i > 0 && p.month === sorted[i - 1]!.month)
  if (duplicates.length > 0) throw new CurveInputError(duplicates.map((p) => ({ field: 'month', value: p.month, message: 'month appears twice in the curve' })))
  return sorted
}

/** Hours-weighted aggregate of consecutive points that share a period. */
function aggregate(period: string, group: CurvePoint[]): ViewRow {
  const hours = { onpeak: 0, offpeak: 0, atc: 0 }
  const sums = { onpeak: 0, offpeak: 0, atc: 0 }
  for (const p of group) {
    for (const block of ['onpeak', 'offpeak', 'atc'] as const) {
      hours[block] += p.hours[block]
      sums[block] += p.hours[block] * p[block]
    }
  }
  return {
    period,
    first: group[0]!.month,
    last: group[group.length - 1]!.month,
    months: group.length,
    onpeak: sums.onpeak / hours.onpeak,
    offpeak: sums.offpeak / hours.offpeak,
    atc: sums.atc / hours.atc,
    hours,
  }
}

/** Groups sorted points by `periodOf` and aggregates each group. */
function groupBy(points: readonly CurvePoint[], periodOf: (m: MonthKey) => string): ViewRow[] {
  const rows: ViewRow[] = []
  let group: CurvePoint[] = []
  let period = ''
  for (const p of points) {
    const next = periodOf(p.month)
    if (group.length > 0 && next !== period) {
      rows.push(aggregate(period, group))
      group = []
    }
    period = next
    group.push(p)
  }
  if (group.length > 0) rows.push(aggregate(period, group))
  return rows
}

/** The monthly points as view rows (one month each). */
export function toMonths(points: readonly CurvePoint[]): ViewRow[] {
  return groupBy(sortedPoints(points), (m) => m)
}

/** Hours-weighted quarters (`2027-Q1`); partial quarters aggregate the months present. */
export function toQuarters(points: readonly CurvePoint[]): ViewRow[] {
  return groupBy(sortedPoints(points), quarterOf)
}

/** Hours-weighted calendar years (`Cal-2030`); partial years aggregate the months present. */
export function toCalendarYears(points: readonly CurvePoint[]): ViewRow[] {
  return groupBy(sortedPoints(points), calendarOf)
}

/**
 * A curve at the chosen granularity. Months before asOf's month (YYYY-MM-DD, already delivered) are
 * dropped. 'standard' shows quarters for the calendar year of the first remaining month and the nine
 * after it (ten calendar years, the first possibly partial), then calendar years.
 */
export function curveView(points: readonly CurvePoint[], granularity: Granularity, asOf: string): ViewRow[] {
  const asOfMonth = asOf.slice(0, 7)
  monthIndex(asOfMonth) // validates asOf's month
  const live = sortedPoints(points).filter((p) => compareMonths(p.month, asOfMonth) >= 0)
  switch (granularity) {
    case 'monthly':
      return groupBy(live, (m) => m)
    case 'quarterly':
      return groupBy(live, quarterOf)
    case 'annual':
      return groupBy(live, calendarOf)
    case 'standard': {
      if (live.length === 0) return []
      const firstAnnual = `${Number(live[0]!.month.slice(0, 4)) + 10}-01`
      return groupBy(live, (m) => (compareMonths(m, firstAnnual) < 0 ? quarterOf(m) : calendarOf(m)))
    }
  }
}

