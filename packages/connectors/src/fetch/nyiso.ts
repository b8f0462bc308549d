/**
 * The NYISO MIS zonal LBMP datasets (see parsers/nyiso.ts and its README): one CSV per Eastern
 * (EPT) day for the recent days, one zip per month for the older ones. No authentication.
 *
 *   GET {urls.nyisoMis}/csv/damlbmp/20260923damlbmp_zone.csv          day-ahead, day D
 *   GET {urls.nyisoMis}/csv/realtime/20260923realtime_zone.csv        real-time, day D (grows during D)
 *   GET {urls.nyisoMis}/csv/damlbmp/20260801damlbmp_zone_csv.zip      day-ahead, every day of 2026-08 (one CSV each)
 *   GET {urls.nyisoMis}/csv/realtime/20260801realtime_zone_csv.zip    real-time, the same
 *
 * A day's real-time file holds the intervals ENDING 00:05 .. 24:00 of D, i.e. starting in EPT
 * day D: 288 five-minute intervals, 276 on the spring day, 300 on the autumn day (the repeated
 * hour's stamps twice per zone, daylight first). The MIS keeps the daily CSVs of the last days
 * only (public clients fetch the daily file for the last 7 days and the monthly zip otherwise):
 * days before {@link nyisoDailyFrom} are fetched from their month's zip, whose window is those
 * days of the month (the zip holds the whole month; the parser reads every CSV in it).
 *
 * Publication (a 404 means "not yet": the file appears later):
 *
 * | file | published (usual schedule) | cadence |
 * |---|---|---|
 * | `{D}damlbmp_zone.csv` | D-1 11:00 EPT (the day-ahead market posts late morning) | 1 h |
 * | `{D}realtime_zone.csv` | from D 00:05 EPT, one row per zone as each five-minute interval ends | 5 min |
 * | `{YYYYMM}01..._csv.zip` | the month's days published so far | (backfill only) |
 *
 * No documented rate limit: requests share the rate group `nyiso.mis`, spaced 1 s to be polite.
 */
import { NYISO_FILES, type NyisoZoneFile } from '../parsers/nyiso.ts'
import { easternAt, easternDate, easternDayStart, nextEasternDayStart, previousEasternDayStart } from './pjm.ts'
import { ceilTo, fileTime, FIVE_MINUTES, floorTo, HOUR } from './time.ts'
import type { DatasetDefinition, FetchRequest, Window } from './types.ts'

/** Politeness group of every MIS request. */
export const NYISO_RATE_GROUP = 'nyiso.mis'
/** No documented limit; one request a second is polite. */
export const NYISO_MIN_SPACING_MS: Readonly<Record<string, number>> = { [NYISO_RATE_GROUP]: 1_000 }
/** Day-ahead LBMPs of day D are posted at D-1 11:00 EPT. */
export const NYISO_DA_PUBLISHED = { daysBefore: 1, hour: 11 } as const
/** Days fetched as daily CSVs: today and the 6 before (older days from the monthly zips). */
export const NYISO_DAILY_CSV_DAYS = 7

export type NyisoSourceId = (typeof NYISO_FILES)[NyisoZoneFile]['source']

const FOLDER: Readonly<Record<NyisoZoneFile, string>> = { damlbmp_zone: 'damlbmp', realtime_zone: 'realtime' }
const ACCEPT = {
  csv: 'text/csv, text/plain;q=0.9, */*;q=0.1',
  zip: 'application/zip, application/x-zip-compressed, application/octet-stream;q=0.9, */*;q=0.1',
}

/** When the day-ahead file of the EPT day starting at `dayStart` is posted. */
export const nyisoDaPublishedAt = (dayStart: number) => easternAt(dayStart, -NYISO_DA_PUBLISHED.daysBefore, NYISO_DA_PUBLISHED.hour)

/** The first day fetched as a daily CSV at `now` (older days come from the monthly zips). */
export function nyisoDailyFrom(now: number): number {
  let day = easternDayStart(now)
  for (let i = 1; i < NYISO_DAILY_CSV_DAYS; i++) day = previousEasternDayStart(day)
  return day
}

/** `YYYYMM` of the EPT day starting at `dayStart`, and the start of its month's first day. */
function monthOf(dayStart: number): { ym: string; first: number } {
  const date = easternDate(dayStart)
  let first = dayStart
  while (easternDate(first).slice(6) !== '01') first = previousEasternDayStart(first)
  return { ym: date.slice(0, 6), first }
}

const PUBLISHED_UNTIL: Readonly<Record<NyisoZoneFile, (now: number) => number>> = {
  // Day D is out at D-1 11:00: through the end of tomorrow once today's 11:00 has passed, else of today.
  damlbmp_zone: (now) => {
    const tomorrow = nextEasternDayStart(now)
    return nyisoDaPublishedAt(tomorrow) <= now ? nextEasternDayStart(tomorrow) : tomorrow
  },
  // An interval is in the day's file once it has ended.
  realtime_zone: (now) => floorTo(now, FIVE_MINUTES),
}

function plan(kind: NyisoZoneFile, window: Window, base: string, now: number): FetchRequest[] {
  const spec = NYISO_FILES[kind]
  if (!(window.end > window.start)) return []
  const folder = `${base.replace(/\/+$/, '')}/csv/${FOLDER[kind]}`
  const start = floorTo(window.start, spec.intervalMs)
  const end = ceilTo(window.end, spec.intervalMs)
  if (!(end > start)) return []
  const dailyFrom = nyisoDailyFrom(now)
  const requests: FetchRequest[] = []
  const request = (url: string, part: Window, file: string, accept: string): FetchRequest => ({
    dataset: spec.source,
    url,
    headers: { Accept: accept },
    window: part,
    file,
    rateGroup: NYISO_RATE_GROUP,
    notFoundMeansNotPublished: true,
  })
  let day = easternDayStart(start)
  // Older days: one request per month, its window those days of the month in the window.
  while (day < end && day < dailyFrom) {
    const { ym, first } = monthOf(day)
    let monthEnd = first
    while (easternDate(monthEnd).slice(0, 6) === ym) monthEnd = nextEasternDayStart(monthEnd)
    const part = { start: Math.max(start, first), end: Math.min(end, monthEnd, dailyFrom) }
    const file = `${ym}01${kind}_csv.zip`
    requests.push(request(`${folder}/${file}`, part, file, ACCEPT.zip))
    day = part.end
  }
  // Recent days: the day's CSV, named for the part of the day asked for when it is not all of it.
  for (; day < end; day = nextEasternDayStart(day)) {
    const dayEnd = nextEasternDayStart(day)
    const part = { start: Math.max(start, day), end: Math.min(end, dayEnd) }
    const name = `${easternDate(day)}${kind}.csv`
    const whole = part.start === day && part.end === dayEnd
    const file = whole ? name : name.replace(/\.csv$/, `_${fileTime(part.start)}_${fileTime(part.end)}.csv`)
    requests.push(request(`${folder}/${name}`, part, file, ACCEPT.csv))
  }
  return requests
}

function dataset(kind: NyisoZoneFile, cadenceMs: number): DatasetDefinition {
  const spec = NYISO_FILES[kind]
  return {
    id: spec.source,
    market: 'NYISO',
    run: spec.run,
    cadenceMs,
    intervalMs: spec.intervalMs,
    available: () => true,
    publishedUntil: PUBLISHED_UNTIL[kind],
    plan: (window, config, now) => plan(kind, window, config.urls.nyisoMis, now),
    backfill: true,
  }
}

/** The NYISO zonal LBMP datasets by source id. */
export const NYISO_DATASETS: Readonly<Record<NyisoSourceId, DatasetDefinition>> = {
  'nyiso.damlbmp_zone': dataset('damlbmp_zone', HOUR),
  'nyiso.realtime_zone': dataset('realtime_zone', FIVE_MINUTES),
}
