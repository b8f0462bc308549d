import { readFileSync } from 'node:fs'
import { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readXlsWorkbook } from '../../eia/biff.ts'
import { EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE } from '../../eia/fixtures.ts'
import { HENRY_HUB_PRICE_HEADER, HENRY_HUB_SOURCE_KEY } from '../../eia/henry-hub.ts'
import { buildDnavWorkbook, type DnavWorkbookContent } from '../../eia/test-workbook.ts'
import { XlsParseError } from '../../eia/xls-error.ts'
import { thrown } from '../../test-helpers.ts'
import { DATAHUB_HENRY_HUB_DAILY_FIXTURE, EIA_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR } from './fixtures.ts'
import { parseDatahubHenryHubDaily, parseEiaHenryHubDaily, parseEiaHenryHubMonthly } from './henry-hub.ts'

const monthlyBytes = new Uint8Array(readFileSync(new URL(HENRY_HUB_MONTHLY_FIXTURE, EIA_FIXTURE_DIR)))
const csvBytes = new Uint8Array(readFileSync(new URL(DATAHUB_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR)))
const dailyXlsBytes = new Uint8Array(readFileSync(new URL(EIA_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR)))
const encode = (text: string) => new TextEncoder().encode(text)

/** The value of the record starting on a date (`YYYY-MM-DD`, UTC midnight). */
const valueOn = (records: SeriesRecord[], date: string) => records.find((r) => r.periodStart === `${date}T00:00:00.000Z`)?.value

/** The CSV fixture's rows, split by hand (not by the reader under test). */
const csvRows = new TextDecoder()
  .decode(csvBytes)
  .split('\r\n')
  .slice(1)
  .filter((line) => line !== '')
  .map((line) => {
    const [date = '', price = ''] = line.split(',')
    return { date, value: Number(price) }
  })

function dnavWorkbook(rows: DnavWorkbookContent['rows']): Uint8Array {
  return buildDnavWorkbook({ sourceKey: HENRY_HUB_SOURCE_KEY, valueHeader: HENRY_HUB_PRICE_HEADER, release: '8/19/2026', nextRelease: '8/26/2026', rows })
}

describe('eia.ng.hh_spot_monthly: EIA RNGWHHDm.xls (publisher file)', () => {
  const { records, errors } = parseEiaHenryHubMonthly(monthlyBytes, HENRY_HUB_MONTHLY_FIXTURE)

  it('reads the check values as month records', () => {
    expect(errors).toEqual([])
    expect(valueOn(records, '2024-01-01')).toBe(3.18)
    expect(valueOn(records, '2024-02-01')).toBe(1.72)
    expect(valueOn(records, '2025-12-01')).toBe(4.26)
    expect(valueOn(records, '2026-07-01')).toBe(2.89)
  })

  it('reads 355 months 1997-01..2026-07, each a calendar month at UTC midnights', () => {
    expect(records).toHaveLength(355)
    expect(records[0]).toMatchObject({ periodStart: '1997-01-01T00:00:00.000Z', periodEnd: '1997-02-01T00:00:00.000Z' })
    expect(records.at(-1)).toMatchObject({ periodStart: '2026-07-01T00:00:00.000Z', periodEnd: '2026-08-01T00:00:00.000Z' })
    const february2024 = records.find((r) => r.periodStart === '2024-02-01T00:00:00.000Z')
    expect(february2024?.periodEnd).toBe('2024-03-01T00:00:00.000Z')
    const december2025 = records.find((r) => r.periodStart === '2025-12-01T00:00:00.000Z')
    expect(december2025?.periodEnd).toBe('2026-01-01T00:00:00.000Z')
  })

  it('every record is a SeriesRecord of GAS / HENRY_HUB, publishedAt null', () => {
    for (const record of records) expect(SeriesRecord.parse(record)).toEqual(record)
    expect(records[324]).toEqual({
      product: 'GAS',
      market: null,
      series: 'HENRY_HUB',
      measure: 'price',
      frequency: 'month',
      periodStart: '2024-01-01T00:00:00.000Z',
      periodEnd: '2024-02-01T00:00:00.000Z',
      value: 3.18,
      unit: '$/MMBtu',
      attributes: { hub: 'Henry Hub' },
      source: 'eia.ng.hh_spot_monthly',
      publishedAt: null,
    })
  })

  it('reports bad rows as issues naming sheet row, cell and value, and reads the rest', () => {
    const file = dnavWorkbook([
      { date: '2024-01-15', value: 3.18 },
      { date: '2024-02-15', value: 'n/a' },
      { date: '2024-03-15', value: 1.49 },
      { date: '2024-03-20', value: 1.5 },
      { date: '2024-05-15', value: 2.12 },
    ])
    const { records, errors } = parseEiaHenryHubMonthly(file, 'RNGWHHDm.xls')
    expect(records.map((r) => [r.periodStart.slice(0, 7), r.value])).toEqual([
      ['2024-01', 3.18],
      ['2024-03', 1.49],
      ['2024-05', 2.12],
    ])
    expect(errors).toEqual([
      { file: 'RNGWHHDm.xls', line: 5, field: 'Data 1!B5', value: 'n/a', reason: 'not a price ($/MMBtu, a number >= 0 was expected)' },
      { file: 'RNGWHHDm.xls', line: 7, field: 'Data 1!A7', value: '2024-03', reason: 'month out of order or repeated (after 2024-03)' },
      // The May row is sound and read; what is wrong is the April the file lacks.
      { file: 'RNGWHHDm.xls', line: 8, field: 'Data 1!A8', value: '2024-05', reason: 'months missing between 2024-03 and 2024-05' },
    ])
  })
})

describe('eia.ng.hh_spot_daily: RNGWHHDd.xls (documented layout, the CSV fixture\'s values)', () => {
  it('the documented sample holds exactly the cells the builder makes from the CSV fixture', () => {
    expect(csvRows).toHaveLength(124)
    const built = readXlsWorkbook(dnavWorkbook(csvRows), 'built.xls')
    const kept = readXlsWorkbook(dailyXlsBytes, EIA_HENRY_HUB_DAILY_FIXTURE)
    expect(kept).toEqual(built)
  })

  const { records, errors } = parseEiaHenryHubDaily(dailyXlsBytes, EIA_HENRY_HUB_DAILY_FIXTURE)

  it('reads the check values as day records', () => {
    expect(errors).toEqual([])
    expect(records).toHaveLength(124)
    expect(valueOn(records, '2024-01-02')).toBe(2.56)
    expect(valueOn(records, '2024-01-12')).toBe(13.2)
    expect(valueOn(records, '2024-01-16')).toBe(3.25)
    expect(valueOn(records, '2024-06-28')).toBe(2.42)
  })

  it('gives the same prices on the same days as the derived CSV', () => {
    const fromCsv = parseDatahubHenryHubDaily(csvBytes, DATAHUB_HENRY_HUB_DAILY_FIXTURE).records
    expect(records.map(({ source: _, ...rest }) => rest)).toEqual(fromCsv.map(({ source: _, ...rest }) => rest))
    expect(new Set(records.map((r) => r.source))).toEqual(new Set(['eia.ng.hh_spot_daily']))
  })

  it('every record is a SeriesRecord; a day is its date, UTC midnight to midnight', () => {
    for (const record of records) expect(SeriesRecord.parse(record)).toEqual(record)
    expect(records.find((r) => r.value === 13.2)).toMatchObject({
      frequency: 'day',
      periodStart: '2024-01-12T00:00:00.000Z',
      periodEnd: '2024-01-13T00:00:00.000Z',
      publishedAt: null,
    })
  })

  it('reports a repeated day, a date that is not one and a missing price, and reads the rest', () => {
    const file = dnavWorkbook([
      { date: '2024-01-11', value: 3.15 },
      { date: '2024-01-12', value: 13.2 },
      { date: '2024-01-12', value: 13.2 },
      { date: -5, value: 3 },
      { date: '2024-01-16', value: null },
      { date: '2024-01-17', value: 2.86 },
    ])
    const { records, errors } = parseEiaHenryHubDaily(file, 'RNGWHHDd.xls')
    expect(records.map((r) => [r.periodStart.slice(0, 10), r.value])).toEqual([
      ['2024-01-11', 3.15],
      ['2024-01-12', 13.2],
      ['2024-01-17', 2.86],
    ])
    expect(errors).toEqual([
      { file: 'RNGWHHDd.xls', line: 6, field: 'Data 1!A6', value: '2024-01-12', reason: 'date out of order or repeated (after 2024-01-12)' },
      { file: 'RNGWHHDd.xls', line: 7, field: 'Data 1!A7', value: '-5', reason: 'not a date (an Excel date serial was expected)' },
      { file: 'RNGWHHDd.xls', line: 8, field: 'Data 1!B8', value: '', reason: 'price missing' },
    ])
  })

  it('does not count weekends and holidays as gaps', () => {
    // Friday 2024-01-12, then Tuesday 2024-01-16 (Monday 15 was Martin Luther King Jr. Day).
    const { errors } = parseEiaHenryHubDaily(dnavWorkbook([{ date: '2024-01-12', value: 13.2 }, { date: '2024-01-16', value: 3.25 }]), 'RNGWHHDd.xls')
    expect(errors).toEqual([])
  })

  it('names a file that is not the workbook: an HTML page, the monthly series key changed', () => {
    const html = thrown(() => parseEiaHenryHubDaily(encode('<!DOCTYPE html><html><body>Service Unavailable</body></html>'), 'RNGWHHDd.xls'))
    expect(html).toBeInstanceOf(XlsParseError)
    expect(html.message).toMatch(/^RNGWHHDd\.xls \(file\): an HTML page/)
    const otherSeries = buildDnavWorkbook({ sourceKey: 'RBRTE', valueHeader: HENRY_HUB_PRICE_HEADER, release: '8/19/2026', nextRelease: '8/26/2026', rows: csvRows })
    const error = thrown(() => parseEiaHenryHubDaily(otherSeries, 'RNGWHHDd.xls'))
    expect(error.message).toBe('RNGWHHDd.xls sheet "Data 1" row 2, column B: header changed: expected "RNGWHHD" (found "RBRTE")')
    expect(error).toMatchObject({ file: 'RNGWHHDd.xls', line: 2, field: 'Data 1!B2', value: 'RBRTE' })
  })
})

describe('datahub.ng.hh_spot_daily: datasets/natural-gas data/daily.csv (derived)', () => {
  const { records, errors } = parseDatahubHenryHubDaily(csvBytes, DATAHUB_HENRY_HUB_DAILY_FIXTURE)

  it('reads the check values', () => {
    expect(errors).toEqual([])
    expect(valueOn(records, '2024-01-02')).toBe(2.56)
    expect(valueOn(records, '2024-01-12')).toBe(13.2)
    expect(valueOn(records, '2024-01-16')).toBe(3.25)
    expect(valueOn(records, '2024-06-28')).toBe(2.42)
  })

  it('reads 124 trading days: no weekends, no holidays, the leap day', () => {
    expect(records).toHaveLength(124)
    const weekdays = new Set(records.map((r) => new Date(r.periodStart).getUTCDay()))
    expect([...weekdays].sort()).toEqual([1, 2, 3, 4, 5])
    for (const holiday of ['2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19']) expect(valueOn(records, holiday)).toBeUndefined()
    expect(records.find((r) => r.periodStart === '2024-02-29T00:00:00.000Z')).toMatchObject({ periodEnd: '2024-03-01T00:00:00.000Z', value: 1.67 })
  })

  it('every record is a SeriesRecord', () => {
    for (const record of records) expect(SeriesRecord.parse(record)).toEqual(record)
    expect(records[0]).toEqual({
      product: 'GAS',
      market: null,
      series: 'HENRY_HUB',
      measure: 'price',
      frequency: 'day',
      periodStart: '2024-01-02T00:00:00.000Z',
      periodEnd: '2024-01-03T00:00:00.000Z',
      value: 2.56,
      unit: '$/MMBtu',
      attributes: { hub: 'Henry Hub' },
      source: 'datahub.ng.hh_spot_daily',
      publishedAt: null,
    })
  })

  it('reads LF line ends and a byte-order mark alike', () => {
    const lf = parseDatahubHenryHubDaily(encode(`\uFEFF${new TextDecoder().decode(csvBytes).replaceAll('\r\n', '\n')}`), 'daily.csv')
    expect(lf).toEqual({ records, errors: [] })
  })

  it('reports a bad date, a bad price, a missing price, a repeated date and a short row, and reads the rest', () => {
    const text = [
      'Date,Price',
      '2024-01-11,3.15',
      '2024-01-12,13.2',
      '2024-01-12,13.2',
      '01/16/2024,3.25',
      '2024-02-30,1.5',
      '2024-01-16,n/a',
      '2024-01-17,-0.5',
      '2024-01-18,',
      '2024-01-19',
      '2024-01-22,2.35',
      '',
    ].join('\r\n')
    const { records, errors } = parseDatahubHenryHubDaily(encode(text), 'daily.csv')
    expect(records.map((r) => [r.periodStart.slice(0, 10), r.value])).toEqual([
      ['2024-01-11', 3.15],
      ['2024-01-12', 13.2],
      ['2024-01-22', 2.35],
    ])
    expect(errors).toEqual([
      { file: 'daily.csv', line: 4, field: 'Date', value: '2024-01-12', reason: 'date out of order or repeated (after 2024-01-12 on line 3)' },
      { file: 'daily.csv', line: 5, field: 'Date', value: '01/16/2024', reason: 'not a date (YYYY-MM-DD expected)' },
      { file: 'daily.csv', line: 6, field: 'Date', value: '2024-02-30', reason: 'not a date (YYYY-MM-DD expected)' },
      { file: 'daily.csv', line: 7, field: 'Price', value: 'n/a', reason: 'not a price ($/MMBtu, a number >= 0 was expected)' },
      { file: 'daily.csv', line: 8, field: 'Price', value: '-0.5', reason: 'not a price ($/MMBtu, a number >= 0 was expected)' },
      { file: 'daily.csv', line: 9, field: 'Price', value: '', reason: 'price missing' },
      { file: 'daily.csv', line: 10, field: 'Price', value: '', reason: 'row has 1 of 2 columns (truncated?)' },
    ])
  })

  it('names a changed header (the monthly file\'s Month column), an HTML page, an empty file and a header alone', () => {
    const header = thrown(() => parseDatahubHenryHubDaily(encode('Month,Price\r\n2024-01,3.18\r\n'), 'daily.csv'))
    expect(header).toMatchObject({ file: 'daily.csv', line: 1, field: 'Date', value: 'Month' })
    expect(header.message).toBe('daily.csv line 1, Date: header changed: expected datasets/natural-gas daily.csv "Date,Price" (found "Month")')
    expect(thrown(() => parseDatahubHenryHubDaily(encode('<html><body>404</body></html>'), 'daily.csv')).message).toMatch(/^daily\.csv line 1, \(file\): an HTML page/)
    expect(thrown(() => parseDatahubHenryHubDaily(new Uint8Array(0), 'daily.csv')).reason).toBe('empty file')
    expect(thrown(() => parseDatahubHenryHubDaily(encode('Date,Price\r\n'), 'daily.csv'))).toMatchObject({ file: 'daily.csv', line: 2, reason: 'no data rows below the header' })
  })
})
