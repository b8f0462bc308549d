/**
 * Time-zone aware formatting for the hub. Every label is built from Intl parts with a fixed
 * locale and a 24-hour clock, so the server and the browser produce the same string (no
 * hydration mismatch from ICU differences such as narrow no-break spaces in "2:00 PM").
 */
import { zonedParts } from '@carbon/schemas/calendar'

const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

export type TimeStyle =
  /** 2025-11-25 14:05 */
  | 'datetime'
  /** Nov 25 14:05 */
  | 'short'
  /** 14:05 */
  | 'time'
  /** 2025-11-25 */
  | 'date'
  /** Nov 25 */
  | 'day'
  /** Tue 2025-11-25 */
  | 'weekday-date'

/** Formats an instant (Date, ms or ISO string) in the given IANA time zone. */
export function formatInZone(value: Date | number | string, timeZone: string, style: TimeStyle = 'datetime'): string {
  const instant = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(instant.getTime())) return '—'
  const p = zonedParts(instant, timeZone)
  const hm = `${p.hour}:${p.minute}`
  const mon = MONTHS[Number(p.month) - 1] ?? p.month
  switch (style) {
    case 'datetime':
      return `${p.year}-${p.month}-${p.day} ${hm}`
    case 'short':
      return `${mon} ${Number(p.day)} ${hm}`
    case 'time':
      return hm
    case 'date':
      return `${p.year}-${p.month}-${p.day}`
    case 'day':
      return `${mon} ${Number(p.day)}`
    case 'weekday-date':
      return `${p.weekday} ${p.year}-${p.month}-${p.day}`
  }
}

const zoneNameFormatters = new Map<string, Intl.DateTimeFormat>()

/**
 * One formatter per zone: building an Intl.DateTimeFormat costs far more than using one, and a
 * board labels the interval of every cell with it.
 */
function zoneNameFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = zoneNameFormatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
    zoneNameFormatters.set(timeZone, formatter)
  }
  return formatter
}

/**
 * Short label of a time zone at an instant: "EST" for MISO's fixed Etc/GMT+5 clock (Intl would
 * say "GMT-5"), "PST"/"PDT" for America/Los_Angeles.
 */
export function zoneLabel(timeZone: string, at: Date | number | string = Date.now()): string {
  const fixed: Record<string, string> = { 'Etc/GMT+5': 'EST', 'Etc/GMT+6': 'CST', 'Etc/GMT+8': 'PST', UTC: 'UTC', 'Etc/UTC': 'UTC' }
  const known = fixed[timeZone]
  if (known) return known
  const instant = at instanceof Date ? at : new Date(at)
  const name = zoneNameFormatter(timeZone)
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')?.value
  return name ?? timeZone
}

/** Offset of the zone from UTC at an instant, in minutes (EST = -300). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone)
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute))
  const truncated = Math.floor(instant.getTime() / 60_000) * 60_000
  return Math.round((asUtc - truncated) / 60_000)
}

/** The UTC instant of local midnight (in `timeZone`) of the local day containing `instant`. */
export function startOfLocalDay(instant: Date, timeZone: string): Date {
  const p = zonedParts(instant, timeZone)
  const guess = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day))
  // Midnight local = midnight UTC minus the offset in force at that moment (try twice for DST edges).
  let t = guess - zoneOffsetMinutes(new Date(guess), timeZone) * 60_000
  t = guess - zoneOffsetMinutes(new Date(t), timeZone) * 60_000
  return new Date(t)
}

/** Local midnight `days` local days after the local day of `instant` (DST-safe). */
export function addLocalDays(instant: Date, days: number, timeZone: string): Date {
  const start = startOfLocalDay(instant, timeZone)
  // Step by 24 h plus a margin into the target day, then snap back to its midnight.
  return startOfLocalDay(new Date(start.getTime() + days * DAY_MS + 3 * HOUR_MS), timeZone)
}

export function floorToHour(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS)
}

export function ceilToHour(instant: Date): Date {
  return new Date(Math.ceil(instant.getTime() / HOUR_MS) * HOUR_MS)
}

/**
 * Axis ticks for a time range in the market's zone: local midnights for multi-day ranges
 * (thinned to at most ~maxTicks), every few local hours for short ones. Deterministic, so the
 * server-rendered chart and the hydrated one agree.
 */
export function timeTicks(from: number, to: number, timeZone: string, maxTicks = 9): number[] {
  const span = to - from
  if (span <= 0) return []
  if (span <= 2 * DAY_MS) {
    const stepHours = [1, 2, 3, 4, 6, 12].find((h) => span / (h * HOUR_MS) <= maxTicks) ?? 12
    const ticks: number[] = []
    for (let t = Math.ceil(from / HOUR_MS) * HOUR_MS; t <= to; t += HOUR_MS) {
      const hour = Number(zonedParts(new Date(t), timeZone).hour)
      if (hour % stepHours === 0) ticks.push(t)
    }
    return ticks
  }
  const days: number[] = []
  let d = startOfLocalDay(new Date(from), timeZone)
  if (d.getTime() < from) d = addLocalDays(d, 1, timeZone)
  while (d.getTime() <= to) {
    days.push(d.getTime())
    d = addLocalDays(d, 1, timeZone)
  }
  const step = Math.max(1, Math.ceil(days.length / maxTicks))
  return days.filter((_, i) => i % step === 0)
}
