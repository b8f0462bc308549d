/**
 * CARB's monthly LCFS credit transfer activity, as a workbook (`carb.lcfs.monthly_transfers`):
 *
 *   sheet "Monthly Credit Transfer Activity"
 *   row 1     Month | Number of Transfers | Total Volume (MT) | Monthly Average Credit Price ($)
 *             [| Number of Zero-Price Transfers | Zero-Price Volume (MT)]
 *   row 2..   one row per month: column A the month (an Excel date on any day of it, or text
 *             `YYYY-MM`, `Month YYYY`, `Mon YYYY`), then the values
 *
 * Built from what is documented of CARB's monthly report, not from a served file (none was found;
 * fixtures/environmental/README.md says what each part rests on and what is assumed): per month
 * the number of completed transfers, the credits they moved (MT, one credit is one metric ton of
 * CO2e) and their volume-weighted average price in dollars per credit, transfers at or near zero
 * price left out of all three and counted apart (count and credits) where the file gives them.
 * The sheet and heading texts are ours, in the words of CARB's weekly workbook; columns after A
 * are found by heading (white space and case ignored), the two zero-price columns may be absent.
 *
 * Series: `LCFS_CREDIT` price ($/MT), volume (MT) and transfers (count) at frequency `month`
 * (beside the weekly `LCFS_CREDIT` of ./weekly.ts: the frequency keeps them apart), and
 * `LCFS_CREDIT.ZERO_PRICE` transfers (count) and volume (MT). A month is its calendar month as
 * UTC midnights (`datePeriod(.., 'month')`), attribute `month` (`YYYY-MM`). publishedAt is null.
 *
 * A month given twice or out of order, a value that is not a number, a count that is not a whole
 * number, a negative count or volume, a price not above zero: an issue naming sheet, row, cell and
 * value; the rest still reads. A row whose column A is text and whose value cells are all blank is
 * a note under the table. A missing sheet, a changed header, a file that is not a workbook: the
 * package's ParseError (XlsParseError).
 */
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import type { XlsCell, XlsSheet } from '../../eia/biff.ts'
import { columnLetter, parseIssueOf, XlsParseError } from '../../eia/xls-error.ts'
import type { ParseIssue } from '../../errors.ts'
import { cellAt, cellDate, cellNumber, isBlankCell, lastRow, normalizedHeading, readExcelWorkbook, sheetNamed, shownCell } from '../../xlsx/workbook.ts'
import type { SeriesParseResult } from '../types.ts'
import { LCFS_CREDIT_SERIES } from './weekly.ts'

export const CARB_LCFS_MONTHLY_SOURCE = 'carb.lcfs.monthly_transfers'
export const CARB_LCFS_MONTHLY_SHEET = 'Monthly Credit Transfer Activity'

/** The headings of the monthly sheet. */
export const CARB_LCFS_MONTHLY_HEADINGS = {
  month: 'Month',
  transfers: 'Number of Transfers',
  volume: 'Total Volume (MT)',
  price: 'Monthly Average Credit Price ($)',
  zeroTransfers: 'Number of Zero-Price Transfers',
  zeroVolume: 'Zero-Price Volume (MT)',
} as const

/** Transfers at or near zero price, which CARB leaves out of its averages: counted and summed apart. */
export const LCFS_CREDIT_ZERO_PRICE_SERIES = 'LCFS_CREDIT.ZERO_PRICE'

const PROGRAM = 'California LCFS'
const PRICED = 'reported in the month, zero-price excluded'
const ZERO_PRICE = 'reported at zero or near-zero price (left out of the averages)'

type ValueKey = 'transfers' | 'volume' | 'price' | 'zeroTransfers' | 'zeroVolume'
type Columns = Partial<Record<ValueKey, number>>

type Measure = { key: ValueKey; series: string; measure: 'price' | 'volume' | 'transfers'; unit: '$/MT' | 'MT' | 'count'; transfers: string; required: boolean }

/** What each value column becomes, in the order records are emitted for a month. */
const MEASURES: readonly Measure[] = [
  { key: 'price', series: LCFS_CREDIT_SERIES, measure: 'price', unit: '$/MT', transfers: PRICED, required: true },
  { key: 'volume', series: LCFS_CREDIT_SERIES, measure: 'volume', unit: 'MT', transfers: PRICED, required: true },
  { key: 'transfers', series: LCFS_CREDIT_SERIES, measure: 'transfers', unit: 'count', transfers: PRICED, required: true },
  { key: 'zeroTransfers', series: LCFS_CREDIT_ZERO_PRICE_SERIES, measure: 'transfers', unit: 'count', transfers: ZERO_PRICE, required: false },
  { key: 'zeroVolume', series: LCFS_CREDIT_ZERO_PRICE_SERIES, measure: 'volume', unit: 'MT', transfers: ZERO_PRICE, required: false },
]

type Place = { file: string; sheet: string }

/** The value columns by heading; row 1 is the header and column A must be "Month". */
function headerColumns(sheet: XlsSheet, place: Place): Columns {
  const fail = (column: number, value: string, reason: string): never => {
    throw new XlsParseError({ ...place, row: 1, column: columnLetter(column), value, reason })
  }
  const first = cellAt(sheet, 1, 0)
  if (first?.kind !== 'string' || normalizedHeading(first.value) !== normalizedHeading(CARB_LCFS_MONTHLY_HEADINGS.month)) {
    fail(0, shownCell(first), `header changed: expected "${CARB_LCFS_MONTHLY_HEADINGS.month}"`)
  }
  const headings = [...(sheet.rows.get(0) ?? new Map<number, XlsCell>())].filter(([, cell]) => cell.kind === 'string')
  const all = () => headings.map(([column, cell]) => `${columnLetter(column)}: ${shownCell(cell)}`).join(' | ')
  const columns: Columns = {}
  for (const { key, required } of MEASURES) {
    const wanted = normalizedHeading(CARB_LCFS_MONTHLY_HEADINGS[key])
    const found = headings.filter(([, cell]) => normalizedHeading(shownCell(cell)) === wanted)
    if (found.length > 1) fail(found[1]![0], all(), `header changed: "${CARB_LCFS_MONTHLY_HEADINGS[key]}" twice`)
    if (found.length === 1) columns[key] = found[0]![0]
    else if (required) fail(0, all(), `header changed: no column "${CARB_LCFS_MONTHLY_HEADINGS[key]}"`)
  }
  return columns
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const
const FULL_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const
const YEAR_MONTH = /^(\d{4})-(\d{2})$/
const MONTH_YEAR = /^([A-Za-z]{3,9})\.?[\s-]+(\d{4})$/

/** `YYYY-MM` of a month cell: an Excel date (any day of the month), a date as text, `YYYY-MM`, `November 2015`; else null. */
export function cellMonth(cell: XlsCell | undefined, date1904: boolean): string | null {
  const date = cellDate(cell, date1904)
  if (date) return date.slice(0, 7)
  if (cell?.kind !== 'string') return null
  const text = cell.value.trim()
  const ym = YEAR_MONTH.exec(text)
  if (ym) return Number(ym[2]) >= 1 && Number(ym[2]) <= 12 ? text : null
  const my = MONTH_YEAR.exec(text)
  if (!my) return null
  const name = my[1]!.toLowerCase()
  const index = MONTHS.indexOf(name.slice(0, 3) as (typeof MONTHS)[number])
  if (index < 0 || (name.length > 3 && !FULL_MONTHS[index]!.startsWith(name))) return null
  return `${my[2]}-${String(index + 1).padStart(2, '0')}`
}

function record(month: string, value: number, measure: Measure): SeriesRecord {
  return {
    product: 'LCFS',
    market: null,
    series: measure.series,
    measure: measure.measure,
    frequency: 'month',
    ...datePeriod(`${month}-01`, 'month'),
    value,
    unit: measure.unit,
    attributes: { program: PROGRAM, transfers: measure.transfers, month },
    source: CARB_LCFS_MONTHLY_SOURCE,
    publishedAt: null,
  }
}

/** Why a value is not usable for its column, or null when it is (blank cells are filtered before). */
function valueProblem(measure: Measure, value: number | null): string | null {
  if (measure.unit === 'count') {
    if (value === null) return 'not a number of transfers (a whole number was expected)'
    if (!Number.isInteger(value)) return 'not a whole number of transfers'
    return value < 0 ? 'a negative number of transfers' : null
  }
  if (measure.unit === 'MT') {
    if (value === null) return 'not a volume (a number of credits, MT, was expected)'
    return value < 0 ? 'a negative volume' : null
  }
  if (value === null) return 'not a price (a number of $/MT was expected)'
  return value <= 0 ? 'not a price above zero (CARB leaves zero-price transfers out of its averages)' : null
}

/**
 * `carb.lcfs.monthly_transfers`: the "Monthly Credit Transfer Activity" sheet (.xlsx; an .xls of
 * the same layout reads too). Throws {@link XlsParseError} when the file is not a workbook, the
 * sheet is missing or its header changed; a bad month or value is an issue, the rest still read.
 */
export function parseCarbLcfsMonthly(bytes: Uint8Array, file: string): SeriesParseResult {
  const workbook = readExcelWorkbook(bytes, file)
  const sheet = sheetNamed(workbook, CARB_LCFS_MONTHLY_SHEET, file)
  const place = { file, sheet: sheet.name }
  const columns = headerColumns(sheet, place)
  const present = MEASURES.filter((m) => columns[m.key] !== undefined)
  const records: SeriesRecord[] = []
  const errors: ParseIssue[] = []
  const issue = (row: number, column: number, value: string, reason: string) =>
    errors.push(parseIssueOf({ ...place, row, column: columnLetter(column), value, reason }))
  let previous: { month: string; row: number } | null = null
  const last = lastRow(sheet)
  for (let row = 2; row <= last; row++) {
    const monthCell = cellAt(sheet, row, 0)
    const cells = present.map((measure) => ({ measure, column: columns[measure.key]!, cell: cellAt(sheet, row, columns[measure.key]!) }))
    const noValues = cells.every(({ cell }) => isBlankCell(cell))
    if (isBlankCell(monthCell) && noValues) continue
    const month = cellMonth(monthCell, workbook.date1904)
    if (!month) {
      if (monthCell?.kind === 'string' && noValues) continue // a note under the table
      issue(row, 0, shownCell(monthCell), monthCell ? 'not a month (an Excel date, YYYY-MM or "Month YYYY" was expected)' : 'month missing')
      continue
    }
    if (previous && month <= previous.month) {
      issue(row, 0, month, month === previous.month ? `the month ${month} again (row ${previous.row} has it)` : `out of order (after ${previous.month}, row ${previous.row})`)
      continue
    }
    previous = { month, row }
    for (const { measure, column, cell } of cells) {
      if (isBlankCell(cell)) continue
      const value = cellNumber(cell)
      const problem = valueProblem(measure, value)
      if (problem !== null || value === null) issue(row, column, shownCell(cell), problem ?? 'not a number')
      else records.push(record(month, value, measure))
    }
  }
  if (records.length === 0 && errors.length === 0) {
    throw new XlsParseError({ ...place, row: 2, column: 'A', value: '', reason: 'no months below the header' })
  }
  return { records, errors }
}
