import type { ConnectorConfig, DatasetDefinition, HttpClient } from '@carbon/connectors'
import type { Logger } from 'pino'
import type { PipelineDeps } from './pipeline.ts'
import { resumeRequest, runRequest, watermarkAfter } from './request.ts'
import { advanceWatermark, readWatermark } from './runs.ts'

/**
 * The ingest scheduler: one loop per dataset, polling at the publisher's cadence.
 *
 * A cycle fetches from the interval after the dataset's watermark (Postgres) up to what the
 * publisher has published by now (`publishedUntil`); a dataset without a watermark starts
 * `lookbackMs` back. Each answered request moves the watermark to the last interval it
 * delivered, so a restart (or another replica) continues where the last one stopped and a
 * missed cycle is caught up by the next. Live-only feeds (no backfill: MISO's GetExAnteLmp) fetch
 * "now" every cycle. A paged window (MISO Data Exchange) moves the watermark only once ALL its
 * pages are taken; a later page that failed or is not out yet leaves the window for the next
 * cycle, which resumes at that page (the pages taken are in ingest_runs) rather than fetching the
 * earlier ones again. "Not published yet" ends the cycle quietly; a publisher failure after the
 * client's retries ends it too (the window is tried again next cycle); an unusable file is
 * recorded (raw kept, dead letter written) and the cycle goes on to later windows, so one bad file
 * does not stall a feed: it stays visible on the Data health page and a backfill can fetch it again.
 *
 * Cycles start `settleMs` after each cadence boundary (publishers post just after an interval
 * ends). Errors of our own stores are logged and the dataset tries again next cycle.
 */
export type SchedulerOptions = {
  deps: PipelineDeps
  client: HttpClient
  datasets: readonly DatasetDefinition[]
  config: ConnectorConfig
  log: Logger
  /** How far back a dataset without a watermark starts (default: 2 h for real-time runs, 1 day for daily files). */
  lookbackMs?: (dataset: DatasetDefinition) => number
  /** Delay after each cadence boundary (default 10 s). */
  settleMs?: number
  now?: () => number
}

export type CycleResult = { dataset: string; requests: number; records: number; issues: number; status: 'idle' | 'ok' | 'no-data' | 'failed' }

export type IngestScheduler = {
  /** Runs one cycle of a dataset now (also what each loop turn does). */
  runCycle(dataset: DatasetDefinition, signal?: AbortSignal): Promise<CycleResult>
  /** Stops every loop; waits for in-flight requests to finish or abort. */
  stop(): Promise<void>
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

export function defaultLookback(dataset: DatasetDefinition): number {
  return dataset.intervalMs >= HOUR ? DAY : 2 * HOUR
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

export function createScheduler(options: SchedulerOptions): IngestScheduler & { start(): void } {
  const { deps, client, config } = options
  const now = options.now ?? Date.now
  const lookback = options.lookbackMs ?? defaultLookback
  const settle = options.settleMs ?? 10_000
  const controller = new AbortController()
  const loops: Promise<void>[] = []

  async function windowStart(dataset: DatasetDefinition, until: number): Promise<number> {
    const mark = await readWatermark(deps.db, dataset.market, dataset.id)
    const earliest = until - lookback(dataset)
    if (!mark) return earliest
    // A live-only feed cannot serve the past: after a long stop it resumes at the lookback.
    return dataset.backfill ? mark.getTime() + dataset.intervalMs : Math.max(earliest, mark.getTime() + dataset.intervalMs)
  }

  async function runCycle(dataset: DatasetDefinition, signal: AbortSignal = controller.signal): Promise<CycleResult> {
    const at = now()
    const until = dataset.publishedUntil(at)
    const start = await windowStart(dataset, until)
    const result: CycleResult = { dataset: dataset.id, requests: 0, records: 0, issues: 0, status: 'idle' }
    if (start >= until) return result
    for (const request of dataset.plan({ start, end: until }, config, at)) {
      const first = await resumeRequest(deps.db, dataset, request, 'schedule')
      if (first !== request) options.log.info({ dataset: dataset.id, file: first.file }, 'resuming a window at its first page not taken')
      const outcome = await runRequest(deps, client, dataset, first, 'schedule', signal)
      result.requests++
      result.records += outcome.records
      result.issues += outcome.issues
      // A window is done only when all its pages are: until then the watermark stays before it.
      const mark = watermarkAfter(dataset, request, outcome)
      if (mark !== null) await advanceWatermark(deps.db, dataset.market, dataset.id, new Date(mark))
      if (outcome.status === 'no-data') {
        if (result.status === 'idle') result.status = 'no-data'
        break
      }
      if (outcome.status === 'failed') {
        result.status = 'failed'
        if (outcome.retryLater) break
        continue
      }
      if (result.status !== 'failed') result.status = 'ok'
    }
    return result
  }

  async function loop(dataset: DatasetDefinition) {
    const log = options.log.child({ dataset: dataset.id })
    const signal = controller.signal
    while (!signal.aborted) {
      try {
        const result = await runCycle(dataset, signal)
        if (result.requests > 0) log.info({ requests: result.requests, records: result.records, issues: result.issues, status: result.status }, 'ingest cycle')
      } catch (error) {
        if (signal.aborted) break
        log.error({ err: error }, 'ingest cycle failed; trying again next cycle')
      }
      const t = now()
      const next = Math.ceil((t + 1) / dataset.cadenceMs) * dataset.cadenceMs + settle
      await sleep(next - t, signal)
    }
  }

  return {
    runCycle,
    start() {
      for (const dataset of options.datasets) loops.push(loop(dataset))
      options.log.info({ datasets: options.datasets.map((d) => d.id) }, 'ingest scheduler started')
    },
    async stop() {
      controller.abort()
      await Promise.allSettled(loops)
    },
  }
}
