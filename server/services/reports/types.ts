import { MarketId } from '@carbon/schemas'
import { z } from 'zod'

/**
 * The reports' contracts: which reports exist and what each is asked with. The hub pages
 * (`/reports/...`), the API routes (`/api/v1/reports/...`) and the scheduled-report worker all
 * render through `renderReportPdf` / the report data functions in this folder, so the HTML page,
 * the PDF and a scheduled PDF show the same numbers.
 */

const DateKey = z.iso.date()
const NodeName = z.string().min(1).max(128)

export const ReportKind = z.enum(['market-summary', 'curve', 'scenario'])
export type ReportKind = z.infer<typeof ReportKind>

/** A market's day: hubs and zones, DA/RT averages, on/off-peak, DA-RT spread, movers, chart, data health. */
export const MarketSummaryParams = z.object({
  market: MarketId,
  date: DateKey.optional().describe('operating day in the market clock (default: the latest day that has ended with complete day-ahead prices)'),
})
export type MarketSummaryParams = z.infer<typeof MarketSummaryParams>

/** A hub's forward curve to 2050 and its change against an earlier as-of date. */
export const CurveReportParams = z.object({
  market: MarketId,
  node: NodeName,
  asOf: DateKey.optional().describe('default: the latest as-of date'),
  compareTo: DateKey.optional().describe('earlier as-of date to compare with (default: the one before asOf)'),
})
export type CurveReportParams = z.infer<typeof CurveReportParams>

/** A scenario run: assumptions, prices, mix, bands, lineage. */
export const ScenarioReportParams = z.object({
  runId: z.string().regex(/^[0-9a-f]{16,64}$/, 'a scenario run id (hex)'),
})
export type ScenarioReportParams = z.infer<typeof ScenarioReportParams>

/**
 * Gas, LNG and environmental products as of a date (default: the latest day with data). Not a
 * member of ReportKind/ReportRequest: those name the market reports (a market or a run decides
 * their access); this one is decided on the products (GAS, LNG, LCFS, REC) the reader holds, so
 * its routes open the door on products (app/routes/reports.fuels*, api.v1.reports.fuels*).
 */
export const FUELS_REPORT_KIND = 'fuels'
export const FuelsReportParams = z.object({
  date: DateKey.optional().describe('the day the report is as of (default: the latest day with a stored value of the products shown)'),
})
export type FuelsReportParams = z.infer<typeof FuelsReportParams>

export const ReportRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('market-summary'), params: MarketSummaryParams }),
  z.object({ kind: z.literal('curve'), params: CurveReportParams }),
  z.object({ kind: z.literal('scenario'), params: ScenarioReportParams }),
])
export type ReportRequest = z.infer<typeof ReportRequest>

/** A rendered PDF with the name it is downloaded under and the date it reports on. */
export type RenderedReport = {
  pdf: Uint8Array
  /** e.g. `254carbon-MISO-market-summary-2026-07-14.pdf` */
  filename: string
  /** The operating day, as-of date or run date the report is about (YYYY-MM-DD). */
  reportDate: string
  /** The markets whose data the report shows (the caller checks entitlements on these). */
  markets: MarketId[]
}
