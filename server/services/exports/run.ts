import type { MarketId } from '@carbon/schemas'
import { and, eq, inArray } from 'drizzle-orm'
import { TOPICS } from '../../adapters/bus/index.ts'
import { exportJobs } from '../../adapters/postgres/schema/index.ts'
import { AppError, isAppError } from '../../errors.ts'
import type { ExportDeps, ExportJobRow } from './jobs.ts'
import { ExportRequest, type ExportStatus } from './schemas.ts'
import { openSource } from './sources.ts'
import { CONTENT_TYPES, createFileSink } from './writers/index.ts'

/**
 * The export worker's half: one job from its row to a file in the object store. The rows are read
 * a page at a time and written as they come (CSV lines, Parquet row groups) into the store's put,
 * so a large export streams through. Progress (rows written / estimated rows) goes to the row and
 * to `jobs.progress` at most every PROGRESS_INTERVAL_MS; at the same moments the row's status is
 * read back, and a job cancelled meanwhile stops there and leaves no file.
 *
 * A request the platform refuses (a 4xx AppError: the curve or run is gone, the rows pass the limit)
 * fails the job with the reason, final. A store outage throws: the bus delivers the job again.
 */

export const PROGRESS_INTERVAL_MS = 250

/** The event on `jobs.progress` for an export (keyed by the job id). */
export type ExportProgressEvent = { kind: 'export'; id: string; progress: number; status: ExportStatus }

export type ExportRunDeps = ExportDeps & {
  rowGroupRows?: number
  /** Aborts when the worker is stopping: the job in flight goes back to the outbox (queued) and its partial file is removed. */
  signal?: AbortSignal
}

/** The object key of a job's file: its organization, its id, its file name. */
export function exportObjectKey(row: Pick<ExportJobRow, 'organizationId' | 'id' | 'filename'>): string {
  return `exports/${row.organizationId}/${row.id}/${row.filename}`
}

async function publishProgress(deps: ExportRunDeps, id: string, progress: number, status: ExportStatus): Promise<void> {
  const event: ExportProgressEvent = { kind: 'export', id, progress, status }
  try {
    await deps.bus.publish(TOPICS.jobsProgress, [{ key: id, value: JSON.stringify(event) }])
  } catch (error) {
    // Progress events are a courtesy to listeners; the row is the record.
    deps.log.warn({ err: error, exportId: id }, 'export progress event not published')
  }
}

class Cancelled extends Error {
  constructor() {
    super('the export was cancelled')
  }
}

/** The worker is stopping: the job is handed back, not failed. */
export class ExportInterrupted extends Error {
  constructor() {
    super('the export worker stopped while the export ran; it runs again at the next start')
  }
}

/**
 * Throttled progress with the cancel check: at most every PROGRESS_INTERVAL_MS the row's progress
 * is written (while it is still running) and the event published; a row no longer running (the
 * owner cancelled it) makes the next `check` throw Cancelled.
 */
function progressTracker(deps: ExportRunDeps, id: string) {
  let last = performance.now()
  let stopped = false
  return {
    async check(progress: number): Promise<void> {
      if (deps.signal?.aborted) throw new ExportInterrupted()
      const now = performance.now()
      if (now - last < PROGRESS_INTERVAL_MS) return
      last = now
      const [row] = await deps.db
        .update(exportJobs)
        .set({ progress })
        .where(and(eq(exportJobs.id, id), eq(exportJobs.status, 'running')))
        .returning({ id: exportJobs.id })
      if (!row) {
        stopped = true
        throw new Cancelled()
      }
      await publishProgress(deps, id, progress, 'running')
    },
    get stopped() {
      return stopped
    },
  }
}

/** Marks a running job finished (done or failed) unless it was cancelled meanwhile; the row after. */
async function finishJob(deps: ExportRunDeps, id: string, values: Partial<typeof exportJobs.$inferInsert>): Promise<ExportJobRow | null> {
  const [row] = await deps.db
    .update(exportJobs)
    .set({ ...values, finishedAt: new Date() })
    .where(and(eq(exportJobs.id, id), eq(exportJobs.status, 'running')))
    .returning()
  if (row) await publishProgress(deps, id, row.progress, row.status as ExportStatus)
  return row ?? null
}

async function jobById(deps: ExportRunDeps, id: string): Promise<ExportJobRow | null> {
  const [row] = await deps.db.select().from(exportJobs).where(eq(exportJobs.id, id)).limit(1)
  return row ?? null
}

/**
 * Runs one stored job. Returns null for an unknown id (the worker dead-letters the message); a job
 * no longer queued or running is returned as it is (a redelivery of a finished job does nothing).
 */
export async function executeExport(deps: ExportRunDeps, id: string): Promise<ExportJobRow | null> {
  const existing = await jobById(deps, id)
  if (!existing) return null
  if (existing.status !== 'queued' && existing.status !== 'running') return existing
  const [started] = await deps.db
    .update(exportJobs)
    .set({ status: 'running', startedAt: new Date(), progress: 0, error: null })
    .where(and(eq(exportJobs.id, id), inArray(exportJobs.status, ['queued', 'running'])))
    .returning()
  if (!started) return jobById(deps, id)
  await publishProgress(deps, id, 0, 'running')
  const log = deps.log.child({ exportId: id })

  const parsed = ExportRequest.safeParse(started.params)
  if (!parsed.success) return (await finishJob(deps, id, { status: 'failed', error: `the stored request is not valid: ${parsed.error.message}` })) ?? jobById(deps, id)

  const key = exportObjectKey(started)
  const began = performance.now()
  const tracker = progressTracker(deps, id)
  let written = 0
  let put
  try {
    const viewer = { organizationId: started.organizationId, userId: started.requestedBy, label: started.requestedByLabel }
    const source = await openSource(deps, parsed.data, viewer, { scenarioMarkets: async () => started.markets as MarketId[] })
    const sink = createFileSink(parsed.data.format, source.columns, { rowGroupRows: deps.rowGroupRows })
    const upload = deps.objects.put(key, sink.stream, { contentType: CONTENT_TYPES[parsed.data.format], metadata: { 'export-id': id } })
    // A failed put must not leave the producer waiting on a stream nobody reads.
    upload.catch(() => sink.stream.destroy())
    try {
      for await (const rows of source.pages()) {
        written += rows.length
        if (written > deps.env.EXPORT_MAX_ROWS) {
          throw AppError.badRequest(`the export has more than ${deps.env.EXPORT_MAX_ROWS.toLocaleString('en-US')} rows (EXPORT_MAX_ROWS): narrow the request`)
        }
        await sink.write(rows)
        await tracker.check(Math.min(0.99, written / Math.max(1, started.estimatedRows)))
      }
      await sink.end()
    } catch (error) {
      sink.stream.destroy(error instanceof Error ? error : new Error(String(error)))
      await upload.catch(() => undefined)
      throw error
    }
    put = await upload
  } catch (error) {
    // Whatever was stored (a put that completed before a late failure) goes.
    await deps.objects.delete(key).catch(() => undefined)
    if (error instanceof Cancelled || tracker.stopped) {
      log.info({ rows: written }, 'export cancelled while running: partial file removed')
      return jobById(deps, id)
    }
    if (error instanceof ExportInterrupted) {
      // Back in the outbox, so the next start's relay publishes it at once (the in-process bus forgets the message).
      await deps.db
        .update(exportJobs)
        .set({ status: 'queued', progress: 0, startedAt: null, publishedAt: null })
        .where(and(eq(exportJobs.id, id), eq(exportJobs.status, 'running')))
      throw error
    }
    if (isAppError(error) && error.status < 500) {
      log.warn({ reason: error.message }, 'export failed')
      return (await finishJob(deps, id, { status: 'failed', error: error.userMessage })) ?? jobById(deps, id)
    }
    throw error
  }
  const expiresAt = new Date(Date.now() + deps.env.EXPORT_RETENTION_HOURS * 3_600_000)
  const done = await finishJob(deps, id, { status: 'done', progress: 1, rows: written, bytes: put.size, sha256: put.sha256, objectKey: key, expiresAt })
  if (!done) {
    // Cancelled between the last progress check and now: the file goes too.
    await deps.objects.delete(key)
    log.info('export cancelled at the end: file removed')
    return jobById(deps, id)
  }
  log.info({ rows: written, bytes: put.size, ms: Math.round(performance.now() - began) }, 'export done')
  return done
}
