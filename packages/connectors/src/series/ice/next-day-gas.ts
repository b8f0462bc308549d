/**
 * EIA's wholesale natural gas market data: ICE next-day (day-ahead) gas prices at the eight hubs
 * EIA pairs with its power hubs, republished by EIA from the Intercontinental Exchange
 * (https://www.eia.gov/electricity/wholesale/; one workbook per year, `ice_natgas-2016final.xls`
 * and before as legacy .xls, `ice_natgas-2017final.xlsx` on as .xlsx: both formats are read). No
 * served copy was found; the layout below is what the readers of those workbooks we found rely on
 * (fixtures/ice/README.md gives the evidence):
 *
 *   Price hub | Trade date | Delivery start date | Delivery <line break>end date | High price $/MMBtu |
 *   Low price $/MMBtu | Wtd avg price $/MMBtu | Change | Daily volume MMBtu | Number of trades |
 *   Number of counterparties
 *
 * one row per hub and trade date, dates as Excel dates. The header row is found in the first ten
 * rows of each sheet (column A "Price hub"); headings are matched with white space and case
 * ignored (older files write "Trade Date", one writes "Delivery \nend date"), "Number of
 * companies" accepted for the last. Every sheet holding that header is read.
 *
 * Series: per hub, the id of the hub definitions (series/gas/hubs.ts) where EIA's name is one of
 * theirs ("Henry" -> HENRY_HUB, "PG&E - Citygate" -> PGE_CITYGATE, "TETCO-M3" -> TETCO_M3), else
 * the name upper-cased with every run of characters other than A-Z and 0-9 folded to one `_`. The
 * weighted average price is `<HUB>`, the day's high and low `<HUB>.HIGH` and `<HUB>.LOW` ($/MMBtu),
 * the volume `<HUB>` (MMBtu), the number of trades `<HUB>` (count, with the number of
 * counterparties as an attribute). "Change" (the average's move from the hub's previous trade) is
 * not stored: it is derived.
 *
 * Clock: the period is the trade date, a day as UTC midnights (`datePeriod`): ICE's next-day gas
 * trades during the morning of the trade date and flows on the delivery dates (a Friday's trade
 * covers Saturday to Monday), which the attributes `delivery_start` and `delivery_end` keep.
 *
 * A bad row (a date that is not one, delivery not after the trade date, a price outside the day's
 * low..high, a volume or count that is not one, a hub and trade date given twice) is an issue per
 * bad cell and the row gives no record; the other rows still read. A row with only column A
 * filled is a note under the table. publishedAt is null (the workbook carries no release instant).
 */
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import type { XlsCell, XlsSheet } from '../../eia/biff.ts'
import { columnLetter, parseIssueOf, XlsParseError } from '../../eia/xls-error.ts'
import type { ParseIssue } from '../../errors.ts'
import { GAS_HUBS } from '../gas/hubs.ts'
import { cellAt, cellDate, cellNumber, isBlankCell, lastRow, normalizedHeading, readExcelWorkbook, shownCell } from '../../xlsx/workbook.ts'
import type { SeriesParseResult } from '../types.ts'

export const EIA_ICE_NEXT_DAY_GAS_SOURCE = 'eia.ice.next_day_gas'

type Key = 'hub' | 'tradeDate' | 'deliveryStart' | 'deliveryEnd' | 'high' | 'low' | 'average' | 'change' | 'volume' | 'trades' | 'counterparties'

/** The columns of the workbook: the heading EIA writes, and other spellings seen for it. */
export const ICE_GAS_COLUMNS: readonly { key: Key; heading: string; aliases?: readonly string[] }[] = [
  { key: 'hub', heading: 'Price hub' },
  { key: 'tradeDate', heading: 'Trade date' },
  { key: 'deliveryStart', heading: 'Delivery start date' },
  { key: 'deliveryEnd', heading: 'Delivery end date' },
  { key: 'high', heading: 'High price $/MMBtu' },
  { key: 'low', heading: 'Low price $/MMBtu' },
  { key: 'average', heading: 'Wtd avg price $/MMBtu' },
  { key: 'change', heading: 'Change' },
  { key: 'volume', heading: 'Daily volume MMBtu' },
  { key: 'trades', heading: 'Number of trades' },
  { key: 'counterparties', heading: 'Number of counterparties', aliases: ['Number of companies'] },
]

/** How many rows from the top of a sheet the header row may be in. */
const HEADER_SEARCH_ROWS = 10
/** Prices are rounded to cents (the average to four places): a low..high check allows half a cent. */
const PRICE_TOLERANCE = 0.005

/** The hubs of series/gas/hubs.ts by the name EIA's ICE files give them. */
const HUB_BY_ICE_NAME = new Map(GAS_HUBS.filter((h) => h.eiaIceName !== null).map((h) => [h.eiaIceName!.toUpperCase(), h.id]))

/**
 * The series id of a hub named as EIA's "Price hub" column names it: the id of the hub
 * definitions (series/gas/hubs.ts: "Henry" is HENRY_HUB, "PG&E - Citygate" PGE_CITYGATE), so the
 * same hub has one series whichever file it came from; a hub not defined there gets its name
 * upper-cased, every run of other characters folded to one `_`.
 */
export function iceHubSeriesId(hub: string): string {
  const defined = HUB_BY_ICE_NAME.get(hub.trim().toUpperCase())
  if (defined) return defined
  return hub
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
}

type Table = { sheet: XlsSheet; headerRow: number; columns: Record<Key, number> }

/** The 1-based row of a sheet's header (column A "Price hub" in the first rows), or null. */
function headerRowOf(sheet: XlsSheet): number | null {
  for (let row = 1; row <= HEADER_SEARCH_ROWS; row++) {
    const cell = cellAt(sheet, row, 0)
    if (cell?.kind === 'string' && normalizedHeading(cell.value) === normalizedHeading('Price hub')) return row
  }
  return null
}

/** The column of every heading in the header row; an XlsParseError naming the header when one is missing or doubled. */
function tableOf(sheet: XlsSheet, headerRow: number, file: string): Table {
  const headings = [...(sheet.rows.get(headerRow - 1) ?? new Map<number, XlsCell>())]
    .filter(([, cell]) => cell.kind === 'string')
    .map(([column, cell]) => ({ column, text: normalizedHeading(shownCell(cell)), shown: shownCell(cell) }))
  const columns = {} as Record<Key, number>
  for (const { key, heading, aliases = [] } of ICE_GAS_COLUMNS) {
    const names = [heading, ...aliases].map(normalizedHeading)
    const found = headings.filter((h) => names.includes(h.text))
    if (found.length !== 1) {
      throw new XlsParseError({
        file,
        sheet: sheet.name,
        row: headerRow,
        column: columnLetter(found[1]?.column ?? 0),
        value: headings.map((h) => `${columnLetter(h.column)}: ${h.shown}`).join(' | '),
        reason: found.length === 0 ? `header changed: no column "${heading}"` : `header changed: "${heading}" twice`,
      })
    }
    columns[key] = found[0]?.column ?? 0
  }
  return { sheet, headerRow, columns }
}

type Row = {
  hub: string
  tradeDate: string
  deliveryStart: string
  deliveryEnd: string
  high: number
  low: number
  average: number
  volume: number
  trades: number
  counterparties: number | null
}

type RowProblem = { key: Key; value: string; reason: string }

/** The row's values, or the problems of its cells (every one, so a row with two bad cells names both). */
function readRow(cell: (key: Key) => XlsCell | undefined, date1904: boolean): { row: Row } | { problems: RowProblem[] } {
  const problems: RowProblem[] = []
  const problem = (key: Key, reason: string, value = shownCell(cell(key))) => problems.push({ key, value, reason })
  const hubCell = cell('hub')
  const hub = hubCell?.kind === 'string' ? hubCell.value.trim() : ''
  if (!hub || !iceHubSeriesId(hub)) problem('hub', hub ? 'a hub name with no letter or digit' : 'hub missing')
  const date = (key: 'tradeDate' | 'deliveryStart' | 'deliveryEnd') => {
    const value = cellDate(cell(key), date1904)
    if (!value) problem(key, 'not a date (an Excel date was expected)')
    return value ?? ''
  }
  const tradeDate = date('tradeDate')
  const deliveryStart = date('deliveryStart')
  const deliveryEnd = date('deliveryEnd')
  if (tradeDate && deliveryStart && deliveryStart <= tradeDate) problem('deliveryStart', `delivery does not start after the trade date ${tradeDate}`, deliveryStart)
  if (deliveryStart && deliveryEnd && deliveryEnd < deliveryStart) problem('deliveryEnd', `delivery ends before it starts (${deliveryStart})`, deliveryEnd)
  const number = (key: Key, what: string, check: (n: number) => boolean = () => true) => {
    const value = cellNumber(cell(key))
    if (value === null || !check(value)) problem(key, `not ${what}`)
    return value ?? NaN
  }
  const high = number('high', 'a price ($/MMBtu)')
  const low = number('low', 'a price ($/MMBtu)')
  const average = number('average', 'a price ($/MMBtu)')
  if (low > high + PRICE_TOLERANCE) problem('low', `above the day's high ${high}`)
  else if (average < low - PRICE_TOLERANCE || average > high + PRICE_TOLERANCE) problem('average', `outside the day's low..high ${low}..${high}`)
  const volume = number('volume', 'a volume (MMBtu, a number >= 0)', (n) => n >= 0)
  const isCount = (n: number) => Number.isInteger(n) && n >= 0
  const trades = number('trades', 'a number of trades (a whole number >= 0)', isCount)
  const counterparties = isBlankCell(cell('counterparties')) ? null : number('counterparties', 'a number of counterparties (a whole number >= 0)', isCount)
  if (problems.length > 0) return { problems }
  return { row: { hub, tradeDate, deliveryStart, deliveryEnd, high, low, average, volume, trades, counterparties } }
}

/** The five records of one hub and trade date. */
function recordsOf(row: Row): SeriesRecord[] {
  const id = iceHubSeriesId(row.hub)
  const common = {
    product: 'GAS' as const,
    market: null,
    frequency: 'day' as const,
    ...datePeriod(row.tradeDate, 'day'),
    source: EIA_ICE_NEXT_DAY_GAS_SOURCE,
    publishedAt: null,
  }
  const dates = { hub: row.hub, trade_date: row.tradeDate, delivery_start: row.deliveryStart, delivery_end: row.deliveryEnd }
  const price = (series: string, value: number, kind: string): SeriesRecord => ({
    ...common,
    series,
    measure: 'price',
    value,
    unit: '$/MMBtu',
    attributes: { ...dates, price: kind },
  })
  return [
    price(id, row.average, 'weighted average'),
    price(`${id}.HIGH`, row.high, 'high'),
    price(`${id}.LOW`, row.low, 'low'),
    { ...common, series: id, measure: 'volume', value: row.volume, unit: 'MMBtu', attributes: dates },
    {
      ...common,
      series: id,
      measure: 'trades',
      value: row.trades,
      unit: 'count',
      attributes: row.counterparties === null ? dates : { ...dates, counterparties: String(row.counterparties) },
    },
  ]
}

/** The cells of a row as compared for repeats: every column's shown value. */
const rowSignature = (cell: (key: Key) => XlsCell | undefined) => ICE_GAS_COLUMNS.map(({ key }) => shownCell(cell(key))).join('\u0000')

/**
 * `eia.ice.next_day_gas`: EIA's yearly ICE next-day natural gas workbook (.xlsx, or .xls for 2016
 * and before). Throws {@link XlsParseError} when the file is not a workbook, no sheet has the
 * header row, or a heading is missing; a bad row is an issue per bad cell naming sheet, row, cell
 * and value, the other rows still read.
 */
export function parseEiaIceNextDayGas(bytes: Uint8Array, file: string): SeriesParseResult {
  const workbook = readExcelWorkbook(bytes, file)
  const tables = workbook.sheets.flatMap((sheet) => {
    const headerRow = headerRowOf(sheet)
    return headerRow === null ? [] : [tableOf(sheet, headerRow, file)]
  })
  if (tables.length === 0) {
    throw new XlsParseError({
      file,
      sheet: '(workbook)',
      row: 0,
      column: '',
      value: workbook.sheets.map((s) => s.name).join(', '),
      reason: `no sheet has the header row ("Price hub" in column A of its first ${HEADER_SEARCH_ROWS} rows)`,
    })
  }
  const records: SeriesRecord[] = []
  const errors: ParseIssue[] = []
  const seen = new Map<string, { sheet: string; row: number; signature: string }>()
  for (const { sheet, headerRow, columns } of tables) {
    const issue = (row: number, key: Key, value: string, reason: string) =>
      errors.push(parseIssueOf({ file, sheet: sheet.name, row, column: columnLetter(columns[key]), value, reason }))
    const last = lastRow(sheet)
    for (let row = headerRow + 1; row <= last; row++) {
      const cell = (key: Key) => cellAt(sheet, row, columns[key])
      const filled = ICE_GAS_COLUMNS.filter(({ key }) => !isBlankCell(cell(key))).map(({ key }) => key)
      if (filled.length === 0) continue
      if (filled.length === 1 && filled[0] === 'hub') continue // a note under the table
      const read = readRow(cell, workbook.date1904)
      if ('problems' in read) {
        for (const p of read.problems) issue(row, p.key, p.value, p.reason)
        continue
      }
      const key = `${read.row.hub}|${read.row.tradeDate}|${read.row.deliveryStart}`
      const signature = rowSignature(cell)
      const first = seen.get(key)
      if (first) {
        const where = first.sheet === sheet.name ? `row ${first.row}` : `sheet "${first.sheet}" row ${first.row}`
        issue(row, 'hub', read.row.hub, first.signature === signature ? `repeats ${where} (the same values; kept once)` : `${read.row.hub} on ${read.row.tradeDate} again, with other values than ${where} (the first is kept)`)
        continue
      }
      seen.set(key, { sheet: sheet.name, row, signature })
      records.push(...recordsOf(read.row))
    }
  }
  return { records, errors }
}
