import { renderToBuffer } from '@react-pdf/renderer'
import { createElement } from 'react'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import type { Logger } from '../../logger.ts'
import type { MarketId } from '@carbon/schemas'
import { curveReport, HOUSE_CURVE_VIEWER } from './curve.ts'
import { marketSummary } from './market-summary.ts'
import { ReportDocument } from './pdf/document.tsx'
import { scenarioReport } from './scenario.ts'
import type { ReportData } from './schemas.ts'
import { ReportRequest, type RenderedReport } from './types.ts'
import { reportView, type ReportView } from './view.ts'
import { parseParams } from './params.ts'

export * from './types.ts'
export * from './schemas.ts'
export { marketSummary, topMovers, TOP_MOVERS } from './market-summary.ts'
export { curveReport, HOUSE_CURVE_VIEWER } from './curve.ts'
export { scenarioReport, yearlyPrices, yearlyMix } from './scenario.ts'
export { reportView, type ReportView, type ReportSection } from './view.ts'
export { fuelsReport, LNG_SERIES, type FuelsAccess } from './fuels.ts'
export { FUELS_CHART_DAYS } from './fuels-calc.ts'
export { fuelsView } from './fuels-view.ts'

/** What the report functions need: the stores and a logger. */
export type ReportDeps = { db: Database; ch: ClickHouseHandle; log: Logger }

/**
 * Whose report it is: the reader's organization (null: the house). It decides which scenario runs
 * and curve builds are visible (the organization's own and the house's). `markets` optionally
 * limits a scenario report to the markets the reader is entitled to (default: all).
 */
export type ReportAccess = { organizationId: string | null; markets?: readonly MarketId[] }

/** The data of a report, as the hub page and the PDF print it. Does NOT authorize: callers do. */
export async function reportData(deps: ReportDeps, request: ReportRequest, access: ReportAccess = { organizationId: null }): Promise<ReportData> {
  const { kind, params } = parseParams(ReportRequest, request)
  switch (kind) {
    case 'market-summary':
      return marketSummary(deps, params)
    case 'curve':
      return curveReport(deps, params, access.organizationId ? { organizationId: access.organizationId } : HOUSE_CURVE_VIEWER)
    case 'scenario':
      return scenarioReport(deps, params, access, access.markets)
  }
}

/** The date a report is about: the operating day, the curve's as-of date, the run's date or the fuels report's date. */
export function reportDate(data: ReportData): string {
  switch (data.kind) {
    case 'market-summary':
    case 'fuels':
      return data.date
    case 'curve':
      return data.asOf
    case 'scenario':
      return data.runDate
  }
}

/** The markets whose data a report shows (none for the fuels report: it shows products, `data.products`). */
export function reportMarkets(data: ReportData): MarketId[] {
  return data.kind === 'scenario' ? data.markets : data.kind === 'fuels' ? [] : [data.market]
}

/** `254carbon-MISO-market-summary-2026-07-14.pdf`, `254carbon-MISO-INDIANA.HUB-curve-2026-07-14.pdf`, `254carbon-scenario-<run>-2026-07-14.pdf`, `254carbon-fuels-2026-07-14.pdf`. */
export function reportFilename(data: ReportData, extension = 'pdf'): string {
  return `254carbon-${reportName(data)}-${reportDate(data)}.${extension}`
}

function reportName(data: ReportData): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_')
  switch (data.kind) {
    case 'market-summary':
      return `${data.market}-market-summary`
    case 'curve':
      return `${data.market}-${safe(data.node)}-curve`
    case 'scenario':
      return `scenario-${data.runId.slice(0, 16)}`
    case 'fuels':
      return 'fuels'
  }
}

/** A view rendered as PDF bytes (vector charts: react-pdf Svg primitives). */
export async function renderViewPdf(view: ReportView): Promise<Uint8Array<ArrayBuffer>> {
  const buffer = await renderToBuffer(createElement(ReportDocument, { view }) as Parameters<typeof renderToBuffer>[0])
  return new Uint8Array(buffer)
}

/**
 * Builds a report's data and renders its PDF. Does NOT authorize: the hub and API routes and the
 * scheduled-report worker check the reader's entitlements (on `markets` of the answer) first.
 * A scenario run the organization cannot see is NOT_FOUND; bad parameters are BAD_REQUEST.
 */
export async function renderReportPdf(deps: ReportDeps, request: ReportRequest, access: ReportAccess = { organizationId: null }): Promise<RenderedReport> {
  const started = performance.now()
  const data = await reportData(deps, request, access)
  const pdf = await renderViewPdf(reportView(data))
  const filename = reportFilename(data)
  deps.log.info({ kind: data.kind, filename, bytes: pdf.byteLength, ms: Math.round(performance.now() - started) }, 'report rendered')
  return { pdf, filename, reportDate: reportDate(data), markets: reportMarkets(data) }
}
