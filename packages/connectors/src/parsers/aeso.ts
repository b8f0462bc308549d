/**
 * AESO (Alberta) Pool Price Report API v1.1,
 * `https://apimgw.aeso.ca/public/poolprice-api/v1.1/price/poolPrice?startDate=YYYY-MM-DD&endDate=YYYY-MM-DD`
 * (header `API-KEY`):
 *
 *   {"timestamp":"2026-11-02 07:10:00.000+0000","responseCode":"200",
 *    "return":{"Pool Price Report":[{"begin_datetime_utc":"2026-11-01 06:00",
 *      "begin_datetime_mpt":"2026-11-01 00:00","pool_price":"28.50",
 *      "forecast_pool_price":"27.95","rolling_30day_avg":"61.20"}, ...]}}
 *
 * Every value is a string. Alberta has one hourly pool price: node {@link AESO_NODE}, run RTH
 * (the pool price is the settled real-time hourly price). The begin times are the hour
 * BEGINNING, `YYYY-MM-DD HH:MM`, in UTC and in Mountain prevailing time (America/Edmonton);
 * the UTC one gives the instant and the MPT one must name the same instant (on the fall-back
 * day MPT 01:00 appears twice and only UTC tells them apart; a disagreement is a row issue).
 * No components are published: energy, congestion, loss and ghg are null. An hour not settled
 * yet has an empty pool_price and only a forecast: it is counted as `pending` (not a price, and
 * nothing wrong with it; a later answer settles it), never read as a price. `timestamp` is when
 * the answer was made, not when the price was published: publishedAt is null.
 * Issues name the 1-based position in "Pool Price Report" as their line.
 */
import type { PriceRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../errors.ts'
import type { ParseResult } from '../types.ts'
import { instantsOfWallClock, MOUNTAIN } from './local-time.ts'
import { isObject, isoUtc, rawText, readJson, readNumber, wallClockMs } from './text.ts'

/** The node of Alberta's single pool price. */
export const AESO_NODE = 'POOL'
export const AESO_REPORT = 'Pool Price Report'

const HOUR_MS = 3_600_000
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/

/** A `YYYY-MM-DD HH:MM` time read as if it were UTC (see `wallClockMs`), or null. */
export function aesoWallMs(text: string): number | null {
  const m = DATE_TIME.exec(text)
  return m ? wallClockMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) : null
}

/** `aeso.pool_price`: the Pool Price Report answer, one RTH record per settled hour. */
export function parseAesoPoolPrice(text: string, file: string): ParseResult {
  const doc = readJson(text, file)
  const fail = (field: string, value: unknown, reason: string): never => {
    throw new ParseError({ file, line: 1, field, value: rawText(value).slice(0, 200), reason })
  }
  if (!isObject(doc)) return fail('return', doc, `expected {"return":{"${AESO_REPORT}":[...]}}`)
  const code = doc.responseCode
  if (code !== undefined && rawText(code) !== '200') {
    const message = rawText(doc.message ?? doc.error ?? 'no message')
    fail('responseCode', code, `publisher error ${rawText(code)}: ${message}`)
  }
  const answer = doc.return
  if (!isObject(answer) || !Object.hasOwn(answer, AESO_REPORT))
    return fail('return', answer ?? doc, `expected {"return":{"${AESO_REPORT}":[...]}}`)
  const rows = answer[AESO_REPORT]
  if (!Array.isArray(rows)) return fail(`return.${AESO_REPORT}`, rows, 'expected a list of hours')
  if (rows.length === 0) return fail(`return.${AESO_REPORT}`, rows, 'no hours in the answer (no data for these dates)')

  const records: PriceRecord[] = []
  const errors: ParseIssue[] = []
  const seen = new Map<number, { lmp: number; line: number }>()
  let pending = 0
  rows.forEach((row: unknown, index: number) => {
    const line = index + 1
    const issue = (field: string, value: unknown, reason: string) => errors.push({ file, line, field, value: rawText(value), reason })
    if (!isObject(row)) return issue(AESO_REPORT, row, 'not an object')
    const utcText = row.begin_datetime_utc
    const start = typeof utcText === 'string' ? aesoWallMs(utcText) : null
    if (start === null) return issue('begin_datetime_utc', utcText ?? '', utcText === undefined ? 'missing' : 'not YYYY-MM-DD HH:MM')
    if (start % HOUR_MS !== 0) return issue('begin_datetime_utc', utcText, 'not the start of an hour')
    const mptText = row.begin_datetime_mpt
    const mpt = typeof mptText === 'string' ? aesoWallMs(mptText) : null
    if (mpt === null) return issue('begin_datetime_mpt', mptText ?? '', mptText === undefined ? 'missing' : 'not YYYY-MM-DD HH:MM')
    if (!instantsOfWallClock(mpt, MOUNTAIN).includes(start))
      return issue('begin_datetime_mpt', mptText, `is not ${utcText as string} UTC in Alberta time (America/Edmonton)`)
    const raw = row.pool_price
    if (raw === undefined) return issue('pool_price', '', 'missing')
    // An hour not settled yet is listed with its forecast only: not a price, and nothing wrong.
    if (raw === null || (typeof raw === 'string' && raw.trim() === '')) return void pending++
    const lmp = readNumber(raw)
    if (lmp === null) return issue('pool_price', raw, 'not a number')
    const first = seen.get(start)
    if (first) {
      if (first.lmp !== lmp) issue('begin_datetime_utc', utcText, `hour listed twice with another pool_price (line ${first.line}: ${first.lmp} kept)`)
      return
    }
    seen.set(start, { lmp, line })
    records.push({
      market: 'AESO',
      node: AESO_NODE,
      run: 'RTH',
      intervalStart: isoUtc(start),
      intervalEnd: isoUtc(start + HOUR_MS),
      lmp,
      energy: null,
      congestion: null,
      loss: null,
      ghg: null,
      source: 'aeso.pool_price',
      publishedAt: null,
    })
  })
  return { records, errors, pending }
}
