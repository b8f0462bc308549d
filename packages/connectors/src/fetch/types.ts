import type { MarketId, MarketRun } from '@carbon/schemas'
import type { SeriesFetchRequest } from '../series/fetch/types.ts'
import type { SourceId } from '../sources.ts'

/**
 * The fetch half of the connectors: where each publisher dataset lives, how a delivery window
 * becomes HTTP requests, and how those requests are made politely and robustly. Framework-free:
 * no store, no bus, no logger dependency (events go to an optional callback).
 */

/** Base URLs of the publishers; production defaults in PUBLISHER_URLS, the simulator's in simulatorUrls(). */
export type PublisherUrls = {
  /** MISO market reports folder: https://docs.misoenergy.org/marketreports */
  misoReports: string
  /** MISO public API: https://public-api.misoenergy.org/api (then /MarketPricing/...) */
  misoApi: string
  /** MISO Data Exchange pricing API: https://apim.misoenergy.org/pricing/v1 */
  misoDataExchange: string
  /** CAISO OASIS API: https://oasis.caiso.com/oasisapi (then /SingleZip?...) */
  caisoOasis: string
  /** PJM Data Miner 2 API: https://api.pjm.com/api/v1 (then /da_hrl_lmps?...) */
  pjmDataMiner: string
  /** ERCOT MIS: https://www.ercot.com (then /misapp/servlets/IceDocListJsonWS?..., /misdownload/servlets/mirDownload?...) */
  ercotMis: string
  /** SPP Marketplace portal: https://portal.spp.org (then /file-browser-api/download/...) */
  sppPortal: string
  /** NYISO MIS public files: http://mis.nyiso.com/public (then /csv/damlbmp/...) */
  nyisoMis: string
  /** ISO-NE Web Services: https://webservices.iso-ne.com/api/v1.1 (then /hourlylmp/...) */
  isoneWebServices: string
  /** IESO public reports: https://reports-public.ieso.ca/public (then /DAHourlyOntarioZonalPrice/...) */
  iesoReports: string
  /** AESO API gateway: https://apimgw.aeso.ca/public (then /poolprice-api/v1.1/price/poolPrice?...) */
  aesoApi: string
  /** EIA Open Data API: https://api.eia.gov (then /v2/electricity/rto/region-data/data/?...) */
  eiaApi: string
  /** EIA website: https://www.eia.gov (then /dnav/ng/hist_xls/RNGWHHDd.xls, /naturalgas/weekly/..., /electricity/wholesale/xls/...) */
  eiaWww: string
  /** CARB website: https://ww2.arb.ca.gov (then /resources/documents/weekly-lcfs-credit-transfer-activity-reports) */
  carbWww: string
}

export type ConnectorConfig = {
  urls: PublisherUrls
  /** MISO Data Exchange subscription key (header Ocp-Apim-Subscription-Key); datasets needing it are unavailable without. */
  misoDataExchangeKey?: string
  /** CAISO nodes to request: 'ALL' (grp_type=ALL_APNODES) or a list of APnode names (node=A,B). */
  caisoNodes: 'ALL' | readonly string[]
  /** PJM Data Miner 2 subscription key (header Ocp-Apim-Subscription-Key); PJM datasets are unavailable without. */
  pjmKey?: string
  /** ISO Express account for ISO-NE Web Services (HTTP basic auth); ISO-NE Web Services datasets are unavailable without. */
  isoneCredentials?: { username: string; password: string }
  /** ISO-NE locations to request from Web Services (default: the Internal Hub and the eight load zones, 4000-4008). */
  isoneLocations?: readonly number[]
  /** AESO API key (header API-KEY); the AESO dataset is unavailable without. */
  aesoKey?: string
  /** EIA Open Data API key (query `api_key`, sent as a secret); the EIA-930 series datasets are unavailable without. */
  eiaKey?: string
  /** EIA-930 respondents (balancing authority codes) to request (default the seven ISOs' and PACW: series/fetch/eia930.ts). */
  eia930Respondents?: readonly string[]
}

/** A half-open UTC window [start, end) in ms since the epoch. */
export type Window = { start: number; end: number }

/** One HTTP GET of one publisher file (or one page of a paged API). */
export type FetchRequest = {
  dataset: SourceId
  url: string
  /** Extra request headers (e.g. the Data Exchange subscription key). Never logged. */
  headers?: Record<string, string>
  /** The delivery window this request covers. */
  window: Window
  /** A file name for the archive and for issues: `20260714_da_expost_lmp.csv`, `PRC_LMP_20260714_20260715.zip`. */
  file: string
  /** Host-level politeness group (requests in one group are spaced, e.g. 'caiso.oasis' at 5 s). */
  rateGroup: string
  /**
   * Whether an HTTP 404 means "not published yet" (MISO market reports: the file appears later)
   * rather than an error. Default false.
   */
  notFoundMeansNotPublished?: boolean
  /**
   * A listing of the publisher's documents, not a price file (ERCOT MIS document lists): its
   * answer goes to the dataset's `locate`, which names the files to fetch, instead of the parser.
   */
  listing?: boolean
}

/** What a publisher answered with data (the body may still be unusable: the parser decides). */
export type FetchedPayload = {
  request: FetchRequest
  status: number
  contentType: string
  bytes: Uint8Array
  fetchedAt: number
  /** The answer's Last-Modified, when given (the publication time of a MISO report). */
  lastModified: number | null
  /** Attempts it took (1 = first try). */
  attempts: number
}

/**
 * The outcome of a request: data, or "not published yet" (MISO report 404, OASIS ERR_CODE 1000
 * no data): the window is retried on a later cycle, not an error.
 */
export type FetchOutcome =
  | { kind: 'payload'; payload: FetchedPayload }
  | { kind: 'not-published'; request: FetchRequest; status: number; reason: string; bytes: Uint8Array | null }

/** A dataset the ingest can schedule: its cadence, how far the publisher is, and its requests. */
export type DatasetDefinition = {
  id: SourceId
  market: MarketId
  run: MarketRun
  /** How often the scheduler polls it (the publisher's cadence): 5 min for RT5, 1 h for daily files. */
  cadenceMs: number
  /** Length of one interval of the run (ms). */
  intervalMs: number
  /** Whether it needs configuration to run (Data Exchange: a subscription key). */
  available(config: ConnectorConfig): boolean
  /**
   * Exclusive bound on the interval starts the publisher has (per its usual schedule) published
   * by `now`: the scheduler fetches up to here; freshness is measured against it.
   */
  publishedUntil(now: number): number
  /**
   * The requests that cover `window` (aligned to what the publisher serves: whole market days for
   * MISO reports, <= 31 days per OASIS node-list query and the all-nodes limits, ...), in order.
   * Live-only feeds (MISO API Current/exante) return the one request that serves "now" and
   * `backfill: false`.
   */
  plan(window: Window, config: ConnectorConfig, now: number): FetchRequest[]
  /** Whether past windows can be fetched (false for live-only endpoints such as GetExAnteLmp). */
  backfill: boolean
  /** For paged APIs: the request for the next page after `payload`, or null when it was the last. */
  nextPage?(payload: FetchedPayload): FetchRequest | null
  /**
   * For paged APIs: the request for page `page` (1 = `first`) of the planned request `first`, so
   * a window whose later pages failed resumes at the first page not yet taken instead of fetching
   * the earlier pages again.
   */
  pageAt?(first: FetchRequest, page: number): FetchRequest
  /**
   * For publishers that list their documents first (ERCOT MIS): the requests of the documents a
   * listing answer (`listing: true`) holds for the listing's window, oldest first; none when the
   * window's documents are not listed yet. Throws ParseError when the answer is not a listing.
   */
  locate?(listing: FetchedPayload): FetchRequest[]
  /**
   * For publishers that answer HTTP 200 with an empty result for what they have not published
   * (PJM Data Miner 2: `"totalRows":0`): the reason when `payload` is such an answer, else null.
   * The request is then "not published yet", as a 404 is for the others (see publishedOutcome).
   */
  notPublished?(payload: FetchedPayload): string | null
}

/** Events a client reports (for logs and metrics); never carries header values. */
export type FetchEvent =
  | { type: 'request'; request: AnyFetchRequest; attempt: number }
  | { type: 'response'; request: AnyFetchRequest; attempt: number; status: number; ms: number; bytes: number }
  | { type: 'retry'; request: AnyFetchRequest; attempt: number; delayMs: number; reason: string }
  | { type: 'throttled'; request: AnyFetchRequest; attempt: number; delayMs: number; reason: string }

export type HttpClientOptions = {
  /** Sent on every request: `254Carbon-ingest/<version> (+contact)`. */
  userAgent: string
  /** Per attempt, connect to last byte (default 120 s). */
  timeoutMs?: number
  /** Attempts per request before giving up (default 5). */
  maxAttempts?: number
  /** Backoff between attempts: doubling from initial to max, with jitter (default 1 s .. 60 s). */
  backoff?: { initialMs: number; maxMs: number }
  /** Minimum spacing between request starts per rate group (default { 'caiso.oasis': 5000 }). */
  minSpacingMs?: Record<string, number>
  /** Injected for tests: the fetch implementation, the clock, the sleep, the jitter source. */
  fetch?: typeof globalThis.fetch
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
  onEvent?: (event: FetchEvent) => void
}

/** Either kind of request the HTTP client makes: a price file's, or a series file's (series/fetch/types.ts). */
export type AnyFetchRequest = FetchRequest | SeriesFetchRequest

/** What a publisher answered with data for a request of type R (FetchedPayload for a price request, SeriesFetchedPayload for a series one). */
export type FetchedPayloadOf<R extends AnyFetchRequest> = Omit<FetchedPayload, 'request'> & { request: R }

/** The outcome of a request of type R (FetchOutcome for a price request): data, or "not published yet". */
export type FetchOutcomeOf<R extends AnyFetchRequest> =
  | { kind: 'payload'; payload: FetchedPayloadOf<R> }
  | { kind: 'not-published'; request: R; status: number; reason: string; bytes: Uint8Array | null }

/**
 * The HTTP client (createHttpClient). Generic in the request, the outcome carrying back the request
 * type it was given: price requests (FetchRequest -> FetchOutcome) and series requests
 * (SeriesFetchRequest -> a SeriesFetchedPayload or not-published) go through the same client.
 */
export type HttpClient = {
  /** Fetches one request: retries network errors, timeouts, 5xx, 429 and HTML throttle pages with backoff; throws FetchError when attempts run out. */
  fetch<R extends AnyFetchRequest>(request: R, signal?: AbortSignal): Promise<FetchOutcomeOf<R>>
}

/** Label of a market run per dataset, for logs. */
export type DatasetSummary = Pick<DatasetDefinition, 'id' | 'market' | 'run' | 'cadenceMs' | 'backfill'>
