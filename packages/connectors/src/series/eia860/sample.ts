/**
 * The documented sample of an EIA-860M workbook kept in fixtures/eia860/: the Operating sheet laid
 * out as ./generators.ts describes (title and notes in rows 1-2, the header in row 3, one row per
 * generator, a note row under the table), with the other status sheets present and empty. The
 * generators are invented (plants named "Sample ..."), not EIA's figures: no served file was found
 * (fixtures/eia860/README.md). fixtures/eia860/write-sample.ts writes the file from here; the
 * reader's test checks the fixture is exactly what this builds, byte for byte.
 */
import { buildXlsx, type CellSpec } from '../../xlsx/build-xlsx.ts'
import { EIA860M_OPERATING_SHEET } from './generators.ts'

export const EIA860M_SAMPLE_FIXTURE = 'september_generator2026_DOCUMENTED_LAYOUT.xlsx'

/** The Operating sheet's headings in EIA's order (the later columns are left out: the reader finds its columns by heading). */
export const EIA860M_SAMPLE_HEADINGS = [
  'Entity ID',
  'Entity Name',
  'Plant ID',
  'Plant Name',
  'Plant State',
  'County',
  'Balancing Authority Code',
  'Sector',
  'Generator ID',
  'Unit Code',
  'Nameplate Capacity (MW)',
  'Net Summer Capacity (MW)',
  'Net Winter Capacity (MW)',
  'Technology',
  'Energy Source Code',
  'Prime Mover Code',
  'Operating Month',
  'Operating Year',
  'Planned Retirement Month',
  'Planned Retirement Year',
  'Status',
] as const

export type Eia860mSampleGenerator = {
  entityId: number
  entityName: string
  plantId: number
  plantName: string
  state: string
  ba: string
  generatorId: string
  nameplateMw: number
  summerMw: number
  winterMw: number
  technology: string
  energySource: string
  primeMover: string
  status: string
}

const gen = (
  plantId: number,
  plantName: string,
  state: string,
  ba: string,
  generatorId: string,
  [nameplateMw, summerMw, winterMw]: [number, number, number],
  [technology, energySource, primeMover]: [string, string, string],
  status = '(OP) Operating',
): Eia860mSampleGenerator => ({
  entityId: 90_000 + (plantId % 1000),
  entityName: `Sample Utility ${plantId % 1000}`,
  plantId,
  plantName,
  state,
  ba,
  generatorId,
  nameplateMw,
  summerMw,
  winterMw,
  technology,
  energySource,
  primeMover,
  status,
})

const SOLAR: [string, string, string] = ['Solar Photovoltaic', 'SUN', 'PV']
const WIND: [string, string, string] = ['Onshore Wind Turbine', 'WND', 'WT']

/** Invented generators: four mapped ISOs, a WEIM member, one unmapped balancing authority and one blank code. */
export const EIA860M_SAMPLE_GENERATORS: readonly Eia860mSampleGenerator[] = [
  gen(99_001, 'Sample Desert Solar', 'CA', 'CISO', 'PV1', [100, 98.5, 98.5], SOLAR),
  gen(99_002, 'Sample Valley Solar', 'CA', 'CISO', 'PV1', [50, 49, 49], SOLAR),
  gen(99_003, 'Sample Bay Storage', 'CA', 'CISO', 'BESS1', [200, 200, 200], ['Batteries', 'MWH', 'BA']),
  gen(
    99_004,
    'Sample Delta Energy Center',
    'CA',
    'CISO',
    'CC1',
    [550.5, 520, 540.2],
    ['Natural Gas Fired Combined Cycle', 'NG', 'CT'],
    '(SB) Standby/Backup: available for service but not normally used',
  ),
  gen(99_101, 'Sample Plains Wind', 'TX', 'ERCO', 'WT1', [150, 148.2, 150], WIND),
  gen(99_102, 'Sample Caprock Wind', 'TX', 'ERCO', 'WT1', [201.6, 200, 201.6], WIND),
  gen(
    99_103,
    'Sample Gulf Peaker',
    'TX',
    'ERCO',
    'GT1',
    [90, 80.5, 88],
    ['Natural Gas Fired Combustion Turbine', 'NG', 'GT'],
    '(OA) Out of service but expected to return to service in next calendar year',
  ),
  gen(99_201, 'Sample Cascade Hydro', 'OR', 'PACW', 'HY1', [40, 38, 39], ['Conventional Hydroelectric', 'WAT', 'HY']),
  gen(99_301, 'Sample Susquehanna Nuclear', 'PA', 'PJM', '1', [1200, 1150, 1170], ['Nuclear', 'NUC', 'ST']),
  gen(99_401, 'Sample Piedmont Coal', 'GA', 'SOCO', 'ST1', [800, 780, 790], ['Conventional Steam Coal', 'BIT', 'ST']),
  gen(99_501, 'Sample Tundra Diesel', 'AK', '', 'IC1', [10, 9.5, 10], ['Petroleum Liquids', 'DFO', 'IC']),
  gen(99_601, 'Sample Prairie Wind', 'IA', 'MISO', 'WT1', [300, 298, 300], WIND),
  gen(99_602, 'Sample Lakeshore Nuclear', 'MI', 'MISO', '1', [1100, 1080, 1100], ['Nuclear', 'NUC', 'ST']),
  gen(99_603, 'Sample River Coal', 'IN', 'MISO', 'ST1', [650, 610, 625], ['Conventional Steam Coal', 'SUB', 'ST']),
  gen(99_604, 'Sample Bayou Energy Center', 'LA', 'MISO', 'CC1', [780, 735, 760], ['Natural Gas Fired Combined Cycle', 'NG', 'CT']),
  gen(99_605, 'Sample Cornbelt Solar', 'IL', 'MISO', 'PV1', [120, 119, 119], SOLAR),
]

const HEADER_ROW = 3
const letter = (index: number) => String.fromCharCode(65 + index)

function generatorCells(generator: Eia860mSampleGenerator): (CellSpec | null)[] {
  const g = generator
  const [technology, energySource, primeMover] = [g.technology, g.energySource, g.primeMover]
  return [
    g.entityId,
    g.entityName,
    g.plantId,
    g.plantName,
    g.state,
    'Sample County',
    g.ba || null,
    'IPP Non-CHP',
    g.generatorId,
    null,
    g.nameplateMw,
    g.summerMw,
    g.winterMw,
    technology,
    energySource,
    primeMover,
    1,
    2020,
    null,
    null,
    g.status,
  ]
}

/** The Operating sheet holding these generators: title rows 1-2, header in row 3, generators from row 4, a note row under them. */
export function eia860mOperatingCells(generators: readonly Eia860mSampleGenerator[]): Record<string, CellSpec> {
  const cells: Record<string, CellSpec> = {
    A1: "U.S. Energy Information Administration, Form EIA-860M, 'Monthly Update to the Annual Electric Generator Report'",
    A2: 'Preliminary Monthly Electric Generator Inventory (based on Form EIA-860M as a supplement to Form EIA-860), September 2026 (DOCUMENTED LAYOUT SAMPLE, invented generators)',
  }
  EIA860M_SAMPLE_HEADINGS.forEach((heading, i) => (cells[`${letter(i)}${HEADER_ROW}`] = heading))
  generators.forEach((generator, i) => {
    generatorCells(generator).forEach((cell, column) => {
      if (cell !== null) cells[`${letter(column)}${HEADER_ROW + 1 + i}`] = cell
    })
  })
  cells[`A${HEADER_ROW + generators.length + 2}`] = 'NOTE: Capacities are preliminary estimates (sample note row, as EIA writes notes under the table).'
  return cells
}

const EMPTY_SHEETS = ['Planned', 'Retired', 'Canceled or Postponed', 'Operating_PR', 'Planned_PR', 'Retired_PR']

/** The sample workbook's bytes. */
export function eia860mSample(): Uint8Array {
  return buildXlsx([
    {
      name: EIA860M_OPERATING_SHEET,
      cells: eia860mOperatingCells(EIA860M_SAMPLE_GENERATORS),
    },
    ...EMPTY_SHEETS.map((name) => ({ name, cells: { A3: 'Entity ID' } })),
  ])
}
