import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { DataKey, ENTITLED_PRODUCTS } from '@carbon/schemas'
import type { Logger } from 'pino'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric, type MetricValueWithName } from 'prom-client'
import { getEnv } from './env.ts'
import { repoRoot } from './paths.ts'
import type { DataHealth } from './services/quality/schemas.ts'
import type { StreamEvent, StreamPrice } from './services/stream/types.ts'

/**
 * Prometheus metrics of the platform: one Registry per process with the default process and
 * Node.js metrics, the ingest and consumer instruments (incremented where the work happens), the
 * live stream's latency, subscriber and queue instruments (fed by the fan-out and the
 * subscriptions, see "Live stream" below), two data-quality gauges computed at scrape time
 * from the data-health summary, and the service-level instruments every process shares (build
 * info, HTTP requests, data requests through the access gate, jobs, dead letters, consumer lag and
 * store availability; see "Service levels" below).
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
/** How long consumer lag and store availability serve scrapes (several Prometheus replicas ask the brokers and stores once). */
export const SCRAPE_CACHE_MS = 15_000

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
  /** Live stream latency per stage (STREAM_STAGES), counted per price (weighted observations). */
  streamLatency: WeightedHistogram<'stage'>
  /** Live stream subscriptions open in this process (computed at scrape time). */
  streamSubscribers: Gauge<string>
  /** Prices waiting in the live stream subscribers' queues, summed (computed at scrape time). */
  streamQueuedPrices: Gauge<string>
  /** Intermediate price updates dropped for subscribers that fell behind (sent as `skipped` notices). */
  streamSkipped: Counter<string>
  /** Prices held by the fan-out's ring of recent prices (what a reconnecting client is replayed from). */
  streamRingPrices: Gauge<string>
  /** 1, labelled with the package version, the source revision and the CLI command this process runs (setBuildInfo). */
  buildInfo: Gauge<'version' | 'revision' | 'command'>
  /** HTTP requests answered by the web process, by method, bounded route template and status code. */
  httpRequests: Counter<'method' | 'route' | 'code'>
  /** Time from a request's arrival to its response's end (or the connection's close). */
  httpRequestDuration: Histogram<'method' | 'route'>
  /** Data requests through the access gate (tRPC dataProcedure, the hub's accessData): outcome allowed | denied | error. */
  dataRequests: Counter<'market' | 'channel' | 'outcome'>
  /** Time a data request took, from the gate to the answer (allowed) or the refusal. */
  dataRequestDuration: Histogram<'market' | 'channel'>
  /** Dead letters stored (once per message published to a *.dlq topic), by dead-letter topic and kind. */
  deadLetters: Counter<'topic' | 'kind'>
  /** Jobs finished by this process's workers: kind curve_build | scenario_run | export | report, outcome done | failed | cancelled. */
  jobs: Counter<'kind' | 'outcome'>
  /** A finished job's running time (its row's startedAt to finishedAt). */
  jobDuration: Histogram<'kind'>
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

// ---------------------------------------------------------------- live stream: definitions

/**
 * Stages of the live stream's latency, each counted per price:
 *   publisher_to_ingest  record.publishedAt -> the ingest's publish on the bus (ingestedAt), only
 *                        where the publisher states a publication time (most feeds do not);
 *   ingest_to_fanout     ingestedAt -> receivedAt, when this web process's fan-out got it;
 *   fanout_to_send       receivedAt -> the event holding it leaves the client's subscription;
 *   ingest_to_send       ingestedAt -> the same moment: the server's whole share, what the quality
 *                        gate (STREAM_LATENCY_TARGETS) is read against.
 * A price that reached a subscription before the client subscribed (replayed on resume) counts
 * from the subscription's start instead: the figure is what the client waited, not how long it
 * was away.
 */
export const STREAM_STAGES = ['publisher_to_ingest', 'ingest_to_fanout', 'fanout_to_send', 'ingest_to_send'] as const
export type StreamStage = (typeof STREAM_STAGES)[number]

/** 10 ms .. 60 s (the gate is 5 s, the aim 2 s: both are bucket bounds). */
export const STREAM_LATENCY_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60]

/** The rolling window the status page's percentiles are computed over: the last 5 minutes, at most 10,000 observations per stage. */
export const LATENCY_WINDOW_MS = 5 * 60_000
export const LATENCY_WINDOW_SAMPLES = 10_000

/** The live prices quality gate: p95 of ingest_to_send at most 5 s, aiming for 2 s. */
export const STREAM_LATENCY_TARGETS = { stage: 'ingest_to_send', gateSeconds: 5, aimSeconds: 2 } as const satisfies {
  stage: StreamStage
  gateSeconds: number
  aimSeconds: number
}

type HistogramSeries = { labels: Record<string, string>; counts: Float64Array; sum: number; count: number }

/**
 * A Prometheus histogram whose observations carry a weight: `observe(labels, value, n)` counts n
 * observations of `value` in one step. prom-client's Histogram counts one per call, and the live
 * stream must count per price while doing work per event (one event carries up to thousands of
 * prices, every one with the same latency), so that the cost stays O(events), not O(prices x
 * clients). It registers in a prom-client Registry like any metric and is exposed in the standard
 * histogram form (`_bucket{le}` cumulative, `_sum`, `_count`).
 */
export class WeightedHistogram<L extends string = string> {
  readonly type = 'histogram' as const
  readonly aggregator = 'sum' as const
  readonly name: string
  readonly help: string
  readonly labelNames: readonly L[]
  readonly buckets: readonly number[]
  private readonly series = new Map<string, HistogramSeries>()

  constructor(config: { name: string; help: string; labelNames?: readonly L[]; buckets: readonly number[]; registers?: Registry[] }) {
    const buckets = [...config.buckets]
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) {
      throw new TypeError(`${config.name}: buckets must be finite and strictly increasing`)
    }
    this.name = config.name
    this.help = config.help
    this.labelNames = config.labelNames ?? []
    this.buckets = buckets
    // The Registry only reads name, help, type, aggregator, get() and reset().
    for (const registry of config.registers ?? []) registry.registerMetric(this as unknown as Metric<L>)
  }

  /** Counts `weight` observations of `value` (seconds). A non-finite value or a weight that is not positive is ignored. */
  observe(labels: Record<L, string>, value: number, weight = 1): void {
    if (!Number.isFinite(value) || !(weight > 0) || !Number.isFinite(weight)) return
    const key = this.labelNames.map((name) => labels[name]).join('\u0000')
    let series = this.series.get(key)
    if (!series) {
      series = { labels: { ...labels }, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 }
      this.series.set(key, series)
    }
    let i = 0
    while (i < this.buckets.length && value > this.buckets[i]!) i++
    series.counts[i]! += weight
    series.sum += value * weight
    series.count += weight
  }

  /** The exposition form prom-client's Registry renders (its d.ts types `type` as an enum; the runtime value is this string). */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: MetricValueWithName<L | 'le'>[] }> {
    const values: MetricValueWithName<L | 'le'>[] = []
    for (const series of this.series.values()) {
      const labels = series.labels as Partial<Record<L | 'le', string>>
      let cumulative = 0
      this.buckets.forEach((bound, i) => {
        cumulative += series.counts[i]!
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: String(bound) }, value: cumulative })
      })
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: series.count })
      values.push({ metricName: `${this.name}_sum`, labels, value: series.sum })
      values.push({ metricName: `${this.name}_count`, labels, value: series.count })
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }

  reset(): void {
    this.series.clear()
  }
}

/** Percentiles of a window's observations, per price; seconds. */
export type LatencyStats = {
  /** Observations (one per event or group of prices) in the window. */
  samples: number
  /** Prices they count. */
  prices: number
  p50: number
  p95: number
  p99: number
  max: number
  /** When the oldest observation in the window was made (ISO). */
  since: string
}

/**
 * The most recent observations of one stage (at most `maxSamples`, none older than `windowMs`),
 * each a latency with a weight (the prices it counts), for exact percentiles per price.
 */
export class LatencyWindow {
  private readonly at: Float64Array
  private readonly seconds: Float64Array
  private readonly weight: Float64Array
  private next = 0
  private filled = 0

  constructor(
    readonly maxSamples = LATENCY_WINDOW_SAMPLES,
    readonly windowMs = LATENCY_WINDOW_MS,
  ) {
    if (!Number.isInteger(maxSamples) || maxSamples < 1) throw new TypeError('maxSamples must be a positive integer')
    this.at = new Float64Array(maxSamples)
    this.seconds = new Float64Array(maxSamples)
    this.weight = new Float64Array(maxSamples)
  }

  add(atMs: number, seconds: number, weight = 1): void {
    if (!Number.isFinite(seconds) || !(weight > 0) || !Number.isFinite(weight)) return
    this.at[this.next] = atMs
    this.seconds[this.next] = seconds
    this.weight[this.next] = weight
    this.next = (this.next + 1) % this.maxSamples
    this.filled = Math.min(this.filled + 1, this.maxSamples)
  }

  /** Exact percentiles (nearest rank, per price) over the window at `nowMs`; null when it holds nothing. */
  stats(nowMs: number): LatencyStats | null {
    const from = nowMs - this.windowMs
    const kept: { seconds: number; weight: number }[] = []
    let oldest = Infinity
    for (let i = 0; i < this.filled; i++) {
      if (this.at[i]! < from) continue
      kept.push({ seconds: this.seconds[i]!, weight: this.weight[i]! })
      oldest = Math.min(oldest, this.at[i]!)
    }
    if (kept.length === 0) return null
    kept.sort((a, b) => a.seconds - b.seconds)
    const total = kept.reduce((sum, s) => sum + s.weight, 0)
    return {
      samples: kept.length,
      prices: total,
      p50: weightedPercentile(kept, total, 0.5),
      p95: weightedPercentile(kept, total, 0.95),
      p99: weightedPercentile(kept, total, 0.99),
      max: kept[kept.length - 1]!.seconds,
      since: new Date(oldest).toISOString(),
    }
  }

  clear(): void {
    this.next = 0
    this.filled = 0
  }
}

/** The value at rank ceil(q x total) of observations sorted by value, each counting `weight` times. */
export function weightedPercentile(sorted: readonly { seconds: number; weight: number }[], total: number, q: number): number {
  const rank = Math.max(1, Math.ceil(q * total - 1e-9))
  let seen = 0
  for (const s of sorted) {
    seen += s.weight
    if (seen >= rank) return s.seconds
  }
  return sorted[sorted.length - 1]!.seconds
}

type StreamState = {
  windows: Record<StreamStage, LatencyWindow>
  /** One entry per open subscription: how many prices wait in its queue now. */
  subscribers: Set<{ queued: () => number }>
  ring: { size: number; capacity: number } | null
  skipped: { prices: number; events: number }
  /** The fan-out's most recent passes, oldest first (at most FANOUT_PASSES_KEPT). */
  passes: FanoutPass[]
}

function createStreamState(): StreamState {
  const windows = Object.fromEntries(STREAM_STAGES.map((stage) => [stage, new LatencyWindow()])) as Record<StreamStage, LatencyWindow>
  return { windows, subscribers: new Set(), ring: null, skipped: { prices: 0, events: 0 }, passes: [] }
}

function queuedPrices(stream: StreamState): number {
  let total = 0
  for (const s of stream.subscribers) total += s.queued()
  return total
}

type Slot = { metrics: Metrics; quality: QualityState; stream: StreamState; lag: LagState; stores: StoreGaugeState }

function createMetrics(): Slot {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const stream = createStreamState()
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
    streamLatency: new WeightedHistogram({
      name: 'carbon_stream_latency_seconds',
      help: 'Live price stream latency per stage, counted per price: publisher_to_ingest (publishedAt to bus publish, when the publisher says), ingest_to_fanout (bus publish to the web fan-out), fanout_to_send and ingest_to_send (to the moment the event leaves the subscription)',
      labelNames: ['stage'],
      buckets: STREAM_LATENCY_BUCKETS,
      registers,
    }),
    streamSubscribers: new Gauge({
      name: 'carbon_stream_subscribers',
      help: 'Live price stream subscriptions open in this process',
      registers,
      collect() {
        this.set(stream.subscribers.size)
      },
    }),
    streamQueuedPrices: new Gauge({
      name: 'carbon_stream_queued_prices',
      help: "Prices waiting in the live stream subscribers' queues, summed over subscribers",
      registers,
      collect() {
        this.set(queuedPrices(stream))
      },
    }),
    streamSkipped: new Counter({
      name: 'carbon_stream_skipped_total',
      help: 'Intermediate price updates dropped for live stream subscribers that fell behind (the latest value per node was sent)',
      registers,
    }),
    streamRingPrices: new Gauge({
      name: 'carbon_stream_ring_prices',
      help: "Prices held in the fan-out's ring of recent prices (reconnecting clients are replayed from it)",
      registers,
      collect() {
        this.set(stream.ring?.size ?? 0)
      },
    }),
    ...createServiceLevelInstruments(registers),
  }
  const quality: QualityState = { loader: null, ttlMs: QUALITY_CACHE_MS, now: Date.now, cached: null, gauges: null }
  const lag: LagState = { sources: new Set() }
  const stores: StoreGaugeState = { loader: null, ttlMs: SCRAPE_CACHE_MS, now: Date.now, cached: null }
  createScrapeTimeGauges(registers, lag, stores)
  return { metrics, quality, stream, lag, stores }
}

/** 5 ms .. 30 s: the HTTP and data-request latency objectives read 0.25, 0.5, 1 and 2.5 s. */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
/** 100 ms .. 1 h: a curve solve takes under a second, a Monte Carlo run or a large export minutes. */
export const JOB_DURATION_BUCKETS: readonly number[] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]

function createServiceLevelInstruments(registers: Registry[]): Pick<
  Metrics,
  'buildInfo' | 'httpRequests' | 'httpRequestDuration' | 'dataRequests' | 'dataRequestDuration' | 'deadLetters' | 'jobs' | 'jobDuration'
> {
  return {
    buildInfo: new Gauge({
      name: 'carbon_build_info',
      help: 'Always 1: the package version, source revision (CARBON_REVISION) and CLI command of this process',
      labelNames: ['version', 'revision', 'command'],
      registers,
    }),
    httpRequests: new Counter({
      name: 'carbon_http_requests_total',
      help: 'HTTP requests answered, by method, route template (bounded: never ids or query strings) and status code (499: the client closed the connection before any answer)',
      labelNames: ['method', 'route', 'code'],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'carbon_http_request_duration_seconds',
      help: "Time from a request's arrival to the end of its response (or the connection's close), by method and route template",
      labelNames: ['method', 'route'],
      buckets: [...REQUEST_DURATION_BUCKETS],
      registers,
    }),
    dataRequests: new Counter({
      name: 'carbon_data_requests_total',
      help: 'Data requests through the access gate, by market asked for (multi: several, none: no known market), channel (hub, api, downloads) and outcome (allowed, denied, error)',
      labelNames: ['market', 'channel', 'outcome'],
      registers,
    }),
    dataRequestDuration: new Histogram({
      name: 'carbon_data_request_duration_seconds',
      help: 'Time a data request took from the access gate to its answer (allowed) or refusal',
      labelNames: ['market', 'channel'],
      buckets: [...REQUEST_DURATION_BUCKETS],
      registers,
    }),
    deadLetters: new Counter({
      name: 'carbon_dead_letters_total',
      help: 'Dead letters stored in PostgreSQL (one per message published to a dead-letter topic), by topic and kind',
      labelNames: ['topic', 'kind'],
      registers,
    }),
    jobs: new Counter({
      name: 'carbon_jobs_total',
      help: 'Jobs finished by this process (curve_build, scenario_run, export, report), by outcome (done, failed, cancelled)',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'carbon_job_duration_seconds',
      help: "A finished job's running time, from its start to its end as its row records them",
      labelNames: ['kind'],
      buckets: [...JOB_DURATION_BUCKETS],
      registers,
    }),
  }
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

type HealthDataset = DataHealth['markets'][number]['datasets'][number]

/** A gauge per market and dataset, set at scrape time from the cached data-health summary (null: no value). */
function healthGauge(state: QualityState, name: string, help: string, value: (d: HealthDataset) => number | null): Gauge<'market' | 'dataset'> {
  return new Gauge({
    name,
    help,
    labelNames: ['market', 'dataset'],
    registers: [metrics.registry],
    async collect() {
      this.reset()
      const health = await currentHealth(state)
      for (const market of health?.markets ?? []) {
        for (const d of market.datasets) {
          const v = value(d)
          if (v !== null) this.set({ market: d.market, dataset: d.dataset }, v)
        }
      }
    },
  })
}

function createQualityGauges(state: QualityState): NonNullable<QualityState['gauges']> {
  return {
    completeness: healthGauge(
      state,
      'carbon_data_completeness_ratio',
      'Share of expected node-intervals received over the data-health window (expected nodes: those the dataset delivered in the 7 days before)',
      (d) => d.completeness?.ratio ?? null,
    ),
    freshness: healthGauge(state, 'carbon_data_freshness_seconds', "Seconds since the dataset's newest price record was stored", (d) => d.freshness.ageSeconds),
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

// ---------------------------------------------------------------- live stream: hooks and summary

type Run = { ms: number; count: number }
/** An array's prices as runs of consecutive prices sharing a timestamp. */
type Profile = { received: Run[]; ingested: Run[]; earliestMs: number }

/**
 * Profiles per price array. Subscribers with the same filter are handed the same arrays, so the
 * O(prices) scan is done once per array, and each subscriber's event costs O(runs) (usually one).
 */
const profiles = new WeakMap<readonly StreamPrice[], Profile>()

/** Runs of consecutive equal timestamps (ISO) picked from the prices; null or unparseable ones are left out. */
function runsOf(prices: readonly StreamPrice[], pick: (price: StreamPrice) => string | null): Run[] {
  const out: Run[] = []
  let lastValue: string | null = null
  let current: Run | null = null
  for (const price of prices) {
    const value = pick(price)
    if (value !== null && value === lastValue && current) {
      current.count++
      continue
    }
    lastValue = value
    current = null
    const ms = value === null ? NaN : Date.parse(value)
    if (Number.isFinite(ms)) out.push((current = { ms, count: 1 }))
  }
  return out
}

function profileOf(prices: readonly StreamPrice[]): Profile {
  let profile = profiles.get(prices)
  if (!profile) {
    const received = runsOf(prices, (p) => p.receivedAt)
    const ingested = runsOf(prices, (p) => p.ingestedAt)
    let earliestMs = Infinity
    for (const run of received) earliestMs = Math.min(earliestMs, run.ms)
    for (const run of ingested) earliestMs = Math.min(earliestMs, run.ms)
    profile = { received, ingested, earliestMs }
    profiles.set(prices, profile)
  }
  return profile
}

/** Counts `weight` prices of latency `seconds` in the histogram and the stage's window (a negative latency, clock skew between hosts, counts as 0). */
function record(stage: StreamStage, seconds: number, weight: number, nowMs: number): void {
  const value = Math.max(0, seconds)
  metrics.streamLatency.observe({ stage }, value, weight)
  slot.stream.windows[stage].add(nowMs, value, weight)
}

/**
 * The fan-out's hook, once per bus batch after its listeners ran: ingest_to_fanout for every price
 * (ingestedAt -> its receivedAt) and publisher_to_ingest where the record has a publishedAt.
 */
export function observeFanoutBatch(prices: readonly StreamPrice[], nowMs = Date.now()): void {
  const profile = profileOf(prices)
  const receivedRun = profile.received[0]
  if (receivedRun) {
    // The fan-out stamps a whole batch with one receivedAt; a batch with several is exact per run below.
    if (profile.received.length === 1) {
      for (const run of profile.ingested) record('ingest_to_fanout', (receivedRun.ms - run.ms) / 1000, run.count, nowMs)
    } else {
      for (const price of prices) {
        if (price.ingestedAt) record('ingest_to_fanout', (Date.parse(price.receivedAt) - Date.parse(price.ingestedAt)) / 1000, 1, nowMs)
      }
    }
  }
  let published: string | null = null
  let ingested: string | null = null
  let count = 0
  const flush = () => {
    if (count > 0) record('publisher_to_ingest', (Date.parse(ingested!) - Date.parse(published!)) / 1000, count, nowMs)
    count = 0
  }
  for (const price of prices) {
    if (price.publishedAt === null || price.ingestedAt === null) continue
    if (price.publishedAt !== published || price.ingestedAt !== ingested) {
      flush()
      published = price.publishedAt
      ingested = price.ingestedAt
    }
    count++
  }
  flush()
}

/**
 * A subscription's hook, as an event leaves its generator: fanout_to_send and ingest_to_send for
 * each price it holds (counted as weighted observations per run of equal timestamps: O(runs) per
 * event, not O(prices)), from `availableFromMs` for prices that came before the subscription
 * (the subscription's start); a `skipped` event adds its count to carbon_stream_skipped_total.
 */
export function observeStreamSend(event: Pick<StreamEvent, 'prices' | 'skipped'>, availableFromMs: number, nowMs = Date.now()): void {
  if (event.skipped && event.skipped > 0) {
    metrics.streamSkipped.inc(event.skipped)
    slot.stream.skipped.prices += event.skipped
    slot.stream.skipped.events++
  }
  if (event.prices.length === 0) return
  const profile = profileOf(event.prices)
  // The fan-out sends one shared event to thousands of subscribers within the same millisecond:
  // identical observations are counted once with their number as weight (flushed at the next turn
  // of the event loop, or before anything reads the windows).
  // Subscribers that opened before every price of the event all observe the same latencies.
  const unclamped = availableFromMs <= profile.earliestMs
  const pending = pendingSend
  if (pending && pending.profile === profile && pending.nowMs === nowMs && unclamped) {
    pending.times++
    return
  }
  flushPendingSend()
  if (unclamped) {
    pendingSend = { profile, nowMs, times: 1 }
    setImmediate(flushPendingSend)
    return
  }
  recordSend(profile, availableFromMs, nowMs, 1)
}

/** Identical send observations not yet recorded: a profile sent `times` times at `nowMs`. */
let pendingSend: { profile: Profile; nowMs: number; times: number } | null = null

function flushPendingSend(): void {
  const pending = pendingSend
  if (!pending) return
  pendingSend = null
  recordSend(pending.profile, -Infinity, pending.nowMs, pending.times)
}

function recordSend(profile: Profile, availableFromMs: number, nowMs: number, times: number): void {
  for (const run of profile.received) record('fanout_to_send', (nowMs - Math.max(run.ms, availableFromMs)) / 1000, run.count * times, nowMs)
  for (const run of profile.ingested) record('ingest_to_send', (nowMs - Math.max(run.ms, availableFromMs)) / 1000, run.count * times, nowMs)
}

/** Counts an open subscription (carbon_stream_subscribers) and its queue (carbon_stream_queued_prices); returns its removal (idempotent). */
export function trackStreamSubscriber(queued: () => number): () => void {
  const entry = { queued }
  slot.stream.subscribers.add(entry)
  return () => {
    slot.stream.subscribers.delete(entry)
  }
}

/**
 * One pass of the fan-out over its listeners for a bus batch (server/services/stream/fanout.ts):
 * when the batch reached the fan-out, when the pass started and ended (every listener served: its
 * event written to its socket, or queued behind its own full socket), when the batch was published
 * (`ingestedAt` of its first price), and the longest stretch the fan-out ran without yielding.
 */
export type FanoutPass = {
  prices: number
  listeners: number
  /** Listeners whose connection was still full: the batch waits in their queue, written on 'drain'. */
  deferred: number
  receivedMs: number
  passStartMs: number
  passEndMs: number
  ingestedAt: string | null
  longestSliceMs: number
  slices: number
}

const FANOUT_PASSES_KEPT = 1_000

/** The fan-out's hook, once per pass (kept in memory for benchmarks and the status page; not exported to Prometheus). */
export function observeFanoutPass(pass: FanoutPass): void {
  const passes = slot.stream.passes
  passes.push(pass)
  if (passes.length > FANOUT_PASSES_KEPT) passes.splice(0, passes.length - FANOUT_PASSES_KEPT)
}

/** The fan-out's recent passes, oldest first. */
export function recentFanoutPasses(): readonly FanoutPass[] {
  return [...slot.stream.passes]
}

/** The fan-out's ring of recent prices: how many it holds of how many it may (null: no fan-out runs). */
export function reportFanoutRing(ring: { size: number; capacity: number } | null): void {
  slot.stream.ring = ring
}

export type GateVerdict = 'aim' | 'pass' | 'fail'

/** Against STREAM_LATENCY_TARGETS: `aim` (p95 <= 2 s), `pass` (<= 5 s), `fail`; null without data. */
export function gateVerdict(p95Seconds: number | null): GateVerdict | null {
  if (p95Seconds === null) return null
  if (p95Seconds <= STREAM_LATENCY_TARGETS.aimSeconds) return 'aim'
  return p95Seconds <= STREAM_LATENCY_TARGETS.gateSeconds ? 'pass' : 'fail'
}

export type StreamLatencySummary = {
  windowMs: number
  maxSamples: number
  /** Per stage; null when nothing was observed in the window. */
  stages: Record<StreamStage, LatencyStats | null>
  gate: { stage: StreamStage; gateSeconds: number; aimSeconds: number; p95: number | null; verdict: GateVerdict | null }
}

/** p50/p95/p99 per stage over the rolling window (the last 5 minutes, at most 10,000 observations per stage), per price. */
export function streamLatencySummary(nowMs = Date.now()): StreamLatencySummary {
  flushPendingSend()
  const stages = Object.fromEntries(STREAM_STAGES.map((stage) => [stage, slot.stream.windows[stage].stats(nowMs)])) as Record<StreamStage, LatencyStats | null>
  const p95 = stages[STREAM_LATENCY_TARGETS.stage]?.p95 ?? null
  return {
    windowMs: LATENCY_WINDOW_MS,
    maxSamples: LATENCY_WINDOW_SAMPLES,
    stages,
    gate: { ...STREAM_LATENCY_TARGETS, p95, verdict: gateVerdict(p95) },
  }
}

export type StreamStatus = {
  generatedAt: string
  latency: StreamLatencySummary
  subscribers: number
  queuedPrices: number
  /** Since this process started. */
  skipped: { prices: number; events: number }
  ring: { size: number; capacity: number } | null
}

/** What the status page shows: latency summary, subscribers, queued and skipped prices, the fan-out's ring. */
export function streamStatus(nowMs = Date.now()): StreamStatus {
  const state = slot.stream
  return {
    generatedAt: new Date(nowMs).toISOString(),
    latency: streamLatencySummary(nowMs),
    subscribers: state.subscribers.size,
    queuedPrices: queuedPrices(state),
    skipped: { ...state.skipped },
    ring: state.ring ? { ...state.ring } : null,
  }
}

/** Empties the rolling windows and the fan-out's recent passes (the histograms keep counting): a benchmark run or a test starts from nothing. */
export function resetStreamLatencyWindows(): void {
  pendingSend = null
  for (const stage of STREAM_STAGES) slot.stream.windows[stage].clear()
  slot.stream.passes = []
}

// ---------------------------------------------------------------- service levels

/** A label value kept to a known set (or a safe shape): anything else is `fallback`, so no input can mint series. */
function bounded(value: string | null | undefined, allowed: readonly string[] | RegExp, fallback: string): string {
  if (typeof value !== 'string') return fallback
  const ok = Array.isArray(allowed) ? allowed.includes(value) : (allowed as RegExp).test(value)
  return ok ? value : fallback
}

/** A value that serves scrapes for `ttlMs`; concurrent scrapes share one load; a failed load is forgotten (and logged) so the next scrape tries again. */
type Cached<T> = { at: number; value: Promise<T> } | null
type CacheHolder<T> = { cached: Cached<T>; ttlMs: number; now: () => number; log?: Logger }

async function cachedLoad<T>(holder: CacheHolder<T>, load: () => Promise<T>, what: string): Promise<T | null> {
  const now = holder.now()
  let entry = holder.cached
  if (!entry || now - entry.at >= holder.ttlMs) {
    const loaded = { at: now, value: load() }
    loaded.value.catch((error: unknown) => {
      if (holder.cached === loaded) holder.cached = null
      holder.log?.warn({ err: error }, `metrics: ${what} failed; its series are omitted from this scrape`)
    })
    holder.cached = entry = loaded
  }
  try {
    return await entry.value
  } catch {
    return null
  }
}

// Build info ----------------------------------------------------------------

let packageVersion: string | undefined

function readPackageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version : 'unknown'
  } catch {
    return 'unknown'
  }
}

/**
 * Sets `carbon_build_info{version,revision,command} 1`: the root package.json's version (read
 * once), CARBON_REVISION ("unknown" when unset) and the CLI command this process runs. Calling it
 * again replaces the series (a process runs one command).
 */
export function setBuildInfo(command: string, info: { version?: string; revision?: string } = {}): void {
  const version = info.version ?? (packageVersion ??= readPackageVersion())
  const revision = info.revision ?? getEnv().CARBON_REVISION ?? 'unknown'
  metrics.buildInfo.reset()
  metrics.buildInfo.set({ version, revision, command: bounded(command, /^[a-z][a-z-]{0,31}$/, 'other') }, 1)
}

// Data requests ---------------------------------------------------------------

export const DATA_CHANNELS = ['hub', 'api', 'downloads'] as const
export const DATA_OUTCOMES = ['allowed', 'denied', 'error'] as const
export type DataOutcome = (typeof DATA_OUTCOMES)[number]

/**
 * The market label of a data request: the one known market asked for, `multi` for several, `none`
 * for none (or none the platform knows: an unknown name must not mint a series).
 */
export function marketLabel(asked: string | readonly unknown[] | null | undefined): string {
  const list = Array.isArray(asked) ? asked : asked === null || asked === undefined ? [] : [asked]
  const known = new Set(list.filter((m): m is string => typeof m === 'string' && DataKey.safeParse(m).success))
  if (known.size === 0) return 'none'
  return known.size === 1 ? [...known][0]! : 'multi'
}

/**
 * The market (or product: `product`, which a series call is decided on before its market) a raw
 * request input asks for (`market`, or `markets`), as marketLabel names it.
 */
export function dataRequestMarket(input: unknown): string {
  if (input === null || typeof input !== 'object') return 'none'
  const { market, markets, product } = input as { market?: unknown; markets?: unknown; product?: unknown }
  if (typeof product === 'string' && (ENTITLED_PRODUCTS as readonly string[]).includes(product)) return marketLabel(product)
  const asked = [...(typeof market === 'string' ? [market] : []), ...(Array.isArray(markets) ? markets : [])]
  return marketLabel(asked)
}

export type DataRequestTimer = {
  /** Counts the request with its outcome and duration; only the first call counts (a refusal, then its rethrow, is one request). */
  end(outcome: DataOutcome): void
}

/**
 * Starts timing one data request at the access gate: `end(outcome)` counts
 * carbon_data_requests_total{market,channel,outcome} and observes
 * carbon_data_request_duration_seconds{market,channel}.
 */
export function startDataRequest(labels: { market: string | readonly unknown[] | null | undefined; channel: string }): DataRequestTimer {
  const started = performance.now()
  const market = typeof labels.market === 'string' && ['multi', 'none'].includes(labels.market) ? labels.market : marketLabel(labels.market)
  const channel = bounded(labels.channel, DATA_CHANNELS, 'other')
  let ended = false
  return {
    end(outcome) {
      if (ended) return
      ended = true
      metrics.dataRequests.inc({ market, channel, outcome })
      metrics.dataRequestDuration.observe({ market, channel }, (performance.now() - started) / 1000)
    },
  }
}

// Jobs --------------------------------------------------------------------------

export const JOB_KINDS = ['curve_build', 'scenario_run', 'export', 'report'] as const
export type JobKind = (typeof JOB_KINDS)[number]
export const JOB_OUTCOMES = ['done', 'failed', 'cancelled'] as const

/** What a job row says of its end (curve_builds, scenario_runs, export_jobs, report_outputs). */
export type JobRow = { status: string; startedAt: Date | null; finishedAt: Date | null }

/**
 * Counts a job that `run` finished: carbon_jobs_total{kind,outcome} and
 * carbon_job_duration_seconds{kind} (the row's startedAt to finishedAt). A row that was already
 * finished before the call (a redelivered request: the workers leave finished jobs alone), one
 * still running (interrupted: back to the outbox) or none (unknown id) counts nothing, so each job
 * counts once however often its request is delivered.
 */
export async function timeJob<R extends JobRow>(kind: JobKind, run: () => Promise<R | null>): Promise<R | null> {
  const calledAt = Date.now()
  const row = await run()
  observeJobFinished(kind, row, calledAt)
  return row
}

/** timeJob's count, for a row `calledAtMs` (epoch ms) before which the job had not finished. */
export function observeJobFinished(kind: JobKind, row: JobRow | null, calledAtMs: number): void {
  if (!row?.finishedAt || row.finishedAt.getTime() < calledAtMs) return
  const outcome = JOB_OUTCOMES.find((o) => o === row.status)
  if (!outcome) return
  metrics.jobs.inc({ kind, outcome })
  if (row.startedAt) metrics.jobDuration.observe({ kind }, Math.max(0, (row.finishedAt.getTime() - row.startedAt.getTime()) / 1000))
}

// Dead letters ------------------------------------------------------------------

/** Counts `count` stored dead letters of `topic` (a *.dlq topic) and `kind` (the dead letter's kind header, e.g. parse-issue). */
export function countDeadLetters(topic: string, kind: string, count = 1): void {
  metrics.deadLetters.inc({ topic: bounded(topic, /^[a-z][a-z0-9.-]{0,63}$/, 'other'), kind: bounded(kind, /^[a-z][a-z0-9_-]{0,47}$/, 'other') }, count)
}

// Consumer lag and store availability (scrape time) -------------------------------

/** A topic a consumer group of this process reads. */
export type ConsumedTopic = { topic: string; group: string }
/** What the lag gauge asks: the bus (`Bus.lag`), null when the brokers cannot tell. */
export type LagSource = { lag(topic: string, groupId: string): Promise<number | null> }
type LagSample = ConsumedTopic & { messages: number | null }
type LagRegistration = CacheHolder<LagSample[]> & { bus: LagSource; consumed: readonly ConsumedTopic[] }
type LagState = { sources: Set<LagRegistration> }

export const STORES = ['postgres', 'clickhouse', 'bus', 'objects'] as const
/** Per store whether it answered (the readiness result: server/services/health checkReadiness). */
export type StoreStates = Partial<Record<(typeof STORES)[number], { ok: boolean }>>
export type StoreLoader = () => Promise<StoreStates>
type StoreGaugeState = CacheHolder<StoreStates> & { loader: StoreLoader | null }

/** The two scrape-time gauges; each reports no series until something registers its source. */
function createScrapeTimeGauges(registers: Registry[], lag: LagState, stores: StoreGaugeState): void {
  new Gauge({
    name: 'carbon_bus_consumer_lag_messages',
    help: "Messages of a topic the consumer group has not committed (the brokers' view, asked at scrape time, cached 15 s), for the groups this process consumes in",
    labelNames: ['topic', 'group'],
    registers,
    async collect() {
      const samples = await Promise.all([...lag.sources].map((source) => cachedLoad(source, () => readLag(source), 'consumer lag')))
      this.reset()
      for (const sample of samples.flatMap((s) => s ?? [])) {
        if (sample.messages !== null) this.set({ topic: sample.topic, group: sample.group }, sample.messages)
      }
    },
  })
  new Gauge({
    name: 'carbon_store_up',
    help: 'Whether the store (postgres, clickhouse, bus, objects) answered its readiness probe within 2 s: 1 or 0 (asked at scrape time, cached 15 s)',
    labelNames: ['store'],
    registers,
    async collect() {
      const loader = stores.loader
      const states = loader ? await cachedLoad(stores, loader, 'store availability') : null
      this.reset()
      for (const store of STORES) {
        const state = states?.[store]
        if (state) this.set({ store }, state.ok ? 1 : 0)
      }
    },
  })
}

async function readLag(source: LagRegistration): Promise<LagSample[]> {
  return Promise.all(
    source.consumed.map(async (c) => ({ ...c, messages: await source.bus.lag(c.topic, c.group).catch(() => null) })),
  )
}

/**
 * Adds `carbon_bus_consumer_lag_messages{topic,group}` series for the consumer groups this
 * process reads in, asked of `bus` at scrape time (cached `ttlMs`, default 15 s: each Kafka ask
 * opens an admin connection). A pair the brokers cannot answer reports no series for that scrape.
 * Returns the removal of these series.
 */
export function registerConsumerLag(bus: LagSource, consumed: readonly ConsumedTopic[], options: { ttlMs?: number; now?: () => number; log?: Logger } = {}): () => void {
  const registration: LagRegistration = { bus, consumed: [...consumed], ttlMs: options.ttlMs ?? SCRAPE_CACHE_MS, now: options.now ?? Date.now, log: options.log, cached: null }
  if (registration.consumed.length > 0) slot.lag.sources.add(registration)
  return () => {
    slot.lag.sources.delete(registration)
  }
}

/**
 * Sets where `carbon_store_up{store}` comes from: `loader` (the readiness check of the process's
 * platform) at scrape time, cached `ttlMs` (default 15 s). A store the result does not name, or a
 * loader that fails, reports no series. Calling it again replaces the loader; the returned
 * function removes it (if still the current one).
 */
export function registerStoreGauge(loader: StoreLoader, options: { ttlMs?: number; now?: () => number; log?: Logger } = {}): () => void {
  const state = slot.stores
  state.loader = loader
  state.ttlMs = options.ttlMs ?? SCRAPE_CACHE_MS
  state.now = options.now ?? Date.now
  state.log = options.log
  state.cached = null
  return () => {
    if (state.loader !== loader) return
    state.loader = null
    state.cached = null
  }
}
