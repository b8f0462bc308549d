/**
 * EIA's website files on the simulator (base `/eia`, see simulatorUrls), served from the
 * connectors' fixtures byte for byte:
 *
 *   GET /eia/dnav/ng/hist_xls/RNGWHHDm.xls        fixtures/eia/eia_RNGWHHDm_henry_hub_spot_monthly.xls (served bytes:
 *                                                 EIA's workbook of 2026-08-19, months 1997-01..2026-07)
 *   GET /eia/dnav/ng/hist_xls/RNGWHHDd.xls        fixtures/gas/eia_RNGWHHDd_..._DOCUMENTED_LAYOUT.xls (built from
 *                                                 the documented layout, trading days 2024-01-02..2024-06-28)
 *   GET /eia/naturalgas/weekly/supplement/content/bullets_lng_2.html
 *                                                 the capture in force: fixtures/lng/eia_wngsr_supplement_bullets_lng_2_<date>.html
 *                                                 (served bytes) from its release (that Thursday, 10:30 Eastern) on;
 *                                                 404 before the first capture; the first release after the last capture is
 *                                                 late (the capture still answers); from the second one on a fragment of the
 *                                                 same wording is generated (lngFragmentAt), so a simulated date past the
 *                                                 captures answers its own week as EIA's URL would
 *   GET /eia/electricity/wholesale/xls/ice_natgas-<YYYY>.xlsx              during year YYYY
 *   GET /eia/electricity/wholesale/xls/archive/ice_natgas-<YYYY>final.xlsx after year YYYY
 *                                                 fixtures/ice/eia_ice_natgas_2017_DOCUMENTED_LAYOUT.xlsx (documented
 *                                                 layout, illustrative values) for 2017; 404 for other years
 *
 * The whole-history workbooks are the same whatever the simulated date (they are recordings of
 * one release); the other files answer as EIA would at the simulated date. Any other path under
 * these folders answers EIA's 404 page.
 */
import { readdirSync, readFileSync } from 'node:fs'
import {
  EIA_FIXTURE_DIR,
  EIA_HENRY_HUB_DAILY_FIXTURE,
  EIA_ICE_NEXT_DAY_GAS_SOURCE,
  GAS_FIXTURE_DIR,
  HENRY_HUB_MONTHLY_FIXTURE,
  ICE_FIXTURE_DIR,
  ICE_SAMPLE_FIXTURE,
  latestRelease,
  LNG_FIXTURE_DIR,
  parseWngsrLngPrices,
  WNGSR_LNG_PATH,
  WNGSR_RELEASE,
} from '@carbon/connectors'
import { dayStartUtc } from '@carbon/schemas'
import { htmlPage } from '../failures.ts'
import type { SimAnswer } from '../markets/types.ts'
import { MINUTE } from '../time.ts'
import { HTML_TYPE, type SeriesRoute, XLS_TYPE, XLSX_TYPE } from './types.ts'

/** A recorded LNG fragment and the instant it is in force from (its release). */
export type LngCapture = { date: string; from: number; body: Buffer }

const LNG_CAPTURE = /^eia_wngsr_supplement_bullets_lng_2_(\d{4}-\d{2}-\d{2})\.html$/
const ICE_SAMPLE_YEAR = /natgas_(\d{4})_/
const ICE_PATH = /^\/electricity\/wholesale\/xls\/(archive\/)?ice_natgas-(\d{4})(final)?\.(xlsx?)$/

/** EIA's not-found page (its IIS answer), HTTP 404. */
export const eiaNotFound = (): SimAnswer => ({
  status: 404,
  type: HTML_TYPE,
  body: htmlPage('404 - File or directory not found.', 'The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.'),
})

/** The LNG captures kept in the connectors' fixtures, oldest first, each in force from its Thursday 10:30 Eastern. */
export function lngCaptures(): LngCapture[] {
  return readdirSync(LNG_FIXTURE_DIR)
    .map((name) => LNG_CAPTURE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      date: m[1]!,
      from: dayStartUtc(m[1]!, WNGSR_RELEASE.timeZone).getTime() + (WNGSR_RELEASE.hour * 60 + WNGSR_RELEASE.minute) * MINUTE,
      body: readFileSync(new URL(m[0], LNG_FIXTURE_DIR)),
    }))
    .sort((a, b) => a.from - b.from)
}

/** The capture EIA's URL answers at `now`: the latest released by then, or none. */
export function lngCaptureAt(captures: readonly LngCapture[], now: number): LngCapture | null {
  let found: LngCapture | null = null
  for (const capture of captures) if (capture.from <= now) found = capture
  return found
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const WEEK_MS = 7 * 24 * 60 * MINUTE

/** A benchmark's generated weekly average `weeks` releases after the capture's: its level moved by a slow wave, to the cent. */
function generatedPrice(base: number, weeks: number, phase: number): number {
  return Math.round(base * (1 + 0.08 * Math.sin(weeks * 0.45 + phase)) * 100) / 100
}

function changeText(change: number): string {
  if (Math.abs(change) < 0.005) return 'unchanged from the previous week'
  return `$${Math.abs(change).toFixed(2)} ${change < 0 ? 'lower' : 'higher'} than the previous week`
}

/**
 * The fragment EIA's URL answers at `now`: the capture in force, or, when a release after the last
 * capture has happened, a generated one in the capture's wording for the week ending the day before
 * that release, TTF and JKM moved from the last capture's levels (the simulator's own numbers, not
 * EIA's). The first release after the last capture is modelled as late: the capture still answers.
 * Null before the first capture.
 */
export function lngFragmentAt(captures: readonly LngCapture[], now: number): { body: Buffer; from: number } | null {
  const capture = lngCaptureAt(captures, now)
  if (!capture) return null
  const release = latestRelease(now, WNGSR_RELEASE)
  const weeks = Math.round((release.at - capture.from) / WEEK_MS)
  // The release right after a capture is served late (the capture still answers), so the
  // "not published yet" path is there to fetch; from the second one on, a week of its own.
  if (weeks < 2) return { body: capture.body, from: capture.from }
  const levels = new Map(parseWngsrLngPrices(new Uint8Array(capture.body), `bullets_lng_2_${capture.date}.html`).records.filter((r) => r.measure === 'price').map((r) => [r.series, r.value]))
  const weekEnding = new Date(Date.parse(`${release.date}T00:00:00Z`) - 24 * 60 * MINUTE)
  const [ttf, jkm] = [levels.get('TTF') ?? 10, levels.get('JKM') ?? 11]
  const price = (base: number, phase: number) => [generatedPrice(base, weeks, phase), generatedPrice(base, weeks, phase) - generatedPrice(base, weeks - 1, phase)] as const
  const [ttfNow, ttfChange] = price(ttf, 0)
  const [jkmNow, jkmChange] = price(jkm, 1.3)
  const html = [
    '<!-- generated by the 254Carbon publisher simulator for a week after its last capture: not EIA data -->',
    '<ul>',
    `	<li>For the week ending ${MONTH_NAMES[weekEnding.getUTCMonth()]} ${weekEnding.getUTCDate()}:</li>`,
    '      <ul>',
    `        <li>The price at the Title Transfer Facility (TTF) in Europe averaged $${ttfNow.toFixed(2)}/MMBtu, ${changeText(ttfChange)}.</li>`,
    `        <li>The Japan-Korea Marker (JKM) price averaged $${jkmNow.toFixed(2)}/MMBtu, ${changeText(jkmChange)}.</li>`,
    '      </ul>',
    '</ul>',
    '',
  ].join('\n')
  return { body: Buffer.from(html), from: release.at }
}

/** Extra slashes folded (EIA's own links have `content//bullets_lng_2.html`). */
const folded = (path: string) => path.replace(/\/{2,}/g, '/')

export function createEiaWwwRoute(): SeriesRoute {
  const monthly = readFileSync(new URL(HENRY_HUB_MONTHLY_FIXTURE, EIA_FIXTURE_DIR))
  const daily = readFileSync(new URL(EIA_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR))
  const captures = lngCaptures()
  const ice = { year: Number(ICE_SAMPLE_YEAR.exec(ICE_SAMPLE_FIXTURE)![1]), body: readFileSync(new URL(ICE_SAMPLE_FIXTURE, ICE_FIXTURE_DIR)) }
  const files: Record<string, Buffer> = { '/dnav/ng/hist_xls/RNGWHHDm.xls': monthly, '/dnav/ng/hist_xls/RNGWHHDd.xls': daily }

  function iceWorkbook(match: RegExpExecArray, now: number): SimAnswer {
    const [, archive, yearText, final, extension] = match
    const year = Number(yearText)
    const current = new Date(now).getUTCFullYear()
    const wanted = archive ? final !== undefined && year < current : final === undefined && year === current
    if (!wanted || year !== ice.year || extension !== 'xlsx') return eiaNotFound()
    return { status: 200, type: XLSX_TYPE, body: ice.body }
  }

  return {
    sources: ['eia.ng.hh_spot_monthly', 'eia.ng.hh_spot_daily', 'eia.ng.wngsr_lng_prices', EIA_ICE_NEXT_DAY_GAS_SOURCE],
    shapes: [
      'GET /eia/dnav/ng/hist_xls/{RNGWHHDm|RNGWHHDd}.xls',
      `GET /eia${WNGSR_LNG_PATH}`,
      'GET /eia/electricity/wholesale/xls/ice_natgas-{YYYY}.xlsx, /eia/electricity/wholesale/xls/archive/ice_natgas-{YYYY}final.xlsx',
    ],
    answer(request, context) {
      if (!request.path.startsWith('/eia/')) return null
      const path = folded(request.path.slice('/eia'.length))
      const file = files[path]
      if (file) return { status: 200, type: XLS_TYPE, body: file }
      if (path === WNGSR_LNG_PATH) {
        const fragment = lngFragmentAt(captures, context.now)
        if (!fragment) return eiaNotFound()
        return { status: 200, type: HTML_TYPE, body: fragment.body, headers: { 'Last-Modified': new Date(fragment.from).toUTCString() } }
      }
      const iceMatch = ICE_PATH.exec(path)
      if (iceMatch) return iceWorkbook(iceMatch, context.now)
      if (path.startsWith('/dnav/') || path.startsWith('/naturalgas/') || path.startsWith('/electricity/')) return eiaNotFound()
      return null
    },
  }
}
