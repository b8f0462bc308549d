/**
 * CARB's LCFS credit prices and volumes, weekly: the workbook the California Air Resources Board
 * publishes with its Weekly LCFS Credit Transfer Activity Report
 * (https://ww2.arb.ca.gov/resources/documents/weekly-lcfs-credit-transfer-activity-reports; the
 * workbook's file name carries the date it runs to, so a fetcher follows the page's link), sheet
 * "Weekly Average Credit Price". No served copy was found; the layout below is what the readers of
 * that workbook we found rely on (fixtures/environmental/README.md gives the evidence):
 *
 *   row 1    Week Of | Weekly Average Credit Price ($) | Type 1 Transfer Weekly Average Credit Price ($) | Total Volume (MT)
 *   row 2..  one row per week: column A the week's Monday as an Excel date, then the values
 *
 * Columns after A are found by their headings (white space and case ignored), so a reordering or
 * an added column is read; a heading missing is a changed header, a ParseError.
 *
 * What the values are: the volume-weighted average price of the week's completed transfers, in
 * dollars per credit (one credit is one metric ton of CO2e), zero- and near-zero-price transfers
 * left out by CARB; the same average over Type 1 transfers alone (completed within 10 days of the
 * agreement); and the credits those transfers moved (MT). A transfer counts in the week it was
 * completed, not when it was agreed. The workbook gives no number of transfers (CARB's prose and
 * PDF reports do), so no `transfers` series is read here.
 *
 * Clock: a week runs Monday to Sunday; CARB dates it by its Monday (once, 2021-09-07, by the
 * Tuesday after Labor Day). The record's period is that Monday-to-Sunday week as UTC midnights
 * (`datePeriod(sunday, 'week')`), attribute `week_of` keeping CARB's date as written. A date on
 * any other weekday is an issue, not guessed into a week.
 *
 * Blank cells are no value (early weeks have no Type 1 average): nothing is emitted for them and
 * no issue raised. A row whose column A is text and whose value cells are all blank is a note
 * under the table, not a week. publishedAt is null (the workbook carries no release instant).
 */
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import type { XlsCell, XlsSheet } from '../../eia/biff.ts'
import { columnLetter, parseIssueOf, XlsParseError } from '../../eia/xls-error.ts'
import type { ParseIssue } from '../../errors.ts'
import { cellAt, cellDate, cellNumber, isBlankCell, lastRow, normalizedHeading, readExcelWorkbook, sheetNamed, shownCell } from '../../xlsx/workbook.ts'
import type { SeriesParseResult } from '../types.ts'

export const CARB_LCFS_WEEKLY_SOURCE = 'carb.lcfs.credit_transfers'
export const CARB_LCFS_WEEKLY_SHEET = 'Weekly Average Credit Price'

/** The headings of the weekly sheet, as CARB writes them. */
export const CARB_LCFS_WEEKLY_HEADINGS = {
  week: 'Week Of',
  price: 'Weekly Average Credit Price ($)',
  type1Price: 'Type 1 Transfer Weekly Average Credit Price ($)',
  volume: 'Total Volume (MT)',
} as const

/** All transfers' price and volume; Type 1 transfers' price. */
export const LCFS_CREDIT_SERIES = 'LCFS_CREDIT'
export const LCFS_CREDIT_TYPE1_SERIES = 'LCFS_CREDIT.TYPE1'

const PROGRAM = 'California LCFS'
const ALL_TRANSFERS = 'all completed, zero-price excluded'
const TYPE1_TRANSFERS = 'Type 1 (completed within 10 days of agreement), zero-price excluded'

type ValueKey = 'price' | 'type1Price' | 'volume'
type Columns = Record<ValueKey, number>

/** What each value column becomes. */
const MEASURES: readonly { key: ValueKey; series: string; measure: 'price' | 'volume'; unit: '$/MT' | 'MT'; transfers: string }[] = [
  { key: 'price', series: LCFS_CREDIT_SERIES, measure: 'price', unit: '$/MT', transfers: ALL_TRANSFERS },
  { key: 'type1Price', series: LCFS_CREDIT_TYPE1_SERIES, measure: 'price', unit: '$/MT', transfers: TYPE1_TRANSFERS },
  { key: 'volume', series: LCFS_CREDIT_SERIES, measure: 'volume', unit: 'MT', transfers: ALL_TRANSFERS },
]

type Place = { file: string; sheet: string }

/** The columns of the value headings; the header row is row 1 and column A must be "Week Of". */
function headerColumns(sheet: XlsSheet, place: Place): Columns {
  const fail = (column: number, value: string, reason: string): never => {
    throw new XlsParseError({ ...place, row: 1, column: columnLetter(column), value, reason })
  }
  const first = cellAt(sheet, 1, 0)
  if (first?.kind !== 'string' || normalizedHeading(first.value) !== normalizedHeading(CARB_LCFS_WEEKLY_HEADINGS.week)) {
    fail(0, shownCell(first), `header changed: expected "${CARB_LCFS_WEEKLY_HEADINGS.week}"`)
  }
  const headings = [...(sheet.rows.get(0) ?? new Map<number, XlsCell>())].filter(([, cell]) => cell.kind === 'string')
  const columnOf = (key: ValueKey): number => {
    const wanted = normalizedHeading(CARB_LCFS_WEEKLY_HEADINGS[key])
    const found = headings.filter(([, cell]) => normalizedHeading(shownCell(cell)) === wanted)
    if (found.length === 1) return found[0]?.[0] ?? 0
    const all = headings.map(([column, cell]) => `${columnLetter(column)}: ${shownCell(cell)}`).join(' | ')
    return fail(found[1]?.[0] ?? 0, all, found.length === 0 ? `header changed: no column "${CARB_LCFS_WEEKLY_HEADINGS[key]}"` : `header changed: "${CARB_LCFS_WEEKLY_HEADINGS[key]}" twice`)
  }
  return { price: columnOf('price'), type1Price: columnOf('type1Price'), volume: columnOf('volume') }
}

const DAY_MS = 86_400_000
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay()

/** The Monday of the week CARB dates by `date`: the date itself, or the day before for a Tuesday; null for other weekdays. */
function mondayOf(date: string): string | null {
  const day = weekday(date)
  if (day === 1) return date
  if (day === 2) return addDays(date, -1)
  return null
}

function record(monday: string, weekOf: string, value: number, measure: (typeof MEASURES)[number]): SeriesRecord {
  return {
    product: 'LCFS',
    market: null,
    series: measure.series,
    measure: measure.measure,
    frequency: 'week',
    ...datePeriod(addDays(monday, 6), 'week'),
    value,
    unit: measure.unit,
    attributes: { program: PROGRAM, transfers: measure.transfers, week_of: weekOf },
    source: CARB_LCFS_WEEKLY_SOURCE,
    publishedAt: null,
  }
}

/** Why a value cell is not a usable value, or null when it is one (blank cells are filtered before). */
function valueProblem(key: ValueKey, value: number | null): string | null {
  if (value === null) return key === 'volume' ? 'not a volume (a number of credits, MT, was expected)' : 'not a price (a number of $/MT was expected)'
  if (key === 'volume') return value < 0 ? 'a negative volume' : null
  return value <= 0 ? 'not a price above zero (CARB leaves zero-price transfers out of its averages)' : null
}

/**
 * `carb.lcfs.credit_transfers`: the "Weekly Average Credit Price" sheet of CARB's weekly LCFS
 * workbook (.xlsx; an .xls of the same layout is read too). Throws {@link XlsParseError} when the
 * file is not a workbook, the sheet is missing or its header changed; a bad week or value is an
 * issue naming sheet, row, cell and value, the other weeks still read.
 */
export function parseCarbLcfsWeekly(bytes: Uint8Array, file: string): SeriesParseResult {
  const workbook = readExcelWorkbook(bytes, file)
  const sheet = sheetNamed(workbook, CARB_LCFS_WEEKLY_SHEET, file)
  const place = { file, sheet: sheet.name }
  const columns = headerColumns(sheet, place)
  const records: SeriesRecord[] = []
  const errors: ParseIssue[] = []
  const issue = (row: number, column: number, value: string, reason: string) =>
    errors.push(parseIssueOf({ ...place, row, column: columnLetter(column), value, reason }))
  let previous: { monday: string; row: number } | null = null
  const last = lastRow(sheet)
  for (let row = 2; row <= last; row++) {
    const weekCell = cellAt(sheet, row, 0)
    const valueCells = MEASURES.map((measure) => ({ measure, column: columns[measure.key], cell: cellAt(sheet, row, columns[measure.key]) }))
    const noValues = valueCells.every(({ cell }) => isBlankCell(cell))
    if (isBlankCell(weekCell) && noValues) continue
    const weekOf = cellDate(weekCell, workbook.date1904)
    if (!weekOf) {
      if (weekCell?.kind === 'string' && noValues) continue // a note under the table
      issue(row, 0, shownCell(weekCell), weekCell ? 'not a date (the week\'s Monday, an Excel date, was expected)' : 'week missing')
      continue
    }
    const monday = mondayOf(weekOf)
    if (!monday) {
      issue(row, 0, weekOf, 'not a Monday (CARB dates a week by its Monday; once by the Tuesday after Labor Day)')
      continue
    }
    if (previous && monday <= previous.monday) {
      issue(row, 0, weekOf, monday === previous.monday ? `the week of ${monday} again (row ${previous.row} has it)` : `out of order (after the week of ${previous.monday}, row ${previous.row})`)
      continue
    }
    previous = { monday, row }
    for (const { measure, column, cell } of valueCells) {
      if (isBlankCell(cell)) continue
      const value = cellNumber(cell)
      const problem = valueProblem(measure.key, value)
      if (problem !== null || value === null) issue(row, column, shownCell(cell), problem ?? 'not a number')
      else records.push(record(monday, weekOf, value, measure))
    }
  }
  if (records.length === 0 && errors.length === 0) {
    throw new XlsParseError({ ...place, row: 2, column: 'A', value: '', reason: 'no weeks below the header' })
  }
  return { records, errors }
}
