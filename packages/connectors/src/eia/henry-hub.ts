/**
 * EIA's Henry Hub natural gas spot price, monthly (series RNGWHHD, file RNGWHHDm.xls from
 * https://www.eia.gov/dnav/ng/hist_xls/RNGWHHDm.xls), as the publisher serves it: a legacy Excel
 * workbook with a "Contents" sheet (release dates) and a "Data 1" sheet (a link row, the
 * `Sourcekey | RNGWHHD` row, the `Date | Henry Hub ...` header, then one row per month: an Excel
 * date serial on the 15th of the month and the average price in $/MMBtu, nominal).
 */
import { excelSerialDate, readXlsWorkbook, type XlsCell, type XlsSheet, type XlsWorkbook } from './biff.ts'
import { XlsParseError, columnLetter } from './xls-error.ts'

export type HenryHubMonth = { month: string; price: number }

export type HenryHubMonthly = {
  /** Release date of the file (`YYYY-MM-DD`, the Contents sheet's "Release Date:"), null when absent. */
  release: string | null
  /** The next release announced there, null when absent. */
  nextRelease: string | null
  /** Every month of the series in order, `YYYY-MM`, $/MMBtu; consecutive, no gaps. */
  months: HenryHubMonth[]
}

export const HENRY_HUB_DATA_SHEET = 'Data 1'
export const HENRY_HUB_CONTENTS_SHEET = 'Contents'
export const HENRY_HUB_SOURCE_KEY = 'RNGWHHD'
export const HENRY_HUB_PRICE_HEADER = 'Henry Hub Natural Gas Spot Price (Dollars per Million Btu)'

/** The header rows (1-based) of "Data 1" and what columns A and B must say. */
const HEADER_ROWS: readonly { row: number; a: string; b: string }[] = [
  { row: 2, a: 'Sourcekey', b: HENRY_HUB_SOURCE_KEY },
  { row: 3, a: 'Date', b: HENRY_HUB_PRICE_HEADER },
]
const FIRST_DATA_ROW = 4

type Place = { file: string; sheet: string }

function fail(place: Place, row: number, column: number, value: string, reason: string): never {
  throw new XlsParseError({ file: place.file, sheet: place.sheet, row, column: columnLetter(column), value, reason })
}

/** The cell at a 1-based row and 0-based column. */
const cellAt = (sheet: XlsSheet, row: number, column: number): XlsCell | undefined => sheet.rows.get(row - 1)?.get(column)

function shown(cell: XlsCell | undefined): string {
  if (!cell) return ''
  if (cell.kind === 'error') return `#error ${cell.code}`
  return String(cell.value)
}

function sheetNamed(workbook: XlsWorkbook, name: string, file: string): XlsSheet {
  const sheet = workbook.sheets.find((s) => s.name === name)
  if (!sheet) {
    throw new XlsParseError({
      file,
      sheet: '(workbook)',
      row: 0,
      column: '',
      value: workbook.sheets.map((s) => s.name).join(', '),
      reason: `no sheet named "${name}"`,
    })
  }
  return sheet
}

function checkHeader(sheet: XlsSheet, file: string): void {
  const place = { file, sheet: sheet.name }
  for (const expected of HEADER_ROWS) {
    ;[expected.a, expected.b].forEach((text, column) => {
      const cell = cellAt(sheet, expected.row, column)
      if (cell?.kind !== 'string' || cell.value.trim() !== text) {
        fail(place, expected.row, column, shown(cell), `header changed: expected "${text}"`)
      }
    })
  }
}

/** `YYYY-MM` of a date cell: an Excel serial. */
function monthOf(cell: XlsCell | undefined, date1904: boolean, place: Place, row: number): string {
  const date = cell?.kind === 'number' ? excelSerialDate(cell.value, date1904) : null
  if (!date) fail(place, row, 0, shown(cell), 'not a date (an Excel date serial was expected)')
  return date.slice(0, 7)
}

function priceOf(cell: XlsCell | undefined, place: Place, row: number): number {
  if (cell?.kind !== 'number' || !Number.isFinite(cell.value) || cell.value < 0) {
    fail(place, row, 1, shown(cell), cell ? 'not a price ($/MMBtu, a number >= 0 was expected)' : 'price missing')
  }
  return cell.value
}

function nextMonth(month: string): string {
  const year = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`
}

function readMonths(sheet: XlsSheet, date1904: boolean, file: string): HenryHubMonth[] {
  const place = { file, sheet: sheet.name }
  const lastRow = Math.max(...sheet.rows.keys()) + 1
  const months: HenryHubMonth[] = []
  for (let row = FIRST_DATA_ROW; row <= lastRow; row++) {
    const dateCell = cellAt(sheet, row, 0)
    const priceCell = cellAt(sheet, row, 1)
    if (!dateCell && !priceCell) continue
    const month = monthOf(dateCell, date1904, place, row)
    const previous = months.at(-1)
    if (previous && month !== nextMonth(previous.month)) {
      const reason = month <= previous.month ? `month out of order or repeated (after ${previous.month})` : `months missing between ${previous.month} and ${month}`
      fail(place, row, 0, month, reason)
    }
    months.push({ month, price: priceOf(priceCell, place, row) })
  }
  if (months.length === 0) fail(place, FIRST_DATA_ROW, 0, '', 'no data rows below the header')
  return months
}

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/

/** A release date cell: text `M/D/YYYY` (as EIA writes it) or an Excel date serial. */
function releaseDate(cell: XlsCell | undefined, date1904: boolean, place: Place, row: number): string {
  if (cell?.kind === 'number') {
    const date = excelSerialDate(cell.value, date1904)
    if (date) return date
  }
  const match = cell?.kind === 'string' ? US_DATE.exec(cell.value.trim()) : null
  if (match) {
    const [, m, d, y] = match.map(Number) as [number, number, number, number]
    const date = new Date(Date.UTC(y, m - 1, d))
    if (date.getUTCMonth() === m - 1 && date.getUTCDate() === d) return date.toISOString().slice(0, 10)
  }
  return fail(place, row, 2, shown(cell), 'not a date (M/D/YYYY expected)')
}

/** The value next to a label in column B of the Contents sheet ("Release Date:" -> column C). */
function contentsDate(sheet: XlsSheet, label: string, date1904: boolean, file: string): string | null {
  for (const [index, cells] of sheet.rows) {
    const labelCell = cells.get(1)
    if (labelCell?.kind === 'string' && labelCell.value.trim() === label) {
      return releaseDate(cells.get(2), date1904, { file, sheet: sheet.name }, index + 1)
    }
  }
  return null
}

/**
 * Reads EIA's monthly Henry Hub spot price workbook. Throws {@link XlsParseError} (a ParseError
 * naming file, sheet, row, column and value) when the bytes are not a BIFF8 workbook, the "Data 1"
 * sheet is missing, its header rows changed, or a data cell is not a date or a price.
 */
export function parseHenryHubMonthlyXls(bytes: Uint8Array, file: string): HenryHubMonthly {
  const workbook = readXlsWorkbook(bytes, file)
  const data = sheetNamed(workbook, HENRY_HUB_DATA_SHEET, file)
  checkHeader(data, file)
  const months = readMonths(data, workbook.date1904, file)
  const contents = sheetNamed(workbook, HENRY_HUB_CONTENTS_SHEET, file)
  return {
    release: contentsDate(contents, 'Release Date:', workbook.date1904, file),
    nextRelease: contentsDate(contents, 'Next Release Date:', workbook.date1904, file),
    months,
  }
}
