import { FetchError, ParseError, publishedOutcome, type DatasetDefinition, type FetchedPayload, type FetchRequest, type HttpClient } from '@carbon/connectors'
import { ingestPayload, recordUnanswered, type PipelineDeps } from './pipeline.ts'
import { filesTaken, type IngestRunStatus, type IngestTrigger } from './runs.ts'

export type RequestResult = {
  status: IngestRunStatus
  records: number
  issues: number
  newNodes: number
  /** Answers taken (pages of a paged API count one each). */
  answers: number
  /** Latest interval start published (null when none). */
  lastIntervalStart: number | null
  error: string | null
  /** The publisher could not be reached or kept failing (after retries): try the window again later. */
  retryLater: boolean
  /**
   * Every page was taken: the last one said nothing follows (a request without pages: its answer
   * was ingested). False when a page failed or was not published yet, so the window is not done:
   * its watermark must not pass it, and the next try resumes at the first page not taken.
   */
  complete: boolean
  /** A page after the first is still to come (failed after retries, or not published yet). */
  pagesPending: boolean
}

const RANK: Record<IngestRunStatus, number> = { ok: 0, 'no-data': 1, partial: 2, failed: 3 }

/** The worse of two statuses: a request with one failed page is failed. */
function worse(a: IngestRunStatus, b: IngestRunStatus): IngestRunStatus {
  return RANK[a] >= RANK[b] ? a : b
}

/** The next page of a paged answer; a page that cannot say what follows ends the request as failed. */
function nextPage(dataset: DatasetDefinition, payload: FetchedPayload, total: RequestResult): FetchRequest | null {
  try {
    return dataset.nextPage?.(payload) ?? null
  } catch (error) {
    if (!(error instanceof ParseError)) throw error
    total.status = 'failed'
    total.error = error.message
    return null
  }
}

/** Whether `request` is a page after the first of a paged request. */
function isLaterPage(dataset: DatasetDefinition, request: FetchRequest): boolean {
  return dataset.pageAt !== undefined && dataset.pageAt(request, 1).file !== request.file
}

function emptyResult(): RequestResult {
  return {
    status: 'ok',
    records: 0,
    issues: 0,
    newNodes: 0,
    answers: 0,
    lastIntervalStart: null,
    error: null,
    retryLater: false,
    complete: false,
    pagesPending: false,
  }
}

/** `part` (one located document's result) added into `total`. */
function addResult(total: RequestResult, part: RequestResult): void {
  total.status = worse(total.status, part.status)
  total.records += part.records
  total.issues += part.issues
  total.newNodes += part.newNodes
  total.answers += part.answers
  if (part.lastIntervalStart !== null) total.lastIntervalStart = Math.max(total.lastIntervalStart ?? part.lastIntervalStart, part.lastIntervalStart)
  total.error ??= part.error
  total.retryLater ||= part.retryLater
  total.complete &&= part.complete
  total.pagesPending ||= part.pagesPending
}

/**
 * Where the windows starting from `start` stop covering time without a hole: the end of the
 * longest run of `windows` (in any order) that starts at or before `start` and leaves no gap.
 * `start` itself when the first window starts later.
 */
export function coveredUntil(start: number, windows: readonly { start: number; end: number }[]): number {
  let end = start
  for (const w of [...windows].sort((a, b) => a.start - b.start)) {
    if (w.start > end) break
    end = Math.max(end, w.end)
  }
  return end
}

/**
 * A listing request (ERCOT MIS document list): the list is fetched, `locate` names the documents
 * of the window, and each goes through {@link runRequest}. A listing that fails, answers "not
 * published" or does not list the window's documents yet is recorded as a run of its own (no-data
 * or failed) so the window is tried again; a listing that located documents leaves the runs of
 * the documents only. The watermark may pass only what the located documents cover without a
 * hole from the window's start: a document the list does not hold yet (posted late) is looked for
 * again next cycle, however many later ones were taken.
 */
async function runListing(
  deps: PipelineDeps,
  client: HttpClient,
  dataset: DatasetDefinition,
  listing: FetchRequest,
  trigger: IngestTrigger,
  signal?: AbortSignal,
): Promise<RequestResult> {
  const total = emptyResult()
  const startedAt = Date.now()
  const unanswered = async (status: 'no-data' | 'failed', httpStatus: number | null, attempts: number, reason: string, bytes: Uint8Array | null) => {
    await recordUnanswered(deps, listing, { status, httpStatus, attempts, reason, bytes }, { trigger, startedAt })
    total.status = status
    total.error = status === 'failed' ? reason : null
    return total
  }
  let documents: FetchRequest[]
  try {
    const outcome = publishedOutcome(dataset, await client.fetch(listing, signal))
    signal?.throwIfAborted()
    total.answers++
    if (outcome.kind === 'not-published') return await unanswered('no-data', outcome.status, 1, outcome.reason, outcome.bytes)
    const { payload } = outcome
    try {
      if (!dataset.locate) throw new Error(`${dataset.id}: a listing request needs the dataset's locate`)
      documents = dataset.locate(payload)
    } catch (error) {
      if (!(error instanceof ParseError)) throw error
      return await unanswered('failed', payload.status, payload.attempts, error.message, payload.bytes)
    }
    if (documents.length === 0) return await unanswered('no-data', payload.status, payload.attempts, 'the listing holds no document of this window yet', null)
  } catch (error) {
    if (!(error instanceof FetchError)) throw error
    total.answers++
    await unanswered('failed', error.status, error.attempts, error.message, error.bytes)
    total.retryLater = error.retryable
    return total
  }
  total.complete = true
  for (const document of documents) addResult(total, await runRequest(deps, client, dataset, document, trigger, signal))
  const covered = coveredUntil(listing.window.start, documents.map((d) => d.window))
  if (covered < listing.window.end && total.lastIntervalStart !== null)
    total.lastIntervalStart = Math.min(total.lastIntervalStart, covered - dataset.intervalMs)
  return total
}

/**
 * One planned request through fetch and pipeline, with every page of a paged API (or, for a
 * listing, every document it locates). Failures the publisher causes (a FetchError after its
 * retries) are recorded and reported, not thrown; an abort and store or bus failures are thrown.
 */
export async function runRequest(
  deps: PipelineDeps,
  client: HttpClient,
  dataset: DatasetDefinition,
  first: FetchRequest,
  trigger: IngestTrigger,
  signal?: AbortSignal,
): Promise<RequestResult> {
  if (first.listing) return runListing(deps, client, dataset, first, trigger, signal)
  const total = emptyResult()
  let request: FetchRequest | null = first
  while (request) {
    signal?.throwIfAborted()
    const current: FetchRequest = request
    const startedAt = Date.now()
    try {
      const outcome = publishedOutcome(dataset, await client.fetch(current, signal))
      // Stopping: an answer that arrived meanwhile is not stored (the watermark stays before it).
      signal?.throwIfAborted()
      total.answers++
      if (outcome.kind === 'not-published') {
        await recordUnanswered(deps, current, { status: 'no-data', httpStatus: outcome.status, attempts: 1, reason: outcome.reason, bytes: outcome.bytes }, { trigger, startedAt })
        total.status = total.answers === 1 ? 'no-data' : worse(total.status, 'no-data')
        total.pagesPending = isLaterPage(dataset, current)
        return total
      }
      const result = await ingestPayload(deps, outcome.payload, { trigger, startedAt }, signal)
      total.status = worse(total.status, result.status)
      total.records += result.records
      total.issues += result.issues
      total.newNodes += result.newNodes
      total.error ??= result.error
      if (result.lastIntervalStart !== null) total.lastIntervalStart = Math.max(total.lastIntervalStart ?? result.lastIntervalStart, result.lastIntervalStart)
      request = result.status === 'failed' ? null : nextPage(dataset, outcome.payload, total)
    } catch (error) {
      if (!(error instanceof FetchError)) throw error
      total.answers++
      await recordUnanswered(deps, current, { status: 'failed', httpStatus: error.status, attempts: error.attempts, reason: error.message, bytes: error.bytes }, { trigger, startedAt })
      total.status = 'failed'
      total.error = error.message
      total.retryLater = error.retryable
      total.pagesPending = error.retryable && isLaterPage(dataset, current)
      return total
    }
  }
  total.complete = total.status !== 'failed'
  return total
}

/**
 * Where a planned request of a paged API resumes: at its first page `trigger` has not taken yet
 * (answered with data, in ingest_runs), so a window whose later page failed or was not published
 * fetches only the rest on its next try, never the earlier pages twice. A request whose pages were
 * all taken resumes after the last (the publisher answers an empty last page, and the window is
 * done). Requests of unpaged datasets, and windows with no page taken, start at `first`.
 */
export async function resumeRequest(db: PipelineDeps['db'], dataset: DatasetDefinition, first: FetchRequest, trigger: IngestTrigger): Promise<FetchRequest> {
  if (!dataset.pageAt) return first
  const taken = await filesTaken(db, { market: dataset.market, dataset: dataset.id, window: first.window, trigger })
  if (!taken.has(first.file)) return first
  let page = 2
  while (taken.has(dataset.pageAt(first, page).file)) page++
  return dataset.pageAt(first, page)
}

/**
 * The watermark a finished request moves its dataset to: a paged request that took every page
 * covers its whole window (the last interval of the window, whatever the last page held); others
 * the latest interval they published. Null when it must not move: pages still to come, or no data.
 */
export function watermarkAfter(dataset: DatasetDefinition, request: FetchRequest, outcome: RequestResult): number | null {
  if (!outcome.complete) return null
  if (dataset.pageAt) return Math.max(outcome.lastIntervalStart ?? -Infinity, request.window.end - dataset.intervalMs)
  return outcome.lastIntervalStart
}
