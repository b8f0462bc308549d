/**
 * Measured load shapes: a market's hourly demand (EIA-930, given as data) made into the shape of
 * its representative days (frames.ts), in place of the built-in parametric shape (profiles.ts
 * `loadShape`) for the calendar months the data covers well enough.
 *
 * The model's representative days are a month's peak days and its off-peak days (weekends or the
 * market's non-peak weekdays, and NERC holidays), 24 hours each, indexed by hour ending - 1 on the
 * market's peak clock (prevailing time). A measured month is the mean demand of each hour over
 * the complete local days of its class (every one of the 24 hours present once, so the 23- and
 * 25-hour days of the DST changes are left out), pooled over the years the data spans. Only the
 * shape counts: frames.ts scales a month's representative hours to its energy, so MW or MWh per
 * hour, one respondent or several, give the same frames.
 */
import { MARKETS, nercHolidays, zonedParts } from '@carbon/schemas'
import { SCENARIO_MARKETS, type ScenarioMarket } from '../types.ts'
import { HOURS } from './profiles.ts'
import { canonicalJson, sha256Hex, VERSION_HEX } from './versions.ts'

/** One calendar month's measured representative days: mean demand per hour (index = hour ending - 1). */
export type MeasuredMonth = {
  /** Calendar month 1..12. */
  month: number
  peak: readonly number[]
  off: readonly number[]
  /** Complete days each mean is of. */
  peakDays: number
  offDays: number
}

/** A market's measured months (those with enough days), from one demand series. */
export type MeasuredLoad = { market: ScenarioMarket; series: string; first: string; last: string; months: readonly MeasuredMonth[] }

/** An hourly demand value: the hour ENDING at `periodEnd` (ISO UTC), as EIA-930 labels it. */
export type HourlyDemand = { periodEnd: string; value: number }

/**
 * Complete days a class needs in a calendar month for the month to be measured: a month has about
 * 20 peak days, and 4 (CAISO, Sundays and holidays) to 10 off-peak ones; fewer days than this
 * leave a single unusual week to shape a whole month.
 */
export const MIN_SHAPE_DAYS = { peak: 8, off: 4 } as const

const HOUR_MS = 3_600_000
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

type Day = { values: Float64Array; seen: Uint8Array; count: number; peak: boolean; month: number; bad: boolean }

/** Whether a local date is one of the market's peak days (weekday of its peak definition, not a NERC holiday). */
function isPeakDay(market: ScenarioMarket, date: string, weekday: string): boolean {
  const def = MARKETS[market]
  if (!def.peakDays.includes(WEEKDAYS.indexOf(weekday) + 1)) return false
  return !nercHolidays(Number(date.slice(0, 4))).includes(date)
}

/** Local days of the market's peak clock, each with its 24 hour slots as found. */
function localDays(market: ScenarioMarket, values: readonly HourlyDemand[]): Map<string, Day> {
  const zone = MARKETS[market].peakTimeZone
  const days = new Map<string, Day>()
  for (const { periodEnd, value } of values) {
    const start = new Date(Date.parse(periodEnd) - HOUR_MS)
    const p = zonedParts(start, zone)
    const date = `${p.year}-${p.month}-${p.day}`
    let day = days.get(date)
    if (!day) {
      day = { values: new Float64Array(HOURS), seen: new Uint8Array(HOURS), count: 0, peak: isPeakDay(market, date, p.weekday), month: Number(p.month), bad: false }
      days.set(date, day)
    }
    const h = Number(p.hour)
    // A repeated hour (the 25-hour day), or a value that is no demand, makes the day unusable.
    if (day.seen[h] || !Number.isFinite(value) || value <= 0) day.bad = true
    day.seen[h] = 1
    day.values[h] = value
    day.count++
  }
  return days
}

/**
 * The measured months of a market from its hourly demand (any order): per calendar month, the mean
 * of each hour over its complete peak days and its complete off-peak days, kept when both classes
 * have MIN_SHAPE_DAYS days. Null when no month has. Deterministic: months in order, days summed
 * in date order.
 */
export function measuredLoad(market: ScenarioMarket, series: string, values: readonly HourlyDemand[]): MeasuredLoad | null {
  const days = localDays(market, values)
  const sums = Array.from({ length: 12 }, () => ({ peak: new Float64Array(HOURS), off: new Float64Array(HOURS), peakDays: 0, offDays: 0 }))
  for (const date of [...days.keys()].sort()) {
    const day = days.get(date)!
    if (day.bad || day.count !== HOURS) continue
    const s = sums[day.month - 1]!
    const into = day.peak ? s.peak : s.off
    for (let h = 0; h < HOURS; h++) into[h] = into[h]! + day.values[h]!
    if (day.peak) s.peakDays++
    else s.offDays++
  }
  const months: MeasuredMonth[] = []
  sums.forEach((s, i) => {
    if (s.peakDays < MIN_SHAPE_DAYS.peak || s.offDays < MIN_SHAPE_DAYS.off) return
    const mean = (a: Float64Array, n: number) => Array.from(a, (v) => v / n)
    months.push({ month: i + 1, peak: mean(s.peak, s.peakDays), off: mean(s.off, s.offDays), peakDays: s.peakDays, offDays: s.offDays })
  })
  if (months.length === 0) return null
  const ends = values.map((v) => v.periodEnd).sort()
  return { market, series, first: ends[0]!, last: ends.at(-1)!, months }
}

/** Throws a RangeError naming the market and month when measured load cannot shape the model's days. */
export function checkMeasuredLoad(shapes: readonly MeasuredLoad[]): void {
  const markets = new Set<string>()
  for (const load of shapes) {
    if (!(SCENARIO_MARKETS as readonly string[]).includes(load.market)) throw new RangeError(`load shapes: ${JSON.stringify(load.market)} is not a market the model runs (${SCENARIO_MARKETS.join(', ')})`)
    if (markets.has(load.market)) throw new RangeError(`load shapes: ${load.market} twice`)
    markets.add(load.market)
    let previous = 0
    for (const m of load.months) {
      const where = `load shapes: ${load.market} month ${m.month}`
      if (!Number.isInteger(m.month) || m.month <= previous || m.month > 12) throw new RangeError(`${where}: months 1..12, ascending, each once`)
      previous = m.month
      for (const [name, shape] of [['peak', m.peak], ['off', m.off]] as const) {
        if (shape.length !== HOURS) throw new RangeError(`${where}: ${name} has ${shape.length} hours, not ${HOURS}`)
        const bad = shape.findIndex((v) => !Number.isFinite(v) || v <= 0)
        if (bad >= 0) throw new RangeError(`${where}: ${name} hour ending ${bad + 1} is ${shape[bad]}, not a demand > 0`)
      }
    }
  }
}

/** The content address of measured load shapes (sha256 prefix of their canonical JSON); null for none. */
export function loadShapesId(shapes: readonly MeasuredLoad[]): string | null {
  return shapes.length === 0 ? null : sha256Hex(canonicalJson(shapes)).slice(0, VERSION_HEX)
}
