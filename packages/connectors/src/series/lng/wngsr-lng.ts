/**
 * EIA Weekly Natural Gas Storage Report (WNGSR) supplement, the LNG bullet:
 * https://www.eia.gov/naturalgas/weekly/supplement/content/bullets_lng_2.html, an HTML fragment
 * (no `<html>`, no `<head>`) that EIA includes in the weekly report page. The prices are prose:
 *
 *   <ul><li>For the week ending September 23:</li>
 *     <ul><li>The price at the Title Transfer Facility (TTF) in Europe averaged $25.15/MMBtu,
 *             $2.11 lower than the previous week.</li>
 *         <li>The Japan-Korea Marker (JKM) price averaged $26.41/MMBtu, 97 cents higher than the
 *             previous week. </li>
 *         <li>(other remarks: inventories, comparisons in %: not read)</li></ul></ul>
 *
 * Each week gives one weekly average per benchmark, in nominal $/MMBtu (EIA credits the prices to
 * Bloomberg Finance L.P.), for the week ENDING the date given (a Wednesday in every report seen):
 * a `week` period from `datePeriod(date, 'week')`, the date's UTC midnight as the publisher's
 * date, whatever the clock. Series `TTF` and `JKM`, product LNG, no market.
 *
 * The week-on-week change EIA states is kept in the record's attributes
 * (`changeFromPreviousWeek`, signed $/MMBtu, e.g. "-2.11"), not as a series of its own: it
 * qualifies the price it is written next to, and the week before is its own record already (a
 * change series would only restate the difference of two prices, and disagree with it whenever
 * EIA revises a week). Wordings read, as served: `$1.03/MMBtu lower`, `$2.11 lower`,
 * `97 cents higher` (than the previous week); also `unchanged` (not yet served, read so that a
 * flat week is not reported as an unreadable change). A change in any other wording keeps the
 * price and is reported as an issue (field `change`).
 *
 * The week-ending date has no year in the served files ("For the week ending August 5:"). When
 * the text gives none, the year comes from the file name, which must carry the date the fragment
 * was fetched as `YYYY-MM-DD` (EIA's own name, bullets_lng_2.html, has no date: the fetch half
 * names what it saves). The week ending is the latest such month and day on or before that date
 * (a report fetched 2027-01-07 for the "week ending December 30" is 2026-12-30), and must fall
 * within {@link MAX_REPORT_AGE_DAYS} days of it; anything else is a ParseError rather than a
 * guessed year. `publishedAt` is null: the fragment does not say when it was released.
 */
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../../errors.ts'
import { textOf } from '../text.ts'
import type { SeriesParseResult } from '../types.ts'
import { lineAt, listItems, type HtmlItem } from './html-items.ts'

export const WNGSR_LNG_URL = 'https://www.eia.gov/naturalgas/weekly/supplement/content/bullets_lng_2.html'
export const WNGSR_LNG_SOURCE = 'eia.ng.wngsr_lng_prices'

/** The benchmarks the bullet prices, as their series ids, with the names the attributes spell out. */
export const LNG_BENCHMARKS = {
  TTF: 'Title Transfer Facility (TTF), Europe',
  JKM: 'Japan-Korea Marker (JKM), Northeast Asia',
} as const
export type LngBenchmark = keyof typeof LNG_BENCHMARKS

/** How far before the file's (fetch) date a year-less week ending may be; the page changes weekly. */
export const MAX_REPORT_AGE_DAYS = 31

const DAY_MS = 86_400_000

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const

/** "For the week ending September 23:" (a year, an abbreviated month and an ordinal also read). */
const WEEK_HEADING = /^For the week ending ([A-Za-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?\s*:?$/i

/** "... (TTF) ... averaged $25.15/MMBtu<rest>": one benchmark named in brackets and its average. */
const PRICE = /\((TTF|JKM)\)[^$]*?\baveraged \$(\d+(?:\.\d+)?) ?\/ ?MMBtu\b(.*)$/i

/** `$2.11 lower`, `$1.03/MMBtu lower`, `97 cents higher` ... than the previous week. */
const CHANGE = /^,? ?(?:\$(\d+(?:\.\d+)?)(?: ?\/ ?MMBtu)?|(\d+) cents?) (lower|higher) than (?:the )?(?:previous|prior) week\b/i
/** `unchanged from the previous week`, `unchanged`. */
const UNCHANGED = /^,? ?unchanged\b/i

type Week = {
  date: string
  heading: HtmlItem
  /** The items under the heading, up to the next one. */
  items: HtmlItem[]
  prices: Map<LngBenchmark, { value: number; item: HtmlItem; rest: string }>
}

function fail(file: string, line: number, field: string, value: string, reason: string): never {
  throw new ParseError({ file, line, field, value, reason })
}

/** The text, or a ParseError when it is empty or a whole HTML page (an error or moved page), not the fragment. */
function fragmentText(bytes: Uint8Array, file: string): string {
  const text = textOf(bytes)
  if (text.trim() === '') fail(file, 1, '(file)', '', 'empty file')
  const page = /<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<title[\s>]/i.exec(text)
  if (page) {
    const at = page.index
    fail(file, lineAt(text, at), '(file)', text.slice(at, at + 200), 'an HTML page instead of the LNG bullet fragment (an error or moved page)')
  }
  return text
}

/** 0-based month of an English month name or its abbreviation (`Sep`, `Sept`), or -1. */
function monthIndex(name: string): number {
  const lower = name.toLowerCase()
  return lower.length < 3 ? -1 : MONTHS.findIndex((month) => month.startsWith(lower))
}

/** `YYYY-MM-DD` of a real calendar date, or null (31 September, 29 February of a common year). */
function calendarDate(year: number, month: number, day: number): string | null {
  const ms = Date.UTC(year, month, day)
  const date = new Date(ms)
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return null
  return date.toISOString().slice(0, 10)
}

/** The date the fragment was fetched, from the last `YYYY-MM-DD` in the file name, or null. */
export function fetchDateOfName(file: string): string | null {
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1)
  const found = [...base.matchAll(/(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)/g)].at(-1)
  return found ? calendarDate(Number(found[1]), Number(found[2]) - 1, Number(found[3])) : null
}

/**
 * The latest `month` (0-based) and `day` on or before `fetched` (this year's, else last year's), or null when
 * that is more than {@link MAX_REPORT_AGE_DAYS} days before it (or the day exists in neither year).
 */
export function weekEndingBefore(month: number, day: number, fetched: string): string | null {
  const fetchedMs = Date.parse(`${fetched}T00:00:00Z`)
  const year = Number(fetched.slice(0, 4))
  for (const candidate of [calendarDate(year, month, day), calendarDate(year - 1, month, day)]) {
    if (candidate === null) continue
    const age = (fetchedMs - Date.parse(`${candidate}T00:00:00Z`)) / DAY_MS
    if (age < 0) continue
    return age <= MAX_REPORT_AGE_DAYS ? candidate : null
  }
  return null
}

/** The `YYYY-MM-DD` a week heading names (year from the text, else inferred from the file name). */
function headingDate(heading: HtmlItem, match: RegExpExecArray, file: string): string {
  const [, monthName = '', dayText = '', yearText] = match
  const month = monthIndex(monthName)
  if (month < 0) fail(file, heading.line, 'week ending', heading.text, `"${monthName}" is not a month`)
  const day = Number(dayText)
  if (yearText !== undefined) {
    const date = calendarDate(Number(yearText), month, day)
    return date ?? fail(file, heading.line, 'week ending', heading.text, 'not a calendar date')
  }
  const fetched = fetchDateOfName(file)
  if (fetched === null) {
    fail(file, heading.line, 'week ending', heading.text, 'the date has no year and the file name carries no YYYY-MM-DD (the day it was fetched) to infer it from')
  }
  const date = weekEndingBefore(month, day, fetched)
  if (date === null) {
    fail(file, heading.line, 'week ending', heading.text, `no such date within ${MAX_REPORT_AGE_DAYS} days on or before ${fetched} (the fetch date in the file name)`)
  }
  return date
}

/** The items grouped under their "For the week ending" headings, each week's two prices found. */
function readWeeks(items: HtmlItem[], file: string): Week[] {
  const weeks: Week[] = []
  for (const item of items) {
    const heading = WEEK_HEADING.exec(item.text)
    if (heading) {
      const date = headingDate(item, heading, file)
      const same = weeks.find((w) => w.date === date)
      if (same) fail(file, item.line, 'week ending', item.text, `the week ending ${date} again (first on line ${same.heading.line})`)
      weeks.push({ date, heading: item, items: [], prices: new Map() })
      continue
    }
    const week = weeks.at(-1)
    week?.items.push(item)
    const price = PRICE.exec(item.text)
    if (!price) continue
    const benchmark = price[1]?.toUpperCase() as LngBenchmark
    if (!week) fail(file, item.line, benchmark, item.text, 'a price before any "For the week ending" item')
    const first = week.prices.get(benchmark)
    if (first) fail(file, item.line, benchmark, item.text, `a second ${benchmark} price for the week ending ${week.date} (first on line ${first.item.line})`)
    week.prices.set(benchmark, { value: Number(price[2]), item, rest: price[3] ?? '' })
  }
  return weeks
}

/** The ParseError for a week without one of its prices: names the item that mentions it, if any. */
function missingPrice(week: Week, benchmark: LngBenchmark, file: string): never {
  const mention = week.items.find((i) => new RegExp(`\\b${benchmark}\\b`).test(i.text))
  const reason = `no ${benchmark} weekly average ("(${benchmark}) ... averaged $X/MMBtu") for the week ending ${week.date}`
  return fail(file, mention?.line ?? week.heading.line, benchmark, mention?.text ?? week.heading.text, mention ? `${reason}: wording changed?` : reason)
}

/** The signed week-on-week change ($/MMBtu) written after a price, `null` when none is stated, `undefined` when unreadable. */
export function readChange(rest: string): number | null | undefined {
  const text = rest.trim()
  if (/^[.,;:]?$/.test(text)) return null
  if (UNCHANGED.test(text)) return 0
  const match = CHANGE.exec(text)
  if (!match) return undefined
  const [, dollars, cents, direction] = match
  const size = dollars !== undefined ? Number(dollars) : Number(cents) / 100
  return direction?.toLowerCase() === 'lower' ? -size : size
}

function weekRecord(week: Week, benchmark: LngBenchmark, change: number | null | undefined, value: number): SeriesRecord {
  const attributes: Record<string, string> = {
    benchmark,
    name: LNG_BENCHMARKS[benchmark],
    statistic: 'weekly average',
    weekEnding: week.date,
  }
  if (typeof change === 'number') attributes.changeFromPreviousWeek = String(change + 0)
  return {
    product: 'LNG',
    market: null,
    series: benchmark,
    measure: 'price',
    frequency: 'week',
    ...datePeriod(week.date, 'week'),
    value,
    unit: '$/MMBtu',
    attributes,
    source: WNGSR_LNG_SOURCE,
    publishedAt: null,
  }
}

/**
 * `eia.ng.wngsr_lng_prices`: one TTF and one JKM record per week in the fragment. Throws a
 * {@link ParseError} naming the file when it is empty, an HTML page, has no week heading, or a
 * week lacks either price (the fragment is then not the bullet this reads); an unreadable change
 * wording is an issue beside the price it follows.
 */
export function parseWngsrLngPrices(bytes: Uint8Array, file: string): SeriesParseResult {
  const text = fragmentText(bytes, file)
  const items = listItems(text)
  if (items.length === 0) fail(file, 1, '(file)', text.slice(0, 200), 'no list items (<li>): not the LNG bullet fragment')
  const weeks = readWeeks(items, file)
  if (weeks.length === 0) fail(file, items[0]?.line ?? 1, 'week ending', items[0]?.text ?? '', 'no "For the week ending <Month> <day>" item')
  const records: SeriesRecord[] = []
  const errors: ParseIssue[] = []
  for (const week of weeks) {
    for (const benchmark of Object.keys(LNG_BENCHMARKS) as LngBenchmark[]) {
      const price = week.prices.get(benchmark) ?? missingPrice(week, benchmark, file)
      const change = readChange(price.rest)
      if (change === undefined) {
        errors.push({
          file,
          line: price.item.line,
          field: 'change',
          value: price.rest.trim(),
          reason: `${benchmark} week-on-week change not read (expected "$X lower|higher than the previous week", "N cents ...", "unchanged"); the price is kept without it`,
        })
      }
      records.push(weekRecord(week, benchmark, change, price.value))
    }
  }
  return { records, errors }
}
