/**
 * Publisher clocks: wall-clock times in a market's prevailing time (Eastern, Central, Mountain)
 * turned into instants, with both daylight-saving changes handled. Every North American market
 * changes its clock by a whole hour at 02:00 local, so a trade day has 23, 24 or 25 hours:
 * in spring 02:00-03:00 does not exist, in autumn 01:00-02:00 happens twice (first in daylight
 * time, then in standard time). Publishers tell the two autumn hours apart by hour ending 1..25,
 * a DST flag, an offset in the string, or row order only; the parsers pick the occurrence and
 * this module turns it into the instant.
 */
import { zonedParts } from '@carbon/schemas'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** Which of two equal wall-clock times on the fall-back day: the daylight one (earlier) or the standard one. */
export type Occurrence = 'first' | 'second'

/** The zone's offset from UTC at `ms` (local minus UTC, in ms), e.g. -5 h for Central daylight time. */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = zonedParts(new Date(ms), timeZone)
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute))
  return wall - (ms - (((ms % 60_000) + 60_000) % 60_000))
}

/**
 * The instants a wall-clock time names in `timeZone`, earliest first: none in the spring gap,
 * two in the repeated autumn hour, one otherwise. `wall` is the date and time read as if it were
 * UTC (see `wallClockMs`).
 */
export function instantsOfWallClock(wall: number, timeZone: string): number[] {
  const offsets = new Set([zoneOffsetMs(wall - DAY_MS, timeZone), zoneOffsetMs(wall, timeZone), zoneOffsetMs(wall + DAY_MS, timeZone)])
  const found: number[] = []
  for (const offset of offsets) {
    const instant = wall - offset
    if (zoneOffsetMs(instant, timeZone) === offset && !found.includes(instant)) found.push(instant)
  }
  return found.sort((a, b) => a - b)
}

/**
 * The instant of a wall-clock time in `timeZone`; in the repeated autumn hour `occurrence` picks
 * the daylight (`first`) or standard (`second`) one; null in the spring gap (a time that never
 * happened there).
 */
export function localInstant(wall: number, timeZone: string, occurrence: Occurrence = 'first'): number | null {
  const instants = instantsOfWallClock(wall, timeZone)
  if (instants.length === 0) return null
  return occurrence === 'second' && instants.length > 1 ? (instants[1] as number) : (instants[0] as number)
}

/**
 * The start of every hour of the local trade day `date` (`wall` of its midnight, see
 * `wallClockMs`) in `timeZone`: 23, 24 or 25 instants. Hour ending N (1-based, counting the
 * repeated hour twice as publishers that number to 25 do) starts at `[N - 1]`.
 */
export function localDayHours(dayWall: number, timeZone: string): number[] {
  const start = localInstant(dayWall, timeZone, 'first')
  const end = localInstant(dayWall + DAY_MS, timeZone, 'first')
  if (start === null || end === null) throw new RangeError(`no local midnight in ${timeZone} around ${new Date(dayWall).toISOString().slice(0, 10)}`)
  const hours: number[] = []
  for (let at = start; at < end; at += HOUR_MS) hours.push(at)
  return hours
}

/**
 * Remembers each day's hours per zone for one parse (a file holds a few days and many rows per
 * day, and every look-up of an offset formats a date).
 */
export function localDayHoursCache(timeZone: string): (dayWall: number) => number[] {
  const known = new Map<number, number[]>()
  return (dayWall) => {
    let hours = known.get(dayWall)
    if (hours === undefined) {
      hours = localDayHours(dayWall, timeZone)
      known.set(dayWall, hours)
    }
    return hours
  }
}

/** The prevailing-time zones of the markets (IANA), and the fixed ones of markets that keep standard time all year. */
export const EASTERN = 'America/New_York'
export const CENTRAL = 'America/Chicago'
export const MOUNTAIN = 'America/Edmonton'
/** Eastern Standard Time all year (IESO's market clock; MISO's too). */
export const EASTERN_STANDARD = 'Etc/GMT+5'
