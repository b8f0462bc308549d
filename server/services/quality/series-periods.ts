import type { SeriesFrequency } from '@carbon/schemas'

/*
 * Which periods a series beside power should hold (docs/decisions/023), as period starts in ms:
 *
 * - hour (EIA-930, one series per respondent and type): every hour;
 * - day (gas trading days): every weekday, Monday to Friday. EIA's daily files skip trading
 *   holidays too, but no holiday calendar is claimed here: a missing weekday is named by its
 *   date, and the reader decides whether it was a holiday;
 * - week (EIA's LNG weeks, CARB's LCFS weeks): every 7 days back from the series' newest week,
 *   so the grid is the series' own (LNG weeks start on Thursdays, LCFS weeks on Mondays);
 * - month: every calendar month (UTC).
 *
 * Series users enter (REC quotes, server/services/series/upload.ts UPLOADABLE_SOURCES) follow
 * no calendar: a quote is entered on the days a broker or a trade gave one, so a REC series with
 * quotes on 09-01, 09-15 and 10-01 is whole, not 3 of 23 weekdays with 20 "missing". Their
 * expected periods are the periods they hold in the window (enteredPeriods): no gap is claimed,
 * and what the health page tells of them is their newest period and when it arrived.
 *
 * The window of a series is its last `SERIES_WINDOW_PERIODS[frequency]` expected periods up to its
 * newest stored one (never before its first stored one): completeness says whether what was
 * delivered is whole; whether delivery stopped is the freshness check's business (late).
 */

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const WEEK_MS = 7 * DAY_MS

/** How many expected periods back from its newest one a series' completeness covers. */
export const SERIES_WINDOW_PERIODS: Readonly<Record<SeriesFrequency, number>> = { hour: 7 * 24, day: 92, week: 26, month: 24 }

/**
 * The longest span a window can cover per frequency, in ms: the query reads the periods starting
 * this long before a series' newest one, and the expected periods decide exactly. 92 weekdays
 * reach back 18 weeks and up to 5 days more (129 days from a Monday, 131 from a Sunday), so the
 * daily bound is whole weeks, one more than the weekdays fill: 20 weeks. (A bound of 92
 * calendar days, as it was, left the oldest 26 or so weekdays of a long series unread, so missing.)
 */
export const SERIES_WINDOW_SPAN_MS: Readonly<Record<SeriesFrequency, number>> = {
  hour: SERIES_WINDOW_PERIODS.hour * HOUR_MS,
  day: (Math.ceil(SERIES_WINDOW_PERIODS.day / 5) + 1) * WEEK_MS,
  week: SERIES_WINDOW_PERIODS.week * WEEK_MS,
  month: (SERIES_WINDOW_PERIODS.month + 1) * 31 * DAY_MS,
}

/**
 * How far the newest period may end before the publisher's expected bound and still be on time:
 * a daily file may end on the last trading day before a weekend plus a two-day holiday (as
 * EIA's daily workbook does, see DNAV_DAILY_TOLERANCE_MS in packages/connectors).
 */
export const SERIES_END_TOLERANCE_MS: Readonly<Record<SeriesFrequency, number>> = { hour: 0, day: 4 * DAY_MS, week: 0, month: 0 }

const isWeekday = (ms: number) => {
  const day = new Date(ms).getUTCDay()
  return day !== 0 && day !== 6
}

const utcDayStart = (ms: number) => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS)
const monthStart = (ms: number) => {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}
const addMonths = (ms: number, months: number) => {
  const d = new Date(ms)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)
}

/**
 * The expected period starts of a series' window, oldest first: the last `periods` on the
 * frequency's grid ending at `last` (the newest stored period start), none before `first`.
 */
export function expectedPeriods(frequency: SeriesFrequency, first: number, last: number, periods: number = SERIES_WINDOW_PERIODS[frequency]): number[] {
  const out: number[] = []
  if (frequency === 'month') {
    const end = monthStart(last)
    for (let t = end, n = 0; n < periods && t >= monthStart(first); t = addMonths(t, -1), n++) out.push(t)
  } else if (frequency === 'day') {
    const end = utcDayStart(last)
    for (let t = end; out.length < periods && t >= utcDayStart(first); t -= DAY_MS) if (isWeekday(t)) out.push(t)
  } else {
    const step = frequency === 'hour' ? HOUR_MS : WEEK_MS
    for (let t = last, n = 0; n < periods && t >= first; t -= step, n++) out.push(t)
  }
  return out.reverse()
}

/**
 * The expected period starts of an entered series' window (REC quotes: no calendar), oldest
 * first: the periods it holds within the frequency's span back from `last`, at most the
 * frequency's window of them. Every one is present by construction: completeness 1, no gap.
 */
export function enteredPeriods(frequency: SeriesFrequency, stored: Iterable<number>, last: number, periods: number = SERIES_WINDOW_PERIODS[frequency]): number[] {
  const from = last - SERIES_WINDOW_SPAN_MS[frequency]
  const inWindow = [...new Set(stored)].filter((t) => t >= from && t <= last).sort((a, b) => a - b)
  return inWindow.slice(Math.max(0, inWindow.length - periods))
}

/** A run of consecutive expected periods with no value. */
export type PeriodGap = { from: number; to: number; periods: number; dates: string[] | null }

/**
 * The missing periods of `expected` (in order) as runs of consecutive expected periods; a daily
 * series' gaps also name their dates (a Friday and the Monday after are one run of two dates).
 */
export function gapRuns(frequency: SeriesFrequency, expected: readonly number[], present: ReadonlySet<number>): PeriodGap[] {
  const gaps: PeriodGap[] = []
  let open: PeriodGap | null = null
  for (const t of expected) {
    if (present.has(t)) {
      open = null
      continue
    }
    if (!open) {
      open = { from: t, to: t, periods: 0, dates: frequency === 'day' ? [] : null }
      gaps.push(open)
    }
    open.to = t
    open.periods++
    open.dates?.push(new Date(t).toISOString().slice(0, 10))
  }
  return gaps
}

/** '1' for each expected period present, '0' for each missing one, oldest first: the page's strip chart. */
export function presenceOf(expected: readonly number[], present: ReadonlySet<number>): string {
  return expected.map((t) => (present.has(t) ? '1' : '0')).join('')
}
