/** EIA publisher files: the legacy Excel reader and the Henry Hub monthly spot price workbook. */
export { readXlsWorkbook, excelSerialDate, decodeRk, type XlsCell, type XlsSheet, type XlsWorkbook } from './biff.ts'
export { XlsParseError, columnLetter, type XlsIssue } from './xls-error.ts'
export {
  parseHenryHubMonthlyXls,
  HENRY_HUB_DATA_SHEET,
  HENRY_HUB_CONTENTS_SHEET,
  HENRY_HUB_SOURCE_KEY,
  HENRY_HUB_PRICE_HEADER,
  type HenryHubMonth,
  type HenryHubMonthly,
} from './henry-hub.ts'
export { EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE } from './fixtures.ts'
