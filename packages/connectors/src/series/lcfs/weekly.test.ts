import { readFileSync } from 'node:fs'
import { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { buildWorkbook } from '../../eia/test-workbook.ts'
import { buildXlsx, excelSerial, type CellSpec } from '../../xlsx/build-xlsx.ts'
import { CARB_LCFS_SAMPLE_FIXTURE, ENVIRONMENTAL_FIXTURE_DIR } from './fixtures.ts'
import { carbLcfsWeeklyCells, carbLcfsWeeklySample, CARB_LCFS_SAMPLE_WEEKS } from './sample.ts'
import { LCFS_SERIES_SOURCES } from './sources.ts'
import { CARB_LCFS_WEEKLY_SHEET, CARB_LCFS_WEEKLY_SOURCE, parseCarbLcfsWeekly } from './weekly.ts'
import { xlsError } from '../../test-helpers.ts'

const FILE = CARB_LCFS_SAMPLE_FIXTURE
const bytes = new Uint8Array(readFileSync(new URL(FILE, ENVIRONMENTAL_FIXTURE_DIR)))

/** A workbook with the weekly sheet holding `cells` (and a transaction log sheet before it, as CARB's has). */
const workbook = (cells: Record<string, CellSpec>, sheet = CARB_LCFS_WEEKLY_SHEET) =>
  buildXlsx([
    { name: 'LCFS Credit Transfer Activity', cells: { A1: 'Date Completed' } },
    { name: sheet, cells },
  ])
const HEADER = carbLcfsWeeklyCells([])
const find = (records: SeriesRecord[], series: string, measure: string, weekOf: string) =>
  records.find((r) => r.series === series && r.measure === measure && r.attributes.week_of === weekOf)

describe('CARB LCFS weekly workbook (documented sample)', () => {
  const result = parseCarbLcfsWeekly(bytes, FILE)

  it('is the sample src/series/lcfs/sample.ts builds, byte for byte', () => {
    expect(bytes).toEqual(carbLcfsWeeklySample())
  })

  it('reads the published weeks: price, volume, and the Type 1 price where one was given', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(7 * 2 + 1)
    expect(find(result.records, 'LCFS_CREDIT', 'price', '2019-04-15')?.value).toBe(188.41)
    expect(find(result.records, 'LCFS_CREDIT', 'volume', '2019-04-15')?.value).toBe(48_718)
    expect(find(result.records, 'LCFS_CREDIT', 'price', '2019-04-08')?.value).toBe(191.67)
    expect(find(result.records, 'LCFS_CREDIT', 'volume', '2019-04-08')?.value).toBe(124_111)
    expect(find(result.records, 'LCFS_CREDIT', 'volume', '2019-06-24')?.value).toBe(401_628)
    expect(find(result.records, 'LCFS_CREDIT', 'price', '2020-05-18')?.value).toBe(197.48)
    expect(find(result.records, 'LCFS_CREDIT.TYPE1', 'price', '2020-05-18')?.value).toBe(198.29)
    expect(result.records.filter((r) => r.series === 'LCFS_CREDIT.TYPE1').map((r) => r.attributes.week_of)).toEqual(['2020-05-18'])
  })

  it('stores each week as its Monday-to-Sunday period, UTC midnights, with units and attributes spelled out', () => {
    expect(find(result.records, 'LCFS_CREDIT', 'price', '2019-04-15')).toEqual({
      product: 'LCFS',
      market: null,
      series: 'LCFS_CREDIT',
      measure: 'price',
      frequency: 'week',
      periodStart: '2019-04-15T00:00:00.000Z',
      periodEnd: '2019-04-22T00:00:00.000Z',
      value: 188.41,
      unit: '$/MT',
      attributes: { program: 'California LCFS', transfers: 'all completed, zero-price excluded', week_of: '2019-04-15' },
      source: CARB_LCFS_WEEKLY_SOURCE,
      publishedAt: null,
    })
    expect(find(result.records, 'LCFS_CREDIT', 'volume', '2019-04-15')?.unit).toBe('MT')
  })

  it('emits only canonical series records', () => {
    for (const record of result.records) expect(SeriesRecord.parse(record)).toEqual(record)
    expect(CARB_LCFS_SAMPLE_WEEKS.every((w) => new Date(`${w.weekOf}T00:00:00Z`).getUTCDay() === 1)).toBe(true)
  })

  it('is registered as a documented LCFS source', () => {
    const source = LCFS_SERIES_SOURCES[CARB_LCFS_WEEKLY_SOURCE]
    expect(source).toMatchObject({ product: 'LCFS', verified: 'documented' })
    expect(source.parse(bytes, FILE)).toEqual(result)
  })
})

describe('CARB LCFS weekly workbook: the week clock', () => {
  it('reads the week CARB dated by the Tuesday after Labor Day (2021-09-07) as Monday 2021-09-06 to Sunday 2021-09-12', () => {
    const { records, errors } = parseCarbLcfsWeekly(workbook({ ...HEADER, A2: { date: '2021-08-30' }, B2: 183.1, A3: { date: '2021-09-07' }, B3: 182.4, D3: 10 }), 'w.xlsx')
    expect(errors).toEqual([])
    expect(records.map((r) => [r.attributes.week_of, r.periodStart, r.periodEnd, r.measure])).toEqual([
      ['2021-08-30', '2021-08-30T00:00:00.000Z', '2021-09-06T00:00:00.000Z', 'price'],
      ['2021-09-07', '2021-09-06T00:00:00.000Z', '2021-09-13T00:00:00.000Z', 'price'],
      ['2021-09-07', '2021-09-06T00:00:00.000Z', '2021-09-13T00:00:00.000Z', 'volume'],
    ])
  })

  it('names a date on another weekday, a week given twice and a week out of order, and reads the rest', () => {
    const cells = {
      ...HEADER,
      A2: { date: '2024-01-08' },
      B2: 66,
      A3: { date: '2024-01-14' }, // a Sunday: week ending, not CARB's Monday
      B3: 67,
      A4: { date: '2024-01-09' }, // the Tuesday of the week in row 2
      B4: 68,
      A5: { date: '2024-01-01' },
      B5: 69,
      A6: { date: '2024-01-15' },
      B6: 70,
    } satisfies Record<string, CellSpec>
    const { records, errors } = parseCarbLcfsWeekly(workbook(cells), 'w.xlsx')
    expect(records.map((r) => [r.attributes.week_of, r.value])).toEqual([
      ['2024-01-08', 66],
      ['2024-01-15', 70],
    ])
    expect(errors).toEqual([
      { file: 'w.xlsx', line: 3, field: 'Weekly Average Credit Price!A3', value: '2024-01-14', reason: 'not a Monday (CARB dates a week by its Monday; once by the Tuesday after Labor Day)' },
      { file: 'w.xlsx', line: 4, field: 'Weekly Average Credit Price!A4', value: '2024-01-09', reason: 'the week of 2024-01-08 again (row 2 has it)' },
      { file: 'w.xlsx', line: 5, field: 'Weekly Average Credit Price!A5', value: '2024-01-01', reason: 'out of order (after the week of 2024-01-08, row 2)' },
    ])
  })

  it('reads dates written as text and in the 1904 date system', () => {
    const text = parseCarbLcfsWeekly(workbook({ ...HEADER, A2: '1/6/2025', B2: 72.5, A3: { inline: '2025-01-13' }, D3: '124,111' }), 't.xlsx')
    expect(text.errors).toEqual([])
    expect(text.records.map((r) => [r.attributes.week_of, r.measure, r.value])).toEqual([
      ['2025-01-06', 'price', 72.5],
      ['2025-01-13', 'volume', 124_111],
    ])
    const serial1904 = excelSerial('2020-01-06') - 1_462 // the 1904 system counts 1,462 days fewer
    const bytes1904 = buildXlsx([{ name: CARB_LCFS_WEEKLY_SHEET, cells: { ...HEADER, A2: serial1904, B2: 200 } }], { date1904: true })
    expect(parseCarbLcfsWeekly(bytes1904, 'd.xlsx').records[0]?.attributes.week_of).toBe('2020-01-06')
  })
})

describe('CARB LCFS weekly workbook: bad rows', () => {
  it('names values that are not numbers, zero or negative, and error cells; blank cells are no value', () => {
    const cells = {
      ...HEADER,
      A2: { date: '2024-03-04' },
      B2: 'n/a',
      D2: 1000,
      A3: { date: '2024-03-11' },
      B3: 0,
      C3: { error: '#N/A' },
      D3: -5,
      A4: { date: '2024-03-18' },
      B4: 64.2,
    } satisfies Record<string, CellSpec>
    const { records, errors } = parseCarbLcfsWeekly(workbook(cells), 'v.xlsx')
    expect(records.map((r) => [r.attributes.week_of, r.measure, r.value])).toEqual([
      ['2024-03-04', 'volume', 1000],
      ['2024-03-18', 'price', 64.2],
    ])
    expect(errors).toEqual([
      { file: 'v.xlsx', line: 2, field: 'Weekly Average Credit Price!B2', value: 'n/a', reason: 'not a price (a number of $/MT was expected)' },
      { file: 'v.xlsx', line: 3, field: 'Weekly Average Credit Price!B3', value: '0', reason: 'not a price above zero (CARB leaves zero-price transfers out of its averages)' },
      { file: 'v.xlsx', line: 3, field: 'Weekly Average Credit Price!C3', value: '#error 42', reason: 'not a price (a number of $/MT was expected)' },
      { file: 'v.xlsx', line: 3, field: 'Weekly Average Credit Price!D3', value: '-5', reason: 'a negative volume' },
    ])
  })

  it('names a week that is not a date or is missing; skips blank rows and a note under the table', () => {
    const cells = {
      ...HEADER,
      A2: { date: '2024-03-04' },
      B2: 61,
      A4: 'week 10',
      B4: 62,
      B5: 63,
      A7: 'Note: transfers at or near zero price are not included.',
    } satisfies Record<string, CellSpec>
    const { records, errors } = parseCarbLcfsWeekly(workbook(cells), 'n.xlsx')
    expect(records).toHaveLength(1)
    expect(errors).toEqual([
      { file: 'n.xlsx', line: 4, field: 'Weekly Average Credit Price!A4', value: 'week 10', reason: "not a date (the week's Monday, an Excel date, was expected)" },
      { file: 'n.xlsx', line: 5, field: 'Weekly Average Credit Price!A5', value: '', reason: 'week missing' },
    ])
  })
})

describe('CARB LCFS weekly workbook: layout checks', () => {
  it('finds the value columns by heading: reordered, an added column, line breaks and case ignored', () => {
    const cells = {
      A1: 'Week Of',
      B1: 'TOTAL VOLUME (MT)',
      C1: 'Number of Transfers',
      D1: 'Weekly Average\nCredit Price ($)',
      E1: 'Type 1 Transfer Weekly Average Credit Price ($)',
      A2: { date: '2024-01-08' },
      B2: 50_000,
      C2: 12,
      D2: 66.25,
    } satisfies Record<string, CellSpec>
    const { records, errors } = parseCarbLcfsWeekly(workbook(cells), 'r.xlsx')
    expect(errors).toEqual([])
    expect(records.map((r) => [r.measure, r.value])).toEqual([
      ['price', 66.25],
      ['volume', 50_000],
    ])
  })

  it('names a changed first heading, a value column gone, a heading given twice', () => {
    const weekEnding = xlsError(() => parseCarbLcfsWeekly(workbook({ ...HEADER, A1: 'Week Ending' }), 'h.xlsx'))
    expect(weekEnding).toMatchObject({ sheet: CARB_LCFS_WEEKLY_SHEET, row: 1, column: 'A', value: 'Week Ending', reason: 'header changed: expected "Week Of"' })
    const { D1: _volume, ...noVolume } = HEADER
    const gone = xlsError(() => parseCarbLcfsWeekly(workbook(noVolume), 'h.xlsx'))
    expect(gone).toMatchObject({ row: 1, reason: 'header changed: no column "Total Volume (MT)"' })
    expect(gone.value).toBe('A: Week Of | B: Weekly Average Credit Price ($) | C: Type 1 Transfer Weekly Average Credit Price ($)')
    const twice = xlsError(() => parseCarbLcfsWeekly(workbook({ ...HEADER, E1: 'Total Volume (MT)' }), 'h.xlsx'))
    expect(twice).toMatchObject({ column: 'E', reason: 'header changed: "Total Volume (MT)" twice' })
  })

  it('names a missing sheet, listing the sheets there are', () => {
    const error = xlsError(() => parseCarbLcfsWeekly(workbook(HEADER, 'Weekly Avg Price'), 'm.xlsx'))
    expect(error).toMatchObject({ file: 'm.xlsx', sheet: '(workbook)', value: 'LCFS Credit Transfer Activity, Weekly Avg Price', reason: 'no sheet named "Weekly Average Credit Price"' })
  })

  it('names a sheet with no weeks', () => {
    expect(xlsError(() => parseCarbLcfsWeekly(workbook(HEADER), 'e.xlsx'))).toMatchObject({ row: 2, reason: 'no weeks below the header' })
  })

  it('names files that are not the workbook: an HTML page, a truncated download', () => {
    const html = xlsError(() => parseCarbLcfsWeekly(new TextEncoder().encode('<!DOCTYPE html><html><title>Page not found</title></html>'), 'weekly.xlsx'))
    expect(html.message).toMatch(/^weekly\.xlsx \(file\): an HTML page/)
    const cut = xlsError(() => parseCarbLcfsWeekly(bytes.subarray(0, 1000), FILE))
    expect(cut).toMatchObject({ file: FILE, sheet: '(file)' })
    expect(cut.reason).toMatch(/^damaged or truncated zip/)
  })

  it('reads a legacy .xls of the same layout', () => {
    const strings = ['Week Of', 'Weekly Average Credit Price ($)', 'Type 1 Transfer Weekly Average Credit Price ($)', 'Total Volume (MT)']
    const xls = buildWorkbook(
      [
        {
          name: CARB_LCFS_WEEKLY_SHEET,
          cells: [
            ...strings.map((_, i) => ({ row: 0, column: i, kind: 'sst' as const, index: i })),
            { row: 1, column: 0, kind: 'number', value: 43_563 }, // 2019-04-08
            { row: 1, column: 1, kind: 'number', value: 191.67 },
          ],
        },
      ],
      strings,
    )
    expect(parseCarbLcfsWeekly(xls, 'w.xls').records.map((r) => [r.attributes.week_of, r.value])).toEqual([['2019-04-08', 191.67]])
  })
})
