import { ParseError, type ParseIssue } from '../errors.ts'

/** Where in a legacy Excel workbook something is wrong. `row` is 1-based, `column` a letter (A, B, ...). */
export type XlsIssue = {
  file: string
  /** The sheet's name; `(workbook)` for the workbook stream as a whole, `(file)` for the container. */
  sheet: string
  row: number
  column: string
  value: string
  reason: string
}

/** Column letters as Excel shows them: 0 -> A, 25 -> Z, 26 -> AA. */
export function columnLetter(index: number): string {
  let n = index + 1
  let letters = ''
  while (n > 0) {
    const rest = (n - 1) % 26
    letters = String.fromCharCode(65 + rest) + letters
    n = Math.floor((n - rest - 1) / 26)
  }
  return letters
}

/**
 * An .xls issue as the package's {@link ParseIssue}: `line` is the sheet row and `field` the cell
 * (`Data 1!B4`), or the sheet alone when no row is named.
 */
export function parseIssueOf(issue: XlsIssue): ParseIssue {
  return {
    file: issue.file,
    line: issue.row,
    field: issue.row > 0 ? `${issue.sheet}!${issue.column}${issue.row}` : issue.sheet,
    value: issue.value,
    reason: issue.reason,
  }
}

/**
 * The package's {@link ParseError} for an .xls file: `line` is the sheet row and `field` the cell
 * (`Data 1!B4`), so code that reports ParseErrors keeps working; `sheet`, `row` and `column` name
 * the place on their own.
 */
export class XlsParseError extends ParseError {
  readonly sheet: string
  readonly row: number
  readonly column: string

  constructor(issue: XlsIssue) {
    super(parseIssueOf(issue))
    this.name = 'XlsParseError'
    this.sheet = issue.sheet
    this.row = issue.row
    this.column = issue.column
    const sheetName = issue.sheet.startsWith('(') ? issue.sheet : `sheet "${issue.sheet}"`
    const where = issue.row > 0 ? `${sheetName} row ${issue.row}, column ${issue.column}` : sheetName
    this.message = `${issue.file} ${where}: ${issue.reason} (found ${JSON.stringify(this.value)})`
  }
}
