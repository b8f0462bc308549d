import { describe, expect, it } from 'vitest'
import { ParseError } from '../../errors.ts'
import { simulatorUrls } from '../../fetch/urls.ts'
import { CARB_LCFS_MONTHLY_SAMPLE_FIXTURE, ENVIRONMENTAL_FIXTURE_DIR } from '../lcfs/fixtures.ts'
import { CARB_LCFS_MONTHLY_DATASETS, carbLcfsMonthlyPublishedUntil, carbReportMonth } from './carb-lcfs-monthly.ts'
import { SERIES_DATASETS } from './datasets.ts'
import { answer, config, fixture, iso, ms, only } from './test-helpers.ts'

const MONTHLY = CARB_LCFS_MONTHLY_DATASETS['carb.lcfs.monthly_transfers']
const NOW = ms('2015-12-16T20:00:00Z')
const PAGE_URL = 'https://ww2.arb.ca.gov/resources/documents/monthly-lcfs-credit-transfer-activity-reports'
const NOVEMBER = '/sites/default/files/weeklylcfscreditreports/201511WeeklyCreditReport.xlsx'
const OCTOBER = '/sites/default/files/weeklylcfscreditreports/201510WeeklyCreditReport.xlsx'

const page = (...links: string[]) =>
  [
    '<html><head><title>Monthly LCFS Credit Transfer Activity Reports</title></head><body>',
    '<a href="/sites/default/files/2015-12/lcfs_dashboard_figures.xlsx">Dashboard figures</a>',
    ...links.map((href) => `<p><a href="${href}">report</a> <a href="${href.replace('.xlsx', '.pdf')}">PDF</a></p>`),
    '</body></html>',
  ].join('\n')

const listing = (now = NOW, base = 'https://ww2.arb.ca.gov') =>
  only(MONTHLY.plan({ start: ms('2015-10-01T00:00:00Z'), end: MONTHLY.publishedUntil(now) }, { ...config, urls: { ...config.urls, carbWww: base } }, now))

describe('CARB LCFS monthly: publication (by the 15th of the month after, 12:00 Pacific; assumed)', () => {
  it('publishedUntil is the first of the month after the latest month out', () => {
    expect(iso(carbLcfsMonthlyPublishedUntil(ms('2015-12-15T20:00:00Z')))).toBe('2015-12-01T00:00:00.000Z')
    expect(iso(carbLcfsMonthlyPublishedUntil(ms('2015-12-15T19:59:59Z')))).toBe('2015-11-01T00:00:00.000Z')
    expect(iso(carbLcfsMonthlyPublishedUntil(ms('2026-01-02T00:00:00Z')))).toBe('2025-12-01T00:00:00.000Z') // November's report out on 2025-12-15, December's not yet
    expect(iso(carbLcfsMonthlyPublishedUntil(ms('2026-07-15T18:59:59Z')))).toBe('2026-06-01T00:00:00.000Z') // 11:59:59 PDT
    expect(iso(carbLcfsMonthlyPublishedUntil(ms('2026-07-15T19:00:00Z')))).toBe('2026-07-01T00:00:00.000Z')
  })

  it('is one of SERIES_DATASETS, polled daily', () => {
    expect(SERIES_DATASETS['carb.lcfs.monthly_transfers']).toBe(MONTHLY)
    expect(MONTHLY.cadenceMs).toBe(86_400_000)
  })
})

describe('CARB LCFS monthly: plan and locate', () => {
  it('plans the page as a listing, then asks for the latest month\'s workbook it links', () => {
    const r = listing()
    expect(r).toEqual({
      dataset: 'carb.lcfs.monthly_transfers',
      key: 'LCFS',
      url: PAGE_URL,
      window: { start: ms('2015-10-01T00:00:00Z'), end: ms('2015-12-01T00:00:00Z') },
      file: 'carb_lcfs_monthly_page_2015-12-16.html',
      rateGroup: 'carb.www',
      listing: true,
      htmlExpected: true,
    })
    expect(MONTHLY.locate!(answer(r, page(OCTOBER, `https://ww2.arb.ca.gov${NOVEMBER}`)))).toEqual([
      { dataset: 'carb.lcfs.monthly_transfers', key: 'LCFS', url: `https://ww2.arb.ca.gov${NOVEMBER}`, window: r.window, file: 'carb_lcfs_monthly_credit_transfers_2015-11.xlsx', rateGroup: 'carb.www' },
    ])
  })

  it('resolves CARB\'s links onto the configured site (the simulator\'s)', () => {
    const sim = simulatorUrls('http://127.0.0.1:4100').carbWww
    const r = listing(NOW, sim)
    expect(r.url).toBe(`http://127.0.0.1:4100/carb/resources/documents/monthly-lcfs-credit-transfer-activity-reports`)
    expect(MONTHLY.locate!(answer(r, page(`https://ww2.arb.ca.gov${NOVEMBER}`)))[0]!.url).toBe(`http://127.0.0.1:4100/carb${NOVEMBER}`)
    expect(MONTHLY.locate!(answer(r, page(NOVEMBER)))[0]!.url).toBe(`http://127.0.0.1:4100/carb${NOVEMBER}`)
  })

  it('names no file while the latest linked month ends before the window does (not up yet)', () => {
    expect(MONTHLY.locate!(answer(listing(), page(OCTOBER)))).toEqual([])
  })

  it('a page without a monthly workbook link is a ParseError naming the page file', () => {
    const r = listing()
    let error: unknown = null
    try {
      MONTHLY.locate!(answer(r, '<html><body><a href="/x/lcfs_quarterly_summary.xlsx">Quarterly</a></body></html>'))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ParseError)
    expect((error as ParseError).message).toMatch(/^carb_lcfs_monthly_page_2015-12-16\.html line 1, a\[href\]: no link to a \.xlsx naming a month/)
  })

  it('reads the month of a report\'s name', () => {
    expect(carbReportMonth('201511WeeklyCreditReport.xlsx')).toBe('2015-11')
    expect(carbReportMonth('Monthly LCFS Credit Transfer Activity (November 2015).xlsx')).toBe('2015-11')
    expect(carbReportMonth('LCFS Credit Report Sep 2024.xlsx')).toBe('2024-09')
    expect(carbReportMonth('201513CreditReport.xlsx')).toBeNull()
    expect(carbReportMonth('lcfs_credit_summary.xlsx')).toBeNull()
  })
})

describe('CARB LCFS monthly: not yet published', () => {
  const workbook = fixture(ENVIRONMENTAL_FIXTURE_DIR, CARB_LCFS_MONTHLY_SAMPLE_FIXTURE)
  const located = (now: number) => only(MONTHLY.locate!(answer(listing(now), page('/sites/default/files/x/201512CreditReport.xlsx'))))

  it('a workbook reaching the window\'s last month is published; one a month short is not (the sample runs to November 2015)', () => {
    expect(MONTHLY.notPublished!(answer(located(NOW), workbook))).toBeNull()
    expect(MONTHLY.notPublished!(answer(located(ms('2016-01-20T20:00:00Z')), workbook))).toBe(
      'carb_lcfs_monthly_credit_transfers_2015-12.xlsx runs to 2015-12-01 (periods ending then), the window to 2016-01-01: the publisher has not released it yet',
    )
  })
})
