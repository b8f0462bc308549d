/**
 * The IESO public report datasets (see parsers/ieso.ts for the XML): static files, no
 * authentication.
 *
 *   GET {urls.iesoReports}/DAHourlyOntarioZonalPrice/PUB_DAHourlyOntarioZonalPrice_20260528.xml
 *   GET {urls.iesoReports}/RealtimeOntarioZonalPrice/PUB_RealtimeOntarioZonalPrice_2026082518.xml
 *
 * IESO's clock is Eastern STANDARD time all year (UTC-5): a delivery date is always 24 hours,
 * [D 05:00Z, D+1 05:00Z); real-time file HH (01-24) holds the twelve five-minute intervals of
 * hour ending HH, [HH-1, HH) EST.
 *
 * | dataset | request | published (usual schedule) | cadence |
 * |---|---|---|---|
 * | `ieso.da_ontario_zonal` | one file per delivery date (EST) | date D at D-1 12:30 EST (the day-ahead market's results; the real file of 2026-05-28 was created 2026-05-27 12:31:16 EST) | 1 h |
 * | `ieso.rt_ontario_zonal` | one file per delivery hour (EST) | an interval once it has ended: the hour's file appears when its first interval ends and is rewritten as each later one ends (slots not run yet are empty) | 5 min |
 *
 * A file not out yet answers 404, read as "not published yet". Rate limits: none documented;
 * requests share the rate group {@link IESO_RATE_GROUP}, spaced {@link IESO_MIN_SPACING_MS}.
 */
import { SOURCES } from '../sources.ts'
import type { DatasetDefinition, FetchRequest, Window } from './types.ts'

const MINUTE_MS = 60_000
const FIVE_MINUTES_MS = 5 * MINUTE_MS
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS
/** IESO market time: EST, UTC-5, all year. */
export const IESO_OFFSET_MS = 5 * HOUR_MS

/** Politeness group of every IESO public report request. */
export const IESO_RATE_GROUP = 'ieso.reports'
/** Spacing between request starts per rate group (pass to createHttpClient's minSpacingMs). */
export const IESO_MIN_SPACING_MS: Readonly<Record<string, number>> = { [IESO_RATE_GROUP]: 1000 }
/** The day-ahead report of delivery date D is out this long before D 00:00 EST (D-1 12:30 EST). */
export const IESO_DA_PUBLISHED_BEFORE_MS = 11 * HOUR_MS + 30 * MINUTE_MS

export type IesoSourceId = 'ieso.da_ontario_zonal' | 'ieso.rt_ontario_zonal'

const ACCEPT = { Accept: 'application/xml, text/xml;q=0.9, */*;q=0.1' }

/** Start (00:00 EST) of the IESO delivery date holding `ms`. */
export const iesoDayStart = (ms: number) => Math.floor((ms - IESO_OFFSET_MS) / DAY_MS) * DAY_MS + IESO_OFFSET_MS
/** `YYYYMMDD` of the delivery date holding `ms`. */
const ymd = (ms: number) => new Date(iesoDayStart(ms) - IESO_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '')
const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step

function request(id: IesoSourceId, url: string, window: Window, file: string): FetchRequest {
  return { dataset: id, url, headers: { ...ACCEPT }, window, file, rateGroup: IESO_RATE_GROUP, notFoundMeansNotPublished: true }
}

const base = (url: string) => url.replace(/\/+$/, '')

const daOntarioZonal: DatasetDefinition = {
  id: 'ieso.da_ontario_zonal',
  market: SOURCES['ieso.da_ontario_zonal'].market,
  run: SOURCES['ieso.da_ontario_zonal'].run,
  cadenceMs: HOUR_MS,
  intervalMs: HOUR_MS,
  backfill: true,
  available: () => true,
  // The latest date D whose report is out (D 00:00 EST - 11.5 h <= now), to its end.
  publishedUntil: (now) => iesoDayStart(now + IESO_DA_PUBLISHED_BEFORE_MS) + DAY_MS,
  plan(window, config) {
    const out: FetchRequest[] = []
    if (!(window.end > window.start)) return out
    for (let day = iesoDayStart(window.start); day < window.end; day += DAY_MS) {
      const file = `PUB_DAHourlyOntarioZonalPrice_${ymd(day)}.xml`
      out.push(request('ieso.da_ontario_zonal', `${base(config.urls.iesoReports)}/DAHourlyOntarioZonalPrice/${file}`, { start: day, end: day + DAY_MS }, file))
    }
    return out
  },
}

const rtOntarioZonal: DatasetDefinition = {
  id: 'ieso.rt_ontario_zonal',
  market: SOURCES['ieso.rt_ontario_zonal'].market,
  run: SOURCES['ieso.rt_ontario_zonal'].run,
  cadenceMs: FIVE_MINUTES_MS,
  intervalMs: FIVE_MINUTES_MS,
  backfill: true,
  available: () => true,
  // An interval is out once it has ended.
  publishedUntil: (now) => floorTo(now, FIVE_MINUTES_MS),
  /** One file per delivery hour overlapping the window (the hour in progress: the intervals ended so far). */
  plan(window, config) {
    const out: FetchRequest[] = []
    if (!(window.end > window.start)) return out
    for (let hour = floorTo(window.start, HOUR_MS); hour < window.end; hour += HOUR_MS) {
      const hh = String((hour - iesoDayStart(hour)) / HOUR_MS + 1).padStart(2, '0')
      const file = `PUB_RealtimeOntarioZonalPrice_${ymd(hour)}${hh}.xml`
      out.push(request('ieso.rt_ontario_zonal', `${base(config.urls.iesoReports)}/RealtimeOntarioZonalPrice/${file}`, { start: hour, end: hour + HOUR_MS }, file))
    }
    return out
  },
}

/** The IESO public report datasets by source id. */
export const IESO_DATASETS: Readonly<Record<IesoSourceId, DatasetDefinition>> = {
  'ieso.da_ontario_zonal': daOntarioZonal,
  'ieso.rt_ontario_zonal': rtOntarioZonal,
}
