/**
 * EIA-860M, the Preliminary Monthly Electric Generator Inventory, one workbook per inventory month:
 *
 *   GET {urls.eiaWww}/electricity/data/eia860m/xls/{month}_generator{year}.xlsx          the latest month
 *   GET {urls.eiaWww}/electricity/data/eia860m/archive/xls/{month}_generator{year}.xlsx  every month before it
 *
 * (`{month}` EIA's lower-case English month name: `september_generator2026.xlsx`), read by
 * `eia.860m.generators` (../eia860/generators.ts). One request per inventory month of the window,
 * oldest first, each for that month's part of the window. The request's `file` is EIA's file name
 * as it is: the reader takes the inventory's month from it, so the archive and the ingest run name
 * the month the file holds. Rate group `eia.www` (1 s between requests, spacing.ts); polled every
 * {@link EIA860M_CADENCE_MS}. Months before {@link EIA860M_FIRST_MONTH} (EIA's first inventory,
 * July 2015) have no workbook: a window reaching before it is planned from it (a backfill's floor).
 *
 * Folders (assumed from what others measured; no EIA statement found): EIA serves only the latest
 * inventory under `xls/` and moves each month to `archive/xls/` when the next one is out. A
 * third party measured on 2026-09-26/27 `august_generator2026.xlsx` a workbook under `xls/` and an
 * HTML page under `archive/xls/`, `july_generator2026.xlsx` the reverse; another's reader notes
 * that only the most recent file has no `archive` in its URL. So the plan asks `xls/` for the
 * month the schedule below takes as the latest out, `archive/xls/` for every month before it.
 * Near a release the two can disagree: while EIA has put out month M+1 but the schedule does not
 * take it as out yet, month M is already in the archive, and a request of M (only a watermark or a
 * backfill lagging by a month asks for it then) answers EIA's page: "not published yet", asked
 * again next cycle, and under `archive/xls/` once the schedule passes the release.
 *
 * Schedule (assumed): EIA's page said "Release Date: March 24, 2017" for the January 2017
 * inventory (its next release "April 2017"); the 2026 measurements above found August 2026 out
 * by 2026-09-25 and the July file still the latest on 2026-09-18. Taken here, cautiously: the
 * inventory of month M is out on the 28th of month M+1, 12:00 Eastern
 * ({@link EIA860M_RELEASE}); a later release is "not published yet" until it appears.
 *
 * Not yet published: EIA answers a file name it does not serve (not out yet, or in the other
 * folder) with HTTP 200 and its HTML landing page, not a 404 (measured by the same third party:
 * 55,725 bytes of text/html). So the requests say `htmlExpected` (the client hands the page over
 * instead of retrying it as a throttle page) and `notPublished` takes an HTML answer as "not
 * published yet"; a 404 is too (`notFoundMeansNotPublished`). A page EIA's servers answer when
 * throttling is then "not published" as well: asked again next cycle rather than retried at once.
 *
 * Data key: the workbook covers every balancing authority, whose records are entitled each through
 * the market it maps to; the file is one request, filed (run, raw archive, dead letters) under
 * {@link EIA860M_REQUEST_KEY}.
 */
import { dateIn, dayStartUtc, type DataKey } from '@carbon/schemas'
import { DAY, HOUR, MINUTE } from '../../fetch/time.ts'
import { isHtmlPage } from '../../fetch/http.ts'
import type { ConnectorConfig, Window } from '../../fetch/types.ts'
import { EIA860M_GENERATORS_SOURCE } from '../eia860/generators.ts'
import { EASTERN } from './schedule.ts'
import { EIA_WWW_RATE_GROUP } from './spacing.ts'
import type { SeriesDatasetDefinition, SeriesFetchedPayload, SeriesFetchRequest } from './types.ts'
import { publishedPart } from './whole-file.ts'

/** The day of the month after, and the Eastern wall-clock time, by which a month's inventory is out (assumed). */
export const EIA860M_RELEASE = { day: 28, hour: 12, minute: 0, timeZone: EASTERN } as const
/** EIA's first monthly inventory (July 2015): no month before it has a workbook. */
export const EIA860M_FIRST_MONTH = '2015-07'
/** Polled four times a day: a release later than assumed is taken the day it appears. */
export const EIA860M_CADENCE_MS = 6 * HOUR
/** The first cycle reaches about three inventories back (a longer history is a backfill's). */
export const EIA860M_LOOKBACK_MS = 92 * DAY
export const EIA860M_PATH = '/electricity/data/eia860m/xls/'
export const EIA860M_ARCHIVE_PATH = '/electricity/data/eia860m/archive/xls/'
/**
 * The data key the workbook is filed under (its ingest run, raw archive and dead letters). The
 * file spans every market; MISO, the first of the embedded default markets, is where it is filed.
 */
export const EIA860M_REQUEST_KEY: DataKey = 'MISO'

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const

/** The UTC start of month `month` (1-12, any overflow carried) of `year`. */
const monthStart = (year: number, month: number) => Date.UTC(year, month - 1, 1)

/** The start of the month holding `ms`, and of the month after it. */
function monthOf(ms: number): { start: number; end: number; year: number; month: number } {
  const d = new Date(ms)
  const [year, month] = [d.getUTCFullYear(), d.getUTCMonth() + 1]
  return { start: monthStart(year, month), end: monthStart(year, month + 1), year, month }
}

/** `YYYY-MM` of the month starting at `start`. */
const yearMonth = (start: number) => new Date(start).toISOString().slice(0, 7)

/** EIA's file name of the inventory of `month` (`YYYY-MM`): `september_generator2026.xlsx`. */
export function eia860mFileName(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number]
  const name = MONTH_NAMES[m - 1]
  if (!name || !Number.isInteger(year)) throw new RangeError(`not a month (YYYY-MM): ${JSON.stringify(month)}`)
  return `${name}_generator${year}.xlsx`
}

/** Exclusive bound on the inventory months EIA has put out by `now`: the first of the month after the latest one out. */
export function eia860mPublishedUntil(now: number): number {
  const today = dateIn(new Date(now), EIA860M_RELEASE.timeZone)
  const [year, month] = today.split('-').map(Number) as [number, number]
  const releaseDate = `${today.slice(0, 8)}${String(EIA860M_RELEASE.day).padStart(2, '0')}`
  const release = dayStartUtc(releaseDate, EIA860M_RELEASE.timeZone).getTime() + (EIA860M_RELEASE.hour * 60 + EIA860M_RELEASE.minute) * MINUTE
  // Out by this month's release: last month's inventory, so the months before this one; else the months before last month.
  return now >= release ? monthStart(year, month) : monthStart(year, month - 1)
}

/** The start of EIA's first inventory month. */
const FIRST_MONTH_START = Date.parse(`${EIA860M_FIRST_MONTH}-01T00:00:00Z`)

/**
 * One request per inventory month in the window's published part (from {@link EIA860M_FIRST_MONTH}
 * on), oldest first: the latest month out under `xls/`, the months before it under `archive/xls/`.
 */
function plan(window: Window, config: ConnectorConfig, now: number): SeriesFetchRequest[] {
  const until = eia860mPublishedUntil(now)
  const part = publishedPart({ start: Math.max(window.start, FIRST_MONTH_START), end: window.end }, until)
  if (!part) return []
  const base = config.urls.eiaWww.replace(/\/+$/, '')
  const requests: SeriesFetchRequest[] = []
  for (let month = monthOf(part.start); month.start < part.end; month = monthOf(month.end)) {
    const file = eia860mFileName(yearMonth(month.start))
    const folder = month.end < until ? EIA860M_ARCHIVE_PATH : EIA860M_PATH
    requests.push({
      dataset: EIA860M_GENERATORS_SOURCE,
      key: EIA860M_REQUEST_KEY,
      url: `${base}${folder}${file}`,
      window: { start: Math.max(part.start, month.start), end: Math.min(part.end, month.end) },
      file,
      rateGroup: EIA_WWW_RATE_GROUP,
      notFoundMeansNotPublished: true,
      htmlExpected: true,
    })
  }
  return requests
}

/** "Not published yet" when EIA answered its HTML landing page in place of the workbook. */
export function eia860mNotPublished(payload: SeriesFetchedPayload): string | null {
  if (!isHtmlPage(payload.contentType, payload.bytes)) return null
  const folder = payload.request.url.includes(EIA860M_ARCHIVE_PATH) ? 'archive/xls/' : 'xls/'
  return `EIA answered an HTML page (HTTP ${payload.status}, ${payload.bytes.length} bytes) in place of ${folder}${payload.request.file}: not out yet, or not (any longer) in that folder`
}

export const EIA860M_DATASETS = {
  [EIA860M_GENERATORS_SOURCE]: {
    id: EIA860M_GENERATORS_SOURCE,
    cadenceMs: EIA860M_CADENCE_MS,
    lookbackMs: EIA860M_LOOKBACK_MS,
    available: () => true,
    publishedUntil: eia860mPublishedUntil,
    plan,
    notPublished: eia860mNotPublished,
  },
} as const satisfies Record<typeof EIA860M_GENERATORS_SOURCE, SeriesDatasetDefinition>
