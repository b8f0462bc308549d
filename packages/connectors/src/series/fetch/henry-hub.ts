/**
 * EIA's Henry Hub spot price workbooks, each the whole history in one file:
 *
 *   GET {urls.eiaWww}/dnav/ng/hist_xls/RNGWHHDm.xls   eia.ng.hh_spot_monthly (monthly averages)
 *   GET {urls.eiaWww}/dnav/ng/hist_xls/RNGWHHDd.xls   eia.ng.hh_spot_daily   (trading days)
 *
 * (https://www.eia.gov/dnav/ng/hist_xls/..., the downloads of the pages
 * https://www.eia.gov/dnav/ng/hist/rngwhhdm.htm and rngwhhdd.htm). One request per cycle covers
 * [watermark, publishedUntil) whatever its length: the file holds every period, and the reader
 * emits all of them (records already stored are stored again unchanged). Rate group `eia.www`
 * (1 s between requests, spacing.ts); polled every {@link HENRY_HUB_CADENCE_MS}.
 *
 * Schedule (assumed; EIA states only "weekly"): EIA releases the natural gas spot price series
 * once a week, on Wednesdays (the served monthly workbook's Contents sheet gives release
 * 8/19/2026 and next release 8/26/2026, both Wednesdays; the daily series' page says weekly too).
 * Taken here: a release is out by Wednesday 17:00 Eastern ({@link EIA_DNAV_RELEASE}), and holds
 * the trading days through the Friday before (the Saturday before the release is the first day it
 * does not hold: {@link DNAV_DAILY_THROUGH_DAYS}). A month is in the monthly workbook once the
 * daily data holds every day of it. Both are cautious: a release that holds more is read in full
 * anyway, and only the watermark waits.
 *
 * Not yet published: the URL answers the previous release (HTTP 200) until the new one is out,
 * so `notPublished` reads the file: the monthly workbook must reach the window's last month; the
 * daily one must reach within {@link DNAV_DAILY_TOLERANCE_MS} of the window's end (weekends and
 * trading holidays have no row). Otherwise the window is asked for again next cycle.
 */
import { addDays } from '@carbon/schemas'
import { DAY, HOUR } from '../../fetch/time.ts'
import type { ConnectorConfig, Window } from '../../fetch/types.ts'
import { EIA_HH_DAILY_SOURCE, EIA_HH_MONTHLY_SOURCE } from '../gas/henry-hub.ts'
import { latestRelease, EASTERN, utcDate, utcMidnight, type WeeklyRelease } from './schedule.ts'
import { EIA_WWW_RATE_GROUP } from './spacing.ts'
import type { SeriesDatasetDefinition, SeriesFetchRequest } from './types.ts'
import { notReleasedYet, wholeFilePlan } from './whole-file.ts'

/** EIA's weekly natural gas price release (assumed time of day: by 17:00 Eastern). */
export const EIA_DNAV_RELEASE: WeeklyRelease = { weekday: 3, hour: 17, minute: 0, timeZone: EASTERN }
/** A Wednesday release holds the trading days before the Saturday four days earlier (through that Friday). */
export const DNAV_DAILY_THROUGH_DAYS = 4
/** The daily workbook may end this long before the window does (a weekend plus a two-day holiday). */
export const DNAV_DAILY_TOLERANCE_MS = 4 * DAY
export const HENRY_HUB_CADENCE_MS = 4 * HOUR

export const HENRY_HUB_FILES = {
  [EIA_HH_MONTHLY_SOURCE]: 'RNGWHHDm',
  [EIA_HH_DAILY_SOURCE]: 'RNGWHHDd',
} as const

/** Exclusive bound on the Henry Hub trading days EIA has released by `now`. */
export function henryHubDailyPublishedUntil(now: number): number {
  return utcMidnight(addDays(latestRelease(now, EIA_DNAV_RELEASE).date, -DNAV_DAILY_THROUGH_DAYS))
}

/** Exclusive bound on the months EIA has released by `now`: the months wholly before the daily bound. */
export function henryHubMonthlyPublishedUntil(now: number): number {
  const daily = new Date(henryHubDailyPublishedUntil(now))
  return Date.UTC(daily.getUTCFullYear(), daily.getUTCMonth(), 1)
}

type HenryHubSource = keyof typeof HENRY_HUB_FILES

function plan(source: HenryHubSource, publishedUntil: (now: number) => number) {
  return (window: Window, config: ConnectorConfig, now: number): SeriesFetchRequest[] => {
    const name = HENRY_HUB_FILES[source]
    return wholeFilePlan(window, publishedUntil(now), {
      dataset: source,
      key: 'GAS',
      url: `${config.urls.eiaWww.replace(/\/+$/, '')}/dnav/ng/hist_xls/${name}.xls`,
      // EIA's name, and the day it was fetched: the same URL answers a new file every week.
      file: `${name}_${utcDate(now)}.xls`,
      rateGroup: EIA_WWW_RATE_GROUP,
    })
  }
}

export const HENRY_HUB_DATASETS = {
  [EIA_HH_MONTHLY_SOURCE]: {
    id: EIA_HH_MONTHLY_SOURCE,
    cadenceMs: HENRY_HUB_CADENCE_MS,
    lookbackMs: 366 * DAY,
    available: () => true,
    publishedUntil: henryHubMonthlyPublishedUntil,
    plan: plan(EIA_HH_MONTHLY_SOURCE, henryHubMonthlyPublishedUntil),
    notPublished: notReleasedYet(0),
  },
  [EIA_HH_DAILY_SOURCE]: {
    id: EIA_HH_DAILY_SOURCE,
    cadenceMs: HENRY_HUB_CADENCE_MS,
    lookbackMs: 31 * DAY,
    available: () => true,
    publishedUntil: henryHubDailyPublishedUntil,
    plan: plan(EIA_HH_DAILY_SOURCE, henryHubDailyPublishedUntil),
    notPublished: notReleasedYet(DNAV_DAILY_TOLERANCE_MS),
  },
} as const satisfies Record<HenryHubSource, SeriesDatasetDefinition>
