import { Validator } from '@seriousme/openapi-schema-validator'
import { createCarbonClient, isCarbonError } from '@carbon/sdk'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parseCsv } from '../support/csv.ts'
import { createApiTokenInHub, launchBrowser, sessionFor, signIn } from './support/browser.ts'

const baseUrl = inject('baseUrl')
/** A personal access token of Quinn Quant (Lakeshore Quant: MISO through the API). */
let token = ''
let closeBrowser: () => Promise<void> = async () => {}

beforeAll(async () => {
  const browser = await launchBrowser()
  closeBrowser = browser.close
  const page = await browser.context.newPage()
  await signIn(page, baseUrl, 'Quinn Quant')
  token = await createApiTokenInHub(page, baseUrl, 'api-e2e', ['read:prices', 'read:curves', 'write:curves'])
}, 120_000)

afterAll(() => closeBrowser())

type OpenApiDoc = { openapi: string; paths: Record<string, Record<string, unknown>> }

async function getJson(path: string) {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { [k: string]: any } }
}

describe('OpenAPI document', () => {
  let doc: OpenApiDoc
  beforeAll(async () => {
    const res = await fetch(`${baseUrl}/api/openapi.json`)
    expect(res.status).toBe(200)
    doc = (await res.json()) as OpenApiDoc
  })

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./)
    const validator = new Validator()
    const result = await validator.validate(doc as never)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('lists every REST procedure under /api/v1, the live price stream and the reports', () => {
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/backtest',
      '/compliance/entries',
      '/compliance/entries/remove',
      '/compliance/positions',
      '/curves',
      '/curves/build',
      '/curves/compare',
      '/curves/history',
      '/curves/points',
      '/exports',
      '/exports/estimate',
      '/exports/{id}',
      '/exports/{id}/cancel',
      '/fuel-curves',
      '/fuel-curves/build',
      '/fuel-curves/points',
      '/markets',
      '/nodes',
      '/prices/history',
      '/prices/latest',
      '/reports/curve',
      '/reports/curve.pdf',
      '/reports/fuels',
      '/reports/fuels.pdf',
      '/reports/market-summary',
      '/reports/market-summary.pdf',
      '/reports/scenario',
      '/reports/scenario.pdf',
      '/scenario-runs',
      '/scenario-runs/diff',
      '/scenario-runs/{runId}',
      '/scenario-runs/{runId}/results',
      '/scenarios',
      '/scenarios/fleet-check',
      '/scenarios/validate',
      '/scenarios/{id}',
      '/scenarios/{id}/runs',
      '/series',
      '/series/basis',
      '/series/history',
      '/series/upload',
      '/stream/prices',
    ])
  })

  it('serves the interactive reference page and its assets', async () => {
    const page = await fetch(`${baseUrl}/api/docs`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('/api/openapi.json')
    const bundle = await fetch(`${baseUrl}/api/docs/assets/swagger-ui-bundle.js`)
    expect(bundle.status).toBe(200)
    expect((await bundle.text()).length).toBeGreaterThan(100_000)
  })
})

describe('REST API', () => {
  it('GET /api/v1/markets lists the markets the token may use (MISO: CAISO has no API) with peak definitions', async () => {
    const { status, body } = await getJson('/api/v1/markets')
    expect(status).toBe(200)
    const ids = body.markets.map((m: { id: string }) => m.id).sort()
    expect(ids).toEqual(['MISO'])
    const miso = body.markets.find((m: { id: string }) => m.id === 'MISO')
    expect(miso.timeZone).toBe('Etc/GMT+5')
    expect(miso.nodeCount).toBeGreaterThan(5)
  })

  it('GET /api/v1/nodes pages through nodes with a cursor', async () => {
    const first = await getJson('/api/v1/nodes?market=MISO&limit=3')
    expect(first.status).toBe(200)
    expect(first.body.items).toHaveLength(3)
    expect(first.body.nextCursor).toEqual(expect.any(String))
    const second = await getJson(`/api/v1/nodes?market=MISO&limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`)
    const names = [...first.body.items, ...second.body.items].map((n: { name: string }) => n.name)
    expect(new Set(names).size).toBe(names.length)
    const hubs = await getJson('/api/v1/nodes?market=MISO&type=hub&q=ind')
    expect(hubs.body.items.map((n: { name: string }) => n.name)).toEqual(['INDIANA.HUB'])
  })

  it('GET /api/v1/prices/latest returns the latest interval per node with its change', async () => {
    const { status, body } = await getJson('/api/v1/prices/latest?market=MISO&run=RT5&nodes=INDIANA.HUB,MINN.HUB&sparklineHours=24')
    expect(status).toBe(200)
    expect(body.prices.map((p: { node: string }) => p.node).sort()).toEqual(['INDIANA.HUB', 'MINN.HUB'])
    for (const p of body.prices) {
      expect(p.change).toBeCloseTo(p.lmp - p.previousLmp, 9)
      expect(p.sparkline).toHaveLength(24)
    }
  })

  it('GET /api/v1/prices/history rolls up daily with on/off-peak averages', async () => {
    const latest = await getJson('/api/v1/prices/latest?market=MISO&run=DA&nodes=INDIANA.HUB')
    const end = latest.body.prices[0].intervalEnd as string
    const from = new Date(Date.parse(end) - 10 * 86_400_000).toISOString()
    const { status, body } = await getJson(
      `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=DA&resolution=daily&from=${from}&to=${end}`,
    )
    expect(status).toBe(200)
    expect(body.timeZone).toBe('Etc/GMT+5')
    expect(body.points.length).toBeGreaterThanOrEqual(10)
    expect(body.summary.onPeak).toEqual(expect.any(Number))
    expect(body.summary.offPeak).toEqual(expect.any(Number))
  })

  it('answers a repeated read with the same bytes, every call still through the gate', async () => {
    const latest = await getJson('/api/v1/prices/latest?market=MISO&run=DA&nodes=INDIANA.HUB')
    const end = latest.body.prices[0].intervalEnd as string
    const from = new Date(Date.parse(end) - 3 * 86_400_000).toISOString()
    const path = `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=DA&resolution=hourly&from=${from}&to=${end}`
    const read = async (headers: Record<string, string>) => {
      const res = await fetch(`${baseUrl}${path}`, { headers })
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
    }
    const first = await read({ authorization: `Bearer ${token}` })
    const second = await read({ authorization: `Bearer ${token}` })
    expect(first.status).toBe(200)
    expect(second).toEqual(first)
    expect(first.type).toMatch(/^application\/json/)
    expect(JSON.parse(first.text).points).toHaveLength(72)
    // Compressed once for every caller that accepts gzip, and revalidated by its ETag.
    const raw = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } })
    expect(raw.headers.get('content-encoding')).toBe('gzip')
    expect(await raw.text()).toBe(first.text)
    const etag = raw.headers.get('etag')
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/)
    expect(raw.headers.get('cache-control')).toBe('private, no-cache')
    const stamp = Date.now().toString(36)
    const revalidated = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag!, 'x-request-id': `api-304-${stamp}` } })
    expect(revalidated.status).toBe(304)
    expect(await revalidated.text()).toBe('')
    const stale = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': '"stale"', 'x-request-id': `api-200-${stamp}` } })
    expect(stale.status).toBe(200)
    // The audit log records what each caller got: the 304 as a 304, allowed.
    const admin = await sessionFor(baseUrl, 'Ada Admin')
    try {
      const res = await fetch(`${baseUrl}/admin/audit.csv?procedure=prices.history`, { headers: { cookie: admin.cookie } })
      const [header, ...rows] = parseCsv(await res.text())
      const col = (name: string) => header!.indexOf(name)
      const row = (id: string) => rows.find((r) => r[col('request_id')] === id)
      expect([row(`api-304-${stamp}`)?.[col('status')], row(`api-304-${stamp}`)?.[col('outcome')]]).toEqual(['304', 'allowed'])
      expect([row(`api-200-${stamp}`)?.[col('status')], row(`api-200-${stamp}`)?.[col('outcome')]]).toEqual(['200', 'allowed'])
    } finally {
      await admin.close()
    }
    expect((await read({ authorization: `Bearer ${token}`, 'if-none-match': '"someone-else"' })).text).toBe(first.text)
    // The answer is kept for the next reader, not for whoever asks: no credential, no data.
    const anonymous = await read({})
    expect(anonymous.status).toBe(401)
    expect(anonymous.text).not.toContain('points')
    const forged = await read({ authorization: `Bearer ${token.slice(0, -4)}AAAA` })
    expect(forged.status).toBe(401)
    expect(forged.text).not.toContain('points')
    // Not even a 304: without a credential the ETag tells nothing either.
    expect((await read({ 'if-none-match': etag! })).status).toBe(401)
  })

  it('answers bad input with 400 naming the field, and an unknown node with 404', async () => {
    const bad = await getJson('/api/v1/prices/latest?market=ENTSOE&run=RT5')
    expect(bad.status).toBe(400)
    // The message names the field, not only "Input validation failed".
    expect(bad.body.message).toMatch(/^market: /)
    const backwards = await getJson(
      '/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=DA&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
    )
    expect(backwards.status).toBe(400)
    expect(backwards.body.message).toBe('to: must be after from')
    const missing = await getJson(
      '/api/v1/prices/history?market=MISO&node=NOPE.HUB&run=DA&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z',
    )
    expect(missing.status).toBe(404)
    expect(JSON.stringify(missing.body)).toContain('NOPE.HUB')
  })
})

describe('SDK', () => {
  const client = () => createCarbonClient({ baseUrl, token })

  it('calls the typed procedures with a token', async () => {
    const { markets } = await client().markets.list.query()
    expect(markets.map((m) => m.id)).toEqual(['MISO'])
    const latest = await client().prices.latest.query({ market: 'MISO', run: 'RT5', types: 'hub' })
    expect(latest.prices.map((p) => p.node)).toEqual(expect.arrayContaining(['INDIANA.HUB', 'MINN.HUB', 'TEXAS.HUB']))
  })

  it('is refused without a token, and for CAISO through the API', async () => {
    const anonymous = await createCarbonClient({ baseUrl }).markets.list.query().catch((e: unknown) => e)
    expect(isCarbonError(anonymous) && anonymous.data?.httpStatus).toBe(401)
    const caiso = await client().prices.latest.query({ market: 'CAISO', run: 'RT5' }).catch((e: unknown) => e)
    expect(isCarbonError(caiso) && caiso.data?.httpStatus).toBe(403)
  })

  it('surfaces errors with their HTTP status', async () => {
    const error = await client().prices.history
      .query({ market: 'MISO', node: 'NOPE.HUB', run: 'DA', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' })
      .catch((e: unknown) => e)
    expect(isCarbonError(error)).toBe(true)
    if (isCarbonError(error)) expect(error.data?.httpStatus).toBe(404)
  })
})

describe('forward curves through the API (MISO)', () => {
  const client = () => createCarbonClient({ baseUrl, token })

  it('GET /api/v1/curves lists the MISO demo curves with their as-of dates; CAISO curves are not offered through the API', async () => {
    const { status, body } = await getJson('/api/v1/curves')
    expect(status).toBe(200)
    const nodes = (body.curves as { market: string; node: string; asOfDates: string[] }[]).map((c) => `${c.market}:${c.node}`)
    expect(nodes.sort()).toEqual(['MISO:ILLINOIS.HUB', 'MISO:INDIANA.HUB'])
    expect((body.curves as { asOfDates: string[] }[])[0]!.asOfDates.length).toBeGreaterThanOrEqual(4)
    expect((await getJson('/api/v1/curves?market=CAISO')).status).toBe(403)
  })

  it('GET /api/v1/curves/points returns the curve to Cal-2050 in the standard view, and monthly on request', async () => {
    const standard = await getJson('/api/v1/curves/points?market=MISO&node=INDIANA.HUB')
    expect(standard.status).toBe(200)
    const periods = (standard.body.points as { period: string }[]).map((p) => p.period)
    expect(periods.at(-1)).toBe('Cal-2050')
    expect(periods.filter((p) => p.includes('-Q')).length).toBeGreaterThanOrEqual(36)
    const monthly = await getJson(`/api/v1/curves/points?market=MISO&node=INDIANA.HUB&granularity=monthly&asOf=${standard.body.build.asOf}`)
    expect((monthly.body.points as { period: string }[]).at(-1)!.period).toBe('2050-12')
    for (const quote of standard.body.quotes as { price: number; repriced: number }[]) expect(Math.abs(quote.repriced - quote.price)).toBeLessThan(1e-9)
  })

  it('POST /api/v1/curves/build solves a quote set as a new version; a conflicting set is a 400 naming the contracts', async () => {
    const post = (body: unknown) =>
      fetch(`${baseUrl}/api/v1/curves/build`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const built = await post({
      market: 'MISO',
      node: 'ILLINOIS.HUB',
      asOf: '2026-11-02',
      quotes: [
        { contract: '2027-Q1', block: 'onpeak', price: 61.25 },
        { contract: '2027-Q1', block: 'offpeak', price: 41.5 },
        { contract: 'Cal-2028', block: 'atc', price: 47.1 },
      ],
    })
    expect(built.status).toBe(200)
    const build = (await built.json()) as { status: string; source: string; version: number; lastMonth: string }
    expect(build).toMatchObject({ status: 'done', source: 'api', lastMonth: '2050-12' })
    const conflict = await post({
      market: 'MISO',
      node: 'ILLINOIS.HUB',
      asOf: '2026-11-02',
      quotes: [
        { contract: '2027-01', block: 'onpeak', price: 60 },
        { contract: '2027-02', block: 'onpeak', price: 58 },
        { contract: '2027-03', block: 'onpeak', price: 50 },
        { contract: '2027-Q1', block: 'onpeak', price: 70 },
      ],
    })
    expect(conflict.status).toBe(400)
    expect(((await conflict.json()) as { message: string }).message).toMatch(/2027-Q1 onpeak.*2027-01 onpeak/)
  })

  it('the SDK compares two as-of dates and follows a delivery month across them', async () => {
    const { curves } = await client().curves.list.query({ market: 'MISO' })
    const indiana = curves.find((c) => c.node === 'INDIANA.HUB')!
    const [newest, older] = indiana.asOfDates
    const compared = await client().curves.compare.query({ market: 'MISO', node: 'INDIANA.HUB', asOf: newest!, against: older!, granularity: 'annual' })
    const cal = compared.rows.find((r) => r.period === 'Cal-2030')!
    expect(cal.change!.onpeak).toBeCloseTo(cal.base!.onpeak - cal.other!.onpeak, 9)
    const history = await client().curves.history.query({ market: 'MISO', node: 'INDIANA.HUB', month: '2027-07' })
    expect(history.points.map((p) => p.asOf)).toEqual([...indiana.asOfDates].reverse())
  })
})
