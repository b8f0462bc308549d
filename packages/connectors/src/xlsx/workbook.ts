/**
 * One entry for readers of publisher workbooks that come in either Excel format (EIA's yearly
 * ICE files are .xls up to 2016 and .xlsx from 2017): the format is told by the file's signature,
 * not its name, and both readers give the same `XlsWorkbook`. Also the small cell helpers every
 * such reader needs (a cell by row and column, a cell shown in an error, a sheet by name).
 */
import { excelSerialDate, readXlsWorkbook, type XlsCell, type XlsSheet, type XlsWorkbook } from '../eia/biff.ts'
import { XlsParseError } from '../eia/xls-error.ts'
import { looksLikeMarkup, preview, readXlsxWorkbook } from './xlsx.ts'

export type ExcelFormat = 'xlsx' | 'xls'

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04]
const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b)

/** The Excel format of a file by its first bytes, or null when it is neither. */
export function excelFormat(bytes: Uint8Array): ExcelFormat | null {
  if (startsWith(bytes, ZIP_SIGNATURE)) return 'xlsx'
  if (startsWith(bytes, OLE_SIGNATURE)) return 'xls'
  return null
}

/**
 * The worksheets of an .xlsx or a legacy .xls workbook. Throws {@link XlsParseError} naming the
 * file when the bytes are neither (empty, a web page, anything else) or when the reader of their
 * format finds them damaged.
 */
export function readExcelWorkbook(bytes: Uint8Array, file: string): XlsWorkbook & { format: ExcelFormat } {
  const format = excelFormat(bytes)
  if (format === 'xlsx') return { ...readXlsxWorkbook(bytes, file), format }
  if (format === 'xls') return { ...readXlsWorkbook(bytes, file), format }
  const reason =
    bytes.length === 0
      ? 'the file is empty'
      : looksLikeMarkup(bytes)
        ? 'an HTML page or XML document, not an Excel workbook (the publisher answered with a web page)'
        : 'neither an .xlsx workbook (zip, signature PK) nor a legacy .xls workbook (OLE compound file)'
  throw new XlsParseError({ file, sheet: '(file)', row: 0, column: '', value: preview(bytes), reason })
}

/** The cell at a 1-based row and 0-based column (as Excel shows rows, and as the readers index columns). */
export function cellAt(sheet: XlsSheet, row: number, column: number): XlsCell | undefined {
  return sheet.rows.get(row - 1)?.get(column)
}

/** A cell as text for an error message or an issue: its value, `#error 42` for an error cell, '' when blank. */
export function shownCell(cell: XlsCell | undefined): string {
  if (!cell) return ''
  if (cell.kind === 'error') return `#error ${cell.code}`
  return String(cell.value)
}

/** A heading as compared: white space (line breaks included) collapsed, case ignored. */
export function normalizedHeading(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase()
}

/** The sheet named `name`; an {@link XlsParseError} listing the sheets there are when it is missing. */
export function sheetNamed(workbook: XlsWorkbook, name: string, file: string): XlsSheet {
  const sheet = workbook.sheets.find((s) => s.name === name)
  if (sheet) return sheet
  throw new XlsParseError({
    file,
    sheet: '(workbook)',
    row: 0,
    column: '',
    value: workbook.sheets.map((s) => s.name).join(', '),
    reason: `no sheet named "${name}"`,
  })
}

/** The 1-based number of the last row holding a cell, 0 for an empty sheet. */
export function lastRow(sheet: XlsSheet): number {
  let last = -1
  for (const row of sheet.rows.keys()) if (row > last) last = row
  return last + 1
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/

/** `YYYY-MM-DD` of a real calendar date, or null (2019-02-30 is not one). */
function calendarDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day))
  const ok = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  return ok ? date.toISOString().slice(0, 10) : null
}

/** The date of a cell: an Excel date serial, or text written `YYYY-MM-DD` or `M/D/YYYY`; null otherwise. */
export function cellDate(cell: XlsCell | undefined, date1904: boolean): string | null {
  if (cell?.kind === 'number') return excelSerialDate(cell.value, date1904)
  if (cell?.kind !== 'string') return null
  const text = cell.value.trim().replace(/[ T]00:00(:00)?$/, '')
  const iso = ISO_DATE.exec(text)
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))
  const us = US_DATE.exec(text)
  return us ? calendarDate(Number(us[3]), Number(us[1]), Number(us[2])) : null
}

const PLAIN_NUMBER = /^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/

/** The number in a cell: a number cell, or text that is a plain decimal (thousands commas allowed); null otherwise. */
export function cellNumber(cell: XlsCell | undefined): number | null {
  if (cell?.kind === 'number') return Number.isFinite(cell.value) ? cell.value : null
  if (cell?.kind === 'string' && PLAIN_NUMBER.test(cell.value.trim())) return Number(cell.value.trim().replace(/,/g, ''))
  return null
}

/** True for an absent cell or one holding only white space. */
export function isBlankCell(cell: XlsCell | undefined): boolean {
  return cell === undefined || (cell.kind === 'string' && cell.value.trim() === '')
}
