import { readFileSync } from 'node:fs'
import {
  EIA930_REGION_DATA_FIXTURE,
  FUNDAMENTALS_FIXTURE_DIR,
  parseEia930FuelTypeData,
  parseEia930RegionData,
  readEiaApiEnvelope,
} from '@carbon/connectors'
import { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import type { SimAnswer, SimContext, SimRequest } from '../markets/types.ts'
import { PriceModel } from '../prices.ts'
import { createEiaApiRoute } from './eia-api.ts'
import { eia930FuelValues, eia930RegionValues, EIA930_PROFILES } from './eia930-model.ts'

const ms = (iso: string) => Date.parse(iso)
const model = new PriceModel({ seed: 254, misoNodes: 10, caisoNodes: 10 })
const at = (iso: string): SimContext => ({ model, now: ms(iso), seed: 254 })
const REGION = '/eia-api/v2/electricity/rto/region-data/data/'
const FUEL = '/eia-api/v2/electricity/rto/fuel-type-data/data/'
/** The query the connectors plan for one respondent and UTC day, with the key. */
const dayQuery = (respondent: string, day: string, next: string, extra = '') =>
  `frequency=hourly&data[0]=value&facets[respondent][]=${respondent}&start=${day}T01&end=${next}T00&sort[0][column]=period&sort[0][direction]=asc&offset=0&length=5000&api_key=k${extra}`
const request = (path: string, query: string): SimRequest => ({ path, params: new URLSearchParams(query), headers: {} })
const LATE = at('2026-07-20T00:00:00Z')
const route = createEiaApiRoute()
const ask = (path: string, query: string, context = LATE, r = route): SimAnswer => {
  const answer = r.answer(request(path, query), context)
  if (!answer) throw new Error('no answer')
  return answer
}
const bodyText = (a: SimAnswer) => (typeof a.body === 'string' ? a.body : new TextDecoder().decode(a.body))
const doc = (a: SimAnswer) => JSON.parse(bodyText(a))
const bytes = (a: SimAnswer) => new TextEncoder().encode(bodyText(a))

describe('EIA API v2 on the simulator: the envelope', () => {
  it('answers in the served answers\' envelope: keys in order, total and values as strings, slashes escaped, parameters echoed', () => {
    const a = ask(REGION, dayQuery('PACW', '2026-07-14', '2026-07-15'))
    expect(a).toMatchObject({ status: 200, type: 'application/json' })
    const served = JSON.parse(readFileSync(new URL(EIA930_REGION_DATA_FIXTURE, FUNDAMENTALS_FIXTURE_DIR), 'utf8'))
    const d = doc(a)
    expect(Object.keys(d)).toEqual(Object.keys(served))
    expect(Object.keys(d.response)).toEqual(Object.keys(served.response))
    expect(Object.keys(d.response.data[0])).toEqual(Object.keys(served.response.data[0]))
    expect(d.response).toMatchObject({ total: '96', dateFormat: served.response.dateFormat, frequency: 'hourly', description: served.response.description })
    expect(d.request).toEqual({
      command: '/v2/electricity/rto/region-data/data/',
      params: {
        frequency: 'hourly',
        data: ['value'],
        facets: { respondent: ['PACW'] },
        start: '2026-07-14T01',
        end: '2026-07-15T00',
        sort: [{ column: 'period', direction: 'asc' }],
        offset: '0',
        length: '5000',
        api_key: 'k',
      },
    })
    expect(d.apiVersion).toBe(served.apiVersion)
    expect(bodyText(a)).toContain('"command":"\\/v2\\/electricity\\/rto\\/region-data\\/data\\/"')
    expect(d.response.data.slice(0, 4).map((r: Record<string, string>) => [r.period, r.type, r['type-name'], r['respondent-name'], typeof r.value])).toEqual([
      ['2026-07-14T01', 'D', 'Demand', 'PacifiCorp West', 'string'],
      ['2026-07-14T01', 'DF', 'Day-ahead demand forecast', 'PacifiCorp West', 'string'],
      ['2026-07-14T01', 'NG', 'Net generation', 'PacifiCorp West', 'string'],
      ['2026-07-14T01', 'TI', 'Total interchange', 'PacifiCorp West', 'string'],
    ])
    expect(d.response.data.at(-1).period).toBe('2026-07-15T00')
  })

  it('is read by the connectors\' reader, every record valid, one per hour and type', () => {
    const a = ask(REGION, dayQuery('PACW', '2026-07-14', '2026-07-15'))
    const { records, errors } = parseEia930RegionData(bytes(a), 'r.json')
    expect(errors).toEqual([])
    expect(records).toHaveLength(96)
    for (const r of records) expect(SeriesRecord.parse(r)).toEqual(r)
    expect(records[0]).toMatchObject({ market: 'CAISO', series: 'PACW.DEMAND', periodStart: '2026-07-14T00:00:00.000Z', periodEnd: '2026-07-14T01:00:00.000Z' })
    const fuel = ask(FUEL, dayQuery('ERCO', '2026-07-14', '2026-07-15'))
    const read = parseEia930FuelTypeData(bytes(fuel), 'f.json')
    expect(read.errors).toEqual([])
    expect([...new Set(read.records.map((r) => r.series))].sort()).toEqual(['ERCO.COL', 'ERCO.NG', 'ERCO.NUC', 'ERCO.SUN', 'ERCO.WND'])
    expect(read.records.every((r) => r.market === 'ERCOT')).toBe(true)
  })
})

describe('EIA API v2 on the simulator: paging, publication, refusals', () => {
  it('pages by offset and length, the envelope telling the connectors where the next page starts', () => {
    const whole = doc(ask(FUEL, dayQuery('CISO', '2026-07-14', '2026-07-15'))).response.data
    expect(whole).toHaveLength(24 * Object.keys(EIA930_PROFILES.CISO!.mix).length)
    const page = ask(FUEL, dayQuery('CISO', '2026-07-14', '2026-07-15').replace('offset=0&length=5000', 'offset=50&length=50'))
    expect(doc(page).response.data).toEqual(whole.slice(50, 100))
    expect(readEiaApiEnvelope(bodyText(page), 'p.json')).toMatchObject({ total: whole.length, offset: 50, rows: 50, warnings: [] })
  })

  it('caps an answer at maxRows with EIA\'s "incomplete return" warning', () => {
    const capped = createEiaApiRoute({ maxRows: 40 })
    const a = ask(REGION, dayQuery('PJM', '2026-07-14', '2026-07-15'), LATE, capped)
    const envelope = readEiaApiEnvelope(bodyText(a), 'c.json')
    expect(envelope).toMatchObject({ total: 96, offset: 0, rows: 40 })
    expect(envelope.warnings.map((w) => w.warning)).toEqual(['incomplete return'])
  })

  it('leaves out the hours not posted yet (a day after they end), and answers "total":"0" when none is', () => {
    // At 2026-07-15T12:00Z hours ending up to 07-14T12 are posted.
    const a = doc(ask(REGION, dayQuery('PACW', '2026-07-14', '2026-07-15'), at('2026-07-15T12:00:00Z')))
    expect(a.response.total).toBe('48')
    expect(a.response.data.at(-1).period).toBe('2026-07-14T12')
    const none = doc(ask(REGION, dayQuery('PACW', '2026-07-14', '2026-07-15'), at('2026-07-14T20:00:00Z')))
    expect(none.response).toMatchObject({ total: '0', data: [] })
  })

  it('refuses a request without api_key with 403 API_KEY_MISSING, and another key than the one set with API_KEY_INVALID', () => {
    const missing = ask(REGION, dayQuery('PACW', '2026-07-14', '2026-07-15').replace('&api_key=k', ''))
    expect(missing.status).toBe(403)
    expect(doc(missing)).toEqual({ error: { code: 'API_KEY_MISSING', message: 'No api_key was supplied. Please register for one at https://www.eia.gov/opendata/register.php' } })
    const strict = createEiaApiRoute({ apiKey: 'right' })
    const wrong = ask(REGION, dayQuery('PACW', '2026-07-14', '2026-07-15'), LATE, strict)
    expect(wrong.status).toBe(403)
    expect(doc(wrong).error.code).toBe('API_KEY_INVALID')
    expect(ask(REGION, dayQuery('PACW', '2026-07-14', '2026-07-15').replace('api_key=k', 'api_key=right'), LATE, strict).status).toBe(200)
  })

  it('answers 400 with EIA\'s error shape for what it cannot read, and leaves other paths to other routes', () => {
    const bad = ask(REGION, dayQuery('PACW', '2026-07-14', '2026-07-15').replace('frequency=hourly', 'frequency=local-hourly'))
    expect(bad.status).toBe(400)
    expect(doc(bad)).toMatchObject({ code: 400, error: expect.stringContaining("Invalid frequency 'local-hourly'") })
    expect(ask(REGION, 'frequency=hourly&data[0]=value&api_key=k').status).toBe(400)
    expect(route.answer(request('/eia-api/v2/electricity/rto/interchange-data/data/', 'api_key=k'), LATE)).toBeNull()
  })
})

describe('the EIA-930 model', () => {
  it('has an evening peak above the night, solar only by day, and splits net generation by source', () => {
    const hourEnd = (iso: string) => ms(iso)
    // CISO is UTC-8: 19:00 local is 03:00Z, 04:00 local is 12:00Z.
    const evening = eia930RegionValues(254, 'CISO', hourEnd('2026-07-15T03:30:00Z'))!
    const night = eia930RegionValues(254, 'CISO', hourEnd('2026-07-15T12:30:00Z'))!
    expect(evening.D).toBeGreaterThan(night.D * 1.15)
    expect(evening.NG).toBe(evening.D + evening.TI)
    const dark = new Map(eia930FuelValues(254, 'CISO', hourEnd('2026-07-15T12:00:00Z')))
    const noon = new Map(eia930FuelValues(254, 'CISO', hourEnd('2026-07-15T21:00:00Z')))
    expect(dark.get('SUN')).toBe(0)
    expect(noon.get('SUN')).toBeGreaterThan(5_000)
    const region = eia930RegionValues(254, 'CISO', hourEnd('2026-07-15T21:00:00Z'))!
    const sum = [...noon.values()].reduce((a, b) => a + b, 0)
    expect(Math.abs(sum - region.NG)).toBeLessThanOrEqual(noon.size)
    expect(eia930RegionValues(254, 'SOCO', hourEnd('2026-07-15T21:00:00Z'))).toBeNull()
  })
})
