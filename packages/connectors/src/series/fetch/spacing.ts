/**
 * The rate groups of the series publishers and the spacing between request starts each gets
 * (merged into the HTTP client's DEFAULT_MIN_SPACING_MS). Kept apart from the dataset modules so
 * the client does not load the readers.
 *
 * - EIA's Open Data API asks for a sustained rate under about 9,000 requests an hour and bursts
 *   under 5 a second per key (its FAQ; the key is throttled or suspended beyond): one a second
 *   keeps far inside both (3,600 an hour at most).
 * - EIA's website (the dnav workbooks, the WNGSR supplement fragment, the wholesale ICE
 *   workbooks) states no limit; these are a handful of files a day: one a second.
 * - CARB's website states no limit; two requests a week (the page, then the workbook): 2 s apart.
 */
export const EIA_API_RATE_GROUP = 'eia.api'
export const EIA_WWW_RATE_GROUP = 'eia.www'
export const CARB_WWW_RATE_GROUP = 'carb.www'

export const SERIES_MIN_SPACING_MS: Readonly<Record<string, number>> = {
  [EIA_API_RATE_GROUP]: 1_000,
  [EIA_WWW_RATE_GROUP]: 1_000,
  [CARB_WWW_RATE_GROUP]: 2_000,
}
