import { describe, expect, it } from 'vitest'
import { ICE_FIXTURE_DIR, ICE_SAMPLE_FIXTURE } from '../ice/fixtures.ts'
import { ICE_GAS_DATASETS, iceGasPublishedUntil, iceGasWorkbookPath } from './ice-gas.ts'
import { answer, config, fixture, iso, ms, only } from './test-helpers.ts'

const ICE = ICE_GAS_DATASETS['eia.ice.next_day_gas']

describe('EIA ICE next-day gas', () => {
  it('publishedUntil is 16 days back, down to the UTC day (biweekly updates, assumed)', () => {
    expect(iso(iceGasPublishedUntil(ms('2017-01-25T08:00:00Z')))).toBe('2017-01-09T00:00:00.000Z')
  })

  it('asks for the current year\'s workbook (404 = not out yet)', () => {
    const now = ms('2026-07-30T00:00:00Z')
    expect(only(ICE.plan({ start: ms('2026-06-01T00:00:00Z'), end: ms('2026-08-01T00:00:00Z') }, config, now))).toEqual({
      dataset: 'eia.ice.next_day_gas',
      key: 'GAS',
      url: 'https://www.eia.gov/electricity/wholesale/xls/ice_natgas-2026.xlsx',
      window: { start: ms('2026-06-01T00:00:00Z'), end: ms('2026-07-14T00:00:00Z') },
      file: 'ice_natgas-2026.xlsx',
      rateGroup: 'eia.www',
      notFoundMeansNotPublished: true,
    })
  })

  it('splits a window at New Year: the past year from the archive, the current one from its own file', () => {
    const now = ms('2027-01-30T00:00:00Z')
    const requests = ICE.plan({ start: ms('2026-12-20T00:00:00Z'), end: ICE.publishedUntil(now) }, config, now)
    expect(requests.map((r) => [r.url, iso(r.window.start), iso(r.window.end)])).toEqual([
      ['https://www.eia.gov/electricity/wholesale/xls/archive/ice_natgas-2026final.xlsx', '2026-12-20T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
      ['https://www.eia.gov/electricity/wholesale/xls/ice_natgas-2027.xlsx', '2027-01-01T00:00:00.000Z', '2027-01-14T00:00:00.000Z'],
    ])
    expect(iceGasWorkbookPath(2016, 2027)).toBe('/electricity/wholesale/xls/archive/ice_natgas-2016final.xls')
    expect(iceGasWorkbookPath(2017, 2027)).toBe('/electricity/wholesale/xls/archive/ice_natgas-2017final.xlsx')
  })

  it('a workbook whose last trade is within four days of the window\'s end is published; an older one is not', () => {
    const workbook = fixture(ICE_FIXTURE_DIR, ICE_SAMPLE_FIXTURE)
    const request = (now: string) => only(ICE.plan({ start: ms('2017-01-01T00:00:00Z'), end: ICE.publishedUntil(ms(now)) }, config, ms(now)))
    // The sample's last trade date is Friday 2017-01-06 (its period ends 01-07).
    expect(ICE.notPublished!(answer(request('2017-01-25T00:00:00Z'), workbook))).toBeNull()
    expect(ICE.notPublished!(answer(request('2017-01-28T00:00:00Z'), workbook))).toBe(
      'ice_natgas-2017.xlsx runs to 2017-01-07 (periods ending then), the window to 2017-01-12: the publisher has not released it yet',
    )
  })
})
