/**
 * ERCOT MIS on the simulator over real HTTP, with the connectors' own datasets, HTTP client and
 * parsers, as the ingest uses them: plan -> the listing -> locate -> each document -> unzip -> parse.
 */
import {
  type ConnectorConfig,
  createHttpClient,
  type DatasetDefinition,
  FetchError,
  type FetchEvent,
  type FetchedPayload,
  type FetchOutcome,
  type FetchRequest,
  type HttpClientOptions,
  SOURCES,
  simulatorUrls,
  unpackPayload,
  type Window,
} from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
// Not exported from @carbon/connectors' index (yet).
import { ERCOT_DATASETS, ERCOT_MIN_SPACING_MS } from '../../connectors/src/fetch/ercot.ts'
import { ercotDamPrice, ercotRtPrice } from './formats/ercot.ts'
import { type ErcotCatalogue, ercotCatalogue, createErcotRoutes } from './markets/ercot.ts'
import { createPublisherSimulator, type PublisherSimulator } from './server.ts'

const NODES = 30
const HOUR = 3_600_000
const QUARTER = 900_000
const ms = (iso: string) => Date.parse(iso)
const cdt = (naive: string) => ms(`${naive}-05:00`)
const cst = (naive: string) => ms(`${naive}-06:00`)
const DAM = ERCOT_DATASETS['ercot.dam_spp']
const RT = ERCOT_DATASETS['ercot.rt_spp']

let sim: PublisherSimulator
let config: ConnectorConfig
let catalogue: ErcotCatalogue
let ewCount: number

beforeAll(async () => {
  sim = await createPublisherSimulator({ marketRoutes: createErcotRoutes({ nodes: NODES }), fixturesDir: null, nodes: { miso: 40, caiso: 40 } })
  // No key or credential: MIS has none.
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL' }
  catalogue = ercotCatalogue(sim.model.seed, NODES)
  ewCount = catalogue.points.filter((p) => p.ew).length
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
    minSpacingMs: { 'ercot.mis': 0 },
    onEvent: (e) => events.push(e),
    ...options,
  })
}
const payloadOf = (o: FetchOutcome): FetchedPayload => {
  if (o.kind !== 'payload') throw new Error(`expected a payload for ${o.request.file}, got not-published: ${o.reason}`)
  return o.payload
}

type Ingested = { listing: FetchedPayload; documents: FetchRequest[]; records: PriceRecord[] }

/** What the ingest does with a window: the one listing, `locate`, then every document unzipped and parsed. */
async function ingest(dataset: DatasetDefinition, window: Window, now: number, c = client()): Promise<Ingested> {
  sim.setNow(new Date(now))
  const requests = dataset.plan(window, config, now)
  expect(requests).toHaveLength(1)
  expect(requests[0]!.listing).toBe(true)
  const listing = payloadOf(await c.fetch(requests[0]!))
  const documents = dataset.locate!(listing)
  const records: PriceRecord[] = []
  for (const document of documents) {
    const payload = payloadOf(await c.fetch(document))
    for (const doc of unpackPayload(payload.bytes, document.file)) {
      const result = SOURCES[dataset.id].parse(doc.text, doc.file)
      expect(result.errors).toEqual([])
      for (const record of result.records) expect(ms(record.intervalStart) >= document.window.start && ms(record.intervalEnd) <= document.window.end).toBe(true)
      records.push(...result.records)
    }
  }
  return { listing, documents, records }
}

/** Every node x every interval of `window` exactly once. */
function coversExactly(records: PriceRecord[], nodes: readonly string[], window: Window, step: number) {
  const keys = records.map((r) => `${r.node}|${r.intervalStart}`)
  expect(new Set(keys).size).toBe(keys.length)
  const starts: number[] = []
  for (let at = window.start; at < window.end; at += step) starts.push(at)
  expect(new Set(records.map((r) => r.node))).toEqual(new Set(nodes))
  expect([...new Set(records.map((r) => ms(r.intervalStart)))].sort((a, b) => a - b)).toEqual(starts)
  expect(records).toHaveLength(nodes.length * starts.length)
}

const damNames = () => catalogue.points.map((p) => p.name)
const rtNames = () => catalogue.points.flatMap((p) => (p.ew ? [p.name, `${p.name}_EW`] : [p.name]))
function damValuesMatch(records: PriceRecord[]) {
  const byName = new Map(catalogue.points.map((p) => [p.name, p]))
  for (const r of records) expect(r.lmp).toBe(ercotDamPrice(sim.model, byName.get(r.node)!, ms(r.intervalStart)) / 100)
}
function rtValuesMatch(records: PriceRecord[]) {
  const byName = new Map(catalogue.points.map((p) => [p.name, p]))
  for (const r of records) {
    const ew = r.node.endsWith('_EW')
    expect(r.lmp).toBe(ercotRtPrice(sim.model, byName.get(ew ? r.node.slice(0, -3) : r.node)!, ms(r.intervalStart), ew) / 100)
  }
}

describe('ERCOT DAM settlement point prices (NP4-190-CD)', () => {
  it('fetches the days published by now: one listing, one zip per day, every point x hour once at the model price', async () => {
    const now = cdt('2026-06-11T13:00:00')
    const window = { start: cdt('2026-06-10T00:00:00'), end: DAM.publishedUntil(now) }
    expect(window.end).toBe(cdt('2026-06-13T00:00:00'))
    const { documents, records } = await ingest(DAM, window, now)
    expect(documents.map((d) => d.window)).toEqual([0, 1, 2].map((i) => ({ start: window.start + i * 24 * HOUR, end: window.start + (i + 1) * 24 * HOUR })))
    expect(documents.every((d) => /^cdr\.00012331\.0000000000000000\.\d{8}\.\d{9}\.DAMSPNP4190_csv\.zip$/.test(d.file))).toBe(true)
    coversExactly(records, damNames(), window, HOUR)
    damValuesMatch(records)
  })

  it('the clock-change weeks: 25 hours on 2025-11-02, 23 on 2026-03-08', async () => {
    const fall = { start: cdt('2025-11-01T00:00:00'), end: cst('2025-11-04T00:00:00') }
    const fallRecords = (await ingest(DAM, fall, cst('2025-11-05T00:00:00'))).records
    coversExactly(fallRecords, damNames(), fall, HOUR)
    expect(fallRecords.length / NODES).toBe(24 + 25 + 24)
    damValuesMatch(fallRecords)
    const spring = { start: cst('2026-03-07T00:00:00'), end: cdt('2026-03-10T00:00:00') }
    const springRecords = (await ingest(DAM, spring, cdt('2026-03-12T00:00:00'))).records
    coversExactly(springRecords, damNames(), spring, HOUR)
    expect(springRecords.length / NODES).toBe(24 + 23 + 24)
  })

  it('a day not published yet is not listed; its document answers 404 (an error, not retried)', async () => {
    const tomorrow = { start: cdt('2026-06-12T00:00:00'), end: cdt('2026-06-13T00:00:00') }
    expect(DAM.publishedUntil(cdt('2026-06-11T12:50:00'))).toBe(tomorrow.start)
    const early = await ingest(DAM, tomorrow, cdt('2026-06-11T12:50:00'))
    expect(early.documents).toEqual([])
    const later = await ingest(DAM, tomorrow, cdt('2026-06-11T12:51:00'))
    expect(later.documents).toHaveLength(1)
    sim.setNow(new Date(cdt('2026-06-11T12:50:00')))
    const error = await client()
      .fetch(later.documents[0]!)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FetchError)
    expect(error).toMatchObject({ status: 404, attempts: 1, retryable: false })
  })

  it('the list forgets documents after a month: backfill reaches back 31 days of postings', async () => {
    const now = cdt('2026-06-11T13:00:00')
    const edge = { start: cdt('2026-05-11T00:00:00'), end: cdt('2026-05-13T00:00:00') }
    const { documents } = await ingest(DAM, edge, now)
    // Delivery 05-12 (posted 05-11) is still listed, 05-11 (posted 05-10) is gone.
    expect(documents.map((d) => d.window.start)).toEqual([cdt('2026-05-12T00:00:00')])
  })

  it('an injected server error on the listing and on a document is retried through', async () => {
    const now = cdt('2026-06-11T13:00:00')
    const window = { start: cdt('2026-06-12T00:00:00'), end: cdt('2026-06-13T00:00:00') }
    sim.setNow(new Date(now))
    sim.setFailureModes([{ mode: 'server-error', feeds: ['ercot.dam_spp'], times: 1 }])
    const events: FetchEvent[] = []
    const c = client({}, events)
    const [listing] = DAM.plan(window, config, now)
    const listed = payloadOf(await c.fetch(listing!))
    expect(listed.attempts).toBe(2)
    const [document] = DAM.locate!(listed)
    sim.setFailureModes([{ mode: 'server-error', feeds: ['ercot.dam_spp'], times: 1 }])
    const payload = payloadOf(await c.fetch(document!))
    expect(payload.attempts).toBe(2)
    expect(events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.reason : ''))).toEqual(['HTTP 503 Service Unavailable', 'HTTP 503 Service Unavailable'])
    const [doc] = unpackPayload(payload.bytes, document!.file)
    expect(SOURCES['ercot.dam_spp'].parse(doc!.text, doc!.file).records).toHaveLength(NODES * 24)
  })

  it('a corrupt zip is a ParseError of the document, the listing untouched', async () => {
    const now = cdt('2026-06-11T13:00:00')
    sim.setNow(new Date(now))
    const [listing] = DAM.plan({ start: cdt('2026-06-12T00:00:00'), end: cdt('2026-06-13T00:00:00') }, config, now)
    const c = client()
    const [document] = DAM.locate!(payloadOf(await c.fetch(listing!)))
    sim.setFailureModes([{ mode: 'corrupt-zip', feeds: ['ercot.dam_spp'], times: 1 }])
    const payload = payloadOf(await c.fetch(document!))
    expect(() => unpackPayload(payload.bytes, document!.file)).toThrow(/corrupt zip/)
  })

  it('spaces MIS requests a second apart with the connector spacing', async () => {
    const events: FetchEvent[] = []
    const started: number[] = []
    const c = client({ minSpacingMs: ERCOT_MIN_SPACING_MS }, events)
    const now = cdt('2026-06-11T13:00:00')
    const window = { start: cdt('2026-06-12T00:00:00'), end: cdt('2026-06-13T00:00:00') }
    sim.setNow(new Date(now))
    const [listing] = DAM.plan(window, config, now)
    started.push(performance.now())
    const [document] = DAM.locate!(payloadOf(await c.fetch(listing!)))
    payloadOf(await c.fetch(document!))
    started.push(performance.now())
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(990)
    expect(events.filter((e) => e.type === 'request')).toHaveLength(2)
  })
})

describe('ERCOT real-time settlement point prices (NP6-905-CD)', () => {
  it('fetches the quarters published by now: every point (and energy-weighted zone) x quarter once at the model price', async () => {
    const now = cdt('2026-06-11T13:32:00')
    const window = { start: cdt('2026-06-11T12:00:00'), end: RT.publishedUntil(now) }
    expect(window.end).toBe(cdt('2026-06-11T13:30:00'))
    const { documents, records } = await ingest(RT, window, now)
    expect(documents).toHaveLength(6)
    expect(documents.at(-1)!.file).toMatch(/^cdr\.00012301\.0000000000000000\.20260611\.133201\d{3}\.SPPHLZNP6905_20260611_1330_csv\.zip$/)
    coversExactly(records, rtNames(), window, QUARTER)
    rtValuesMatch(records)
    expect(records.filter((r) => r.node.endsWith('_EW'))).toHaveLength(ewCount * 6)
  })

  it('the fall-back night: 16 quarters from 00:00 CDT to 03:00 CST, the repeated hour told apart', async () => {
    const window = { start: cdt('2025-11-02T00:00:00'), end: cst('2025-11-02T03:00:00') }
    const { documents, records } = await ingest(RT, window, cst('2025-11-02T04:00:00'))
    expect(documents).toHaveLength(16)
    coversExactly(records, rtNames(), window, QUARTER)
    rtValuesMatch(records)
  })

  it('the spring night: 12 quarters from 00:00 CST to 04:00 CDT', async () => {
    const window = { start: cst('2026-03-08T00:00:00'), end: cdt('2026-03-08T04:00:00') }
    const { records } = await ingest(RT, window, cdt('2026-03-08T05:00:00'))
    coversExactly(records, rtNames(), window, QUARTER)
    expect(records.length / rtNames().length).toBe(12)
  })

  it('a quarter not out yet is not listed', async () => {
    const window = { start: cdt('2026-06-11T13:15:00'), end: cdt('2026-06-11T13:45:00') }
    const { documents } = await ingest(RT, window, cdt('2026-06-11T13:31:59'))
    expect(documents).toEqual([])
    const later = await ingest(RT, window, cdt('2026-06-11T13:32:00'))
    expect(later.documents.map((d) => d.window)).toEqual([{ start: cdt('2026-06-11T13:15:00'), end: cdt('2026-06-11T13:30:00') }])
  })

  it('needs no credentials: available without any key', () => {
    for (const dataset of [DAM, RT]) expect(dataset.available({ urls: config.urls, caisoNodes: 'ALL' })).toBe(true)
  })
})
