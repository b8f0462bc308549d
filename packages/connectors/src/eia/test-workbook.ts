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
