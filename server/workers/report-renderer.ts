import type { Logger } from 'pino'
import { TOPICS, type Bus } from '../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../adapters/clickhouse/client.ts'
import type { ObjectStore } from '../adapters/objects/types.ts'
import type { Database } from '../adapters/postgres/schema/index.ts'
import type { Env } from '../env.ts'
import { timeJob } from '../metrics.ts'
import {
  cleanupReportOutputs,
  executeReportOutput,
  scheduleDueReports,
  startReportRelay,
  type ReportRelayOptions,
} from '../services/report-subscriptions/index.ts'
import { subscribeJobRequests } from './requests.ts'

/**
 * The scheduled-report renderer: `reports.render` -> the subscriber organization's downloads
 * entitlement checked again -> renderReportPdf -> the PDF in the object store -> the
 * report_outputs row done (or failed with the reason). Runs inside `carbon export-worker` and the
 * embedded web process.
 *
 * Each message is `{"id": "<report_outputs row id>"}`. The handler is idempotent (a finished row
 * is left alone). A message that is not a render request, or names a row that does not exist,
 * goes to `reports.dlq` with the reason; a store outage throws and the bus redelivers.
 *
 * Beside the consumer run the scheduler (every `scheduleEveryMs`, one minute by default: the
 * reports now due are queued, and PDFs past their retention removed) and the outbox relay (rows whose publication failed or
 * was cut off are published, stranded ones republished, bounded, then failed).
 */

export const REPORT_RENDERER_GROUP = 'report-renderer'
export const SCHEDULE_EVERY_MS = 60_000

export type ReportRenderer = { stop(): Promise<void> }

export type ReportRendererDeps = {
  bus: Bus
  db: Database
  ch: ClickHouseHandle
  objects: ObjectStore
  env: Pick<Env, 'EXPORT_RETENTION_HOURS'>
  log: Logger
  groupId?: string
  /** The outbox relay's settings, or false to run none (a test drives relayReportsOnce itself). */
  relay?: Partial<ReportRelayOptions> | false
  /** Pause between two scheduler passes, or false to run none (a test calls scheduleDueReports itself). */
  scheduleEveryMs?: number | false
}

export async function startReportRenderer(deps: ReportRendererDeps): Promise<ReportRenderer> {
  const log = deps.log.child({ worker: 'report-renderer' })
  const renderDeps = { db: deps.db, ch: deps.ch, objects: deps.objects, env: deps.env, log }
  const subscription = await subscribeJobRequests({
    bus: deps.bus,
    log,
    topic: TOPICS.reportsRender,
    deadLetterTopic: TOPICS.reportsDlq,
    groupId: deps.groupId ?? REPORT_RENDERER_GROUP,
    what: 'a report render',
    execute: (id) => timeJob('report', () => executeReportOutput(renderDeps, id)),
    unknown: (id) => `unknown report ${id}: no report_outputs row has this id`,
  })
  const relay = deps.relay === false ? null : startReportRelay({ db: deps.db, bus: deps.bus, log }, deps.relay)
  const scheduler = deps.scheduleEveryMs === false ? null : startScheduler({ ...deps, log }, deps.scheduleEveryMs ?? SCHEDULE_EVERY_MS)
  log.info('report renderer listening on reports.render')
  return {
    async stop() {
      await scheduler?.stop()
      await relay?.stop()
      await subscription.stop()
    },
  }
}

/** One scheduler pass: the reports due now queued, then the expired ones cleaned up. */
async function schedulerPass(deps: ReportRendererDeps): Promise<void> {
  const now = new Date()
  await scheduleDueReports(deps, now)
  await cleanupReportOutputs(deps, now)
}

/** schedulerPass now and then every `everyMs` until stopped; a failed pass (a store outage) is logged and retried. */
function startScheduler(deps: ReportRendererDeps, everyMs: number): { stop(): Promise<void> } {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let pass: Promise<void> = Promise.resolve()
  const tick = () => {
    pass = schedulerPass(deps)
      .then(
        () => undefined,
        (error: unknown) => deps.log.warn({ err: error }, 'report scheduler pass failed; retrying'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs).unref()
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
