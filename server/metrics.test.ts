import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metrics, metricsHandler, registerQualityGauges } from './metrics.ts'
import type { DataHealth, DatasetHealth } from './services/quality/schemas.ts'

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
