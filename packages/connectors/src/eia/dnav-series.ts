/**
 * EIA's one-series history workbooks (`https://www.eia.gov/dnav/<area>/hist_xls/<KEY><f>.xls`, the
 * "Download Data (XLS File)" link of every dnav history page), read whatever their frequency. They
 * share one layout: a "Contents" sheet (in column B the labels "Release Date:" and "Next Release
 * Date:", the dates `M/D/YYYY` in column C) and a "Data 1" sheet (row 1 a link back to Contents,
 * row 2 `Sourcekey | <KEY>`, row 3 `Date | <series name (units)>`, then one row per period: an
 * Excel date serial in column A and the value in column B). A monthly file stamps each month on
 * its 15th (RNGWHHDm.xls), a daily file lists trading days only, weekends and holidays having no
 * row at all (RNGWHHDd.xls; see fixtures/gas/README.md for the evidence).
 *
 * The header and the sheets are checked (a changed layout is a thrown {@link XlsParseError}); a bad
 * data row is an issue naming its sheet row and cell, and the other rows still come out.
 */
import { excelSerialDate, readXlsWorkbook, type XlsCell, type XlsSheet, type XlsWorkbook } from './biff.ts'
import { XlsParseError, columnLetter, type XlsIssue } from './xls-error.ts'

/** How often a dnav series has a value; `month` rows are keyed by `YYYY-MM`, `day` rows by the date. */
export type DnavFrequency = 'day' | 'month'

/** What one dnav workbook must say in its header rows, and how its rows follow each other. */
export type DnavLayout = {
  /** The series' source key, row 2 column B of "Data 1" (`RNGWHHD`). */
  sourceKey: string
  /** The value column's header, row 3 column B (the series name and its units). */
  valueHeader: string
  frequency: DnavFrequency
  /** What a value is and its unit, for issues (`price`, `$/MMBtu`): values are numbers >= 0. */
  valueName: string
  unit: string
}

/** One value of the series at its sheet row (1-based). `date` is the Excel date, `YYYY-MM-DD`. */
export type DnavObservation = { row: number; date: string; value: number }

export type DnavSeries = {
  /** Release date of the file (`YYYY-MM-DD`, the Contents sheet's "Release Date:"), null when absent. */
  release: string | null
  /** The next release announced there, null when absent. */
  nextRelease: string | null
  /** The rows that read, in sheet order; each period after the one before. */
  observations: DnavObservation[]
  /** One issue per row problem, in sheet order (a row may have two: a gap before it and a bad value). */
  issues: XlsIssue[]
}

export const DNAV_DATA_SHEET = 'Data 1'
export const DNAV_CONTENTS_SHEET = 'Contents'
const FIRST_DATA_ROW = 4

type Place = { file: string; sheet: string }

function fail(place: Place, row: number, column: number, value: string, reason: string): never {
  throw new XlsParseError({ file: place.file, sheet: place.sheet, row, column: columnLetter(column), value, reason })
}

const issueAt = (place: Place, row: number, column: number, value: string, reason: string): XlsIssue => ({
  file: place.file,
  sheet: place.sheet,
  row,
  column: columnLetter(column),
  value,
  reason,
})

/** The cell at a 1-based row and 0-based column. */
const cellAt = (sheet: XlsSheet, row: number, column: number): XlsCell | undefined => sheet.rows.get(row - 1)?.get(column)

function shown(cell: XlsCell | undefined): string {
  if (!cell) return ''
  if (cell.kind === 'error') return `#error ${cell.code}`
  return String(cell.value)
}

/** A sheet by name; a workbook without it is not one of these files. */
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

function checkHeader(sheet: XlsSheet, layout: DnavLayout, file: string): void {
  const place = { file, sheet: sheet.name }
  const rows = [
    { row: 2, a: 'Sourcekey', b: layout.sourceKey },
    { row: 3, a: 'Date', b: layout.valueHeader },
  ]
  for (const expected of rows) {
    ;[expected.a, expected.b].forEach((text, column) => {
      const cell = cellAt(sheet, expected.row, column)
      if (cell?.kind !== 'string' || cell.value.trim() !== text) {
        fail(place, expected.row, column, shown(cell), `header changed: expected "${text}"`)
      }
    })
  }
}

/** The period key of a date: the month for monthly series, the date for daily ones. */
const periodOf = (date: string, frequency: DnavFrequency): string => (frequency === 'month' ? date.slice(0, 7) : date)

function nextMonth(month: string): string {
  const year = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`
}

/**
 * The problem of a period that follows `previous` (both period keys), or null. Periods must
 * increase; a monthly series has every month (EIA publishes one for each), a daily one skips
 * weekends and holidays, so only its order is checked.
 */
function sequenceProblem(period: string, previous: string | null, frequency: DnavFrequency): { reason: string; skip: boolean } | null {
  if (previous === null) return null
  const what = frequency === 'month' ? 'month' : 'date'
  if (period <= previous) return { reason: `${what} out of order or repeated (after ${previous})`, skip: true }
  if (frequency === 'month' && period !== nextMonth(previous)) return { reason: `months missing between ${previous} and ${period}`, skip: false }
  return null
}

function valueProblem(cell: XlsCell | undefined, layout: DnavLayout): string | null {
  if (!cell) return `${layout.valueName} missing`
  if (cell.kind !== 'number' || !Number.isFinite(cell.value) || cell.value < 0) {
    return `not a ${layout.valueName} (${layout.unit}, a number >= 0 was expected)`
  }
  return null
}

/**
 * Every data row of "Data 1". A row whose date is not one, whose period repeats or goes back, or
 * whose value is missing or not a number >= 0 is an issue and is skipped. A month missing before
 * a row (monthly series) is an issue on that row, which is still read: the row itself is sound,
 * the file lacks the months between. Empty rows are skipped (nothing to read in them).
 */
function readRows(sheet: XlsSheet, layout: DnavLayout, date1904: boolean, file: string): Pick<DnavSeries, 'observations' | 'issues'> {
  const place = { file, sheet: sheet.name }
  const lastRow = Math.max(...sheet.rows.keys()) + 1
  const observations: DnavObservation[] = []
  const issues: XlsIssue[] = []
  let previous: string | null = null
  for (let row = FIRST_DATA_ROW; row <= lastRow; row++) {
    const dateCell = cellAt(sheet, row, 0)
    const valueCell = cellAt(sheet, row, 1)
    if (!dateCell && !valueCell) continue
    const date = dateCell?.kind === 'number' ? excelSerialDate(dateCell.value, date1904) : null
    if (!date) {
      issues.push(issueAt(place, row, 0, shown(dateCell), 'not a date (an Excel date serial was expected)'))
      continue
    }
    const period = periodOf(date, layout.frequency)
    const sequence = sequenceProblem(period, previous, layout.frequency)
    if (sequence) issues.push(issueAt(place, row, 0, period, sequence.reason))
    if (sequence?.skip) continue
    previous = period
    const problem = valueProblem(valueCell, layout)
    if (problem) {
      issues.push(issueAt(place, row, 1, shown(valueCell), problem))
      continue
    }
    observations.push({ row, date, value: (valueCell as { value: number }).value })
  }
  if (observations.length === 0 && issues.length === 0) fail(place, FIRST_DATA_ROW, 0, '', 'no data rows below the header')
  return { observations, issues }
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
 * Reads one EIA dnav history workbook laid out as `layout` says. Throws {@link XlsParseError} (a
 * ParseError naming file, sheet, row, column and value) when the bytes are not a BIFF8 workbook,
 * a sheet is missing, the header rows changed, "Data 1" has no rows or a release date is not a
 * date; row problems are `issues`.
 */
export function readDnavSeriesXls(bytes: Uint8Array, file: string, layout: DnavLayout): DnavSeries {
  const workbook = readXlsWorkbook(bytes, file)
  const data = sheetNamed(workbook, DNAV_DATA_SHEET, file)
  checkHeader(data, layout, file)
  const rows = readRows(data, layout, workbook.date1904, file)
  const contents = sheetNamed(workbook, DNAV_CONTENTS_SHEET, file)
  return {
    release: contentsDate(contents, 'Release Date:', workbook.date1904, file),
    nextRelease: contentsDate(contents, 'Next Release Date:', workbook.date1904, file),
    ...rows,
  }
}
