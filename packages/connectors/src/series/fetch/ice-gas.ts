/**
 * EIA's yearly workbook of ICE next-day natural gas prices (https://www.eia.gov/electricity/wholesale/):
 *
 *   GET {urls.eiaWww}/electricity/wholesale/xls/ice_natgas-2026.xlsx                 the current year   eia.ice.next_day_gas
 *   GET {urls.eiaWww}/electricity/wholesale/xls/archive/ice_natgas-2025final.xlsx    a past year (.xls up to 2016)
 *
 * The past years' names are those of the code reading them (ice_natgas-2014final.xls ..
 * ice_natgas-2017final.xlsx, in xls/archive/; fixtures/ice/README.md). The current year's name is
 * ASSUMED by analogy with EIA's twin electricity workbook, served as
 * xls/ice_electric-2026.xlsx beside xls/archive/ice_electric-2025final.xlsx; no current gas file
 * was seen, and code from 2025-2026 reports the gas series discontinued after 2017 while EIA's page
 * still describes biweekly updates. Both answer 404 as "not published yet"
 * (`notFoundMeansNotPublished`): before EIA posts a year's first file, and before a finished year
 * is moved to the archive.
 *
 * Windows: one request per calendar year (UTC) the window touches, for that year's part of it;
 * each workbook holds its whole year, so a cycle is one request (two across New Year). Rate group
 * `eia.www` (1 s, spacing.ts); polled daily ({@link ICE_GAS_CADENCE_MS}).
 *
 * Schedule (assumed): EIA's page says the gas data are "updated every two weeks", without a day.
 * Taken here: a trade date is in the workbook {@link ICE_GAS_LAG_MS} after it (two weeks and two
 * days' margin), so publishedUntil(now) is now - 16 days, down to the UTC day.
 *
 * Not yet published: the current-year URL answers the last update (HTTP 200) until the next one;
 * `notPublished` reads the workbook, and one whose latest trade date ends more than
 * {@link ICE_GAS_TOLERANCE_MS} before the window does (weekends and holidays have no trades) is
 * "not published yet", asked for again the next day.
 */
import { DAY, floorTo } from '../../fetch/time.ts'
import type { ConnectorConfig, Window } from '../../fetch/types.ts'
import { EIA_ICE_NEXT_DAY_GAS_SOURCE } from '../ice/next-day-gas.ts'
import { EIA_WWW_RATE_GROUP } from './spacing.ts'
import type { SeriesDatasetDefinition, SeriesFetchRequest } from './types.ts'
import { notReleasedYet, publishedPart } from './whole-file.ts'

export const ICE_GAS_LAG_MS = 16 * DAY
export const ICE_GAS_TOLERANCE_MS = 4 * DAY
export const ICE_GAS_CADENCE_MS = DAY
/** The last year EIA wrote as legacy Excel (.xls); later years are .xlsx. */
export const ICE_GAS_LAST_XLS_YEAR = 2016

/** Exclusive bound on the ICE trade dates EIA has posted by `now` (as assumed: 16 days). */
export function iceGasPublishedUntil(now: number): number {
  return floorTo(now - ICE_GAS_LAG_MS, DAY)
}

/** The path (under `eiaWww`) of a year's workbook: the current year's, or a past year's final one. */
export function iceGasWorkbookPath(year: number, currentYear: number): string {
  if (year >= currentYear) return `/electricity/wholesale/xls/ice_natgas-${year}.xlsx`
  return `/electricity/wholesale/xls/archive/ice_natgas-${year}final.${year <= ICE_GAS_LAST_XLS_YEAR ? 'xls' : 'xlsx'}`
}

function plan(window: Window, config: ConnectorConfig, now: number): SeriesFetchRequest[] {
  const part = publishedPart(window, iceGasPublishedUntil(now))
  if (!part) return []
  const base = config.urls.eiaWww.replace(/\/+$/, '')
  const currentYear = new Date(now).getUTCFullYear()
  const requests: SeriesFetchRequest[] = []
  for (let year = new Date(part.start).getUTCFullYear(); Date.UTC(year, 0, 1) < part.end; year++) {
    const yearPart = { start: Math.max(part.start, Date.UTC(year, 0, 1)), end: Math.min(part.end, Date.UTC(year + 1, 0, 1)) }
    const path = iceGasWorkbookPath(year, currentYear)
    requests.push({
      dataset: EIA_ICE_NEXT_DAY_GAS_SOURCE,
      key: 'GAS',
      url: `${base}${path}`,
      window: yearPart,
      file: path.slice(path.lastIndexOf('/') + 1),
      rateGroup: EIA_WWW_RATE_GROUP,
      notFoundMeansNotPublished: true,
    })
  }
  return requests
}

export const ICE_GAS_DATASETS = {
  [EIA_ICE_NEXT_DAY_GAS_SOURCE]: {
    id: EIA_ICE_NEXT_DAY_GAS_SOURCE,
    cadenceMs: ICE_GAS_CADENCE_MS,
    lookbackMs: 31 * DAY,
    available: () => true,
    publishedUntil: iceGasPublishedUntil,
    plan,
    notPublished: notReleasedYet(ICE_GAS_TOLERANCE_MS),
  },
} as const satisfies Record<typeof EIA_ICE_NEXT_DAY_GAS_SOURCE, SeriesDatasetDefinition>
