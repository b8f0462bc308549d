import { createHash } from 'node:crypto'
import type { ConnectorConfig, DatasetDefinition, HttpClient } from '@carbon/connectors'
import { AppError } from '../../errors.ts'
import type { PipelineDeps } from './pipeline.ts'
import { resumeRequest, runRequest } from './request.ts'
import { openBackfill, updateBackfill } from './runs.ts'

/**
 * `carbon backfill`: fetch a dataset's past windows through the same pipeline as the scheduler.
 * (A series dataset's: server/services/series/backfill.ts, with the same job rows and ids.)
 *
 * Resumable: the job's id is derived from (market, dataset, from, to) and its row in Postgres
 * (`ingest_backfills`) records how far it got (`doneUntil`, advanced after every request), so the
 * same command after a crash or Ctrl-C continues there. Idempotent: prices are keyed by market,
 * node, run and interval (ReplacingMergeTree), raw payloads by content hash, so fetching a window
 * twice stores it once. A finished job run again reports that it is done (use a new range, or
 * --force to fetch it all again).
 */
export type BackfillJob = {
  dataset: DatasetDefinition
  from: Date
  to: Date
  force?: boolean
}

export type BackfillProgress = { total: number; done: number; records: number; issues: number; resumedFrom: Date | null }

export type BackfillResult = BackfillProgress & { id: string; status: 'done' | 'already-done' | 'failed'; error: string | null; failedRequests: number }

export function backfillId(job: Pick<BackfillJob, 'dataset' | 'from' | 'to'>): string {
  return backfillJobId(job.dataset.market, job.dataset.id, job.from, job.to)
}

/** A backfill's id from what it backfills: the data key (a market, a product, or GRID) it is recorded under, the dataset and the range. */
export function backfillJobId(key: string, datasetId: string, from: Date, to: Date): string {
  const text = `${key}|${datasetId}|${from.toISOString()}|${to.toISOString()}`
  return `bf_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`
}

export async function runBackfill(
  deps: PipelineDeps,
  client: HttpClient,
  config: ConnectorConfig,
  job: BackfillJob,
  hooks: { onStart?: (progress: BackfillProgress) => void; onProgress?: (progress: BackfillProgress) => void; signal?: AbortSignal } = {},
): Promise<BackfillResult> {
  const { dataset } = job
  if (!dataset.backfill) {
    throw AppError.badRequest(`${dataset.id} is a live-only feed: the publisher serves no past windows; backfill one of its report datasets instead`)
  }
  if (!(job.from < job.to)) throw AppError.badRequest(`--from (${job.from.toISOString()}) must be before --to (${job.to.toISOString()})`)
  const id = backfillId(job)
  let row = await openBackfill(deps.db, { id, market: dataset.market, dataset: dataset.id, from: job.from, to: job.to })
  if (job.force && row.doneUntil > job.from) {
    await updateBackfill(deps.db, id, { doneUntil: job.from, status: 'running', error: null })
    row = { ...row, doneUntil: job.from }
  }
  const now = Date.now()
  const all = dataset.plan({ start: job.from.getTime(), end: job.to.getTime() }, config, now)
  const doneUntil = row.doneUntil.getTime()
  const remaining = all.filter((r) => r.window.end > doneUntil)
  const progress: BackfillProgress = {
    total: all.length,
    done: all.length - remaining.length,
    records: 0,
    issues: 0,
    resumedFrom: doneUntil > job.from.getTime() ? row.doneUntil : null,
  }
  if (remaining.length === 0) {
    if (row.status !== 'done') await updateBackfill(deps.db, id, { status: 'done' })
    return { ...progress, id, status: 'already-done', error: null, failedRequests: 0 }
  }
  await updateBackfill(deps.db, id, { status: 'running', error: null })
  hooks.onStart?.(progress)

  let failedRequests = 0
  let lastError: string | null = null
  for (const request of remaining) {
    // --force fetches every page again; otherwise a window whose later pages failed resumes there.
    const first = job.force ? request : await resumeRequest(deps.db, dataset, request, 'backfill')
    const outcome = await runRequest(deps, client, dataset, first, 'backfill', hooks.signal)
    if ((outcome.status === 'failed' && outcome.retryLater) || outcome.pagesPending) {
      // The publisher is down, or a later page of this window is not out yet: stop here, so the
      // next run resumes with this window (at its first page not taken).
      const error = outcome.error ?? `${dataset.id} ${request.file}: a later page is not published yet`
      await updateBackfill(deps.db, id, { status: 'failed', error })
      return { ...progress, id, status: 'failed', error, failedRequests: failedRequests + 1 }
    }
    if (outcome.status === 'failed') {
      failedRequests++
      lastError = outcome.error
    }
    progress.done++
    progress.records += outcome.records
    progress.issues += outcome.issues
    await updateBackfill(deps.db, id, { doneUntil: new Date(request.window.end), requests: 1, records: outcome.records, issues: outcome.issues })
    hooks.onProgress?.(progress)
  }
  await updateBackfill(deps.db, id, { status: 'done', error: lastError })
  return { ...progress, id, status: 'done', error: lastError, failedRequests }
}
