/**
 * What CARB's two LCFS pages (the weekly credit activity and the monthly transfer report) share:
 * both are listings fetched whole, whose `.xlsx` links name the workbook to fetch next.
 */
import { PUBLISHER_URLS } from '../../fetch/urls.ts'
import type { ConnectorConfig, Window } from '../../fetch/types.ts'
import { decodeEntities, lineAt } from '../lng/html-items.ts'
import type { SeriesSourceId } from '../sources.ts'
import { utcDate } from './schedule.ts'
import { CARB_WWW_RATE_GROUP } from './spacing.ts'
import type { SeriesFetchRequest } from './types.ts'
import { wholeFilePlan } from './whole-file.ts'

const HREF = /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi

/** The request of a CARB LCFS page (a listing, HTML by design) for the part of `window` published by `publishedUntil`. */
export function carbPagePlan(
  window: Window,
  config: ConnectorConfig,
  now: number,
  page: { dataset: SeriesSourceId; path: string; filePrefix: string; publishedUntil: number },
): SeriesFetchRequest[] {
  return wholeFilePlan(window, page.publishedUntil, {
    dataset: page.dataset,
    key: 'LCFS',
    url: `${config.urls.carbWww.replace(/\/+$/, '')}${page.path}`,
    file: `${page.filePrefix}_${utcDate(now)}.html`,
    rateGroup: CARB_WWW_RATE_GROUP,
    listing: true,
    htmlExpected: true,
  })
}

/** A link's target as a name: its last path segment, percent-decoded where it decodes. */
export function linkFileName(href: string): string {
  const path = href.split(/[?#]/)[0] ?? ''
  const last = path.slice(path.lastIndexOf('/') + 1)
  try {
    return decodeURIComponent(last)
  } catch {
    return last
  }
}

/** Every link of a page: its target (entities decoded), file name and line, in document order. */
export function pageLinks(html: string): { href: string; name: string; line: number }[] {
  return [...html.matchAll(HREF)].map((m) => {
    const href = decodeEntities((m[1] ?? m[2] ?? '').trim())
    return { href, name: linkFileName(href), line: lineAt(html, m.index ?? 0) }
  })
}

/** `href` as a URL on the configured site: CARB's own links, absolute or root-relative, onto `siteBase`. */
export function resolveCarbLink(href: string, listingUrl: string, siteBase: string): string {
  if (/^https?:\/\//i.test(href)) {
    const url = new URL(href)
    return url.origin === new URL(PUBLISHER_URLS.carbWww).origin ? `${siteBase}${url.pathname}${url.search}` : href
  }
  if (href.startsWith('//')) return resolveCarbLink(`https:${href}`, listingUrl, siteBase)
  if (href.startsWith('/')) return `${siteBase}${href}`
  return new URL(href, listingUrl).toString()
}
