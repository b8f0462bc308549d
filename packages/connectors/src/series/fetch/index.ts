/** The fetch half of the series sources: where each is served, its requests and schedule (docs/decisions/023). */
export type { SeriesDatasetDefinition, SeriesFetchedPayload, SeriesFetchRequest } from './types.ts'
export { SERIES_DATASETS, SERIES_DATASET_IDS, isSeriesDatasetId, type SeriesDatasetId } from './datasets.ts'
export { CARB_WWW_RATE_GROUP, EIA_API_RATE_GROUP, EIA_WWW_RATE_GROUP, SERIES_MIN_SPACING_MS } from './spacing.ts'
export { fetchSeriesWindow, seriesPublishedOutcome, type FetchSeriesWindowOptions, type SeriesFetchOutcome, type SeriesHttpClient } from './fetch.ts'
export { latestRelease, type WeeklyRelease } from './schedule.ts'
export {
  DNAV_DAILY_THROUGH_DAYS,
  EIA_DNAV_RELEASE,
  HENRY_HUB_DATASETS,
  henryHubDailyPublishedUntil,
  henryHubMonthlyPublishedUntil,
} from './henry-hub.ts'
export { WNGSR_LNG_DATASETS, WNGSR_LNG_PATH, WNGSR_RELEASE, wngsrLngFile, wngsrLngPublishedUntil } from './wngsr-lng.ts'
export {
  EIA930_DATASETS,
  EIA930_DEFAULT_RESPONDENTS,
  EIA930_EMPTY_FINAL_AFTER_MS,
  EIA930_PAGE_ROWS,
  EIA930_PUBLICATION_LAG_MS,
  EIA930_PUBLISHED_MARGIN_MS,
  EIA_API_KEY_PARAM,
  eia930PublishedUntil,
  eiaHourLabel,
} from './eia930.ts'
export {
  EIA860M_ARCHIVE_PATH,
  EIA860M_CADENCE_MS,
  EIA860M_DATASETS,
  EIA860M_FIRST_MONTH,
  EIA860M_LOOKBACK_MS,
  EIA860M_PATH,
  EIA860M_RELEASE,
  EIA860M_REQUEST_KEY,
  eia860mFileName,
  eia860mNotPublished,
  eia860mPublishedUntil,
} from './eia860m.ts'
export { CARB_LCFS_DATASETS, CARB_LCFS_PAGE_PATH, CARB_LCFS_RELEASE, carbLcfsPublishedUntil, carbUptoDate, carbWorkbookFile } from './carb-lcfs.ts'
export {
  CARB_LCFS_MONTHLY_DATASETS,
  CARB_LCFS_MONTHLY_PAGE_PATH,
  CARB_LCFS_MONTHLY_RELEASE,
  carbLcfsMonthlyPublishedUntil,
  carbReportMonth,
} from './carb-lcfs-monthly.ts'
export { ICE_GAS_DATASETS, ICE_GAS_LAG_MS, iceGasPublishedUntil, iceGasWorkbookPath } from './ice-gas.ts'
export { SECRET_REDACTED, redactBytes, wireUrl } from '../../fetch/http.ts'
export type { AnyFetchRequest, FetchedPayloadOf, FetchOutcomeOf } from '../../fetch/types.ts'
