import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE } from './fixtures.ts'
import { HENRY_HUB_PRICE_HEADER, parseHenryHubMonthlyXls } from './henry-hub.ts'
import { buildWorkbook, rkInt100, type TestCell } from './test-workbook.ts'
import { xlsError } from '../test-helpers.ts'

const FILE = HENRY_HUB_MONTHLY_FIXTURE
const bytes = new Uint8Array(readFileSync(new URL(FILE, EIA_FIXTURE_DIR)))

describe('EIA Henry Hub monthly workbook (publisher file)', () => {
  const result = parseHenryHubMonthlyXls(bytes, FILE)
  const price = (month: string) => result.months.find((m) => m.month === month)?.price

  it('reads the check values', () => {
    expect(price('2024-01')).toBe(3.18)
    expect(price('2024-02')).toBe(1.72)
    expect(price('2025-12')).toBe(4.26)
    expect(price('2026-07')).toBe(2.89)
  })

  it('reads 355 consecutive months 1997-01..2026-07', () => {
    expect(result.months).toHaveLength(355)
    expect(result.months[0]?.month).toBe('1997-01')
    expect(result.months.at(-1)?.month).toBe('2026-07')
    expect(new Set(result.months.map((m) => m.month)).size).toBe(355)
    for (const { price } of result.months) expect(price).toBeGreaterThan(0)
  })

  it('reads the release dates from the Contents sheet', () => {
    expect(result.release).toBe('2026-08-19')
    expect(result.nextRelease).toBe('2026-08-26')
  })
})

describe('EIA Henry Hub monthly workbook: files that are not it', () => {
  it('names a truncated file', () => {
    const error = xlsError(() => parseHenryHubMonthlyXls(bytes.subarray(0, 20_000), FILE))
    expect(error).toMatchObject({ file: FILE, sheet: '(file)', value: '20000 bytes' })
    expect(error.reason).toMatch(/^damaged or truncated compound file/)
  })

  it('names random bytes', () => {
    let seed = 12345
    const random = Uint8Array.from({ length: 4096 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed >> 16
    })
    const error = xlsError(() => parseHenryHubMonthlyXls(random, 'random.bin'))
    expect(error).toMatchObject({ file: 'random.bin', sheet: '(file)' })
    expect(error.reason).toMatch(/^not an OLE compound file/)
  })

  it('names an HTML error page', () => {
    const html = new TextEncoder().encode('<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body>EIA is down</body></html>')
    const error = xlsError(() => parseHenryHubMonthlyXls(html, 'RNGWHHDm.xls'))
    expect(error.reason).toMatch(/^an HTML page/)
    expect(error.value).toContain('<!DOCTYPE html>')
    expect(error.message).toMatch(/^RNGWHHDm\.xls \(file\): an HTML page/)
  })

  it('names an empty file', () => {
    expect(xlsError(() => parseHenryHubMonthlyXls(new Uint8Array(0), 'empty.xls')).reason).toBe('the file is empty')
  })
})

/** A workbook laid out like EIA's, with `edit` applied to the cells of "Data 1". */
const STRINGS = ['Back to Contents', 'Sourcekey', 'RNGWHHD', 'Date', HENRY_HUB_PRICE_HEADER, 'Release Date:', '8/19/2026', 'Next Release Date:', '8/26/2026', 'n/a']
const s = (row: number, column: number, index: number): TestCell => ({ row, column, kind: 'sst', index })
const dataCells = (): TestCell[] => [
  s(0, 0, 0),
  s(1, 0, 1),
  s(1, 1, 2),
  s(2, 0, 3),
  s(2, 1, 4),
  { row: 3, column: 0, kind: 'mulrk', rks: [((45306 << 2) | 0x02) >>> 0, rkInt100(318)] }, // 2024-01-15, 3.18
  { row: 4, column: 0, kind: 'number', value: 45337 }, // 2024-02-15
  { row: 4, column: 1, kind: 'formula', value: 1.72 },
]
const contents: TestCell[] = [s(7, 1, 5), s(7, 2, 6), s(8, 1, 7), s(8, 2, 8)]
function workbook(cells: TestCell[], options: { dataSheet?: string; cutStreamAt?: number } = {}) {
  return buildWorkbook(
    [
      { name: 'Contents', cells: contents },
      { name: options.dataSheet ?? 'Data 1', cells },
    ],
    STRINGS,
    { cutStreamAt: options.cutStreamAt },
  )
}

describe('EIA Henry Hub monthly workbook: layout checks', () => {
  it('reads a hand-built workbook of the same layout (MULRK, NUMBER, FORMULA cells)', () => {
    expect(parseHenryHubMonthlyXls(workbook(dataCells()), 'built.xls')).toEqual({
      release: '2026-08-19',
      nextRelease: '2026-08-26',
      months: [
        { month: '2024-01', price: 3.18 },
        { month: '2024-02', price: 1.72 },
      ],
    })
  })

  it('names a missing "Data 1" sheet', () => {
    const error = xlsError(() => parseHenryHubMonthlyXls(workbook(dataCells(), { dataSheet: 'Data 2' }), 'built.xls'))
    expect(error).toMatchObject({ sheet: '(workbook)', value: 'Contents, Data 2', reason: 'no sheet named "Data 1"' })
  })

  it('names a changed header: the source key', () => {
    const cells = dataCells().map((c) => (c.row === 1 && c.column === 1 ? s(1, 1, 9) : c))
    const error = xlsError(() => parseHenryHubMonthlyXls(workbook(cells), 'built.xls'))
    expect(error).toMatchObject({ sheet: 'Data 1', row: 2, column: 'B', value: 'n/a', reason: 'header changed: expected "RNGWHHD"' })
  })

  it('names a changed header: the Date column', () => {
    const cells = dataCells().filter((c) => !(c.row === 2 && c.column === 0))
    const error = xlsError(() => parseHenryHubMonthlyXls(workbook(cells), 'built.xls'))
    expect(error).toMatchObject({ sheet: 'Data 1', row: 3, column: 'A', value: '', reason: 'header changed: expected "Date"' })
  })

  it('names a price that is text', () => {
    const cells = dataCells().map((c) => (c.row === 4 && c.column === 1 ? s(4, 1, 9) : c))
    const error = xlsError(() => parseHenryHubMonthlyXls(workbook(cells), 'built.xls'))
    expect(error).toMatchObject({ sheet: 'Data 1', row: 5, column: 'B', value: 'n/a' })
    expect(error.message).toBe('built.xls sheet "Data 1" row 5, column B: not a price ($/MMBtu, a number >= 0 was expected) (found "n/a")')
  })

  it('names a date that is not one, and a month repeated', () => {
    const notDate = dataCells().map((c) => (c.row === 4 && c.column === 0 ? { ...c, kind: 'number' as const, value: -3 } : c))
    expect(xlsError(() => parseHenryHubMonthlyXls(workbook(notDate), 'built.xls'))).toMatchObject({ row: 5, column: 'A', value: '-3' })
    const repeated = dataCells().map((c) => (c.row === 4 && c.column === 0 ? { ...c, kind: 'number' as const, value: 45310 } : c))
    const error = xlsError(() => parseHenryHubMonthlyXls(workbook(repeated), 'built.xls'))
    expect(error).toMatchObject({ row: 5, column: 'A', value: '2024-01', reason: 'month out of order or repeated (after 2024-01)' })
  })

  it('names a gap in the months', () => {
    const gap = dataCells().map((c) => (c.row === 4 && c.column === 0 ? { ...c, kind: 'number' as const, value: 45366 } : c))
    expect(xlsError(() => parseHenryHubMonthlyXls(workbook(gap), 'built.xls'))).toMatchObject({ row: 5, reason: 'months missing between 2024-01 and 2024-03' })
  })

  it('names the first bad row in sheet order when there are several', () => {
    const cells = [...dataCells(), { row: 5, column: 0, kind: 'number' as const, value: 45397 }, s(5, 1, 9)] // 2024-04-15 after 2024-02, then "n/a"
    const error = xlsError(() => parseHenryHubMonthlyXls(workbook(cells), 'built.xls'))
    expect(error).toMatchObject({ row: 6, column: 'A', value: '2024-04', reason: 'months missing between 2024-02 and 2024-04' })
  })

  it('names a Workbook stream cut inside a record', () => {
    const error = xlsError(() => parseHenryHubMonthlyXls(workbook(dataCells(), { cutStreamAt: 300 }), 'cut.xls'))
    expect(error).toMatchObject({ file: 'cut.xls', sheet: 'Contents', row: 0 })
    expect(error.message).toMatch(/^cut\.xls sheet "Contents": record 0x[0-9a-f]{4} at byte \d+ runs past/)
    expect(error.reason).toMatch(/runs past the end of the stream \(truncated file\)$/)
  })
})
