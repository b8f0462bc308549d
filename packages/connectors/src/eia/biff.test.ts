import { describe, expect, it } from 'vitest'
import { decodeRk, excelSerialDate, readXlsWorkbook } from './biff.ts'
import { buildWorkbook, rkDouble, rkInt, rkInt100 } from './test-workbook.ts'
import { xlsError } from '../test-helpers.ts'

describe('RK numbers', () => {
  it.each([
    [rkInt(42), 42],
    [rkInt(-7), -7],
    [rkInt100(318), 3.18],
    [rkDouble(0.5), 0.5],
    [rkDouble(1.25), 1.25],
    [(rkDouble(1.25) | 0x01) >>> 0, 0.0125],
  ])('decodes 0x%s', (rk, value) => {
    expect(decodeRk(rk)).toBeCloseTo(value, 12)
  })
})

describe('Excel date serials', () => {
  it.each([
    [1, '1900-01-01'],
    [59, '1900-02-28'],
    [61, '1900-03-01'],
    [35445, '1997-01-15'],
    [45306, '2024-01-15'],
    [46218.75, '2026-07-15'],
  ])('1900 system: %s is %s', (serial, date) => {
    expect(excelSerialDate(serial)).toBe(date)
  })

  it('refuses 60 (the 29 February 1900 Excel invents), 0, negatives and non-numbers', () => {
    for (const serial of [60, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(excelSerialDate(serial)).toBeNull()
  })

  it('1904 system counts from 1904-01-01', () => {
    expect(excelSerialDate(0, true)).toBe('1904-01-01')
    expect(excelSerialDate(43844, true)).toBe('2024-01-15')
  })
})

describe('BIFF8 workbook reader', () => {
  const strings = ['Plain', 'Ünïcode ✓ text', 'Split across a continue record']

  it('reads every cell record kind and the sheets by name', () => {
    const file = buildWorkbook(
      [
        { name: 'First', cells: [{ row: 0, column: 0, kind: 'sst', index: 0 }] },
        {
          name: 'Second sheet',
          cells: [
            { row: 0, column: 0, kind: 'sst', index: 1 },
            { row: 1, column: 0, kind: 'number', value: 3.14159 },
            { row: 1, column: 1, kind: 'rk', rk: rkInt100(172) },
            { row: 2, column: 2, kind: 'mulrk', rks: [rkInt(1), rkDouble(0.5), rkInt100(-426)] },
            { row: 3, column: 0, kind: 'formula', value: 2.89 },
            { row: 3, column: 1, kind: 'formula-string', value: 'cached' },
            { row: 4, column: 0, kind: 'label', value: 'wide label ✓' },
          ],
        },
      ],
      strings,
    )
    const workbook = readXlsWorkbook(file, 'two.xls')
    expect(workbook.date1904).toBe(false)
    expect(workbook.sheets.map((s) => s.name)).toEqual(['First', 'Second sheet'])
    const [first, second] = workbook.sheets
    expect(first?.rows.get(0)?.get(0)).toEqual({ kind: 'string', value: 'Plain' })
    const cell = (r: number, c: number) => second?.rows.get(r)?.get(c)
    expect(cell(0, 0)).toEqual({ kind: 'string', value: 'Ünïcode ✓ text' })
    expect(cell(1, 0)).toEqual({ kind: 'number', value: 3.14159 })
    expect(cell(1, 1)).toEqual({ kind: 'number', value: 1.72 })
    expect([cell(2, 2), cell(2, 3), cell(2, 4)]).toEqual([
      { kind: 'number', value: 1 },
      { kind: 'number', value: 0.5 },
      { kind: 'number', value: -4.26 },
    ])
    expect(cell(3, 0)).toEqual({ kind: 'number', value: 2.89 })
    expect(cell(3, 1)).toEqual({ kind: 'string', value: 'cached' })
    expect(cell(4, 0)).toEqual({ kind: 'string', value: 'wide label ✓' })
  })

  it('joins a shared string split by a CONTINUE record whose rest is 16-bit', () => {
    // 8 bytes of counts, then "Plain" (3 + 5), "Ünïcode ✓ text" (3 + 28): split inside the third string
    const file = buildWorkbook([{ name: 'S', cells: [0, 1, 2].map((index) => ({ row: index, column: 0, kind: 'sst' as const, index })) }], strings, {
      splitSstAfter: 8 + 8 + 31 + 3 + 10,
    })
    const sheet = readXlsWorkbook(file, 'split.xls').sheets[0]
    expect([0, 1, 2].map((row) => sheet?.rows.get(row)?.get(0))).toEqual(strings.map((value) => ({ kind: 'string', value })))
  })

  it('reads the 1904 date system flag', () => {
    const file = buildWorkbook([{ name: 'S', cells: [] }], [], { date1904: true })
    expect(readXlsWorkbook(file, 'mac.xls').date1904).toBe(true)
  })

  it('names a compound file without a Workbook stream', () => {
    const file = buildWorkbook([{ name: 'S', cells: [] }], [], { streamName: 'Something' })
    const error = xlsError(() => readXlsWorkbook(file, 'odd.xls'))
    expect(error.reason).toBe('no Workbook stream in the compound file')
    expect(error.value).toContain('Something')
  })

  it('names a shared string index past the table, with its cell', () => {
    const file = buildWorkbook([{ name: 'Sheet A', cells: [{ row: 6, column: 27, kind: 'sst', index: 9 }] }], ['only'])
    const error = xlsError(() => readXlsWorkbook(file, 'bad.xls'))
    expect(error).toMatchObject({ file: 'bad.xls', sheet: 'Sheet A', row: 7, column: 'AB', value: '9' })
    expect(error.message).toBe('bad.xls sheet "Sheet A" row 7, column AB: shared string 9 does not exist (the table has 1) (found "9")')
  })
})
