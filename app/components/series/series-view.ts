/**
 * The view model of the series pages (gas, LNG, LCFS, RECs, a market's fundamentals): period labels
 * in the publisher's terms, value formatting by unit, chart points and ticks, and CSV text. Pure
 * and shared by the pages and their CSV routes, so a download holds what the table shows.
 *
 * Periods. Daily, weekly and monthly series are the publisher's dates stored as UTC midnights
 * (docs/decisions/023): they are labelled from their UTC date parts, never converted to a clock.
 * A gas day is its date; EIA's LNG weeks are named by the day they end (period end minus a day);
 * CARB names its LCFS weeks by their Monday (period start); a month is its calendar month. Hourly
 * EIA-930 values are instants labelled by the hour's end, shown in the market's clock.
 */

export const DAY_MS = 86_400_000

/** Days of hourly EIA-930 data a market page shows, ending at the latest hour held. */
export const FUNDAMENTALS_DAYS = 7

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const

/** How a period is named: a gas day, a week by its end (EIA) or its Monday (CARB), a month. */
export type PeriodStyle = 'day' | 'week-ending' | 'week-of' | 'month'

/** A stored value's period (ISO UTC instants). */
export type Period = { periodStart: string; periodEnd: string }

/** `YYYY-MM-DD` of a UTC instant (a stored date period's date). */
export function utcDate(ms: number | string): string {
  return new Date(typeof ms === 'string' ? Date.parse(ms) : ms).toISOString().slice(0, 10)
}

/**
 * The date a period is named by, `YYYY-MM-DD` (a month: `YYYY-MM`): what the table's `<time>`
 * carries and the CSV's first column holds.
 */
export function periodKey(period: Period, style: PeriodStyle): string {
  switch (style) {
    case 'day':
    case 'week-of':
      return utcDate(period.periodStart)
    case 'week-ending':
      return utcDate(Date.parse(period.periodEnd) - DAY_MS)
    case 'month':
      return utcDate(period.periodStart).slice(0, 7)
  }
}

/** A period as the table shows it: `2024-01-12`, `Jan 2024`. */
export function periodLabel(period: Period, style: PeriodStyle): string {
  if (style !== 'month') return periodKey(period, style)
  const start = new Date(period.periodStart)
  return `${MONTHS[start.getUTCMonth()]} ${start.getUTCFullYear()}`
}

/** The heading of a period column (and the CSV's first column name). */
export const PERIOD_HEADINGS: Record<PeriodStyle, { label: string; csv: string }> = {
  day: { label: 'Gas day', csv: 'date' },
  'week-ending': { label: 'Week ending', csv: 'week_ending' },
  'week-of': { label: 'Week of', csv: 'week_of' },
  month: { label: 'Month', csv: 'month' },
}

/** Where a period sits on a chart's time axis: its named date (the hour's end for hourly values). */
export function pointTime(period: Period, style: PeriodStyle | 'hour'): number {
  if (style === 'hour') return Date.parse(period.periodEnd)
  if (style === 'week-ending') return Date.parse(period.periodEnd) - DAY_MS
  return Date.parse(period.periodStart)
}

const MINUS = '\u2212'
const price = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })
const quantity = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** Whether values in `unit` are prices (dollars per something), shown with cents. */
export function isPriceUnit(unit: string | null | undefined): boolean {
  return typeof unit === 'string' && unit.startsWith('$/')
}

/**
 * A value in its unit: prices with at least two and at most four decimals (weekly averages of
 * Henry Hub carry four), quantities (MT, MWh, MMBtu, counts) as whole numbers; thousands
 * separators, a real minus sign, an em dash when missing.
 */
export function formatValue(value: number | null | undefined, unit: string | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—'
  const text = (isPriceUnit(unit) ? price : quantity).format(Math.abs(value))
  return value < 0 && /[1-9]/.test(text) ? `${MINUS}${text}` : text
}

/** A change in its unit with an explicit sign (`+0.97`, `−2.11`, `0.00`); an em dash when missing. */
export function formatSignedValue(value: number | null | undefined, unit: string | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—'
  const text = formatValue(Math.abs(value), unit)
  if (!/[1-9]/.test(text)) return text
  return `${value < 0 ? MINUS : '+'}${text}`
}

/** A value as an axis label: the value's format without trailing zero cents ("3", "3.25"). */
export function axisLabel(value: number, unit: string | null | undefined): string {
  return formatValue(value, unit).replace(/\.00$/, '')
}

/** Decimal places a difference is rounded to: publishers' values carry at most a few; binary floats add noise after. */
const DIFFERENCE_PLACES = 8

/** `a - b` without binary noise (3.18 - 1.72 is 1.46, not 1.4600000000000002). */
export function difference(a: number, b: number): number {
  const scale = 10 ** DIFFERENCE_PLACES
  return Math.round((a - b) * scale) / scale + 0
}

/** Each value with its change from the value before it (null for the first): oldest first in, oldest first out. */
export function withChanges<T extends { value: number }>(values: readonly T[]): (T & { change: number | null })[] {
  return values.map((v, i) => ({ ...v, change: i === 0 ? null : difference(v.value, values[i - 1]!.value) }))
}

/** The latest value and its change from the one before, or null when the series holds none. */
export function latestWithChange<T extends { value: number }>(values: readonly T[]): (T & { change: number | null }) | null {
  const last = values.at(-1)
  if (!last) return null
  const before = values.at(-2)
  return { ...last, change: before ? difference(last.value, before.value) : null }
}

/** A signed number written in a record's attributes ("-2.11"), or null when absent or not a number. */
export function attributeNumber(attributes: Record<string, string> | undefined, key: string): number | null {
  const text = attributes?.[key]
  if (text === undefined || text.trim() === '') return null
  const value = Number(text)
  return Number.isFinite(value) ? value : null
}

/** One point of a chart: its time (`t`, ms) and a value (or null) per drawn series key. */
export type ChartPoint = { t: number; [key: string]: number | null }

/**
 * The points of several series on one time axis, oldest first: one point per distinct time, a
 * series without a value there holds null (the line breaks rather than inventing a value).
 */
export function mergePoints(series: Record<string, readonly { t: number; value: number }[]>): ChartPoint[] {
  const keys = Object.keys(series)
  const byTime = new Map<number, ChartPoint>()
  for (const key of keys) {
    for (const { t, value } of series[key]!) {
      let point = byTime.get(t)
      if (!point) {
        point = { t }
        for (const k of keys) point[k] = null
        byTime.set(t, point)
      }
      point[key] = value
    }
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t)
}

/** Day steps a short date axis may take, then month steps, then year steps. */
const DAY_STEPS = [1, 2, 7, 14] as const
const MONTH_STEPS = [1, 2, 3, 6] as const
const YEAR_STEPS = [1, 2, 5, 10, 20] as const

/** UTC midnights every 1, 2, 7 or 14 days from the first on or after `from`: the smallest step keeping at most `limit`. */
function dayTicks(from: number, to: number, limit: number): number[] {
  const first = Math.ceil(from / DAY_MS) * DAY_MS
  const days = Math.floor((to - first) / DAY_MS) + 1
  const step = DAY_STEPS.find((s) => Math.ceil(days / s) <= limit) ?? 14
  const ticks: number[] = []
  for (let t = first; t <= to; t += step * DAY_MS) ticks.push(t)
  return ticks
}

/** Month starts every 1, 2, 3 or 6 months (counted from January), else January firsts every 1, 2, 5, 10 or 20 years. */
function monthOrYearTicks(from: number, to: number, limit: number): number[] {
  const start = new Date(from)
  const firstMonth = start.getUTCFullYear() * 12 + start.getUTCMonth() + (Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1) < from ? 1 : 0)
  const end = new Date(to)
  const lastMonth = end.getUTCFullYear() * 12 + end.getUTCMonth()
  const monthStep = MONTH_STEPS.find((s) => Math.ceil((lastMonth - firstMonth + 1) / s) <= limit)
  const ticks: number[] = []
  if (monthStep !== undefined) {
    for (let m = Math.ceil(firstMonth / monthStep) * monthStep; m <= lastMonth; m += monthStep) ticks.push(Date.UTC(Math.floor(m / 12), m % 12, 1))
    return ticks
  }
  const firstYear = Math.ceil(firstMonth / 12)
  const lastYear = end.getUTCFullYear()
  const yearStep = YEAR_STEPS.find((s) => Math.ceil((lastYear - firstYear + 1) / s) <= limit) ?? 50
  for (let y = Math.ceil(firstYear / yearStep) * yearStep; y <= lastYear; y += yearStep) ticks.push(Date.UTC(y, 0, 1))
  return ticks
}

/**
 * Ticks of a date axis between two UTC instants, at most `maxTicks`: month starts (every 1, 2, 3
 * or 6 months) or January firsts (every 1, 2, 5, 10 or 20 years); a span holding fewer than two
 * month starts gets days instead (every 1, 2, 7 or 14).
 */
export function dateTicks(from: number, to: number, maxTicks = 8): number[] {
  if (!(to > from)) return []
  const limit = Math.max(1, maxTicks)
  const months = monthOrYearTicks(from, to, limit)
  return months.length >= 2 ? months : dayTicks(from, to, limit)
}

/** A date tick's label: days as `Sep 16`; the year on January firsts of a span of years; else `Jan 2024` / `Mar`. */
export function dateTickLabel(ms: number, ticks: readonly number[]): string {
  const date = new Date(ms)
  const month = MONTHS[date.getUTCMonth()]!
  if (ticks.some((t) => new Date(t).getUTCDate() !== 1)) return `${month} ${date.getUTCDate()}`
  const yearly = ticks.length > 1 && ticks.every((t) => new Date(t).getUTCMonth() === 0) && ticks[1]! - ticks[0]! >= 360 * DAY_MS
  if (yearly) return String(date.getUTCFullYear())
  return date.getUTCMonth() === 0 || ms === ticks[0] ? `${month} ${date.getUTCFullYear()}` : month
}

/** One CSV cell: plain numbers (full precision, ASCII minus), text quoted when it must be. */
function csvCell(value: string | number | null | undefined): string {
  if (value == null || (typeof value === 'number' && !Number.isFinite(value))) return ''
  const text = typeof value === 'number' ? String(value + 0) : value
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** CSV text (CRLF lines, like the hub's other downloads): the header, then the rows. */
export function csvText(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

/** A download's file name: the parts joined by `_`, anything but letters, digits, `.`, `-` and `_` replaced. */
export function csvFilename(...parts: string[]): string {
  return `${parts.join('_')}.csv`.replace(/[^A-Za-z0-9._-]/g, '_')
}

/** The time span a chart draws: its first to its last point, widened by `pad` each side when that is one instant. */
export function chartDomain(points: readonly { t: number }[], pad = DAY_MS): { from: number; to: number } | null {
  const first = points[0]?.t
  const last = points.at(-1)?.t
  if (first === undefined || last === undefined) return null
  return first === last ? { from: first - pad, to: last + pad } : { from: first, to: last }
}
