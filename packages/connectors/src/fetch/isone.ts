/**
 * The ISO New England Web Services v1.1 datasets (see parsers/isone.ts for the answer): one GET
 * per location per Eastern prevailing-time (EPT) day, HTTP basic auth with an ISO Express account.
 *
 *   GET {urls.isoneWebServices}/hourlylmp/da/final/day/20260923/location/4000.json
 *   GET {urls.isoneWebServices}/hourlylmp/rt/final/day/20260923/location/4000.json
 *   header Authorization: Basic base64(username:password)
 *
 * The credentials travel only in the Authorization header: never in a URL, a file name or an
 * error. Locations: `config.isoneLocations`, default the Internal Hub and the eight load zones
 * ({@link ISONE_DEFAULT_LOCATIONS}: 4000 `.H.INTERNAL_HUB`, 4001 `.Z.MAINE`, 4002
 * `.Z.NEWHAMPSHIRE`, 4003 `.Z.VERMONT`, 4004 `.Z.CONNECTICUT`, 4005 `.Z.RHODEISLAND`, 4006
 * `.Z.SEMASS`, 4007 `.Z.WCMASS`, 4008 `.Z.NEMASSBOST`). An EPT day has 23, 24 or 25 hours; the
 * request's window is the whole local day.
 *
 * | dataset | request | published (usual schedule) | cadence |
 * |---|---|---|---|
 * | `isone.ws.da_hourly_lmp` | one per location per EPT day | day D at D-1 13:30 EPT (the day-ahead market posts its results about 13:30 the day before) | 1 h |
 * | `isone.ws.rt_hourly_lmp` | one per location per EPT day | day D at D+2 00:00 EPT (ASSUMED: final hourly real-time LMPs are "usually released after a delay"; no documented time was found, D+2 is the working assumption) | 1 h |
 * | `isone.csv.da_lmp` | not fetched here | - | - |
 *
 * `isone.csv.da_lmp` (ISO Express `static-transform/csv/histRpts/da-lmp/WW_DALMP_ISO_{YYYYMMDD}.csv`)
 * has no fetch half: its host (www.iso-ne.com) is not among the PublisherUrls, and the site wants a
 * session cookie; it answers HTTP 200 `No data exists for this period.` for dates it lacks (the
 * parser reports that as a ParseError).
 *
 * What the service answers for a day not published yet was not found in the sources; the
 * simulator answers 404 and a 404 is read as "not published yet". Rate limits: none documented;
 * requests share the rate group {@link ISONE_RATE_GROUP}, spaced {@link ISONE_MIN_SPACING_MS}.
 */
import { EASTERN, localInstant, zoneOffsetMs } from '../parsers/local-time.ts'
import { SOURCES } from '../sources.ts'
import type { ConnectorConfig, DatasetDefinition, FetchRequest, Window } from './types.ts'

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

/** Politeness group of every ISO-NE Web Services request. */
export const ISONE_RATE_GROUP = 'isone.ws'
/** Spacing between request starts per rate group (pass to createHttpClient's minSpacingMs). */
export const ISONE_MIN_SPACING_MS: Readonly<Record<string, number>> = { [ISONE_RATE_GROUP]: 1000 }
/** The Internal Hub (4000) and the eight load zones (4001-4008). */
export const ISONE_DEFAULT_LOCATIONS: readonly number[] = [4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007, 4008]

/** Day-ahead LMPs of day D: published at this EPT wall-clock time of D-1 (13:30). */
export const ISONE_DA_PUBLISHED_AT_LOCAL_MS = 13 * HOUR_MS + 30 * MINUTE_MS
/** Final real-time hourly LMPs of day D: published at the start (00:00 EPT) of day D + this many days (an assumption). */
export const ISONE_RT_FINAL_PUBLISHED_AFTER_DAYS = 2

export type IsoneWsSourceId = 'isone.ws.da_hourly_lmp' | 'isone.ws.rt_hourly_lmp'
type WsMarket = 'da' | 'rt'

/** The EPT date of `ms` as a wall-clock midnight (the date read as if it were UTC). */
function easternDateWall(ms: number): number {
  return Math.floor((ms + zoneOffsetMs(ms, EASTERN)) / DAY_MS) * DAY_MS
}

/** The instant of an EPT wall-clock time that exists once (a midnight, 13:30). */
const eastern = (wall: number) => localInstant(wall, EASTERN) as number

/** Start (00:00 EPT) of the EPT day holding `ms`. */
export const easternDayStart = (ms: number) => eastern(easternDateWall(ms))

/** `YYYYMMDD` of an EPT wall-clock midnight. */
const ymd = (dateWall: number) => new Date(dateWall).toISOString().slice(0, 10).replaceAll('-', '')

/** Exclusive bound on the hour starts published by `now`: the end of the latest published EPT day. */
export function isonePublishedUntil(market: WsMarket, now: number): number {
  const today = easternDateWall(now)
  if (market === 'rt') return eastern(today + (1 - ISONE_RT_FINAL_PUBLISHED_AFTER_DAYS) * DAY_MS)
  // Tomorrow's day-ahead prices are out from today 13:30 EPT.
  return now >= eastern(today + ISONE_DA_PUBLISHED_AT_LOCAL_MS) ? eastern(today + 2 * DAY_MS) : eastern(today + DAY_MS)
}

/** The Authorization header of the configured ISO Express account, or null without one. */
function basicAuth(config: ConnectorConfig): string | null {
  const credentials = config.isoneCredentials
  if (!credentials?.username || !credentials.password) return null
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`
}

/** The locations to ask for, checked (a location id goes into the URL path). */
function locations(config: ConnectorConfig): readonly number[] {
  const list = config.isoneLocations ?? ISONE_DEFAULT_LOCATIONS
  for (const id of list) if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`ISO-NE location ids are whole numbers >= 0, got ${id}`)
  return [...new Set(list)]
}

function plan(id: IsoneWsSourceId, market: WsMarket, window: Window, config: ConnectorConfig): FetchRequest[] {
  const authorization = basicAuth(config)
  if (!authorization) throw new Error(`${id}: no ISO Express credentials configured (isoneCredentials)`)
  if (!(window.end > window.start)) return []
  const base = config.urls.isoneWebServices.replace(/\/+$/, '')
  const ids = locations(config)
  const out: FetchRequest[] = []
  for (let dateWall = easternDateWall(window.start); ; dateWall += DAY_MS) {
    const start = eastern(dateWall)
    if (start >= window.end) break
    const end = eastern(dateWall + DAY_MS)
    const day = ymd(dateWall)
    for (const location of ids)
      out.push({
        dataset: id,
        url: `${base}/hourlylmp/${market}/final/day/${day}/location/${location}.json`,
        headers: { Authorization: authorization, Accept: 'application/json' },
        window: { start, end },
        file: `${day}_isone_ws_${market}_hourlylmp_loc${location}.json`,
        rateGroup: ISONE_RATE_GROUP,
        notFoundMeansNotPublished: true,
      })
  }
  return out
}

function dataset(id: IsoneWsSourceId, market: WsMarket): DatasetDefinition {
  return {
    id,
    market: SOURCES[id].market,
    run: SOURCES[id].run,
    cadenceMs: HOUR_MS,
    intervalMs: HOUR_MS,
    backfill: true,
    available: (config) => basicAuth(config) !== null,
    publishedUntil: (now) => isonePublishedUntil(market, now),
    plan: (window, config) => plan(id, market, window, config),
  }
}

/** The ISO-NE Web Services datasets by source id (`isone.csv.da_lmp` has no fetch half, see above). */
export const ISONE_DATASETS: Readonly<Record<IsoneWsSourceId, DatasetDefinition>> = {
  'isone.ws.da_hourly_lmp': dataset('isone.ws.da_hourly_lmp', 'da'),
  'isone.ws.rt_hourly_lmp': dataset('isone.ws.rt_hourly_lmp', 'rt'),
}
