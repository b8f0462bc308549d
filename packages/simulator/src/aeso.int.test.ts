/**
 * The AESO Pool Price Report API on the simulator, through the connectors' own dataset (plan,
 * publishedUntil), the real HTTP client and the registered parser: the planned days cover the
 * window exactly with the model's pool prices, hours not settled yet come back forecast-only
 * (issues, never records), a day with nothing listed is not-published, no API key is a 401
 * FetchError, an injected server error is retried through.
 */
import {
  type ConnectorConfig,
  createHttpClient,
  FetchError,
  type FetchEvent,
  type FetchOutcome,
  type FetchedPayload,
  type ParseIssue,
  SOURCES,
  simulatorUrls,
} from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AESO_DATASETS, AESO_KEY_HEADER, AESO_RATE_GROUP } from '../../connectors/src/fetch/aeso.ts'
import { AESO_SCHEDULE, aesoCatalogue, aesoPoolPrice, createAesoRoutes } from './markets/aeso.ts'
import { createPublisherSimulator, type PublisherSimulator } from './server.ts'

const HOUR = 3_600_000
const ms = (iso: string) => Date.parse(iso)
const POOL = AESO_DATASETS['aeso.pool_price']
const KEY = 'simulated-aeso-key'

let sim: PublisherSimulator
let config: ConnectorConfig

beforeAll(async () => {
  sim = await createPublisherSimulator({ marketRoutes: createAesoRoutes({ nodes: 1 }), fixturesDir: null, nodes: { miso: 10, caiso: 10 } })
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL', aesoKey: KEY }
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.setFailureModes([])
})

const client = (events: FetchEvent[] = []) =>
  createHttpClient({ userAgent: '254Carbon-ingest/test (+ops@example.test)', backoff: { initialMs: 5, maxMs: 20 }, minSpacingMs: { [AESO_RATE_GROUP]: 0 }, onEvent: (e) => events.push(e) })

const payloadOf = (o: FetchOutcome): FetchedPayload => {
  if (o.kind !== 'payload') throw new Error(`expected a payload for ${o.request.file}, got not-published: ${o.reason}`)
  return o.payload
}
const parse = (p: FetchedPayload) => SOURCES['aeso.pool_price'].parse(new TextDecoder().decode(p.bytes), p.request.file)

describe('AESO pool price on the simulator', () => {
  it('plans Alberta days across the fall-back day: every settled hour once with the model pool price, the rest forecast-only', async () => {
    const now = ms('2026-11-02T12:20:00Z') // 05:20 MST on 11-02
    sim.setNow(new Date(now))
    const window = { start: ms('2026-10-31T06:00:00Z'), end: POOL.publishedUntil(now) }
    expect(window.end).toBe(ms('2026-11-02T12:00:00Z'))
    const requests = POOL.plan(window, config, now)
    expect(requests.map((r) => r.file)).toEqual(['20261031_aeso_pool_price.json', '20261101_aeso_pool_price.json', '20261102_aeso_pool_price.json'])
    expect(requests.map((r) => (r.window.end - r.window.start) / HOUR)).toEqual([24, 25, 24])
    const c = client()
    const records: PriceRecord[] = []
    const errors: ParseIssue[] = []
    let pending = 0
    for (const request of requests) {
      const result = parse(payloadOf(await c.fetch(request)))
      records.push(...result.records)
      errors.push(...result.errors)
      pending += result.pending ?? 0
    }
    const hours = (window.end - window.start) / HOUR
    expect(hours).toBe(24 + 25 + 5)
    expect(records.map((r) => Date.parse(r.intervalStart))).toEqual(Array.from({ length: hours }, (_, i) => window.start + i * HOUR))
    const catalogue = aesoCatalogue(sim.model.seed)
    for (const record of records) {
      expect(record.lmp).toBe(aesoPoolPrice(sim.model, catalogue, Date.parse(record.intervalStart)) / 100)
      expect(record).toMatchObject({ node: 'POOL', run: 'RTH', source: 'aeso.pool_price' })
    }
    // The hour in progress (05:00 MST) and the forecast horizon: listed with an empty pool price, pending.
    expect(errors).toEqual([])
    expect(pending).toBe(1 + AESO_SCHEDULE.forecastHoursAhead)
  })

  it('a day with no hour listed yet is not-published; the day in progress is served', async () => {
    const now = ms('2026-11-02T12:20:00Z')
    sim.setNow(new Date(now))
    const c = client()
    const [today] = POOL.plan({ start: POOL.publishedUntil(now) - HOUR, end: POOL.publishedUntil(now) }, config, now)
    expect(parse(payloadOf(await c.fetch(today!))).records).toHaveLength(5)
    const [tomorrow] = POOL.plan({ start: ms('2026-11-03T07:00:00Z'), end: ms('2026-11-03T08:00:00Z') }, config, now)
    expect(await c.fetch(tomorrow!)).toMatchObject({ kind: 'not-published', status: 404, request: tomorrow })
  })

  it('without an API key: 401, a FetchError at once, not retried', async () => {
    const now = ms('2026-11-03T12:00:00Z')
    sim.setNow(new Date(now))
    expect(POOL.available({ ...config, aesoKey: undefined })).toBe(false)
    const [planned] = POOL.plan({ start: ms('2026-11-01T06:00:00Z'), end: ms('2026-11-02T07:00:00Z') }, config, now)
    expect(planned!.headers).toMatchObject({ [AESO_KEY_HEADER]: KEY })
    const events: FetchEvent[] = []
    const error = await client(events)
      .fetch({ ...planned!, headers: { Accept: 'application/json' } })
      .then(
        () => null,
        (e: unknown) => e
      )
    expect(error).toBeInstanceOf(FetchError)
    expect(error).toMatchObject({ status: 401, attempts: 1, retryable: false })
    expect((error as FetchError).message).not.toContain(KEY)
    expect(events.filter((e) => e.type === 'request')).toHaveLength(1)
  })

  it('an injected server error is retried through', async () => {
    const now = ms('2026-11-03T12:00:00Z')
    sim.setNow(new Date(now))
    sim.setFailureModes([{ mode: 'server-error', feeds: ['aeso.pool_price'], times: 1 }])
    const events: FetchEvent[] = []
    const [request] = POOL.plan({ start: ms('2026-11-01T06:00:00Z'), end: ms('2026-11-02T07:00:00Z') }, config, now)
    const payload = payloadOf(await client(events).fetch(request!))
    expect(payload.attempts).toBe(2)
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason)).toEqual(['HTTP 503 Service Unavailable'])
    expect(parse(payload)).toMatchObject({ errors: [], records: { length: 25 } })
  })
})
