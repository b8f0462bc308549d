import { and, eq, inArray, lt, or, sql } from 'drizzle-orm'
import { exportJobs } from '../../adapters/postgres/schema/index.ts'
import type { ExportDeps } from './jobs.ts'

/**
 * Retention: a done export's file and links live until its `expires_at` (EXPORT_RETENTION_HOURS
 * after it finished). The clean-up removes the file of every done job past it and marks the job
 * `expired` (the list still shows it, without a link); a row expired for longer than the retention
 * again, and a failed or cancelled row older than the retention, is deleted (with any object it
 * names). Run every few minutes by the export worker; idempotent, safe on several workers at once.
 */

const CLEANUP_BATCH = 500

export async function cleanupExports(deps: Pick<ExportDeps, 'db' | 'objects' | 'env' | 'log'>, now = new Date()): Promise<{ expired: number; deleted: number }> {
  const retentionMs = deps.env.EXPORT_RETENTION_HOURS * 3_600_000
  let expired = 0
  for (;;) {
    const due = await deps.db
      .select({ id: exportJobs.id, objectKey: exportJobs.objectKey })
      .from(exportJobs)
      .where(and(eq(exportJobs.status, 'done'), lt(exportJobs.expiresAt, now)))
      .limit(CLEANUP_BATCH)
    if (due.length === 0) break
    // The file first: a row marked expired never points at a file still served.
    for (const job of due) if (job.objectKey) await deps.objects.delete(job.objectKey)
    const rows = await deps.db
      .update(exportJobs)
      .set({ status: 'expired' })
      .where(and(inArray(exportJobs.id, due.map((j) => j.id)), eq(exportJobs.status, 'done')))
      .returning({ id: exportJobs.id })
    expired += rows.length
    if (due.length < CLEANUP_BATCH) break
  }

  const cutoff = new Date(now.getTime() - retentionMs)
  let deleted = 0
  for (;;) {
    const old = await deps.db
      .select({ id: exportJobs.id, objectKey: exportJobs.objectKey })
      .from(exportJobs)
      .where(
        or(
          and(eq(exportJobs.status, 'expired'), lt(exportJobs.expiresAt, cutoff)),
          and(inArray(exportJobs.status, ['failed', 'cancelled']), sql`coalesce(${exportJobs.finishedAt}, ${exportJobs.requestedAt}) < ${cutoff.toISOString()}::timestamptz`),
        ),
      )
      .limit(CLEANUP_BATCH)
    if (old.length === 0) break
    for (const job of old) if (job.objectKey) await deps.objects.delete(job.objectKey)
    const rows = await deps.db
      .delete(exportJobs)
      .where(inArray(exportJobs.id, old.map((j) => j.id)))
      .returning({ id: exportJobs.id })
    deleted += rows.length
    if (old.length < CLEANUP_BATCH) break
  }
  if (expired > 0 || deleted > 0) deps.log.info({ expired, deleted }, 'export clean-up')
  return { expired, deleted }
}
