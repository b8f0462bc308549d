import { describe, expect, it } from 'vitest'
import { ParseError } from '../errors.ts'
import { thrown } from '../test-helpers.ts'
import { MISO_DX_DATASETS } from './miso-dx.ts'
import { PUBLISHER_URLS } from './urls.ts'
import type { ConnectorConfig, FetchedPayload, FetchRequest } from './types.ts'

const KEY = 'k3y-0f-the-subscription'
const BASE = 'https://apim.misoenergy.org/pricing/v1'
const config: ConnectorConfig = {
  urls: { ...PUBLISHER_URLS, misoDataExchange: BASE },
  misoDataExchangeKey: KEY,
  caisoNodes: 'ALL',
}
const est = (naive: string) => Date.parse(`${naive}-05:00`)
const DA = MISO_DX_DATASETS['miso.dx.da_expost_lmp']
const RT5 = MISO_DX_DATASETS['miso.dx.rt_expost_lmp_5min']
const RTH = MISO_DX_DATASETS['miso.dx.rt_expost_lmp_final']

const payload = (request: FetchRequest, body: string): FetchedPayload => ({
  request,
  status: 200,
  contentType: 'application/json; charset=utf-8',
  bytes: new TextEncoder().encode(body),
  fetchedAt: 0,
  lastModified: null,
  attempts: 1,
})
const pageBody = (pageNumber: number, totalPages: number, lastPage = pageNumber >= totalPages) =>
  JSON.stringify({ data: [], page: { pageNumber, pageSize: 1000, totalElements: totalPages * 1000, totalPages, lastPage } })

describe('MISO Data Exchange datasets', () => {
  it('are keyed by their source ids and need a subscription key', () => {
    expect(Object.keys(MISO_DX_DATASETS).sort()).toEqual(['miso.dx.da_expost_lmp', 'miso.dx.rt_expost_lmp_5min', 'miso.dx.rt_expost_lmp_final'])
    for (const [id, definition] of Object.entries(MISO_DX_DATASETS)) {
      expect(definition.id).toBe(id)
      expect(definition).toMatchObject({ market: 'MISO', backfill: true, cadenceMs: 3_600_000 })
      expect(definition.available(config)).toBe(true)
      expect(definition.available({ ...config, misoDataExchangeKey: undefined })).toBe(false)
      expect(definition.available({ ...config, misoDataExchangeKey: '' })).toBe(false)
    }
    expect([DA.run, RT5.run, RTH.run]).toEqual(['DA', 'RT5', 'RTH'])
    expect([DA.intervalMs, RT5.intervalMs, RTH.intervalMs]).toEqual([3_600_000, 300_000, 3_600_000])
  })

  it('publish a market day on MISO schedule (EST all year)', () => {
    // day-ahead ex post of D from D-1 14:00 EST
    expect(DA.publishedUntil(est('2026-07-13T13:59:59'))).toBe(est('2026-07-14T00:00:00'))
    expect(DA.publishedUntil(est('2026-07-13T14:00:00'))).toBe(est('2026-07-15T00:00:00'))
    // real-time ex post of D from D+1 07:00 EST
    expect(RT5.publishedUntil(est('2026-07-15T06:59:00'))).toBe(est('2026-07-14T00:00:00'))
    expect(RT5.publishedUntil(est('2026-07-15T07:00:00'))).toBe(est('2026-07-15T00:00:00'))
    // finals of D from D+6 06:00 EST
    expect(RTH.publishedUntil(est('2026-07-20T06:00:00'))).toBe(est('2026-07-15T00:00:00'))
    // no daylight-saving shift in winter
    expect(DA.publishedUntil(est('2026-01-13T14:00:00'))).toBe(est('2026-01-15T00:00:00'))
  })

  it('plan one page-1 request per published EST market day, the key in a header only', () => {
    const window = { start: est('2026-07-13T12:00:00'), end: est('2026-07-16T00:00:00') }
    const requests = DA.plan(window, config, est('2026-07-14T15:00:00'))
    // 07-16 is not published before 07-15 14:00 EST
    expect(requests).toEqual([
      {
        dataset: 'miso.dx.da_expost_lmp',
        url: `${BASE}/day-ahead/2026-07-13/lmp-expost?pageNumber=1`,
        headers: { 'Ocp-Apim-Subscription-Key': KEY },
        window: { start: est('2026-07-13T00:00:00'), end: est('2026-07-14T00:00:00') },
        file: '20260713_dx_da_expost_lmp_p1.json',
        rateGroup: 'miso.dx',
        notFoundMeansNotPublished: true,
      },
      expect.objectContaining({ url: `${BASE}/day-ahead/2026-07-14/lmp-expost?pageNumber=1`, file: '20260714_dx_da_expost_lmp_p1.json' }),
      expect.objectContaining({ url: `${BASE}/day-ahead/2026-07-15/lmp-expost?pageNumber=1`, file: '20260715_dx_da_expost_lmp_p1.json' }),
    ])
    const rt = RT5.plan(window, { ...config, urls: { ...config.urls, misoDataExchange: `${BASE}/` } }, est('2026-07-20T00:00:00'))
    expect(rt.map((r) => r.url)).toEqual([
      `${BASE}/real-time/2026-07-13/lmp-expost?timeResolution=5min&pageNumber=1`,
      `${BASE}/real-time/2026-07-14/lmp-expost?timeResolution=5min&pageNumber=1`,
      `${BASE}/real-time/2026-07-15/lmp-expost?timeResolution=5min&pageNumber=1`,
    ])
    const final = RTH.plan(window, config, est('2026-07-20T06:00:00'))
    expect(final.map((r) => [r.url, r.file])).toEqual([
      [`${BASE}/real-time/2026-07-13/lmp-expost?timeResolution=hourly&preliminaryFinal=Final&pageNumber=1`, '20260713_dx_rt_expost_lmp_final_p1.json'],
      [`${BASE}/real-time/2026-07-14/lmp-expost?timeResolution=hourly&preliminaryFinal=Final&pageNumber=1`, '20260714_dx_rt_expost_lmp_final_p1.json'],
    ])
    for (const request of [...requests, ...rt, ...final]) {
      expect(request.url).not.toContain(KEY)
      expect(request.file).not.toContain(KEY)
    }
    expect(DA.plan({ start: est('2026-07-20T00:00:00'), end: est('2026-07-21T00:00:00') }, config, est('2026-07-14T00:00:00'))).toEqual([])
  })

  it('refuse to plan without a key, and never name the key', () => {
    expect(() => DA.plan({ start: 0, end: 1 }, { ...config, misoDataExchangeKey: undefined }, 0)).toThrow(/no MISO Data Exchange subscription key/)
  })

  it('walk pageNumber until the last page, keeping the headers', () => {
    const [first] = DA.plan({ start: est('2026-07-14T00:00:00'), end: est('2026-07-15T00:00:00') }, config, est('2026-07-14T00:00:00'))
    const second = DA.nextPage!(payload(first!, pageBody(1, 3)))
    expect(second).toEqual({
      ...first,
      url: `${BASE}/day-ahead/2026-07-14/lmp-expost?pageNumber=2`,
      file: '20260714_dx_da_expost_lmp_p2.json',
    })
    expect(second!.headers).toEqual({ 'Ocp-Apim-Subscription-Key': KEY })
    const third = DA.nextPage!(payload(second!, pageBody(2, 3)))
    expect(third).toMatchObject({ url: `${BASE}/day-ahead/2026-07-14/lmp-expost?pageNumber=3`, file: '20260714_dx_da_expost_lmp_p3.json' })
    expect(DA.nextPage!(payload(third!, pageBody(3, 3)))).toBeNull()
    // lastPage alone ends it, and so does pageNumber reaching totalPages
    expect(DA.nextPage!(payload(first!, pageBody(1, 3, true)))).toBeNull()
    expect(DA.nextPage!(payload(first!, pageBody(1, 1, false)))).toBeNull()
    expect(DA.nextPage!(payload(first!, pageBody(1, 0)))).toBeNull()
    const [rt] = RT5.plan({ start: est('2026-07-14T00:00:00'), end: est('2026-07-15T00:00:00') }, config, est('2026-07-20T00:00:00'))
    expect(RT5.nextPage!(payload(rt!, pageBody(1, 2)))?.url).toBe(`${BASE}/real-time/2026-07-14/lmp-expost?timeResolution=5min&pageNumber=2`)
  })

  it('name any page of a planned request, so a window resumes at its first page not yet taken', () => {
    const [rt] = RT5.plan({ start: est('2026-07-14T00:00:00'), end: est('2026-07-15T00:00:00') }, config, est('2026-07-20T00:00:00'))
    const seventh = RT5.pageAt!(rt!, 7)
    expect(seventh).toEqual({
      ...rt,
      url: `${BASE}/real-time/2026-07-14/lmp-expost?timeResolution=5min&pageNumber=7`,
      file: '20260714_dx_rt_expost_lmp_5min_p7.json',
    })
    expect(RT5.pageAt!(seventh, 1)).toEqual(rt)
    expect(() => RT5.pageAt!(rt!, 0)).toThrow(/page must be a whole number >= 1, got 0/)
  })

  it('throw a ParseError, without the key, on a body that is not the page asked for', () => {
    const [first] = DA.plan({ start: est('2026-07-14T00:00:00'), end: est('2026-07-15T00:00:00') }, config, est('2026-07-14T00:00:00'))
    const wrongPage = thrown(() => DA.nextPage!(payload(first!, pageBody(0, 3))))
    expect(wrongPage).toMatchObject({ file: '20260714_dx_da_expost_lmp_p1.json', field: 'page.pageNumber', value: '0' })
    const html = thrown(() => DA.nextPage!(payload(first!, '<html><body>Too many requests</body></html>')))
    expect(html.reason).toMatch(/HTML page/)
    const denied = thrown(() => DA.nextPage!(payload(first!, '{"statusCode":401,"message":"Access denied due to invalid subscription key."}')))
    expect(denied).toBeInstanceOf(ParseError)
    for (const error of [wrongPage, html, denied]) expect(error.message).not.toContain(KEY)
  })
})
