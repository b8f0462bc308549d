import { strToU8 } from 'fflate'
import { describe, expect, it } from 'vitest'
import { buildWorkbook } from '../eia/test-workbook.ts'
import { buildXlsx } from './build-xlsx.ts'
import { cellAt, cellDate, cellNumber, excelFormat, isBlankCell, lastRow, normalizedHeading, readExcelWorkbook, sheetNamed, shownCell } from './workbook.ts'
import { xlsError } from '../test-helpers.ts'

describe('readExcelWorkbook', () => {
  const xlsx = buildXlsx([{ name: '2017', cells: { A1: 'Price hub', B3: 3.31 } }])
  const xls = buildWorkbook([{ name: '2016', cells: [{ row: 0, column: 0, kind: 'sst', index: 0 }, { row: 2, column: 1, kind: 'number', value: 3.31 }] }], ['Price hub'])

  it('reads either format into the same shape, told by the signature and not the name', () => {
    const a = readExcelWorkbook(xlsx, 'ice.xls')
    const b = readExcelWorkbook(xls, 'ice.xlsx')
    expect([a.format, b.format]).toEqual(['xlsx', 'xls'])
    expect(excelFormat(xlsx)).toBe('xlsx')
    for (const workbook of [a, b]) {
      const sheet = workbook.sheets[0]!
      expect(cellAt(sheet, 1, 0)).toEqual({ kind: 'string', value: 'Price hub' })
      expect(cellAt(sheet, 3, 1)).toEqual({ kind: 'number', value: 3.31 })
      expect(lastRow(sheet)).toBe(3)
    }
    expect(sheetNamed(a, '2017', 'ice.xls').name).toBe('2017')
  })

  it('names bytes that are neither format', () => {
    expect(excelFormat(strToU8('hub,date'))).toBeNull()
    expect(xlsError(() => readExcelWorkbook(strToU8('hub,date\n'), 'ice.csv'))).toMatchObject({
      file: 'ice.csv',
      sheet: '(file)',
      value: 'hub,date.',
      reason: 'neither an .xlsx workbook (zip, signature PK) nor a legacy .xls workbook (OLE compound file)',
    })
    expect(xlsError(() => readExcelWorkbook(strToU8('<html><body>503</body></html>'), 'ice.xlsx')).reason).toMatch(/^an HTML page/)
    expect(xlsError(() => readExcelWorkbook(new Uint8Array(0), 'ice.xlsx')).reason).toBe('the file is empty')
  })

  it('names a missing sheet with the sheets there are', () => {
    const workbook = readExcelWorkbook(xlsx, 'ice.xlsx')
    expect(xlsError(() => sheetNamed(workbook, 'Weekly Average Credit Price', 'ice.xlsx'))).toMatchObject({
      sheet: '(workbook)',
      value: '2017',
      reason: 'no sheet named "Weekly Average Credit Price"',
    })
  })
})

describe('cell helpers', () => {
  it('shows cells for messages and compares headings without case or line breaks', () => {
    expect([shownCell(undefined), shownCell({ kind: 'error', code: 42 }), shownCell({ kind: 'number', value: 2.5 }), shownCell({ kind: 'boolean', value: false })]).toEqual([
      '',
      '#error 42',
      '2.5',
      'false',
    ])
    expect(normalizedHeading(' Delivery \nend  date ')).toBe('delivery end date')
    expect(normalizedHeading('Trade Date')).toBe(normalizedHeading('Trade date'))
  })

  it('reads dates from serials (either date system) and from text, numbers from cells and plain text', () => {
    expect(cellDate({ kind: 'number', value: 45_293 }, false)).toBe('2024-01-02')
    expect(cellDate({ kind: 'number', value: 45_293 - 1_462 }, true)).toBe('2024-01-02')
    expect(['2024-01-02', '1/2/2024', '2024-01-02 00:00:00', '2024-02-30', '2/30/2024', 'Jan 2, 2024'].map((value) => cellDate({ kind: 'string', value }, false))).toEqual([
      '2024-01-02',
      '2024-01-02',
      '2024-01-02',
      null,
      null,
      null,
    ])
    expect(cellDate({ kind: 'boolean', value: true }, false)).toBeNull()
    expect(cellDate(undefined, false)).toBeNull()
    expect(['124,111', '-0.25', '3.4391', '1,2', '$191.67', '', '1e3'].map((value) => cellNumber({ kind: 'string', value }))).toEqual([124_111, -0.25, 3.4391, null, null, null, null])
    expect(cellNumber({ kind: 'number', value: 2.5 })).toBe(2.5)
    expect(cellNumber({ kind: 'error', code: 42 })).toBeNull()
    expect([isBlankCell(undefined), isBlankCell({ kind: 'string', value: '  ' }), isBlankCell({ kind: 'number', value: 0 })]).toEqual([true, true, false])
  })
})
