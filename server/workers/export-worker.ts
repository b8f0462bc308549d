import type { Logger } from 'pino'
import { TOPICS, type Bus } from '../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../adapters/clickhouse/client.ts'
import type { ObjectStore } from '../adapters/objects/index.ts'
import type { Database } from '../adapters/postgres/schema/index.ts'
import { timeJob } from '../metrics.ts'
import type { OutboxRelayOptions } from '../services/outbox/relay.ts'
import { cleanupExports, executeExport, startExportRelay, type ExportEnv } from '../services/exports/index.ts'
import { subscribeJobRequests } from './requests.ts'

/**
 * The export worker: `exports.run` -> the job's rows read from ClickHouse a page at a time ->
 * CSV or Parquet streamed into the object store -> the job's Postgres row done (rows, bytes,
 * sha256, expiry) or failed with the reason; progress on `jobs.progress` and in the row at most
 * every 250 ms. A sidecar Deployment in production (`carbon export-worker`), inside the web
 * process on the embedded default.
 *
 * Each message is `{"id": "<export_jobs row id>"}` keyed by the job id. The handler is idempotent
 * (a finished job is left alone). A message that is not an export request, or names no job, goes
 * to `exports.dlq` with the reason; a request the platform refuses fails its job; a store outage
 * throws and the bus redelivers.
 *
 * Beside the consumer run the outbox relay (jobs whose publication failed or that were stranded)
 * and the retention clean-up (every `cleanupIntervalMs`, default 5 minutes).
 */

export const EXPORT_WORKER_GROUP = 'export-worker'
export const CLEANUP_INTERVAL_MS = 5 * 60_000

export type ExportWorker = { stop(): Promise<void> }

export async function startExportWorker(deps: {
  bus: Bus
  db: Database
  ch: ClickHouseHandle
  objects: ObjectStore
  env: ExportEnv
  log: Logger
  groupId?: string
  /** The outbox relay's settings, or false to run none (a test drives relayExportsOnce itself). */
  relay?: Partial<OutboxRelayOptions> | false
  /** How often the clean-up runs, or false for never (a test calls cleanupExports itself). */
  cleanupIntervalMs?: number | false
  /** Parquet row group size (default 100,000 rows). */
  rowGroupRows?: number
}): Promise<ExportWorker> {
  const log = deps.log.child({ worker: 'export-worker' })
  const stopping = new AbortController()
  const runDeps = { db: deps.db, ch: deps.ch, bus: deps.bus, objects: deps.objects, env: deps.env, log, rowGroupRows: deps.rowGroupRows, signal: stopping.signal }
  const subscription = await subscribeJobRequests({
    bus: deps.bus,
    log,
    topic: TOPICS.exportsRun,
    deadLetterTopic: TOPICS.exportsDlq,
    groupId: deps.groupId ?? EXPORT_WORKER_GROUP,
    what: 'an export',
    execute: (id) => timeJob('export', () => executeExport(runDeps, id)),
    unknown: (id) => `unknown export ${id}: no export job has this id`,
  })
  const relay = deps.relay === false ? null : startExportRelay({ db: deps.db, bus: deps.bus, log }, deps.relay)
  const cleanup = deps.cleanupIntervalMs === false ? null : startCleanup(deps, log, deps.cleanupIntervalMs ?? CLEANUP_INTERVAL_MS)
  log.info('export worker listening on exports.run')
  return {
    async stop() {
      // An export in flight stops at its next page and goes back to the outbox (not failed, not committed).
      stopping.abort()
      await cleanup?.stop()
      await relay?.stop()
      await subscription.stop()
    },
  }
}

/** cleanupExports now and then every `intervalMs` until stopped; a failed pass is logged and retried. */
function startCleanup(deps: { db: Database; objects: ObjectStore; env: ExportEnv }, log: Logger, intervalMs: number): { stop(): Promise<void> } {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let pass: Promise<void> = Promise.resolve()
  const tick = () => {
    pass = cleanupExports({ ...deps, log })
      .then(
        () => undefined,
        (error: unknown) => log.warn({ err: error }, 'export clean-up pass failed; retrying'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs).unref()
      })
  }
  tick()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await pass
    },
  }
}
