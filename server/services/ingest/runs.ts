import type { DataKey } from '@carbon/schemas'
import { and, eq, inArray, sql } from 'drizzle-orm'
import { ingestBackfills, ingestRuns, ingestWatermarks, type Database } from '../../adapters/postgres/schema/index.ts'

/** Postgres bookkeeping of the ingest: one row per request, watermarks, backfill progress. */

/**
 * What a watermark is kept under: a data key, or GRID for the fundamentals (whose files are
 * ingested under their markets, one dataset spanning several: docs/decisions/023).
 */
export type WatermarkKey = DataKey | 'GRID'

export type IngestRunStatus = 'ok' | 'partial' | 'no-data' | 'failed'
/** What started a request: the scheduler, a backfill, or a user's file (series entered by CSV). */
export type IngestTrigger = 'schedule' | 'backfill' | 'upload'

export type IngestRunRecord = {
  market: DataKey
  dataset: string
  trigger: IngestTrigger
  windowStart: Date
  windowEnd: Date
  url: string
  file: string
  status: IngestRunStatus
  httpStatus: number | null
  attempts: number
  records: number
  issues: number
  newNodes: number
  bytes: number
  rawKey: string | null
  publishedAt: Date | null
  error: string | null
  startedAt: Date
  finishedAt: Date
}

export async function recordIngestRun(db: Database, run: IngestRunRecord): Promise<void> {
  await db.insert(ingestRuns).values(run)
}

/**
 * The files of a window's requests (pages of a paged API) already answered with data (status ok
 * or partial) by `trigger`: what a resumed window need not fetch again.
 */
export async function filesTaken(
  db: Database,
  where: { market: DataKey; dataset: string; window: { start: number; end: number }; trigger: IngestTrigger },
): Promise<Set<string>> {
  const rows = await db
    .select({ file: ingestRuns.file })
    .from(ingestRuns)
    .where(
      and(
        eq(ingestRuns.market, where.market),
        eq(ingestRuns.dataset, where.dataset),
        eq(ingestRuns.trigger, where.trigger),
        eq(ingestRuns.windowStart, new Date(where.window.start)),
        eq(ingestRuns.windowEnd, new Date(where.window.end)),
        inArray(ingestRuns.status, ['ok', 'partial']),
      ),
    )
  return new Set(rows.map((r) => r.file))
}

/** The start of the last interval ingested for a dataset, or null before its first window. */
export async function readWatermark(db: Database, market: WatermarkKey, dataset: string): Promise<Date | null> {
  const rows = await db
    .select({ at: ingestWatermarks.lastIntervalStart })
    .from(ingestWatermarks)
    .where(and(eq(ingestWatermarks.market, market), eq(ingestWatermarks.dataset, dataset)))
  return rows[0]?.at ?? null
}

/** Moves a watermark forward (never back: a slow replica finishing an old window cannot rewind it). */
export async function advanceWatermark(db: Database, market: WatermarkKey, dataset: string, lastIntervalStart: Date): Promise<void> {
  await db
    .insert(ingestWatermarks)
    .values({ market, dataset, lastIntervalStart })
    .onConflictDoUpdate({
      target: [ingestWatermarks.market, ingestWatermarks.dataset],
      set: {
        lastIntervalStart: sql`greatest(${ingestWatermarks.lastIntervalStart}, excluded.last_interval_start)`,
        updatedAt: sql`now()`,
      },
    })
}

export type BackfillRow = typeof ingestBackfills.$inferSelect

/** The backfill with this id, created (status running, nothing done) when it does not exist yet. */
export async function openBackfill(
  db: Database,
  job: { id: string; market: DataKey; dataset: string; from: Date; to: Date },
): Promise<BackfillRow> {
  await db
    .insert(ingestBackfills)
    .values({ id: job.id, market: job.market, dataset: job.dataset, fromTime: job.from, toTime: job.to, doneUntil: job.from, status: 'running' })
    .onConflictDoNothing()
  const rows = await db.select().from(ingestBackfills).where(eq(ingestBackfills.id, job.id))
  return rows[0]!
}

export async function updateBackfill(
  db: Database,
  id: string,
  change: { doneUntil?: Date; status?: 'running' | 'done' | 'failed'; requests?: number; records?: number; issues?: number; error?: string | null },
): Promise<void> {
  const { requests, records, issues, ...rest } = change
  await db
    .update(ingestBackfills)
    .set({
      ...rest,
      ...(requests ? { requests: sql`${ingestBackfills.requests} + ${requests}` } : {}),
      ...(records ? { records: sql`${ingestBackfills.records} + ${records}` } : {}),
      ...(issues ? { issues: sql`${ingestBackfills.issues} + ${issues}` } : {}),
      updatedAt: new Date(),
    })
    .where(eq(ingestBackfills.id, id))
}
