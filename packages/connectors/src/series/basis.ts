/**
 * Basis arithmetic over series records, pure and framework-free: a hub's price minus a reference
 * price period by period (gas basis to Henry Hub), and the weekly averages of a daily series that
 * weekly prices are compared with (EIA's LNG bullets give JKM and TTF as averages of weeks ending
 * Wednesday; LNG basis = JKM - the Henry Hub average of the same week).
 *
 * Exact decimals. Publishers' prices are short decimals (2.56, 13.2); binary floating point
 * would turn 13.2 - 2.56 into 10.639999999999999. Each value is read as the decimal it prints as
 * (at most {@link MAX_PLACES} places; a value with more, itself the result of float arithmetic, is
 * rounded to that many first), the arithmetic is done on integers of that many places, and the
 * result is the double nearest the exact decimal:
 * - a basis carries as many places as the more precise of its two prices (3.25 - 2.56 = 0.69,
 *   exactly; 13.2 - 2.565 = 10.635);
 * - a weekly average is the exact mean rounded half away from zero to {@link AVERAGE_PLACES}
 *   places (hundredths of a cent per MMBtu), or to the daily values' places when they carry more.
 *
 * Refusals: a side that mixes series, frequencies, units or measures, repeats a period, or two
 * sides that differ in frequency, unit or measure throw {@link SeriesMismatchError}: subtracting
 * $/MWh from $/MMBtu, or a month from a day, has no answer.
 */
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import { REFERENCE_HUB } from './gas/hubs.ts'

/** Decimal places a value is read to. 8 places keeps every sum of a week's values below 2^53 for prices up to 10^5. */
export const MAX_PLACES = 8
/** Decimal places of a weekly average (at least). */
export const AVERAGE_PLACES = 4

/** The `source` of records made here; the legs' own sources are attributes. */
export const BASIS_SOURCE = 'derived.basis'
export const WEEKLY_AVERAGE_SOURCE = 'derived.weekly_average'

export type MismatchCode = 'series' | 'frequency' | 'unit' | 'measure' | 'period'

/**
 * The package's refusal to combine series that do not combine (its one other error, ParseError,
 * is about a publisher file and names a file and a line, which arithmetic has not). `code` says
 * what differs, `found` the values seen.
 */
export class SeriesMismatchError extends Error {
  readonly code: MismatchCode
  readonly found: readonly string[]

  constructor(code: MismatchCode, found: readonly string[], message: string) {
    super(message)
    this.name = 'SeriesMismatchError'
    this.code = code
    this.found = found
  }
}

/** What every record of one side shares. */
type SeriesShape = Pick<SeriesRecord, 'series' | 'frequency' | 'unit' | 'measure'>

const SHAPE_FIELDS = ['series', 'frequency', 'unit', 'measure'] as const satisfies readonly MismatchCode[]
const PLURAL: Record<(typeof SHAPE_FIELDS)[number], string> = { series: 'series', frequency: 'frequencies', unit: 'units', measure: 'measures' }

/** The shape of a side's records (null when it has none); throws when they do not share one. */
function shapeOf(records: readonly SeriesRecord[], side: string): SeriesShape | null {
  const [first] = records
  if (!first) return null
  for (const field of SHAPE_FIELDS) {
    const values = [...new Set(records.map((r) => r[field]))]
    if (values.length > 1) throw new SeriesMismatchError(field, values, `the ${side} records mix ${PLURAL[field]}: ${values.join(', ')}`)
  }
  return { series: first.series, frequency: first.frequency, unit: first.unit, measure: first.measure }
}

/** The records by period start; throws when a period repeats (which of the two would count?). */
function byPeriod(records: readonly SeriesRecord[], side: string): Map<string, SeriesRecord> {
  const periods = new Map<string, SeriesRecord>()
  for (const record of records) {
    if (periods.has(record.periodStart)) {
      throw new SeriesMismatchError('period', [record.periodStart], `the ${side} records repeat the period starting ${record.periodStart} (${record.series})`)
    }
    periods.set(record.periodStart, record)
  }
  return periods
}

/** Decimal places of the shortest decimal that prints as `value` (`2.56` -> 2, `1e-7` -> 7), at most MAX_PLACES. */
export function decimalPlaces(value: number): number {
  const [mantissa = '', exponent = '0'] = String(Math.abs(value)).split('e')
  const fraction = mantissa.split('.')[1]?.length ?? 0
  return Math.min(MAX_PLACES, Math.max(0, fraction - Number(exponent)))
}

/** `value` as an integer count of 10^-places, rounded half away from zero. */
function scaled(value: number, places: number): number {
  return Math.sign(value) * Math.round(Math.abs(value) * 10 ** places)
}

/** An integer count of 10^-places as a number, without a negative zero. */
function unscaled(units: number, places: number): number {
  const value = units / 10 ** places
  return value === 0 ? 0 : value
}

/** `a - b` exactly, to the places of the more precise of the two. */
export function decimalDifference(a: number, b: number): number {
  const places = Math.max(decimalPlaces(a), decimalPlaces(b))
  return unscaled(scaled(a, places) - scaled(b, places), places)
}

/** The mean of `values`, exactly, rounded half away from zero to max(AVERAGE_PLACES, their places) places. */
export function decimalMean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('the mean of no values')
  const places = Math.max(AVERAGE_PLACES, ...values.map(decimalPlaces))
  const sum = values.reduce((total, value) => total + scaled(value, places), 0)
  const count = values.length
  const remainder = sum % count
  const quotient = (sum - remainder) / count
  const rounded = 2 * Math.abs(remainder) >= count ? quotient + Math.sign(sum) : quotient
  return unscaled(rounded, places)
}

/** The later of two publication times; null when either is unknown (a basis is known once both legs are). */
function later(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return null
  return Date.parse(a) >= Date.parse(b) ? a : b
}

/** Short names of reference series in basis ids: the trade's "Algonquin-HH basis". */
const REFERENCE_ABBREVIATIONS: Readonly<Record<string, string>> = { [REFERENCE_HUB]: 'HH' }

/**
 * The series id of a basis: `<HUB>_HH` against Henry Hub (`ALGONQUIN_CITYGATES_HH`, `JKM_HH`),
 * `<HUB>_<REFERENCE>` against any other reference (`JKM_TTF`).
 */
export function basisSeriesId(hub: string, reference: string): string {
  return `${hub}_${REFERENCE_ABBREVIATIONS[reference] ?? reference}`
}

/** A period that only one side has: no basis for it. */
export type UnmatchedPeriod = { side: 'hub' | 'reference'; series: string; periodStart: string; periodEnd: string }

export type BasisResult = {
  /** One record per period both sides have, in period order. */
  records: SeriesRecord[]
  /** The periods one side has and the other lacks, in period order. */
  unmatched: UnmatchedPeriod[]
}

function requireSame(field: 'frequency' | 'unit' | 'measure', hub: SeriesShape, reference: SeriesShape): void {
  if (hub[field] === reference[field]) return
  const found = [hub[field], reference[field]]
  throw new SeriesMismatchError(field, found, `cannot take ${reference.series} from ${hub.series}: ${PLURAL[field]} differ (${found.join(' vs ')})`)
}

function basisRecord(hub: SeriesRecord, reference: SeriesRecord): SeriesRecord {
  return {
    product: hub.product,
    market: hub.market,
    series: basisSeriesId(hub.series, reference.series),
    measure: hub.measure,
    frequency: hub.frequency,
    periodStart: hub.periodStart,
    periodEnd: hub.periodEnd,
    value: decimalDifference(hub.value, reference.value),
    unit: hub.unit,
    attributes: { leg: hub.series, reference: reference.series, legSource: hub.source, referenceSource: reference.source },
    source: BASIS_SOURCE,
    publishedAt: later(hub.publishedAt, reference.publishedAt),
  }
}

const unmatchedOf = (side: UnmatchedPeriod['side'], record: SeriesRecord): UnmatchedPeriod => ({
  side,
  series: record.series,
  periodStart: record.periodStart,
  periodEnd: record.periodEnd,
})

/**
 * The basis of a hub to a reference: for each period both have (same frequency, same period
 * start), hub - reference, in their unit, as series {@link basisSeriesId} of the hub's product
 * (GAS for a gas hub, LNG for JKM). Periods one side lacks (a hub that did not trade, a holiday on
 * one side) are returned as `unmatched`, never dropped silently.
 */
export function basisSeries(hub: readonly SeriesRecord[], reference: readonly SeriesRecord[]): BasisResult {
  const hubShape = shapeOf(hub, 'hub')
  const referenceShape = shapeOf(reference, 'reference')
  if (hubShape && referenceShape) for (const field of ['frequency', 'unit', 'measure'] as const) requireSame(field, hubShape, referenceShape)
  const hubPeriods = byPeriod(hub, 'hub')
  const referencePeriods = byPeriod(reference, 'reference')
  const records: SeriesRecord[] = []
  const unmatched: UnmatchedPeriod[] = []
  for (const [start, record] of hubPeriods) {
    const other = referencePeriods.get(start)
    if (other) records.push(basisRecord(record, other))
    else unmatched.push(unmatchedOf('hub', record))
  }
  for (const [start, record] of referencePeriods) if (!hubPeriods.has(start)) unmatched.push(unmatchedOf('reference', record))
  const byStart = (a: { periodStart: string }, b: { periodStart: string }) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0)
  return { records: records.sort(byStart), unmatched: unmatched.sort(byStart) }
}

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const
export type Weekday = (typeof WEEKDAYS)[number]

const DAY_MS = 86_400_000

/** The date (`YYYY-MM-DD`) of the week ending on `weekday` that holds the day starting at `ms`. */
function weekEndingOf(ms: number, weekday: Weekday): string {
  const ahead = (WEEKDAYS.indexOf(weekday) - new Date(ms).getUTCDay() + 7) % 7
  return new Date(ms + ahead * DAY_MS).toISOString().slice(0, 10)
}

export type WeeklyAverage = {
  /** The week's last date, `YYYY-MM-DD`. */
  weekEnding: string
  /** How many daily values the average used (fewer than five in a week with a holiday). */
  days: number
  /** false when the week reaches past the first or last date given: days may be missing only because they were not given. */
  complete: boolean
  /** The average as a week record (`datePeriod(weekEnding, 'week')`); attributes as the LNG weekly records' (`statistic`, `weekEnding`), plus `days` and `dailySource`. */
  record: SeriesRecord
}

function weekRecord(days: readonly SeriesRecord[], weekEnding: string): SeriesRecord {
  const first = days[0] as SeriesRecord
  const published = days.map((d) => d.publishedAt).reduce<string | null>((a, b) => later(a, b), first.publishedAt)
  return {
    product: first.product,
    market: first.market,
    series: first.series,
    measure: first.measure,
    frequency: 'week',
    ...datePeriod(weekEnding, 'week'),
    value: decimalMean(days.map((d) => d.value)),
    unit: first.unit,
    attributes: { ...first.attributes, statistic: 'weekly average', weekEnding, days: String(days.length), dailySource: first.source },
    source: WEEKLY_AVERAGE_SOURCE,
    publishedAt: published,
  }
}

/**
 * The weekly averages of a daily series, for weeks ending on `weekEndingWeekday` (EIA's weeks
 * end Wednesday: Thursday to Wednesday), each with the number of days it used: a week holds the
 * days the series has, so a holiday makes it shorter, never a zero. Weeks come out in order; the
 * series id stays the daily one (the frequency tells them apart).
 */
export function weeklyAverages(daily: readonly SeriesRecord[], weekEndingWeekday: Weekday): WeeklyAverage[] {
  const shape = shapeOf(daily, 'daily')
  if (!shape) return []
  if (shape.frequency !== 'day') {
    throw new SeriesMismatchError('frequency', [shape.frequency], `weekly averages are taken of daily records, not ${shape.frequency} (${shape.series})`)
  }
  const days = [...byPeriod(daily, 'daily').values()].sort((a, b) => Date.parse(a.periodStart) - Date.parse(b.periodStart))
  const firstMs = Date.parse((days[0] as SeriesRecord).periodStart)
  const lastMs = Date.parse((days.at(-1) as SeriesRecord).periodStart)
  const weeks = new Map<string, SeriesRecord[]>()
  for (const day of days) {
    const weekEnding = weekEndingOf(Date.parse(day.periodStart), weekEndingWeekday)
    const members = weeks.get(weekEnding)
    if (members) members.push(day)
    else weeks.set(weekEnding, [day])
  }
  return [...weeks].map(([weekEnding, members]) => {
    const endMs = Date.parse(`${weekEnding}T00:00:00Z`)
    return {
      weekEnding,
      days: members.length,
      complete: endMs - 6 * DAY_MS >= firstMs && endMs <= lastMs,
      record: weekRecord(members, weekEnding),
    }
  })
}
