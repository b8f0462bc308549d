/**
 * A reader of legacy Excel workbooks (.xls, BIFF8 inside an OLE compound file), enough for
 * publisher files: sheet names, numbers and strings of every cell, cached results of formulas,
 * the workbook's date system. The compound file is opened by `cfb`; the `Workbook` stream's
 * records are read here, following [MS-XLS] 2.4 (record layouts) and 2.5 (structures).
 */
import CFB, { type CFB$Container } from 'cfb'
import { XlsParseError, columnLetter } from './xls-error.ts'

export type XlsCell =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'error'; code: number }

export type XlsSheet = {
  name: string
  /** Cells by 0-based row, then 0-based column. Blank cells are absent. */
  rows: Map<number, Map<number, XlsCell>>
}

export type XlsWorkbook = {
  /** true when the workbook counts dates from 1904-01-01 (DATEMODE record). */
  date1904: boolean
  sheets: XlsSheet[]
}

const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]

const RECORD = {
  EOF: 0x000a,
  CONTINUE: 0x003c,
  FILEPASS: 0x002f,
  DATEMODE: 0x0022,
  BOUNDSHEET8: 0x0085,
  SST: 0x00fc,
  LABELSST: 0x00fd,
  MULRK: 0x00bd,
  NUMBER: 0x0203,
  LABEL: 0x0204,
  BOOLERR: 0x0205,
  STRING: 0x0207,
  RK: 0x027e,
  FORMULA: 0x0006,
  BOF: 0x0809,
} as const

const BOF_BIFF8 = 0x0600
const BOF_GLOBALS = 0x0005
const BOF_WORKSHEET = 0x0010

/** One record with the data of the CONTINUE records right after it. */
type BiffRecord = { type: number; offset: number; data: Uint8Array; continues: Uint8Array[] }

type Place = { file: string; sheet: string }

function fail(place: Place, reason: string, value: string, row = 0, column = 0): never {
  throw new XlsParseError({ file: place.file, sheet: place.sheet, row, column: row > 0 ? columnLetter(column) : '', value, reason })
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** The first bytes of a file as text a person can read in an error message. */
function preview(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 40), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 512)).replace(/^\uFEFF/, '').trimStart().toLowerCase()
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<?xml') || head.startsWith('<head') || head.startsWith('<body')
}

/** Why these bytes are not a compound file, or null when they carry its signature. */
function notCompoundFile(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'the file is empty'
  if (OLE_SIGNATURE.every((b, i) => bytes[i] === b)) return null
  if (looksLikeHtml(bytes)) return 'an HTML page, not an Excel workbook (the publisher answered with a web page)'
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'a zip file (.xlsx?), not a legacy Excel .xls workbook'
  return 'not an OLE compound file (legacy Excel .xls): the signature D0 CF 11 E0 A1 B1 1A E1 is missing'
}

/** The `Workbook` stream of the compound file. */
function workbookStream(bytes: Uint8Array, file: string): Uint8Array {
  const place = { file, sheet: '(file)' }
  const problem = notCompoundFile(bytes)
  if (problem) fail(place, problem, preview(bytes))
  let container: CFB$Container
  try {
    container = CFB.parse(bytes)
  } catch (error) {
    fail(place, `damaged or truncated compound file: ${error instanceof Error ? error.message : String(error)}`, `${bytes.length} bytes`)
  }
  const streams = container.FullPaths.map((path) => path.replace(/^Root Entry\//, ''))
  const entry = CFB.find(container, 'Workbook')
  if (!entry || entry.type !== 2) {
    const biff5 = CFB.find(container, 'Book')
    const reason = biff5 ? 'a BIFF5 (Excel 5/95) workbook: only BIFF8 (Excel 97 and later) is read' : 'no Workbook stream in the compound file'
    fail(place, reason, streams.join(', '))
  }
  const content = entry.content
  if (!content || content.length === 0 || entry.size === undefined || content.length < entry.size) {
    fail(place, `the Workbook stream is cut short (${content?.length ?? 0} of ${entry.size ?? '?'} bytes): truncated file`, `${bytes.length} bytes`)
  }
  return content instanceof Uint8Array ? content.subarray(0, entry.size) : Uint8Array.from(content.slice(0, entry.size))
}

/** Every record of the stream from `start`, CONTINUE records attached to the record before them. */
function* records(stream: Uint8Array, start: number, place: Place): Generator<BiffRecord> {
  const data = view(stream)
  let offset = start
  let pending: BiffRecord | null = null
  while (offset < stream.length) {
    if (offset + 4 > stream.length) fail(place, `record header at byte ${offset} runs past the end of the stream (truncated file)`, `${stream.length} bytes`)
    const type = data.getUint16(offset, true)
    const length = data.getUint16(offset + 2, true)
    const end = offset + 4 + length
    if (end > stream.length) {
      fail(place, `record 0x${type.toString(16).padStart(4, '0')} at byte ${offset} runs past the end of the stream (truncated file)`, `${length} bytes declared`)
    }
    const body = stream.subarray(offset + 4, end)
    if (type === RECORD.CONTINUE && pending) {
      pending.continues.push(body)
    } else {
      if (pending) yield pending
      pending = { type, offset, data: body, continues: [] }
    }
    offset = end
  }
  if (pending) yield pending
}

/**
 * Reads across a record and its CONTINUE records. Numbers never split between records; when the
 * characters of a string do, the next record starts with a fresh option byte saying whether the
 * rest is 8-bit or 16-bit ([MS-XLS] 2.5.293 XLUnicodeRichExtendedString).
 */
class SegmentReader {
  private segment = 0
  private pos = 0

  constructor(
    private readonly segments: Uint8Array[],
    private readonly place: Place,
    private readonly what: string,
  ) {}

  private current(): Uint8Array {
    let bytes = this.segments[this.segment]
    while (bytes && this.pos >= bytes.length && this.segment + 1 < this.segments.length) {
      this.segment += 1
      this.pos = 0
      bytes = this.segments[this.segment]
    }
    return bytes ?? new Uint8Array(0)
  }

  private byte(): number {
    const bytes = this.current()
    const value = bytes[this.pos]
    if (value === undefined) fail(this.place, `${this.what} ends before its content does`, `${this.segments.reduce((n, s) => n + s.length, 0)} bytes`)
    this.pos += 1
    return value
  }

  u8(): number {
    return this.byte()
  }

  u16(): number {
    return this.byte() | (this.byte() << 8)
  }

  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0
  }

  skip(count: number): void {
    for (let i = 0; i < count; i++) this.byte()
  }

  /** `count` characters, 8-bit or 16-bit per `highByte`, switching when a CONTINUE record starts. */
  chars(count: number, highByte: boolean): string {
    let text = ''
    let wide = highByte
    for (let i = 0; i < count; i++) {
      const bytes = this.segments[this.segment]
      if (bytes && this.pos >= bytes.length && this.segment + 1 < this.segments.length) {
        this.segment += 1
        this.pos = 0
        wide = (this.byte() & 0x01) === 1
      }
      text += String.fromCharCode(wide ? this.u16() : this.byte())
    }
    return text
  }
}

/** XLUnicodeRichExtendedString: cch, flags, [runs], [ext], characters, [run data], [ext data]. */
function richString(reader: SegmentReader): string {
  const length = reader.u16()
  const flags = reader.u8()
  const runs = flags & 0x08 ? reader.u16() : 0
  const extLength = flags & 0x04 ? reader.u32() : 0
  const text = reader.chars(length, (flags & 0x01) === 1)
  reader.skip(runs * 4 + extLength)
  return text
}

/** XLUnicodeString (LABEL, STRING): cch (16-bit), flags, characters. */
function unicodeString(reader: SegmentReader): string {
  const length = reader.u16()
  const flags = reader.u8()
  return reader.chars(length, (flags & 0x01) === 1)
}

function sharedStrings(record: BiffRecord, place: Place): string[] {
  const reader = new SegmentReader([record.data, ...record.continues], place, 'the shared string table (SST)')
  reader.u32() // cstTotal: references in the workbook
  const unique = reader.u32()
  const strings: string[] = []
  for (let i = 0; i < unique; i++) strings.push(richString(reader))
  return strings
}

/** An RK number ([MS-XLS] 2.5.217): 30 bits of an integer or of a double's high word, maybe /100. */
export function decodeRk(rk: number): number {
  const divide = (rk & 0x01) === 1
  let value: number
  if (rk & 0x02) {
    value = rk >> 2
  } else {
    const bytes = new DataView(new ArrayBuffer(8))
    bytes.setUint32(0, 0, true)
    bytes.setUint32(4, (rk & 0xfffffffc) >>> 0, true)
    value = bytes.getFloat64(0, true)
  }
  return divide ? value / 100 : value
}

type BoundSheet = { name: string; offset: number; kind: number }

function boundSheet(record: BiffRecord, place: Place): BoundSheet {
  if (record.data.length < 8) fail(place, 'BOUNDSHEET8 record too short', `${record.data.length} bytes`)
  const data = view(record.data)
  const reader = new SegmentReader([record.data.subarray(6)], place, 'a sheet name (BOUNDSHEET8)')
  const length = reader.u8()
  const name = reader.chars(length, (reader.u8() & 0x01) === 1)
  return { name, offset: data.getUint32(0, true), kind: data.getUint8(5) }
}

function checkBof(record: BiffRecord | undefined, expected: number, place: Place): void {
  if (!record || record.type !== RECORD.BOF || record.data.length < 4) {
    fail(place, 'expected a BOF record', record ? `record 0x${record.type.toString(16)} at byte ${record.offset}` : 'end of stream')
  }
  const data = view(record.data)
  const version = data.getUint16(0, true)
  const kind = data.getUint16(2, true)
  if (version !== BOF_BIFF8) fail(place, 'not a BIFF8 workbook (Excel 97 or later)', `BOF version 0x${version.toString(16)}`)
  if (kind !== expected) fail(place, `BOF of type 0x${expected.toString(16)} expected`, `0x${kind.toString(16)}`)
}

type Globals = { date1904: boolean; sheets: BoundSheet[]; strings: string[] }

function readGlobals(stream: Uint8Array, place: Place): Globals {
  const globals: Globals = { date1904: false, sheets: [], strings: [] }
  const iterator = records(stream, 0, place)
  checkBof(iterator.next().value ?? undefined, BOF_GLOBALS, place)
  for (const record of iterator) {
    if (record.type === RECORD.EOF) return globals
    if (record.type === RECORD.FILEPASS) fail(place, 'the workbook is encrypted (FILEPASS record)', 'FILEPASS')
    if (record.type === RECORD.DATEMODE) globals.date1904 = record.data[0] === 1
    if (record.type === RECORD.BOUNDSHEET8) globals.sheets.push(boundSheet(record, place))
    if (record.type === RECORD.SST) globals.strings = sharedStrings(record, place)
  }
  return fail(place, 'the workbook globals have no EOF record (truncated file)', `${stream.length} bytes`)
}

function setCell(rows: XlsSheet['rows'], row: number, column: number, cell: XlsCell): void {
  let cells = rows.get(row)
  if (!cells) rows.set(row, (cells = new Map()))
  cells.set(column, cell)
}

/** Reads one cell record into `rows`; returns the position of a FORMULA whose string result follows. */
function readCell(record: BiffRecord, rows: XlsSheet['rows'], strings: string[], place: Place): { row: number; column: number } | null {
  const data = view(record.data)
  const needs = (bytes: number) => {
    if (record.data.length < bytes) fail(place, `cell record 0x${record.type.toString(16)} too short`, `${record.data.length} bytes`)
  }
  needs(6)
  const row = data.getUint16(0, true)
  const column = data.getUint16(2, true)
  switch (record.type) {
    case RECORD.NUMBER:
      needs(14)
      setCell(rows, row, column, { kind: 'number', value: data.getFloat64(6, true) })
      return null
    case RECORD.RK:
      needs(10)
      setCell(rows, row, column, { kind: 'number', value: decodeRk(data.getUint32(6, true)) })
      return null
    case RECORD.MULRK: {
      const count = (record.data.length - 6) / 6
      if (!Number.isInteger(count) || count < 1) fail(place, 'MULRK record of a bad length', `${record.data.length} bytes`, row + 1, column)
      for (let i = 0; i < count; i++) {
        setCell(rows, row, column + i, { kind: 'number', value: decodeRk(data.getUint32(4 + i * 6 + 2, true)) })
      }
      return null
    }
    case RECORD.LABELSST: {
      needs(10)
      const index = data.getUint32(6, true)
      const text = strings[index]
      if (text === undefined) fail(place, `shared string ${index} does not exist (the table has ${strings.length})`, String(index), row + 1, column)
      setCell(rows, row, column, { kind: 'string', value: text })
      return null
    }
    case RECORD.LABEL: {
      const reader = new SegmentReader([record.data.subarray(6), ...record.continues], place, 'a LABEL cell')
      setCell(rows, row, column, { kind: 'string', value: unicodeString(reader) })
      return null
    }
    case RECORD.BOOLERR:
      needs(8)
      setCell(rows, row, column, record.data[7] === 1 ? { kind: 'error', code: record.data[6] ?? 0 } : { kind: 'boolean', value: record.data[6] === 1 })
      return null
    case RECORD.FORMULA: {
      needs(20)
      if (data.getUint16(12, true) !== 0xffff) {
        setCell(rows, row, column, { kind: 'number', value: data.getFloat64(6, true) })
        return null
      }
      const resultType = record.data[6]
      if (resultType === 0) return { row, column }
      if (resultType === 1) setCell(rows, row, column, { kind: 'boolean', value: record.data[8] === 1 })
      if (resultType === 2) setCell(rows, row, column, { kind: 'error', code: record.data[8] ?? 0 })
      if (resultType === 3) setCell(rows, row, column, { kind: 'string', value: '' })
      return null
    }
    default:
      return null
  }
}

const CELL_RECORDS = new Set<number>([RECORD.NUMBER, RECORD.RK, RECORD.MULRK, RECORD.LABELSST, RECORD.LABEL, RECORD.BOOLERR, RECORD.FORMULA])

function readSheet(stream: Uint8Array, sheet: BoundSheet, strings: string[], file: string): XlsSheet {
  const place = { file, sheet: sheet.name }
  if (sheet.offset >= stream.length) fail(place, `the sheet starts at byte ${sheet.offset}, past the end of the stream (truncated file)`, `${stream.length} bytes`)
  const rows: XlsSheet['rows'] = new Map()
  const iterator = records(stream, sheet.offset, place)
  checkBof(iterator.next().value ?? undefined, BOF_WORKSHEET, place)
  let depth = 1
  let formulaString: { row: number; column: number } | null = null
  for (const record of iterator) {
    if (record.type === RECORD.BOF) depth += 1
    else if (record.type === RECORD.EOF) depth -= 1
    if (depth === 0) return { name: sheet.name, rows }
    if (depth > 1) continue
    if (record.type === RECORD.STRING && formulaString) {
      const reader = new SegmentReader([record.data, ...record.continues], place, 'a formula result (STRING)')
      setCell(rows, formulaString.row, formulaString.column, { kind: 'string', value: unicodeString(reader) })
      formulaString = null
    } else if (CELL_RECORDS.has(record.type)) {
      formulaString = readCell(record, rows, strings, place)
    }
  }
  return fail(place, 'the sheet has no EOF record (truncated file)', `${stream.length} bytes`)
}

/**
 * Every worksheet of a BIFF8 workbook with its cells. Throws {@link XlsParseError} when the bytes
 * are not such a workbook or are damaged: not a compound file (an HTML page, a zip, random bytes),
 * no Workbook stream, a record running past the end, a missing BOF/EOF, an encrypted workbook.
 */
export function readXlsWorkbook(bytes: Uint8Array, file: string): XlsWorkbook {
  const stream = workbookStream(bytes, file)
  const globals = readGlobals(stream, { file, sheet: '(workbook)' })
  const worksheets = globals.sheets.filter((sheet) => sheet.kind === 0)
  return { date1904: globals.date1904, sheets: worksheets.map((sheet) => readSheet(stream, sheet, globals.strings, file)) }
}

const DAY_MS = 86_400_000
/** 1899-12-30: day 0 of the 1900 system once Excel's fictitious 1900-02-29 (serial 60) is passed. */
const EPOCH_1900_MS = Date.UTC(1899, 11, 30)
const EPOCH_1904_MS = Date.UTC(1904, 0, 1)

/**
 * The calendar date (`YYYY-MM-DD`) of an Excel date serial, or null when it is not one (not a
 * finite number, negative, 60 in the 1900 system: the 29 February 1900 that never was). In the
 * 1900 system serials 1..59 count from 1899-12-31 and later ones from 1899-12-30, because Excel
 * counts 1900 as a leap year. Times of day (the fraction) are dropped.
 */
export function excelSerialDate(serial: number, date1904 = false): string | null {
  if (!Number.isFinite(serial) || serial < 0) return null
  const day = Math.floor(serial)
  if (date1904) return new Date(EPOCH_1904_MS + day * DAY_MS).toISOString().slice(0, 10)
  if (day === 0 || day === 60) return null
  const shifted = day < 60 ? day + 1 : day
  return new Date(EPOCH_1900_MS + shifted * DAY_MS).toISOString().slice(0, 10)
}
