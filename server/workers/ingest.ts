import { createHttpClient, PUBLISHER_URLS, SERIES_DATASETS, simulatorUrls, type ConnectorConfig, type FetchEvent, type HttpClient, type SeriesDatasetDefinition } from '@carbon/connectors'
import { DEMO_NODES } from '@carbon/demo-data'
import { MarketId } from '@carbon/schemas'
import { Worker } from 'node:worker_threads'
import { eq } from 'drizzle-orm'
import type { Env } from '../env.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { threadEntry } from '../paths.ts'
import type { Platform } from '../platform.ts'
import { pricingNodes } from '../adapters/postgres/schema/index.ts'
import { createNodeCatalogue } from '../services/ingest/catalogue.ts'
import { scheduledDatasets } from '../services/ingest/datasets.ts'
import { createThreadParser } from '../services/ingest/parse.ts'
import type { PipelineDeps } from '../services/ingest/pipeline.ts'
import { createScheduler, type IngestScheduler } from '../services/ingest/scheduler.ts'
import { createSeriesScheduler } from '../services/series/scheduler.ts'
import type { SimulatorThreadMessage, SimulatorThreadOptions } from './simulator-thread.ts'

/**
 * The ingest process: the scheduler over every configured dataset, fetching from the publishers
 * (production) or from the publisher simulator (embedded default: started in a worker thread of this
 * process unless INGEST_SIMULATOR_URL points at one), publishing to the bus. `carbon ingest` runs it as a sidecar;
 * `carbon serve` runs it in-process on the embedded bus. Files are parsed in a worker thread
 * (services/ingest/parse.ts), so a large file never holds up the process's event loop.
 */
export type IngestSource = 'simulator' | 'publishers' | 'off'

/** What INGEST_SOURCE=auto means: the simulator in development, the publishers in production, nothing in tests. */
export function resolveIngestSource(env: Env): IngestSource {
  if (env.INGEST_SOURCE !== 'auto') return env.INGEST_SOURCE
  if (env.NODE_ENV === 'test') return 'off'
  return env.NODE_ENV === 'production' ? 'publishers' : 'simulator'
}

export type IngestWorker = IngestScheduler & { source: IngestSource; publisherUrl: string | null; config: ConnectorConfig }

/** The HTTP client every ingest request goes through, its events logged at debug (retries at warn). */
export function ingestHttpClient(env: Env, log: Logger, overrides: { minSpacingMs?: Record<string, number> } = {}): HttpClient {
  const onEvent = (event: FetchEvent) => {
    const where = { dataset: event.request.dataset, file: event.request.file, attempt: event.attempt }
    if (event.type === 'retry' || event.type === 'throttled') log.warn({ ...where, delayMs: event.delayMs, reason: event.reason }, `publisher request ${event.type}`)
    else if (event.type === 'response') log.debug({ ...where, status: event.status, ms: event.ms, bytes: event.bytes }, 'publisher answered')
  }
  return createHttpClient({ userAgent: env.INGEST_USER_AGENT, onEvent, ...overrides })
}

/** CAISO nodes to fetch: INGEST_CAISO_NODES, else the CAISO nodes the catalogue knows (else the demo's). */
async function caisoNodes(platform: Platform): Promise<'ALL' | string[]> {
  const configured = platform.env.INGEST_CAISO_NODES?.trim()
  if (configured) return configured.toUpperCase() === 'ALL' ? 'ALL' : configured.split(',').map((n) => n.trim()).filter(Boolean)
  const rows = await platform.pg.db.select({ name: pricingNodes.name }).from(pricingNodes).where(eq(pricingNodes.market, 'CAISO'))
  const names = rows.map((r) => r.name)
  return names.length > 0 ? names.sort() : DEMO_NODES.filter((n) => n.market === 'CAISO').map((n) => n.name)
}

export function pipelineDeps(platform: Platform, log: Logger): PipelineDeps {
  return {
    db: platform.pg.db,
    bus: platform.bus,
    objects: platform.objects,
    catalogue: createNodeCatalogue(platform.pg.db),
    log,
    unknownNodes: platform.env.INGEST_UNKNOWN_NODES,
  }
}

export async function connectorConfig(platform: Platform, publisherUrl: string | null): Promise<ConnectorConfig> {
  const { env } = platform
  return {
    urls: publisherUrl ? simulatorUrls(publisherUrl) : PUBLISHER_URLS,
    misoDataExchangeKey: env.MISO_DX_KEY,
    caisoNodes: await caisoNodes(platform),
    pjmKey: env.PJM_KEY,
    isoneCredentials: env.ISONE_USERNAME && env.ISONE_PASSWORD ? { username: env.ISONE_USERNAME, password: env.ISONE_PASSWORD } : undefined,
    aesoKey: env.AESO_KEY,
    // The simulator wants a key as EIA's API does, and takes any.
    eiaKey: env.EIA_KEY ?? (publisherUrl ? 'simulator' : undefined),
  }
}

/**
 * The series datasets the ingest schedules (docs/decisions/023): INGEST_SERIES names them (source
 * ids, comma-separated; `none` for none); else, when INGEST_DATASETS narrows the ingest, the
 * series ids it names (often none); else every one its configuration allows (EIA-930 needs
 * EIA_KEY from the publishers).
 */
export function ingestSeries(env: Env, config: ConnectorConfig): SeriesDatasetDefinition[] {
  const all = Object.values(SERIES_DATASETS) as SeriesDatasetDefinition[]
  const named = env.INGEST_SERIES?.split(',').map((s) => s.trim()).filter(Boolean)
  if (!named && env.INGEST_DATASETS) {
    const datasets = env.INGEST_DATASETS.split(',').map((s) => s.trim())
    return all.filter((d) => datasets.includes(d.id) && d.available(config))
  }
  if (!named) return all.filter((d) => d.available(config))
  if (named.length === 1 && named[0] === 'none') return []
  const unknown = named.filter((id) => !all.some((d) => d.id === id))
  if (unknown.length > 0) throw AppError.badRequest(`INGEST_SERIES names unknown series datasets: ${unknown.join(', ')}; known: ${all.map((d) => d.id).join(', ')}`)
  const chosen = all.filter((d) => named.includes(d.id))
  const unavailable = chosen.filter((d) => !d.available(config))
  if (unavailable.length > 0) throw AppError.badRequest(`INGEST_SERIES: ${unavailable.map((d) => d.id).join(', ')} need configuration this process lacks (EIA_KEY)`)
  return chosen
}

/** The markets the scheduler fetches: INGEST_MARKETS, else every market from the publishers and the pilot's two from the simulator. */
export function ingestMarkets(env: Env, source: Exclude<IngestSource, 'off'>): MarketId[] {
  const named = env.INGEST_MARKETS?.split(',')
  if (named) {
    const unknown = named.filter((m) => !MarketId.safeParse(m).success)
    if (unknown.length > 0) throw AppError.badRequest(`INGEST_MARKETS names unknown markets: ${unknown.join(', ')}; known: ${MarketId.options.join(', ')}`)
    return named as MarketId[]
  }
  return source === 'publishers' ? [...MarketId.options] : ['MISO', 'CAISO']
}

/** How long the simulator's thread may take to listen, and to close. */
const SIMULATOR_START_MS = 60_000
const SIMULATOR_CLOSE_MS = 5_000

/**
 * Starts the publisher simulator (embedded default) in a worker thread of this process
 * (simulator-thread.ts): MISO's and CAISO's servers are not this process's work, so generating
 * and zipping their answers never holds up its event loop. Returns its URL and closer.
 */
export async function startEmbeddedSimulator(log: Logger): Promise<{ url: string; close(): Promise<void> }> {
  // The simulator answers OASIS like OASIS: at most one request per 5 s per client.
  const options: SimulatorThreadOptions = { throttle: { mode: 'http-429' } }
  // execArgv empty: the entry registers tsx itself (an inherited `--import tsx` would load it twice).
  const entry = threadEntry('server/workers/simulator-thread.ts')
  const thread = new Worker(entry.filename, { argv: entry.argv, workerData: options, execArgv: [] })
  const url = await simulatorReady(thread)
  log.info({ url }, 'publisher simulator started in a worker thread (MISO and CAISO URL shapes, generated full-size files)')
  return { url, close: () => closeSimulator(thread) }
}

/** The thread's URL once it listens; rejects when it fails, dies or takes longer than SIMULATOR_START_MS. */
function simulatorReady(thread: Worker): Promise<string> {
  return new Promise((resolve, reject) => {
    const settle = (error: Error | null, url?: string) => {
      clearTimeout(timer)
      thread.off('message', onMessage).off('error', onError).off('exit', onExit)
      if (!error) return resolve(url!)
      void thread.terminate()
      reject(error)
    }
    const onMessage = (m: SimulatorThreadMessage) => {
      if (m.type === 'ready') settle(null, m.url)
      else if (m.type === 'failed') settle(new Error(`the publisher simulator did not start: ${m.message}`))
    }
    const onError = (error: Error) => settle(new Error(`the publisher simulator's thread failed: ${error.message}`))
    const onExit = (code: number) => settle(new Error(`the publisher simulator's thread exited (code ${code}) before it listened`))
    const timer = setTimeout(() => settle(new Error(`the publisher simulator did not listen within ${SIMULATOR_START_MS} ms`)), SIMULATOR_START_MS)
    thread.on('message', onMessage).on('error', onError).on('exit', onExit)
  })
}

/** Asks the thread to close its server and waits for it to end (terminated after SIMULATOR_CLOSE_MS). */
function closeSimulator(thread: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void thread.terminate(), SIMULATOR_CLOSE_MS)
    thread.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    thread.postMessage({ type: 'close' })
  })
}

export async function startIngestWorker(platform: Platform, source: Exclude<IngestSource, 'off'>): Promise<IngestWorker> {
  const log = platform.log.child({ component: 'ingest' })
  const simulator = source === 'simulator' && !platform.env.INGEST_SIMULATOR_URL ? await startEmbeddedSimulator(log) : null
  const publisherUrl = source === 'simulator' ? (platform.env.INGEST_SIMULATOR_URL ?? simulator!.url) : null
  const config = await connectorConfig(platform, publisherUrl)
  const names = platform.env.INGEST_DATASETS?.split(',')
  const parser = createThreadParser(log)
  const scheduler = createScheduler({
    deps: { ...pipelineDeps(platform, log), parser },
    client: ingestHttpClient(platform.env, log),
    datasets: scheduledDatasets(config, names, ingestMarkets(platform.env, source)),
    config,
    log,
  })
  scheduler.start()
  const series = createSeriesScheduler({
    deps: { db: platform.pg.db, bus: platform.bus, objects: platform.objects, log },
    client: ingestHttpClient(platform.env, log),
    datasets: ingestSeries(platform.env, config),
    config,
    log,
  })
  series.start()
  return {
    source,
    publisherUrl,
    config,
    runCycle: scheduler.runCycle,
    async stop() {
      await Promise.all([scheduler.stop(), series.stop()])
      await parser.stop()
      await simulator?.close()
    },
  }
}
