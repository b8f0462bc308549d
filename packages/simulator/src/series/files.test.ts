import { readFileSync } from 'node:fs'
import {
  CARB_LCFS_MONTHLY_SAMPLE_FIXTURE,
  CARB_LCFS_SAMPLE_FIXTURE,
  EIA_FIXTURE_DIR,
  ENVIRONMENTAL_FIXTURE_DIR,
  HENRY_HUB_MONTHLY_FIXTURE,
  ICE_FIXTURE_DIR,
  ICE_SAMPLE_FIXTURE,
  LNG_FIXTURE_DIR,
  parseWngsrLngPrices,
  WNGSR_LNG_FIXTURE_0805,
  WNGSR_LNG_FIXTURE_0923,
} from '@carbon/connectors'
import { describe, expect, it } from 'vitest'
import type { SimAnswer, SimContext } from '../markets/types.ts'
import { PriceModel } from '../prices.ts'
import { carbMonthlyWorkbookPath, carbWorkbookPath, createCarbRoute } from './carb.ts'
import { createEiaWwwRoute, lngCaptures } from './eia-www.ts'

const model = new PriceModel({ seed: 254, misoNodes: 10, caisoNodes: 10 })
const at = (iso: string): SimContext => ({ model, now: Date.parse(iso), seed: 254 })
const eia = createEiaWwwRoute()
const carb = createCarbRoute()
const get = (route: typeof eia, path: string, context = at('2026-10-01T00:00:00Z')): SimAnswer | null => route.answer({ path, params: new URLSearchParams(), headers: {} }, context)
const bodyOf = (a: SimAnswer | null) => {
  if (!a) throw new Error('no answer')
  return Buffer.from(typeof a.body === 'string' ? a.body : a.body)
}
const fixture = (dir: URL, name: string) => readFileSync(new URL(name, dir))

describe('EIA website files on the simulator', () => {
  it('serves the Henry Hub workbooks byte for byte', () => {
    const monthly = get(eia, '/eia/dnav/ng/hist_xls/RNGWHHDm.xls')
    expect(monthly).toMatchObject({ status: 200, type: 'application/vnd.ms-excel' })
    expect(bodyOf(monthly).equals(fixture(EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE))).toBe(true)
    expect(get(eia, '/eia/dnav/ng/hist_xls/RNGWHHDx.xls')).toMatchObject({ status: 404 })
    expect(get(eia, '/other/file.xls')).toBeNull()
  })

  it('serves the LNG capture in force: each from its Thursday 10:30 Eastern, none before the first', () => {
    expect(lngCaptures().map((c) => [c.date, new Date(c.from).toISOString()])).toEqual([
      ['2026-08-06', '2026-08-06T14:30:00.000Z'],
      ['2026-09-24', '2026-09-24T14:30:00.000Z'],
    ])
    const path = '/eia/naturalgas/weekly/supplement/content/bullets_lng_2.html'
    expect(get(eia, path, at('2026-08-06T14:29:00Z'))).toMatchObject({ status: 404 })
    expect(bodyOf(get(eia, path, at('2026-08-06T14:30:00Z'))).equals(fixture(LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0805))).toBe(true)
    // The release after the last capture is late: the capture still answers.
    const late = get(eia, '/eia/naturalgas/weekly/supplement/content//bullets_lng_2.html', at('2026-10-01T16:00:00Z'))
    expect(late).toMatchObject({ status: 200, type: 'text/html; charset=UTF-8', headers: { 'Last-Modified': 'Thu, 24 Sep 2026 14:30:00 GMT' } })
    expect(bodyOf(late).equals(fixture(LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923))).toBe(true)
  })

  it('generates the week of a later release in the captures\' wording, which the real reader reads', () => {
    const path = '/eia/naturalgas/weekly/supplement/content/bullets_lng_2.html'
    // Tuesday 2026-12-01: the latest release is Thursday 2026-11-26, for the week ending Wednesday 11-25.
    const answer = get(eia, path, at('2026-12-01T00:00:00Z'))
    expect(answer).toMatchObject({ status: 200, headers: { 'Last-Modified': 'Thu, 26 Nov 2026 15:30:00 GMT' } })
    const body = bodyOf(answer)
    expect(body.toString()).toContain('For the week ending November 25:')
    const read = parseWngsrLngPrices(new Uint8Array(body), 'bullets_lng_2_2026-12-01.html')
    expect(read.errors).toEqual([])
    const prices = read.records.filter((r) => r.measure === 'price')
    expect(prices.map((r) => [r.series, r.periodEnd])).toEqual([
      ['TTF', '2026-11-26T00:00:00.000Z'],
      ['JKM', '2026-11-26T00:00:00.000Z'],
    ])
    // Within 8 % of the last capture's levels (TTF 25.15, JKM 26.41), and a week later a new week.
    expect(Math.abs(prices[0]!.value / 25.15 - 1)).toBeLessThanOrEqual(0.08)
    expect(Math.abs(prices[1]!.value / 26.41 - 1)).toBeLessThanOrEqual(0.08)
    expect(bodyOf(get(eia, path, at('2026-12-08T00:00:00Z'))).toString()).toContain('For the week ending December 2:')
  })

  it('serves the 2017 ICE workbook as the current file during 2017, from the archive after', () => {
    const sample = fixture(ICE_FIXTURE_DIR, ICE_SAMPLE_FIXTURE)
    const current = '/eia/electricity/wholesale/xls/ice_natgas-2017.xlsx'
    const final = '/eia/electricity/wholesale/xls/archive/ice_natgas-2017final.xlsx'
    expect(bodyOf(get(eia, current, at('2017-01-25T00:00:00Z'))).equals(sample)).toBe(true)
    expect(get(eia, final, at('2017-01-25T00:00:00Z'))).toMatchObject({ status: 404 })
    expect(bodyOf(get(eia, final, at('2018-02-01T00:00:00Z'))).equals(sample)).toBe(true)
    expect(get(eia, current, at('2018-02-01T00:00:00Z'))).toMatchObject({ status: 404 })
    expect(get(eia, '/eia/electricity/wholesale/xls/ice_natgas-2026.xlsx', at('2026-07-01T00:00:00Z'))).toMatchObject({ status: 404 })
  })
})

describe('CARB on the simulator', () => {
  const path = carbWorkbookPath('2020-05-24')

  it('names the workbook after the Sunday its last week ends, as CARB does', () => {
    expect(path).toBe('/sites/default/files/2020-05/Weekly%20LCFS%20Credit%20Activity%20(upto%2024%20May,%202020).xlsx')
  })

  it('links the workbook from its page by CARB\'s absolute address, and serves it byte for byte', () => {
    const page = bodyOf(get(carb, '/carb/resources/documents/weekly-lcfs-credit-transfer-activity-reports')).toString('utf8')
    expect(page).toContain(`href="https://ww2.arb.ca.gov${path}"`)
    const workbook = get(carb, `/carb${path}`)
    expect(workbook).toMatchObject({ status: 200, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
    expect(bodyOf(workbook).equals(fixture(ENVIRONMENTAL_FIXTURE_DIR, CARB_LCFS_SAMPLE_FIXTURE))).toBe(true)
    expect(get(carb, `/carb${path.replace('24%20May', '17%20May')}`)).toMatchObject({ status: 404 })
    expect(get(carb, '/carb/sites/default/files/%E0%A4%A.xlsx')).toMatchObject({ status: 404 })
    expect(get(carb, '/carbon')).toBeNull()
  })

  it('links the monthly workbook, named after its latest month, from the monthly page, and serves it byte for byte', () => {
    const monthly = carbMonthlyWorkbookPath('2015-11')
    expect(monthly).toBe('/sites/default/files/weeklylcfscreditreports/201511WeeklyCreditReport.xlsx')
    const page = bodyOf(get(carb, '/carb/resources/documents/monthly-lcfs-credit-transfer-activity-reports')).toString('utf8')
    expect(page).toContain(`href="https://ww2.arb.ca.gov${monthly}"`)
    const workbook = get(carb, `/carb${monthly}`)
    expect(workbook).toMatchObject({ status: 200, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' })
    expect(bodyOf(workbook).equals(fixture(ENVIRONMENTAL_FIXTURE_DIR, CARB_LCFS_MONTHLY_SAMPLE_FIXTURE))).toBe(true)
    expect(get(carb, `/carb${carbMonthlyWorkbookPath('2015-10')}`)).toMatchObject({ status: 404 })
    expect(get(carb, `/carb${monthly.replace('.xlsx', '.pdf')}`)).toMatchObject({ status: 404 })
  })
})
