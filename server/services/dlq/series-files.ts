import { isSeriesSourceId } from '@carbon/connectors'
import { DataKey } from '@carbon/schemas'
import { asc, eq } from 'drizzle-orm'
import { ingestRuns, type Database } from '../../adapters/postgres/schema/index.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import type { IngestTrigger } from '../ingest/runs.ts'
import { archivedBytes } from './archived.ts'
import { readAndPublish, recordSeriesRun, type SeriesIngestDeps, type SeriesPayload } from '../series/ingest.ts'
import type { BusMessage } from '../../adapters/bus/index.ts'

/**
 * A series file's dead letters replayed (server/services/dlq/index.ts replayFile): the archived
 * bytes read again through the series pipeline (server/services/series/ingest.ts) under the same
 * source and data key as the run that archived them, so a reader fixed since (or any cause fixed
 * since) recovers the file. Its records go to series.normalized, where the series consumer stores
 * them (series_values is a ReplacingMergeTree: a value published twice is kept once); a new
 * ingest_runs row records the replay, its URL naming the dead letter replayed and the original URL.
 */

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0]

type RunRow = typeof ingestRuns.$inferSelect

const TRIGGERS: readonly IngestTrigger[] = ['schedule', 'backfill', 'upload']

/** The URL a replay's run is recorded with: which dead letter it replayed, and the file's own URL. */
export function replayUrl(deadLetterId: number, url: string): string {
  return `replay:dead-letter/${deadLetterId} ${url}`
}

type Loaded = { ok: true; payload: SeriesPayload; trigger: IngestTrigger } | { ok: false; reason: string }

/**
 * The archived series file behind `rawKey`, as the pipeline took it: the bytes from the object store
 * (checked against the key's content hash) and the source, data key, file, window, URL and
 * publication time of the first run that archived it (a replay's own run names the same key).
 */
async function loadSeriesFile(tx: Tx, objects: ObjectStore, rawKey: string, replayOf: number): Promise<Loaded> {
  const [run]: RunRow[] = await tx.select().from(ingestRuns).where(eq(ingestRuns.rawKey, rawKey)).orderBy(asc(ingestRuns.id)).limit(1)
  if (!run) return { ok: false, reason: `no ingest run archived raw payload ${rawKey}; re-ingest its window with npx carbon backfill --force (an upload: upload the file again)` }
  if (!isSeriesSourceId(run.dataset)) return { ok: false, reason: `raw payload ${rawKey}: ${run.dataset} is no series source` }
  const key = DataKey.safeParse(run.market)
  if (!key.success) return { ok: false, reason: `raw payload ${rawKey}: its run's data key ${JSON.stringify(run.market)} is none of ${DataKey.options.join(', ')}` }
  const stored = await archivedBytes(objects, rawKey)
  if (!stored.ok) return stored
  const { bytes } = stored
  const trigger = (TRIGGERS as readonly string[]).includes(run.trigger) ? (run.trigger as IngestTrigger) : 'schedule'
  const payload: SeriesPayload = {
    source: run.dataset,
    key: key.data,
    bytes: new Uint8Array(bytes),
    file: run.file,
    url: replayUrl(replayOf, run.url),
    window: { start: run.windowStart.getTime(), end: run.windowEnd.getTime() },
    status: run.httpStatus,
    fetchedAt: Date.now(),
    lastModified: run.publishedAt?.getTime() ?? null,
    attempts: 0,
  }
  return { ok: true, payload, trigger }
}

export type SeriesFileRun =
  | { ok: false; reason: string }
  | { ok: true; result: { status: string; records: number; error: string | null }; letters: BusMessage[]; afterCommit: () => Promise<void> }

/**
 * Reads the archived series file again and publishes its records; answers its refusals as dead
 * letters not yet published (the caller settles the pending ones first) and, to run once the
 * caller's transaction committed, the recording of the replay's ingest run (on the caller's
 * connection it would wait on the transaction's locks with PGlite).
 */
export async function runSeriesFile(deps: Omit<SeriesIngestDeps, 'db'> & { db: Database }, tx: Tx, rawKey: string, replayOf: number): Promise<SeriesFileRun> {
  const startedAt = Date.now()
  const loaded = await loadSeriesFile(tx, deps.objects, rawKey, replayOf)
  if (!loaded.ok) return loaded
  const { payload, trigger } = loaded
  const { result, deadLetters } = await readAndPublish(deps, payload, rawKey)
  return {
    ok: true,
    result,
    letters: deadLetters,
    afterCommit: async () => {
      await recordSeriesRun(deps, payload, result, { trigger, startedAt })
    },
  }
}
