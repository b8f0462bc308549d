import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { DataHealth } from './services/quality/schemas.ts'

/**
 * Prometheus metrics of the platform: one Registry per process with the default process and
 * Node.js metrics, the ingest and consumer instruments (incremented where the work happens) and
 * two data-quality gauges computed at scrape time from the data-health summary.
 *
 * The registry is a process singleton kept on globalThis: the web process loads server code both
 * through tsx and through the Remix build, and Vite re-evaluates modules on hot reload; every
 * copy of this module must count into the same registry, and prom-client refuses to register a
 * metric name twice.
 *
 * Exposed at GET /metrics by metricsHandler, only with `Authorization: Bearer <METRICS_TOKEN>`.
 */

export const INGEST_STATUSES = ['ok', 'partial', 'no-data', 'failed'] as const
export type IngestStatus = (typeof INGEST_STATUSES)[number]

/** How long a data-health summary serves scrapes before the next scrape computes a new one. */
export const QUALITY_CACHE_MS = 15_000

type IngestLabels = 'market' | 'dataset'

export type Metrics = {
  registry: Registry
  /** Publisher requests by outcome: status ok | partial | no-data | failed. */
  ingestRequests: Counter<IngestLabels | 'status'>
  /** Records published to prices.normalized by the ingest. */
  ingestRecords: Counter<IngestLabels>
  /** Rows refused by the ingest (dead-lettered with their reason). */
  ingestIssues: Counter<IngestLabels>
  /** Time from the start of a publisher request to its last byte, retries included. */
  ingestFetchSeconds: Histogram<IngestLabels>
  /** Unix time (seconds) of the last request that was not 'failed'. */
  ingestLastSuccess: Gauge<IngestLabels>
  /** Price messages handled by the prices consumer: outcome stored | dead_lettered (a redelivered batch counts again). */
  consumerRecords: Counter<'outcome'>
  /** Time the prices consumer spent on one batch (decode, insert, arrivals, dead letters), failed ones included. */
  consumerBatchSeconds: Histogram<string>
}

/** Loads the data-health summary the quality gauges are computed from (the web process reads its platform). */
export type QualityLoader = () => Promise<DataHealth>

type QualityState = {
  loader: QualityLoader | null
  ttlMs: number
  now: () => number
  log?: Logger
  cached: { at: number; value: Promise<DataHealth> } | null
  gauges: { completeness: Gauge<IngestLabels>; freshness: Gauge<IngestLabels> } | null
}

type Slot = { metrics: Metrics; quality: QualityState }

function createMetrics(): Slot {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const metrics: Metrics = {
    registry,
    ingestRequests: new Counter({
      name: 'carbon_ingest_requests_total',
      help: 'Publisher requests made by the ingest, by outcome (ok, partial, no-data, failed)',
      labelNames: ['market', 'dataset', 'status'],
      registers,
    }),
    ingestRecords: new Counter({
      name: 'carbon_ingest_records_total',
      help: 'Price records the ingest published to prices.normalized',
      labelNames: ['market', 'dataset'],
      registers,
    }),
    ingestIssues: new Counter({
      name: 'carbon_ingest_issues_total',
      help: 'Publisher rows the ingest refused (sent to the dead-letter topic with their reason)',
      labelNames: ['market', 'dataset'],
      registers,
    }),
    ingestFetchSeconds: new Histogram({
      name: 'carbon_ingest_fetch_seconds',
      help: 'Duration of one publisher request, retries included',
      labelNames: ['market', 'dataset'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    ingestLastSuccess: new Gauge({
      name: 'carbon_ingest_last_success_timestamp_seconds',
      help: 'Unix time of the last publisher request that did not fail',
      labelNames: ['market', 'dataset'],
      registers,
    }),
    consumerRecords: new Counter({
      name: 'carbon_consumer_records_total',
      help: 'Price messages handled by the prices consumer (stored or dead_lettered; a redelivered batch counts again)',
      labelNames: ['outcome'],
      registers,
    }),
    consumerBatchSeconds: new Histogram({
      name: 'carbon_consumer_batch_seconds',
      help: 'Time the prices consumer spent on one batch, failed attempts included',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  }
  const quality: QualityState = { loader: null, ttlMs: QUALITY_CACHE_MS, now: Date.now, cached: null, gauges: null }
  return { metrics, quality }
}

const globalForMetrics = globalThis as unknown as { __carbonMetrics?: Slot }
const slot: Slot = (globalForMetrics.__carbonMetrics ??= createMetrics())

/** The process's instruments; `metrics.registry` is what /metrics exposes. */
export const metrics: Metrics = slot.metrics

/**
 * Registers the scrape-time gauges `carbon_data_completeness_ratio{market,dataset}` (completeness
 * over the summary's window, absent for a dataset without intervals in it) and
 * `carbon_data_freshness_seconds{market,dataset}` (seconds since the dataset's newest record was
 * stored, absent when it has none), computed from `loader()`.
 *
 * A summary serves scrapes for `ttlMs` (default 15 s), so several Prometheus replicas or a short
 * scrape interval do not each query ClickHouse; concurrent scrapes share one load. When the
 * loader fails the two gauges report no series for that scrape (the other metrics still do), the
 * failure is logged, and the next scrape tries again.
 *
 * Calling it again replaces the loader (a process has one platform). Returns a function that
 * unregisters the loader; the gauges then report no series.
 */
export function registerQualityGauges(
  loader: QualityLoader,
  options: { ttlMs?: number; now?: () => number; log?: Logger } = {},
): () => void {
  const state = slot.quality
  state.loader = loader
  state.ttlMs = options.ttlMs ?? QUALITY_CACHE_MS
  state.now = options.now ?? Date.now
  state.log = options.log
  state.cached = null
  state.gauges ??= createQualityGauges(state)
  return () => {
    if (state.loader !== loader) return
    state.loader = null
    state.cached = null
  }
}

function createQualityGauges(state: QualityState): NonNullable<QualityState['gauges']> {
  const registers = [metrics.registry]
  return {
    completeness: new Gauge({
      name: 'carbon_data_completeness_ratio',
      help: 'Share of expected node-intervals received over the data-health window (expected nodes: those the dataset delivered in the 7 days before)',
      labelNames: ['market', 'dataset'],
      registers,
      async collect() {
        this.reset()
        const health = await currentHealth(state)
        for (const market of health?.markets ?? []) {
          for (const d of market.datasets) {
            if (d.completeness) this.set({ market: d.market, dataset: d.dataset }, d.completeness.ratio)
          }
        }
      },
    }),
    freshness: new Gauge({
      name: 'carbon_data_freshness_seconds',
      help: "Seconds since the dataset's newest price record was stored",
      labelNames: ['market', 'dataset'],
      registers,
      async collect() {
        this.reset()
        const health = await currentHealth(state)
        for (const market of health?.markets ?? []) {
          for (const d of market.datasets) {
            if (d.freshness.ageSeconds !== null) this.set({ market: d.market, dataset: d.dataset }, d.freshness.ageSeconds)
          }
        }
      },
    }),
  }
}

/** The cached summary, loading a new one when it is older than the TTL; null when there is none. */
async function currentHealth(state: QualityState): Promise<DataHealth | null> {
  const loader = state.loader
  if (!loader) return null
  const now = state.now()
  let entry = state.cached
  if (!entry || now - entry.at >= state.ttlMs) {
    const loaded = { at: now, value: loader() }
    loaded.value.catch((error: unknown) => {
      if (state.cached === loaded) state.cached = null
      state.log?.warn({ err: error }, 'metrics: data-health summary failed; quality gauges omitted from this scrape')
    })
    state.cached = entry = loaded
  }
  try {
    return await entry.value
  } catch {
    return null
  }
}

export type MetricsHandlerOptions = {
  /** The expected bearer token, read per request (the platform's METRICS_TOKEN); unset = 404. */
  token: () => string | undefined | Promise<string | undefined>
  /** Default: the process registry (`metrics.registry`). */
  registry?: Registry
  log?: Logger
}

type MetricsRequest = Pick<IncomingMessage, 'method' | 'headers'>
type MetricsResponse = Pick<ServerResponse, 'statusCode' | 'setHeader' | 'end'>

/**
 * GET /metrics for Prometheus (works as an Express handler and as a node:http listener):
 * - METRICS_TOKEN unset: 404, as if there were no such path;
 * - no or wrong `Authorization: Bearer <token>`: 401 with `WWW-Authenticate: Bearer`;
 * - otherwise 200 with the registry in the Prometheus text format.
 * The presented and expected tokens are compared as SHA-256 digests with timingSafeEqual (equal
 * lengths whatever the input, so neither the content nor the length leaks through timing).
 * Neither token is ever logged or echoed.
 */
export function metricsHandler(options: MetricsHandlerOptions) {
  return async (req: MetricsRequest, res: MetricsResponse): Promise<void> => {
    const registry = options.registry ?? metrics.registry
    try {
      const expected = await options.token()
      if (!expected) return send(res, 404, 'Not found\n')
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD')
        return send(res, 405, 'Method not allowed\n')
      }
      const presented = bearerToken(req.headers.authorization)
      if (presented === null || !sameSecret(presented, expected)) {
        res.setHeader('WWW-Authenticate', presented === null ? 'Bearer realm="metrics"' : 'Bearer realm="metrics", error="invalid_token"')
        return send(res, 401, 'Unauthorized\n')
      }
      const body = await registry.metrics()
      res.statusCode = 200
      res.setHeader('Content-Type', registry.contentType)
      res.setHeader('Cache-Control', 'no-store')
      res.end(req.method === 'HEAD' ? undefined : body)
    } catch (error) {
      options.log?.error({ err: error }, 'metrics: exposition failed')
      send(res, 500, 'Metrics unavailable\n')
    }
  }
}

function send(res: MetricsResponse, status: number, text: string): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.end(text)
}

/** The credentials of `Authorization: Bearer <credentials>`, or null when absent or of another scheme. */
function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')
  return match?.[1] ?? null
}

function sameSecret(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b)
}
