/**
 * ISO-NE Web Services v1.1 `hourlylmp/{da|rt}/final/day/{YYYYMMDD}/location/{id}.json` bytes,
 * exactly as the real answer of 2026-09-23 location 4000 is laid out
 * (connectors/fixtures/iso/isone/isone_ws_hourlylmp_da_final_day_20260923_loc4000.json):
 *
 *   {"HourlyLmps":{"HourlyLmp":[{"BeginDate":"2026-09-23T00:00:00.000-04:00",
 *     "Location":{"@LocId":"4000","@LocType":"HUB","$":".H.INTERNAL_HUB"},
 *     "LmpTotal":31.5,"EnergyComponent":31.28,"CongestionComponent":0,"LossComponent":0.22}, ...]}}
 *
 * One line, no trailing newline; prices are JSON numbers in their shortest form (`31.5`, `0`,
 * `0.2`, two decimals at most: cents); BeginDate is the hour beginning in Eastern prevailing time
 * with its offset (on the fall-back day 01:00 twice, `-04:00` then `-05:00`).
 */
import { zonedParts } from '@carbon/schemas'

export const EASTERN_ZONE = 'America/New_York'

/** An ISO-NE location: its id (the URL's), its type as ISO-NE writes it, its name. */
export type IsoneLocation = { id: number; locType: string; name: string }

/** One hour of one location, in cents; lmp = energy + congestion + loss. */
export type IsoneHour = { start: number; lmp: number; energy: number; congestion: number; loss: number }

/** Whole cents as the shortest decimal: `31.5`, `0`, `-0.1`, `4`, `0.07` (ISO-NE JSON, IESO day-ahead XML). */
export function decimalCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not a whole number of cents: ${cents}`)
  if (cents === 0) return '0'
  const abs = Math.abs(cents)
  const int = Math.floor(abs / 100)
  const frac = abs % 100
  const sign = cents < 0 ? '-' : ''
  if (frac === 0) return `${sign}${int}`
  const digits = String(frac).padStart(2, '0')
  return `${sign}${int}.${digits.endsWith('0') ? digits[0] : digits}`
}

const pad2 = (n: number) => String(n).padStart(2, '0')

/** `2026-11-01T01:00:00.000-05:00`: the instant in Eastern prevailing time with its offset. */
export function isoneBeginDate(ms: number): string {
  const p = zonedParts(new Date(ms), EASTERN_ZONE)
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute))
  const offsetMinutes = Math.round((wall - ms) / 60_000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:00.000${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`
}

/** The answer for one location and day: its hours in order. */
export function isoneHourlyLmpJson(location: IsoneLocation, hours: readonly IsoneHour[]): string {
  const where = `"Location":{"@LocId":${JSON.stringify(String(location.id))},"@LocType":${JSON.stringify(location.locType)},"$":${JSON.stringify(location.name)}}`
  const rows = hours.map(
    (h) =>
      `{"BeginDate":"${isoneBeginDate(h.start)}",${where},"LmpTotal":${decimalCents(h.lmp)},"EnergyComponent":${decimalCents(h.energy)},` +
      `"CongestionComponent":${decimalCents(h.congestion)},"LossComponent":${decimalCents(h.loss)}}`
  )
  return `{"HourlyLmps":{"HourlyLmp":[${rows.join(',')}]}}`
}

/** The answer for a location and day without data: the empty element, as XML turned into JSON gives it. */
export const ISONE_EMPTY_ANSWER = '{"HourlyLmps":""}'
