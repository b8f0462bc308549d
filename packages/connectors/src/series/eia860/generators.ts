/**
 * EIA-860M, the Preliminary Monthly Electric Generator Inventory
 * (https://www.eia.gov/electricity/data/eia860m/): one workbook a month,
 * `xls/{month}_generator{year}.xlsx` (older months under `archive/xls/`), one row per generator of
 * 1 MW or more. No served copy was found; the layout below is what the published readers of that
 * workbook rely on (fixtures/eia860/README.md gives the evidence and says what is assumed):
 *
 *   sheets   Operating (first), Planned, Retired, Canceled or Postponed, and *_PR sheets for
 *            Puerto Rico; only "Operating" is read here
 *   rows     title and notes above the header (two rows since the November 2020 file, one
 *            before), the header (`Entity ID`, ..., `Balancing Authority Code`, ...,
 *            `Nameplate Capacity (MW)`, `Net Summer Capacity (MW)`, ..., `Technology`, ...,
 *            `Status`, ...), one row per generator, then note rows (column A `NOTE: ...`)
 *
 * The header row is found (the first of rows 1..10 holding `Entity ID`), and the columns read are
 * found in it by their headings (white space and case ignored), so a moved or added column is
 * read; a heading missing is a changed header, an {@link XlsParseError}.
 *
 * What is read: per balancing authority code and technology, the nameplate and net summer
 * capacity (MW) of the generators on the Operating sheet whose status is operable (`OP`
 * operating, `SB` standby, `OA` out of service but expected back within the year, `OS` out of
 * service; EIA's "operable" capacity), and how many generators that is, as of the file's month.
 * The month is the one the file name gives (`september_generator2026.xlsx` -> 2026-09), or the
 * caller's `month` when the name carries none.
 *
 * The records are canonical series records of product GRID, entitled through the market the
 * balancing authority maps to (as for EIA-930 respondents, ../eia930/balancing-authorities.ts):
 * series `{BA}.CAPACITY.{TECHNOLOGY}` (EIA's technology in upper case, words joined by `_`), one
 * value per measure for the month: `nameplate_capacity` and `summer_capacity` in MW and
 * `generators` (count). Attributes: `respondent` (the balancing authority code, EIA-930's key),
 * `technology` (EIA's words), `fuel` (its coarse group, {@link technologyFuel}), `via` for a WEIM
 * member. A balancing authority that maps to no market here, or a blank code, is refused: one issue per balancing
 * authority and technology naming its first row, the generators and megawatts refused, never
 * silently dropped. A generator whose technology, capacity or status is unusable, or that is given
 * twice, is an issue naming sheet, row, cell and value; the other generators are still read.
 */
import { datePeriod, type SeriesRecord } from '@carbon/schemas'
import type { XlsCell, XlsSheet } from '../../eia/biff.ts'
import { columnLetter, parseIssueOf, XlsParseError } from '../../eia/xls-error.ts'
import type { ParseIssue } from '../../errors.ts'
import { cellAt, cellNumber, isBlankCell, lastRow, normalizedHeading, readExcelWorkbook, sheetNamed, shownCell } from '../../xlsx/workbook.ts'
import { balancingAuthority } from '../eia930/balancing-authorities.ts'

export const EIA860M_GENERATORS_SOURCE = 'eia.860m.generators'
export const EIA860M_OPERATING_SHEET = 'Operating'

/** The headings of the Operating sheet this reader uses, as EIA writes them. */
export const EIA860M_HEADINGS = {
  entity: 'Entity ID',
  plant: 'Plant ID',
  generator: 'Generator ID',
  ba: 'Balancing Authority Code',
  nameplate: 'Nameplate Capacity (MW)',
  summer: 'Net Summer Capacity (MW)',
  technology: 'Technology',
  status: 'Status',
} as const

/** The statuses of the Operating sheet that count as operable capacity, by EIA's code. */
export const EIA860M_OPERABLE_STATUSES: Readonly<Record<string, string>> = {
  OP: 'Operating',
  SB: 'Standby/Backup',
  OA: 'Out of service, expected back within the year',
  OS: 'Out of service, not expected back within the year',
}

/** The header is looked for in the first rows: EIA puts it in row 3 (row 2 before November 2020). */
const HEADER_SEARCH_ROWS = 10

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
const FILE_MONTH = /^([a-z]+)_generator(\d{4})(?![0-9])/i
const YEAR_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/

/**
 * The coarse fuel group of each EIA-860M technology (the words EIA writes in `Technology`), for
 * charts and totals; a technology not listed is `other`.
 */
export const EIA860M_TECHNOLOGY_FUELS: Readonly<Record<string, CapacityFuel>> = {
  'Conventional Steam Coal': 'coal',
  'Coal Integrated Gasification Combined Cycle': 'coal',
  'Natural Gas Fired Combined Cycle': 'gas',
  'Natural Gas Fired Combustion Turbine': 'gas',
  'Natural Gas Steam Turbine': 'gas',
  'Natural Gas Internal Combustion Engine': 'gas',
  'Natural Gas with Compressed Air Storage': 'gas',
  'Other Natural Gas': 'gas',
  Nuclear: 'nuclear',
  'Conventional Hydroelectric': 'hydro',
  Hydrokinetic: 'hydro',
  'Onshore Wind Turbine': 'wind',
  'Offshore Wind Turbine': 'wind',
  'Solar Photovoltaic': 'solar',
  'Solar Thermal with Energy Storage': 'solar',
  'Solar Thermal without Energy Storage': 'solar',
  Batteries: 'storage',
  Flywheels: 'storage',
  'Hydroelectric Pumped Storage': 'storage',
  'Petroleum Liquids': 'oil',
  'Petroleum Coke': 'oil',
}

/** The fuel groups capacity is shown in, in display order. */
export const CAPACITY_FUELS = ['nuclear', 'coal', 'gas', 'oil', 'hydro', 'wind', 'solar', 'storage', 'other'] as const
export type CapacityFuel = (typeof CAPACITY_FUELS)[number]

const wordsKey = (words: string) => words.trim().replace(/\s+/g, ' ').toLowerCase()
const FUEL_BY_WORDS: ReadonlyMap<string, CapacityFuel> = new Map(Object.entries(EIA860M_TECHNOLOGY_FUELS).map(([words, fuel]) => [wordsKey(words), fuel]))

/** The fuel group of an EIA-860M technology, case and spacing ignored (`other` when EIA's words are not known here). */
export function technologyFuel(technology: string): CapacityFuel {
  return FUEL_BY_WORDS.get(wordsKey(technology)) ?? 'other'
}

/** Whether EIA's technology is a gas combined cycle (the one gas technology not a peaker in a merit order). */
export const isCombinedCycle = (technology: string) => wordsKey(technology) === wordsKey('Natural Gas Fired Combined Cycle')

/** The series id part of a technology: `Natural Gas Fired Combined Cycle` -> `NATURAL_GAS_FIRED_COMBINED_CYCLE`. */
export function technologyKey(technology: string): string {
  const key = technology
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return key === '' ? 'UNKNOWN' : key.slice(0, 64)
}

/** The series id of a balancing authority's capacity of one technology. */
export const capacitySeriesId = (ba: string, technology: string) => `${ba}.CAPACITY.${technologyKey(technology)}`

export type Eia860mParseResult = {
  records: SeriesRecord[]
  errors: ParseIssue[]
}

type HeadingKey = keyof typeof EIA860M_HEADINGS
type Columns = Record<HeadingKey, number>
type Place = { file: string; sheet: string }

/** The generators of one balancing authority and technology, while the sheet is read. */
type Group = {
  ba: string
  technology: string
  nameplateMw: number
  summerMw: number
  generators: number
  firstRow: number
}

/** `YYYY-MM` of a file named `{month}_generator{year}...` (any folder before it), or null. */
export function eia860mFileMonth(file: string): string | null {
  const name = file.slice(file.lastIndexOf('/') + 1)
  const match = FILE_MONTH.exec(name)
  if (!match) return null
  const month = MONTHS.indexOf((match[1] ?? '').toLowerCase())
  return month < 0 ? null : `${match[2]}-${String(month + 1).padStart(2, '0')}`
}

function inventoryMonth(file: string, given: string | undefined): string {
  if (given !== undefined) {
    if (YEAR_MONTH.test(given)) return given
    throw new XlsParseError({
      file,
      sheet: '(file)',
      row: 0,
      column: '',
      value: given,
      reason: 'the month given is not YYYY-MM',
    })
  }
  const month = eia860mFileMonth(file)
  if (month) return month
  const reason =
    "the file name does not give the inventory's month (EIA names it {month}_generator{year}.xlsx, e.g. september_generator2026.xlsx); pass the month"
  throw new XlsParseError({
    file,
    sheet: '(file)',
    row: 0,
    column: '',
    value: file,
    reason,
  })
}

const rowCells = (sheet: XlsSheet, row: number): [number, XlsCell][] => [...(sheet.rows.get(row - 1) ?? new Map<number, XlsCell>())]

const isHeading = (cell: XlsCell, heading: string) => cell.kind === 'string' && normalizedHeading(cell.value) === normalizedHeading(heading)

/** The 1-based header row: the first of the first rows holding `Entity ID`. */
function headerRow(sheet: XlsSheet, place: Place): number {
  for (let row = 1; row <= HEADER_SEARCH_ROWS; row++) {
    if (rowCells(sheet, row).some(([, cell]) => isHeading(cell, EIA860M_HEADINGS.entity))) return row
  }
  const reason = `header not found: no cell "${EIA860M_HEADINGS.entity}" in rows 1-${HEADER_SEARCH_ROWS} (EIA puts the header in row 3, row 2 before November 2020)`
  throw new XlsParseError({
    ...place,
    row: 1,
    column: 'A',
    value: shownCell(cellAt(sheet, 1, 0)),
    reason,
  })
}

/** The column of every heading read; a heading missing or given twice is a changed header. */
function headerColumns(sheet: XlsSheet, row: number, place: Place): Columns {
  const headings = rowCells(sheet, row).filter(([, cell]) => cell.kind === 'string')
  const columnOf = (key: HeadingKey): number => {
    const found = headings.filter(([, cell]) => isHeading(cell, EIA860M_HEADINGS[key]))
    if (found.length === 1) return found[0]?.[0] ?? 0
    const all = headings.map(([column, cell]) => `${columnLetter(column)}: ${shownCell(cell)}`).join(' | ')
    const reason = found.length === 0 ? `header changed: no column "${EIA860M_HEADINGS[key]}"` : `header changed: "${EIA860M_HEADINGS[key]}" twice`
    throw new XlsParseError({
      ...place,
      row,
      column: columnLetter(found[1]?.[0] ?? 0),
      value: all,
      reason,
    })
  }
  const keys = Object.keys(EIA860M_HEADINGS) as HeadingKey[]
  return Object.fromEntries(keys.map((key) => [key, columnOf(key)])) as Columns
}

/** EIA's status code of a Status cell (`(OP) Operating` or `OP`), or null when it is neither. */
export function statusCode(text: string): string | null {
  const match = /^\(([A-Z]{1,3})\)/.exec(text.trim()) ?? /^([A-Z]{1,3})$/.exec(text.trim())
  return match?.[1] ?? null
}

const roundMw = (mw: number) => Math.round(mw * 1000) / 1000
const textOf = (cell: XlsCell | undefined) => (isBlankCell(cell) ? '' : shownCell(cell).trim())

/** One generator's row, read: its group's key and capacities; or the problem that refuses it. */
type GeneratorRow = {
  ba: string
  technology: string
  nameplateMw: number
  summerMw: number
  /** `plant/generator`, null when either id is blank (such a row is not checked for repeats). */
  id: string | null
}
type RowProblem = { column: number; value: string; reason: string }

function readGenerator(sheet: XlsSheet, row: number, columns: Columns): GeneratorRow | RowProblem {
  const at = (key: HeadingKey) => cellAt(sheet, row, columns[key])
  const technology = textOf(at('technology'))
  if (technology === '')
    return {
      column: columns.technology,
      value: '',
      reason: 'technology missing',
    }
  const nameplate = at('nameplate')
  const nameplateMw = cellNumber(nameplate)
  if (nameplateMw === null || nameplateMw <= 0) {
    const reason = isBlankCell(nameplate) ? 'nameplate capacity missing' : 'not a nameplate capacity (a number of MW above zero was expected)'
    return { column: columns.nameplate, value: shownCell(nameplate), reason }
  }
  const summer = at('summer')
  const summerMw = cellNumber(summer)
  if (summerMw === null) {
    const reason = isBlankCell(summer) ? 'net summer capacity missing' : 'not a net summer capacity (a number of MW was expected)'
    return { column: columns.summer, value: shownCell(summer), reason }
  }
  const status = textOf(at('status'))
  const code = statusCode(status)
  if (code === null || !Object.hasOwn(EIA860M_OPERABLE_STATUSES, code)) {
    const known = Object.keys(EIA860M_OPERABLE_STATUSES).join(', ')
    return {
      column: columns.status,
      value: status,
      reason: `not an operable status (one of ${known}, written "(OP) Operating" or "OP", was expected)`,
    }
  }
  const [plant, unit] = [textOf(at('plant')), textOf(at('generator'))]
  const id = plant !== '' && unit !== '' ? `${plant}/${unit}` : null
  return {
    ba: textOf(at('ba')).toUpperCase(),
    technology,
    nameplateMw,
    summerMw,
    id,
  }
}

/** A row with none of the values read is a blank or note row (`NOTE: ...` under the table), not a generator. */
function isNoteRow(sheet: XlsSheet, row: number, columns: Columns): boolean {
  const keys: HeadingKey[] = ['ba', 'technology', 'nameplate', 'summer', 'status']
  return keys.every((key) => isBlankCell(cellAt(sheet, row, columns[key])))
}

/** Why a group's balancing authority is refused, or null when it maps to a market. */
function refusal(group: Group): string | null {
  const what = `${group.generators} generator${group.generators === 1 ? '' : 's'}, ${roundMw(group.nameplateMw)} MW nameplate of ${group.technology} refused`
  if (group.ba === '') return `no balancing authority code: ${what}`
  if (!balancingAuthority(group.ba)) return `balancing authority ${group.ba} maps to no market here: ${what}`
  return null
}

/** A group's three records (nameplate MW, net summer MW, generators) for the month; null when its balancing authority maps to no market. */
function recordsOf(group: Group, month: string): SeriesRecord[] | null {
  const authority = balancingAuthority(group.ba)
  if (!authority) return null
  const attributes: Record<string, string> = { respondent: group.ba, technology: group.technology.slice(0, 128), fuel: technologyFuel(group.technology) }
  if (authority.via) attributes.via = authority.via
  const base = {
    product: 'GRID',
    market: authority.market,
    series: capacitySeriesId(group.ba, group.technology),
    frequency: 'month',
    ...datePeriod(`${month}-01`, 'month'),
    attributes,
    source: EIA860M_GENERATORS_SOURCE,
    publishedAt: null,
  } as const
  return [
    { ...base, measure: 'nameplate_capacity', value: roundMw(group.nameplateMw), unit: 'MW' },
    { ...base, measure: 'summer_capacity', value: roundMw(group.summerMw), unit: 'MW' },
    { ...base, measure: 'generators', value: group.generators, unit: 'count' },
  ]
}

/**
 * `eia.860m.generators`: the operable capacity of the Operating sheet of an EIA-860M workbook
 * (.xlsx; an .xls of the same layout is read too), per balancing authority and technology, as
 * GRID series records (three per balancing authority and technology). Throws
 * {@link XlsParseError} when the file is not a workbook, the sheet is missing, its header changed,
 * the month is not known or no generator is below the header; a bad generator or a balancing
 * authority that maps to no market is an issue naming sheet, row, cell and value.
 */
export function parseEia860mGenerators(bytes: Uint8Array, file: string, options: { month?: string } = {}): Eia860mParseResult {
  const month = inventoryMonth(file, options.month)
  const workbook = readExcelWorkbook(bytes, file)
  const sheet = sheetNamed(workbook, EIA860M_OPERATING_SHEET, file)
  const place = { file, sheet: sheet.name }
  const header = headerRow(sheet, place)
  const columns = headerColumns(sheet, header, place)
  const errors: ParseIssue[] = []
  const issue = (row: number, column: number, value: string, reason: string) =>
    errors.push(
      parseIssueOf({
        ...place,
        row,
        column: columnLetter(column),
        value,
        reason,
      }),
    )
  const groups = new Map<string, Group>()
  const seen = new Map<string, number>()
  const last = lastRow(sheet)
  for (let row = header + 1; row <= last; row++) {
    if (isNoteRow(sheet, row, columns)) continue
    const generator = readGenerator(sheet, row, columns)
    if ('reason' in generator) {
      issue(row, generator.column, generator.value, generator.reason)
      continue
    }
    const { id } = generator
    const before = id === null ? undefined : seen.get(id)
    if (id !== null && before !== undefined) {
      issue(row, columns.generator, id, `plant/generator ${id} again (row ${before} has it)`)
      continue
    }
    if (id !== null) seen.set(id, row)
    const key = `${generator.ba}\u0000${generator.technology}`
    const group = groups.get(key) ?? {
      ba: generator.ba,
      technology: generator.technology,
      nameplateMw: 0,
      summerMw: 0,
      generators: 0,
      firstRow: row,
    }
    group.nameplateMw += generator.nameplateMw
    group.summerMw += generator.summerMw
    group.generators += 1
    groups.set(key, group)
  }
  if (groups.size === 0 && errors.length === 0) {
    throw new XlsParseError({
      ...place,
      row: header + 1,
      column: 'A',
      value: '',
      reason: 'no generators below the header',
    })
  }
  const records: SeriesRecord[] = []
  for (const group of [...groups.values()].sort((a, b) => a.ba.localeCompare(b.ba) || a.technology.localeCompare(b.technology))) {
    const refused = refusal(group)
    const read = recordsOf(group, month)
    if (refused !== null || read === null) issue(group.firstRow, columns.ba, group.ba, refused ?? 'maps to no market')
    else records.push(...read)
  }
  return { records, errors }
}
