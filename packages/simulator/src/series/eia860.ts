/**
 * EIA-860M monthly generator inventories on the simulator (base `/eia`, see simulatorUrls), laid
 * out as EIA serves them (packages/connectors series/fetch/eia860m.ts says what is known of that):
 *
 *   GET /eia/electricity/data/eia860m/xls/{month}_generator{year}.xlsx
 *       the latest inventory out at the simulated date
 *   GET /eia/electricity/data/eia860m/archive/xls/{month}_generator{year}.xlsx
 *       every earlier one, from July 2015 (EIA's first)
 *
 * Any other name under /eia/electricity/data/eia860m/ (a month not out yet, a month in the other
 * folder, a misspelt name) answers EIA's landing page, HTTP 200 text/html, as EIA does for a file
 * name it does not serve; so does the folder itself.
 *
 * Release: the inventory of month M is out on the 24th of M+1 at 10:00 Eastern
 * ({@link EIA860M_SIM_RELEASE}, EIA's "about the 24th"): before the connectors' cautious 28th, so a
 * scheduled request finds it, while a request of the month before in `xls/` between the two dates
 * finds it moved to the archive (the connectors' dataset then answers "not published yet").
 *
 * The workbook of a month is the connectors' documented sample
 * (fixtures/eia860/september_generator2026_DOCUMENTED_LAYOUT.xlsx, invented generators) with the
 * month in its title and the capacities of its solar, wind and storage generators moved by
 * {@link eia860mBuildOut} (0.5 % a month of build-out, September 2026 the sample's own values), so
 * months differ and later ones hold more: the simulator's numbers, not EIA's. September 2026 is the
 * sample byte for byte; every other month is the same for the same name on every run.
 */
import { readFileSync } from 'node:fs'
import {
  cellAt,
  columnLetter,
  EIA860_FIXTURE_DIR,
  EIA860M_HEADINGS,
  EIA860M_OPERATING_SHEET,
  EIA860M_SAMPLE_FIXTURE,
  eia860mFileMonth,
  lastRow,
  normalizedHeading,
  readExcelWorkbook,
  sheetNamed,
  shownCell,
  technologyFuel,
  type CapacityFuel,
  type XlsSheet,
} from '@carbon/connectors'
import { dateIn, dayStartUtc } from '@carbon/schemas'
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate'
import { htmlPage } from '../failures.ts'
import type { SimAnswer } from '../markets/types.ts'
import { MINUTE } from '../time.ts'
import { HTML_TYPE, type SeriesRoute, XLSX_TYPE } from './types.ts'

/** When the simulator puts out month M's inventory: the 24th of M+1, 10:00 Eastern. */
export const EIA860M_SIM_RELEASE = { day: 24, hour: 10, minute: 0, timeZone: 'America/New_York' } as const
/** EIA's first inventory month: nothing before it is served. */
export const EIA860M_SIM_FIRST_MONTH = '2015-07'
/** The folder of both paths, under the simulator's `/eia`. */
export const EIA860M_SIM_DIR = '/eia/electricity/data/eia860m/'

const WORKBOOK_PATH = /^\/eia\/electricity\/data\/eia860m\/(archive\/)?xls\/([a-z]+_generator\d{4}\.xlsx)$/
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const
/** The technologies whose capacity grows month by month in the simulator's workbooks. */
const BUILT_OUT: ReadonlySet<CapacityFuel> = new Set(['solar', 'wind', 'storage'])
/** The sample's parts: the Operating sheet (the first), and the shared strings holding its title. */
const OPERATING_PART = 'xl/worksheets/sheet1.xml'
const STRINGS_PART = 'xl/sharedStrings.xml'
/** Generated workbooks kept, so a backfill's or a test's repeated months are built once. */
const CACHE_SIZE = 48

/** `YYYY-MM` plus `months` (may be negative). */
function addMonths(month: string, months: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(year, m - 1 + months, 1)).toISOString().slice(0, 7)
}

/** Whole months from `from` to `to` (`YYYY-MM` each). */
function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number]
  const [ty, tm] = to.split('-').map(Number) as [number, number]
  return (ty - fy) * 12 + (tm - fm)
}

/** The latest inventory month (`YYYY-MM`) the simulator has put out at `now`. */
export function eia860mLatestMonth(now: number): string {
  const today = dateIn(new Date(now), EIA860M_SIM_RELEASE.timeZone)
  const releaseDate = `${today.slice(0, 8)}${String(EIA860M_SIM_RELEASE.day).padStart(2, '0')}`
  const release = dayStartUtc(releaseDate, EIA860M_SIM_RELEASE.timeZone).getTime() + (EIA860M_SIM_RELEASE.hour * 60 + EIA860M_SIM_RELEASE.minute) * MINUTE
  return addMonths(today.slice(0, 7), now >= release ? -1 : -2)
}

/** The instant month `month`'s inventory came out in the simulator (its Last-Modified). */
function releasedAt(month: string): number {
  const after = addMonths(month, 1)
  const date = `${after}-${String(EIA860M_SIM_RELEASE.day).padStart(2, '0')}`
  return dayStartUtc(date, EIA860M_SIM_RELEASE.timeZone).getTime() + (EIA860M_SIM_RELEASE.hour * 60 + EIA860M_SIM_RELEASE.minute) * MINUTE
}

/**
 * The factor a solar, wind or storage capacity of the sample is multiplied by in month `month`:
 * 0.5 % a month from the sample's month (earlier months less), never under a quarter.
 */
export function eia860mBuildOut(sampleMonth: string, month: string): number {
  return Math.max(0.25, 1 + 0.005 * monthsBetween(sampleMonth, month))
}

/** A generator row of the sample whose capacities the month moves, with its capacity cells' references. */
type GrowingRow = { refs: string[] }

/** The column of a heading in the header row (the first of rows 1-10 holding `Entity ID`); throws when the sample changed. */
function headerColumns(sheet: XlsSheet): { header: number; column: (heading: string) => number } {
  for (let row = 1; row <= 10; row++) {
    const cells = [...(sheet.rows.get(row - 1) ?? new Map())]
    if (!cells.some(([, cell]) => cell.kind === 'string' && normalizedHeading(cell.value) === normalizedHeading(EIA860M_HEADINGS.entity))) continue
    const column = (heading: string) => {
      const found = cells.find(([, cell]) => cell.kind === 'string' && normalizedHeading(cell.value) === normalizedHeading(heading))
      if (!found) throw new Error(`${EIA860M_SAMPLE_FIXTURE}: no column "${heading}" in row ${row} of ${EIA860M_OPERATING_SHEET}`)
      return found[0] as number
    }
    return { header: row, column }
  }
  throw new Error(`${EIA860M_SAMPLE_FIXTURE}: no header row in ${EIA860M_OPERATING_SHEET}`)
}

/** The sample's solar, wind and storage rows, each with its nameplate, summer and winter capacity cells. */
function growingRows(sample: Uint8Array): GrowingRow[] {
  const sheet = sheetNamed(readExcelWorkbook(sample, EIA860M_SAMPLE_FIXTURE), EIA860M_OPERATING_SHEET, EIA860M_SAMPLE_FIXTURE)
  const { header, column } = headerColumns(sheet)
  const technology = column(EIA860M_HEADINGS.technology)
  const capacities = [column(EIA860M_HEADINGS.nameplate), column(EIA860M_HEADINGS.summer), column('Net Winter Capacity (MW)')]
  const rows: GrowingRow[] = []
  for (let row = header + 1; row <= lastRow(sheet); row++) {
    const text = shownCell(cellAt(sheet, row, technology)).trim()
    if (text !== '' && BUILT_OUT.has(technologyFuel(text))) rows.push({ refs: capacities.map((c) => `${columnLetter(c)}${row}`) })
  }
  return rows
}

/** `xml` with the number in cell `ref` multiplied by `factor` (to 0.1 MW); throws when the cell is not a plain number. */
function scaleCell(xml: string, ref: string, factor: number): string {
  const cell = new RegExp(`(<c r="${ref}"(?: [^>]*)?>)<v>([^<]*)</v>`)
  const match = cell.exec(xml)
  const value = Number(match?.[2])
  if (!match || match[1]!.includes(' t="') || !Number.isFinite(value)) throw new Error(`${EIA860M_SAMPLE_FIXTURE}: cell ${ref} is not a number`)
  return xml.replace(cell, `$1<v>${Math.round(value * factor * 10) / 10}</v>`)
}

/** The workbooks of the months, built from the sample (see the module's doc). */
export function createEia860mWorkbooks(sample: Uint8Array = new Uint8Array(readFileSync(new URL(EIA860M_SAMPLE_FIXTURE, EIA860_FIXTURE_DIR)))) {
  const sampleMonth = eia860mFileMonth(EIA860M_SAMPLE_FIXTURE)
  if (!sampleMonth) throw new Error(`${EIA860M_SAMPLE_FIXTURE}: its name gives no month`)
  const parts = unzipSync(sample)
  const operating = parts[OPERATING_PART]
  const strings = parts[STRINGS_PART]
  if (!operating || !strings) throw new Error(`${EIA860M_SAMPLE_FIXTURE}: no ${OPERATING_PART} or ${STRINGS_PART}`)
  const rows = growingRows(sample)
  const title = (month: string) => `${MONTH_NAMES[Number(month.slice(5)) - 1]} ${month.slice(0, 4)}`
  const cache = new Map<string, Uint8Array>()

  function build(month: string): Uint8Array {
    const factor = eia860mBuildOut(sampleMonth!, month)
    let sheet = strFromU8(operating!)
    for (const row of rows) for (const ref of row.refs) sheet = scaleCell(sheet, ref, factor)
    const text = strFromU8(strings!).replace(`, ${title(sampleMonth!)} (`, `, ${title(month)} (`)
    // Stamped as the sample's entries are (build-xlsx.ts), so a month's bytes are the same on every run.
    const mtime = new Date(2026, 0, 1)
    const entries: Zippable = {}
    for (const [path, bytes] of Object.entries(parts)) {
      const content = path === OPERATING_PART ? strToU8(sheet) : path === STRINGS_PART ? strToU8(text) : bytes
      entries[path] = [content, { mtime }]
    }
    return zipSync(entries, { level: 6 })
  }

  return {
    sampleMonth,
    /** The workbook of `month` (`YYYY-MM`). */
    of(month: string): Uint8Array {
      if (month === sampleMonth) return sample
      let bytes = cache.get(month)
      if (!bytes) {
        if (cache.size >= CACHE_SIZE) cache.clear()
        cache.set(month, (bytes = build(month)))
      }
      return bytes
    },
  }
}

/** EIA's landing page, which EIA answers (HTTP 200) for a file name it does not serve; it links the latest months. */
function landingPage(latest: string): SimAnswer {
  const links = Array.from({ length: 12 }, (_, i) => addMonths(latest, -i))
    .filter((month) => month >= EIA860M_SIM_FIRST_MONTH)
    .map((month, i) => {
      const name = `${MONTH_NAMES[Number(month.slice(5)) - 1]!.toLowerCase()}_generator${month.slice(0, 4)}.xlsx`
      return `<a href="${EIA860M_SIM_DIR.slice('/eia'.length)}${i === 0 ? '' : 'archive/'}xls/${name}">${month}</a>`
    })
  const title = 'Preliminary Monthly Electric Generator Inventory (based on Form EIA-860M as a supplement to Form EIA-860)'
  return { status: 200, type: HTML_TYPE, body: htmlPage(title, `Simulated EIA-860M page. ${links.join(' ')}`) }
}

export function createEia860Route(): SeriesRoute {
  const workbooks = createEia860mWorkbooks()
  return {
    sources: ['eia.860m.generators'],
    shapes: [`GET ${EIA860M_SIM_DIR}xls/{month}_generator{YYYY}.xlsx (the latest month), ${EIA860M_SIM_DIR}archive/xls/{month}_generator{YYYY}.xlsx (earlier ones)`],
    answer(request, context) {
      if (!request.path.startsWith(EIA860M_SIM_DIR) && request.path !== EIA860M_SIM_DIR.slice(0, -1)) return null
      const latest = eia860mLatestMonth(context.now)
      const match = WORKBOOK_PATH.exec(request.path)
      const month = match ? eia860mFileMonth(match[2]!) : null
      if (!match || !month || month < EIA860M_SIM_FIRST_MONTH || month > latest) return landingPage(latest)
      const archived = match[1] !== undefined
      if (archived !== month < latest) return landingPage(latest)
      return { status: 200, type: XLSX_TYPE, body: workbooks.of(month), headers: { 'Last-Modified': new Date(releasedAt(month)).toUTCString() } }
    },
  }
}
