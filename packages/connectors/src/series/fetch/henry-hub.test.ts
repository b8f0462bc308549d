import { describe, expect, it } from 'vitest'
import { EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE } from '../../eia/fixtures.ts'
import { EIA_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR } from '../gas/fixtures.ts'
import { HENRY_HUB_DATASETS, henryHubDailyPublishedUntil, henryHubMonthlyPublishedUntil } from './henry-hub.ts'
import { answer, config, fixture, iso, ms, only } from './test-helpers.ts'

const MONTHLY = HENRY_HUB_DATASETS['eia.ng.hh_spot_monthly']
const DAILY = HENRY_HUB_DATASETS['eia.ng.hh_spot_daily']

describe('Henry Hub publication (Wednesdays 17:00 Eastern, trading days through the Friday before)', () => {
  it('daily: the Saturday four days before the latest release', () => {
    expect(iso(henryHubDailyPublishedUntil(ms('2026-08-19T21:00:00Z')))).toBe('2026-08-15T00:00:00.000Z')
    expect(iso(henryHubDailyPublishedUntil(ms('2026-08-19T20:59:59Z')))).toBe('2026-08-08T00:00:00.000Z')
    // EST: the release is 22:00Z.
    expect(iso(henryHubDailyPublishedUntil(ms('2026-12-02T21:59:00Z')))).toBe('2026-11-21T00:00:00.000Z')
    expect(iso(henryHubDailyPublishedUntil(ms('2026-12-02T22:00:00Z')))).toBe('2026-11-28T00:00:00.000Z')
  })

  it('monthly: the months wholly before the daily bound', () => {
    // Release 2026-08-05 holds days through Friday 07-31: July is complete.
    expect(iso(henryHubMonthlyPublishedUntil(ms('2026-08-05T21:00:00Z')))).toBe('2026-08-01T00:00:00.000Z')
    expect(iso(henryHubMonthlyPublishedUntil(ms('2026-08-05T20:00:00Z')))).toBe('2026-07-01T00:00:00.000Z')
    expect(iso(henryHubMonthlyPublishedUntil(ms('2026-08-19T21:00:00Z')))).toBe('2026-08-01T00:00:00.000Z')
  })
})

describe('Henry Hub plans', () => {
  it('one request for the whole window, the workbook named with the fetch date, clipped to what is out', () => {
    const now = ms('2026-08-20T10:00:00Z')
    const r = only(MONTHLY.plan({ start: ms('2025-08-01T00:00:00Z'), end: ms('2026-09-01T00:00:00Z') }, config, now))
    expect(r).toEqual({
      dataset: 'eia.ng.hh_spot_monthly',
      key: 'GAS',
      url: 'https://www.eia.gov/dnav/ng/hist_xls/RNGWHHDm.xls',
      window: { start: ms('2025-08-01T00:00:00Z'), end: ms('2026-08-01T00:00:00Z') },
      file: 'RNGWHHDm_2026-08-20.xls',
      rateGroup: 'eia.www',
    })
    const d = only(DAILY.plan({ start: ms('2026-08-01T00:00:00Z'), end: DAILY.publishedUntil(now) }, config, now))
    expect(d).toMatchObject({ url: 'https://www.eia.gov/dnav/ng/hist_xls/RNGWHHDd.xls', file: 'RNGWHHDd_2026-08-20.xls', key: 'GAS' })
    expect(iso(d.window.end)).toBe('2026-08-15T00:00:00.000Z')
  })

  it('nothing when the window holds nothing published', () => {
    const now = ms('2026-08-20T10:00:00Z')
    expect(MONTHLY.plan({ start: ms('2026-08-01T00:00:00Z'), end: ms('2026-09-01T00:00:00Z') }, config, now)).toEqual([])
    expect(DAILY.plan({ start: ms('2026-08-15T00:00:00Z'), end: ms('2026-08-15T00:00:00Z') }, config, now)).toEqual([])
  })
})

describe('Henry Hub not yet published (the URL answers the previous release)', () => {
  const monthly = fixture(EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE)
  const daily = fixture(GAS_FIXTURE_DIR, EIA_HENRY_HUB_DAILY_FIXTURE)

  it('monthly: published when the workbook reaches the window\'s last month (the fixture runs to 2026-07)', () => {
    const plan = (end: string) => only(MONTHLY.plan({ start: ms('2026-01-01T00:00:00Z'), end: ms(end) }, config, ms('2026-09-10T00:00:00Z')))
    expect(MONTHLY.notPublished!(answer(plan('2026-08-01T00:00:00Z'), monthly))).toBeNull()
    expect(MONTHLY.notPublished!(answer(plan('2026-09-01T00:00:00Z'), monthly))).toBe(
      'RNGWHHDm_2026-09-10.xls runs to 2026-08-01 (periods ending then), the window to 2026-09-01: the publisher has not released it yet',
    )
  })

  it('daily: published when the workbook reaches within four days of the window (the fixture runs to Friday 2024-06-28)', () => {
    const request = (end: string) => ({ ...only(DAILY.plan({ start: ms('2024-06-01T00:00:00Z'), end: ms(end) }, config, ms('2024-07-20T00:00:00Z'))) })
    expect(DAILY.notPublished!(answer(request('2024-06-29T00:00:00Z'), daily))).toBeNull()
    expect(DAILY.notPublished!(answer(request('2024-07-03T00:00:00Z'), daily))).toBeNull()
    expect(DAILY.notPublished!(answer(request('2024-07-06T00:00:00Z'), daily))).toMatch(/runs to 2024-06-29 .*window to 2024-07-06/)
  })

  it('an unusable file is left to the reader (no "not published" hiding it)', () => {
    const r = only(MONTHLY.plan({ start: ms('2026-01-01T00:00:00Z'), end: ms('2026-08-01T00:00:00Z') }, config, ms('2026-09-10T00:00:00Z')))
    expect(MONTHLY.notPublished!(answer(r, '<html><body>Maintenance</body></html>'))).toBeNull()
  })
})
