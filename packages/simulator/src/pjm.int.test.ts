/**
 * PJM Data Miner 2 on the simulator over real HTTP, walked with the connectors' own PJM datasets
 * (plan, nextPage, pageAt), the real HTTP client and the registered parsers: records cover the
 * planned windows exactly (23-, 24- and 25-hour days, a live part of a day), every value is the
 * price model's, prices not posted yet answer Data Miner's empty result, a missing key is a 401
 * FetchError at once, and an injected 503 is retried through.
 */
import {
  type ConnectorConfig,
  createHttpClient,
  FetchError,
  type FetchedPayload,
  type FetchOutcome,
  type FetchRequest,
  ParseError,
  publishedOutcome,
  SOURCES,
  simulatorUrls,
  type Window,
} from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
// Not yet exported from @carbon/connectors' index.
import { PJM_DATASETS, type PjmSourceId } from '../../connectors/src/fetch/pjm.ts'
import { type PjmFeed, pjmPrices } from './formats/pjm.ts'
import { createPjmRoutes, pjmCatalogue } from './markets/pjm.ts'
import { newComponents } from './prices.ts'
import { createPublisherSimulator, type PublisherSimulator } from './server.ts'

/** 180 pnodes: a five-minute day (51,840 to 54,000 rows) takes two pages of 50,000. */
const NODES = 180
const KEY = 'simulated-pjm-key'
const HOUR = 3_600_000
const at = (text: string) => Date.parse(text)
const win = (start: string, end: string): Window => ({ start: at(start), end: at(end) })

let sim: PublisherSimulator
let config: ConnectorConfig

beforeAll(async () => {
  sim = await createPublisherSimulator({ marketRoutes: createPjmRoutes({ nodes: NODES }), fixturesDir: null, nodes: { miso: 40, caiso: 40 } })
  config = { urls: simulatorUrls(sim.url), caisoNodes: 'ALL', pjmKey: KEY }
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.setFailureModes([])
})

function client() {
  return createHttpClient({
    userAgent: '254Carbon-ingest/test (+ops@example.test)',
    backoff: { initialMs: 10, maxMs: 40 },
    maxAttempts: 3,
    // PJM's 10 s spacing is the client's default for real runs; the test does not wait.
    minSpacingMs: { 'pjm.dataminer': 0 },
  })
}
const payloadOf = (o: FetchOutcome): FetchedPayload => {
  if (o.kind !== 'payload') throw new Error(`expected a payload for ${o.request.file}, got not-published: ${o.reason}`)
  return o.payload
}
const text = (payload: FetchedPayload) => new TextDecoder().decode(payload.bytes)

type Walk = { records: PriceRecord[]; files: string[]; attempts: number[]; requests: FetchRequest[] }

/** Every page of every planned request of `id` for `window` at `now`, parsed (no issue allowed). */
async function walk(id: PjmSourceId, window: Window, now: number): Promise<Walk> {
  sim.setNow(new Date(now))
  const dataset = PJM_DATASETS[id]
  const c = client()
  const out: Walk = { records: [], files: [], attempts: [], requests: dataset.plan(window, config, now) }
  for (const first of out.requests) {
    for (let request: FetchRequest | null = first; request; ) {
      const payload = payloadOf(await c.fetch(request))
      const result = SOURCES[id].parse(text(payload), request.file)
      expect(result.errors).toEqual([])
      out.records.push(...result.records)
      out.files.push(request.file)
      out.attempts.push(payload.attempts)
      request = dataset.nextPage!(payload)
    }
  }
  return out
}

/** The records are every pnode x every interval of `window` exactly once, each with the model's prices. */
function expectExactly(feed: PjmFeed, records: readonly PriceRecord[], window: Window, step: number) {
  const pnodes = pjmCatalogue(sim.model, NODES).pnodes
  const intervals = (window.end - window.start) / step
  expect(records).toHaveLength(pnodes.length * intervals)
  const keys = new Set(records.map((r) => `${r.node}|${Date.parse(r.intervalStart)}`))
  expect(keys.size).toBe(records.length)
  const missing: string[] = []
  for (const p of pnodes) for (let t = window.start; t < window.end; t += step) if (!keys.has(`${p.name}|${t}`)) missing.push(`${p.name}|${t}`)
  expect(missing).toEqual([])
  const byName = new Map(pnodes.map((p) => [p.name, p]))
  const c = newComponents()
  // Compared in one expectation (tens of thousands of records): the first record that differs, if any.
  const wrong = records.find((r) => {
    pjmPrices(sim.model, feed, byName.get(r.node)!.node, Date.parse(r.intervalStart), c)
    const got = [r.lmp, r.energy, r.congestion, r.loss].map((x) => Math.round(x! * 1e6))
    return got.join() !== [c.lmp, c.energy, c.congestion, c.loss].join() || Date.parse(r.intervalEnd) - Date.parse(r.intervalStart) !== step
  })
  expect(wrong).toBeUndefined()
}

describe('PJM Data Miner 2 through the connectors', () => {
  it('day-ahead: a published day, one page, equal to the model', async () => {
    const window = win('2026-06-09T04:00:00Z', '2026-06-10T04:00:00Z')
    const got = await walk('pjm.da_hrl_lmps', window, at('2026-06-08T14:00-04:00'))
    expect(got.files).toEqual(['pjm_da_hrl_lmps_20260609_p1.json'])
    expectExactly('da_hrl_lmps', got.records, window, HOUR)
  })

  it('verified five-minute prices of the 25-hour day, in two pages (pageAt names the same page 2)', async () => {
    const window = win('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')
    const now = at('2026-11-02T12:00-05:00')
    const got = await walk('pjm.rt_fivemin_hrl_lmps', window, now)
    expect(got.files).toEqual(['pjm_rt_fivemin_hrl_lmps_20261101_p1.json', 'pjm_rt_fivemin_hrl_lmps_20261101_p2.json'])
    expectExactly('rt_fivemin_hrl_lmps', got.records, window, 300_000)
    // resuming at page 2 (what the ingest does after a failed later page) gives the same rows
    const page2 = payloadOf(await client().fetch(PJM_DATASETS['pjm.rt_fivemin_hrl_lmps'].pageAt!(got.requests[0]!, 2)))
    const records = SOURCES['pjm.rt_fivemin_hrl_lmps'].parse(text(page2), page2.request.file).records
    expect(records).toEqual(got.records.slice(50_000))
  })

  it('verified hourly prices of the 23-hour day: the mean of the twelve five-minute prices', async () => {
    const window = win('2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')
    const got = await walk('pjm.rt_hrl_lmps', window, at('2026-03-09T12:00-04:00'))
    expect(got.records).toHaveLength(pjmCatalogue(sim.model, NODES).pnodes.length * 23)
    expectExactly('rt_hrl_lmps', got.records, window, HOUR)
  })

  it('unverified five-minute prices: the part of today posted so far, latest first, exactly the window', async () => {
    const now = at('2026-06-10T15:18-04:00')
    const got = await walk('pjm.rt_unverified_fivemin_lmps', win('2026-06-10T18:00:00Z', '2026-06-10T20:00:00Z'), now)
    expect(got.requests.map((r) => r.window)).toEqual([win('2026-06-10T18:00:00Z', '2026-06-10T19:15:00Z')])
    expectExactly('rt_unverified_fivemin_lmps', got.records, got.requests[0]!.window, 300_000)
    expect(got.records[0]!.intervalStart).toBe('2026-06-10T19:10:00.000Z')
  })

  it('prices not posted yet: the plan stops at publishedUntil, and Data Miner answers no rows (nextPage refuses the page)', async () => {
    const dataset = PJM_DATASETS['pjm.da_hrl_lmps']
    const day = win('2026-06-11T04:00:00Z', '2026-06-12T04:00:00Z')
    const before = at('2026-06-10T13:29-04:00')
    expect(dataset.publishedUntil(before)).toBe(day.start)
    expect(dataset.plan(day, config, before)).toEqual([])
    // asked anyway (the request planned once it is out), before it is out
    const [request] = dataset.plan(day, config, at('2026-06-10T13:30-04:00'))
    sim.setNow(new Date(before))
    const early = payloadOf(await client().fetch(request!))
    expect(JSON.parse(text(early))).toMatchObject({ items: [], totalRows: 0 })
    expect(SOURCES['pjm.da_hrl_lmps'].parse(text(early), request!.file)).toMatchObject({ records: [], errors: [] })
    expect(() => dataset.nextPage!(early)).toThrow(ParseError)
    // ... which the ingest reads as not published yet, as a 404 elsewhere
    expect(publishedOutcome(dataset, { kind: 'payload', payload: early })).toMatchObject({ kind: 'not-published', status: 200, reason: expect.stringMatching(/^no rows yet/) })
    // an empty answer is never broken by a failure rule (it is not a published answer)
    sim.setFailureModes([{ mode: 'server-error', feeds: ['pjm.da_hrl_lmps'], times: 1 }])
    expect(payloadOf(await client().fetch(request!)).attempts).toBe(1)
    sim.setNow(new Date(at('2026-06-10T13:30-04:00')))
    // the rule is still armed: the first answer with rows fails once and is retried
    const posted = payloadOf(await client().fetch(request!))
    expect(posted.attempts).toBe(2)
    expect(SOURCES['pjm.da_hrl_lmps'].parse(text(posted), request!.file).records).toHaveLength(pjmCatalogue(sim.model, NODES).pnodes.length * 24)
  })

  it('without the key: a 401 FetchError at once, not retried', async () => {
    sim.setNow(new Date(at('2026-06-10T12:00-04:00')))
    const [request] = PJM_DATASETS['pjm.da_hrl_lmps'].plan(win('2026-06-09T04:00:00Z', '2026-06-10T04:00:00Z'), config, at('2026-06-10T12:00-04:00'))
    const { headers: _dropped, ...bare } = request!
    const error = await client()
      .fetch(bare)
      .then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(FetchError)
    expect(error).toMatchObject({ status: 401, attempts: 1, retryable: false })
    expect(new TextDecoder().decode((error as FetchError).bytes!)).toContain('missing subscription key')
    expect(PJM_DATASETS['pjm.da_hrl_lmps'].available({ ...config, pjmKey: undefined })).toBe(false)
  })

  it('an injected 503 is retried through', async () => {
    sim.setFailureModes([{ mode: 'server-error', feeds: ['pjm.rt_hrl_lmps'], times: 1 }])
    const window = win('2026-06-09T04:00:00Z', '2026-06-10T04:00:00Z')
    const got = await walk('pjm.rt_hrl_lmps', window, at('2026-06-10T12:00-04:00'))
    expect(got.attempts).toEqual([2])
    expectExactly('rt_hrl_lmps', got.records, window, HOUR)
  })
})
