/**
 * Helpers every parser shares: recognising a body that is not data at all, splitting CSV
 * lines (or walking them without splitting, for large files), reading numbers strictly, and the
 * few number and time conversions.
 */
import { ParseError, type ParseIssue } from '../errors.ts'

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
 * The physical lines of a text one at a time, as {@link splitLines} cuts them (CRLF, LF and CR
 * all end a line) but without building an array of line strings: after each {@link next} the
 * line is `text.slice(start, end)` and `number` its 1-based number. Parsers of large files read
 * cells straight from `text` between `start` and `end`.
 */
export class LineCursor {
  readonly text: string
  start = 0
  end = 0
  number = 0
  private following = 0
  /** The index of the next quote at or after the current line (-1: not looked for yet). */
  private nextQuote = -1

  constructor(text: string) {
    // A CR not followed by LF is rare (old Mac files); rewriting it as LF keeps line numbers.
    this.text = hasLoneCr(text) ? text.replace(/\r(?!\n)/g, '\n') : text
  }

  /** Moves to the next line; false past the last one. */
  next(): boolean {
    const text = this.text
    const start = this.following
    if (start > text.length) return false
    let newline = text.indexOf('\n', start)
    if (newline < 0) newline = text.length
    this.start = start
    this.end = newline > start && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline
    this.number++
    this.following = newline + 1
    return true
  }

  /** The current line's text. */
  line(): string {
    return this.text.slice(this.start, this.end)
  }

  /**
   * The separators of the current line when it has exactly `columns` cells and no quote:
   * `commas[i]` is the index of the comma after cell i, and `commas[columns - 1]` is the line's
   * end. False otherwise (another width, or quoted cells): read that line with
   * {@link splitCsvLine}.
   */
  commas(columns: number, commas: Int32Array): boolean {
    const { text, start, end } = this
    let at = start
    for (let i = 0; i < columns - 1; i++) {
      const comma = text.indexOf(',', at)
      if (comma < 0 || comma >= end) return false
      commas[i] = comma
      at = comma + 1
    }
    const extra = text.indexOf(',', at)
    if (extra >= 0 && extra < end) return false
    commas[columns - 1] = end
    return !this.hasQuote()
  }

  /** Whether the current line holds a quote (the next one is looked for once, not per line). */
  private hasQuote(): boolean {
    if (this.nextQuote < this.start) {
      const quote = this.text.indexOf('"', this.start)
      this.nextQuote = quote < 0 ? Number.POSITIVE_INFINITY : quote
    }
    return this.nextQuote < this.end
  }
}

const CR = 13
const LF = 10
const COMMA = 44

function hasLoneCr(text: string): boolean {
  for (let at = text.indexOf('\r'); at >= 0; at = text.indexOf('\r', at + 1)) {
    if (text.charCodeAt(at + 1) !== LF) return true
  }
  return false
}

/**
 * Whether `code` may be whitespace that `String.prototype.trim` removes: ASCII controls and
 * space, and every non-ASCII character (trim itself then decides). A cell whose first and last
 * characters are not is already trimmed.
 */
function maybeSpace(code: number): boolean {
  return code <= 32 || code >= 128
}

/** `text.slice(start, end)` trimmed, without the trim call when the ends are not whitespace. */
export function cellAt(text: string, start: number, end: number): string {
  if (start < end && (maybeSpace(text.charCodeAt(start)) || maybeSpace(text.charCodeAt(end - 1))))
    return text.slice(start, end).trim()
  return text.slice(start, end)
}

/** Whether the trimmed cell `text[start, end)` is exactly `expected`. */
export function cellIs(text: string, start: number, end: number, expected: string): boolean {
  if (end - start === expected.length && text.startsWith(expected, start)) return true
  return cellAt(text, start, end) === expected
}

/**
 * A value per distinct cell text, found from the cell's place in a text without slicing it: a
 * large file repeats a few texts (interval times) on every row, and slicing and hashing each
 * copy costs more than the rest of the row. `compute` runs once per distinct (trimmed) text; a
 * small table keyed by a hash of the cell's tail answers without slicing, and a miss there (a
 * collision, a trimmed cell) only costs a slice and a Map lookup.
 */
export class CellMemo<T> {
  private readonly texts: string[] = new Array<string>(1024).fill('')
  private readonly values: T[] = new Array<T>(1024)
  private readonly known = new Map<string, T>()
  private last = ''

  constructor(private readonly compute: (text: string) => T) {}

  /** The value of the cell `text[start, end)`; `text()` then gives its (trimmed) text. */
  get(text: string, start: number, end: number): T {
    // The tail of the cell is enough to tell interval times apart.
    let hash = end - start
    for (let i = Math.max(start, end - 16); i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0
    const at = hash & 1023
    const seen = this.texts[at] as string
    if (seen.length === end - start && seen.length > 0 && text.startsWith(seen, start)) {
      this.last = seen
      return this.values[at] as T
    }
    const cell = cellAt(text, start, end)
    let value = this.known.get(cell)
    if (value === undefined && !this.known.has(cell)) {
      value = this.compute(cell)
      this.known.set(cell, value)
    }
    if (cell.length === end - start) {
      this.texts[at] = cell
      this.values[at] = value as T
    }
    this.last = cell
    return value as T
  }

  /** The trimmed text of the cell last looked up. */
  text(): string {
    return this.last
  }
}

/**
 * The cells of one CSV row as places in a text, so a large file's cells are read where they are
 * (no line or cell strings) while a quoted row, split by {@link splitCsvLine}, is read the same way.
 */
export class CellRanges {
  text = ''
  private readonly from: Int32Array
  private readonly to: Int32Array

  constructor(readonly columns: number) {
    this.from = new Int32Array(columns)
    this.to = new Int32Array(columns)
  }

  /** The cursor's current line when it has exactly `columns` cells and no quote; else false. */
  readLine(cursor: LineCursor): boolean {
    if (!cursor.commas(this.columns, this.to)) return false
    this.text = cursor.text
    this.from[0] = cursor.start
    for (let i = 1; i < this.columns; i++) this.from[i] = (this.to[i - 1] as number) + 1
    return true
  }

  /** Cells already split (and trimmed); the first `columns` are read. */
  readCells(cells: string[]): void {
    this.text = cells.slice(0, this.columns).join('')
    let at = 0
    for (let i = 0; i < this.columns; i++) {
      this.from[i] = at
      at += cells[i]?.length ?? 0
      this.to[i] = at
    }
  }

  /** Cell `i`, trimmed. */
  cell(i: number): string {
    return cellAt(this.text, this.from[i] as number, this.to[i] as number)
  }

  /** Cell `i` as {@link readNumber} reads it. */
  number(i: number): number | null {
    return numberAt(this.text, this.from[i] as number, this.to[i] as number)
  }

  /** The value of cell `i` from `memo` (a {@link CellMemo}: computed once per distinct text). */
  memo<T>(memo: { get(text: string, start: number, end: number): T }, i: number): T {
    return memo.get(this.text, this.from[i] as number, this.to[i] as number)
  }
}

/**
 * The cells of one CSV line, trimmed. Quoted cells (with `""` for a quote) are understood;
 * a quoted cell spanning lines is not (no publisher format here writes one).
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) {
    const cells = line.split(',')
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as string
      if (cell.length > 0 && (maybeSpace(cell.charCodeAt(0)) || maybeSpace(cell.charCodeAt(cell.length - 1))))
        cells[i] = cell.trim()
    }
    return cells
  }
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

/** {@link isBlank} of the line `text[start, end)`, without slicing it when it starts with data. */
export function isBlankAt(text: string, start: number, end: number): boolean {
  if (start === end) return true
  const first = text.charCodeAt(start)
  if (first !== COMMA && !maybeSpace(first)) return false
  return isBlank(text.slice(start, end))
}

/**
 * A decimal number written the way publishers write them (`12.5`, `-.92`, `1e3`), or null.
 * Stricter than `Number()`, which reads `''` and `' '` as 0 and accepts `0x10` and `Infinity`.
 * JSON numbers are accepted too, for API answers that stop quoting them.
 */
export function readNumber(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null
  if (typeof raw !== 'string') return null
  return numberAt(raw, 0, raw.length)
}

/** {@link readNumber} of the cell `text[start, end)` (trimmed), without slicing it. */
export function numberAt(text: string, start: number, end: number): number | null {
  // Plain spaces around a number (ERCOT writes `, 35.06`) are skipped without slicing.
  while (start < end && text.charCodeAt(start) === 32) start++
  while (end > start && text.charCodeAt(end - 1) === 32) end--
  if (start < end && !maybeSpace(text.charCodeAt(start)) && !maybeSpace(text.charCodeAt(end - 1)))
    return decimalAt(text, start, end)
  const trimmed = text.slice(start, end).trim()
  return decimalAt(trimmed, 0, trimmed.length)
}

/** Powers of ten that are exact doubles. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]
/** Most digits whose integer is exact in a double (below 2^53). */
const EXACT_DIGITS = 15

/**
 * The number `text[start, end)` when it is exactly `[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?`
 * and finite, else null. The value is the one `Number()` gives: with at most 15 digits and no
 * exponent it is digits / 10^decimals, both exact doubles, so the one correctly rounded division
 * is the correctly rounded value; anything longer goes through `Number()` itself.
 */
function decimalAt(text: string, start: number, end: number): number | null {
  let at = start
  let code = at < end ? text.charCodeAt(at) : -1
  const negative = code === 45
  if (code === 43 || code === 45) code = ++at < end ? text.charCodeAt(at) : -1
  let mantissa = 0
  let digits = 0
  let decimals = 0
  while (code >= 48 && code <= 57) {
    mantissa = mantissa * 10 + (code - 48)
    digits++
    code = ++at < end ? text.charCodeAt(at) : -1
  }
  if (code === 46) {
    code = ++at < end ? text.charCodeAt(at) : -1
    while (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48)
      digits++
      decimals++
      code = ++at < end ? text.charCodeAt(at) : -1
    }
  }
  if (digits === 0) return null
  if (at === end) {
    if (digits > EXACT_DIGITS) return finite(Number(text.slice(start, end)))
    const value = decimals === 0 ? mantissa : mantissa / (POW10[decimals] as number)
    return negative ? -value : value
  }
  if (code !== 101 && code !== 69) return null
  code = ++at < end ? text.charCodeAt(at) : -1
  if (code === 43 || code === 45) code = ++at < end ? text.charCodeAt(at) : -1
  let exponentDigits = 0
  while (code >= 48 && code <= 57) {
    exponentDigits++
    code = ++at < end ? text.charCodeAt(at) : -1
  }
  if (exponentDigits === 0 || at !== end) return null
  return finite(Number(text.slice(start, end)))
}

function finite(value: number): number | null {
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
 * {@link isoUtc} remembering its answers: a price file has few distinct interval times (24
 * hours, 288 five-minute intervals) and many records per time, and formatting a date is dear.
 * One per parse, so nothing outlives the file.
 */
export function isoUtcCache(): (ms: number) => string {
  const known = new Map<number, string>()
  return (ms) => {
    let text = known.get(ms)
    if (text === undefined) {
      text = isoUtc(ms)
      known.set(ms, text)
    }
    return text
  }
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

/**
 * `text` as a string of its own. V8 makes a slice of 13 characters or more a view into the
 * string it was cut from, so a node name cut from a 40 MB file would keep the whole file alive
 * for as long as any record names it. Concatenating then slicing makes V8 copy the characters
 * into a new flat string first. Used once per distinct node, not per row.
 */
export function ownCopy(text: string): string {
  return ` ${text}`.slice(1)
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

/**
 * A cursor over JSON text for parsers that read one known shape in place (no JSON.parse): each
 * method skips whitespace, consumes one token and says whether it was there. Strings are read
 * only when they hold no escape and no control character (else `string` is null, as is any
 * other surprise), so a caller that gets false or null leaves the text to JSON.parse.
 */
export class JsonScan {
  at = 0

  constructor(readonly text: string) {}

  private skipSpace(): void {
    const text = this.text
    let at = this.at
    for (;;) {
      const code = text.charCodeAt(at)
      if (code !== 32 && code !== 10 && code !== 13 && code !== 9) break
      at++
    }
    this.at = at
  }

  /** The punctuation `code` (`{`, `[`, `,`, ...) next, consumed. */
  punct(code: number): boolean {
    this.skipSpace()
    if (this.text.charCodeAt(this.at) !== code) return false
    this.at++
    return true
  }

  /** `"name":` next, consumed. */
  key(name: string): boolean {
    return this.string() === name && this.punct(58)
  }

  /** Whether only whitespace is left. */
  atEnd(): boolean {
    this.skipSpace()
    return this.at === this.text.length
  }

  /** The string next (without escapes), or null. */
  string(): string | null {
    this.skipSpace()
    const start = this.at + 1
    const end = this.stringEnd()
    return end < 0 ? null : this.text.slice(start, end)
  }

  /**
   * `count` strings separated by commas and closed by `]` next (the `[` already consumed):
   * `cells[2i]` and `cells[2i + 1]` the start and end of string i's content.
   */
  stringsOf(count: number, cells: Int32Array): boolean {
    for (let i = 0; i < count; i++) {
      this.skipSpace()
      cells[2 * i] = this.at + 1
      const end = this.stringEnd()
      if (end < 0) return false
      cells[2 * i + 1] = end
      if (!this.punct(i < count - 1 ? 44 : 93)) return false
    }
    return true
  }

  /** Consumes the string at `at` and gives the index of its closing quote, or -1. */
  private stringEnd(): number {
    const text = this.text
    if (text.charCodeAt(this.at) !== 34) return -1
    const length = text.length
    for (let at = this.at + 1; at < length; at++) {
      const code = text.charCodeAt(at)
      if (code === 34) {
        this.at = at + 1
        return at
      }
      if (code === 92 || code < 32) return -1
    }
    return -1
  }
}
