/**
 * Builds small BIFF8 workbooks for this folder's tests (not exported from the package): the
 * records written by hand after [MS-XLS], the compound file by `cfb`. Lets a test put any cell,
 * any string split across CONTINUE records, or any damage where it wants it.
 */
import CFB from 'cfb'

export type TestCell =
  | { row: number; column: number; kind: 'sst'; index: number }
  | { row: number; column: number; kind: 'number'; value: number }
  | { row: number; column: number; kind: 'rk'; rk: number }
  | { row: number; column: number; kind: 'mulrk'; rks: number[] }
  | { row: number; column: number; kind: 'formula'; value: number }
  | { row: number; column: number; kind: 'formula-string'; value: string }
  | { row: number; column: number; kind: 'label'; value: string }

export type TestSheet = { name: string; cells: TestCell[] }

function record(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length)
  const view = new DataView(out.buffer)
  view.setUint16(0, type, true)
  view.setUint16(2, body.length, true)
  out.set(body, 4)
  return out
}

function bytes(...parts: (number[] | Uint8Array)[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0)
  const out = new Uint8Array(total)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff]
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff]
const f64 = (x: number) => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setFloat64(0, x, true)
  return b
}
const latin1 = (s: string) => Array.from(s, (c) => c.charCodeAt(0) & 0xff)
const utf16 = (s: string) => Array.from(s).flatMap((c) => u16(c.charCodeAt(0)))

const bof = (kind: number) => record(0x0809, bytes(u16(0x0600), u16(kind), u16(0x0dbb), u16(0x07cc), u32(0), u32(0x0206)))
const eof = () => record(0x000a, new Uint8Array(0))

function cellRecord(cell: TestCell): Uint8Array[] {
  const head = [...u16(cell.row), ...u16(cell.column), ...u16(0x0f)]
  switch (cell.kind) {
    case 'sst':
      return [record(0x00fd, bytes(head, u32(cell.index)))]
    case 'number':
      return [record(0x0203, bytes(head, f64(cell.value)))]
    case 'rk':
      return [record(0x027e, bytes(head, u32(cell.rk)))]
    case 'mulrk':
      return [record(0x00bd, bytes(u16(cell.row), u16(cell.column), ...cell.rks.map((rk) => [...u16(0x0f), ...u32(rk)]), u16(cell.column + cell.rks.length - 1)))]
    case 'formula':
      return [record(0x0006, bytes(head, f64(cell.value), u16(0), u32(0), u16(3), [0x1e, 0x01, 0x00]))]
    case 'formula-string':
      return [
        record(0x0006, bytes(head, [0, 0, 0, 0, 0, 0, 0xff, 0xff], u16(0), u32(0), u16(3), [0x1e, 0x01, 0x00])),
        record(0x0207, bytes(u16(cell.value.length), [0], latin1(cell.value))),
      ]
    case 'label':
      return [record(0x0204, bytes(head, u16(cell.value.length), [1], utf16(cell.value)))]
  }
}

/**
 * The SST record and its CONTINUE records. Strings are written 8-bit, except those with a
 * character above 0xFF (16-bit). `splitAfter` cuts the data after that many bytes into a CONTINUE
 * record, inside a string's characters when it falls there (then the CONTINUE starts with the
 * option byte of the rest, written 16-bit to test the switch).
 */
function sstRecords(strings: string[], splitAfter: number | null): Uint8Array[] {
  const head = bytes(u32(strings.length), u32(strings.length))
  type Piece = { header: number[]; text: string; wide: boolean }
  const pieces: Piece[] = strings.map((text) => {
    const wide = Array.from(text).some((c) => c.charCodeAt(0) > 0xff)
    return { header: [...u16(text.length), wide ? 1 : 0], text, wide }
  })
  const first: number[] = [...head]
  const rest: number[] = []
  let target = first
  for (const piece of pieces) {
    target.push(...piece.header)
    for (let i = 0; i < piece.text.length; i++) {
      if (target === first && splitAfter !== null && first.length >= splitAfter) {
        target = rest
        target.push(1) // the rest of this string: 16-bit
        target.push(...utf16(piece.text.slice(i)))
        i = piece.text.length
        break
      }
      target.push(...(piece.wide ? u16(piece.text.charCodeAt(i)) : [piece.text.charCodeAt(i) & 0xff]))
    }
  }
  const records = [record(0x00fc, Uint8Array.from(first))]
  if (rest.length > 0) records.push(record(0x003c, Uint8Array.from(rest)))
  return records
}

export type TestWorkbookOptions = {
  splitSstAfter?: number | null
  date1904?: boolean
  streamName?: string
  /** Keep only this many bytes of the Workbook stream (a damaged file in a sound container). */
  cutStreamAt?: number
}

/** A whole .xls file (compound file bytes) with these sheets and shared strings. */
export function buildWorkbook(sheets: TestSheet[], strings: string[], options: TestWorkbookOptions = {}): Uint8Array {
  const sheetStreams = sheets.map((sheet) => bytes(bof(0x0010), ...sheet.cells.flatMap(cellRecord), eof()))
  const boundSheet = (name: string, offset: number) => record(0x0085, bytes(u32(offset), [0, 0], [name.length, 0], latin1(name)))
  const fixed = [bof(0x0005), record(0x0022, Uint8Array.from(u16(options.date1904 ? 1 : 0)))]
  const sst = sstRecords(strings, options.splitSstAfter ?? null)
  const globalsLength = (offsets: number[]) =>
    bytes(...fixed, ...sheets.map((s, i) => boundSheet(s.name, offsets[i] ?? 0)), ...sst, eof()).length
  const length = globalsLength(sheets.map(() => 0))
  const offsets: number[] = []
  let at = length
  for (const stream of sheetStreams) {
    offsets.push(at)
    at += stream.length
  }
  const globals = bytes(...fixed, ...sheets.map((s, i) => boundSheet(s.name, offsets[i] ?? 0)), ...sst, eof())
  const workbook = bytes(globals, ...sheetStreams)
  const container = CFB.utils.cfb_new()
  CFB.utils.cfb_add(container, options.streamName ?? 'Workbook', workbook.subarray(0, options.cutStreamAt ?? workbook.length))
  return Uint8Array.from(CFB.write(container, { type: 'array' }) as ArrayLike<number>)
}

/** RK of an integer (fInt set). */
export const rkInt = (n: number) => ((n << 2) | 0x02) >>> 0
/** RK of an integer / 100 (fInt and fX100 set). */
export const rkInt100 = (n: number) => ((n << 2) | 0x03) >>> 0
/** RK of a double whose low 34 bits are zero (e.g. 0.5, 1.25). */
export function rkDouble(x: number): number {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x, true)
  return view.getUint32(4, true) & 0xfffffffc
}

const DAY_MS = 86_400_000

/** The Excel date serial (1900 system) of a date from 1900-03-01 on: days since 1899-12-30. */
export function excelSerial(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`)
  if (!Number.isFinite(ms) || date < '1900-03-01') throw new Error(`no 1900-system serial written here for ${date}`)
  return (ms - Date.UTC(1899, 11, 30)) / DAY_MS
}

/** What an EIA dnav history workbook holds (see dnav-series.ts): its header texts, release dates and rows. */
export type DnavWorkbookContent = {
  sourceKey: string
  valueHeader: string
  /** `M/D/YYYY`, as EIA writes them on the Contents sheet. */
  release: string
  nextRelease: string
  /**
   * One row per value. A `date` string is written as its serial, a number as that raw serial; a
   * `value` string is written as a text cell and null leaves the cell blank (bad rows for tests).
   */
  rows: readonly { date: string | number; value: number | string | null }[]
}

/**
 * A workbook in the layout of EIA's dnav history files (RNGWHHDm.xls, RNGWHHDd.xls): "Contents"
 * with the release labels in column B and their dates in column C (rows 8 and 9, as in the served
 * monthly file), "Data 1" with the link row, the Sourcekey row, the header row and one row per
 * value (a NUMBER date serial, a NUMBER value).
 */
export function buildDnavWorkbook(content: DnavWorkbookContent): Uint8Array {
  const strings = ['Back to Contents', 'Sourcekey', content.sourceKey, 'Date', content.valueHeader, 'Release Date:', content.release, 'Next Release Date:', content.nextRelease]
  const sst = (row: number, column: number, index: number): TestCell => ({ row, column, kind: 'sst', index })
  const contents = [sst(7, 1, 5), sst(7, 2, 6), sst(8, 1, 7), sst(8, 2, 8)]
  const data: TestCell[] = [sst(0, 0, 0), sst(1, 0, 1), sst(1, 1, 2), sst(2, 0, 3), sst(2, 1, 4)]
  content.rows.forEach(({ date, value }, i) => {
    const row = 3 + i
    data.push({ row, column: 0, kind: 'number', value: typeof date === 'string' ? excelSerial(date) : date })
    if (typeof value === 'number') data.push({ row, column: 1, kind: 'number', value })
    if (typeof value === 'string') data.push({ row, column: 1, kind: 'label', value })
  })
  return buildWorkbook(
    [
      { name: 'Contents', cells: contents },
      { name: 'Data 1', cells: data },
    ],
    strings,
  )
}
