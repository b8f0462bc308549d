/**
 * Fetching a series window: the client type the series ingest needs, the outcome as the dataset
 * reads it, and the walk through a window's requests (listing, documents, pages), as
 * fetch/fetch.ts does for prices.
 */
import { MAX_PAGES } from '../../fetch/fetch.ts'
import type { ConnectorConfig, FetchOutcomeOf, Window } from '../../fetch/types.ts'
import type { SeriesDatasetDefinition, SeriesFetchRequest } from './types.ts'

/** The outcome of a series request: data, or "not published yet" (a 404 the request allows, or what `notPublished` recognises). */
export type SeriesFetchOutcome = FetchOutcomeOf<SeriesFetchRequest>

/** What the series ingest needs of the HTTP client (an HttpClient, createHttpClient's, is one). */
export type SeriesHttpClient = {
  fetch(request: SeriesFetchRequest, signal?: AbortSignal): Promise<SeriesFetchOutcome>
}

/**
 * `outcome` as the dataset reads it: an answer its `notPublished` recognises (the previous
 * release still served at the same URL, an empty EIA API window) becomes a not-published
 * outcome, like a 404 elsewhere.
 */
export function seriesPublishedOutcome(dataset: SeriesDatasetDefinition, outcome: SeriesFetchOutcome): SeriesFetchOutcome {
  if (outcome.kind !== 'payload' || !dataset.notPublished) return outcome
  const reason = dataset.notPublished(outcome.payload)
  if (reason === null) return outcome
  const { request, status, bytes } = outcome.payload
  return { kind: 'not-published', request, status, reason, bytes }
}

export type FetchSeriesWindowOptions = { now: number; signal?: AbortSignal }

/**
 * The outcomes of the requests that cover `window`, in plan order, one at a time (the caller
 * archives and reads each before the next is fetched): for a listing request (CARB's page) its
 * own answer first, then each file `locate` names in it; for a paged API (EIA's) every page
 * `nextPage` asks for. A FetchError, a ParseError of `locate` or `nextPage`, or the caller's abort
 * ends the iteration.
 */
export async function* fetchSeriesWindow(
  client: SeriesHttpClient,
  dataset: SeriesDatasetDefinition,
  window: Window,
  config: ConnectorConfig,
  { now, signal }: FetchSeriesWindowOptions,
): AsyncGenerator<SeriesFetchOutcome> {
  if (!dataset.available(config)) throw new Error(`${dataset.id} is not available with this configuration`)
  for (const planned of dataset.plan(window, config, now)) {
    let files: SeriesFetchRequest[] = [planned]
    if (planned.listing) {
      signal?.throwIfAborted()
      const listing = await client.fetch(planned, signal)
      yield listing
      if (listing.kind !== 'payload') continue
      if (!dataset.locate) throw new Error(`${dataset.id}: a listing request needs the dataset's locate`)
      files = dataset.locate(listing.payload)
    }
    for (const first of files) yield* pages(client, dataset, first, signal)
  }
}

async function* pages(client: SeriesHttpClient, dataset: SeriesDatasetDefinition, first: SeriesFetchRequest, signal?: AbortSignal): AsyncGenerator<SeriesFetchOutcome> {
  let request = first
  for (let page = 1; ; page++) {
    signal?.throwIfAborted()
    const outcome = seriesPublishedOutcome(dataset, await client.fetch(request, signal))
    yield outcome
    const next = outcome.kind === 'payload' && dataset.nextPage ? dataset.nextPage(outcome.payload) : null
    if (!next) break
    if (page >= MAX_PAGES) throw new Error(`${dataset.id} ${first.file}: more than ${MAX_PAGES} pages`)
    request = next
  }
}
