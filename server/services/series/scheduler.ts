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
import { metrics } from '../../metrics.ts'
import { archiveRaw } from '../ingest/pipeline.ts'
import { advanceWatermark, readWatermark, recordIngestRun, type IngestRunStatus, type IngestTrigger, type WatermarkKey } from '../ingest/runs.ts'
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
 * passes a window only when every request before it, and every page of each, was taken. "Not
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

type RequestOutcome = { status: IngestRunStatus; records: number; issues: number; complete: boolean }

export function createSeriesScheduler(options: SeriesSchedulerOptions): SeriesScheduler {
  const { deps, client, config } = options
  const now = options.now ?? Date.now
  const settle = options.settleMs ?? 10_000
  const controller = new AbortController()
  const loops: Promise<void>[] = []

  /** Records a request that brought no usable answer (not published yet, or failed after its retries). */
  async function recordUnanswered(request: SeriesFetchRequest, outcome: { status: 'no-data' | 'failed'; httpStatus: number | null; attempts: number; reason: string; bytes: Uint8Array | null }, context: { trigger: IngestTrigger; startedAt: number }) {
    const at = Date.now()
    const rawKey =
      outcome.bytes && outcome.bytes.length > 0
        ? await archiveRaw(deps, request.key, request, outcome.bytes, { status: outcome.httpStatus, contentType: 'application/octet-stream', fetchedAt: at }, TOPICS.seriesRaw)
        : null
    await recordIngestRun(deps.db, {
      market: request.key,
      dataset: request.dataset,
      trigger: context.trigger,
      windowStart: new Date(request.window.start),
      windowEnd: new Date(request.window.end),
      url: request.url,
      file: request.file,
      status: outcome.status,
      httpStatus: outcome.httpStatus,
      attempts: outcome.attempts,
      records: 0,
      issues: 0,
      newNodes: 0,
      bytes: outcome.bytes?.length ?? 0,
      rawKey,
      publishedAt: null,
      error: outcome.status === 'failed' ? outcome.reason : null,
      startedAt: new Date(context.startedAt),
      finishedAt: new Date(at),
    })
    metrics.ingestRequests.inc({ market: request.key, dataset: request.dataset, status: outcome.status })
    if (outcome.status === 'failed') deps.log.warn({ dataset: request.dataset, file: request.file, rawKey, reason: outcome.reason }, 'series publisher request failed')
  }

  /** One planned request with all its pages. Publisher failures are recorded, not thrown. */
  async function runRequest(dataset: SeriesDatasetDefinition, first: SeriesFetchRequest, signal: AbortSignal): Promise<RequestOutcome> {
    const total: RequestOutcome = { status: 'ok', records: 0, issues: 0, complete: false }
    let request: SeriesFetchRequest | null = first
    while (request) {
      signal.throwIfAborted()
      const current: SeriesFetchRequest = request
      const startedAt = Date.now()
      try {
        const outcome = seriesPublishedOutcome(dataset, await client.fetch(current, signal))
        signal.throwIfAborted()
        if (outcome.kind === 'not-published') {
          await recordUnanswered(current, { status: 'no-data', httpStatus: outcome.status, attempts: 1, reason: outcome.reason, bytes: outcome.bytes }, { trigger: 'schedule', startedAt })
          return { ...total, status: 'no-data' }
        }
        const { payload } = outcome
        const result = await ingestSeriesPayload(deps, { ...payload, source: current.dataset, key: current.key, file: current.file, url: current.url, window: current.window }, { trigger: 'schedule', startedAt })
        total.records += result.records
        total.issues += result.issues
        if (result.status === 'failed' || result.status === 'partial') total.status = result.status === 'failed' || total.status === 'failed' ? 'failed' : 'partial'
        if (result.status === 'failed') return { ...total, complete: true }
        request = nextPage(dataset, payload)
      } catch (error) {
        if (!(error instanceof FetchError)) throw error
        await recordUnanswered(current, { status: 'failed', httpStatus: error.status, attempts: error.attempts, reason: error.message, bytes: error.bytes }, { trigger: 'schedule', startedAt })
        return { ...total, status: 'failed', complete: false }
      }
    }
    return { ...total, complete: true }
  }

  /**
   * A planned request that is a listing (CARB's page, whose workbook is renamed every week): the
   * listing is archived and recorded as a run of its own, then each file it names is taken.
   */
  async function runPlanned(dataset: SeriesDatasetDefinition, planned: SeriesFetchRequest, signal: AbortSignal): Promise<RequestOutcome> {
    if (!planned.listing) return runRequest(dataset, planned, signal)
    const startedAt = Date.now()
    let files: SeriesFetchRequest[]
    try {
      const outcome = seriesPublishedOutcome(dataset, await client.fetch(planned, signal))
      signal.throwIfAborted()
      if (outcome.kind === 'not-published') {
        await recordUnanswered(planned, { status: 'no-data', httpStatus: outcome.status, attempts: 1, reason: outcome.reason, bytes: outcome.bytes }, { trigger: 'schedule', startedAt })
        return { status: 'no-data', records: 0, issues: 0, complete: false }
      }
      try {
        files = dataset.locate?.(outcome.payload) ?? []
      } catch (error) {
        if (!(error instanceof ParseError)) throw error
        await recordUnanswered(planned, { status: 'failed', httpStatus: outcome.payload.status, attempts: outcome.payload.attempts, reason: error.message, bytes: outcome.payload.bytes }, { trigger: 'schedule', startedAt })
        return { status: 'failed', records: 0, issues: 0, complete: false }
      }
      if (files.length === 0) {
        const reason = `${planned.file}: the listing names no file for this window yet`
        await recordUnanswered(planned, { status: 'no-data', httpStatus: outcome.payload.status, attempts: outcome.payload.attempts, reason, bytes: outcome.payload.bytes }, { trigger: 'schedule', startedAt })
        return { status: 'no-data', records: 0, issues: 0, complete: false }
      }
    } catch (error) {
      if (!(error instanceof FetchError)) throw error
      await recordUnanswered(planned, { status: 'failed', httpStatus: error.status, attempts: error.attempts, reason: error.message, bytes: error.bytes }, { trigger: 'schedule', startedAt })
      return { status: 'failed', records: 0, issues: 0, complete: false }
    }
    const total: RequestOutcome = { status: 'ok', records: 0, issues: 0, complete: true }
    for (const file of files) {
      const part = await runRequest(dataset, file, signal)
      total.records += part.records
      total.issues += part.issues
      if (part.status === 'failed' || part.status === 'no-data') total.status = part.status
      else if (part.status === 'partial' && total.status === 'ok') total.status = 'partial'
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

  async function runCycle(dataset: SeriesDatasetDefinition, signal: AbortSignal = controller.signal): Promise<SeriesCycleResult> {
    const at = now()
    const until = dataset.publishedUntil(at)
    const key = watermarkKey(dataset)
    const mark = await readWatermark(deps.db, key, dataset.id)
    const start = mark ? mark.getTime() : until - dataset.lookbackMs
    const result: SeriesCycleResult = { dataset: dataset.id, requests: 0, records: 0, issues: 0, status: 'idle' }
    if (start >= until) return result
    let covered: number | null = null
    for (const request of dataset.plan({ start, end: until }, config, at)) {
      const outcome = await runPlanned(dataset, request, signal)
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
      // Requests come in window order; one that is done moves the watermark to its end.
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
