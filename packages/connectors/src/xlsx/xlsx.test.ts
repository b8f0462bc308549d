import { strToU8 } from 'fflate'
import { describe, expect, it } from 'vitest'
import { excelSerialDate } from '../eia/biff.ts'
import { buildXlsx, excelSerial, xlsxParts, zipParts, type SheetSpec } from './build-xlsx.ts'
import { isDateCell, isDateFormatCode, readXlsxWorkbook } from './xlsx.ts'
import { xlsError } from '../test-helpers.ts'

const DATA: SheetSpec = {
  name: 'Data',
  cells: {
    A1: 'Price hub',
    B1: 'Delivery \nend date',
    C1: { runs: ['Wtd avg ', 'price', ' $/MMBtu'] },
    A2: 'Henry',
    B2: { date: '2024-01-02' },
    C2: 2.56,
    A3: { inline: 'PG&E - Citygate' },
    B3: { date: '2024-01-03', custom: true },
    C3: { formula: 'C2*2', value: 5.12 },
    C7: -0.25,
    E7: { error: '#N/A' },
    F7: { error: '#DIV/0!' },
    G7: { error: '#SPILL!' },
    H7: { bool: true },
    I7: { formula: 'A2&"!"', value: 'Henry!' },
    A9: 'Henry',
  },
}
const NOTES: SheetSpec = { name: 'Notes & sources', cells: { A1: 'Source: ICE', B2: 45_292 } }

describe('readXlsxWorkbook: cells', () => {
  const workbook = readXlsxWorkbook(buildXlsx([DATA, NOTES]), 'built.xlsx')
  const data = workbook.sheets[0]!
  const at = (ref: string) => {
    const [, letters = '', row = ''] = /^([A-Z]+)(\d+)$/.exec(ref) ?? []
    return data.rows.get(Number(row) - 1)?.get(letters.charCodeAt(0) - 65)
  }

  it('lists the worksheets in workbook order, names as written', () => {
    expect(workbook.sheets.map((s) => s.name)).toEqual(['Data', 'Notes & sources'])
    expect(workbook.date1904).toBe(false)
  })

  it('reads shared strings (a line break kept, one string reused), rich-text runs joined, inline strings', () => {
    expect(at('A1')).toEqual({ kind: 'string', value: 'Price hub' })
    expect(at('B1')).toEqual({ kind: 'string', value: 'Delivery \nend date' })
    expect(at('C1')).toEqual({ kind: 'string', value: 'Wtd avg price $/MMBtu' })
    expect(at('A9')).toEqual(at('A2'))
    expect(at('A3')).toEqual({ kind: 'string', value: 'PG&E - Citygate' })
  })

  it('reads numbers and dates as serials, and tells date-formatted cells (built-in and custom formats)', () => {
    expect(at('C2')).toEqual({ kind: 'number', value: 2.56 })
    expect(at('B2')).toEqual({ kind: 'number', value: 45_293 })
    expect(excelSerialDate(45_293)).toBe('2024-01-02')
    expect(isDateCell(data, 1, 1)).toBe(true)
    expect(isDateCell(data, 2, 1)).toBe(true)
    expect(isDateCell(data, 1, 2)).toBe(false)
    expect(at('C7')).toEqual({ kind: 'number', value: -0.25 })
  })

  it('reads cached formula results, booleans, and errors as the .xls reader codes them', () => {
    expect(at('C3')).toEqual({ kind: 'number', value: 5.12 })
    expect(at('I7')).toEqual({ kind: 'string', value: 'Henry!' })
    expect(at('H7')).toEqual({ kind: 'boolean', value: true })
    expect(at('E7')).toEqual({ kind: 'error', code: 0x2a })
    expect(at('F7')).toEqual({ kind: 'error', code: 0x07 })
    expect(at('G7')).toEqual({ kind: 'error', code: -1 })
  })

  it('places sparse cells by their references and leaves blank rows and columns out', () => {
    expect([...data.rows.keys()]).toEqual([0, 1, 2, 6, 8])
    expect([...data.rows.get(6)!.keys()]).toEqual([2, 4, 5, 6, 7, 8])
    expect(data.rows.get(3)).toBeUndefined()
    expect(workbook.sheets[1]!.rows.get(1)?.get(1)).toEqual({ kind: 'number', value: 45_292 })
  })
})

describe('readXlsxWorkbook: what Excel and other writers also produce', () => {
  const sheetXml = (body: string) =>
    `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>${body}</x:sheetData></x:worksheet>`

  it('reads prefixed elements, rows and cells without references (in sequence), styled blank cells, _xHHHH_ escapes', () => {
    const bytes = buildXlsx([{ name: 'S', cells: {} }], {
      edit: (parts) =>
        parts.set(
          'xl/worksheets/sheet1.xml',
          sheetXml('<x:row><x:c t="inlineStr"><x:is><x:t>a_x000D_b</x:t></x:is></x:c><x:c s="0"/><x:c><x:v>7</x:v></x:c></x:row><x:row r="4"><x:c><x:v>1e3</x:v></x:c></x:row>'),
        ),
    })
    const sheet = readXlsxWorkbook(bytes, 'p.xlsx').sheets[0]!
    expect(sheet.rows.get(0)).toEqual(
      new Map([
        [0, { kind: 'string', value: 'a\rb' }],
        [2, { kind: 'number', value: 7 }],
      ]),
    )
    expect(sheet.rows.get(3)?.get(0)).toEqual({ kind: 'number', value: 1000 })
  })

  it('reads the 1904 date system flag and t="d" ISO dates in it', () => {
    const bytes = buildXlsx([{ name: 'S', cells: {} }], {
      date1904: true,
      edit: (parts) => parts.set('xl/worksheets/sheet1.xml', sheetXml('<x:row r="1"><x:c r="A1" t="d"><x:v>1904-01-03T00:00:00</x:v></x:c></x:row>')),
    })
    const workbook = readXlsxWorkbook(bytes, 'p.xlsx')
    expect(workbook.date1904).toBe(true)
    expect(workbook.sheets[0]!.rows.get(0)?.get(0)).toEqual({ kind: 'number', value: 2 })
    expect(isDateCell(workbook.sheets[0]!, 0, 0)).toBe(true)
  })

  it('leaves out chart sheets, as the .xls reader does', () => {
    const bytes = buildXlsx([DATA], {
      edit: (parts) => {
        parts.set('xl/workbook.xml', parts.get('xl/workbook.xml')!.replace('</sheets>', '<sheet name="Chart1" sheetId="9" r:id="rId9"/></sheets>'))
        parts.set(
          'xl/_rels/workbook.xml.rels',
          parts
            .get('xl/_rels/workbook.xml.rels')!
            .replace(
              '</Relationships>',
              '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>',
            ),
        )
      },
    })
    expect(readXlsxWorkbook(bytes, 'c.xlsx').sheets.map((s) => s.name)).toEqual(['Data'])
  })

  it('tells date formats from number formats', () => {
    expect(['yyyy\\-mm\\-dd', 'm/d/yyyy', '[$-409]mmm-yy;@', 'h:mm AM/PM', '[h]:mm:ss', 'dd"th"'].map(isDateFormatCode)).toEqual([true, true, true, true, true, true])
    expect(['General', '0.00', '#,##0;[Red]-#,##0', '"day "0', '0.00_);\\(0.00\\)', '[Blue]0%'].map(isDateFormatCode)).toEqual([false, false, false, false, false, false])
  })

  it('builds the same bytes from the same cells (the samples in fixtures/ can be rebuilt)', () => {
    expect(buildXlsx([DATA])).toEqual(buildXlsx([DATA]))
    expect(excelSerial('2024-01-02')).toBe(45_293)
  })
})

describe('readXlsxWorkbook: files that are not workbooks, and damaged ones', () => {
  const good = buildXlsx([DATA, NOTES])

  it('names an empty file, an HTML page, a legacy .xls, random bytes', () => {
    expect(xlsError(() => readXlsxWorkbook(new Uint8Array(0), 'e.xlsx'))).toMatchObject({ file: 'e.xlsx', sheet: '(file)', reason: 'the file is empty' })
    const html = xlsError(() => readXlsxWorkbook(strToU8('<!DOCTYPE html><html><body>Not found</body></html>'), 'ice.xlsx'))
    expect(html.message).toMatch(/^ice\.xlsx \(file\): an HTML page or XML document, not an Excel workbook/)
    const ole = Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])
    expect(xlsError(() => readXlsxWorkbook(ole, 'old.xlsx')).reason).toBe('a legacy Excel .xls workbook (OLE compound file), not an .xlsx (zip) workbook')
    expect(xlsError(() => readXlsxWorkbook(strToU8('Price hub,Trade date\n'), 'x.xlsx')).reason).toBe('not a zip file, so not an .xlsx workbook: the signature PK is missing')
  })

  it('names a truncated zip', () => {
    const error = xlsError(() => readXlsxWorkbook(good.subarray(0, good.length - 40), 'cut.xlsx'))
    expect(error).toMatchObject({ file: 'cut.xlsx', sheet: '(file)', value: `${good.length - 40} bytes` })
    expect(error.reason).toMatch(/^damaged or truncated zip: /)
  })

  it('names a corrupt zip (deflated data overwritten)', () => {
    const corrupt = Uint8Array.from(good)
    corrupt.fill(0xff, 60, 400)
    expect(xlsError(() => readXlsxWorkbook(corrupt, 'bad.xlsx')).reason).toMatch(/^damaged or truncated zip: /)
  })

  it('names a zip that is not a workbook, listing what it holds', () => {
    const docx = zipParts(new Map([['word/document.xml', '<w:document xmlns:w="urn:w"/>']]))
    const error = xlsError(() => readXlsxWorkbook(docx, 'report.xlsx'))
    expect(error).toMatchObject({ sheet: '(file)', reason: 'a zip that is not an Excel workbook: no xl/workbook.xml', value: 'word/document.xml' })
  })

  it('names a sheet whose part is missing', () => {
    const bytes = buildXlsx([DATA, NOTES], { edit: (parts) => parts.delete('xl/worksheets/sheet2.xml') })
    const error = xlsError(() => readXlsxWorkbook(bytes, 'm.xlsx'))
    expect(error).toMatchObject({ sheet: 'Notes & sources', row: 0, reason: "the sheet's part xl/worksheets/sheet2.xml is not in the zip" })
    expect(error.message).toBe('m.xlsx sheet "Notes & sources": the sheet\'s part xl/worksheets/sheet2.xml is not in the zip (found "xl/worksheets/sheet2.xml")')
  })

  it('names broken XML with the part and its line', () => {
    const bytes = buildXlsx([DATA], { edit: (parts) => parts.set('xl/worksheets/sheet1.xml', parts.get('xl/worksheets/sheet1.xml')!.replace('</row>', '</c>')) })
    const error = xlsError(() => readXlsxWorkbook(bytes, 'x.xlsx'))
    expect(error.sheet).toBe('Data')
    expect(error.reason).toMatch(/^broken XML in xl\/worksheets\/sheet1\.xml line 3: closing tag <\/c> does not match <row>/)
    const workbookXml = buildXlsx([DATA], { edit: (parts) => parts.set('xl/workbook.xml', '<workbook><sheets>') })
    expect(xlsError(() => readXlsxWorkbook(workbookXml, 'w.xlsx'))).toMatchObject({ sheet: '(workbook)', reason: 'broken XML in xl/workbook.xml line 1: <sheets> is never closed (the part ends first)' })
  })

  it('names the workbook relationships missing, and a sheet pointing at a relationship that is not there', () => {
    const noRels = buildXlsx([DATA], { edit: (parts) => parts.delete('xl/_rels/workbook.xml.rels') })
    expect(xlsError(() => readXlsxWorkbook(noRels, 'r.xlsx')).reason).toBe('no xl/_rels/workbook.xml.rels: the sheets cannot be found')
    const badId = buildXlsx([DATA], { edit: (parts) => parts.set('xl/workbook.xml', parts.get('xl/workbook.xml')!.replace('r:id="rId1"', 'r:id="rId7"')) })
    expect(xlsError(() => readXlsxWorkbook(badId, 'r.xlsx')).reason).toBe('sheet "Data" names relationship rId7, which the workbook\'s relationships do not hold')
  })

  it('names the cell of a shared string that does not exist, a number that is not one, a reference out of order', () => {
    const replaceIn = (from: string, to: string) =>
      buildXlsx([DATA], { edit: (parts) => parts.set('xl/worksheets/sheet1.xml', parts.get('xl/worksheets/sheet1.xml')!.replace(from, to)) })
    const missing = xlsError(() => readXlsxWorkbook(replaceIn('<c r="A9" t="s"><v>3</v>', '<c r="A9" t="s"><v>99</v>'), 's.xlsx'))
    expect(missing).toMatchObject({ sheet: 'Data', row: 9, column: 'A', value: '99', reason: 'shared string 99 does not exist (the table has 4)' })
    expect(missing.message).toBe('s.xlsx sheet "Data" row 9, column A: shared string 99 does not exist (the table has 4) (found "99")')
    expect(xlsError(() => readXlsxWorkbook(replaceIn('<v>2.56</v>', '<v>2,56</v>'), 'n.xlsx'))).toMatchObject({ row: 2, column: 'C', value: '2,56', reason: 'not a number' })
    const order = xlsError(() => readXlsxWorkbook(replaceIn('<c r="E7"', '<c r="B7"'), 'o.xlsx'))
    expect(order).toMatchObject({ row: 7, column: 'C', value: 'B7' })
    expect(order.reason).toBe('cell reference not in row 7 or out of order (after column C)')
  })

  it('names a workbook with no sheets and a worksheet part that is something else', () => {
    const parts = xlsxParts([DATA])
    parts.set('xl/workbook.xml', '<workbook><sheets/></workbook>')
    expect(xlsError(() => readXlsxWorkbook(zipParts(parts), 'z.xlsx')).reason).toBe('the workbook lists no sheets')
    const chart = buildXlsx([DATA], { edit: (p) => p.set('xl/worksheets/sheet1.xml', '<chartsheet/>') })
    expect(xlsError(() => readXlsxWorkbook(chart, 'z.xlsx'))).toMatchObject({ sheet: 'Data', reason: 'not a worksheet part (root <chartsheet>, no <sheetData>)' })
  })
})
