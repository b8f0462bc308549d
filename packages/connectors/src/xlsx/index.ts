/** Office Open XML workbooks (.xlsx), read into the shape of the legacy .xls reader, and one entry for either format. */
export { readXlsxWorkbook, isDateCell, isDateFormatCode, XLSX_ERROR_CODES, type XlsxSheet, type XlsxWorkbook } from './xlsx.ts'
export {
  readExcelWorkbook,
  excelFormat,
  cellAt,
  cellDate,
  cellNumber,
  isBlankCell,
  shownCell,
  normalizedHeading,
  sheetNamed,
  lastRow,
  type ExcelFormat,
} from './workbook.ts'
export { parseXml, XmlSyntaxError, type XmlElement, type XmlNode } from './xml.ts'
// The builder of the documented samples, for workbooks generated in their layouts (the demo's EIA-860M inventory).
export { buildXlsx, type BuildOptions, type CellSpec, type SheetSpec } from './build-xlsx.ts'
