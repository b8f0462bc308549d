import type { ConnectorConfig, HttpClient, SeriesDatasetDefinition, SeriesFetchRequest } from '@carbon/connectors'
import type { DataKey } from '@carbon/schemas'
import { AppError } from '../../errors.ts'
import { backfillJobId, type BackfillProgress, type BackfillResult } from '../ingest/backfill.ts'
import { openBackfill, updateBackfill } from '../ingest/runs.ts'
import type { SeriesIngestDeps } from './ingest.ts'
import { createSeriesRequestRunner, watermarkKey } from './scheduler.ts'

/**
 * `carbon backfill --dataset <series dataset> --from --to`: a series dataset's past window through
 * the scheduler's requests (./scheduler.ts createSeriesRequestRunner): EIA-930 one request per
 * respondent and day, paged; a whole-history workbook (EIA's, CARB's) once for the window; each
 * answer archived, read, published and recorded as an ingest run with trigger `backfill`.
 *
 * Progress is the job's `ingest_backfills` row, as for prices (server/services/ingest/backfill.ts,
 * same id scheme, under the dataset's watermark key: its product, GRID for the fundamentals):
 * `doneUntil` moves to a window's end once every request of that window is taken (all
 * respondents of a day), so the same command after a stop resumes at the first window not
 * complete. "Not published yet" or a publisher failure stops the job (failed, resumable); an
 * unusable file is recorded and dead-lettered, and the job goes on. Idempotent: series_values
 * keeps one value per period (ReplacingMergeTree), raw files are keyed by content hash. The
 * watermark of the scheduler is not moved: a backfill fills the past, the scheduler the present.
 */
export type SeriesBackfillJob = {
  dataset: SeriesDatasetDefinition
  from: Date
  to: Date
  /** Fetch a finished range again. */
  force?: boolean
}

export type SeriesBackfillHooks = {
  onStart?: (progress: BackfillProgress) => void
  onProgress?: (progress: BackfillProgress) => void
  signal?: AbortSignal
}

/** A job's id: the same scheme as a price backfill's, under the dataset's watermark key. */
export function seriesBackfillId(job: Pick<SeriesBackfillJob, 'dataset' | 'from' | 'to'>): string {
  return backfillJobId(watermarkKey(job.dataset), job.dataset.id, job.from, job.to)
}

/** Consecutive planned requests that share a window end (EIA-930: the respondents of one day). */
export function windowSteps(requests: readonly SeriesFetchRequest[]): SeriesFetchRequest[][] {
  const steps: SeriesFetchRequest[][] = []
  for (const request of requests) {
    const last = steps.at(-1)
    if (last && last[0]!.window.end === request.window.end) last.push(request)
    else steps.push([request])
  }
  return steps
}

function checkJob(job: SeriesBackfillJob, config: ConnectorConfig, now: number): void {
  if (!(job.from < job.to)) throw AppError.badRequest(`--from (${job.from.toISOString()}) must be before --to (${job.to.toISOString()})`)
  if (!job.dataset.available(config)) throw AppError.badRequest(`${job.dataset.id} needs configuration this process lacks (EIA_KEY for EIA's API)`)
  const { latestOnly } = job.dataset
  if (latestOnly) {
    const reach = job.dataset.publishedUntil(now) - latestOnly.reachMs
    if (job.from.getTime() < reach) {
      throw AppError.badRequest(`--from ${job.from.toISOString().slice(0, 10)}: ${job.dataset.id} cannot be backfilled before ${new Date(reach).toISOString().slice(0, 10)} (${latestOnly.reason})`)
    }
  }
}

export async function runSeriesBackfill(
  deps: SeriesIngestDeps,
  client: HttpClient,
  config: ConnectorConfig,
  job: SeriesBackfillJob,
  hooks: SeriesBackfillHooks = {},
): Promise<BackfillResult> {
  checkJob(job, config, Date.now())
  const { dataset } = job
  const id = seriesBackfillId(job)
  // GRID is a data_keys row too (the fundamentals' watermark and backfill key: docs/decisions/023).
  const key = watermarkKey(dataset) as DataKey
  let row = await openBackfill(deps.db, { id, market: key, dataset: dataset.id, from: job.from, to: job.to })
  if (job.force && row.doneUntil > job.from) {
    await updateBackfill(deps.db, id, { doneUntil: job.from, status: 'running', error: null })
    row = { ...row, doneUntil: job.from }
  }
  const steps = windowSteps(dataset.plan({ start: job.from.getTime(), end: job.to.getTime() }, config, Date.now()))
  const doneUntil = row.doneUntil.getTime()
  const remaining = steps.filter((step) => step[0]!.window.end > doneUntil)
  const total = steps.reduce((n, step) => n + step.length, 0)
  const progress: BackfillProgress = {
    total,
    done: total - remaining.reduce((n, step) => n + step.length, 0),
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

  const runner = createSeriesRequestRunner({ deps, client })
  const signal = hooks.signal ?? new AbortController().signal
  let failedRequests = 0
  let lastError: string | null = null
  for (const step of remaining) {
    const taken = { records: 0, issues: 0 }
    for (const request of step) {
      const outcome = await runner.runPlanned(dataset, request, 'backfill', signal)
      taken.records += outcome.records
      taken.issues += outcome.issues
      progress.records += outcome.records
      progress.issues += outcome.issues
      if (!outcome.complete) {
        // Not published yet, or the publisher failed after its retries: stop, so the next run resumes with this window.
        const error = `${dataset.id} ${outcome.error ?? request.file}`
        await updateBackfill(deps.db, id, { status: 'failed', error })
        return { ...progress, id, status: 'failed', error, failedRequests: failedRequests + 1 }
      }
      if (outcome.status === 'failed') {
        failedRequests++
        lastError = outcome.error ?? `${request.file}: unusable`
      }
      progress.done++
      hooks.onProgress?.(progress)
    }
    await updateBackfill(deps.db, id, { doneUntil: new Date(step[0]!.window.end), requests: step.length, ...taken })
  }
  await updateBackfill(deps.db, id, { status: 'done', error: lastError })
  return { ...progress, id, status: 'done', error: lastError, failedRequests }
}
