/**
 * The publishers' clocks. MISO: fixed EST (UTC-5) market days of 24 hours. CAISO: Pacific
 * prevailing time trade dates (23 hours on the spring change day, 25 in the autumn); every
 * OASIS time on the wire is GMT.
 */
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
export const MISO_OFFSET = 5 * HOUR

export type Ymd = { y: number; m: number; d: number }

const pad2 = (n: number) => String(n).padStart(2, '0')

/** `YYYYMMDD` as a calendar date, or null when it is not one. */
export function parseYmd(text: string): Ymd | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text)
  if (!m) return null
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  const check = new Date(Date.UTC(y, mo - 1, d))
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null
  return { y, m: mo, d }
}

export const ymdText = ({ y, m, d }: Ymd) => `${y}${pad2(m)}${pad2(d)}`
export const isoDate = ({ y, m, d }: Ymd) => `${y}-${pad2(m)}-${pad2(d)}`

/** The UTC date of `ms` as a Ymd. */
export function ymdOfUtc(ms: number): Ymd {
  const t = new Date(ms)
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }
}

/** Start of a MISO market day (midnight EST) in ms since the epoch. */
export const misoDayStart = ({ y, m, d }: Ymd) => Date.UTC(y, m - 1, d) + MISO_OFFSET

/** The MISO market day (EST date) an instant falls in. */
export const misoDayOf = (ms: number): Ymd => ymdOfUtc(ms - MISO_OFFSET)

/** A naive MISO market time, `2026-10-02T16:50:00` (EST). */
export function misoNaive(ms: number): string {
  return new Date(ms - MISO_OFFSET).toISOString().slice(0, 19)
}

const pacific = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
})

function pacificParts(ms: number): { y: number; m: number; d: number; hour: number; minute: number } {
  const p: Record<string, number> = {}
  for (const part of pacific.formatToParts(ms)) p[part.type] = Number(part.value)
  return { y: p.year!, m: p.month!, d: p.day!, hour: p.hour!, minute: p.minute! }
}

const dayStarts = new Map<string, number>()

/** Start of a CAISO trade date (local midnight, PST or PDT) in ms since the epoch. */
export function pacificDayStart(date: Ymd): number {
  const key = ymdText(date)
  const cached = dayStarts.get(key)
  if (cached !== undefined) return cached
  for (const offset of [8, 7]) {
    const ms = Date.UTC(date.y, date.m - 1, date.d, offset)
    const p = pacificParts(ms)
    if (p.y === date.y && p.m === date.m && p.d === date.d && p.hour === 0 && p.minute === 0) {
      dayStarts.set(key, ms)
      return ms
    }
  }
  throw new RangeError(`no Pacific midnight on ${key}`)
}

/** The CAISO trade date an instant falls in. */
export function pacificDayOf(ms: number): Ymd {
  const { y, m, d } = pacificParts(ms)
  return { y, m, d }
}

/** The day after. */
export function nextDay({ y, m, d }: Ymd): Ymd {
  return ymdOfUtc(Date.UTC(y, m - 1, d + 1))
}

/** `2026-07-14T07:00:00-00:00`, the way OASIS writes GMT times. */
export function oasisGmt(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}-00:00`
}

/**
 * An OASIS `startdatetime`/`enddatetime` (`20260714T07:00-0000`, any offset) in ms since the
 * epoch, or null.
 */
export function parseOasisTime(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2}):(\d{2})([+-])(\d{2}):?(\d{2})$/.exec(text)
  if (!m) return null
  const date = parseYmd(`${m[1]}${m[2]}${m[3]}`)
  const hour = Number(m[4])
  const minute = Number(m[5])
  if (!date || hour > 23 || minute > 59) return null
  const offset = (Number(m[7]) * 60 + Number(m[8])) * MINUTE * (m[6] === '-' ? -1 : 1)
  return Date.UTC(date.y, date.m - 1, date.d, hour, minute) - offset
}

/** The `YYYYMMDDTHH:MM-0000` form of an instant (what clients send). */
export function oasisParam(ms: number): string {
  const t = new Date(ms)
  return `${t.getUTCFullYear()}${pad2(t.getUTCMonth() + 1)}${pad2(t.getUTCDate())}T${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}-0000`
}
