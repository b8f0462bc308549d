/**
 * The simulator's MISO Data Exchange pricing API over real HTTP, walked page by page with the
 * connectors' own Data Exchange datasets (plan, nextPage) and parser, and checked against the
 * simulator's market reports and public API for the same days and nodes.
 */
import { ParseError, type ParseResult, SOURCES, type SourceId } from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
// Not yet exported from @carbon/connectors' index.
import { MISO_DX_DATASETS, simulatorUrls } from '@carbon/connectors'
import type { ConnectorConfig, DatasetDefinition, FetchedPayload, FetchRequest } from '../../connectors/src/fetch/types.ts'
import { UNKNOWN_NODE_NAMES } from './failures.ts'
import { createPublisherSimulator, type PublisherSimulator } from './server.ts'

const KEY = 'simulated-subscription-key'
/** Catalogue size asked for; the catalogue also always holds MISO's real names, so read its length. */
const CATALOGUE = 60
const PAGE_SIZE = 250
const est = (naive: string) => Date.parse(`${naive}-05:00`)
const DAY = { start: est('2026-03-10T00:00:00'), end: est('2026-03-11T00:00:00') }

let sim: PublisherSimulator
let config: ConnectorConfig
let nodeCount: number

beforeAll(async () => {
  // No recorded files: every answer is generated from the same price model.
  sim = await createPublisherSimulator({ seed: 254, nodes: { miso: CATALOGUE }, fixturesDir: null, dataExchangePageSize: PAGE_SIZE })
  nodeCount = sim.model.miso.nodes.length
  config = {
    urls: simulatorUrls(sim.url),
    misoDataExchangeKey: KEY,
    caisoNodes: 'ALL',
  }
})
afterAll(async () => {
  await sim.close()
})
afterEach(() => {
  sim.setFailureModes([])
})

async function fetchPage(request: FetchRequest): Promise<FetchedPayload> {
  const res = await fetch(request.url, { headers: request.headers })
  return {
    request,
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    bytes: new Uint8Array(await res.arrayBuffer()),
    fetchedAt: Date.now(),
    lastModified: null,
    attempts: 1,
  }
}

const text = (payload: FetchedPayload) => new TextDecoder().decode(payload.bytes)

/** Every page of every planned request of `dataset`, parsed: the records, the issues, the pages' files. */
async function walk(dataset: DatasetDefinition, now: string): Promise<ParseResult & { files: string[] }> {
  sim.setNow(new Date(est(now)))
  const out: ParseResult & { files: string[] } = { records: [], errors: [], files: [] }
  const requests = dataset.plan(DAY, config, est(now))
  expect(requests).toHaveLength(1)
  for (let request: FetchRequest | null = requests[0]!; request; ) {
    const payload = await fetchPage(request)
    expect(payload.status).toBe(200)
    const result = SOURCES[dataset.id].parse(text(payload), request.file)
    out.records.push(...result.records)
    out.errors.push(...result.errors)
    out.files.push(request.file)
    request = dataset.nextPage!(payload)
  }
  return out
}

/** A market-report CSV of the simulator for the test day, parsed by its own source. */
async function report(name: 'da_expost_lmp' | 'rt_lmp_final', now: string): Promise<PriceRecord[]> {
  sim.setNow(new Date(est(now)))
  const res = await fetch(`${sim.url}/marketreports/20260310_${name}.csv`)
  expect(res.status).toBe(200)
  const result = SOURCES[`miso.${name}` as SourceId].parse(await res.text(), `20260310_${name}.csv`)
  expect(result.errors).toEqual([])
  return result.records
}

const values = (records: readonly PriceRecord[]) =>
  records
    .map((r) => `${r.node}|${r.intervalStart}|${r.intervalEnd}|${r.lmp}|${r.energy}|${r.congestion}|${r.loss}`)
    .sort()

describe('MISO Data Exchange on the simulator', () => {
  it('serves a day-ahead day in pages whose records equal the market report', async () => {
    const dx = await walk(MISO_DX_DATASETS['miso.dx.da_expost_lmp'], '2026-03-09T15:00:00')
    expect(dx.errors).toEqual([])
    expect(dx.records).toHaveLength(nodeCount * 24)
    expect(dx.files).toEqual(Array.from({ length: Math.ceil((nodeCount * 24) / PAGE_SIZE) }, (_, i) => `20260310_dx_da_expost_lmp_p${i + 1}.json`))
    expect(new Set(dx.records.map((r) => r.intervalStart)).size).toBe(24)
    expect(dx.records.every((r) => r.run === 'DA' && r.source === 'miso.dx.da_expost_lmp')).toBe(true)
    const csv = await report('da_expost_lmp', '2026-03-09T15:00:00')
    expect(csv).toHaveLength(nodeCount * 24)
    expect(values(dx.records)).toEqual(values(csv))
  })

  it('serves final hourly real-time prices equal to the rt_lmp_final report', async () => {
    const dx = await walk(MISO_DX_DATASETS['miso.dx.rt_expost_lmp_final'], '2026-03-16T07:00:00')
    expect(dx.errors).toEqual([])
    expect(dx.records).toHaveLength(nodeCount * 24)
    expect(values(dx.records)).toEqual(values(await report('rt_lmp_final', '2026-03-16T07:00:00')))
  })

  it('serves the five-minute ex-post day equal to the public API GetRealTimeFiveMinExPost/Previous', async () => {
    const dx = await walk(MISO_DX_DATASETS['miso.dx.rt_expost_lmp_5min'], '2026-03-11T07:00:00')
    expect(dx.errors).toEqual([])
    expect(dx.records).toHaveLength(nodeCount * 288)
    const res = await fetch(`${sim.url}/api/MarketPricing/GetRealTimeFiveMinExPost/Previous`)
    const previous = SOURCES['miso.api.rt5_expost'].parse(await res.text(), 'Previous.json')
    expect(previous.errors).toEqual([])
    expect(values(dx.records)).toEqual(values(previous.records))
  })

  it('answers 401 without a subscription key, and 404 for a route it does not have', async () => {
    sim.setNow(new Date(est('2026-03-09T15:00:00')))
    const url = `${config.urls.misoDataExchange}/day-ahead/2026-03-10/lmp-expost?pageNumber=1`
    for (const headers of [{}, { 'Ocp-Apim-Subscription-Key': '' }] as Record<string, string>[]) {
      const res = await fetch(url, { headers })
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ statusCode: 401, message: expect.stringContaining('missing subscription key') })
    }
    const unknown = await fetch(`${config.urls.misoDataExchange}/day-ahead/2026-03-10/lmp-exante`, { headers: { 'Ocp-Apim-Subscription-Key': KEY } })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({ statusCode: 404, message: 'Resource not found' })
    const badDate = await fetch(`${config.urls.misoDataExchange}/day-ahead/20260310/lmp-expost`, { headers: { 'Ocp-Apim-Subscription-Key': KEY } })
    expect(badDate.status).toBe(400)
  })

  it('accepts only its own key when given one', async () => {
    const strict = await createPublisherSimulator({ seed: 254, nodes: { miso: CATALOGUE }, fixturesDir: null, dataExchangeKey: KEY })
    try {
      strict.setNow(new Date(est('2026-03-09T15:00:00')))
      const url = `${strict.url}/dx/pricing/v1/day-ahead/2026-03-10/lmp-expost`
      const wrong = await fetch(url, { headers: { 'Ocp-Apim-Subscription-Key': 'another-key' } })
      expect(wrong.status).toBe(401)
      expect(await wrong.json()).toEqual({ statusCode: 401, message: expect.stringContaining('invalid subscription key') })
      const right = await fetch(url, { headers: { 'Ocp-Apim-Subscription-Key': KEY } })
      expect(right.status).toBe(200)
      // default page size: 1,000 of the day's nodeCount x 24 records
      expect(SOURCES['miso.dx.da_expost_lmp'].parse(await right.text(), 'p1.json').records).toHaveLength(Math.min(1000, nodeCount * 24))
    } finally {
      await strict.close()
    }
  })

  it('answers 404 until a day is published', async () => {
    const first = (id: keyof typeof MISO_DX_DATASETS, now: string) => MISO_DX_DATASETS[id].plan(DAY, config, est(now))
    const status = async (request: FetchRequest | undefined, now: string) => {
      sim.setNow(new Date(est(now)))
      expect(request).toBeDefined()
      return (await fetch(request!.url, { headers: request!.headers })).status
    }
    // Day-ahead ex post of 03-10 from 03-09 14:00 EST.
    const [da] = first('miso.dx.da_expost_lmp', '2026-03-09T14:00:00')
    expect(await status(da, '2026-03-09T13:59:00')).toBe(404)
    expect(await status(da, '2026-03-09T14:00:00')).toBe(200)
    // Five-minute ex post of 03-10 from the next morning; the connector waits for MISO's 07:00.
    expect(first('miso.dx.rt_expost_lmp_5min', '2026-03-11T06:59:00')).toEqual([])
    const [rt5] = first('miso.dx.rt_expost_lmp_5min', '2026-03-11T07:00:00')
    expect(await status(rt5, '2026-03-11T05:59:00')).toBe(404)
    expect(await status(rt5, '2026-03-11T07:00:00')).toBe(200)
    // Final hourly prices of 03-10 from 03-16 06:00 EST; before that no data is flagged Final.
    const [final] = first('miso.dx.rt_expost_lmp_final', '2026-03-16T06:00:00')
    expect(await status(final, '2026-03-12T12:00:00')).toBe(404)
    expect(await status(final, '2026-03-16T06:00:00')).toBe(200)
  })

  it('flags real-time prices Preliminary, then Final', async () => {
    const url = `${config.urls.misoDataExchange}/real-time/2026-03-10/lmp-expost?timeResolution=hourly`
    const flags = async (now: string) => {
      sim.setNow(new Date(est(now)))
      const body = (await (await fetch(url, { headers: { 'Ocp-Apim-Subscription-Key': KEY } })).json()) as { data: { preliminaryFinal: string }[] }
      return new Set(body.data.map((r) => r.preliminaryFinal))
    }
    expect(await flags('2026-03-12T12:00:00')).toEqual(new Set(['Preliminary']))
    expect(await flags('2026-03-16T06:00:00')).toEqual(new Set(['Final']))
  })

  it('answers with the failures asked for', async () => {
    sim.setNow(new Date(est('2026-03-09T15:00:00')))
    const [request] = MISO_DX_DATASETS['miso.dx.da_expost_lmp'].plan(DAY, config, est('2026-03-09T15:00:00'))
    const broken = async (mode: 'html' | 'empty' | 'truncated' | 'changed-header' | 'non-numeric' | 'unknown-node' | 'duplicate-edges' | 'server-error') => {
      sim.setFailureModes([{ mode, feeds: ['miso.dx.da_expost_lmp'], times: 1 }])
      return fetchPage(request!)
    }
    const parse = (payload: FetchedPayload) => SOURCES['miso.dx.da_expost_lmp'].parse(text(payload), payload.request.file)
    const parseError = (payload: FetchedPayload) => {
      try {
        parse(payload)
      } catch (error) {
        expect(error).toBeInstanceOf(ParseError)
        return error as ParseError
      }
      throw new Error('expected a ParseError')
    }
    expect(parseError(await broken('html')).reason).toMatch(/HTML page/)
    expect(parseError(await broken('empty')).reason).toBe('empty file')
    expect(parseError(await broken('truncated')).field).toBe('(json)')
    expect(parseError(await broken('changed-header'))).toMatchObject({ field: 'mcc', reason: expect.stringContaining('records changed') })
    expect(parse(await broken('non-numeric')).errors).toEqual([
      { file: '20260310_dx_da_expost_lmp_p1.json', line: 1, field: 'lmp', value: 'N/A', reason: 'not a number' },
    ])
    expect(parse(await broken('unknown-node')).records.some((r) => r.node === UNKNOWN_NODE_NAMES.MISO)).toBe(true)
    const repeated = await broken('duplicate-edges')
    expect(JSON.parse(text(repeated)).data).toHaveLength(PAGE_SIZE + 10)
    expect(parse(repeated)).toMatchObject({ errors: [], records: { length: PAGE_SIZE } })
    expect((await broken('server-error')).status).toBe(503)
    expect((await fetchPage(request!)).status).toBe(200)
  })

  it('fails only the pages a rule names: a later page down or not yet out, the earlier ones served', async () => {
    sim.setNow(new Date(est('2026-03-09T15:00:00')))
    const [first] = MISO_DX_DATASETS['miso.dx.da_expost_lmp'].plan(DAY, config, est('2026-03-09T15:00:00'))
    const page = (n: number) => fetch(first!.url.replace('pageNumber=1', `pageNumber=${n}`), { headers: first!.headers })
    sim.setFailureModes([{ mode: 'server-error', feeds: ['miso.dx.da_expost_lmp'], pages: [2] }])
    expect([(await page(1)).status, (await page(2)).status, (await page(3)).status]).toEqual([200, 503, 200])
    sim.setFailureModes([{ mode: 'not-published', feeds: ['miso.dx.da_expost_lmp'], pages: [2], times: 1 }])
    const missing = await page(2)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ message: 'Date not found' })
    expect((await page(2)).status).toBe(200)
  })
})
