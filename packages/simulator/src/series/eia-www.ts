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
 *                                                 404 before the first capture
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
  LNG_FIXTURE_DIR,
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
        const capture = lngCaptureAt(captures, context.now)
        if (!capture) return eiaNotFound()
        return { status: 200, type: HTML_TYPE, body: capture.body, headers: { 'Last-Modified': new Date(capture.from).toUTCString() } }
      }
      const iceMatch = ICE_PATH.exec(path)
      if (iceMatch) return iceWorkbook(iceMatch, context.now)
      if (path.startsWith('/dnav/') || path.startsWith('/naturalgas/') || path.startsWith('/electricity/')) return eiaNotFound()
      return null
    },
  }
}
