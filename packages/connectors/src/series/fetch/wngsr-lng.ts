/**
 * EIA's LNG bullet of the Weekly Natural Gas Storage Report supplement, an HTML fragment:
 *
 *   GET {urls.eiaWww}/naturalgas/weekly/supplement/content/bullets_lng_2.html   eia.ng.wngsr_lng_prices
 *
 * (https://www.eia.gov/naturalgas/weekly/supplement/content/bullets_lng_2.html). The fragment
 * holds one week, TTF and JKM weekly averages for the week ending a Wednesday, without a year:
 * the reader takes the year from the YYYY-MM-DD in the file name, so the request names its file
 * `bullets_lng_2_<fetch date, UTC>.html`. The answer is HTML by design (`htmlExpected`: not a
 * throttle page). Rate group `eia.www` (1 s, spacing.ts); polled every {@link WNGSR_CADENCE_MS}.
 *
 * Schedule: the storage report and its supplement come out on Thursdays at 10:30 Eastern
 * ({@link WNGSR_RELEASE}; EIA's published schedule, moved to another day in holiday weeks, which
 * is not modelled). A release on Thursday T gives the week ending Wednesday T-1, the period
 * [T-7, T) as the reader dates it (`datePeriod(wednesday, 'week')`), so publishedUntil is T's UTC
 * midnight. Only the latest week can be fetched: a window reaching further back (the first cycle,
 * an outage of more than a week) gets that week only; earlier weeks are not served at this URL.
 *
 * Not yet published: before the release (or when it is late) the URL answers last week's fragment
 * with HTTP 200; `notPublished` reads it, and a fragment whose week ends before the window does is
 * "not published yet", asked for again next cycle rather than skipped.
 */
import { DAY, HOUR } from '../../fetch/time.ts'
import type { ConnectorConfig, Window } from '../../fetch/types.ts'
import { WNGSR_LNG_SOURCE } from '../lng/wngsr-lng.ts'
import { EASTERN, latestRelease, utcDate, utcMidnight, type WeeklyRelease } from './schedule.ts'
import { EIA_WWW_RATE_GROUP } from './spacing.ts'
import type { SeriesDatasetDefinition, SeriesFetchRequest } from './types.ts'
import { notReleasedYet, wholeFilePlan } from './whole-file.ts'

/** Thursdays 10:30 Eastern, with the Weekly Natural Gas Storage Report. */
export const WNGSR_RELEASE: WeeklyRelease = { weekday: 4, hour: 10, minute: 30, timeZone: EASTERN }
export const WNGSR_CADENCE_MS = HOUR
export const WNGSR_LNG_PATH = '/naturalgas/weekly/supplement/content/bullets_lng_2.html'

/** The fragment's file name: EIA's, with the date it was fetched (the reader's year). */
export const wngsrLngFile = (fetchedAt: number) => `bullets_lng_2_${utcDate(fetchedAt)}.html`

/** Exclusive bound on the LNG weeks released by `now`: the Thursday of the latest release (its week ends the day before). */
export function wngsrLngPublishedUntil(now: number): number {
  return utcMidnight(latestRelease(now, WNGSR_RELEASE).date)
}

function plan(window: Window, config: ConnectorConfig, now: number): SeriesFetchRequest[] {
  return wholeFilePlan(window, wngsrLngPublishedUntil(now), {
    dataset: WNGSR_LNG_SOURCE,
    key: 'LNG',
    url: `${config.urls.eiaWww.replace(/\/+$/, '')}${WNGSR_LNG_PATH}`,
    file: wngsrLngFile(now),
    rateGroup: EIA_WWW_RATE_GROUP,
    htmlExpected: true,
  })
}

export const WNGSR_LNG_DATASETS = {
  [WNGSR_LNG_SOURCE]: {
    id: WNGSR_LNG_SOURCE,
    cadenceMs: WNGSR_CADENCE_MS,
    lookbackMs: 7 * DAY,
    available: () => true,
    publishedUntil: wngsrLngPublishedUntil,
    plan,
    notPublished: notReleasedYet(0),
    latestOnly: { reachMs: 7 * DAY, reason: "EIA's LNG fragment holds the latest week only; earlier weeks are not served at its URL" },
  },
} as const satisfies Record<typeof WNGSR_LNG_SOURCE, SeriesDatasetDefinition>
