/** EIA publisher files: the legacy Excel reader, dnav history workbooks, Henry Hub's spot price workbooks. */
export { readXlsWorkbook, excelSerialDate, decodeRk, type XlsCell, type XlsSheet, type XlsWorkbook } from './biff.ts'
export { XlsParseError, columnLetter, parseIssueOf, type XlsIssue } from './xls-error.ts'
export {
  readDnavSeriesXls,
  DNAV_DATA_SHEET,
  DNAV_CONTENTS_SHEET,
  type DnavFrequency,
  type DnavLayout,
  type DnavObservation,
  type DnavSeries,
} from './dnav-series.ts'
export {
  parseHenryHubMonthlyXls,
  HENRY_HUB_MONTHLY_LAYOUT,
  HENRY_HUB_DAILY_LAYOUT,
  HENRY_HUB_DATA_SHEET,
  HENRY_HUB_CONTENTS_SHEET,
  HENRY_HUB_SOURCE_KEY,
  HENRY_HUB_PRICE_HEADER,
  type HenryHubMonth,
  type HenryHubMonthly,
} from './henry-hub.ts'
export { EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE } from './fixtures.ts'
