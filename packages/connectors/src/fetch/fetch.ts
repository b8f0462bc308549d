import type { ConnectorConfig, DatasetDefinition, FetchOutcome, FetchRequest, HttpClient, Window } from './types.ts'

/**
 * `outcome` as the dataset reads it: an answer its `notPublished` recognises as "nothing out yet"
 * (an empty result served with HTTP 200) becomes a not-published outcome, like a 404 elsewhere.
 */
export function publishedOutcome(dataset: DatasetDefinition, outcome: FetchOutcome): FetchOutcome {
  if (outcome.kind !== 'payload' || !dataset.notPublished) return outcome
  const reason = dataset.notPublished(outcome.payload)
  if (reason === null) return outcome
  const { request, status, bytes } = outcome.payload
  return { kind: 'not-published', request, status, reason, bytes }
}

/** A guard against a paged API that never says it is done. */
export const MAX_PAGES = 1000

export type FetchWindowOptions = { now: number; signal?: AbortSignal }

/**
 * The outcomes of the requests that cover `window`, in plan order, one at a time (the caller
 * archives and parses each before the next is fetched), following `nextPage` for paged datasets
 * and, for a listing request (ERCOT's document lists), the documents `locate` finds in it (the
 * listing's own answer is yielded first, then each document's). A FetchError or the caller's
 * abort ends the iteration.
 */
export async function* fetchWindow(
  client: HttpClient,
  dataset: DatasetDefinition,
  window: Window,
  config: ConnectorConfig,
  { now, signal }: FetchWindowOptions
): AsyncGenerator<FetchOutcome> {
  if (!dataset.available(config)) throw new Error(`${dataset.id} is not available with this configuration`)
  for (const planned of dataset.plan(window, config, now)) {
    let documents: FetchRequest[] = [planned]
    if (planned.listing) {
      signal?.throwIfAborted()
      const listing = publishedOutcome(dataset, await client.fetch(planned, signal))
      yield listing
      if (listing.kind !== 'payload') continue
      if (!dataset.locate) throw new Error(`${dataset.id}: a listing request needs the dataset's locate`)
      documents = dataset.locate(listing.payload)
    }
    for (const first of documents) yield* pages(client, dataset, first, signal)
  }
}

async function* pages(client: HttpClient, dataset: DatasetDefinition, first: FetchRequest, signal?: AbortSignal): AsyncGenerator<FetchOutcome> {
  let request = first
  for (let page = 1; ; page++) {
    signal?.throwIfAborted()
    const outcome = publishedOutcome(dataset, await client.fetch(request, signal))
    yield outcome
    const next = outcome.kind === 'payload' && dataset.nextPage ? dataset.nextPage(outcome.payload) : null
    if (!next) break
    if (page >= MAX_PAGES) throw new Error(`${dataset.id} ${first.file}: more than ${MAX_PAGES} pages`)
    request = next
  }
}
