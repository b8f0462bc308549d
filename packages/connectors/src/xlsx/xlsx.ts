/**
 * A reader of Office Open XML workbooks (.xlsx, ECMA-376 Part 1, SpreadsheetML), enough for
 * publisher files: sheet names and order, every cell's value (numbers, shared and inline strings
 * with their rich-text runs, booleans, errors, cached results of formulas), the workbook's date
 * system, and which numbers carry a date format. It returns the shape of the legacy .xls reader
 * (`XlsWorkbook`, see ../eia/biff.ts) so a format reader can take either file; errors are
 * {@link XlsParseError}s naming file, sheet and cell.
 *
 * The zip is opened by fflate; the parts are found the way Excel finds them, through the package
 * relationships (`_rels/.rels` -> `xl/workbook.xml`, `xl/_rels/workbook.xml.rels` -> sheets,
 * shared strings, styles), and read by ./xml.ts.
 */
import { unzipSync } from 'fflate'
import type { XlsCell, XlsSheet, XlsWorkbook } from '../eia/biff.ts'
import { XlsParseError, columnLetter } from '../eia/xls-error.ts'
import { childNamed, childrenNamed, ownText, parseXml, XmlSyntaxError, type XmlElement } from './xml.ts'

/** A worksheet with, beside its cells, the number cells whose style is a date or time format. */
export type XlsxSheet = XlsSheet & {
  /** 0-based row -> 0-based columns of number cells formatted as dates (or times). */
  dateCells: Map<number, Set<number>>
}

export type XlsxWorkbook = XlsWorkbook & { sheets: XlsxSheet[] }

/** Where in the file something is wrong: `(file)` for the zip, `(workbook)` for workbook-level parts. */
type Place = { file: string; sheet: string }

function fail(place: Place, reason: string, value: string, row = 0, column = 0): never {
  throw new XlsParseError({ file: place.file, sheet: place.sheet, row, column: row > 0 ? columnLetter(column) : '', value, reason })
}

const ZIP_SIGNATURE = [0x50, 0x4b]
const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
/** Excel's own limits (1,048,576 rows, columns A..XFD). */
const MAX_ROW = 1_048_576
const MAX_COLUMN = 16_384
/** Uncompressed XML a publisher workbook never comes near; more is a damaged or hostile zip. */
const MAX_XML_BYTES = 512 * 1024 * 1024

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b)

/** The first bytes of a file as text a person can read in an error message. */
export function preview(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 40), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
}

/** True when the bytes start like a web page or another XML document (a publisher's error answer). */
export function looksLikeMarkup(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 512)).replace(/^\uFEFF/, '').trimStart().toLowerCase()
  return ['<!doctype html', '<html', '<?xml', '<head', '<body'].some((start) => head.startsWith(start))
}

/** Why these bytes are not a zip at all, or null when they carry its signature. */
function notZip(bytes: Uint8Array): string | null {
  if (bytes.length === 0) return 'the file is empty'
  if (startsWith(bytes, ZIP_SIGNATURE)) return null
  if (looksLikeMarkup(bytes)) return 'an HTML page or XML document, not an Excel workbook (the publisher answered with a web page)'
  if (startsWith(bytes, OLE_SIGNATURE)) return 'a legacy Excel .xls workbook (OLE compound file), not an .xlsx (zip) workbook'
  return 'not a zip file, so not an .xlsx workbook: the signature PK is missing'
}

/** The XML parts of the zip (and relationship parts), by path. */
function unzipParts(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const place = { file, sheet: '(file)' }
  const problem = notZip(bytes)
  if (problem) fail(place, problem, preview(bytes))
  let total = 0
  let entries: Record<string, Uint8Array>
  try {
    entries = unzipSync(bytes, {
      filter: (entry) => {
        if (!/\.(xml|rels)$/i.test(entry.name)) return false
        total += entry.originalSize
        return total <= MAX_XML_BYTES
      },
    })
  } catch (error) {
    fail(place, `damaged or truncated zip: ${error instanceof Error ? error.message : String(error)}`, `${bytes.length} bytes`)
  }
  if (total > MAX_XML_BYTES) fail(place, `the zip's XML parts unpack to more than ${MAX_XML_BYTES} bytes (damaged, or not a publisher workbook)`, `${total} bytes`)
  return new Map(Object.entries(entries))
}

/** One part of the package as XML, or undefined when the zip does not hold it. */
function readPart(parts: Map<string, Uint8Array>, path: string, place: Place): XmlElement | undefined {
  const bytes = parts.get(path)
  if (!bytes) return undefined
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return fail(place, `${path} is not UTF-8 text`, preview(bytes))
  }
  try {
    return parseXml(text)
  } catch (error) {
    if (error instanceof XmlSyntaxError) return fail(place, `broken XML in ${path} ${error.message}`, `${bytes.length} bytes`)
    throw error
  }
}

type Relationship = { type: string; target: string }

/** A path inside the package: a target relative to the folder of the part that names it. */
function resolveTarget(fromFolder: string, target: string): string {
  const segments = target.startsWith('/') ? [] : fromFolder.split('/').filter(Boolean)
  for (const segment of target.replace(/^\//, '').split('/')) {
    if (segment === '..') segments.pop()
    else if (segment !== '.' && segment !== '') segments.push(segment)
  }
  return segments.join('/')
}

const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1)

/** The relationships of a part (`xl/workbook.xml` -> `xl/_rels/workbook.xml.rels`), by id. */
function relationships(parts: Map<string, Uint8Array>, partPath: string, place: Place): Map<string, Relationship> | undefined {
  const folder = folderOf(partPath)
  const relsPath = `${folder}_rels/${partPath.slice(folder.length)}.rels`
  const root = readPart(parts, relsPath, place)
  if (!root) return undefined
  const byId = new Map<string, Relationship>()
  for (const rel of childrenNamed(root, 'Relationship')) {
    const { Id: id, Type: type = '', Target: target = '', TargetMode: mode } = rel.attributes
    if (!id || mode === 'External') continue
    byId.set(id, { type, target: resolveTarget(folder, target) })
  }
  return byId
}

const isType = (rel: Relationship, kind: string) => rel.type.endsWith(`/${kind}`)

/** The workbook part: the package's officeDocument relationship, else the usual `xl/workbook.xml`. */
function workbookPath(parts: Map<string, Uint8Array>, file: string): string {
  const place = { file, sheet: '(file)' }
  const packageRels = relationships(parts, '', place)
  const main = packageRels && [...packageRels.values()].find((rel) => isType(rel, 'officeDocument'))
  const path = main?.target ?? 'xl/workbook.xml'
  if (!parts.has(path)) {
    const held = [...parts.keys()].slice(0, 12).join(', ')
    fail(place, `a zip that is not an Excel workbook: no ${path}`, held || '(no XML parts)')
  }
  return path
}

/** Rich text of a shared or inline string: its own `<t>` and the `<t>` of each `<r>` run (phonetic `<rPh>` left out). */
function richText(element: XmlElement): string {
  let text = ''
  for (const child of element.children) {
    if (typeof child === 'string') continue
    if (child.name === 't') text += ownText(child)
    else if (child.name === 'r') text += childrenNamed(child, 't').map(ownText).join('')
  }
  return unescapeXstring(text)
}

/** ST_Xstring escapes: `_x000D_` is a carriage return, `_x005F_` an underscore. */
function unescapeXstring(text: string): string {
  return text.includes('_x') ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text
}

function sharedStrings(root: XmlElement | undefined): string[] {
  return root ? childrenNamed(root, 'si').map(richText) : []
}

/**
 * Built-in number formats that show dates or times ([ECMA-376] 18.8.30): 14-22, and the
 * East Asian date formats 27-36, 45-47, 50-58.
 */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58])

/** True when a custom format code shows a date or time: d, m, y, h or s outside quotes, escapes and [brackets]. */
export function isDateFormatCode(code: string): boolean {
  const section = code.split(';')[0] ?? ''
  const bare = section
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/_./g, '')
    .replace(/\*./g, '')
    .replace(/\[(h+|m+|s+)\]/gi, 'h')
    .replace(/\[[^\]]*\]/g, '')
  return /[dmyhs]/i.test(bare.replace(/general/gi, ''))
}

/** For each cell style (index of `cellXfs`), whether its number format is a date or time. */
function dateStyles(root: XmlElement | undefined): boolean[] {
  if (!root) return []
  const custom = new Map<number, string>()
  for (const format of childrenNamed(childNamed(root, 'numFmts') ?? root, 'numFmt')) {
    custom.set(Number(format.attributes.numFmtId), format.attributes.formatCode ?? '')
  }
  return childrenNamed(childNamed(root, 'cellXfs') ?? root, 'xf').map((xf) => {
    const id = Number(xf.attributes.numFmtId ?? 0)
    const code = custom.get(id)
    return code !== undefined ? isDateFormatCode(code) : BUILTIN_DATE_FORMATS.has(id)
  })
}

/** The text of a cell error (`#N/A`) as the BIFF error code the .xls reader gives ([MS-XLS] 2.5.10); -1 for newer errors (#SPILL!, #CALC!, ...). */
export const XLSX_ERROR_CODES: Readonly<Record<string, number>> = {
  '#NULL!': 0x00,
  '#DIV/0!': 0x07,
  '#VALUE!': 0x0f,
  '#REF!': 0x17,
  '#NAME?': 0x1d,
  '#NUM!': 0x24,
  '#N/A': 0x2a,
  '#GETTING_DATA': 0x2b,
}

const CELL_REFERENCE = /^([A-Z]{1,3})([1-9][0-9]{0,6})$/
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** 0-based column of column letters (A -> 0, XFD -> 16383). */
function columnIndex(letters: string): number {
  let n = 0
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 64)
  return n - 1
}

const DAY_MS = 86_400_000
const EPOCH_1900_MS = Date.UTC(1899, 11, 30)
const EPOCH_1904_MS = Date.UTC(1904, 0, 1)

/** The serial number of an ISO 8601 date-time (`t="d"` cells of strict files), in the workbook's date system. */
function isoSerial(text: string, date1904: boolean): number | null {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : /[zZ]|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`)
  if (!Number.isFinite(ms)) return null
  const serial = (ms - (date1904 ? EPOCH_1904_MS : EPOCH_1900_MS)) / DAY_MS
  // The 1900 system counts a 29 February 1900 that never was: serials before March 1900 are one less.
  return !date1904 && serial < 61 ? serial - 1 : serial
}

type SheetContext = {
  place: Place
  strings: string[]
  dateStyle: boolean[]
  date1904: boolean
}

/** The value of one `<c>` element, or null for a blank (styled but empty) cell. */
function cellValue(c: XmlElement, row: number, column: number, context: SheetContext): { cell: XlsCell; date: boolean } | null {
  const { place } = context
  const type = c.attributes.t ?? 'n'
  const v = childNamed(c, 'v')
  const raw = v ? ownText(v) : undefined
  const bad = (reason: string, value: string): never => fail(place, reason, value, row + 1, column)
  switch (type) {
    case 'inlineStr': {
      const is = childNamed(c, 'is')
      return is ? { cell: { kind: 'string', value: richText(is) }, date: false } : raw !== undefined ? { cell: { kind: 'string', value: raw }, date: false } : null
    }
    case 's': {
      if (raw === undefined) return null
      const index = Number(raw.trim())
      const text = Number.isInteger(index) ? context.strings[index] : undefined
      if (text === undefined) return bad(`shared string ${raw.trim()} does not exist (the table has ${context.strings.length})`, raw)
      return { cell: { kind: 'string', value: text }, date: false }
    }
    case 'str':
      return raw === undefined ? null : { cell: { kind: 'string', value: unescapeXstring(raw) }, date: false }
    case 'b':
      if (raw === undefined) return null
      if (raw.trim() !== '0' && raw.trim() !== '1') return bad('not a boolean (0 or 1)', raw)
      return { cell: { kind: 'boolean', value: raw.trim() === '1' }, date: false }
    case 'e':
      if (raw === undefined) return null
      return { cell: { kind: 'error', code: XLSX_ERROR_CODES[raw.trim()] ?? -1 }, date: false }
    case 'd': {
      if (raw === undefined) return null
      const serial = isoSerial(raw.trim(), context.date1904)
      if (serial === null) return bad('not an ISO 8601 date', raw)
      return { cell: { kind: 'number', value: serial }, date: true }
    }
    case 'n': {
      if (raw === undefined || raw.trim() === '') return null
      const value = Number(raw.trim())
      if (!NUMBER.test(raw.trim()) || !Number.isFinite(value)) return bad('not a number', raw)
      const style = Number(c.attributes.s ?? 0)
      return { cell: { kind: 'number', value }, date: context.dateStyle[style] === true }
    }
    default:
      return bad(`unknown cell type t="${type}"`, type)
  }
}

function setIn<T>(map: Map<number, Map<number, T>>, row: number, column: number, value: T): void {
  let inner = map.get(row)
  if (!inner) map.set(row, (inner = new Map()))
  inner.set(column, value)
}

/** Every cell of a worksheet part: rows and cells placed by their references (`r="C7"`), or in sequence where they have none. */
function readSheetCells(root: XmlElement, context: SheetContext): { rows: XlsSheet['rows']; dateCells: XlsxSheet['dateCells'] } {
  const { place } = context
  const rows: XlsSheet['rows'] = new Map()
  const dateCells: XlsxSheet['dateCells'] = new Map()
  const sheetData = childNamed(root, 'sheetData')
  if (root.name !== 'worksheet' || !sheetData) fail(place, `not a worksheet part (root <${root.name}>, no <sheetData>)`, root.name)
  let row = -1
  for (const rowElement of childrenNamed(sheetData, 'row')) {
    const r = rowElement.attributes.r
    if (r !== undefined) {
      const n = Number(r)
      if (!Number.isInteger(n) || n < 1 || n > MAX_ROW || n - 1 <= row) fail(place, `row number out of range or out of order (after row ${row + 1})`, r)
      row = n - 1
    } else {
      row += 1
    }
    let column = -1
    for (const c of childrenNamed(rowElement, 'c')) {
      const ref = c.attributes.r
      if (ref !== undefined) {
        const match = CELL_REFERENCE.exec(ref)
        const refColumn = match ? columnIndex(match[1] ?? '') : -1
        if (!match || Number(match[2]) !== row + 1 || refColumn >= MAX_COLUMN || refColumn <= column) {
          fail(place, `cell reference not in row ${row + 1} or out of order (after column ${column >= 0 ? columnLetter(column) : 'none'})`, ref, row + 1, Math.max(column, 0))
        }
        column = refColumn
      } else {
        column += 1
        if (column >= MAX_COLUMN) fail(place, 'more columns than Excel allows (XFD)', String(column + 1), row + 1, 0)
      }
      const value = cellValue(c, row, column, context)
      if (!value) continue
      setIn(rows, row, column, value.cell)
      if (value.date) {
        let columns = dateCells.get(row)
        if (!columns) dateCells.set(row, (columns = new Set()))
        columns.add(column)
      }
    }
  }
  return { rows, dateCells }
}

type SheetEntry = { name: string; relId: string }

function workbookSheets(root: XmlElement, place: Place): { date1904: boolean; sheets: SheetEntry[] } {
  if (root.name !== 'workbook') fail(place, `the workbook part's root is <${root.name}>, not <workbook>`, root.name)
  const properties = childNamed(root, 'workbookPr')
  const flag = properties?.attributes.date1904
  const date1904 = flag === '1' || flag === 'true'
  const sheets = childrenNamed(childNamed(root, 'sheets') ?? root, 'sheet').map((sheet) => {
    const relKey = Object.keys(sheet.attributes).find((key) => key.endsWith(':id'))
    const name = sheet.attributes.name
    const relId = relKey ? sheet.attributes[relKey] : undefined
    if (!name || !relId) fail(place, 'a <sheet> without a name or relationship id', JSON.stringify(sheet.attributes))
    return { name, relId }
  })
  if (sheets.length === 0) fail(place, 'the workbook lists no sheets', '')
  return { date1904, sheets }
}

/**
 * Every worksheet of an .xlsx workbook with its cells (chart sheets and other non-worksheets are
 * left out, as the .xls reader leaves them out). Throws {@link XlsParseError} when the bytes are
 * not such a workbook or are damaged: empty, an HTML page, an .xls, not a zip, a truncated or
 * corrupt zip, a zip without a workbook, a sheet whose part is missing, broken XML in any part,
 * a cell whose value cannot be read (named by sheet, row and column).
 */
export function readXlsxWorkbook(bytes: Uint8Array, file: string): XlsxWorkbook {
  const parts = unzipParts(bytes, file)
  const path = workbookPath(parts, file)
  const place = { file, sheet: '(workbook)' }
  const root = readPart(parts, path, place)
  if (!root) return fail(place, `no ${path}`, '')
  const { date1904, sheets } = workbookSheets(root, place)
  const rels = relationships(parts, path, place)
  if (!rels) fail(place, `no ${folderOf(path)}_rels/${path.slice(folderOf(path).length)}.rels: the sheets cannot be found`, path)
  const byType = (kind: string, fallback: string) => [...rels.values()].find((rel) => isType(rel, kind))?.target ?? fallback
  const strings = sharedStrings(readPart(parts, byType('sharedStrings', `${folderOf(path)}sharedStrings.xml`), place))
  const dateStyle = dateStyles(readPart(parts, byType('styles', `${folderOf(path)}styles.xml`), place))
  const worksheets: XlsxSheet[] = []
  for (const sheet of sheets) {
    const rel = rels.get(sheet.relId)
    if (!rel) fail(place, `sheet "${sheet.name}" names relationship ${sheet.relId}, which the workbook's relationships do not hold`, sheet.relId)
    if (!isType(rel, 'worksheet')) continue
    const sheetPlace = { file, sheet: sheet.name }
    const sheetRoot = readPart(parts, rel.target, sheetPlace)
    if (!sheetRoot) fail(sheetPlace, `the sheet's part ${rel.target} is not in the zip`, rel.target)
    const cells = readSheetCells(sheetRoot, { place: sheetPlace, strings, dateStyle, date1904 })
    worksheets.push({ name: sheet.name, ...cells })
  }
  return { date1904, sheets: worksheets }
}

/** True when the number cell at a 0-based row and column of an .xlsx sheet is formatted as a date or time. */
export function isDateCell(sheet: XlsxSheet, row: number, column: number): boolean {
  return sheet.dateCells.get(row)?.has(column) === true
}
