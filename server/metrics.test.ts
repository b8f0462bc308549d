import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createInProcessBus } from './adapters/bus/index.ts'
import {
  countDeadLetters,
  dataRequestMarket,
  gateVerdict,
  LatencyWindow,
  metrics,
  metricsHandler,
  observeFanoutBatch,
  observeJobFinished,
  observeStreamSend,
  registerConsumerLag,
  registerQualityGauges,
  registerStoreGauge,
  reportFanoutRing,
  resetStreamLatencyWindows,
  setBuildInfo,
  startDataRequest,
  streamLatencySummary,
  streamStatus,
  timeJob,
  trackStreamSubscriber,
  WeightedHistogram,
} from './metrics.ts'
import { repoRoot } from './paths.ts'
import type { DataHealth, DatasetHealth } from './services/quality/schemas.ts'
import type { StreamPrice } from './services/stream/types.ts'

/*
 * metricsHandler served by a real node:http server on a loopback port, asked with fetch; the
 * quality gauges fed by a loader returning a fixed summary, with a test clock for the cache.
 */

const TOKEN = 'test-metrics-token-0123456789abcdef'
let token: string | undefined = TOKEN
const logLines: string[] = []
const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) })

let server: Server
let url = ''
beforeAll(async () => {
  const handler = metricsHandler({ token: () => token, log })
  server = createServer((req, res) => void handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

const scrape = (authorization?: string, method = 'GET') =>
  fetch(url, { method, headers: authorization === undefined ? {} : { authorization } })

describe('metricsHandler', () => {
  it('answers 404 while METRICS_TOKEN is unset, whatever the request carries', async () => {
    token = undefined
    try {
      const res = await scrape(`Bearer ${TOKEN}`)
      expect(res.status).toBe(404)
      expect(res.headers.get('www-authenticate')).toBeNull()
      expect(await res.text()).not.toContain('carbon_')
    } finally {
      token = TOKEN
    }
  })

  it('answers 401 with WWW-Authenticate without a bearer token', async () => {
    for (const authorization of [undefined, '', `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}`, 'Bearer']) {
      const res = await scrape(authorization)
      expect(res.status, String(authorization)).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"')
      expect(await res.text()).not.toContain('carbon_')
    }
  })

  it('answers 401 to a wrong token, of the same or another length', async () => {
    for (const wrong of [TOKEN.replace(/.$/, 'X'), TOKEN.slice(0, 10), `${TOKEN}extra`]) {
      const res = await scrape(`Bearer ${wrong}`)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics", error="invalid_token"')
    }
  })

  it('answers 405 to another method', async () => {
    const res = await scrape(`Bearer ${TOKEN}`, 'POST')
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD')
  })

  it('serves the exposition with the right token: default and carbon metrics', async () => {
    metrics.consumerRecords.inc({ outcome: 'stored' }, 7)
    metrics.ingestRequests.inc({ market: 'MISO', dataset: 'miso.api.rt5_expost', status: 'ok' })
    const res = await scrape(`Bearer ${TOKEN}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = await res.text()
    for (const name of [
      'carbon_ingest_requests_total',
      'carbon_ingest_records_total',
      'carbon_ingest_issues_total',
      'carbon_ingest_fetch_seconds',
      'carbon_ingest_last_success_timestamp_seconds',
      'carbon_consumer_records_total',
      'carbon_consumer_batch_seconds',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(body).toContain(`# TYPE ${name} `)
    }
    expect(body).toMatch(/^carbon_consumer_records_total\{outcome="stored"\} \d+$/m)
    expect(body).toContain('carbon_ingest_requests_total{market="MISO",dataset="miso.api.rt5_expost",status="ok"} 1')
    expect(logLines.join('\n')).not.toContain(TOKEN)
  })
})

function dataset(market: 'MISO' | 'CAISO', name: string, ratio: number | null, ageSeconds: number | null): DatasetHealth {
  return {
    market,
    dataset: name,
    source: name,
    run: 'RT5',
    completeness:
      ratio === null
        ? null
        : {
            intervalMinutes: 5,
            expectedNodes: 4,
            expectedIntervals: 12,
            deliveredIntervals: 12,
            ratio,
            firstInterval: '2026-06-10T11:00:00.000Z',
            lastInterval: '2026-06-10T11:55:00.000Z',
            worstIntervals: [],
          },
    gaps: null,
    late: { arrivals: 0, late: 0, maxDelaySeconds: null },
    revisions: { revised: 0, examples: [] },
    freshness: {
      lastIngestedAt: null,
      ageSeconds,
      measuredFrom: ageSeconds === null ? null : 'arrivals',
      lastIntervalEnd: null,
      expectedThrough: null,
      stale: null,
    },
    ingest: { lastRun: null, lastFailure: null, runs24h: { ok: 0, partial: 0, 'no-data': 0, failed: 0 }, records24h: 0, issues24h: 0 },
  }
}

function health(ratio: number): DataHealth {
  return {
    generatedAt: '2026-06-10T12:00:00.000Z',
    window: { from: '2026-06-09T12:00:00.000Z', to: '2026-06-10T12:00:00.000Z' },
    freshnessTargetSeconds: 300,
    markets: [
      { market: 'MISO', datasets: [dataset('MISO', 'miso.api.rt5_expost', ratio, 42)] },
      { market: 'CAISO', datasets: [dataset('CAISO', 'caiso.oasis.prc_lmp', null, null)] },
    ],
    series: null,
  }
}

describe('registerQualityGauges', () => {
  it('exposes completeness and freshness per market and dataset from one cached summary', async () => {
    let clock = 1_000_000
    let loads = 0
    let fail = false
    const unregister = registerQualityGauges(
      async () => {
        loads++
        if (fail) throw new Error('ClickHouse is down')
        return health(loads === 1 ? 0.75 : 0.5)
      },
      { ttlMs: 15_000, now: () => clock, log },
    )
    try {
      const first = await (await scrape(`Bearer ${TOKEN}`)).text()
      expect(first).toContain('carbon_data_completeness_ratio{market="MISO",dataset="miso.api.rt5_expost"} 0.75')
      expect(first).toContain('carbon_data_freshness_seconds{market="MISO",dataset="miso.api.rt5_expost"} 42')
      // No interval in the window, no data at all: no series rather than a made-up value.
      expect(first).not.toContain('dataset="caiso.oasis.prc_lmp"')
      expect(loads).toBe(1)

      clock += 14_999
      expect(await (await scrape(`Bearer ${TOKEN}`)).text()).toContain('dataset="miso.api.rt5_expost"} 0.75')
      expect(loads).toBe(1)

      clock += 1
      expect(await (await scrape(`Bearer ${TOKEN}`)).text()).toContain('dataset="miso.api.rt5_expost"} 0.5')
      expect(loads).toBe(2)

      // A failing load: the gauges have no series, the rest is still served; the next scrape retries.
      fail = true
      clock += 15_000
      const failed = await scrape(`Bearer ${TOKEN}`)
      expect(failed.status).toBe(200)
      const body = await failed.text()
      expect(body).toContain('# TYPE carbon_data_completeness_ratio gauge')
      expect(body).not.toContain('carbon_data_completeness_ratio{')
      expect(body).not.toContain('carbon_data_freshness_seconds{')
      expect(body).toContain('# TYPE carbon_consumer_records_total counter')
      expect(loads).toBe(3)
      expect(logLines.some((l) => l.includes('data-health summary failed'))).toBe(true)

      fail = false
      expect(await (await scrape(`Bearer ${TOKEN}`)).text()).toContain('carbon_data_completeness_ratio{market="MISO"')
      expect(loads).toBe(4)
    } finally {
      unregister()
    }
    const after = await (await scrape(`Bearer ${TOKEN}`)).text()
    expect(after).not.toContain('carbon_data_completeness_ratio{')
    expect(loads).toBe(4)
    expect(logLines.join('\n')).not.toContain(TOKEN)
  })
})

describe('LatencyWindow', () => {
  it('computes exact percentiles per price: each observation counts its weight', () => {
    const window = new LatencyWindow(100, 60_000)
    expect(window.stats(0)).toBeNull()
    // One event of 1 price at 10 s, one of 99 prices at 0.5 s: per event the p95 would be 10 s.
    window.add(1_000, 10, 1)
    window.add(2_000, 0.5, 99)
    const stats = window.stats(3_000)!
    expect(stats).toEqual({ samples: 2, prices: 100, p50: 0.5, p95: 0.5, p99: 0.5, max: 10, since: new Date(1_000).toISOString() })
    window.add(2_500, 20, 2)
    // 102 prices: rank ceil(0.99 x 102) = 101 lies in the 20 s group.
    expect(window.stats(3_000)).toMatchObject({ prices: 102, p95: 0.5, p99: 20, max: 20 })
  })

  it('keeps only the window: nothing older than windowMs, at most maxSamples observations', () => {
    const window = new LatencyWindow(3, 10_000)
    for (const [at, seconds] of [
      [0, 1],
      [1_000, 2],
      [2_000, 3],
      [3_000, 4],
    ] as const)
      window.add(at, seconds)
    // The oldest observation fell out of the 3-sample ring.
    expect(window.stats(5_000)).toMatchObject({ samples: 3, p50: 3, max: 4, since: new Date(1_000).toISOString() })
    // At 12,500 the ones made before 2,500 are older than 10 s.
    expect(window.stats(12_500)).toMatchObject({ samples: 1, p50: 4 })
    expect(window.stats(13_001)).toBeNull()
    window.add(13_000, 7, 3)
    expect(window.stats(13_001)).toMatchObject({ samples: 1, prices: 3, p50: 7 })
    window.clear()
    expect(window.stats(13_001)).toBeNull()
  })

  it('ignores non-finite latencies and weights that are not positive', () => {
    const window = new LatencyWindow(10, 10_000)
    window.add(0, Number.NaN, 1)
    window.add(0, 1, 0)
    window.add(0, 1, -2)
    expect(window.stats(0)).toBeNull()
  })
})

describe('WeightedHistogram', () => {
  it('is exposed as a Prometheus histogram: cumulative buckets, sum and count, weighted', async () => {
    const registry = new Registry()
    const histogram = new WeightedHistogram({ name: 'test_latency_seconds', help: 'Test latency', labelNames: ['stage'], buckets: [0.25, 0.5, 5], registers: [registry] })
    histogram.observe({ stage: 'a' }, 0.3, 5)
    histogram.observe({ stage: 'a' }, 4, 2)
    histogram.observe({ stage: 'a' }, 100, 1)
    histogram.observe({ stage: 'b' }, 0.1)
    histogram.observe({ stage: 'b' }, Number.NaN, 3)
    const text = await registry.metrics()
    expect(text).toContain('# TYPE test_latency_seconds histogram')
    for (const line of [
      'test_latency_seconds_bucket{stage="a",le="0.25"} 0',
      'test_latency_seconds_bucket{stage="a",le="0.5"} 5',
      'test_latency_seconds_bucket{stage="a",le="5"} 7',
      'test_latency_seconds_bucket{stage="a",le="+Inf"} 8',
      'test_latency_seconds_sum{stage="a"} 109.5',
      'test_latency_seconds_count{stage="a"} 8',
      'test_latency_seconds_bucket{stage="b",le="0.25"} 1',
      'test_latency_seconds_count{stage="b"} 1',
    ]) {
      expect(text.split('\n')).toContain(line)
    }
    registry.resetMetrics()
    expect(await registry.metrics()).not.toContain('test_latency_seconds_count')
    expect(() => new WeightedHistogram({ name: 'bad', help: 'x', buckets: [1, 1] })).toThrow(/strictly increasing/)
  })
})

const T = Date.parse('2026-07-20T18:00:00.000Z')
const iso = (ms: number) => new Date(ms).toISOString()
let nextOffset = 0

/** `count` live prices received by the fan-out at `receivedMs`, published by the ingest at `ingestedMs`. */
function streamPrices(count: number, receivedMs: number, ingestedMs: number | null, publishedMs: number | null = null): StreamPrice[] {
  return Array.from({ length: count }, (_, i) => ({
    market: 'MISO',
    node: `N${i}`,
    run: 'RT5',
    intervalStart: '2026-07-20T17:50:00.000Z',
    intervalEnd: '2026-07-20T17:55:00.000Z',
    lmp: 30,
    energy: null,
    congestion: null,
    loss: null,
    ghg: null,
    source: 'test',
    publishedAt: publishedMs === null ? null : iso(publishedMs),
    ingestedAt: ingestedMs === null ? null : iso(ingestedMs),
    receivedAt: iso(receivedMs),
    partition: 0,
    offset: nextOffset++,
  }))
}

describe('live stream instruments', () => {
  beforeEach(() => resetStreamLatencyWindows())

  it('summarises fanout_to_send and ingest_to_send per price over the window, with the gate verdict', () => {
    expect(streamLatencySummary(T).stages.fanout_to_send).toBeNull()
    expect(streamLatencySummary(T).gate).toMatchObject({ stage: 'ingest_to_send', gateSeconds: 5, aimSeconds: 2, p95: null, verdict: null })
    const opened = T - 60_000
    // 99 prices received at T, sent 0.5 s later; 1 price received at T, sent 10 s later (one slow event).
    observeStreamSend({ prices: streamPrices(99, T, T - 1_000) }, opened, T + 500)
    observeStreamSend({ prices: streamPrices(1, T, T - 1_000) }, opened, T + 10_000)
    const summary = streamLatencySummary(T + 10_000)
    expect(summary.stages.fanout_to_send).toMatchObject({ samples: 2, prices: 100, p50: 0.5, p95: 0.5, p99: 0.5, max: 10 })
    expect(summary.stages.ingest_to_send).toMatchObject({ prices: 100, p50: 1.5, p95: 1.5, max: 11 })
    expect(summary.gate).toMatchObject({ p95: 1.5, verdict: 'aim' })
    // Out of the 5-minute window: empty again.
    expect(streamLatencySummary(T + 10_000 + 5 * 60_000 + 1).stages.fanout_to_send).toBeNull()
  })

  it('counts prices that came before the subscription from its start (a resumed client), and one observation per run of equal times', () => {
    const opened = T + 2_000
    const backlog = [...streamPrices(3, T, T - 500), ...streamPrices(2, T + 3_000, T + 2_500)]
    observeStreamSend({ prices: backlog }, opened, T + 4_000)
    const { stages } = streamLatencySummary(T + 4_000)
    // From max(receivedAt, opened): 3 prices at 2 s, 2 at 1 s.
    expect(stages.fanout_to_send).toMatchObject({ samples: 2, prices: 5, p50: 2, max: 2 })
    expect(stages.ingest_to_send).toMatchObject({ samples: 2, prices: 5, p50: 2, p95: 2 })
  })

  it('observes ingest_to_fanout per price and publisher_to_ingest where the publisher gave a time', () => {
    const batch = [...streamPrices(2, T, T - 2_000), ...streamPrices(1, T, T - 1_000, T - 61_000), ...streamPrices(1, T, null)]
    observeFanoutBatch(batch, T)
    const { stages } = streamLatencySummary(T)
    expect(stages.ingest_to_fanout).toMatchObject({ samples: 2, prices: 3, p50: 2, max: 2 })
    expect(stages.publisher_to_ingest).toMatchObject({ samples: 1, prices: 1, p50: 60 })
    // A clock behind the ingest's host counts as 0, not as a negative latency.
    resetStreamLatencyWindows()
    observeFanoutBatch(streamPrices(1, T, T + 300), T)
    expect(streamLatencySummary(T).stages.ingest_to_fanout).toMatchObject({ prices: 1, p50: 0, max: 0 })
  })

  it('grades p95 against the gate: aim <= 2 s, pass <= 5 s, fail above', () => {
    expect([gateVerdict(null), gateVerdict(0.2), gateVerdict(2), gateVerdict(2.01), gateVerdict(5), gateVerdict(5.5)]).toEqual([null, 'aim', 'aim', 'pass', 'pass', 'fail'])
  })

  it('exposes subscribers, queued prices, skipped updates and the ring, in the status and on /metrics', async () => {
    const before = streamStatus(T)
    let queuedA = 10
    const untrackA = trackStreamSubscriber(() => queuedA)
    const untrackB = trackStreamSubscriber(() => 5)
    reportFanoutRing({ size: 1234, capacity: 100_000 })
    observeStreamSend({ prices: streamPrices(2, T, T), skipped: 7 }, T, T + 100)
    try {
      queuedA = 20
      const status = streamStatus(T + 100)
      expect(status.subscribers).toBe(before.subscribers + 2)
      expect(status.queuedPrices).toBe(before.queuedPrices + 25)
      expect(status.skipped).toEqual({ prices: before.skipped.prices + 7, events: before.skipped.events + 1 })
      expect(status.ring).toEqual({ size: 1234, capacity: 100_000 })
      const body = await (await scrape(`Bearer ${TOKEN}`)).text()
      expect(body).toContain('# TYPE carbon_stream_latency_seconds histogram')
      expect(body).toMatch(/^carbon_stream_latency_seconds_count\{stage="fanout_to_send"\} \d+$/m)
      expect(body).toMatch(/^carbon_stream_latency_seconds_bucket\{stage="fanout_to_send",le="0.1"\} \d+$/m)
      expect(body).toContain(`carbon_stream_subscribers ${before.subscribers + 2}`)
      expect(body).toContain(`carbon_stream_queued_prices ${before.queuedPrices + 25}`)
      expect(body).toMatch(/^carbon_stream_skipped_total \d+$/m)
      expect(body).toContain('carbon_stream_ring_prices 1234')
    } finally {
      untrackA()
      untrackA()
      untrackB()
      reportFanoutRing(null)
    }
    expect(streamStatus(T).subscribers).toBe(before.subscribers)
    expect(streamStatus(T).ring).toBeNull()
  })
})

/** The value of one series of a metric of the process registry (0 when it has none yet); `name` picks _count/_sum of a histogram. */
async function seriesValue(metric: { get(): Promise<{ values: { labels: object; value: number; metricName?: string }[] }> }, labels: Record<string, string>, name?: string): Promise<number> {
  const { values } = await metric.get()
  const found = values.find(
    (v) => (name === undefined || v.metricName === name) && Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want),
  )
  return found?.value ?? 0
}

describe('service-level instruments', () => {
  it('sets carbon_build_info once per process: version from package.json, revision, a bounded command', async () => {
    const { version } = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
    setBuildInfo('solver', { revision: 'abc1234' })
    let body = await (await scrape(`Bearer ${TOKEN}`)).text()
    expect(body).toContain(`carbon_build_info{version="${version}",revision="abc1234",command="solver"} 1`)
    // Called again (the CLI, then the sidecar itself): one series, the last.
    setBuildInfo('Not A Command!', { revision: 'abc1234' })
    body = await (await scrape(`Bearer ${TOKEN}`)).text()
    expect(body.match(/^carbon_build_info\{/gm)).toHaveLength(1)
    expect(body).toContain(`carbon_build_info{version="${version}",revision="abc1234",command="other"} 1`)
  })

  it('counts a data request once with its outcome; the market is the one asked for, multi, or none', async () => {
    const allowed = { market: 'MISO', channel: 'api', outcome: 'allowed' }
    const before = await seriesValue(metrics.dataRequests, allowed)
    const beforeCount = await seriesValue(metrics.dataRequestDuration, { market: 'MISO', channel: 'api' }, 'carbon_data_request_duration_seconds_count')
    const timer = startDataRequest({ market: dataRequestMarket({ market: 'MISO', node: 'INDIANA.HUB' }), channel: 'api' })
    timer.end('allowed')
    timer.end('error') // a rethrow after the count: still one request
    expect(await seriesValue(metrics.dataRequests, allowed)).toBe(before + 1)
    expect(await seriesValue(metrics.dataRequests, { market: 'MISO', channel: 'api', outcome: 'error' })).toBe(0)
    expect(await seriesValue(metrics.dataRequestDuration, { market: 'MISO', channel: 'api' }, 'carbon_data_request_duration_seconds_count')).toBe(beforeCount + 1)

    expect(dataRequestMarket({ markets: ['MISO', 'CAISO'] })).toBe('multi')
    expect(dataRequestMarket({ markets: ['CAISO', 'CAISO'] })).toBe('CAISO')
    expect(dataRequestMarket({ market: 'NOT-A-MARKET' })).toBe('none')
    expect(dataRequestMarket({ q: 'hub' })).toBe('none')
    expect(dataRequestMarket(undefined)).toBe('none')
    // An unknown channel or market never becomes a label of its own.
    startDataRequest({ market: 'x'.repeat(300), channel: 'carrier-pigeon' }).end('denied')
    expect(await seriesValue(metrics.dataRequests, { market: 'none', channel: 'other', outcome: 'denied' })).toBeGreaterThanOrEqual(1)
    startDataRequest({ market: ['MISO', 'CAISO'], channel: 'downloads' }).end('denied')
    expect(await seriesValue(metrics.dataRequests, { market: 'multi', channel: 'downloads', outcome: 'denied' })).toBeGreaterThanOrEqual(1)
  })

  it('counts a job that the call finished, once; one finished before, still running or unknown counts nothing', async () => {
    const done = { kind: 'export', outcome: 'done' }
    const before = await seriesValue(metrics.jobs, done)
    const beforeCount = await seriesValue(metrics.jobDuration, { kind: 'export' }, 'carbon_job_duration_seconds_count')
    const beforeSum = await seriesValue(metrics.jobDuration, { kind: 'export' }, 'carbon_job_duration_seconds_sum')
    const row = await timeJob('export', async () => {
      const startedAt = new Date()
      return { status: 'done', startedAt, finishedAt: new Date(startedAt.getTime() + 2_500) }
    })
    expect(row?.status).toBe('done')
    expect(await seriesValue(metrics.jobs, done)).toBe(before + 1)
    expect(await seriesValue(metrics.jobDuration, { kind: 'export' }, 'carbon_job_duration_seconds_count')).toBe(beforeCount + 1)
    expect(await seriesValue(metrics.jobDuration, { kind: 'export' }, 'carbon_job_duration_seconds_sum')).toBeCloseTo(beforeSum + 2.5, 6)

    // The redelivered request finds the row finished an hour ago: not a second job.
    const hourAgo = new Date(Date.now() - 3_600_000)
    await timeJob('export', async () => ({ status: 'done', startedAt: hourAgo, finishedAt: hourAgo }))
    await timeJob('export', async () => ({ status: 'running', startedAt: new Date(), finishedAt: null }))
    await timeJob('export', async () => null)
    expect(await seriesValue(metrics.jobs, done)).toBe(before + 1)

    const cancelled = await seriesValue(metrics.jobs, { kind: 'scenario_run', outcome: 'cancelled' })
    const now = Date.now()
    observeJobFinished('scenario_run', { status: 'cancelled', startedAt: new Date(now), finishedAt: new Date(now + 10) }, now)
    observeJobFinished('scenario_run', { status: 'queued', startedAt: null, finishedAt: new Date(now + 10) }, now)
    expect(await seriesValue(metrics.jobs, { kind: 'scenario_run', outcome: 'cancelled' })).toBe(cancelled + 1)
  })

  it('counts dead letters per topic and kind, with a bounded kind', async () => {
    const before = await seriesValue(metrics.deadLetters, { topic: 'prices.dlq', kind: 'parse-issue' })
    countDeadLetters('prices.dlq', 'parse-issue', 3)
    countDeadLetters('prices.dlq', 'A Kind With Spaces and a node id 1234')
    expect(await seriesValue(metrics.deadLetters, { topic: 'prices.dlq', kind: 'parse-issue' })).toBe(before + 3)
    expect(await seriesValue(metrics.deadLetters, { topic: 'prices.dlq', kind: 'other' })).toBeGreaterThanOrEqual(1)
  })

  it('reports consumer lag per topic and group from the bus at scrape time, cached, until unregistered', async () => {
    const bus = createInProcessBus()
    let clock = 5_000_000
    const unregister = registerConsumerLag(
      bus,
      [
        { topic: 'curves.build', group: 'curve-solver' },
        { topic: 'exports.run', group: 'export-worker' },
      ],
      { ttlMs: 15_000, now: () => clock },
    )
    try {
      await bus.publish('curves.build', [1, 2, 3].map((i) => ({ key: `k${i}`, value: Buffer.from(`{"n":${i}}`) })))
      let body = await (await scrape(`Bearer ${TOKEN}`)).text()
      expect(body).toContain('# TYPE carbon_bus_consumer_lag_messages gauge')
      expect(body).toContain('carbon_bus_consumer_lag_messages{topic="curves.build",group="curve-solver"} 3')
      expect(body).toContain('carbon_bus_consumer_lag_messages{topic="exports.run",group="export-worker"} 0')

      await bus.publish('curves.build', [{ key: 'k4', value: Buffer.from('{"n":4}') }])
      body = await (await scrape(`Bearer ${TOKEN}`)).text()
      expect(body).toContain('group="curve-solver"} 3') // still the cached answer
      clock += 15_000
      body = await (await scrape(`Bearer ${TOKEN}`)).text()
      expect(body).toContain('carbon_bus_consumer_lag_messages{topic="curves.build",group="curve-solver"} 4')
    } finally {
      unregister()
      await bus.close()
    }
    expect(await (await scrape(`Bearer ${TOKEN}`)).text()).not.toContain('carbon_bus_consumer_lag_messages{')
  })

  it('reports carbon_store_up per store from the readiness check, cached 15 s; a failing check reports nothing', async () => {
    let clock = 9_000_000
    let loads = 0
    let fail = false
    const unregister = registerStoreGauge(
      async () => {
        loads++
        if (fail) throw new Error('platform not open')
        return { postgres: { ok: true }, clickhouse: { ok: loads === 1 }, bus: { ok: true }, objects: { ok: true } }
      },
      { ttlMs: 15_000, now: () => clock, log },
    )
    try {
      let body = await (await scrape(`Bearer ${TOKEN}`)).text()
      expect(body).toContain('carbon_store_up{store="postgres"} 1')
      expect(body).toContain('carbon_store_up{store="clickhouse"} 1')
      clock += 15_000
      body = await (await scrape(`Bearer ${TOKEN}`)).text()
      expect(body).toContain('carbon_store_up{store="clickhouse"} 0')
      expect(loads).toBe(2)
      fail = true
      clock += 15_000
      body = await (await scrape(`Bearer ${TOKEN}`)).text()
      expect(body).not.toContain('carbon_store_up{')
      expect(logLines.some((l) => l.includes('store availability failed'))).toBe(true)
    } finally {
      unregister()
    }
  })
})
