/**
 * CARB's weekly LCFS page and workbook on the simulator (base `/carb`, see simulatorUrls):
 *
 *   GET /carb/resources/documents/weekly-lcfs-credit-transfer-activity-reports
 *       an HTML page (the layout of the page is ours: only its link matters) linking, as CARB's
 *       page does, the week's workbook by an absolute https://ww2.arb.ca.gov/sites/default/files/...
 *       address, and an unrelated spreadsheet
 *   GET /carb/sites/default/files/<YYYY-MM>/Weekly%20LCFS%20Credit%20Activity%20(upto%20<D>%20<Month>,%20<YYYY>).xlsx
 *       fixtures/environmental/carb_lcfs_weekly_credit_price_2019-2020_DOCUMENTED_LAYOUT.xlsx (built from
 *       the documented layout; weeks 2019-04-08 .. 2020-05-18), named after the Sunday its last week
 *       ends (24 May 2020), in the folder of that month
 *
 *   GET /carb/resources/documents/monthly-lcfs-credit-transfer-activity-reports
 *       an HTML page (ours too) linking the monthly workbook by CARB's absolute address, beside a
 *       PDF of the same name and an unrelated spreadsheet
 *   GET /carb/sites/default/files/weeklylcfscreditreports/<YYYYMM>WeeklyCreditReport.xlsx
 *       fixtures/environmental/carb_lcfs_monthly_credit_transfers_2015_DOCUMENTED_LAYOUT.xlsx (built
 *       from the documented figures; months 2015-10 .. 2015-11), named after its latest month as the
 *       one third-party note on CARB's monthly files has it (fixtures/environmental/README.md)
 *
 * Each page links its one recorded workbook whatever the simulated date. Other files under
 * /carb/sites/default/files/ answer 404.
 */
import { readFileSync } from 'node:fs'
import {
  CARB_LCFS_MONTHLY_PAGE_PATH,
  CARB_LCFS_MONTHLY_SAMPLE_FIXTURE,
  CARB_LCFS_PAGE_PATH,
  CARB_LCFS_SAMPLE_FIXTURE,
  ENVIRONMENTAL_FIXTURE_DIR,
  SERIES_SOURCES,
} from '@carbon/connectors'
import { htmlPage } from '../failures.ts'
import { DAY } from '../time.ts'
import { HTML_TYPE, type SeriesRoute, XLSX_TYPE } from './types.ts'

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const
const FILES = '/sites/default/files/'

/** The Sunday (YYYY-MM-DD) the workbook's last week ends: its latest period end less a day. */
export function carbWorkbookUpto(workbook: Uint8Array): string {
  const { records } = SERIES_SOURCES['carb.lcfs.credit_transfers'].parse(workbook, CARB_LCFS_SAMPLE_FIXTURE)
  const latest = Math.max(...records.map((r) => Date.parse(r.periodEnd)))
  return new Date(latest - DAY).toISOString().slice(0, 10)
}

/** CARB's path of the workbook running to `upto`, as its page links it (spaces encoded, the rest as written). */
export function carbWorkbookPath(upto: string): string {
  const [year, month, day] = upto.split('-').map(Number) as [number, number, number]
  const name = `Weekly LCFS Credit Activity (upto ${day} ${MONTH_NAMES[month - 1]}, ${year}).xlsx`
  return `${FILES}${upto.slice(0, 7)}/${name.replaceAll(' ', '%20')}`
}

/** The page: a heading, a line of text, the workbook link and an unrelated spreadsheet. */
export function carbLcfsPage(workbookPath: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en" dir="ltr">',
    '<head><meta charset="utf-8"><title>Weekly LCFS Credit Transfer Activity Reports | California Air Resources Board</title></head>',
    '<body><main>',
    '<h1>Weekly LCFS Credit Transfer Activity Reports</h1>',
    '<p>The weekly reports summarize LCFS credit transfers completed in the week (Monday to Sunday).</p>',
    `<p><a href="https://ww2.arb.ca.gov${workbookPath}" type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">Weekly LCFS Credit Activity</a> (xlsx)</p>`,
    '<p><a href="/sites/default/files/2020-01/lcfs_quarterly_data_summary.xlsx">LCFS Quarterly Data Summary</a> (xlsx)</p>',
    '</main></body>',
    '</html>',
    '',
  ].join('\n')
}

/** The latest month (`YYYY-MM`) of the monthly workbook. */
export function carbMonthlyWorkbookMonth(workbook: Uint8Array): string {
  const { records } = SERIES_SOURCES['carb.lcfs.monthly_transfers'].parse(workbook, CARB_LCFS_MONTHLY_SAMPLE_FIXTURE)
  return records.reduce((latest, r) => (r.periodStart > latest ? r.periodStart : latest), '').slice(0, 7)
}

/** The path of the monthly workbook of `month` (`YYYY-MM`). */
export function carbMonthlyWorkbookPath(month: string): string {
  return `${FILES}weeklylcfscreditreports/${month.replace('-', '')}WeeklyCreditReport.xlsx`
}

/** The monthly page: a heading, a line of text, the workbook and its PDF, an unrelated spreadsheet. */
export function carbLcfsMonthlyPage(workbookPath: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en" dir="ltr">',
    '<head><meta charset="utf-8"><title>Monthly LCFS Credit Transfer Activity Reports | California Air Resources Board</title></head>',
    '<body><main>',
    '<h1>Monthly LCFS Credit Transfer Activity Reports</h1>',
    '<p>The monthly reports summarize LCFS credit transfers reported in the month.</p>',
    `<p><a href="https://ww2.arb.ca.gov${workbookPath.replace(/\.xlsx$/, '.pdf')}">Monthly report</a> (PDF)</p>`,
    `<p><a href="https://ww2.arb.ca.gov${workbookPath}" type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">Monthly report data</a> (xlsx)</p>`,
    '<p><a href="/sites/default/files/2020-01/lcfs_quarterly_data_summary.xlsx">LCFS Quarterly Data Summary</a> (xlsx)</p>',
    '</main></body>',
    '</html>',
    '',
  ].join('\n')
}

/** A path percent-decoded, or as it is when it does not decode. */
function decoded(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

export function createCarbRoute(): SeriesRoute {
  const workbook = readFileSync(new URL(CARB_LCFS_SAMPLE_FIXTURE, ENVIRONMENTAL_FIXTURE_DIR))
  const path = carbWorkbookPath(carbWorkbookUpto(workbook))
  const page = carbLcfsPage(path)
  const monthly = readFileSync(new URL(CARB_LCFS_MONTHLY_SAMPLE_FIXTURE, ENVIRONMENTAL_FIXTURE_DIR))
  const monthlyPath = carbMonthlyWorkbookPath(carbMonthlyWorkbookMonth(monthly))
  const monthlyPage = carbLcfsMonthlyPage(monthlyPath)
  return {
    sources: ['carb.lcfs.credit_transfers', 'carb.lcfs.monthly_transfers'],
    shapes: [`GET /carb${CARB_LCFS_PAGE_PATH}`, `GET /carb${decodeURIComponent(path)}`, `GET /carb${CARB_LCFS_MONTHLY_PAGE_PATH}`, `GET /carb${monthlyPath}`],
    answer(request) {
      if (request.path === `/carb${CARB_LCFS_PAGE_PATH}`) return { status: 200, type: HTML_TYPE, body: page }
      if (request.path === `/carb${CARB_LCFS_MONTHLY_PAGE_PATH}`) return { status: 200, type: HTML_TYPE, body: monthlyPage }
      if (!request.path.startsWith(`/carb${FILES}`)) return null
      if (decoded(request.path) === `/carb${decodeURIComponent(path)}`) return { status: 200, type: XLSX_TYPE, body: workbook }
      if (request.path === `/carb${monthlyPath}`) return { status: 200, type: XLSX_TYPE, body: monthly }
      return { status: 404, type: HTML_TYPE, body: htmlPage('Page not found', 'The requested page could not be found.') }
    },
  }
}
