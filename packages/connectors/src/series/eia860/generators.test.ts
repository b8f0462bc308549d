import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildXlsx, type CellSpec } from '../../xlsx/build-xlsx.ts'
import { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE } from './fixtures.ts'
import { SeriesRecord } from '@carbon/schemas'
import { capacitySeriesId, eia860mFileMonth, EIA860M_OPERATING_SHEET, parseEia860mGenerators, statusCode, technologyFuel, technologyKey } from './generators.ts'
import { eia860mOperatingCells, eia860mSample, EIA860M_SAMPLE_GENERATORS, type Eia860mSampleGenerator } from './sample.ts'
import { xlsError } from '../../test-helpers.ts'

const FILE = EIA860M_SAMPLE_FIXTURE

type Capacity = { ba: string; market: string | null; technology: string; nameplateMw: number; summerMw: number; month: string; generators: number }

/** The records of each balancing authority and technology, folded back into one row (their three measures side by side). */
function capacities(records: readonly SeriesRecord[]): Capacity[] {
  const rows = new Map<string, Capacity>()
  for (const r of records) {
    const row = rows.get(r.series) ?? {
      ba: r.attributes.respondent ?? '',
      market: r.market,
      technology: r.attributes.technology ?? '',
      nameplateMw: Number.NaN,
      summerMw: Number.NaN,
      month: r.periodStart.slice(0, 7),
      generators: Number.NaN,
    }
    if (r.measure === 'nameplate_capacity') row.nameplateMw = r.value
    if (r.measure === 'summer_capacity') row.summerMw = r.value
    if (r.measure === 'generators') row.generators = r.value
    rows.set(r.series, row)
  }
  return [...rows.values()]
}
const bytes = new Uint8Array(readFileSync(new URL(FILE, EIA860_FIXTURE_DIR)))

const operating = (cells: Record<string, CellSpec>) => buildXlsx([{ name: EIA860M_OPERATING_SHEET, cells }])
const pjmNuclear = EIA860M_SAMPLE_GENERATORS.find((g) => g.ba === 'PJM') as Eia860mSampleGenerator
const ercotWind = EIA860M_SAMPLE_GENERATORS.filter((g) => g.ba === 'ERCO' && g.technology === 'Onshore Wind Turbine')

describe('EIA-860M generator inventory (documented sample)', () => {
  const result = parseEia860mGenerators(bytes, FILE)

  it('is the sample src/series/eia860/sample.ts builds, byte for byte', () => {
    expect(bytes).toEqual(eia860mSample())
  })

  it("sums operable nameplate and net summer capacity per balancing authority and technology, as of the file name's month", () => {
    expect(capacities(result.records)).toEqual([
      {
        ba: 'CISO',
        market: 'CAISO',
        technology: 'Batteries',
        nameplateMw: 200,
        summerMw: 200,
        month: '2026-09',
        generators: 1,
      },
      {
        ba: 'CISO',
        market: 'CAISO',
        technology: 'Natural Gas Fired Combined Cycle',
        nameplateMw: 550.5,
        summerMw: 520,
        month: '2026-09',
        generators: 1,
      },
      {
        ba: 'CISO',
        market: 'CAISO',
        technology: 'Solar Photovoltaic',
        nameplateMw: 150,
        summerMw: 147.5,
        month: '2026-09',
        generators: 2,
      },
      {
        ba: 'ERCO',
        market: 'ERCOT',
        technology: 'Natural Gas Fired Combustion Turbine',
        nameplateMw: 90,
        summerMw: 80.5,
        month: '2026-09',
        generators: 1,
      },
      {
        ba: 'ERCO',
        market: 'ERCOT',
        technology: 'Onshore Wind Turbine',
        nameplateMw: 351.6,
        summerMw: 348.2,
        month: '2026-09',
        generators: 2,
      },
      {
        ba: 'MISO',
        market: 'MISO',
        technology: 'Conventional Steam Coal',
        nameplateMw: 650,
        summerMw: 610,
        month: '2026-09',
        generators: 1,
      },
      {
        ba: 'MISO',
        market: 'MISO',
        technology: 'Natural Gas Fired Combined Cycle',
        nameplateMw: 780,
        summerMw: 735,
        month: '2026-09',
        generators: 1,
      },
      {
        ba: 'MISO',
        market: 'MISO',
        technology: 'Nuclear',
        nameplateMw: 1100,
        summerMw: 1080,
        month: '2026-09',
        generators: 1,
      },
      {
        ba: 'MISO',
        market: 'MISO',
        technology: 'Onshore Wind Turbine',
        nameplateMw: 300,
        summerMw: 298,
        month: '2026-09',
        generators: 1,
      },
      {
        ba: 'MISO',
        market: 'MISO',
        technology: 'Solar Photovoltaic',
        nameplateMw: 120,
        summerMw: 119,
        month: '2026-09',
        generators: 1,
      },
      {
        ba: 'PACW',
        market: 'CAISO',
        technology: 'Conventional Hydroelectric',
        nameplateMw: 40,
        summerMw: 38,
        month: '2026-09',
        generators: 1,
      },
      {
        ba: 'PJM',
        market: 'PJM',
        technology: 'Nuclear',
        nameplateMw: 1200,
        summerMw: 1150,
        month: '2026-09',
        generators: 1,
      },
    ])
    for (const record of result.records) expect(SeriesRecord.parse(record)).toEqual(record)
  })

  it('makes three canonical GRID records per balancing authority and technology: nameplate MW, net summer MW, generators', () => {
    const wind = result.records.filter((r) => r.series === 'ERCO.CAPACITY.ONSHORE_WIND_TURBINE')
    const common = {
      product: 'GRID',
      market: 'ERCOT',
      series: 'ERCO.CAPACITY.ONSHORE_WIND_TURBINE',
      frequency: 'month',
      periodStart: '2026-09-01T00:00:00.000Z',
      periodEnd: '2026-10-01T00:00:00.000Z',
      attributes: { respondent: 'ERCO', technology: 'Onshore Wind Turbine', fuel: 'wind' },
      source: 'eia.860m.generators',
      publishedAt: null,
    }
    expect(wind).toEqual([
      { ...common, measure: 'nameplate_capacity', value: 351.6, unit: 'MW' },
      { ...common, measure: 'summer_capacity', value: 348.2, unit: 'MW' },
      { ...common, measure: 'generators', value: 2, unit: 'count' },
    ])
    const pacw = result.records.find((r) => r.series === 'PACW.CAPACITY.CONVENTIONAL_HYDROELECTRIC')
    expect(pacw).toMatchObject({ market: 'CAISO', attributes: { respondent: 'PACW', via: 'WEIM', fuel: 'hydro' } })
  })

  it('groups technologies into fuels and spells series ids', () => {
    expect(technologyFuel('Natural Gas Fired Combined Cycle')).toBe('gas')
    expect(technologyFuel('Batteries')).toBe('storage')
    expect(technologyFuel('Geothermal')).toBe('other')
    expect(technologyKey('Solar Thermal with Energy Storage')).toBe('SOLAR_THERMAL_WITH_ENERGY_STORAGE')
    expect(technologyKey('Wood/Wood Waste Biomass')).toBe('WOOD_WOOD_WASTE_BIOMASS')
    expect(technologyKey(' -- ')).toBe('UNKNOWN')
    expect(capacitySeriesId('MISO', 'Nuclear')).toBe('MISO.CAPACITY.NUCLEAR')
  })

  it('refuses a balancing authority that maps to no market, and a blank code, as issues naming the first row', () => {
    expect(result.errors).toEqual([
      {
        file: FILE,
        line: 14,
        field: 'Operating!G14',
        value: '',
        reason: 'no balancing authority code: 1 generator, 10 MW nameplate of Petroleum Liquids refused',
      },
      {
        file: FILE,
        line: 13,
        field: 'Operating!G13',
        value: 'SOCO',
        reason: 'balancing authority SOCO maps to no market here: 1 generator, 800 MW nameplate of Conventional Steam Coal refused',
      },
    ])
  })

  it('accounts for every generator of the sheet: read or refused', () => {
    const read = capacities(result.records).reduce((sum, r) => sum + r.generators, 0)
    expect(read + result.errors.length).toBe(EIA860M_SAMPLE_GENERATORS.length)
    const nameplate = EIA860M_SAMPLE_GENERATORS.filter((g) => g.ba !== '' && g.ba !== 'SOCO').reduce((sum, g) => sum + g.nameplateMw, 0)
    expect(capacities(result.records).reduce((sum, r) => sum + r.nameplateMw, 0)).toBeCloseTo(nameplate, 6)
  })
})

describe('EIA-860M generator inventory: bad generators', () => {
  it('names a capacity that is not a number, a missing one, a status that is not operable, a missing technology and a generator given twice; reads the rest', () => {
    const cells = eia860mOperatingCells([pjmNuclear, ...ercotWind, pjmNuclear, pjmNuclear, pjmNuclear, pjmNuclear, pjmNuclear])
    // rows 4.. hold the generators; row 7 repeats row 4's generator as is
    Object.assign(cells, { K8: 'about 1200', I8: '2' }) // nameplate as text (another generator id, so not a repeat)
    Object.assign(cells, { I9: '3', L9: { inline: ' ' } }) // net summer capacity blank
    Object.assign(cells, { I10: '4', U10: '(RE) Retired' }) // not an operable status
    Object.assign(cells, { I11: '5', N11: { inline: '' }, K11: -5 }) // technology missing (checked first)
    const { records, errors } = parseEia860mGenerators(operating(cells), 'march_generator2025.xlsx')
    expect(capacities(records)).toEqual([
      {
        ba: 'ERCO',
        market: 'ERCOT',
        technology: 'Onshore Wind Turbine',
        nameplateMw: 351.6,
        summerMw: 348.2,
        month: '2025-03',
        generators: 2,
      },
      {
        ba: 'PJM',
        market: 'PJM',
        technology: 'Nuclear',
        nameplateMw: 1200,
        summerMw: 1150,
        month: '2025-03',
        generators: 1,
      },
    ])
    const file = 'march_generator2025.xlsx'
    expect(errors).toEqual([
      {
        file,
        line: 7,
        field: 'Operating!I7',
        value: '99301/1',
        reason: 'plant/generator 99301/1 again (row 4 has it)',
      },
      {
        file,
        line: 8,
        field: 'Operating!K8',
        value: 'about 1200',
        reason: 'not a nameplate capacity (a number of MW above zero was expected)',
      },
      {
        file,
        line: 9,
        field: 'Operating!L9',
        value: ' ',
        reason: 'net summer capacity missing',
      },
      {
        file,
        line: 10,
        field: 'Operating!U10',
        value: '(RE) Retired',
        reason: 'not an operable status (one of OP, SB, OA, OS, written "(OP) Operating" or "OP", was expected)',
      },
      {
        file,
        line: 11,
        field: 'Operating!N11',
        value: '',
        reason: 'technology missing',
      },
    ])
  })

  it('names a nameplate capacity of zero or below and an error cell', () => {
    const cells = eia860mOperatingCells([pjmNuclear, pjmNuclear])
    Object.assign(cells, { K4: 0, I5: '2', K5: { error: '#N/A' } })
    const { records, errors } = parseEia860mGenerators(operating(cells), 'x/may_generator2024.xlsx')
    expect(records).toEqual([])
    expect(errors.map((e) => [e.field, e.value, e.reason])).toEqual([
      ['Operating!K4', '0', 'not a nameplate capacity (a number of MW above zero was expected)'],
      [
        'Operating!K5',
        '#error 42', // #N/A is error code 42 (0x2A)
        'not a nameplate capacity (a number of MW above zero was expected)',
      ],
    ])
  })

  it('reads statuses written as bare codes, capacities written as text, and lower-case balancing authority codes', () => {
    const cells = eia860mOperatingCells([pjmNuclear])
    Object.assign(cells, {
      U4: 'OS',
      K4: '1,200.0',
      L4: { inline: '1150' },
      G4: 'pjm',
    })
    const read = parseEia860mGenerators(operating(cells), 'january_generator2021.xlsx')
    expect({ records: capacities(read.records), errors: read.errors }).toEqual({
      records: [
        {
          ba: 'PJM',
          market: 'PJM',
          technology: 'Nuclear',
          nameplateMw: 1200,
          summerMw: 1150,
          month: '2021-01',
          generators: 1,
        },
      ],
      errors: [],
    })
  })
  it('counts generators whose plant or generator id is blank without calling them repeats', () => {
    const cells = eia860mOperatingCells([pjmNuclear, pjmNuclear])
    Object.assign(cells, { C4: { inline: '' }, C5: { inline: '' } })
    const { records, errors } = parseEia860mGenerators(operating(cells), 'april_generator2026.xlsx')
    expect(errors).toEqual([])
    expect(capacities(records)).toEqual([{ ba: 'PJM', market: 'PJM', technology: 'Nuclear', nameplateMw: 2400, summerMw: 2300, month: '2026-04', generators: 2 }])
  })
})

describe('EIA-860M generator inventory: layout', () => {
  it('finds the header in row 2 (files before November 2020) and columns by heading wherever they are', () => {
    const cells: Record<string, CellSpec> = {
      A1: 'title',
      A2: 'Entity ID',
      B2: 'Plant ID',
      C2: 'Generator ID',
      D2: 'Technology',
      E2: 'Status',
      F2: 'Net Summer Capacity (MW)',
      G2: 'Nameplate  Capacity\n(MW)',
      H2: 'BALANCING AUTHORITY CODE',
      A3: 1,
      B3: 10,
      C3: 'G1',
      D3: 'Nuclear',
      E3: '(OP) Operating',
      F3: 900,
      G3: 1000,
      H3: 'MISO',
    }
    expect(capacities(parseEia860mGenerators(operating(cells), 'june_generator2019.xlsx').records)).toEqual([
      {
        ba: 'MISO',
        market: 'MISO',
        technology: 'Nuclear',
        nameplateMw: 1000,
        summerMw: 900,
        month: '2019-06',
        generators: 1,
      },
    ])
  })

  it('takes the month from the caller when the file name gives none', () => {
    const cells = eia860mOperatingCells([pjmNuclear])
    expect(
      parseEia860mGenerators(operating(cells), 'raw/grid/eia860m/abc123', {
        month: '2026-10',
      }).records[0]?.periodStart,
    ).toBe('2026-10-01T00:00:00.000Z')
  })

  it("reads the month of EIA's file names", () => {
    expect(eia860mFileMonth('september_generator2026.xlsx')).toBe('2026-09')
    expect(eia860mFileMonth('archive/xls/December_generator2015.xlsx')).toBe('2015-12')
    expect(eia860mFileMonth('sept_generator2026.xlsx')).toBeNull()
    expect(eia860mFileMonth('september_generator20261.xlsx')).toBeNull()
    expect(statusCode('(SB) Standby/Backup: available for service but not normally used')).toBe('SB')
    expect(statusCode('Operating')).toBeNull()
  })
})

describe('EIA-860M generator inventory: unusable files', () => {
  it('names a web page served in place of the workbook', () => {
    const page = new TextEncoder().encode('<!DOCTYPE html><html><body>Page not found</body></html>')
    const error = xlsError(() => parseEia860mGenerators(page, 'october_generator2026.xlsx'))
    expect(error.sheet).toBe('(file)')
    expect(error.message).toContain('october_generator2026.xlsx (file): an HTML page or XML document, not an Excel workbook')
  })

  it('names a workbook without the Operating sheet, listing the sheets there are', () => {
    const other = buildXlsx([{ name: 'Sheet1', cells: { A1: 'Entity ID' } }])
    const error = xlsError(() => parseEia860mGenerators(other, 'october_generator2026.xlsx'))
    expect(error.message).toBe('october_generator2026.xlsx (workbook): no sheet named "Operating" (found "Sheet1")')
  })

  it('names a sheet with no header, a changed header, a sheet with no generators and a file name with no month', () => {
    const noHeader = xlsError(() => parseEia860mGenerators(operating({ A1: 'Generator inventory', A4: 5 }), 'october_generator2026.xlsx'))
    expect(noHeader.message).toContain('october_generator2026.xlsx sheet "Operating" row 1, column A: header not found: no cell "Entity ID" in rows 1-10')
    const cells = eia860mOperatingCells([pjmNuclear])
    delete cells.L3
    const changed = xlsError(() => parseEia860mGenerators(operating(cells), 'october_generator2026.xlsx'))
    expect(changed).toMatchObject({
      sheet: 'Operating',
      row: 3,
      reason: 'header changed: no column "Net Summer Capacity (MW)"',
    })
    const empty = xlsError(() => parseEia860mGenerators(operating(eia860mOperatingCells([])), 'october_generator2026.xlsx'))
    expect(empty).toMatchObject({
      sheet: 'Operating',
      row: 4,
      reason: 'no generators below the header',
    })
    const noMonth = xlsError(() => parseEia860mGenerators(bytes, 'generators.xlsx'))
    expect(noMonth.message).toContain("generators.xlsx (file): the file name does not give the inventory's month")
    const badMonth = xlsError(() => parseEia860mGenerators(bytes, 'generators.xlsx', { month: '2026-13' }))
    expect(badMonth.reason).toBe('the month given is not YYYY-MM')
  })
})
