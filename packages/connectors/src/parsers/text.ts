/**
 * Helpers every parser shares: recognising a body that is not data at all, splitting CSV
 * lines, reading numbers strictly, and the few number and time conversions.
 */
import { ParseError, type ParseIssue } from '../errors.ts'

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * The file's text without a byte-order mark, or a thrown {@link ParseError} when the body is
 * empty or markup: an HTML page (publishers answer throttling and outages with HTTP 200 and an
 * HTML body) or an XML error document (CAISO OASIS puts `ERR_CODE`/`ERR_DESC` in the zip when
 * there is no data, code 1000, or the request was refused).
 */
export function dataText(text: string, file: string): string {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const at = body.search(/\S/)
  if (at < 0) throw new ParseError({ file, line: 1, field: '(file)', value: body, reason: 'empty file' })
  if (body[at] !== '<') return body
  const line = lineOf(body, at)
  const head = body.slice(at, at + 4000)
  const code = /<(?:\w+:)?ERR_CODE>\s*([^<]*?)\s*<\//.exec(head)?.[1]
  if (code !== undefined) {
    const description = /<(?:\w+:)?ERR_DESC>\s*([^<]*?)\s*<\//.exec(head)?.[1] ?? 'no description'
    throw new ParseError({ file, line, field: 'ERR_CODE', value: code, reason: `publisher error ${code}: ${description}` })
  }
  const html = /<!doctype\s+html|<html[\s>]/i.test(head)
  throw new ParseError({
    file,
    line,
    field: '(file)',
    value: head,
    reason: html ? 'an HTML page instead of data (throttled or an error page)' : 'markup instead of data',
  })
}

function lineOf(text: string, index: number): number {
  let line = 1
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

/** Physical lines; CRLF, LF and CR all end a line. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/)
}

/**
 * The cells of one CSV line, trimmed. Quoted cells (with `""` for a quote) are understood;
 * a quoted cell spanning lines is not (no publisher format here writes one).
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',').map((cell) => cell.trim())
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      cells.push(cell.trim())
      cell = ''
    } else cell += ch
  }
  cells.push(cell.trim())
  return cells
}

/**
 * Throws a {@link ParseError} naming the first column where `cells` (line `line`) differ from
 * the `expected` header: publishers change formats without notice, and a shifted column read
 * as a price is worse than no price.
 */
export function assertHeader(cells: string[], expected: readonly string[], file: string, line: number, what: string): void {
  const differs = expected.findIndex((name, i) => cells[i] !== name)
  if (differs < 0 && cells.length === expected.length) return
  const at = differs >= 0 ? differs : expected.length
  throw new ParseError({
    file,
    line,
    field: expected[at] ?? `column ${at + 1}`,
    value: cells[at] ?? '',
    reason: `header changed: expected ${what} "${expected.join(',')}"`,
  })
}

/**
 * The issue for a data row whose width does not match the header (a truncated download, a
 * stray separator), or null. Empty cells past the header are tolerated (trailing commas).
 */
export function rowWidthIssue(cells: string[], header: readonly string[], file: string, line: number): ParseIssue | null {
  const n = header.length
  if (cells.length < n)
    return {
      file,
      line,
      field: header[cells.length] ?? '',
      value: '',
      reason: `row has ${cells.length} of ${n} columns (truncated?)`,
    }
  const extra = cells.findIndex((cell, i) => i >= n && cell !== '')
  if (extra >= 0)
    return { file, line, field: `column ${extra + 1}`, value: cells[extra] ?? '', reason: `row has more than ${n} columns` }
  return null
}

/** Whether a line holds no data (empty, or only separators). */
export function isBlank(line: string): boolean {
  return /^[\s,]*$/.test(line)
}

/**
 * A decimal number written the way publishers write them (`12.5`, `-.92`, `1e3`), or null.
 * Stricter than `Number()`, which reads `''` and `' '` as 0 and accepts `0x10` and `Infinity`.
 * JSON numbers are accepted too, for API answers that stop quoting them.
 */
export function readNumber(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null
  if (typeof raw !== 'string') return null
  const text = raw.trim()
  if (!NUMBER.test(text)) return null
  const value = Number(text)
  return Number.isFinite(value) ? value : null
}

/**
 * `a - b - c` rounded to 1e-6, for the energy component publishers leave out (MISO): the
 * inputs have at most 5 decimals, so the rounding removes only binary float noise
 * (37.82 - 1.65 - 1.55 is 34.620000000000005 in floating point; this gives 34.62).
 */
export function residual(a: number, b: number, c: number): number {
  return Math.round((a - b - c) * 1e6) / 1e6 + 0
}

/** `ms` as the canonical ISO 8601 UTC string (`2026-07-14T05:00:00.000Z`). */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString()
}

/**
 * A calendar date and wall-clock time read as if it were UTC, in ms since the epoch; null when
 * it is not a real date and time (31 February, 24:00). Add the zone's offset to get the instant.
 */
export function wallClockMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number | null {
  if (hour > 23 || minute > 59 || second > 59) return null
  const ms = Date.UTC(year, month - 1, day, hour, minute, second)
  const d = new Date(ms)
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null
  return ms
}

/** Longest node name a price record accepts (PriceRecord.node). */
export const MAX_NODE_CHARS = 128

/** The issue for a bad node name, or null when the name is fine. */
export function nodeNameIssue(name: unknown, at: Omit<ParseIssue, 'value' | 'reason'>): ParseIssue | null {
  if (typeof name !== 'string' || name.trim() === '')
    return { ...at, value: typeof name === 'string' ? name : JSON.stringify(name) ?? '', reason: 'node name is empty' }
  if (name.length > MAX_NODE_CHARS) return { ...at, value: name, reason: `node name longer than ${MAX_NODE_CHARS} characters` }
  return null
}

/** `table[key]` for the table's own keys only (a cell reading `constructor` is not a match). */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}

/** The parsed JSON document of an API answer, or a thrown {@link ParseError}. */
export function readJson(text: string, file: string): unknown {
  const body = dataText(text, file)
  try {
    return JSON.parse(body)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ParseError({ file, line: 1, field: '(json)', value: body.slice(0, 200), reason: `not JSON: ${reason}` })
  }
}

/** Whether a JSON value is a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A raw JSON value as issue text: strings as they are, anything else as JSON. */
export function rawText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? ''
}

/** What to add to a MISO wall-clock time (fixed EST, UTC-5, no daylight saving) to get UTC. */
export const MISO_EST_OFFSET_MS = 5 * 3_600_000
