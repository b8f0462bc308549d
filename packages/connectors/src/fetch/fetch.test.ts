import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FETCH_DATASETS } from './datasets.ts'
import { fetchWindow } from './fetch.ts'
import { createHttpClient } from './http.ts'
import { reply, startTestServer, type TestServer } from './test-server.ts'
import type { ConnectorConfig, DatasetDefinition, FetchOutcome, FetchRequest } from './types.ts'
import { simulatorUrls } from './urls.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const http = () => createHttpClient({ userAgent: 'test', sleep: async () => {}, random: () => 0 })
const config = (): ConnectorConfig => ({ urls: simulatorUrls(server.url), caisoNodes: 'ALL' })
async function collect(outcomes: AsyncIterable<FetchOutcome>): Promise<FetchOutcome[]> {
  const out: FetchOutcome[] = []
  for await (const o of outcomes) out.push(o)
  return out
}
const describeOutcome = (o: FetchOutcome) => (o.kind === 'payload' ? `${o.payload.request.file}:${new TextDecoder().decode(o.payload.bytes)}` : `${o.request.file}:${o.kind}`)

/** A paged API for the test: each answer says which page comes next (`next=N`) or `end`. */
function pagedDataset(base: string): DatasetDefinition {
  const page = (name: string, n: number): FetchRequest => ({
    dataset: 'miso.api.rt5_expost',
    url: `${base}/paged/${name}?page=${n}`,
    window: { start: 0, end: 1 },
    file: `${name}-${n}.json`,
    rateGroup: 'paged',
  })
  return {
    ...FETCH_DATASETS['miso.api.rt5_expost'],
    plan: () => [page('a', 1), page('b', 1)],
    nextPage(payload) {
      const text = new TextDecoder().decode(payload.bytes)
      const next = /next=(\d+)/.exec(text)
      return next ? page(payload.request.file.split('-')[0]!, Number(next[1])) : null
    },
  }
}

/** A listing dataset for the test: the list names documents (`doc=N` per line), each a request of its own. */
function listingDataset(base: string): DatasetDefinition {
  const document = (n: string): FetchRequest => ({ dataset: 'ercot.dam_spp', url: `${base}/doc?id=${n}`, window: { start: 0, end: 1 }, file: `doc-${n}.csv`, rateGroup: 'listing' })
  return {
    ...FETCH_DATASETS['miso.api.rt5_expost'],
    plan: () => [{ dataset: 'ercot.dam_spp', url: `${base}/list`, window: { start: 0, end: 1 }, file: 'list.json', rateGroup: 'listing', listing: true }],
    locate: (payload) => [...new TextDecoder().decode(payload.bytes).matchAll(/doc=(\d+)/g)].map((m) => document(m[1]!)),
  }
}

describe('fetchWindow', () => {
  it('fetches a listing, then every document it locates, in its order', async () => {
    server.on('/list', (_req, res) => reply(res, 200, {}, 'doc=7\ndoc=3'))
    server.on('/doc?id=7', (_req, res) => reply(res, 200, {}, 'seven'))
    server.on('/doc?id=3', (_req, res) => reply(res, 200, {}, 'three'))
    const outcomes = await collect(fetchWindow(http(), listingDataset(server.url), { start: 0, end: 1 }, config(), { now: 0 }))
    expect(outcomes.map(describeOutcome)).toEqual(['list.json:doc=7\ndoc=3', 'doc-7.csv:seven', 'doc-3.csv:three'])
  })

  it('yields one outcome per planned request, in order, following pages', async () => {
    server.on('/paged/a?page=1', (_req, res) => reply(res, 200, {}, 'next=2'))
    server.on('/paged/a?page=2', (_req, res) => reply(res, 200, {}, 'next=3'))
    server.on('/paged/a?page=3', (_req, res) => reply(res, 200, {}, 'end'))
    server.on('/paged/b?page=1', (_req, res) => reply(res, 200, {}, 'end'))
    const outcomes = await collect(fetchWindow(http(), pagedDataset(server.url), { start: 0, end: 1 }, config(), { now: 0 }))
    expect(outcomes.map(describeOutcome)).toEqual(['a-1.json:next=2', 'a-2.json:next=3', 'a-3.json:end', 'b-1.json:end'])
  })

  it('goes on past a file that is not published yet (MISO reports, one per market day)', async () => {
    server.on('/marketreports/20260714_da_expost_lmp.csv', (_req, res) => reply(res, 200, { 'Content-Type': 'text/csv' }, 'day 14'))
    server.on('/marketreports/20260715_da_expost_lmp.csv', (_req, res) => reply(res, 404, {}, 'not found'))
    const window = { start: Date.parse('2026-07-14T05:00:00Z'), end: Date.parse('2026-07-16T05:00:00Z') }
    const outcomes = await collect(fetchWindow(http(), FETCH_DATASETS['miso.da_expost_lmp'], window, config(), { now: window.start }))
    expect(outcomes.map(describeOutcome)).toEqual(['20260714_da_expost_lmp.csv:day 14', '20260715_da_expost_lmp.csv:not-published'])
  })

  it('stops when the caller aborts between requests', async () => {
    server.on('/marketreports/20260714_da_expost_lmp.csv', (_req, res) => reply(res, 200, { 'Content-Type': 'text/csv' }, 'day 14'))
    const controller = new AbortController()
    const window = { start: Date.parse('2026-07-14T05:00:00Z'), end: Date.parse('2026-07-16T05:00:00Z') }
    const seen: string[] = []
    const run = async () => {
      for await (const o of fetchWindow(http(), FETCH_DATASETS['miso.da_expost_lmp'], window, config(), { now: 0, signal: controller.signal })) {
        seen.push(describeOutcome(o))
        controller.abort()
      }
    }
    await expect(run()).rejects.toMatchObject({ name: 'AbortError' })
    expect(seen).toEqual(['20260714_da_expost_lmp.csv:day 14'])
  })

  it('refuses a dataset the configuration does not allow', async () => {
    const unavailable: DatasetDefinition = { ...FETCH_DATASETS['miso.api.exante'], available: () => false }
    await expect(collect(fetchWindow(http(), unavailable, { start: 0, end: 1 }, config(), { now: 0 }))).rejects.toThrow(/miso.api.exante is not available/)
  })
})
