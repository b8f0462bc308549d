/**
 * The publishers' clocks, for planning requests. MISO market days are fixed EST (UTC-5, no DST):
 * day D covers [D 05:00Z, D+1 05:00Z). CAISO trade dates are Pacific prevailing time, 23 hours on
 * the spring change day and 25 in the autumn. Instants are ms since the epoch.
 */
import { zonedParts } from '@carbon/schemas/calendar'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
export const FIVE_MINUTES = 5 * MINUTE
export const MISO_OFFSET_MS = 5 * HOUR
export const PACIFIC = 'America/Los_Angeles'

const pad2 = (n: number) => String(n).padStart(2, '0')

/** `ms` rounded down to a multiple of `step`. */
export const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step
/** `ms` rounded up to a multiple of `step`. */
export const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step

/** Start (00:00 EST) of the MISO market day holding `ms`. */
export const misoDayStart = (ms: number) => floorTo(ms - MISO_OFFSET_MS, DAY) + MISO_OFFSET_MS

/** `YYYYMMDD` of the MISO market day holding `ms`. */
export const misoDate = (ms: number) => new Date(misoDayStart(ms) - MISO_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '')

/** Start (local midnight, PST or PDT) of the CAISO trade date holding `ms`. */
export function pacificDayStart(ms: number): number {
  const day = zonedParts(new Date(ms), PACIFIC)
  for (const offsetHours of [8, 7]) {
    const candidate = Date.UTC(Number(day.year), Number(day.month) - 1, Number(day.day), offsetHours)
    const p = zonedParts(new Date(candidate), PACIFIC)
    if (p.year === day.year && p.month === day.month && p.day === day.day && p.hour === '00' && p.minute === '00') return candidate
  }
  throw new RangeError(`no Pacific midnight on ${day.year}-${day.month}-${day.day}`)
}

/** Start of the CAISO trade date after the one holding `ms` (trade dates last 23 to 25 hours). */
export const nextPacificDayStart = (ms: number) => pacificDayStart(pacificDayStart(ms) + 26 * HOUR)

/** An OASIS `startdatetime`/`enddatetime`: `20260714T07:00-0000` (GMT). */
export function oasisTime(ms: number): string {
  const t = new Date(ms)
  return `${t.getUTCFullYear()}${pad2(t.getUTCMonth() + 1)}${pad2(t.getUTCDate())}T${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}-0000`
}

/** A UTC instant for file names, `20260714T0700` (no ':', file names become object-store keys). */
export function fileTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '')
}
