/**
 * SPP's Marketplace portal on the simulator over real HTTP, with the connectors' own datasets,
 * HTTP client and parsers: plan -> every file -> parse, across both clock changes.
 */
import {
  type ConnectorConfig,
  createHttpClient,
  type DatasetDefinition,
  type FetchEvent,
  type FetchedPayload,
  type FetchOutcome,
  type HttpClientOptions,
  SOURCES,
  simulatorUrls,
  type Window,
} from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
// Not exported from @carbon/connectors' index (yet).
import { SPP_DATASETS } from '../../connectors/src/fetch/spp.ts'
import { type SppCatalogue, sppCatalogue, createSppRoutes } from './markets/spp.ts'
import { newComponents } from './prices.ts'
import { createPublisherSimulator, type PublisherSimulator } from './server.ts'

const NODES = 25
const HOUR = 3_600_000
const FIVE = 300_000
const ms = (iso: string) => Date.parse(iso)
const cdt = (naive: string) => ms(`${naive}-05:00`)
const cst = (naive: string) => ms(`${naive}-06:00`)
const DA = SPP_DATASETS['spp.da_lmp_sl']
const RTBM = SPP_DATASETS['spp.rtbm_lmp_sl']

let sim: PublisherSimulator
let config: ConnectorConfig
let catalogue: SppCatalogue

beforeAll(async () => {
  sim = await createPublisherSimulator({ marketRoutes: createSppRoutes({ nodes: NODES }), fixturesDir: null, nodes: { miso: 40, caiso: 40 } })
  // No key or credential: the portal has none.
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL' }
  catalogue = sppCatalogue(sim.model.seed, NODES)
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.setFailureModes([])
})

function client(options: Partial<HttpClientOptions> = {}, events: FetchEvent[] = []) {
  return createHttpClient({
    userAgent: '254Carbon-ingest/test (+ops@example.test)',
    backoff: { initialMs: 10, maxMs: 40 },
    minSpacingMs: { 'spp.portal': 0 },
    onEvent: (e) => events.push(e),
    ...options,
  })
}
const payloadOf = (o: FetchOutcome): FetchedPayload => {
  if (o.kind !== 'payload') throw new Error(`expected a payload for ${o.request.file}, got not-published: ${o.reason}`)
  return o.payload
}

/** Every planned file of `window` fetched and parsed (each must parse cleanly and stay in its request's window). */
async function ingest(dataset: DatasetDefinition, window: Window, now: number): Promise<PriceRecord[]> {
  sim.setNow(new Date(now))
  const c = client()
  const records: PriceRecord[] = []
  for (const request of dataset.plan(window, config, now)) {
    const payload = payloadOf(await c.fetch(request))
    const result = SOURCES[dataset.id].parse(new TextDecoder().decode(payload.bytes), request.file)
    expect(result.errors).toEqual([])
    for (const r of result.records) expect(ms(r.intervalStart) >= request.window.start && ms(r.intervalEnd) <= request.window.end).toBe(true)
    records.push(...result.records)
  }
  return records
}

/** Every location x every interval of `window` exactly once, at the model's components. */
function exact(records: PriceRecord[], window: Window, step: number, run: 'DA' | 'RT5') {
  const keys = records.map((r) => `${r.node}|${r.intervalStart}`)
  expect(new Set(keys).size).toBe(keys.length)
  const starts: number[] = []
  for (let at = window.start; at < window.end; at += step) starts.push(at)
  expect(new Set(records.map((r) => r.node))).toEqual(new Set(catalogue.locations.map((l) => l.name)))
  expect([...new Set(records.map((r) => ms(r.intervalStart)))].sort((a, b) => a - b)).toEqual(starts)
  expect(records).toHaveLength(NODES * starts.length)
  const v = newComponents()
  for (const r of records) {
    sim.model.values('SPP', run, catalogue.byName.get(r.node)!, ms(r.intervalStart), v)
    expect([r.lmp, r.energy, r.congestion, r.loss]).toEqual([v.lmp / 1e4, v.energy / 1e4, v.congestion / 1e4, v.loss / 1e4])
  }
}

describe('SPP DA LMP by settlement location', () => {
  it('fetches the operating days published by now, every location x hour once at the model components', async () => {
    const now = cdt('2026-09-22T15:00:00')
    const window = { start: cdt('2026-09-21T00:00:00'), end: DA.publishedUntil(now) }
    expect(window.end).toBe(cdt('2026-09-24T00:00:00'))
    exact(await ingest(DA, window, now), window, HOUR, 'DA')
  })

  it('the clock-change weeks: 25 hours on 2025-11-02, 23 on 2026-03-08', async () => {
    const fall = { start: cdt('2025-11-01T00:00:00'), end: cst('2025-11-04T00:00:00') }
    const fallRecords = await ingest(DA, fall, cst('2025-11-10T00:00:00'))
    exact(fallRecords, fall, HOUR, 'DA')
    expect(fallRecords.length / NODES).toBe(24 + 25 + 24)
    const spring = { start: cst('2026-03-07T00:00:00'), end: cdt('2026-03-10T00:00:00') }
    const springRecords = await ingest(DA, spring, cdt('2026-03-12T00:00:00'))
    exact(springRecords, spring, HOUR, 'DA')
    expect(springRecords.length / NODES).toBe(24 + 23 + 24)
  })

  it('a day not published yet answers 404: not-published, then the file once it is out', async () => {
    const [request] = DA.plan({ start: cdt('2026-09-23T00:00:00'), end: cdt('2026-09-24T00:00:00') }, config, 0)
    sim.setNow(new Date(cdt('2026-09-22T13:59:00')))
    expect(DA.publishedUntil(cdt('2026-09-22T13:59:00'))).toBe(cdt('2026-09-23T00:00:00'))
    expect(await client().fetch(request!)).toMatchObject({ kind: 'not-published', status: 404 })
    sim.setNow(new Date(cdt('2026-09-22T14:00:00')))
    expect(payloadOf(await client().fetch(request!)).status).toBe(200)
  })

  it('an injected server error (and an HTML maintenance page) is retried through', async () => {
    const [request] = DA.plan({ start: cdt('2026-09-23T00:00:00'), end: cdt('2026-09-24T00:00:00') }, config, 0)
    sim.setNow(new Date(cdt('2026-09-22T15:00:00')))
    const events: FetchEvent[] = []
    sim.setFailureModes([{ mode: 'server-error', feeds: ['spp.da_lmp_sl'], times: 1 }])
    const payload = payloadOf(await client({}, events).fetch(request!))
    expect(payload.attempts).toBe(2)
    expect(events.some((e) => e.type === 'retry' && e.reason === 'HTTP 503 Service Unavailable')).toBe(true)
    sim.setFailureModes([{ mode: 'html', feeds: ['spp.da_lmp_sl'], times: 1 }])
    expect(payloadOf(await client().fetch(request!)).attempts).toBe(2)
    expect(SOURCES['spp.da_lmp_sl'].parse(new TextDecoder().decode(payload.bytes), request!.file).records).toHaveLength(NODES * 24)
  })
})

describe('SPP RTBM LMP by settlement location', () => {
  it('fetches the intervals published by now, one file each, at the model components', async () => {
    const now = cdt('2026-09-23T12:07:00')
    const window = { start: cdt('2026-09-23T11:00:00'), end: RTBM.publishedUntil(now) }
    expect(window.end).toBe(cdt('2026-09-23T12:05:00'))
    exact(await ingest(RTBM, window, now), window, FIVE, 'RT5')
  })

  it('the fall-back night: 48 files from 00:00 CDT to 03:00 CST, the repeated hour in the d files', async () => {
    const window = { start: cdt('2025-11-02T00:00:00'), end: cst('2025-11-02T03:00:00') }
    expect(RTBM.plan(window, config, 0).filter((r) => r.file.endsWith('d.csv'))).toHaveLength(12)
    exact(await ingest(RTBM, window, cst('2025-11-02T04:00:00')), window, FIVE, 'RT5')
  })

  it('the spring night: 36 files from 00:00 CST to 04:00 CDT', async () => {
    const window = { start: cst('2026-03-08T00:00:00'), end: cdt('2026-03-08T04:00:00') }
    const records = await ingest(RTBM, window, cdt('2026-03-08T05:00:00'))
    exact(records, window, FIVE, 'RT5')
    expect(records.length / NODES).toBe(36)
  })

  it('an interval just ended is not-published until two minutes after its end', async () => {
    const [request] = RTBM.plan({ start: cdt('2026-09-23T12:00:00'), end: cdt('2026-09-23T12:05:00') }, config, 0)
    sim.setNow(new Date(cdt('2026-09-23T12:06:59')))
    expect(await client().fetch(request!)).toMatchObject({ kind: 'not-published', status: 404 })
    sim.setNow(new Date(cdt('2026-09-23T12:07:00')))
    expect(payloadOf(await client().fetch(request!)).status).toBe(200)
  })

  it('an injected server error is retried through; a file truncated by the portal is a row issue', async () => {
    const [request] = RTBM.plan({ start: cdt('2026-09-23T12:00:00'), end: cdt('2026-09-23T12:05:00') }, config, 0)
    sim.setNow(new Date(cdt('2026-09-23T13:00:00')))
    sim.setFailureModes([{ mode: 'server-error', feeds: ['spp.rtbm_lmp_sl'], times: 1 }])
    expect(payloadOf(await client().fetch(request!)).attempts).toBe(2)
    sim.setFailureModes([{ mode: 'truncated', feeds: ['spp.rtbm_lmp_sl'], times: 1 }])
    const cut = payloadOf(await client().fetch(request!))
    const result = SOURCES['spp.rtbm_lmp_sl'].parse(new TextDecoder().decode(cut.bytes), request!.file)
    expect(result.records.length).toBeLessThan(NODES)
  })

  it('needs no credentials: available without any key', () => {
    for (const dataset of [DA, RTBM]) expect(dataset.available({ urls: config.urls, caisoNodes: 'ALL' })).toBe(true)
  })
})
