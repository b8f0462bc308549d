import { describe, expect, it } from 'vitest'
import { ParseError } from '../../errors.ts'
import { simulatorUrls } from '../../fetch/urls.ts'
import { CARB_LCFS_SAMPLE_FIXTURE, ENVIRONMENTAL_FIXTURE_DIR } from '../lcfs/fixtures.ts'
import { CARB_LCFS_DATASETS, carbLcfsPublishedUntil, carbUptoDate, carbWorkbookFile } from './carb-lcfs.ts'
import { answer, config, fixture, iso, ms, only } from './test-helpers.ts'

const LCFS = CARB_LCFS_DATASETS['carb.lcfs.credit_transfers']
const NOW = ms('2020-05-29T20:00:00Z')
const PAGE_URL = 'https://ww2.arb.ca.gov/resources/documents/weekly-lcfs-credit-transfer-activity-reports'
const WORKBOOK_HREF = 'https://ww2.arb.ca.gov/sites/default/files/2020-05/Weekly%20LCFS%20Credit%20Activity%20(upto%2024%20May,%202020).xlsx'

/** A page linking `links` (hrefs), with another spreadsheet that is not the weekly workbook. */
const page = (...links: string[]) =>
  [
    '<!DOCTYPE html>',
    '<html lang="en"><head><title>Weekly LCFS Credit Transfer Activity Reports</title></head><body>',
    '<a href="/sites/default/files/2020-01/lcfs_quarterly_summary.xlsx">Quarterly summary</a>',
    ...links.map((href) => `<p><a class="file" href="${href}">Weekly LCFS Credit Activity</a></p>`),
    '</body></html>',
  ].join('\n')

const listing = (url = PAGE_URL, now = NOW) => only(LCFS.plan({ start: ms('2020-05-04T00:00:00Z'), end: LCFS.publishedUntil(now) }, { ...config, urls: { ...config.urls, carbWww: url.replace(/\/resources\/.*$/, '') } }, now))

describe('CARB LCFS: publication (Fridays 12:00 Pacific, the week that ended the Sunday before)', () => {
  it('publishedUntil is the Monday after the latest week out', () => {
    expect(iso(carbLcfsPublishedUntil(ms('2020-05-29T19:00:00Z')))).toBe('2020-05-25T00:00:00.000Z')
    expect(iso(carbLcfsPublishedUntil(ms('2020-05-29T18:59:59Z')))).toBe('2020-05-18T00:00:00.000Z')
    expect(iso(carbLcfsPublishedUntil(ms('2026-01-16T20:00:00Z')))).toBe('2026-01-12T00:00:00.000Z')
  })
})

describe('CARB LCFS: plan and locate', () => {
  it('plans the page as a listing (HTML expected), then locates the workbook it links', () => {
    const r = listing()
    expect(r).toEqual({
      dataset: 'carb.lcfs.credit_transfers',
      key: 'LCFS',
      url: PAGE_URL,
      window: { start: ms('2020-05-04T00:00:00Z'), end: ms('2020-05-25T00:00:00Z') },
      file: 'carb_lcfs_weekly_page_2020-05-29.html',
      rateGroup: 'carb.www',
      listing: true,
      htmlExpected: true,
    })
    expect(LCFS.locate!(answer(r, page(WORKBOOK_HREF)))).toEqual([
      {
        dataset: 'carb.lcfs.credit_transfers',
        key: 'LCFS',
        url: WORKBOOK_HREF,
        window: r.window,
        file: 'carb_lcfs_weekly_credit_activity_upto_2020-05-24.xlsx',
        rateGroup: 'carb.www',
      },
    ])
  })

  it('resolves CARB\'s own links, absolute or root-relative, onto the configured site (the simulator\'s)', () => {
    const sim = simulatorUrls('http://127.0.0.1:4100').carbWww
    const r = listing(`${sim}/resources/documents/weekly-lcfs-credit-transfer-activity-reports`)
    expect(r.url).toBe('http://127.0.0.1:4100/carb/resources/documents/weekly-lcfs-credit-transfer-activity-reports')
    const path = '/sites/default/files/2020-05/Weekly%20LCFS%20Credit%20Activity%20(upto%2024%20May,%202020).xlsx'
    expect(LCFS.locate!(answer(r, page(WORKBOOK_HREF)))[0]!.url).toBe(`http://127.0.0.1:4100/carb${path}`)
    expect(LCFS.locate!(answer(r, page(path)))[0]!.url).toBe(`http://127.0.0.1:4100/carb${path}`)
    expect(LCFS.locate!(answer(r, page(`https://mirror.example.test${path}`)))[0]!.url).toBe(`https://mirror.example.test${path}`)
  })

  it('takes the latest "upto" workbook when the page links several, entities decoded', () => {
    const older = '/sites/default/files/2020-05/Weekly%20LCFS%20Credit%20Activity%20(upto%2017%20May,%202020).xlsx'
    const located = LCFS.locate!(answer(listing(), page(older, WORKBOOK_HREF.replace('(', '&#40;'), older)))
    expect(located.map((x) => [x.url, x.file])).toEqual([[WORKBOOK_HREF, 'carb_lcfs_weekly_credit_activity_upto_2020-05-24.xlsx']])
  })

  it('names no file while the page links a workbook that runs to a Sunday before the window ends (not up yet)', () => {
    const stale = '/sites/default/files/2020-05/Weekly%20LCFS%20Credit%20Activity%20(upto%2017%20May,%202020).xlsx'
    expect(LCFS.locate!(answer(listing(), page(stale)))).toEqual([])
  })

  it('a page without the workbook link is a ParseError naming the page file', () => {
    const r = listing()
    const error = (() => {
      try {
        LCFS.locate!(answer(r, '<html><body>Site maintenance</body></html>'))
      } catch (e) {
        return e
      }
      return null
    })()
    expect(error).toBeInstanceOf(ParseError)
    expect((error as ParseError).message).toMatch(/^carb_lcfs_weekly_page_2020-05-29\.html line 1, a\[href\]: no link to a \.xlsx named like "Weekly LCFS Credit Activity \(upto \.\.\.\)"/)
  })

  it('reads "upto" dates and names workbooks', () => {
    expect(carbUptoDate('Weekly LCFS Credit Activity (upto 11 January, 2026).xlsx')).toBe('2026-01-11')
    expect(carbUptoDate('Weekly LCFS Credit Activity (up to 3 Feb 2026).xlsx')).toBe('2026-02-03')
    expect(carbUptoDate('Weekly LCFS Credit Activity (upto 31 February, 2026).xlsx')).toBeNull()
    expect(carbUptoDate('Weekly LCFS Credit Activity.xlsx')).toBeNull()
    expect(carbWorkbookFile('Weekly LCFS Credit Activity (final).xlsx', null)).toBe('carb_Weekly_LCFS_Credit_Activity_final_.xlsx')
  })
})

describe('CARB LCFS: not yet published', () => {
  const workbook = fixture(ENVIRONMENTAL_FIXTURE_DIR, CARB_LCFS_SAMPLE_FIXTURE)
  const located = (now: number) => only(LCFS.locate!(answer(listing(PAGE_URL, now), page('/sites/default/files/x/Weekly%20LCFS%20Credit%20Activity.xlsx'))))

  it('a workbook reaching the window\'s last week is published; one a week short is not (the sample runs to the week of 2020-05-18)', () => {
    expect(LCFS.notPublished!(answer(located(NOW), workbook))).toBeNull()
    expect(LCFS.notPublished!(answer(located(ms('2020-06-05T20:00:00Z')), workbook))).toBe(
      'carb_Weekly_LCFS_Credit_Activity.xlsx runs to 2020-05-25 (periods ending then), the window to 2020-06-01: the publisher has not released it yet',
    )
  })

  it('the page itself is never "not published"', () => {
    expect(LCFS.notPublished!(answer(listing(), page(WORKBOOK_HREF)))).toBeNull()
  })
})
