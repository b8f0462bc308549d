import { readFileSync } from 'node:fs'
import { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { buildXlsx, excelSerial, type CellSpec } from '../../xlsx/build-xlsx.ts'
import { CARB_LCFS_MONTHLY_SAMPLE_FIXTURE, ENVIRONMENTAL_FIXTURE_DIR } from './fixtures.ts'
import { carbLcfsMonthlyCells, carbLcfsMonthlySample, CARB_LCFS_SAMPLE_MONTHS } from './monthly-sample.ts'
import { CARB_LCFS_MONTHLY_SHEET, CARB_LCFS_MONTHLY_SOURCE, cellMonth, LCFS_CREDIT_ZERO_PRICE_SERIES, parseCarbLcfsMonthly } from './monthly.ts'
import { LCFS_SERIES_SOURCES } from './sources.ts'
import { xlsError } from '../../test-helpers.ts'

const FILE = CARB_LCFS_MONTHLY_SAMPLE_FIXTURE
const bytes = new Uint8Array(readFileSync(new URL(FILE, ENVIRONMENTAL_FIXTURE_DIR)))

const workbook = (cells: Record<string, CellSpec>, sheet = CARB_LCFS_MONTHLY_SHEET) => buildXlsx([{ name: 'Notes', cells: { A1: 'About this report' } }, { name: sheet, cells }])
const HEADER = carbLcfsMonthlyCells([])
const value = (records: SeriesRecord[], series: string, measure: string, month: string) =>
  records.find((r) => r.series === series && r.measure === measure && r.attributes.month === month)?.value

describe('CARB LCFS monthly transfers (documented sample)', () => {
  const result = parseCarbLcfsMonthly(bytes, FILE)

  it('is the sample src/series/lcfs/monthly-sample.ts builds, byte for byte', () => {
    expect(bytes).toEqual(carbLcfsMonthlySample())
  })

  it('reads the published months: transfers, credits and the average price (November 2015 as quoted: 97 transfers, 435,000 MT, $86)', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(CARB_LCFS_SAMPLE_MONTHS.length * 3)
    expect(value(result.records, 'LCFS_CREDIT', 'transfers', '2015-11')).toBe(97)
    expect(value(result.records, 'LCFS_CREDIT', 'volume', '2015-11')).toBe(435_000)
    expect(value(result.records, 'LCFS_CREDIT', 'price', '2015-11')).toBe(86)
    expect(value(result.records, 'LCFS_CREDIT', 'transfers', '2015-10')).toBe(36)
    expect(result.records.some((r) => r.series === LCFS_CREDIT_ZERO_PRICE_SERIES)).toBe(false)
  })

  it('stores each month as its calendar month, UTC midnights, units and attributes spelled out', () => {
    expect(result.records.find((r) => r.measure === 'transfers' && r.attributes.month === '2015-11')).toEqual({
      product: 'LCFS',
      market: null,
      series: 'LCFS_CREDIT',
      measure: 'transfers',
      frequency: 'month',
      periodStart: '2015-11-01T00:00:00.000Z',
      periodEnd: '2015-12-01T00:00:00.000Z',
      value: 97,
      unit: 'count',
      attributes: { program: 'California LCFS', transfers: 'reported in the month, zero-price excluded', month: '2015-11' },
      source: CARB_LCFS_MONTHLY_SOURCE,
      publishedAt: null,
    })
    for (const record of result.records) expect(SeriesRecord.parse(record)).toEqual(record)
  })

  it('is registered as a documented LCFS source', () => {
    const source = LCFS_SERIES_SOURCES[CARB_LCFS_MONTHLY_SOURCE]
    expect(source).toMatchObject({ product: 'LCFS', verified: 'documented' })
    expect(source.parse(bytes, FILE)).toEqual(result)
  })
})

describe('CARB LCFS monthly transfers: zero-price transfers and months', () => {
  it('reads the zero-price count and credits as their own series when given (figures invented for the test)', () => {
    const cells = { ...HEADER, A2: { date: '2024-03-01' }, B2: 211, C2: 2_450_000, D2: 63.4, E2: 14, F2: 38_500 } satisfies Record<string, CellSpec>
    const { records, errors } = parseCarbLcfsMonthly(workbook(cells), 'z.xlsx')
    expect(errors).toEqual([])
    expect(records.map((r) => [r.series, r.measure, r.unit, r.value])).toEqual([
      ['LCFS_CREDIT', 'price', '$/MT', 63.4],
      ['LCFS_CREDIT', 'volume', 'MT', 2_450_000],
      ['LCFS_CREDIT', 'transfers', 'count', 211],
      ['LCFS_CREDIT.ZERO_PRICE', 'transfers', 'count', 14],
      ['LCFS_CREDIT.ZERO_PRICE', 'volume', 'MT', 38_500],
    ])
    expect(records[3]?.attributes.transfers).toBe('reported at zero or near-zero price (left out of the averages)')
  })

  it('reads a month written as any day of it, as YYYY-MM, as "November 2015" or "Nov 2015", and in the 1904 system', () => {
    const cells = { ...HEADER, A2: { date: '2015-07-31' }, B2: 1, A3: '2015-08', B3: 2, A4: 'September 2015', B4: 3, A5: { inline: 'Oct 2015' }, B5: 4 } satisfies Record<string, CellSpec>
    const { records, errors } = parseCarbLcfsMonthly(workbook(cells), 'm.xlsx')
    expect(errors).toEqual([])
    expect(records.map((r) => [r.attributes.month, r.periodStart, r.value])).toEqual([
      ['2015-07', '2015-07-01T00:00:00.000Z', 1],
      ['2015-08', '2015-08-01T00:00:00.000Z', 2],
      ['2015-09', '2015-09-01T00:00:00.000Z', 3],
      ['2015-10', '2015-10-01T00:00:00.000Z', 4],
    ])
    const serial1904 = excelSerial('2020-02-01') - 1_462
    const bytes1904 = buildXlsx([{ name: CARB_LCFS_MONTHLY_SHEET, cells: { ...HEADER, A2: serial1904, D2: 200 } }], { date1904: true })
    expect(parseCarbLcfsMonthly(bytes1904, 'd.xlsx').records[0]?.attributes.month).toBe('2020-02')
    expect(cellMonth({ kind: 'string', value: 'Movember 2015' }, false)).toBeNull()
    expect(cellMonth({ kind: 'string', value: '2015-13' }, false)).toBeNull()
  })
})

describe('CARB LCFS monthly transfers: bad rows are issues, the rest reads', () => {
  it('names a count that is not whole or negative, a negative volume, a zero price, text and error cells', () => {
    const cells = {
      ...HEADER,
      A2: { date: '2024-01-01' },
      B2: 12.5,
      C2: -10,
      D2: 0,
      A3: { date: '2024-02-01' },
      B3: -1,
      C3: 'n/a',
      D3: { error: '#N/A' },
      E3: 3,
      A4: { date: '2024-03-01' },
      B4: 150,
      C4: '1,204,300',
      D4: 62.75,
    } satisfies Record<string, CellSpec>
    const { records, errors } = parseCarbLcfsMonthly(workbook(cells), 'v.xlsx')
    expect(records.map((r) => [r.attributes.month, r.series, r.measure, r.value])).toEqual([
      ['2024-02', 'LCFS_CREDIT.ZERO_PRICE', 'transfers', 3],
      ['2024-03', 'LCFS_CREDIT', 'price', 62.75],
      ['2024-03', 'LCFS_CREDIT', 'volume', 1_204_300],
      ['2024-03', 'LCFS_CREDIT', 'transfers', 150],
    ])
    const sheet = CARB_LCFS_MONTHLY_SHEET
    expect(errors).toEqual([
      { file: 'v.xlsx', line: 2, field: `${sheet}!D2`, value: '0', reason: 'not a price above zero (CARB leaves zero-price transfers out of its averages)' },
      { file: 'v.xlsx', line: 2, field: `${sheet}!C2`, value: '-10', reason: 'a negative volume' },
      { file: 'v.xlsx', line: 2, field: `${sheet}!B2`, value: '12.5', reason: 'not a whole number of transfers' },
      { file: 'v.xlsx', line: 3, field: `${sheet}!D3`, value: '#error 42', reason: 'not a price (a number of $/MT was expected)' },
      { file: 'v.xlsx', line: 3, field: `${sheet}!C3`, value: 'n/a', reason: 'not a volume (a number of credits, MT, was expected)' },
      { file: 'v.xlsx', line: 3, field: `${sheet}!B3`, value: '-1', reason: 'a negative number of transfers' },
    ])
  })

  it('names a month that is not one, missing, given twice or out of order; skips blank rows and a note under the table', () => {
    const cells = {
      ...HEADER,
      A2: { date: '2024-01-01' },
      D2: 61,
      A3: 'Q1 2024',
      D3: 62,
      B4: 5,
      A5: { date: '2024-01-15' },
      D5: 63,
      A6: { date: '2023-12-01' },
      D6: 64,
      A8: 'Note: transfers at or near zero price are not included in the average.',
    } satisfies Record<string, CellSpec>
    const { records, errors } = parseCarbLcfsMonthly(workbook(cells), 'n.xlsx')
    expect(records.map((r) => r.value)).toEqual([61])
    const sheet = CARB_LCFS_MONTHLY_SHEET
    expect(errors).toEqual([
      { file: 'n.xlsx', line: 3, field: `${sheet}!A3`, value: 'Q1 2024', reason: 'not a month (an Excel date, YYYY-MM or "Month YYYY" was expected)' },
      { file: 'n.xlsx', line: 4, field: `${sheet}!A4`, value: '', reason: 'month missing' },
      { file: 'n.xlsx', line: 5, field: `${sheet}!A5`, value: '2024-01', reason: 'the month 2024-01 again (row 2 has it)' },
      { file: 'n.xlsx', line: 6, field: `${sheet}!A6`, value: '2023-12', reason: 'out of order (after 2024-01, row 2)' },
    ])
  })
})

describe('CARB LCFS monthly transfers: a bad file is named', () => {
  it('names a changed first heading, a required column gone, a heading given twice, reads without the optional ones', () => {
    const changed = xlsError(() => parseCarbLcfsMonthly(workbook({ ...HEADER, A1: 'Period' }), 'h.xlsx'))
    expect(changed).toMatchObject({ file: 'h.xlsx', sheet: CARB_LCFS_MONTHLY_SHEET, row: 1, column: 'A', value: 'Period', reason: 'header changed: expected "Month"' })
    const { C1: _volume, ...noVolume } = HEADER
    expect(xlsError(() => parseCarbLcfsMonthly(workbook(noVolume), 'h.xlsx'))).toMatchObject({ row: 1, reason: 'header changed: no column "Total Volume (MT)"' })
    const twice = xlsError(() => parseCarbLcfsMonthly(workbook({ ...HEADER, G1: 'Number of  transfers' }), 'h.xlsx'))
    expect(twice).toMatchObject({ column: 'G', reason: 'header changed: "Number of Transfers" twice' })
    const { E1: _zt, F1: _zv, ...noZero } = HEADER
    expect(parseCarbLcfsMonthly(workbook({ ...noZero, A2: { date: '2024-01-01' }, D2: 60 }), 'o.xlsx').records).toHaveLength(1)
  })

  it('names a file that is not a workbook, a missing sheet and a sheet with no months', () => {
    const notWorkbook = xlsError(() => parseCarbLcfsMonthly(new TextEncoder().encode('<html>Page not found</html>'), 'carb_lcfs_monthly_credit_transfers_2024-01.xlsx'))
    expect(notWorkbook.message).toContain('carb_lcfs_monthly_credit_transfers_2024-01.xlsx')
    const noSheet = xlsError(() => parseCarbLcfsMonthly(workbook(HEADER, 'Weekly Average Credit Price'), 's.xlsx'))
    expect(noSheet).toMatchObject({ file: 's.xlsx', value: 'Notes, Weekly Average Credit Price', reason: `no sheet named "${CARB_LCFS_MONTHLY_SHEET}"` })
    expect(xlsError(() => parseCarbLcfsMonthly(workbook(HEADER), 'e.xlsx'))).toMatchObject({ row: 2, reason: 'no months below the header' })
  })
})
