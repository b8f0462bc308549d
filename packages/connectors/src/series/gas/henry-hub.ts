/**
 * Henry Hub spot prices as series records, from EIA's own workbooks (RNGWHHDm.xls monthly,
 * RNGWHHDd.xls daily, read by ../../eia/dnav-series.ts) and from the `datasets/natural-gas`
 * re-layout of the daily one (data/daily.csv, `Date,Price`).
 *
 * Clock: every value belongs to a date EIA names, with no time of day. A month is stored as the
 * calendar month of EIA's date (EIA stamps months on the 15th), a day as that date, both as UTC
 * midnights (`datePeriod`): the gas trade's own clock (Central time) is not applied, because the
 * publisher gives a date, not an instant.
 *
 * publishedAt is null. The Contents sheet gives a release date without a time; as an instant,
 * its UTC midnight would lie before the release (EIA publishes during the Eastern working day), so
 * an as-of query would see the prices before they were out. The ingest fills a null publishedAt
 * from the response's Last-Modified time, which is an instant.
 */
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import { readDnavSeriesXls, type DnavLayout } from '../../eia/dnav-series.ts'
import { HENRY_HUB_DAILY_LAYOUT, HENRY_HUB_MONTHLY_LAYOUT } from '../../eia/henry-hub.ts'
import { parseIssueOf } from '../../eia/xls-error.ts'
import { ParseError, type ParseIssue } from '../../errors.ts'
import { assertHeader, dataText, isBlank, readNumber, rowWidthIssue, splitCsvLine, splitLines } from '../../parsers/text.ts'
import { textOf } from '../text.ts'
import type { SeriesParseResult } from '../types.ts'
import { REFERENCE_HUB, gasHub } from './hubs.ts'

export const EIA_HH_MONTHLY_SOURCE = 'eia.ng.hh_spot_monthly'
export const EIA_HH_DAILY_SOURCE = 'eia.ng.hh_spot_daily'
export const DATAHUB_HH_DAILY_SOURCE = 'datahub.ng.hh_spot_daily'

/** The header of `datasets/natural-gas` data/daily.csv (its scripts/process.py writes it). */
export const DATAHUB_DAILY_HEADER = ['Date', 'Price'] as const

type DayOrMonth = 'day' | 'month'

/** One Henry Hub price: the record every reader here emits. */
function henryHubRecord(date: string, frequency: DayOrMonth, value: number, source: string): SeriesRecord {
  return {
    product: 'GAS',
    market: null,
    series: REFERENCE_HUB,
    measure: 'price',
    frequency,
    ...datePeriod(date, frequency),
    value,
    unit: '$/MMBtu',
    attributes: { hub: gasHub(REFERENCE_HUB).name },
    source,
    publishedAt: null,
  }
}

function eiaWorkbookRecords(bytes: Uint8Array, file: string, layout: DnavLayout, source: string): SeriesParseResult {
  const series = readDnavSeriesXls(bytes, file, layout)
  return {
    records: series.observations.map(({ date, value }) => henryHubRecord(date, layout.frequency, value, source)),
    errors: series.issues.map(parseIssueOf),
  }
}

/** `eia.ng.hh_spot_monthly`: RNGWHHDm.xls, one record per month. */
export function parseEiaHenryHubMonthly(bytes: Uint8Array, file: string): SeriesParseResult {
  return eiaWorkbookRecords(bytes, file, HENRY_HUB_MONTHLY_LAYOUT, EIA_HH_MONTHLY_SOURCE)
}

/** `eia.ng.hh_spot_daily`: RNGWHHDd.xls, one record per trading day. */
export function parseEiaHenryHubDaily(bytes: Uint8Array, file: string): SeriesParseResult {
  return eiaWorkbookRecords(bytes, file, HENRY_HUB_DAILY_LAYOUT, EIA_HH_DAILY_SOURCE)
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Whether `text` is a calendar date written `YYYY-MM-DD` (2024-02-30 is not). */
function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text)
  if (!match) return false
  const [, y, m, d] = match.map(Number) as [number, number, number, number]
  const date = new Date(Date.UTC(y, m - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

/**
 * `datahub.ng.hh_spot_daily`: `datasets/natural-gas` data/daily.csv, written by that repository's
 * scripts/process.py from EIA's RNGWHHDd.xls: a `Date,Price` header, then one row per trading day
 * (`YYYY-MM-DD`, $/MMBtu as Python prints a float: `13.2`), CRLF lines, dates ascending. A changed
 * header, an empty file or an HTML page is a thrown ParseError; a row whose date is not one, does
 * not come after the row before (a repeated date) or whose price is missing or not a number >= 0
 * is an issue naming its line, and the other rows still come out.
 */
export function parseDatahubHenryHubDaily(bytes: Uint8Array, file: string): SeriesParseResult {
  const lines = splitLines(dataText(textOf(bytes), file))
  assertHeader(splitCsvLine(lines[0] ?? ''), DATAHUB_DAILY_HEADER, file, 1, 'datasets/natural-gas daily.csv')
  const records: SeriesRecord[] = []
  const errors: ParseIssue[] = []
  let previous: { date: string; line: number } | null = null
  lines.forEach((text, index) => {
    const line = index + 1
    if (line === 1 || isBlank(text)) return
    const cells = splitCsvLine(text)
    const width = rowWidthIssue(cells, DATAHUB_DAILY_HEADER, file, line)
    if (width) return void errors.push(width)
    const [date = '', price = ''] = cells
    const issue = (field: string, value: string, reason: string) => void errors.push({ file, line, field, value, reason })
    if (!isCalendarDate(date)) return issue('Date', date, 'not a date (YYYY-MM-DD expected)')
    if (previous && date <= previous.date) return issue('Date', date, `date out of order or repeated (after ${previous.date} on line ${previous.line})`)
    previous = { date, line }
    if (price === '') return issue('Price', price, 'price missing')
    const value = readNumber(price)
    if (value === null || value < 0) return issue('Price', price, 'not a price ($/MMBtu, a number >= 0 was expected)')
    records.push(henryHubRecord(date, 'day', value, DATAHUB_HH_DAILY_SOURCE))
  })
  if (records.length === 0 && errors.length === 0) {
    throw new ParseError({ file, line: 2, field: DATAHUB_DAILY_HEADER[0], value: '', reason: 'no data rows below the header' })
  }
  return { records, errors }
}
