import { SOURCES } from '@carbon/connectors'
import { describe, expect, it } from 'vitest'
import { PriceModel } from '../prices.ts'
import { AESO_MAX_RANGE_DAYS, AESO_ROUTES, AESO_SCHEDULE, aesoCatalogue, createAesoRoutes } from './aeso.ts'
import type { MarketRoute, SimAnswer, SimContext, SimRequest } from './types.ts'


/** A route whose answers are synchronous (these are), for plain assertions. */
function sync(route: MarketRoute | undefined) {
  if (!route) throw new Error('missing route')
  return {
    answer(request: SimRequest, context: SimContext): (SimAnswer & { published: boolean }) | null {
      const answer = route.answer(request, context)
      if (answer instanceof Promise) throw new Error('expected a synchronous answer')
      return answer
    },
    breakAnswer: route.breakAnswer!,
  }
}

const ms = (iso: string) => Date.parse(iso)
const model = new PriceModel({ seed: 254, misoNodes: 10, caisoNodes: 10 })
const PATH = '/aeso/public/poolprice-api/v1.1/price/poolPrice'
const request = (query: string, headers: Record<string, string> = { 'api-key': 'k' }, path = PATH): SimRequest => ({ path, params: new URLSearchParams(query), headers })
const at = (iso: string): SimContext => ({ model, now: ms(iso), seed: 254 })
const POOL = sync(createAesoRoutes()[0])
const parse = (body: unknown) => SOURCES['aeso.pool_price'].parse(body as string, 'p.json')

describe('AESO route', () => {
  it('has one node, POOL', () => {
    expect(aesoCatalogue(254).nodes.map((n) => [n.name, n.type])).toEqual([['POOL', 'hub']])
    expect(AESO_ROUTES.map((r) => r.feed)).toEqual(['aeso.pool_price'])
  })

  it('answers 401 without an API-KEY header', () => {
    for (const headers of [{}, { 'api-key': '' }, { 'api-key': '  ' }, { 'ocp-apim-subscription-key': 'k' }] as Record<string, string>[]) {
      expect(POOL.answer(request('startDate=2026-11-01', headers), at('2026-11-03T00:00:00Z'))).toMatchObject({ status: 401, published: false })
    }
  })

  it('answers a day of 25 hours (the fall-back day), endDate defaulting to startDate', () => {
    const now = at('2026-11-03T00:00:00Z')
    const one = POOL.answer(request('startDate=2026-11-01&endDate=2026-11-01'), now)!
    expect(one).toMatchObject({ status: 200, type: 'application/json', published: true })
    const result = parse(one.body)
    expect([result.errors, result.records.length]).toEqual([[], 25])
    expect(result.records[0]!.intervalStart).toBe('2026-11-01T06:00:00.000Z')
    expect(POOL.answer(request('startDate=2026-11-01'), now)!.body).toBe(one.body)
    expect(parse(POOL.answer(request('startDate=2026-03-08&endDate=2026-03-09'), now)!.body).records).toHaveLength(23 + 24)
  })

  it('lists the hour in progress and the forecast horizon with empty pool prices; 404 when no hour is listed', () => {
    const now = at('2026-11-01T16:30:00Z') // 09:30 MST
    const result = parse(POOL.answer(request('startDate=2026-11-01'), now)!.body)
    expect(result.records).toHaveLength(10) // 00:00 MDT .. 08:00 MST settled: 06:00Z .. 15:00Z
    expect(result.records.at(-1)!.intervalStart).toBe('2026-11-01T15:00:00.000Z')
    expect(result.errors).toEqual([])
    expect(result.pending).toBe(1 + AESO_SCHEDULE.forecastHoursAhead)
    expect(POOL.answer(request('startDate=2026-11-02'), now)).toMatchObject({ status: 404, published: false })
    expect(POOL.answer(request('startDate=2026-11-02'), at('2026-11-02T01:00:00Z'))).toMatchObject({ status: 200 })
  })

  it('answers 400 for a bad or missing date, a reversed or too long range, and leaves other paths alone', () => {
    const now = at('2026-11-03T00:00:00Z')
    for (const query of ['', 'startDate=20261101', 'startDate=2026-02-30', 'startDate=2026-11-02&endDate=2026-11-01', 'startDate=2026-11-01&endDate=x'])
      expect(POOL.answer(request(query), now)).toMatchObject({ status: 400, published: false })
    const start = new Date(ms('2026-11-01T00:00:00Z') - AESO_MAX_RANGE_DAYS * 86_400_000).toISOString().slice(0, 10)
    expect(POOL.answer(request(`startDate=${start}&endDate=2026-11-01`), now)).toMatchObject({ status: 400 })
    expect(POOL.answer(request('startDate=2026-11-01', { 'api-key': 'k' }, '/aeso/public/poolprice-api/v1.1/price/poolPrices'), now)).toBeNull()
  })

  it('breaks an answer by format', () => {
    const now = at('2026-11-03T00:00:00Z')
    const answer = POOL.answer(request('startDate=2026-11-01'), now)!
    expect(parse(POOL.breakAnswer!(answer, 'changed-header', now)!.body).errors.map((e) => e.reason)).toEqual(Array(25).fill('missing'))
    expect(parse(POOL.breakAnswer!(answer, 'non-numeric', now)!.body).errors).toEqual([{ file: 'p.json', line: 1, field: 'pool_price', value: 'N/A', reason: 'not a number' }])
  })
})
