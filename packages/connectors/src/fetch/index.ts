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
export { fetchWindow, type FetchWindowOptions, MAX_PAGES } from './fetch.ts'
export { misoDayStart, nextPacificDayStart, oasisTime, pacificDayStart } from './time.ts'
