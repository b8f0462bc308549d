import { createHttpClient, PUBLISHER_URLS, simulatorUrls, type ConnectorConfig, type FetchEvent, type HttpClient } from '@carbon/connectors'
import { DEMO_NODES } from '@carbon/demo-data'
import { eq } from 'drizzle-orm'
import type { Env } from '../env.ts'
import type { Logger } from '../logger.ts'
import type { Platform } from '../platform.ts'
import { pricingNodes } from '../adapters/postgres/schema/index.ts'
import { createNodeCatalogue } from '../services/ingest/catalogue.ts'
import { scheduledDatasets } from '../services/ingest/datasets.ts'
import { createThreadParser } from '../services/ingest/parse.ts'
import type { PipelineDeps } from '../services/ingest/pipeline.ts'
import { createScheduler, type IngestScheduler } from '../services/ingest/scheduler.ts'

/**
 * The ingest process: the scheduler over every configured dataset, fetching from the publishers
 * (production) or from the publisher simulator (embedded default: started in this process unless
 * INGEST_SIMULATOR_URL points at one), publishing to the bus. `carbon ingest` runs it as a sidecar;
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
  return {
    urls: publisherUrl ? simulatorUrls(publisherUrl) : PUBLISHER_URLS,
    misoDataExchangeKey: platform.env.MISO_DX_KEY,
    caisoNodes: await caisoNodes(platform),
  }
}

/** Starts the publisher simulator in this process (embedded default) and returns its URL and closer. */
export async function startEmbeddedSimulator(log: Logger): Promise<{ url: string; close(): Promise<void> }> {
  const { createPublisherSimulator } = await import('@carbon/simulator')
  // The simulator answers OASIS like OASIS: at most one request per 5 s per client.
  const simulator = await createPublisherSimulator({ throttle: { mode: 'http-429' } })
  log.info({ url: simulator.url }, 'publisher simulator started (MISO and CAISO URL shapes, generated full-size files)')
  return simulator
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
    datasets: scheduledDatasets(config, names),
    config,
    log,
  })
  scheduler.start()
  return {
    source,
    publisherUrl,
    config,
    runCycle: scheduler.runCycle,
    async stop() {
      await scheduler.stop()
      await parser.stop()
      await simulator?.close()
    },
  }
}
