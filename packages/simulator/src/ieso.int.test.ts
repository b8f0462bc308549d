/**
 * IESO public reports on the simulator, through the connectors' own datasets (plan,
 * publishedUntil), the real HTTP client and the registered parsers: the planned files cover the
 * window exactly with the model's prices, the hour in progress has only its ended intervals, a
 * file not out yet is not-published, an injected server error is retried through. (IESO's
 * reports need no credentials: there is no 401 case.)
 */
import {
  type ConnectorConfig,
  createHttpClient,
  type FetchEvent,
  type FetchOutcome,
  type FetchedPayload,
  type FetchRequest,
  type ParseIssue,
  SOURCES,
  simulatorUrls,
} from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { IESO_DATASETS, IESO_RATE_GROUP } from '../../connectors/src/fetch/ieso.ts'
import type { Window } from '../../connectors/src/fetch/types.ts'
import { createIesoRoutes, IESO_ZONE, iesoCatalogue } from './markets/ieso.ts'
import { newComponents } from './prices.ts'
import { createPublisherSimulator, type PublisherSimulator } from './server.ts'

const HOUR = 3_600_000
const FIVE = 300_000
const est = (naive: string) => Date.parse(`${naive}-05:00`)
const DA = IESO_DATASETS['ieso.da_ontario_zonal']
const RT = IESO_DATASETS['ieso.rt_ontario_zonal']

let sim: PublisherSimulator
let config: ConnectorConfig

beforeAll(async () => {
  sim = await createPublisherSimulator({ marketRoutes: createIesoRoutes({ nodes: 1 }), fixturesDir: null, nodes: { miso: 10, caiso: 10 } })
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL' }
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.setFailureModes([])
})

const client = (events: FetchEvent[] = []) =>
  createHttpClient({ userAgent: '254Carbon-ingest/test (+ops@example.test)', backoff: { initialMs: 5, maxMs: 20 }, minSpacingMs: { [IESO_RATE_GROUP]: 0 }, onEvent: (e) => events.push(e) })

const payloadOf = (o: FetchOutcome): FetchedPayload => {
  if (o.kind !== 'payload') throw new Error(`expected a payload for ${o.request.file}, got not-published: ${o.reason}`)
  return o.payload
}
const parse = (p: FetchedPayload) => SOURCES[p.request.dataset].parse(new TextDecoder().decode(p.bytes), p.request.file)

async function fetchAll(requests: FetchRequest[]): Promise<{ records: PriceRecord[]; errors: ParseIssue[]; pending: number; payloads: FetchedPayload[] }> {
  const c = client()
  const out = { records: [] as PriceRecord[], errors: [] as ParseIssue[], pending: 0, payloads: [] as FetchedPayload[] }
  for (const request of requests) {
    const payload = payloadOf(await c.fetch(request))
    const result = parse(payload)
    out.records.push(...result.records)
    out.errors.push(...result.errors)
    out.pending += result.pending ?? 0
    out.payloads.push(payload)
  }
  return out
}

/** Every interval of `window` exactly once, each with the model's prices. */
function expectWindow(records: PriceRecord[], window: Window, run: 'DA' | 'RT5') {
  const step = run === 'DA' ? HOUR : FIVE
  expect(records.map((r) => Date.parse(r.intervalStart))).toEqual(Array.from({ length: (window.end - window.start) / step }, (_, i) => window.start + i * step))
  const node = iesoCatalogue(sim.model.seed).byName.get(IESO_ZONE)!
  const c = newComponents()
  for (const record of records) {
    sim.model.values('IESO', run, node, Date.parse(record.intervalStart), c)
    expect([record.node, record.run, record.lmp, record.energy, record.congestion, record.loss]).toEqual([IESO_ZONE, run, c.lmp / 100, c.energy / 100, c.congestion / 100, c.loss / 100])
  }
}

describe('IESO public reports on the simulator', () => {
  it('day-ahead: three dates across the spring change (24 hours each, EST), published at D-1 12:30 EST', async () => {
    const now = est('2026-03-08T12:30:00')
    sim.setNow(new Date(now))
    const window = { start: est('2026-03-07T00:00:00'), end: DA.publishedUntil(now) }
    expect(window.end).toBe(est('2026-03-10T00:00:00'))
    const { records, errors, payloads } = await fetchAll(DA.plan(window, config, now))
    expect(errors).toEqual([])
    expectWindow(records, window, 'DA')
    expect(payloads.map((p) => p.lastModified)).toEqual([est('2026-03-06T12:30:00'), est('2026-03-07T12:30:00'), est('2026-03-08T12:30:00')])
    expect(records.at(-1)!.publishedAt).toBe(new Date(est('2026-03-08T12:30:00')).toISOString())
  })

  it('real time: whole hours, then the hour in progress up to its latest ended interval', async () => {
    const now = est('2026-08-25T17:37:57')
    sim.setNow(new Date(now))
    const window = { start: est('2026-08-25T15:00:00'), end: RT.publishedUntil(now) }
    expect(window.end).toBe(est('2026-08-25T17:35:00'))
    const requests = RT.plan(window, config, now)
    expect(requests.map((r) => r.file)).toEqual([16, 17, 18].map((h) => `PUB_RealtimeOntarioZonalPrice_20260825${h}.xml`))
    const { records, errors, pending } = await fetchAll(requests)
    expectWindow(records, window, 'RT5')
    // The file of hour 18 keeps the slots of intervals not run yet, empty: pending, not issues.
    expect(errors).toEqual([])
    expect(pending).toBe(5)
  })

  it('real time on the fall-back date: 24 files of 12 intervals, no repeated hour', async () => {
    const now = est('2026-11-02T06:00:00')
    sim.setNow(new Date(now))
    const window = { start: est('2026-11-01T00:00:00'), end: est('2026-11-02T00:00:00') }
    const requests = RT.plan(window, config, now)
    expect(requests).toHaveLength(24)
    const { records, errors } = await fetchAll(requests)
    expect(errors).toEqual([])
    expectWindow(records, window, 'RT5')
  })

  it('a file not out yet is not-published, at the bound publishedUntil gives', async () => {
    const c = client()
    for (const now of [est('2026-05-27T12:29:00'), est('2026-05-27T12:30:00')]) {
      sim.setNow(new Date(now))
      const until = DA.publishedUntil(now)
      const [last] = DA.plan({ start: until - HOUR, end: until }, config, now)
      const [next] = DA.plan({ start: until, end: until + HOUR }, config, now)
      expect(parse(payloadOf(await c.fetch(last!))).records).toHaveLength(24)
      expect(await c.fetch(next!)).toMatchObject({ kind: 'not-published', status: 404, request: next })
    }
    // Hour ending 18 (17:00-18:00 EST): no file before its first interval ends, then one interval.
    const hour18 = { start: est('2026-08-25T17:00:00'), end: est('2026-08-25T17:05:00') }
    sim.setNow(new Date(est('2026-08-25T17:04:59')))
    expect(RT.publishedUntil(est('2026-08-25T17:04:59'))).toBe(hour18.start)
    const [early] = RT.plan(hour18, config, est('2026-08-25T17:04:59'))
    expect(await c.fetch(early!)).toMatchObject({ kind: 'not-published', status: 404 })
    sim.setNow(new Date(est('2026-08-25T17:05:00')))
    expect(RT.publishedUntil(est('2026-08-25T17:05:00'))).toBe(hour18.end)
    const first = parse(payloadOf(await c.fetch(early!)))
    expect(first.records.map((r) => r.intervalStart)).toEqual([new Date(hour18.start).toISOString()])
    expect(first.errors).toEqual([])
    expect(first.pending).toBe(11)
  })

  it('an injected server error is retried through', async () => {
    const now = est('2026-08-26T12:00:00')
    sim.setNow(new Date(now))
    sim.setFailureModes([{ mode: 'server-error', feeds: ['ieso.rt_ontario_zonal'], times: 1 }])
    const events: FetchEvent[] = []
    const [request] = RT.plan({ start: est('2026-08-25T17:00:00'), end: est('2026-08-25T18:00:00') }, config, now)
    const payload = payloadOf(await client(events).fetch(request!))
    expect(payload.attempts).toBe(2)
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { reason: string }).reason)).toEqual(['HTTP 503 Service Unavailable'])
    expect(parse(payload)).toMatchObject({ errors: [], records: { length: 12 } })
  })
})
