/**
 * NYISO MIS on the simulator over real HTTP, with the connectors' own NYISO datasets, the real
 * HTTP client and the registered parsers (through unpackPayload for the monthly zips): records
 * cover the planned windows exactly (the 23- and 25-hour days, today's growing real-time file,
 * older days from the zips), every value is the price model's with the canonical congestion
 * sign, a file not out yet is `not-published` (404), and an injected 503 is retried through.
 * NYISO needs no credentials, so there is no 401 case.
 */
import {
  type ConnectorConfig,
  createHttpClient,
  type FetchedPayload,
  type FetchOutcome,
  type FetchRequest,
  SOURCES,
  simulatorUrls,
  unpackPayload,
  type Window,
} from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
// Not yet exported from @carbon/connectors' index.
import { NYISO_DATASETS, type NyisoSourceId } from '../../connectors/src/fetch/nyiso.ts'
import { createNyisoRoutes, nyisoZones } from './markets/nyiso.ts'
import { newComponents } from './prices.ts'
import { createPublisherSimulator, type PublisherSimulator } from './server.ts'

const HOUR = 3_600_000
const FIVE = 300_000
const at = (text: string) => Date.parse(text)
const win = (start: string, end: string): Window => ({ start: at(start), end: at(end) })

let sim: PublisherSimulator
let config: ConnectorConfig

beforeAll(async () => {
  sim = await createPublisherSimulator({ marketRoutes: createNyisoRoutes(), fixturesDir: null, nodes: { miso: 40, caiso: 40 } })
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL' }
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.setFailureModes([])
})

function client() {
  return createHttpClient({ userAgent: '254Carbon-ingest/test (+ops@example.test)', backoff: { initialMs: 10, maxMs: 40 }, maxAttempts: 3, minSpacingMs: { 'nyiso.mis': 0 } })
}
const payloadOf = (o: FetchOutcome): FetchedPayload => {
  if (o.kind !== 'payload') throw new Error(`expected a payload for ${o.request.file}, got not-published: ${o.reason}`)
  return o.payload
}

type Walk = { records: PriceRecord[]; requests: FetchRequest[]; attempts: number[]; documents: string[] }

/** Every planned request of `id` for `window` at `now`, unpacked and parsed (no issue allowed). */
async function walk(id: NyisoSourceId, window: Window, now: number): Promise<Walk> {
  sim.setNow(new Date(now))
  const out: Walk = { records: [], requests: NYISO_DATASETS[id].plan(window, config, now), attempts: [], documents: [] }
  const c = client()
  for (const request of out.requests) {
    const payload = payloadOf(await c.fetch(request))
    out.attempts.push(payload.attempts)
    for (const doc of unpackPayload(payload.bytes, request.file)) {
      const result = SOURCES[id].parse(doc.text, doc.file)
      expect(result.errors).toEqual([])
      out.records.push(...result.records)
      out.documents.push(doc.file)
    }
  }
  return out
}

/** The records of `window`: every zone x interval exactly once, each the model's value (cents). */
function expectExactly(id: NyisoSourceId, all: readonly PriceRecord[], window: Window, step: number) {
  const records = all.filter((r) => Date.parse(r.intervalStart) >= window.start && Date.parse(r.intervalStart) < window.end)
  const zones = nyisoZones(sim.model)
  expect(records).toHaveLength(zones.length * ((window.end - window.start) / step))
  const keys = new Set(records.map((r) => `${r.node}|${Date.parse(r.intervalStart)}`))
  expect(keys.size).toBe(records.length)
  const missing: string[] = []
  for (const z of zones) for (let t = window.start; t < window.end; t += step) if (!keys.has(`${z.name}|${t}`)) missing.push(`${z.name}|${t}`)
  expect(missing).toEqual([])
  const byName = new Map(zones.map((z) => [z.name, z]))
  const c = newComponents()
  const wrong = records.find((r) => {
    sim.model.values('NYISO', id === 'nyiso.damlbmp_zone' ? 'DA' : 'RT5', byName.get(r.node)!.node, Date.parse(r.intervalStart), c)
    const got = [r.lmp, r.energy, r.congestion, r.loss].map((x) => Math.round(x! * 100))
    return got.join() !== [c.lmp, c.energy, c.congestion, c.loss].join() || Date.parse(r.intervalEnd) - Date.parse(r.intervalStart) !== step
  })
  expect(wrong).toBeUndefined()
}

describe('NYISO MIS through the connectors', () => {
  it('day-ahead: the 25-hour day and the next, published the day before at 11:00', async () => {
    const now = at('2026-11-01T11:00-05:00')
    const window = { start: at('2026-11-01T00:00-04:00'), end: NYISO_DATASETS['nyiso.damlbmp_zone'].publishedUntil(now) }
    expect(window.end).toBe(at('2026-11-03T00:00-05:00'))
    const got = await walk('nyiso.damlbmp_zone', window, now)
    expect(got.requests.map((r) => r.file)).toEqual(['20261101damlbmp_zone.csv', '20261102damlbmp_zone.csv'])
    expect(got.records).toHaveLength(15 * (25 + 24))
    expectExactly('nyiso.damlbmp_zone', got.records, window, HOUR)
  })

  it('real-time: yesterday (the 23-hour day) and today so far, up to the last ended interval', async () => {
    const now = at('2026-03-09T10:02-04:00')
    const window = { start: at('2026-03-08T00:00-05:00'), end: NYISO_DATASETS['nyiso.realtime_zone'].publishedUntil(now) }
    const got = await walk('nyiso.realtime_zone', window, now)
    expect(got.requests.map((r) => r.file)).toEqual(['20260308realtime_zone.csv', '20260309realtime_zone_20260309T0400_20260309T1400.csv'])
    expect(got.records).toHaveLength(15 * (23 * 12 + 10 * 12))
    expectExactly('nyiso.realtime_zone', got.records, window, FIVE)
  })

  it('older days from the monthly zips: the window exactly, each interval once', async () => {
    const now = at('2026-09-12T12:00-04:00')
    // day-ahead across two months: two zips
    const da = await walk('nyiso.damlbmp_zone', win('2026-08-30T04:00:00Z', '2026-09-02T04:00:00Z'), now)
    expect(da.requests.map((r) => r.file)).toEqual(['20260801damlbmp_zone_csv.zip', '20260901damlbmp_zone_csv.zip'])
    // each zip holds its whole month (September: the days out by now, through tomorrow)
    expect(da.documents.filter((d) => d.startsWith('20260801'))).toHaveLength(31)
    expect(da.documents.filter((d) => d.startsWith('20260901'))).toHaveLength(13)
    expectExactly('nyiso.damlbmp_zone', da.records, win('2026-08-30T04:00:00Z', '2026-09-02T04:00:00Z'), HOUR)
    // real-time: this month's zip holds the complete days, 09-01 .. 09-11
    const rt = await walk('nyiso.realtime_zone', win('2026-09-01T04:00:00Z', '2026-09-03T04:00:00Z'), now)
    expect(rt.requests.map((r) => r.file)).toEqual(['20260901realtime_zone_csv.zip'])
    expect(rt.documents).toHaveLength(11)
    expectExactly('nyiso.realtime_zone', rt.records, win('2026-09-01T04:00:00Z', '2026-09-03T04:00:00Z'), FIVE)
    for (const got of [da, rt]) {
      const keys = got.records.map((r) => `${r.node}|${r.intervalStart}`)
      expect(new Set(keys).size).toBe(keys.length)
    }
  })

  it('a file not out yet is not-published (404), then fetched once out', async () => {
    const dataset = NYISO_DATASETS['nyiso.damlbmp_zone']
    const before = at('2026-09-22T10:59-04:00')
    const day = win('2026-09-23T04:00:00Z', '2026-09-24T04:00:00Z')
    expect(dataset.publishedUntil(before)).toBe(day.start)
    const [request] = dataset.plan(day, config, before)
    sim.setNow(new Date(before))
    expect(await client().fetch(request!)).toMatchObject({ kind: 'not-published', status: 404, request })
    sim.setNow(new Date(at('2026-09-22T11:00-04:00')))
    expect(SOURCES['nyiso.damlbmp_zone'].parse(new TextDecoder().decode(payloadOf(await client().fetch(request!)).bytes), request!.file).records).toHaveLength(15 * 24)
    // the real-time file of a day not begun
    const [tomorrow] = NYISO_DATASETS['nyiso.realtime_zone'].plan(day, config, before)
    expect(await client().fetch(tomorrow!)).toMatchObject({ kind: 'not-published', status: 404 })
  })

  it('an injected 503 is retried through', async () => {
    sim.setFailureModes([{ mode: 'server-error', feeds: ['nyiso.realtime_zone'], times: 1 }])
    const window = win('2026-09-22T04:00:00Z', '2026-09-23T04:00:00Z')
    const got = await walk('nyiso.realtime_zone', window, at('2026-09-23T12:00-04:00'))
    expect(got.attempts).toEqual([2])
    expectExactly('nyiso.realtime_zone', got.records, window, FIVE)
  })
})
