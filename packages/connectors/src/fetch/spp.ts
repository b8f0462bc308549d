/**
 * SPP's LMPs by settlement location from the Marketplace portal's file browser, no key needed:
 *
 *   GET {urls.sppPortal}/file-browser-api/download/da-lmp-by-settlement-location?path=/2026/09/By_Day/DA-LMP-SL-202609230100.csv
 *   GET {urls.sppPortal}/file-browser-api/download/rtbm-lmp-by-location?path=/2026/09/By_Interval/23/RTBM-LMP-SL-202609231205.csv
 *
 * | dataset | one file | published (usual schedule) | cadence |
 * |---|---|---|---|
 * | `spp.da_lmp_sl` | operating day D (Central), hourly: `DA-LMP-SL-{D}0100.csv` | D-1 14:00 Central (the day-ahead market posts results early afternoon) | 1 h |
 * | `spp.rtbm_lmp_sl` | one 5-minute interval, named by its END | 2 min after the interval ends | 5 min |
 *
 * A file asked for before it is posted answers 404: `notFoundMeansNotPublished`.
 *
 * DA: the date in the name is the operating day, not the day of the first row's GMT time: the
 * real 2026-09-23 file runs from `09/23/2026 01:00:00` (hour ending 01:00) to `09/24/2026
 * 00:00:00` (hour ending 24:00), i.e. [09-23 00:00, 09-24 00:00) Central; `0100` is the first
 * hour's end. The operating day has 23 or 25 hours on the clock-change days.
 *
 * RTBM: `RTBM-LMP-SL-{YYYYMMDDHHmm}.csv` names the interval end on the Central wall clock, read with
 * the offset of the interval itself (in force just before its end); the folder
 * `/{YYYY}/{MM}/By_Interval/{DD}` is the operating day of the interval (the Central date of its
 * start), so the interval ending at midnight is `/06/By_Interval/30/RTBM-LMP-SL-202607010000.csv`.
 * Across the clock changes (documented by others' clients, not by SPP's bytes here):
 * - fall back: the ends 01:05 .. 02:00 happen twice. The first pass (daylight time, ends 06:05Z ..
 *   07:00Z) has the plain names; the second (standard time, 07:05Z .. 08:00Z) the same names with
 *   `d` before `.csv`: `RTBM-LMP-SL-202511020105d.csv` .. `RTBM-LMP-SL-202511020200d.csv`. The
 *   folder is the same day;
 * - spring forward: the interval 07:55Z-08:00Z ends at 02:00 standard time and is named `...0200.csv`
 *   (the next is `...0305.csv`); there is no `...0205` .. `...0300`.
 * One interval per file; the current layout has 9 columns (BAA added). The parser reads both layouts.
 *
 * What backfill can reach: the By_Day and By_Interval files, which others found to reach back to
 * about the start of 2025; older years sit in yearly archives (`/{YYYY}/{YYYY}.zip`, per others'
 * notes, not verified here) that these datasets do not read. A file missing from the portal
 * answers 404 like one not yet posted, so a backfill beyond the files' reach records no data. Requests share the rate group `spp.portal`, spaced 1 s apart (SPP
 * documents no limit; a day of RTBM files is 288 requests, under five minutes).
 */
import { CENTRAL, localInstant, zoneOffsetMs } from '../parsers/local-time.ts'
import { ceilTo, DAY, FIVE_MINUTES, floorTo, HOUR, MINUTE } from './time.ts'
import type { ConnectorConfig, DatasetDefinition, FetchRequest, Window } from './types.ts'

export type SppSourceId = 'spp.da_lmp_sl' | 'spp.rtbm_lmp_sl'

/** Politeness group of every portal request. */
export const SPP_PORTAL_RATE_GROUP = 'spp.portal'
/** Minimum spacing between request starts per SPP rate group, for the HTTP client's `minSpacingMs`. */
export const SPP_MIN_SPACING_MS: Readonly<Record<string, number>> = { [SPP_PORTAL_RATE_GROUP]: 1_000 }

/** The file-browser file sets. */
export const SPP_FILE_SETS: Readonly<Record<SppSourceId, string>> = {
  'spp.da_lmp_sl': 'da-lmp-by-settlement-location',
  'spp.rtbm_lmp_sl': 'rtbm-lmp-by-location',
}

/** DA operating day D is published on D-1 at this Central wall-clock time (ms after D-1 00:00): 14:00. */
export const SPP_DA_PUBLISHED_AT_WALL_MS = 14 * HOUR
/** An RTBM interval is published this long after it ends. */
export const SPP_RTBM_PUBLISHED_AFTER_END_MS = 2 * MINUTE

const ACCEPT_CSV = 'text/csv, text/plain;q=0.9, */*;q=0.1'

/** The Central wall clock of an instant with the offset in force at `offsetAt`, read as UTC. */
const wallWith = (ms: number, offsetAt: number) => ms + zoneOffsetMs(offsetAt, CENTRAL)
/** The wall midnight (read as UTC) of the Central day holding `ms`. */
const centralDay = (ms: number) => floorTo(wallWith(ms, ms), DAY)
/** The instant of a Central wall-clock time that exists (midnight, 14:00): its first occurrence. */
const centralInstant = (wall: number) => localInstant(wall, CENTRAL) as number
/** A wall clock (read as UTC) as `YYYYMMDD` and `HHmm`. */
const ymd = (wall: number) => new Date(wall).toISOString().slice(0, 10).replaceAll('-', '')
const hm = (wall: number) => new Date(wall).toISOString().slice(11, 16).replace(':', '')

/** When DA operating day `dayWall` (wall midnight) is published. */
export function sppDaPublishedAt(dayWall: number): number {
  return centralInstant(dayWall - DAY + SPP_DA_PUBLISHED_AT_WALL_MS)
}

/** The `path` of the DA file of the operating day whose wall midnight is `dayWall`. */
export function sppDaPath(dayWall: number): string {
  const d = ymd(dayWall)
  return `/${d.slice(0, 4)}/${d.slice(4, 6)}/By_Day/DA-LMP-SL-${d}0100.csv`
}

/**
 * The name stamp of the RTBM interval ending at `end`: `YYYYMMDDHHmm` of the end read with the
 * interval's own offset, plus `d` when the same stamp names an earlier interval (the second pass
 * of the fall-back hour).
 */
export function sppRtbmStamp(end: number): string {
  const label = wallWith(end, end - MINUTE)
  const earlier = end - HOUR
  const repeated = wallWith(earlier, earlier - MINUTE) === label
  return `${ymd(label)}${hm(label)}${repeated ? 'd' : ''}`
}

/** The `path` of the RTBM file of the interval ending at `end` (folder: the Central date of the interval's start). */
export function sppRtbmPath(end: number): string {
  const day = ymd(centralDay(end - FIVE_MINUTES))
  return `/${day.slice(0, 4)}/${day.slice(4, 6)}/By_Interval/${day.slice(6, 8)}/RTBM-LMP-SL-${sppRtbmStamp(end)}.csv`
}

const always = () => true
const isEmpty = (w: Window) => !(w.end > w.start)

function request(id: SppSourceId, config: ConnectorConfig, path: string, window: Window): FetchRequest {
  return {
    dataset: id,
    url: `${config.urls.sppPortal.replace(/\/+$/, '')}/file-browser-api/download/${SPP_FILE_SETS[id]}?path=${path}`,
    headers: { Accept: ACCEPT_CSV },
    window,
    file: path.slice(path.lastIndexOf('/') + 1),
    rateGroup: SPP_PORTAL_RATE_GROUP,
    notFoundMeansNotPublished: true,
  }
}

const daLmpSl: DatasetDefinition = {
  id: 'spp.da_lmp_sl',
  market: 'SPP',
  run: 'DA',
  cadenceMs: HOUR,
  intervalMs: HOUR,
  backfill: true,
  available: always,
  // Through the end of tomorrow once tomorrow's file is out (today 14:00 Central), else through today.
  publishedUntil(now) {
    const today = centralDay(now)
    return centralInstant(today + (now >= sppDaPublishedAt(today + DAY) ? 2 : 1) * DAY)
  },
  /** One file per Central operating day overlapping the window. */
  plan(window, config) {
    if (isEmpty(window)) return []
    const out: FetchRequest[] = []
    for (let day = centralDay(window.start); centralInstant(day) < window.end; day += DAY)
      out.push(request('spp.da_lmp_sl', config, sppDaPath(day), { start: centralInstant(day), end: centralInstant(day + DAY) }))
    return out
  },
}

const rtbmLmpSl: DatasetDefinition = {
  id: 'spp.rtbm_lmp_sl',
  market: 'SPP',
  run: 'RT5',
  cadenceMs: FIVE_MINUTES,
  intervalMs: FIVE_MINUTES,
  backfill: true,
  available: always,
  // Interval [s, s + 5 min) is out at s + 7 min.
  publishedUntil: (now) => floorTo(now - SPP_RTBM_PUBLISHED_AFTER_END_MS, FIVE_MINUTES),
  /** One file per five-minute interval of the window. */
  plan(window, config) {
    const out: FetchRequest[] = []
    for (let start = floorTo(window.start, FIVE_MINUTES); start < ceilTo(window.end, FIVE_MINUTES); start += FIVE_MINUTES)
      out.push(request('spp.rtbm_lmp_sl', config, sppRtbmPath(start + FIVE_MINUTES), { start, end: start + FIVE_MINUTES }))
    return out
  },
}

export const SPP_DATASETS: Readonly<Record<SppSourceId, DatasetDefinition>> = {
  'spp.da_lmp_sl': daLmpSl,
  'spp.rtbm_lmp_sl': rtbmLmpSl,
}
