import type { Cell, ExportColumn, ExportRow } from './columns.ts'

/**
 * CSV as spreadsheets and parsers read it: RFC 4180 (comma separated, CRLF line ends, a cell
 * quoted when it holds a comma, a quote, CR or LF, quotes doubled), UTF-8 without a byte-order
 * mark, one header row. Instants are ISO 8601 UTC with `Z` (milliseconds only when not zero),
 * dates `YYYY-MM-DD`, numbers plain decimals (never exponent notation), nulls empty.
 *
 * Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a CR) get
 * a leading apostrophe. Numeric cells are numbers, never text: -12.5 stays -12.5.
 */

const FORMULA_START = /^[=+\-@\t\r]/
const NEEDS_QUOTES = /[",\r\n]/

/** A text cell, neutralized against formula injection and quoted as RFC 4180 asks. */
export function csvText(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * A finite number as a plain decimal: `1e-7` -> `0.0000001`, `1e21` -> `1000000000000000000000`,
 * the shortest digits that read back as the same double (JavaScript's own). Non-finite: empty.
 */
export function plainNumber(value: number): string {
  if (!Number.isFinite(value)) return ''
  if (Object.is(value, -0)) return '0'
  const text = String(value)
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (!match) return text
  const [, sign, lead, fraction = '', exponentText] = match
  const digits = lead! + fraction
  const exponent = Number(exponentText)
  // The decimal point sits after `1 + exponent` digits of `digits`.
  const point = 1 + exponent
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

/** An instant (ms since the epoch) as `2026-01-01T05:00:00Z` (`.250Z` when it has milliseconds). */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}

function csvCell(column: ExportColumn, value: Cell): string {
  if (value === null || value === undefined) return ''
  switch (column.kind) {
    case 'string':
      return csvText(String(value))
    case 'timestamp':
      return isoUtc(Number(value))
    case 'date':
      // A date of the source (YYYY-MM-DD) is never a formula; it goes through csvText all the same.
      return csvText(String(value))
    case 'double':
    case 'int32':
      return plainNumber(Number(value))
  }
}

/** The header line (with CRLF): the column names, as text cells. */
export function csvHeader(columns: readonly ExportColumn[]): string {
  return `${columns.map((c) => csvText(c.name)).join(',')}\r\n`
}

/** Lines (each with CRLF) of the rows, in column order. */
export function csvLines(columns: readonly ExportColumn[], rows: readonly ExportRow[]): string {
  let out = ''
  for (const row of rows) {
    let line = ''
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) line += ','
      line += csvCell(columns[i]!, row[i] ?? null)
    }
    out += `${line}\r\n`
  }
  return out
}
