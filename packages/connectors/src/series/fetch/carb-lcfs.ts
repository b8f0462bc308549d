/**
 * CARB's weekly LCFS credit transfer workbook, found through the page that links it:
 *
 *   GET {urls.carbWww}/resources/documents/weekly-lcfs-credit-transfer-activity-reports   (listing, HTML)
 *   GET {urls.carbWww}/sites/default/files/2026-01/Weekly%20LCFS%20Credit%20Activity%20(upto%2011%20January,%202026).xlsx
 *                                                                                          carb.lcfs.credit_transfers
 *
 * The workbook's name changes every week (it carries the Sunday it runs to, and its folder the
 * month it was uploaded), so no URL can be planned: the plan asks for CARB's page (`listing`,
 * `htmlExpected`), and `locate` takes the `.xlsx` link whose name has the words weekly, LCFS,
 * credit and activity (the latest "upto" date when several do), as the code reading this page we
 * found does (fixtures/environmental/README.md). Links to CARB's own host, or relative to it,
 * are resolved onto the configured `carbWww` (the simulator's, in tests). The workbook holds the
 * whole weekly history: one request per cycle covers the window. Rate group `carb.www` (2 s,
 * spacing.ts). Files: `carb_lcfs_weekly_page_<fetch date>.html`, then
 * `carb_lcfs_weekly_credit_activity_upto_<YYYY-MM-DD>.xlsx`.
 *
 * Schedule (assumed; CARB states only "weekly"): a week runs Monday to Sunday; CARB posted its
 * weekly figures on the Tuesday after in 2019 (SRECTrade quoting CARB's releases), and a 2026
 * ingester of the page plans for "typically by Friday". Taken here: the week is out by the Friday
 * after it ends, 12:00 Pacific ({@link CARB_LCFS_RELEASE}), so publishedUntil is the Monday four
 * days before the latest such Friday. Polled daily ({@link CARB_LCFS_CADENCE_MS}): the publisher's
 * cadence is weekly, and the window is empty (no request) on the days between; polling daily means
 * a late release is taken the day it appears rather than a week later.
 *
 * Not yet published: the page keeps linking last week's workbook until the new one is up. `locate`
 * names no file while the linked workbook runs to a Sunday before the window's end, and
 * `notPublished` reads the workbook in case its name says nothing: a workbook whose latest week
 * ends before the window does is "not published yet". Either way the window is asked for again.
 */
import { addDays } from '@carbon/schemas'
import { ParseError } from '../../errors.ts'
import { DAY } from '../../fetch/time.ts'
import type { ConnectorConfig, Window } from '../../fetch/types.ts'
import { CARB_LCFS_WEEKLY_SOURCE } from '../lcfs/weekly.ts'
import { textOf } from '../text.ts'
import { latestRelease, PACIFIC, utcMidnight, type WeeklyRelease } from './schedule.ts'
import { carbPagePlan, pageLinks, resolveCarbLink } from './carb-links.ts'
import type { SeriesDatasetDefinition, SeriesFetchedPayload, SeriesFetchRequest } from './types.ts'
import { notReleasedYet } from './whole-file.ts'

export const CARB_LCFS_PAGE_PATH = '/resources/documents/weekly-lcfs-credit-transfer-activity-reports'
/** Fridays 12:00 Pacific (assumed): the week that ended the Sunday before is out. */
export const CARB_LCFS_RELEASE: WeeklyRelease = { weekday: 5, hour: 12, minute: 0, timeZone: PACIFIC }
export const CARB_LCFS_CADENCE_MS = DAY

/** Words every candidate link's file name holds (case ignored). */
const LINK_WORDS = ['weekly', 'lcfs', 'credit', 'activity'] as const
const UPTO = /\bup\s*to\s+(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})\b/i
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const

/** Exclusive bound on the LCFS weeks CARB has published by `now`: the Monday after the latest week out. */
export function carbLcfsPublishedUntil(now: number): number {
  return utcMidnight(addDays(latestRelease(now, CARB_LCFS_RELEASE).date, -4))
}

function plan(window: Window, config: ConnectorConfig, now: number): SeriesFetchRequest[] {
  return carbPagePlan(window, config, now, { dataset: CARB_LCFS_WEEKLY_SOURCE, path: CARB_LCFS_PAGE_PATH, filePrefix: 'carb_lcfs_weekly_page', publishedUntil: carbLcfsPublishedUntil(now) })
}

/** The date (YYYY-MM-DD) in "(upto 11 January, 2026)", or null when the name has none that is a date. */
export function carbUptoDate(name: string): string | null {
  const m = UPTO.exec(name)
  if (!m) return null
  const month = MONTHS.indexOf(m[2]!.slice(0, 3).toLowerCase() as (typeof MONTHS)[number])
  if (month < 0) return null
  const day = Number(m[1])
  const year = Number(m[3])
  const date = new Date(Date.UTC(year, month, day))
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return null
  return date.toISOString().slice(0, 10)
}

type Candidate = { href: string; name: string; upto: string | null; line: number }

/** Every `.xlsx` link of the page whose name has the workbook's words, in document order. */
function candidates(html: string): Candidate[] {
  const found: Candidate[] = []
  for (const { href, name, line } of pageLinks(html)) {
    if (!/\.xlsx$/i.test(name)) continue
    const lower = name.toLowerCase()
    if (!LINK_WORDS.every((word) => lower.includes(word))) continue
    found.push({ href, name, upto: carbUptoDate(name), line })
  }
  return found
}

/** The archive name of the workbook: by the date it runs to, else CARB's name made safe for a key. */
export function carbWorkbookFile(name: string, upto: string | null): string {
  if (upto) return `carb_lcfs_weekly_credit_activity_upto_${upto}.xlsx`
  return `carb_${name.replace(/[^A-Za-z0-9._-]+/g, '_')}`
}

/**
 * The workbook request of CARB's page: the weekly credit activity `.xlsx` it links (the latest
 * "upto" among several), for the page's window; none while it runs to a Sunday before the window
 * ends (not up yet). Throws ParseError, naming the page's file, when the page links no such
 * workbook (the page changed, or CARB answered something else).
 */
export function carbLcfsLocate(listing: SeriesFetchedPayload): SeriesFetchRequest[] {
  const { request } = listing
  const html = textOf(listing.bytes)
  const links = candidates(html)
  if (links.length === 0)
    throw new ParseError({
      file: request.file,
      line: 1,
      field: 'a[href]',
      value: html.slice(0, 120),
      reason: `no link to a .xlsx named like "Weekly LCFS Credit Activity (upto ...)": not CARB's weekly LCFS page, or it changed`,
    })
  const chosen = links.reduce((best, link) => (link.upto !== null && (best.upto === null || link.upto > best.upto) ? link : best))
  // The workbook holds the weeks through its "upto" Sunday: they end the Monday after.
  if (chosen.upto !== null && utcMidnight(chosen.upto) + DAY < request.window.end) return []
  const siteBase = request.url.endsWith(CARB_LCFS_PAGE_PATH) ? request.url.slice(0, -CARB_LCFS_PAGE_PATH.length) : new URL(request.url).origin
  return [
    {
      dataset: request.dataset,
      key: request.key,
      url: resolveCarbLink(chosen.href, request.url, siteBase),
      window: request.window,
      file: carbWorkbookFile(chosen.name, chosen.upto),
      rateGroup: request.rateGroup,
    },
  ]
}

export const CARB_LCFS_DATASETS = {
  [CARB_LCFS_WEEKLY_SOURCE]: {
    id: CARB_LCFS_WEEKLY_SOURCE,
    cadenceMs: CARB_LCFS_CADENCE_MS,
    lookbackMs: 28 * DAY,
    available: () => true,
    publishedUntil: carbLcfsPublishedUntil,
    plan,
    locate: carbLcfsLocate,
    notPublished: notReleasedYet(0),
  },
} as const satisfies Record<typeof CARB_LCFS_WEEKLY_SOURCE, SeriesDatasetDefinition>
