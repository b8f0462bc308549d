/**
 * ISO-NE Web Services on the simulator, through the connectors' own datasets (plan,
 * publishedUntil), the real HTTP client and the registered parsers: what is planned covers the
 * window exactly with the model's prices, a day not out yet is not-published, no credentials is a
 * 401 FetchError, an injected server error is retried through.
 */
import {
  type ConnectorConfig,
  createHttpClient,
  FetchError,
  type FetchEvent,
  type FetchOutcome,
  type FetchedPayload,
  type FetchRequest,
  type HttpClientOptions,
  SOURCES,
  simulatorUrls,
} from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ISONE_DATASETS, ISONE_DEFAULT_LOCATIONS, ISONE_RATE_GROUP } from '../../connectors/src/fetch/isone.ts'
import type { Window } from '../../connectors/src/fetch/types.ts'
import { createIsoneRoutes, isoneCatalogue, type IsoneCatalogue } from './markets/isone.ts'
import { newComponents } from './prices.ts'
import { createPublisherSimulator, type PublisherSimulator } from './server.ts'

const LOCATIONS = 50
const HOUR = 3_600_000
const ms = (iso: string) => Date.parse(iso)
const win = (start: string, end: string): Window => ({ start: ms(start), end: ms(end) })
const DA = ISONE_DATASETS['isone.ws.da_hourly_lmp']
const RT = ISONE_DATASETS['isone.ws.rt_hourly_lmp']

let sim: PublisherSimulator
let config: ConnectorConfig
let catalogue: IsoneCatalogue

beforeAll(async () => {
  sim = await createPublisherSimulator({ marketRoutes: createIsoneRoutes({ nodes: LOCATIONS }), fixturesDir: null, nodes: { miso: 10, caiso: 10 } })
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL', isoneCredentials: { username: 'ops@254carbon.test', password: 'not-a-real-password' } }
  catalogue = isoneCatalogue(sim.model.seed, LOCATIONS)
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.setFailureModes([])
})

/** The real client with quick backoff and no spacing (ISONE_MIN_SPACING_MS would space requests 1 s). */
const client = (events: FetchEvent[] = [], options: Partial<HttpClientOptions> = {}) =>
  createHttpClient({ userAgent: '254Carbon-ingest/test (+ops@example.test)', backoff: { initialMs: 5, maxMs: 20 }, minSpacingMs: { [ISONE_RATE_GROUP]: 0 }, onEvent: (e) => events.push(e), ...options })

const payloadOf = (o: FetchOutcome): FetchedPayload => {
  if (o.kind !== 'payload') throw new Error(`expected a payload for ${o.request.file}, got not-published: ${o.reason}`)
  return o.payload
}
const parse = (p: FetchedPayload) => SOURCES[p.request.dataset].parse(new TextDecoder().decode(p.bytes), p.request.file)

/** Every planned request fetched and parsed (no issue allowed). */
async function fetchAll(requests: FetchRequest[]): Promise<PriceRecord[]> {
  const c = client()
  const records: PriceRecord[] = []
  for (const request of requests) {
    const result = parse(payloadOf(await c.fetch(request)))
    expect(result.errors).toEqual([])
    records.push(...result.records)
  }
  return records
}

/** Every location x hour of `window` exactly once, each with the model's prices. */
function expectWindow(records: PriceRecord[], window: Window, market: 'da' | 'rt', ids: readonly number[]) {
  const hours = (window.end - window.start) / HOUR
  expect(records).toHaveLength(ids.length * hours)
  const keys = new Set(records.map((r) => `${r.node}|${r.intervalStart}`))
  expect(keys.size).toBe(records.length)
  const c = newComponents()
  for (const id of ids) {
    const location = catalogue.locations.get(id)!
    const node = catalogue.byName.get(location.name)!
    for (let start = window.start; start < window.end; start += HOUR) {
      const record = records.find((r) => r.node === location.name && r.intervalStart === new Date(start).toISOString())
      expect(record, `${location.name} ${new Date(start).toISOString()}`).toBeDefined()
      if (market === 'da') sim.model.values('ISONE', 'DA', node, start, c)
      else sim.model.realTimeMean('ISONE', node, start, 12, c)
      expect([record!.lmp, record!.energy, record!.congestion, record!.loss]).toEqual([c.lmp / 100, c.energy / 100, c.congestion / 100, c.loss / 100])
      expect(record!.intervalEnd).toBe(new Date(start + HOUR).toISOString())
    }
  }
}

describe('ISO-NE Web Services on the simulator', () => {
  it('day-ahead: the spring-forward day (23 h) and the next, every default location, the model prices', async () => {
    const now = ms('2026-03-08T17:30:00Z') // 13:30 EDT on 03-08: 03-09 just published
    sim.setNow(new Date(now))
    const window = { start: ms('2026-03-08T05:00:00Z'), end: DA.publishedUntil(now) }
    expect(window.end).toBe(ms('2026-03-10T04:00:00Z'))
    const requests = DA.plan(window, config, now)
    expect(requests).toHaveLength(2 * 9)
    expect(requests.every((r) => r.headers?.Authorization?.startsWith('Basic '))).toBe(true)
    expectWindow(await fetchAll(requests), window, 'da', ISONE_DEFAULT_LOCATIONS)
  })

  it('real-time final: the fall-back day (25 h), configured locations including a network node', async () => {
    const now = ms('2026-11-03T05:00:00Z')
    sim.setNow(new Date(now))
    const window = { start: ms('2026-11-01T04:00:00Z'), end: RT.publishedUntil(now) }
    expect(window.end - window.start).toBe(25 * HOUR)
    const network = [...catalogue.locations.values()].find((l) => l.locType === 'NETWORK NODE' && l.id !== 321)!
    const ids = [4000, 4012, network.id]
    const records = await fetchAll(RT.plan(window, { ...config, isoneLocations: ids }, now))
    expectWindow(records, window, 'rt', ids)
    expect(records.filter((r) => r.intervalStart === '2026-11-01T05:00:00.000Z' || r.intervalStart === '2026-11-01T06:00:00.000Z')).toHaveLength(6) // 01:00 EDT and 01:00 EST
  })

  it('a day not published yet is not-published, at the bound publishedUntil gives', async () => {
    const c = client()
    for (const [dataset, now] of [
      [DA, ms('2026-07-13T17:29:00Z')],
      [DA, ms('2026-07-13T17:30:00Z')],
      [RT, ms('2026-07-16T04:00:00Z')],
    ] as const) {
      sim.setNow(new Date(now))
      const until = dataset.publishedUntil(now)
      const [last] = dataset.plan({ start: until - HOUR, end: until }, { ...config, isoneLocations: [4004] }, now)
      const [next] = dataset.plan({ start: until, end: until + HOUR }, { ...config, isoneLocations: [4004] }, now)
      expect(parse(payloadOf(await c.fetch(last!))).records.length).toBeGreaterThanOrEqual(23)
      expect(await c.fetch(next!)).toMatchObject({ kind: 'not-published', status: 404, request: next })
    }
  })

  it('without credentials: 401 (WWW-Authenticate: Basic), a FetchError at once, not retried', async () => {
    const now = ms('2026-07-20T12:00:00Z')
    sim.setNow(new Date(now))
    expect(DA.available({ ...config, isoneCredentials: undefined })).toBe(false)
    const [planned] = DA.plan(win('2026-07-14T04:00:00Z', '2026-07-15T04:00:00Z'), config, now)
    const raw = await fetch(planned!.url)
    expect([raw.status, raw.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="webservices.iso-ne.com"'])
    const events: FetchEvent[] = []
    const error = await client(events)
      .fetch({ ...planned!, headers: { Accept: 'application/json' } })
      .then(
        () => null,
        (e: unknown) => e
      )
    expect(error).toBeInstanceOf(FetchError)
    expect(error).toMatchObject({ status: 401, attempts: 1, retryable: false })
    expect(events.filter((e) => e.type === 'request')).toHaveLength(1)
  })

  it('an injected server error is retried through', async () => {
    const now = ms('2026-07-20T12:00:00Z')
    sim.setNow(new Date(now))
    sim.setFailureModes([{ mode: 'server-error', feeds: ['isone.ws.rt_hourly_lmp'], times: 1 }])
    const events: FetchEvent[] = []
    const [request] = RT.plan(win('2026-07-14T04:00:00Z', '2026-07-15T04:00:00Z'), config, now)
    const payload = payloadOf(await client(events).fetch(request!))
    expect(payload.attempts).toBe(2)
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason)).toEqual(['HTTP 503 Service Unavailable'])
    expect(parse(payload)).toMatchObject({ errors: [], records: { length: 24 } })
  })
})
