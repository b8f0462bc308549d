/** The fetch half of the connectors: publisher URLs, dataset plans and the polite HTTP client. */
export type {
  ConnectorConfig,
  DatasetDefinition,
  DatasetSummary,
  FetchedPayload,
  FetchEvent,
  FetchOutcome,
  FetchRequest,
  HttpClient,
  HttpClientOptions,
  PublisherUrls,
  Window,
} from './types.ts'
export { FetchError, type FetchErrorInit } from './errors.ts'
export {
  createHttpClient,
  DEFAULT_BACKOFF,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MIN_SPACING_MS,
  DEFAULT_TIMEOUT_MS,
  isHtmlPage,
  OASIS_NO_DATA,
  oasisError,
} from './http.ts'
export { PUBLISHER_URLS, simulatorUrls } from './urls.ts'
export {
  CAISO_DAM_PUBLISHED_BEFORE_MS,
  FETCH_DATASET_IDS,
  FETCH_DATASETS,
  type FetchDatasetId,
  MISO_REPORT_PUBLISHED_AFTER,
  OASIS_MAX_URL_CHARS,
  OASIS_NODE_LIST_MAX_MS,
  OASIS_VERSIONS,
} from './datasets.ts'
export { fetchWindow, type FetchWindowOptions, MAX_PAGES, publishedOutcome } from './fetch.ts'
export { MARKET_DATASETS, MARKET_MIN_SPACING_MS, type MarketDatasetId } from './markets.ts'
export { PJM_DATASETS, PJM_KEY_HEADER, PJM_RATE_GROUP, pjmFields, type PjmSourceId } from './pjm.ts'
export { ERCOT_DATASETS, ERCOT_MIS_RATE_GROUP, ERCOT_REPORT_TYPE_IDS, readErcotDocumentList, type ErcotSourceId } from './ercot.ts'
export { SPP_DATASETS, SPP_PORTAL_RATE_GROUP, type SppSourceId } from './spp.ts'
export { NYISO_DATASETS, NYISO_RATE_GROUP, type NyisoSourceId } from './nyiso.ts'
export { ISONE_DATASETS, ISONE_RATE_GROUP, type IsoneWsSourceId } from './isone.ts'
export { IESO_DATASETS, IESO_RATE_GROUP, type IesoSourceId } from './ieso.ts'
export { AESO_DATASETS, AESO_KEY_HEADER, AESO_RATE_GROUP, type AesoSourceId } from './aeso.ts'
export { misoDayStart, nextPacificDayStart, oasisTime, pacificDayStart } from './time.ts'
