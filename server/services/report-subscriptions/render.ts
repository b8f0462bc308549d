import { ENTITLED_PRODUCTS, MarketId, type EntitledProduct } from '@carbon/schemas'
import { and, eq, inArray } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import { reportOutputs, type Database } from '../../adapters/postgres/schema/index.ts'
import type { Env } from '../../env.ts'
import { isAppError } from '../../errors.ts'
import { loadEntitlements } from '../auth/entitlements.ts'
import { listCurves } from '../curves/queries.ts'
import { isStoreUnavailable } from '../health/index.ts'
import { fuelsReport, renderReportPdf, renderViewPdf, reportFilename, reportView } from '../reports/index.ts'
import { FUELS_REPORT_KIND, type ReportRequest } from '../reports/types.ts'
import type { SubscriptionParams } from './schemas.ts'

/**
 * The renderer's half of a scheduled report (server/workers/report-renderer.ts): one queued
 * report_outputs row -> the subscriber organization's downloads entitlement checked again ->
 * renderReportPdf -> the PDF in the object store under `reports/<organizationId>/<kind>/<date>/<filename>`
 * -> the row done (bytes, object key, expiry after EXPORT_RETENTION_HOURS). A report that cannot
 * be rendered (entitlement withdrawn, no data, no curve) is failed with the reason, never thrown
 * (it would fail again); a store outage throws, and the bus delivers the request again.
 *
 * The fuels report is rendered with the products (GAS, LNG, LCFS, REC) the organization may
 * download at that moment, the others named as left out (as the page does with the products held
 * in the hub); the row records them (`params.products`), so its link and its download are checked
 * and audited on them. An organization that has lost every one of them gets no report.
 */

export type RenderDeps = {
  db: Database
  ch: ClickHouseHandle
  objects: ObjectStore
  env: Pick<Env, 'EXPORT_RETENTION_HOURS'>
  log: Logger
}

type OutputRow = typeof reportOutputs.$inferSelect

/** Why a report is not rendered: the row is failed with this reason. */
class ReportRefused extends Error {}

/** A rendered report: its bytes, its name, and what the row records of it (the products of a fuels report). */
type Delivery = { pdf: Uint8Array; filename: string; params: Record<string, unknown> }

/** Renders one report row (idempotent: a finished row is left alone). Null when there is no such row. */
export async function executeReportOutput(deps: RenderDeps, id: string): Promise<OutputRow | null> {
  const [row] = await deps.db.select().from(reportOutputs).where(eq(reportOutputs.id, id)).limit(1)
  if (!row) return null
  if (row.status !== 'queued' && row.status !== 'running') return row
  const [started] = await deps.db
    .update(reportOutputs)
    .set({ status: 'running', startedAt: new Date(), progress: 0, error: null })
    .where(and(eq(reportOutputs.id, id), inArray(reportOutputs.status, ['queued', 'running'])))
    .returning()
  if (!started) return row
  const log = deps.log.child({ reportOutputId: id, kind: row.kind, reportDate: row.reportDate })
  const began = performance.now()
  try {
    const rendered = started.kind === FUELS_REPORT_KIND ? await renderFuels(deps, started, log) : await renderMarketReport(deps, started, log)
    const filename = safeFilename(rendered.filename) ?? started.filename
    const objectKey = `reports/${started.organizationId}/${started.kind}/${started.reportDate}/${filename}`
    const stored = await deps.objects.put(objectKey, rendered.pdf, { contentType: 'application/pdf', metadata: { 'report-date': started.reportDate } })
    const finishedAt = new Date()
    const [done] = await deps.db
      .update(reportOutputs)
      .set({
        status: 'done',
        progress: 1,
        params: rendered.params,
        filename,
        objectKey,
        bytes: stored.size,
        finishedAt,
        expiresAt: new Date(finishedAt.getTime() + deps.env.EXPORT_RETENTION_HOURS * 3_600_000),
      })
      .where(eq(reportOutputs.id, id))
      .returning()
    log.info({ bytes: stored.size, ms: Math.round(performance.now() - began), ...rendered.params }, 'scheduled report rendered')
    return done ?? null
  } catch (error) {
    if (isStoreUnavailable(error)) throw error
    const reason = error instanceof ReportRefused ? error.message : isAppError(error) ? error.userMessage : `rendering failed: ${(error as Error).message}`
    if (error instanceof ReportRefused || isAppError(error)) log.warn({ reason }, 'scheduled report failed')
    else log.error({ err: error }, 'scheduled report failed in rendering')
    const [failed] = await deps.db
      .update(reportOutputs)
      .set({ status: 'failed', error: reason, finishedAt: new Date() })
      .where(eq(reportOutputs.id, id))
      .returning()
    return failed ?? null
  }
}

/** A market summary or curve report: the market's downloads entitlement checked again, then renderReportPdf. */
async function renderMarketReport(deps: RenderDeps, row: OutputRow, log: Logger): Promise<Delivery> {
  await requireDownloads(deps.db, row)
  const request = await reportRequest(deps.db, row)
  const rendered = await renderReportPdf({ db: deps.db, ch: deps.ch, log }, request, { organizationId: row.organizationId })
  return { pdf: rendered.pdf, filename: rendered.filename, params: row.params as Record<string, unknown> }
}

/**
 * The fuels report as of the report date, with the products the organization may download now
 * (read fresh): the same data, view and PDF as /reports/fuels.pdf. Refused when it holds none.
 */
async function renderFuels(deps: RenderDeps, row: OutputRow, log: Logger): Promise<Delivery> {
  const products = await downloadableProducts(deps.db, row.organizationId)
  if (products.length === 0) {
    throw new ReportRefused(`The organization is no longer entitled to any of ${ENTITLED_PRODUCTS.join(', ')} through downloads`)
  }
  const data = await fuelsReport({ db: deps.db, ch: deps.ch }, { date: row.reportDate }, { organizationId: row.organizationId, products })
  const pdf = await renderViewPdf(reportView(data))
  const filename = reportFilename(data)
  log.info({ filename, bytes: pdf.byteLength, products: data.products, leftOut: data.leftOut }, 'report rendered')
  return { pdf, filename, params: { products: data.products } }
}

/** The fuels report's products the organization is entitled to through downloads (read fresh, not cached), in their order. */
async function downloadableProducts(db: Database, organizationId: string): Promise<EntitledProduct[]> {
  const pairs = await loadEntitlements(db, organizationId)
  return ENTITLED_PRODUCTS.filter((product) => pairs.some((p) => p.market === product && p.channel === 'downloads'))
}

/** The organization must still be entitled to the report's market through downloads (read fresh, not cached). */
async function requireDownloads(db: Database, row: OutputRow): Promise<void> {
  const market = marketOf(row)
  const pairs = await loadEntitlements(db, row.organizationId)
  if (!pairs.some((p) => p.market === market && p.channel === 'downloads')) {
    throw new ReportRefused(`The organization is no longer entitled to ${market} through downloads`)
  }
}

/** The report request of a row: the operating day of a market summary; the curve as of its latest as-of date up to the report date. */
async function reportRequest(db: Database, row: OutputRow): Promise<ReportRequest> {
  const params = row.params as SubscriptionParams
  const market = marketOf(row)
  if (row.kind === 'market-summary') return { kind: 'market-summary', params: { market, date: row.reportDate } }
  if (row.kind !== 'curve' || !('node' in params) || !params.node) throw new ReportRefused(`unknown report kind ${row.kind}`)
  const asOf = await curveAsOf(db, row.organizationId, market, params.node, row.reportDate)
  return { kind: 'curve', params: { market, node: params.node, asOf } }
}

/** The latest as-of date of the hub's curve, visible to the organization, on or before `reportDate`. */
async function curveAsOf(db: Database, organizationId: string, market: MarketId, node: string, reportDate: string): Promise<string> {
  const { curves } = await listCurves(db, [market], { organizationId })
  const asOf = curves.find((c) => c.node === node)?.asOfDates.find((date) => date <= reportDate)
  if (!asOf) throw new ReportRefused(`No ${market} ${node} curve was built as of ${reportDate} or before`)
  return asOf
}

function marketOf(row: OutputRow): MarketId {
  const market = MarketId.safeParse((row.params as Partial<SubscriptionParams>).market)
  if (!market.success) throw new ReportRefused(`the report names no known market: ${JSON.stringify(row.params)}`)
  return market.data
}

/** The rendered name when it can be a download name and an object key segment. */
function safeFilename(name: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.pdf$/.test(name) && !name.includes('..') ? name : null
}
