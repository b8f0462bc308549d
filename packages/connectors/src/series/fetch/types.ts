import type { DataKey } from '@carbon/schemas'
import type { ConnectorConfig, Window } from '../../fetch/types.ts'
import type { SeriesSourceId } from '../sources.ts'

/**
 * One HTTP GET of one series file (or one page of EIA's API). Like a price FetchRequest, plus the
 * data key the file is ingested under and what only series publishers need.
 */
export type SeriesFetchRequest = {
  dataset: SeriesSourceId
  /** What the file is ingested under: its product, or for EIA-930 the market its respondent maps to. */
  key: DataKey
  url: string
  /** Extra request headers. Never logged. */
  headers?: Record<string, string>
  /**
   * Query parameters that are secrets (EIA's `api_key`): appended to the URL only when the request
   * is sent, never part of `url`, an event, an error, a file name or the archive.
   */
  secretQuery?: Record<string, string>
  /** The period this request covers (the watermark passes `window.end` once it is taken). */
  window: Window
  /** A file name for the archive and for issues (EIA's LNG fragment: with the fetch date, which its reader needs). */
  file: string
  rateGroup: string
  /** Whether an HTTP 404 means "not published yet". Default false. */
  notFoundMeansNotPublished?: boolean
  /** The answer is an HTML document by design (EIA's bullet fragments), not a throttle page. */
  htmlExpected?: boolean
  /**
   * A page listing the publisher's documents, not a series file (CARB's weekly LCFS page, whose
   * workbook is renamed every week): its answer goes to the dataset's `locate`, which names the
   * files to fetch, instead of the reader. Added for CARB; as FetchRequest.listing for ERCOT.
   */
  listing?: boolean
}

export type SeriesFetchedPayload = {
  request: SeriesFetchRequest
  status: number
  contentType: string
  bytes: Uint8Array
  fetchedAt: number
  lastModified: number | null
  attempts: number
}

/**
 * A series dataset the ingest can schedule. Whole-history files (EIA's workbooks, CARB's weekly
 * workbook, the LNG fragment) plan one request per cycle when the window is not empty; EIA's API
 * plans windows per respondent and pages through `nextPage`.
 */
export type SeriesDatasetDefinition = {
  id: SeriesSourceId
  /** How often the scheduler polls it. */
  cadenceMs: number
  /** How far back the first cycle (no watermark yet) reaches. */
  lookbackMs: number
  /** Whether it needs configuration to run (EIA's API: a key). */
  available(config: ConnectorConfig): boolean
  /** Exclusive bound on the period starts the publisher has published by `now` (per its usual schedule). */
  publishedUntil(now: number): number
  /** The requests that cover `window`, in order. */
  plan(window: Window, config: ConnectorConfig, now: number): SeriesFetchRequest[]
  /** For paged APIs: the request for the next page after `payload`, or null when it was the last. */
  nextPage?(payload: SeriesFetchedPayload): SeriesFetchRequest | null
  /**
   * For publishers that list their documents first (CARB): the requests of the files a listing
   * answer (`listing: true`) links for the listing's window; none when it links none for it yet.
   * Throws ParseError when the answer is not the listing. Added for CARB, as DatasetDefinition.locate.
   */
  locate?(listing: SeriesFetchedPayload): SeriesFetchRequest[]
  /**
   * For publishers whose answer is the same URL before and after a release (a whole-history
   * workbook, EIA's weekly LNG fragment, an EIA API window with no rows yet): the reason when
   * `payload` does not reach the request's window yet, else null. The request is then "not
   * published yet" (retried next cycle, the watermark stays), as a 404 is for others. Added so a
   * late release is not skipped over, as DatasetDefinition.notPublished; see seriesPublishedOutcome.
   */
  notPublished?(payload: SeriesFetchedPayload): string | null
  /**
   * For publishers whose URL answers only the latest period (EIA's weekly LNG fragment): how far
   * back from `publishedUntil(now)` it reaches, and why. A backfill of anything earlier is refused
   * with the reason instead of fetching a file that cannot hold it.
   */
  latestOnly?: { reachMs: number; reason: string }
}
