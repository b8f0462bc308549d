/**
 * REC price quotes entered by users as CSV: `carbon.rec_prices_csv`. No publisher serves a REC
 * price series (see fixtures/rec/README.md), so the layout is OURS, one quote per row:
 *
 *   date,state,program,class,vintage,price,bid,ask,source_note
 *   2026-09-01,NJ,RPS,SOLAR,2027,192.50,190.00,195.00,"broker indication, mid"
 *
 * - `date`: the quote's date, `YYYY-MM-DD`. No clock: a quote belongs to the date written, stored
 *   as that date's UTC-midnight day period (`datePeriod`).
 * - `state`: the two-letter code of a US state (or DC, PR) or a Canadian province or territory,
 *   upper case: the jurisdiction whose program the certificate counts for.
 * - `program`: the program's short name in upper case (`RPS`, `AEPS`, `CES`, `SREC-II`), kept as
 *   an attribute; a series names one program throughout a file.
 * - `class`: one of {@link REC_CLASSES}, spelled exactly (`CLASS_I`, not `Class 1`: an issue
 *   names the spelling meant when it is recognisable).
 * - `vintage`: the certificate's year as its program labels it (NJ and PA: the energy year,
 *   June to May, named by the year it ends; elsewhere the calendar year), at most
 *   {@link MAX_FORWARD_VINTAGE_YEARS} after the quote date's year (forward vintages trade).
 * - `price`: the quote, $/MWh (one REC is one MWh), nominal, a number >= 0. `bid` and `ask` are
 *   optional (empty cells); when both are given the bid may not exceed the ask.
 * - `source_note`: optional free text (who quoted, mid or last trade), at most 128 characters;
 *   quote the cell when it holds a comma.
 *
 * Each good row is one record of series `REC.<STATE>.<CLASS>.<VINTAGE>` (measure price, unit
 * `$/MWh`, frequency day) with attributes state, program, class and vintage, plus `bid`, `ask`
 * and `note` when given: the canonical record has one value, and bid, ask and note would be lost
 * otherwise. Every bad cell of a row is an issue naming line, field and value (the row gives no
 * record); a second quote of the same series on the same date is an issue naming the line of
 * the first. An empty file, an HTML page, a missing or changed header, or a file with no quotes
 * throws ParseError.
 */
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import { ParseError, type ParseIssue } from '../../errors.ts'
import { assertHeader, dataText, isBlank, lookup, readNumber, rowWidthIssue, splitCsvLine, splitLines, wallClockMs } from '../../parsers/text.ts'
import { textOf } from '../text.ts'
import type { SeriesParseResult } from '../types.ts'

export const REC_PRICES_CSV_SOURCE = 'carbon.rec_prices_csv'

export const REC_PRICES_CSV_HEADER = ['date', 'state', 'program', 'class', 'vintage', 'price', 'bid', 'ask', 'source_note'] as const
type Column = (typeof REC_PRICES_CSV_HEADER)[number]

/**
 * The REC classes a quote may name, and what each is. Classes are the programs' own tiers; the
 * spelling is ours (upper case, `_`, Roman numerals for NJ/MA/CT classes as their statutes
 * write them, Arabic for PA/MD tiers and CA portfolio content categories likewise).
 */
export const REC_CLASSES = {
  SOLAR: 'solar carve-out certificate (NJ SREC, MA SREC, PA, MD and DC solar)',
  TREC: 'NJ Transition Renewable Energy Certificate (fixed-price, factorised)',
  CLASS_I: 'Class I renewable (NJ, MA, CT, NH, ME)',
  CLASS_II: 'Class II renewable (NJ, MA, CT, NH, ME)',
  CLASS_III: 'Class III (CT combined heat and power, conservation; NH biomass)',
  TIER_1: 'Tier 1 / Tier I (PA AEPS, MD RPS)',
  TIER_2: 'Tier 2 / Tier II (PA AEPS, MD RPS)',
  PCC1: 'California portfolio content category 1 (bundled, in-state or directly delivered)',
  PCC2: 'California portfolio content category 2 (firmed and shaped)',
  PCC3: 'California portfolio content category 3 (unbundled)',
  GENERAL: 'the single class of a program without tiers (Texas)',
} as const
export type RecClass = keyof typeof REC_CLASSES

/** Two-letter codes a `state` cell may hold: the 50 states, DC and Puerto Rico; Canada's provinces and territories. */
export const REC_JURISDICTIONS: ReadonlySet<string> = new Set([
  ...['AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY'],
  ...['LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND'],
  ...['OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'DC', 'PR'],
  ...['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'],
])

/** How many years after the quote date's year a vintage may be (forward vintages trade a few years out). */
export const MAX_FORWARD_VINTAGE_YEARS = 5

const MAX_NOTE_CHARS = 128
const PROGRAM = /^[A-Z0-9][A-Z0-9 _/-]{0,31}$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const VINTAGE = /^(19|20)\d{2}$/

/**
 * A class spelling reduced to what tells classes apart (letters and digits, a trailing Roman
 * numeral as a digit), so `Class 1`, `class-I` and `CLASS_I` meet; `SREC` is the solar class.
 */
function classKey(text: string): string {
  const squashed = text.toUpperCase().replace(/[^A-Z0-9]/g, '')
  if (squashed === 'SREC') return 'SOLAR'
  return squashed.replace(/III$/, '3').replace(/II$/, '2').replace(/(?<=CLASS|TIER)I$/, '1')
}

const CLASS_BY_KEY: ReadonlyMap<string, RecClass> = new Map(Object.keys(REC_CLASSES).map((name) => [classKey(name), name as RecClass]))

/** The reason a class cell is not a class, naming the spelling meant when one is recognisable. */
function classReason(text: string): string {
  const meant = CLASS_BY_KEY.get(classKey(text))
  const known = `one of ${Object.keys(REC_CLASSES).join(', ')}`
  return meant ? `unknown class spelling: write ${meant}` : `unknown class: ${known}`
}

/** The reason a state cell is not a jurisdiction code. */
function stateReason(text: string): string {
  if (REC_JURISDICTIONS.has(text.toUpperCase())) return `state in upper case: write ${text.toUpperCase()}`
  return 'not a two-letter US state or Canadian province code'
}

/** The quote date's year, or null when the cell is not a real `YYYY-MM-DD` date. */
function dateYear(text: string): number | null {
  const m = DATE.exec(text)
  if (!m) return null
  return wallClockMs(Number(m[1]), Number(m[2]), Number(m[3])) === null ? null : Number(m[1])
}

/** A price cell ($/MWh, >= 0): the number, or the reason it is not one. */
function priceOf(text: string, what: string): number | string {
  const value = readNumber(text)
  if (value === null) return `${what} is not a number ($/MWh)`
  if (value < 0) return `${what} is negative`
  return value
}

type Quote = { date: string; state: string; program: string; recClass: RecClass; vintage: string; price: number; bid: number | null; ask: number | null; note: string }

/**
 * The quote of one row, or the issues of its bad cells (every one, so a user fixes a row once).
 */
function readQuote(cells: readonly string[], file: string, line: number): Quote | ParseIssue[] {
  const issues: ParseIssue[] = []
  const cell = (column: Column) => cells[REC_PRICES_CSV_HEADER.indexOf(column)] ?? ''
  const bad = (column: Column, reason: string) => issues.push({ file, line, field: column, value: cell(column), reason })

  const date = cell('date')
  const year = dateYear(date)
  if (year === null) bad('date', 'not a date (YYYY-MM-DD)')

  const state = cell('state')
  if (!REC_JURISDICTIONS.has(state)) bad('state', stateReason(state))

  const program = cell('program')
  if (!PROGRAM.test(program)) bad('program', program === '' ? 'program missing' : 'not a program name (upper case letters, digits, " _/-", at most 32)')

  const recClass = lookup(REC_CLASSES, cell('class')) === undefined ? null : (cell('class') as RecClass)
  if (recClass === null) bad('class', classReason(cell('class')))

  const vintage = cell('vintage')
  if (!VINTAGE.test(vintage)) bad('vintage', 'not a year (YYYY)')
  else if (year !== null && Number(vintage) > year + MAX_FORWARD_VINTAGE_YEARS) {
    bad('vintage', `more than ${MAX_FORWARD_VINTAGE_YEARS} years after the quote date's year (${year})`)
  }

  const price = cell('price') === '' ? 'price missing' : priceOf(cell('price'), 'price')
  if (typeof price === 'string') bad('price', price)
  const bid = cell('bid') === '' ? null : priceOf(cell('bid'), 'bid')
  if (typeof bid === 'string') bad('bid', bid)
  const ask = cell('ask') === '' ? null : priceOf(cell('ask'), 'ask')
  if (typeof ask === 'string') bad('ask', ask)
  if (typeof bid === 'number' && typeof ask === 'number' && bid > ask) bad('bid', `bid above the ask (${cell('ask')})`)

  const note = cell('source_note')
  if (note.length > MAX_NOTE_CHARS) bad('source_note', `longer than ${MAX_NOTE_CHARS} characters`)

  if (issues.length > 0 || recClass === null || typeof price !== 'number' || typeof bid === 'string' || typeof ask === 'string') return issues
  return { date, state, program, recClass, vintage, price, bid, ask, note }
}

/** The series a quote belongs to: `REC.<STATE>.<CLASS>.<VINTAGE>`. */
export function recSeriesId(state: string, recClass: RecClass, vintage: string): string {
  return `REC.${state}.${recClass}.${vintage}`
}

function recordOf(quote: Quote, series: string): SeriesRecord {
  const attributes: Record<string, string> = { state: quote.state, program: quote.program, class: quote.recClass, vintage: quote.vintage }
  if (quote.bid !== null) attributes.bid = String(quote.bid)
  if (quote.ask !== null) attributes.ask = String(quote.ask)
  if (quote.note !== '') attributes.note = quote.note
  return {
    product: 'REC',
    market: null,
    series,
    measure: 'price',
    frequency: 'day',
    ...datePeriod(quote.date, 'day'),
    value: quote.price,
    unit: '$/MWh',
    attributes,
    source: REC_PRICES_CSV_SOURCE,
    publishedAt: null,
  }
}

/**
 * Reads a REC price CSV in the layout above. Good rows are records in file order; bad rows,
 * repeated (date, series) quotes and a series whose program changes are issues.
 */
export function parseRecPricesCsv(bytes: Uint8Array, file: string): SeriesParseResult {
  const lines = splitLines(dataText(textOf(bytes), file))
  assertHeader(splitCsvLine(lines[0] ?? ''), REC_PRICES_CSV_HEADER, file, 1, 'REC price columns')

  const records: SeriesRecord[] = []
  const errors: ParseIssue[] = []
  /** `date series` -> line of the quote kept. */
  const quoted = new Map<string, number>()
  /** series -> its program and the line that set it. */
  const programs = new Map<string, { program: string; line: number }>()
  let rows = 0

  for (const [index, text] of lines.entries()) {
    const line = index + 1
    if (line === 1 || isBlank(text)) continue
    rows++
    const cells = splitCsvLine(text)
    const width = rowWidthIssue(cells, REC_PRICES_CSV_HEADER, file, line)
    if (width) {
      errors.push(width)
      continue
    }
    const quote = readQuote(cells, file, line)
    if (Array.isArray(quote)) {
      errors.push(...quote)
      continue
    }
    const series = recSeriesId(quote.state, quote.recClass, quote.vintage)
    const first = programs.get(series)
    if (first && first.program !== quote.program) {
      errors.push({ file, line, field: 'program', value: quote.program, reason: `${series} is program ${first.program} on line ${first.line}` })
      continue
    }
    const key = `${quote.date} ${series}`
    const earlier = quoted.get(key)
    if (earlier !== undefined) {
      errors.push({ file, line, field: 'date', value: quote.date, reason: `${series} already quoted for ${quote.date} on line ${earlier}` })
      continue
    }
    quoted.set(key, line)
    if (!first) programs.set(series, { program: quote.program, line })
    records.push(recordOf(quote, series))
  }

  if (rows === 0) throw new ParseError({ file, line: 2, field: '(file)', value: '', reason: 'no quotes below the header' })
  return { records, errors }
}
