import {
  FetchError,
  ParseError,
  SERIES_SOURCES,
  seriesPublishedOutcome,
  type ConnectorConfig,
  type HttpClient,
  type SeriesDatasetDefinition,
  type SeriesFetchRequest,
} from '@carbon/connectors'
import type { Logger } from 'pino'
import { recordUnansweredRequest, type Unanswered } from '../ingest/pipeline.ts'
import { advanceWatermark, readWatermark, type IngestRunStatus, type IngestTrigger, type WatermarkKey } from '../ingest/runs.ts'
import { TOPICS } from '../../adapters/bus/index.ts'
import { ingestSeriesPayload, type SeriesIngestDeps } from './ingest.ts'

/**
 * The series ingest scheduler: one loop per series dataset (packages/connectors SERIES_DATASETS),
 * polling at the publisher's cadence, like the price scheduler (server/services/ingest/scheduler.ts).
 *
 * A cycle asks for [watermark, publishedUntil): a whole-history file (EIA's workbooks, CARB's
 * workbook, EIA's LNG fragment) is one request; EIA's API one request per respondent and day,
 * paged. Each answer goes through the series pipeline (ingest.ts). The watermark of a series
 * dataset is the END of the last window taken (exclusive), stored in ingest_watermarks under the
 * source's product (GRID for fundamentals, whose files are ingested under their markets); it
 * passes a window only when every request of it (EIA-930: every respondent of the day) and before
 * it, and every page of each, was taken. The requests themselves (pages, CARB's listing) are
 * `createSeriesRequestRunner`'s, which the series backfill (./backfill.ts) shares. "Not
 * published yet" and a publisher failure end the cycle (retried next cycle); an unusable file is
 * recorded and dead-lettered, and the cycle goes on (it stays visible on the Data health page).
 */
export type SeriesSchedulerOptions = {
  deps: SeriesIngestDeps
  client: HttpClient
  datasets: readonly SeriesDatasetDefinition[]
  config: ConnectorConfig
  log: Logger
  /** Delay after each cadence boundary (default 10 s). */
  settleMs?: number
  now?: () => number
}

export type SeriesCycleResult = { dataset: string; requests: number; records: number; issues: number; status: 'idle' | 'ok' | 'no-data' | 'failed' }

export type SeriesScheduler = {
  runCycle(dataset: SeriesDatasetDefinition, signal?: AbortSignal): Promise<SeriesCycleResult>
  start(): void
  stop(): Promise<void>
}

/** What a dataset's watermark is kept under: its product (GRID for the fundamentals). */
export function watermarkKey(dataset: SeriesDatasetDefinition): WatermarkKey {
  return SERIES_SOURCES[dataset.id].product as WatermarkKey
}

/** What became of one planned request, with all its pages (and, for a listing, every file it named). */
export type SeriesRequestOutcome = {
  status: IngestRunStatus
  records: number
  issues: number
  complete: boolean
  /** Why the request was not complete, or the last unusable file's reason. */
  error?: string
}

export type SeriesRequestRunner = {
  /**
   * Takes one planned request through the series pipeline, every page of it (a listing: every file
   * it names), each answer recorded as an ingest run under `trigger`. Publisher failures and "not
   * published yet" are recorded and answered (`complete: false`), never thrown.
   */
  runPlanned(dataset: SeriesDatasetDefinition, planned: SeriesFetchRequest, trigger: IngestTrigger, signal: AbortSignal): Promise<SeriesRequestOutcome>
}

/** The request half of the scheduler, shared with the series backfill (./backfill.ts). */
export function createSeriesRequestRunner({ deps, client }: { deps: SeriesIngestDeps; client: HttpClient }): SeriesRequestRunner {

  /** Records a request that brought no usable answer (not published yet, or failed after its retries). */
  async function recordUnanswered(request: SeriesFetchRequest, outcome: Unanswered, context: { trigger: IngestTrigger; startedAt: number }) {
    await recordUnansweredRequest(deps, { request, key: request.key, rawTopic: TOPICS.seriesRaw }, outcome, context)
  }

  /** One planned request with all its pages. Publisher failures are recorded, not thrown. */
  async function runRequest(dataset: SeriesDatasetDefinition, first: SeriesFetchRequest, trigger: IngestTrigger, signal: AbortSignal): Promise<SeriesRequestOutcome> {
    const total: SeriesRequestOutcome = { status: 'ok', records: 0, issues: 0, complete: false }
    let request: SeriesFetchRequest | null = first
    while (request) {
      signal.throwIfAborted()
      const current: SeriesFetchRequest = request
      const startedAt = Date.now()
      try {
        const outcome = seriesPublishedOutcome(dataset, await client.fetch(current, signal))
        signal.throwIfAborted()
        if (outcome.kind === 'not-published') {
          await recordUnanswered(current, { status: 'no-data', httpStatus: outcome.status, attempts: 1, reason: outcome.reason, bytes: outcome.bytes }, { trigger, startedAt })
          return { ...total, status: 'no-data', error: `${current.file}: not published yet (${outcome.reason})` }
        }
        const { payload } = outcome
        const result = await ingestSeriesPayload(deps, { ...payload, source: current.dataset, key: current.key, file: current.file, url: current.url, window: current.window }, { trigger, startedAt })
        total.records += result.records
        total.issues += result.issues
        if (result.status === 'failed' || result.status === 'partial') total.status = result.status === 'failed' || total.status === 'failed' ? 'failed' : 'partial'
        if (result.status === 'failed') return { ...total, complete: true, error: result.error ?? `${current.file}: unusable` }
        request = nextPage(dataset, payload)
      } catch (error) {
        if (!(error instanceof FetchError)) throw error
        await recordUnanswered(current, { status: 'failed', httpStatus: error.status, attempts: error.attempts, reason: error.message, bytes: error.bytes }, { trigger, startedAt })
        return { ...total, status: 'failed', complete: false, error: error.message }
      }
    }
    return { ...total, complete: true }
  }

  /**
   * A planned request that is a listing (CARB's page, whose workbook is renamed every week): the
   * listing is archived and recorded as a run of its own, then each file it names is taken.
   */
  async function runPlanned(dataset: SeriesDatasetDefinition, planned: SeriesFetchRequest, trigger: IngestTrigger, signal: AbortSignal): Promise<SeriesRequestOutcome> {
    if (!planned.listing) return runRequest(dataset, planned, trigger, signal)
    const startedAt = Date.now()
    let files: SeriesFetchRequest[]
    try {
      const outcome = seriesPublishedOutcome(dataset, await client.fetch(planned, signal))
      signal.throwIfAborted()
      if (outcome.kind === 'not-published') {
        await recordUnanswered(planned, { status: 'no-data', httpStatus: outcome.status, attempts: 1, reason: outcome.reason, bytes: outcome.bytes }, { trigger, startedAt })
        return { status: 'no-data', records: 0, issues: 0, complete: false, error: `${planned.file}: not published yet (${outcome.reason})` }
      }
      try {
        files = dataset.locate?.(outcome.payload) ?? []
      } catch (error) {
        if (!(error instanceof ParseError)) throw error
        await recordUnanswered(planned, { status: 'failed', httpStatus: outcome.payload.status, attempts: outcome.payload.attempts, reason: error.message, bytes: outcome.payload.bytes }, { trigger, startedAt })
        return { status: 'failed', records: 0, issues: 0, complete: false, error: error.message }
      }
      if (files.length === 0) {
        const reason = `${planned.file}: the listing names no file for this window yet`
        await recordUnanswered(planned, { status: 'no-data', httpStatus: outcome.payload.status, attempts: outcome.payload.attempts, reason, bytes: outcome.payload.bytes }, { trigger, startedAt })
        return { status: 'no-data', records: 0, issues: 0, complete: false, error: reason }
      }
    } catch (error) {
      if (!(error instanceof FetchError)) throw error
      await recordUnanswered(planned, { status: 'failed', httpStatus: error.status, attempts: error.attempts, reason: error.message, bytes: error.bytes }, { trigger, startedAt })
      return { status: 'failed', records: 0, issues: 0, complete: false, error: error.message }
    }
    const total: SeriesRequestOutcome = { status: 'ok', records: 0, issues: 0, complete: true }
    for (const file of files) {
      const part = await runRequest(dataset, file, trigger, signal)
      total.records += part.records
      total.issues += part.issues
      if (part.status === 'failed' || part.status === 'no-data') total.status = part.status
      else if (part.status === 'partial' && total.status === 'ok') total.status = 'partial'
      if (part.error) total.error = part.error
      if (!part.complete) return { ...total, complete: false }
    }
    return total
  }

  /** The next page, or null; a page that cannot say what follows is taken as the last (its own run says why). */
  function nextPage(dataset: SeriesDatasetDefinition, payload: Parameters<NonNullable<SeriesDatasetDefinition['nextPage']>>[0]): SeriesFetchRequest | null {
    try {
      return dataset.nextPage?.(payload) ?? null
    } catch (error) {
      if (error instanceof ParseError) return null
      throw error
    }
  }

  return { runPlanned }
}

export function createSeriesScheduler(options: SeriesSchedulerOptions): SeriesScheduler {
  const { deps, config } = options
  const now = options.now ?? Date.now
  const settle = options.settleMs ?? 10_000
  const controller = new AbortController()
  const loops: Promise<void>[] = []
  const { runPlanned } = createSeriesRequestRunner({ deps, client: options.client })

  async function runCycle(dataset: SeriesDatasetDefinition, signal: AbortSignal = controller.signal): Promise<SeriesCycleResult> {
    const at = now()
    const until = dataset.publishedUntil(at)
    const key = watermarkKey(dataset)
    const mark = await readWatermark(deps.db, key, dataset.id)
    const start = mark ? mark.getTime() : until - dataset.lookbackMs
    const result: SeriesCycleResult = { dataset: dataset.id, requests: 0, records: 0, issues: 0, status: 'idle' }
    if (start >= until) return result
    let covered: number | null = null
    const planned = dataset.plan({ start, end: until }, config, at)
    for (const [i, request] of planned.entries()) {
      const outcome = await runPlanned(dataset, request, 'schedule', signal)
      result.requests++
      result.records += outcome.records
      result.issues += outcome.issues
      if (outcome.status === 'no-data') {
        if (result.status === 'idle') result.status = 'no-data'
        break
      }
      if (!outcome.complete) {
        result.status = 'failed'
        break
      }
      if (outcome.status === 'failed') result.status = 'failed'
      else if (result.status !== 'failed') result.status = 'ok'
      // Requests come in window order (EIA-930: every respondent of a day, then the next day); the
      // last one of a window moves the watermark to its end, so a failure leaves the window whole.
      if (planned[i + 1]?.window.end === request.window.end) continue
      covered = Math.max(covered ?? request.window.end, request.window.end)
      await advanceWatermark(deps.db, key, dataset.id, new Date(covered))
    }
    return result
  }

  async function loop(dataset: SeriesDatasetDefinition) {
    const log = options.log.child({ dataset: dataset.id })
    const signal = controller.signal
    while (!signal.aborted) {
      try {
        const result = await runCycle(dataset, signal)
        if (result.requests > 0) log.info({ requests: result.requests, records: result.records, issues: result.issues, status: result.status }, 'series ingest cycle')
      } catch (error) {
        if (signal.aborted) break
        log.error({ err: error }, 'series ingest cycle failed; trying again next cycle')
      }
      const t = now()
      const next = Math.ceil((t + 1) / dataset.cadenceMs) * dataset.cadenceMs + settle
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, next - t)
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
      })
    }
  }

  return {
    runCycle,
    start() {
      for (const dataset of options.datasets) loops.push(loop(dataset))
      options.log.info({ datasets: options.datasets.map((d) => d.id) }, 'series ingest scheduler started')
    },
    async stop() {
      controller.abort()
      await Promise.allSettled(loops)
    },
  }
}
