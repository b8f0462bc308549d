import { and, eq, inArray, lt, or, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import { reportOutputs, type Database } from '../../adapters/postgres/schema/index.ts'
import type { Env } from '../../env.ts'

/**
 * Retention of produced reports, as the exports' (services/exports/cleanup.ts): a done report's
 * PDF and links live until its `expires_at` (EXPORT_RETENTION_HOURS after it was rendered); then the
 * PDF is removed and the row marked `expired` (still listed, without a link). A row expired for
 * longer than the retention again, or failed longer ago than the retention, is deleted (the
 * subscription's watermark keeps the scheduler from queuing its day again). Run by the report
 * renderer beside its scheduler; idempotent, safe on several renderers at once.
 */

const CLEANUP_BATCH = 500

export type ReportCleanupDeps = { db: Database; objects: ObjectStore; env: Pick<Env, 'EXPORT_RETENTION_HOURS'>; log: Logger }

export async function cleanupReportOutputs(deps: ReportCleanupDeps, now: Date = new Date()): Promise<{ expired: number; deleted: number }> {
  let expired = 0
  for (;;) {
    const due = await deps.db
      .select({ id: reportOutputs.id, objectKey: reportOutputs.objectKey })
      .from(reportOutputs)
      .where(and(eq(reportOutputs.status, 'done'), lt(reportOutputs.expiresAt, now)))
      .limit(CLEANUP_BATCH)
    if (due.length === 0) break
    // The file first: a row marked expired never points at a file still served.
    for (const row of due) if (row.objectKey) await deps.objects.delete(row.objectKey)
    const rows = await deps.db
      .update(reportOutputs)
      .set({ status: 'expired' })
      .where(and(inArray(reportOutputs.id, due.map((r) => r.id)), eq(reportOutputs.status, 'done')))
      .returning({ id: reportOutputs.id })
    expired += rows.length
    if (due.length < CLEANUP_BATCH) break
  }

  const cutoff = new Date(now.getTime() - deps.env.EXPORT_RETENTION_HOURS * 3_600_000)
  const deleted = await deps.db
    .delete(reportOutputs)
    .where(
      or(
        and(eq(reportOutputs.status, 'expired'), lt(reportOutputs.expiresAt, cutoff)),
        and(eq(reportOutputs.status, 'failed'), sql`coalesce(${reportOutputs.finishedAt}, ${reportOutputs.requestedAt}) < ${cutoff.toISOString()}::timestamptz`),
      ),
    )
    .returning({ id: reportOutputs.id })
  if (expired > 0 || deleted.length > 0) deps.log.info({ expired, deleted: deleted.length }, 'report clean-up')
  return { expired, deleted: deleted.length }
}
