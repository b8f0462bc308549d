/**
 * Builds small .xlsx files for tests, the documented samples in fixtures/ and workbooks generated
 * in those layouts (exported for the demo's EIA-860M inventory, @carbon/demo-data): the XML parts written by hand after ECMA-376 Part 1, zipped by fflate. A
 * test can change or drop any part before zipping (`edit`) to put damage where it wants it. The
 * bytes depend on nothing but the input: every entry is stamped 2026-01-01 00:00 (local time,
 * which is what the zip header stores), so a sample rebuilt later is the same file.
 */
import { strToU8, zipSync, type Zippable } from 'fflate'

export type CellSpec =
  /** A number in the General format. */
  | number
  /** A shared string. */
  | string
  /** A date: its serial number in the 1900 system, styled as a date (built-in format 14, or `yyyy-mm-dd` when custom). */
  | { date: string; custom?: boolean }
  /** An inline string (`t="inlineStr"`). */
  | { inline: string }
  /** A shared string of rich-text runs. */
  | { runs: string[] }
  /** An error cell (`t="e"`), e.g. `#N/A`. */
  | { error: string }
  | { bool: boolean }
  /** A formula with its cached result. */
  | { formula: string; value: number | string }

export type SheetSpec = {
  name: string
  /** Cells by reference (`A1`, `C7`); rows and columns may skip. */
  cells: Record<string, CellSpec>
}

export type BuildOptions = {
  date1904?: boolean
  /** Change the parts (path -> XML text) before they are zipped: drop one, break one, add one. */
  edit?: (parts: Map<string, string>) => void
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
const PACKAGE_REL = 'http://schemas.openxmlformats.org/package/2006/relationships'
const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

export const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const DAY_MS = 86_400_000

/** The 1900-system serial number of a date (`YYYY-MM-DD`, from 1900-03-01 on). */
export function excelSerial(date: string): number {
  return (Date.parse(`${date}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / DAY_MS
}

/** Cell styles of styles.xml, by index: 0 General, 1 built-in date (14), 2 custom `yyyy-mm-dd` (164), 3 `0.00` (2). */
const STYLE = { general: 0, date: 1, customDate: 2 } as const

function stylesPart(): string {
  return `${DECLARATION}<styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
}

/** Shared strings in order of first use; a rich string is keyed by its runs. */
class SharedStrings {
  private readonly index = new Map<string, number>()
  private readonly items: string[] = []

  add(key: string, xml: string): number {
    const known = this.index.get(key)
    if (known !== undefined) return known
    this.items.push(xml)
    this.index.set(key, this.items.length - 1)
    return this.items.length - 1
  }

  part(uses: number): string {
    return `${DECLARATION}<sst xmlns="${MAIN}" count="${uses}" uniqueCount="${this.items.length}">${this.items.map((si) => `<si>${si}</si>`).join('')}</sst>`
  }
}

const text = (value: string) => `<t xml:space="preserve">${escapeXml(value)}</t>`

function cellXml(ref: string, spec: CellSpec, strings: SharedStrings, uses: { n: number }): string {
  if (typeof spec === 'number') return `<c r="${ref}"><v>${spec}</v></c>`
  if (typeof spec === 'string') {
    uses.n += 1
    return `<c r="${ref}" t="s"><v>${strings.add(`s:${spec}`, text(spec))}</v></c>`
  }
  if ('date' in spec) return `<c r="${ref}" s="${spec.custom ? STYLE.customDate : STYLE.date}"><v>${excelSerial(spec.date)}</v></c>`
  if ('inline' in spec) return `<c r="${ref}" t="inlineStr"><is>${text(spec.inline)}</is></c>`
  if ('runs' in spec) {
    uses.n += 1
    const runs = spec.runs.map((run, i) => `<r>${i % 2 === 1 ? '<rPr><b/></rPr>' : ''}${text(run)}</r>`).join('')
    return `<c r="${ref}" t="s"><v>${strings.add(`r:${JSON.stringify(spec.runs)}`, runs)}</v></c>`
  }
  if ('error' in spec) return `<c r="${ref}" t="e"><v>${escapeXml(spec.error)}</v></c>`
  if ('bool' in spec) return `<c r="${ref}" t="b"><v>${spec.bool ? 1 : 0}</v></c>`
  const type = typeof spec.value === 'string' ? ' t="str"' : ''
  return `<c r="${ref}"${type}><f>${escapeXml(spec.formula)}</f><v>${escapeXml(String(spec.value))}</v></c>`
}

const REFERENCE = /^([A-Z]+)(\d+)$/
const columnNumber = (letters: string) => [...letters].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0)

function sheetPart(sheet: SheetSpec, strings: SharedStrings, uses: { n: number }): string {
  const rows = new Map<number, { column: number; xml: string }[]>()
  for (const [ref, spec] of Object.entries(sheet.cells)) {
    const match = REFERENCE.exec(ref)
    if (!match) throw new Error(`not a cell reference: ${ref}`)
    const row = Number(match[2])
    const cells = rows.get(row) ?? []
    cells.push({ column: columnNumber(match[1] ?? ''), xml: cellXml(ref, spec, strings, uses) })
    rows.set(row, cells)
  }
  const body = [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([row, cells]) => `<row r="${row}">${cells.sort((a, b) => a.column - b.column).map((c) => c.xml).join('')}</row>`)
    .join('\n')
  return `${DECLARATION}<worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetData>\n${body}\n</sheetData></worksheet>`
}

/** The parts of a workbook with these sheets, by path. */
export function xlsxParts(sheets: SheetSpec[], options: Pick<BuildOptions, 'date1904'> = {}): Map<string, string> {
  const strings = new SharedStrings()
  const uses = { n: 0 }
  const parts = new Map<string, string>()
  sheets.forEach((sheet, i) => parts.set(`xl/worksheets/sheet${i + 1}.xml`, sheetPart(sheet, strings, uses)))
  const sheetList = sheets.map((sheet, i) => `<sheet name="${escapeXml(sheet.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')
  const n = sheets.length
  parts.set(
    '[Content_Types].xml',
    `${DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheets
      .map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
      .join('')}<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`,
  )
  parts.set('_rels/.rels', `${DECLARATION}<Relationships xmlns="${PACKAGE_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
  parts.set(
    'xl/workbook.xml',
    `${DECLARATION}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><workbookPr${options.date1904 ? ' date1904="1"' : ''}/><sheets>${sheetList}</sheets></workbook>`,
  )
  parts.set(
    'xl/_rels/workbook.xml.rels',
    `${DECLARATION}<Relationships xmlns="${PACKAGE_REL}">${sheets
      .map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
      .join('')}<Relationship Id="rId${n + 1}" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId${n + 2}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
  )
  parts.set('xl/sharedStrings.xml', strings.part(uses.n))
  parts.set('xl/styles.xml', stylesPart())
  return parts
}

/** Zips parts (path -> text or bytes) with every entry stamped 2026-01-01 00:00, so the same parts give the same bytes. */
export function zipParts(parts: Map<string, string | Uint8Array>): Uint8Array {
  const mtime = new Date(2026, 0, 1)
  const entries: Zippable = {}
  for (const [path, content] of parts) entries[path] = [typeof content === 'string' ? strToU8(content) : content, { mtime }]
  return zipSync(entries, { level: 6 })
}

/** A whole .xlsx file with these sheets. */
export function buildXlsx(sheets: SheetSpec[], options: BuildOptions = {}): Uint8Array {
  const parts = xlsxParts(sheets, options)
  options.edit?.(parts)
  return zipParts(parts)
}
