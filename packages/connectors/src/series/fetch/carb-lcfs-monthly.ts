/**
 * CARB's monthly LCFS credit transfer activity, found through the page that lists the reports:
 *
 *   GET {urls.carbWww}/resources/documents/monthly-lcfs-credit-transfer-activity-reports   (listing, HTML)
 *   GET {urls.carbWww}/sites/default/files/weeklylcfscreditreports/201511WeeklyCreditReport.xlsx
 *                                                                                  carb.lcfs.monthly_transfers
 *
 * The page address is the one code citing CARB's monthly reports names; that the page links a
 * workbook per month named `<YYYYMM>...CreditReport.xlsx` is one third party's note, not seen
 * (fixtures/environmental/README.md). So `locate` takes the page's `.xlsx` links whose name starts
 * with a month `YYYYMM` or holds `<Month> YYYY`, and the word credit, and asks for the latest
 * month's (links to CARB's own host onto the configured `carbWww`, as the weekly dataset does).
 * Rate group `carb.www`. Files: `carb_lcfs_monthly_page_<fetch date>.html`, then
 * `carb_lcfs_monthly_credit_transfers_<YYYY-MM>.xlsx`.
 *
 * Schedule (assumed): CARB released November 2015's figures on the evening of 2015-12-08 (OPIS,
 * 2015-12-09). Taken here: a month is out by the 15th of the month after, 12:00 Pacific
 * ({@link carbLcfsMonthlyPublishedUntil}). Polled daily: a late report is taken the day it appears.
 *
 * Not yet published: `locate` names no file while the latest linked month ends before the window
 * does, and `notPublished` reads the workbook (its latest month must reach the window's end).
 */
import { dateIn, dayStartUtc } from '@carbon/schemas'
import { ParseError } from '../../errors.ts'
import { DAY, MINUTE } from '../../fetch/time.ts'
import type { ConnectorConfig, Window } from '../../fetch/types.ts'
import { CARB_LCFS_MONTHLY_SOURCE } from '../lcfs/monthly.ts'
import { textOf } from '../text.ts'
import { PACIFIC } from './schedule.ts'
import { carbPagePlan, pageLinks, resolveCarbLink } from './carb-links.ts'
import type { SeriesDatasetDefinition, SeriesFetchedPayload, SeriesFetchRequest } from './types.ts'
import { notReleasedYet } from './whole-file.ts'

export const CARB_LCFS_MONTHLY_PAGE_PATH = '/resources/documents/monthly-lcfs-credit-transfer-activity-reports'
/** The day of the month after, and the Pacific wall-clock time, by which a month's report is out (assumed). */
export const CARB_LCFS_MONTHLY_RELEASE = { day: 15, hour: 12, minute: 0, timeZone: PACIFIC } as const

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const
const LEADING_MONTH = /^(\d{4})(\d{2})(?!\d)/
const NAMED_MONTH = /\b([A-Za-z]{3,9})\.?,?\s+(\d{4})\b/g

const monthStart = (year: number, month: number) => Date.UTC(year, month - 1, 1)

/** Exclusive bound on the months CARB has reported by `now`: the first of the month after the latest month out. */
export function carbLcfsMonthlyPublishedUntil(now: number): number {
  const today = dateIn(new Date(now), CARB_LCFS_MONTHLY_RELEASE.timeZone)
  const [year, month] = today.split('-').map(Number) as [number, number]
  const releaseDate = `${today.slice(0, 8)}${String(CARB_LCFS_MONTHLY_RELEASE.day).padStart(2, '0')}`
  const release = dayStartUtc(releaseDate, CARB_LCFS_MONTHLY_RELEASE.timeZone).getTime() + (CARB_LCFS_MONTHLY_RELEASE.hour * 60 + CARB_LCFS_MONTHLY_RELEASE.minute) * MINUTE
  // Out by this month's release: last month's report, so months before this one; else before last month.
  return now >= release ? monthStart(year, month) : monthStart(year, month - 1)
}

function plan(window: Window, config: ConnectorConfig, now: number): SeriesFetchRequest[] {
  return carbPagePlan(window, config, now, { dataset: CARB_LCFS_MONTHLY_SOURCE, path: CARB_LCFS_MONTHLY_PAGE_PATH, filePrefix: 'carb_lcfs_monthly_page', publishedUntil: carbLcfsMonthlyPublishedUntil(now) })
}

/** The month (`YYYY-MM`) a report's file name names: a leading `YYYYMM`, or `<Month> YYYY`; null when none. */
export function carbReportMonth(name: string): string | null {
  const leading = LEADING_MONTH.exec(name)
  if (leading) {
    const month = Number(leading[2])
    return month >= 1 && month <= 12 ? `${leading[1]}-${leading[2]}` : null
  }
  for (const m of name.matchAll(NAMED_MONTH)) {
    const word = m[1]!.toLowerCase()
    const index = MONTH_NAMES.findIndex((full) => full === word || (word.length === 3 && full.startsWith(word)))
    if (index >= 0) return `${m[2]}-${String(index + 1).padStart(2, '0')}`
  }
  return null
}

type Candidate = { href: string; month: string; line: number }

/** Every `.xlsx` link of the page that names a month and credit, in document order. */
function candidates(html: string): Candidate[] {
  const found: Candidate[] = []
  for (const { href, name, line } of pageLinks(html)) {
    if (!/\.xlsx$/i.test(name) || !/credit/i.test(name)) continue
    const month = carbReportMonth(name)
    if (month) found.push({ href, month, line })
  }
  return found
}

/** The end (ms) of a `YYYY-MM` month: the first of the month after. */
function monthEnd(month: string): number {
  const [year, m] = month.split('-').map(Number) as [number, number]
  return monthStart(year, m + 1)
}

/**
 * The workbook request of CARB's monthly page: the latest month's `.xlsx` it links, for the page's
 * window; none while that month ends before the window does (not up yet). Throws ParseError,
 * naming the page's file, when the page links no such workbook.
 */
export function carbLcfsMonthlyLocate(listing: SeriesFetchedPayload): SeriesFetchRequest[] {
  const { request } = listing
  const html = textOf(listing.bytes)
  const links = candidates(html)
  if (links.length === 0)
    throw new ParseError({
      file: request.file,
      line: 1,
      field: 'a[href]',
      value: html.slice(0, 120),
      reason: 'no link to a .xlsx naming a month (YYYYMM... or "<Month> YYYY") and "credit": not CARB\'s monthly LCFS page, or it changed',
    })
  const chosen = links.reduce((best, link) => (link.month > best.month ? link : best))
  if (monthEnd(chosen.month) < request.window.end) return []
  const siteBase = request.url.endsWith(CARB_LCFS_MONTHLY_PAGE_PATH) ? request.url.slice(0, -CARB_LCFS_MONTHLY_PAGE_PATH.length) : new URL(request.url).origin
  return [
    {
      dataset: request.dataset,
      key: request.key,
      url: resolveCarbLink(chosen.href, request.url, siteBase),
      window: request.window,
      file: `carb_lcfs_monthly_credit_transfers_${chosen.month}.xlsx`,
      rateGroup: request.rateGroup,
    },
  ]
}

export const CARB_LCFS_MONTHLY_DATASETS = {
  [CARB_LCFS_MONTHLY_SOURCE]: {
    id: CARB_LCFS_MONTHLY_SOURCE,
    cadenceMs: DAY,
    lookbackMs: 92 * DAY,
    available: () => true,
    publishedUntil: carbLcfsMonthlyPublishedUntil,
    plan,
    locate: carbLcfsMonthlyLocate,
    notPublished: notReleasedYet(0),
  },
} as const satisfies Record<typeof CARB_LCFS_MONTHLY_SOURCE, SeriesDatasetDefinition>
