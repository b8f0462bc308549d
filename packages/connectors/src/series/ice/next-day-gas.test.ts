import { readFileSync } from 'node:fs'
import { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { buildWorkbook, type TestCell } from '../../eia/test-workbook.ts'
import { buildXlsx, excelSerial, type CellSpec } from '../../xlsx/build-xlsx.ts'
import { ICE_FIXTURE_DIR, ICE_SAMPLE_FIXTURE } from './fixtures.ts'
import { EIA_ICE_NEXT_DAY_GAS_SOURCE, iceHubSeriesId, parseEiaIceNextDayGas } from './next-day-gas.ts'
import { ICE_SAMPLE_HEADINGS, ICE_SAMPLE_ROWS, ICE_SAMPLE_SHEET, iceNextDayGasSample, iceSampleCells, type IceSampleRow } from './sample.ts'
import { ICE_SERIES_SOURCES } from './sources.ts'
import { xlsError } from '../../test-helpers.ts'

const FILE = ICE_SAMPLE_FIXTURE
const bytes = new Uint8Array(readFileSync(new URL(FILE, ICE_FIXTURE_DIR)))

const find = (records: SeriesRecord[], series: string, measure: string, tradeDate: string) =>
  records.find((r) => r.series === series && r.measure === measure && r.attributes.trade_date === tradeDate)

describe('EIA ICE next-day gas workbook (documented sample)', () => {
  const result = parseEiaIceNextDayGas(bytes, FILE)

  it('is the sample src/series/ice/sample.ts builds, byte for byte', () => {
    expect(bytes).toEqual(iceNextDayGasSample())
  })

  it('reads five records per hub and trade date: weighted average, high, low, volume, trades', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(ICE_SAMPLE_ROWS.length * 5)
    expect(find(result.records, 'HENRY_HUB', 'price', '2017-01-03')?.value).toBe(3.4391)
    expect(find(result.records, 'HENRY_HUB.HIGH', 'price', '2017-01-03')?.value).toBe(3.6)
    expect(find(result.records, 'HENRY_HUB.LOW', 'price', '2017-01-03')?.value).toBe(3.3)
    expect(find(result.records, 'HENRY_HUB', 'volume', '2017-01-03')?.value).toBe(651_200)
    expect(find(result.records, 'HENRY_HUB', 'trades', '2017-01-03')).toMatchObject({ value: 402, unit: 'count', attributes: { counterparties: '68' } })
    expect(find(result.records, 'ALGONQUIN_CITYGATES', 'price', '2017-01-06')?.value).toBe(8.3897)
    expect(find(result.records, 'TETCO_M3', 'volume', '2017-01-03')?.value).toBe(212_700)
    expect(new Set(result.records.map((r) => r.series))).toEqual(
      new Set(['ALGONQUIN_CITYGATES', 'HENRY_HUB', 'PGE_CITYGATE', 'SOCAL_CITYGATE', 'TETCO_M3'].flatMap((id) => [id, `${id}.HIGH`, `${id}.LOW`])),
    )
  })

  it('stores the trade date as the period and the delivery dates (a weekend package) as attributes', () => {
    expect(find(result.records, 'PGE_CITYGATE', 'price', '2017-01-06')).toEqual({
      product: 'GAS',
      market: null,
      series: 'PGE_CITYGATE',
      measure: 'price',
      frequency: 'day',
      periodStart: '2017-01-06T00:00:00.000Z',
      periodEnd: '2017-01-07T00:00:00.000Z',
      value: 3.6844,
      unit: '$/MMBtu',
      attributes: { hub: 'PG&E - Citygate', trade_date: '2017-01-06', delivery_start: '2017-01-07', delivery_end: '2017-01-09', price: 'weighted average' },
      source: EIA_ICE_NEXT_DAY_GAS_SOURCE,
      publishedAt: null,
    })
    expect(find(result.records, 'PGE_CITYGATE', 'volume', '2017-01-06')).toMatchObject({ unit: 'MMBtu', value: 70_200 })
  })

  it('emits only canonical series records', () => {
    for (const record of result.records) expect(SeriesRecord.parse(record)).toEqual(record)
  })

  it('is registered as a documented GAS source', () => {
    const source = ICE_SERIES_SOURCES[EIA_ICE_NEXT_DAY_GAS_SOURCE]
    expect(source).toMatchObject({ product: 'GAS', verified: 'documented' })
    expect(source.parse(bytes, FILE)).toEqual(result)
  })
})

describe('iceHubSeriesId', () => {
  it("is the hub definitions' id where EIA's name is defined there, else the name upper-cased, other characters folded to one _", () => {
    expect(['Henry', 'Algonquin Citygates', 'TETCO-M3', 'Chicago Citygates', 'Malin', 'PG&E - Citygate', 'Socal-Ehrenberg', 'Socal-Citygate', ' Waha (W. Texas) '].map(iceHubSeriesId)).toEqual([
      'HENRY_HUB',
      'ALGONQUIN_CITYGATES',
      'TETCO_M3',
      'CHICAGO_CITYGATES',
      'MALIN',
      'PGE_CITYGATE',
      'SOCAL_EHRENBERG',
      'SOCAL_CITYGATE',
      'WAHA_W_TEXAS',
    ])
  })
})

/** The sample's rows as a legacy .xls (numbers and shared strings, as the BIFF writer stores them), header in `headerRow` (0-based). */
function legacyWorkbook(rows: readonly IceSampleRow[], headings: readonly string[], headerRow: number): Uint8Array {
  const strings = ['ICE next-day natural gas prices', ...headings, ...new Set(rows.map((r) => r.hub))]
  const sst = (row: number, column: number, text: string): TestCell => ({ row, column, kind: 'sst', index: strings.indexOf(text) })
  const number = (row: number, column: number, value: number): TestCell => ({ row, column, kind: 'number', value })
  const cells: TestCell[] = [sst(0, 0, strings[0] ?? ''), ...headings.map((h, i) => sst(headerRow, i, h))]
  rows.forEach((r, i) => {
    const row = headerRow + 1 + i
    cells.push(sst(row, 0, r.hub), ...[r.tradeDate, r.deliveryStart, r.deliveryEnd].map((d, j) => number(row, 1 + j, excelSerial(d))))
    cells.push(...[r.high, r.low, r.average, r.change, r.volume, r.trades, r.counterparties].map((v, j) => number(row, 4 + j, v)))
  })
  return buildWorkbook([{ name: 'Henry Hub', cells }], strings)
}

describe('EIA ICE next-day gas workbook: legacy .xls and older headings', () => {
  it('reads the same rows from an .xls with title-case headings, "Number of Companies", and a title above the header', () => {
    const headings = ['Price Hub', 'Trade Date', 'Delivery Start Date', 'Delivery End Date', 'High Price $/MMBtu', 'Low Price $/MMBtu', 'Wtd Avg Price $/MMBtu', 'Change', 'Daily Volume MMBtu', 'Number of Trades', 'Number of Companies']
    const xls = parseEiaIceNextDayGas(legacyWorkbook(ICE_SAMPLE_ROWS, headings, 2), 'ice_natgas-2016final.xls')
    expect(xls.errors).toEqual([])
    expect(xls.records).toEqual(parseEiaIceNextDayGas(bytes, FILE).records)
  })
})

/** A workbook with the sample's header and `cells` below it (row 2 on). */
const sheetWith = (cells: Record<string, CellSpec>, sheets: { name: string; cells: Record<string, CellSpec> }[] = []) =>
  buildXlsx([...sheets, { name: ICE_SAMPLE_SHEET, cells: { ...iceSampleCells([]), ...cells } }])
const row = (n: number, values: CellSpec[]): Record<string, CellSpec> => Object.fromEntries(values.map((v, i) => [`${'ABCDEFGHIJK'[i]}${n}`, v]))
const good = (n: number, hub = 'Malin', trade = '2017-01-03', start = '2017-01-04', end = '2017-01-04'): CellSpec[] => [
  hub,
  { date: trade },
  { date: start },
  { date: end },
  3.8,
  3.6,
  3.71,
  0.05,
  40_000 + n,
  20,
  9,
]

describe('EIA ICE next-day gas workbook: bad rows', () => {
  it('names each bad cell of a row, gives the row no record, and reads the other rows', () => {
    const cells = {
      ...row(2, good(2)),
      ...row(3, ['Malin', 'yesterday', { date: '2017-01-04' }, { date: '2017-01-04' }, 3.8, 3.6, 3.71, 0, 1, 2, 3]),
      ...row(4, good(4, 'Malin', '2017-01-04', '2017-01-04', '2017-01-03')),
      ...row(5, ['Malin', { date: '2017-01-05' }, { date: '2017-01-06' }, { date: '2017-01-06' }, 3.8, 3.6, 3.95, 0, -10, 2.5, 'n/a']),
      ...row(6, ['Malin', { date: '2017-01-09' }, { date: '2017-01-10' }, { date: '2017-01-10' }, 3.5, 3.6, 3.55, 0, 10, 2, 1]),
      ...row(7, ['', { date: '2017-01-10' }, { date: '2017-01-11' }, { date: '2017-01-11' }, 3.8, 3.6, 3.7, 0, 10, 2, 1]),
      ...row(8, [{ error: '#N/A' }, { date: '2017-01-10' }, { date: '2017-01-11' }, { date: '2017-01-11' }, 3.8, 3.6, 3.7, 0, 10, 2, 1]),
    }
    const { records, errors } = parseEiaIceNextDayGas(sheetWith(cells), 'b.xlsx')
    expect(records.map((r) => [r.series, r.attributes.trade_date])).toEqual([
      ['MALIN', '2017-01-03'],
      ['MALIN.HIGH', '2017-01-03'],
      ['MALIN.LOW', '2017-01-03'],
      ['MALIN', '2017-01-03'],
      ['MALIN', '2017-01-03'],
    ])
    const at = (line: number, column: string, value: string, reason: string) => ({ file: 'b.xlsx', line, field: `2017!${column}${line}`, value, reason })
    expect(errors).toEqual([
      at(3, 'B', 'yesterday', 'not a date (an Excel date was expected)'),
      at(4, 'C', '2017-01-04', 'delivery does not start after the trade date 2017-01-04'),
      at(4, 'D', '2017-01-03', 'delivery ends before it starts (2017-01-04)'),
      at(5, 'G', '3.95', "outside the day's low..high 3.6..3.8"),
      at(5, 'I', '-10', 'not a volume (MMBtu, a number >= 0)'),
      at(5, 'J', '2.5', 'not a number of trades (a whole number >= 0)'),
      at(5, 'K', 'n/a', 'not a number of counterparties (a whole number >= 0)'),
      at(6, 'F', '3.6', "above the day's high 3.5"),
      at(7, 'A', '', 'hub missing'),
      at(8, 'A', '#error 42', 'hub missing'),
    ])
  })

  it('names a hub and trade date given twice (the same values, or others) and keeps the first; skips blank rows and notes', () => {
    const conflicting = good(2)
    conflicting[6] = 3.75
    const cells = {
      ...row(2, good(2)),
      ...row(3, good(2)),
      ...row(5, conflicting),
      A7: 'Source: Intercontinental Exchange (ICE), republished by EIA with permission.',
    }
    const { records, errors } = parseEiaIceNextDayGas(sheetWith(cells), 'd.xlsx')
    expect(records).toHaveLength(5)
    expect(records[0]?.value).toBe(3.71)
    expect(errors).toEqual([
      { file: 'd.xlsx', line: 3, field: '2017!A3', value: 'Malin', reason: 'repeats row 2 (the same values; kept once)' },
      { file: 'd.xlsx', line: 5, field: '2017!A5', value: 'Malin', reason: 'Malin on 2017-01-03 again, with other values than row 2 (the first is kept)' },
    ])
  })

  it('reads a row without counterparties, and text numbers', () => {
    const values = good(2)
    values[10] = ''
    values[8] = '40,002'
    const { records, errors } = parseEiaIceNextDayGas(sheetWith(row(2, values)), 'c.xlsx')
    expect(errors).toEqual([])
    expect(records.find((r) => r.measure === 'trades')?.attributes).not.toHaveProperty('counterparties')
    expect(records.find((r) => r.measure === 'volume')?.value).toBe(40_002)
  })
})

describe('EIA ICE next-day gas workbook: layout checks and files that are not it', () => {
  it('reads every sheet that holds the header, and only those', () => {
    const notes = { name: 'Notes', cells: { A1: 'Hubs', A2: 'Henry' } satisfies Record<string, CellSpec> }
    const { records } = parseEiaIceNextDayGas(sheetWith(row(2, good(2)), [notes]), 's.xlsx')
    expect(records).toHaveLength(5)
  })

  it('names a heading gone and a heading given twice, at the header row', () => {
    const gone = xlsError(() => parseEiaIceNextDayGas(sheetWith({ G1: 'Average price' }), 'h.xlsx'))
    expect(gone).toMatchObject({ sheet: ICE_SAMPLE_SHEET, row: 1, reason: 'header changed: no column "Wtd avg price $/MMBtu"' })
    expect(gone.value).toContain('G: Average price')
    const twice = xlsError(() => parseEiaIceNextDayGas(sheetWith({ L1: 'Trade date' }), 'h.xlsx'))
    expect(twice).toMatchObject({ row: 1, column: 'L', reason: 'header changed: "Trade date" twice' })
  })

  it('names a workbook where no sheet has the header', () => {
    const bytes = buildXlsx([{ name: '2017', cells: { A1: 'Hub', B1: 'Date' } }, { name: 'Notes', cells: {} }])
    expect(xlsError(() => parseEiaIceNextDayGas(bytes, 'n.xlsx'))).toMatchObject({
      sheet: '(workbook)',
      value: '2017, Notes',
      reason: 'no sheet has the header row ("Price hub" in column A of its first 10 rows)',
    })
  })

  it('names an HTML page, an empty file, a truncated .xlsx, a CSV', () => {
    const html = xlsError(() => parseEiaIceNextDayGas(new TextEncoder().encode('<html><head><title>301 Moved Permanently</title></head></html>'), 'ice_natgas-2019final.xlsx'))
    expect(html.message).toMatch(/^ice_natgas-2019final\.xlsx \(file\): an HTML page/)
    expect(xlsError(() => parseEiaIceNextDayGas(new Uint8Array(0), 'e.xlsx')).reason).toBe('the file is empty')
    expect(xlsError(() => parseEiaIceNextDayGas(bytes.subarray(0, 2000), FILE)).reason).toMatch(/^damaged or truncated zip/)
    const csv = new TextEncoder().encode(`${ICE_SAMPLE_HEADINGS.join(',')}\n`)
    expect(xlsError(() => parseEiaIceNextDayGas(csv, 'ice.csv')).reason).toBe('neither an .xlsx workbook (zip, signature PK) nor a legacy .xls workbook (OLE compound file)')
  })
})
