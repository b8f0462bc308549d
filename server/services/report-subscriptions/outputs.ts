import { DataKey, MarketId } from '@carbon/schemas'
import { and, desc, eq } from 'drizzle-orm'
import type { Logger } from 'pino'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import { reportOutputs, type Database } from '../../adapters/postgres/schema/index.ts'
import type { Env } from '../../env.ts'
import { AppError, isAppError } from '../../errors.ts'
import { recordAudit } from '../auth/audit.ts'
import { authorize } from '../auth/entitlements.ts'
import type { Principal } from '../auth/types.ts'
import { FUELS_REPORT_KIND } from '../reports/types.ts'
import { ListReportOutputsInput, ReportOutput, type ReportLink } from './schemas.ts'
import { invalidInput, isUuid } from './subscriptions.ts'

/**
 * The organization's produced reports and their download links. A link is signed and short-lived
 * (DOWNLOAD_LINK_SECONDS), issued only while the organization is still entitled to the report's
 * market (a fuels report: every product it shows) through downloads; every attempt is audited as
 * `reports.link`, one row per market or product the file holds.
 */

export type ReportLinkDeps = { db: Database; objects: ObjectStore; env: Pick<Env, 'DOWNLOAD_LINK_SECONDS'>; log?: Logger }

/** Who asked, for the audit row (a hub request's id, address and browser). */
export type AuditContext = { requestId?: string; clientAddress?: string | null; userAgent?: string | null }

type OutputRow = typeof reportOutputs.$inferSelect

/** The organization's reports (every subscription of its users), newest first. */
export async function listReportOutputs(db: Database, principal: Principal, options: { limit?: number } = {}): Promise<ReportOutput[]> {
  const parsed = ListReportOutputsInput.safeParse(options)
  if (!parsed.success) throw invalidInput('report list', parsed.error, options)
  const rows = await db
    .select()
    .from(reportOutputs)
    .where(eq(reportOutputs.organizationId, principal.organizationId))
    .orderBy(desc(reportOutputs.reportDate), desc(reportOutputs.requestedAt), desc(reportOutputs.id))
    .limit(parsed.data.limit)
  return rows.map(toOutput)
}

/**
 * A fresh signed URL to a produced report of the principal's organization. NOT_FOUND for another
 * organization's or an unknown report, CONFLICT while it is not done (or once expired), FORBIDDEN
 * when the organization is no longer entitled to the market (to one of a fuels report's products)
 * through downloads. Audited as `reports.link` whatever the outcome (the caller's request context
 * when given), one row per market or product of the report.
 */
export async function reportOutputLink(deps: ReportLinkDeps, principal: Principal, id: string, context: AuditContext = {}): Promise<ReportLink> {
  let keys: DataKey[] = []
  const audit = async (outcome: 'allowed' | 'denied', status: number, details: Record<string, unknown>) => {
    for (const market of keys.length > 0 ? keys : [null]) {
      await recordAudit(deps.db, {
        requestId: context.requestId ?? `reports.link:${id}`,
        principal,
        channel: 'downloads',
        procedure: 'reports.link',
        market,
        outcome,
        status,
        clientAddress: context.clientAddress ?? null,
        userAgent: context.userAgent ?? null,
        details: { reportOutputId: String(id).slice(0, 80), ...details },
      })
    }
  }
  try {
    if (!isUuid(id)) throw AppError.badRequest(`Invalid report id ${JSON.stringify(String(id).slice(0, 80))}: must be a UUID`, { field: 'id' })
    const [row] = await deps.db
      .select()
      .from(reportOutputs)
      .where(and(eq(reportOutputs.id, id), eq(reportOutputs.organizationId, principal.organizationId)))
      .limit(1)
    if (!row) throw AppError.notFound('Report', { id })
    keys = dataKeysOf(row)
    if (keys.length === 0) await authorize(deps.db, principal, { channel: 'downloads' })
    for (const market of keys) await authorize(deps.db, principal, { channel: 'downloads', market })
    const key = downloadableKey(row)
    const url = await deps.objects.signedUrl(key, { expiresInSeconds: deps.env.DOWNLOAD_LINK_SECONDS, filename: row.filename })
    const expiresAt = new Date(Date.now() + deps.env.DOWNLOAD_LINK_SECONDS * 1000).toISOString()
    await audit('allowed', 200, { filename: row.filename, reportDate: row.reportDate })
    return { url, filename: row.filename, expiresAt }
  } catch (error) {
    if (isAppError(error) && error.status < 500) await audit('denied', error.status, { reason: error.userMessage })
    throw error
  }
}

/**
 * What a report's file holds, as entitlements name it: the market of a market report; the products
 * a fuels report was rendered with (none before it is rendered: it holds nothing yet).
 */
function dataKeysOf(row: OutputRow): DataKey[] {
  const params = row.params as { market?: unknown; products?: unknown }
  if (row.kind === FUELS_REPORT_KIND) return Array.isArray(params.products) ? params.products.filter((p): p is DataKey => DataKey.safeParse(p).success) : []
  return [MarketId.parse(params.market)]
}

/** The object key of a report that can be downloaded now; CONFLICT naming why not otherwise. */
function downloadableKey(row: OutputRow): string {
  if (row.status === 'done' && row.objectKey && (!row.expiresAt || row.expiresAt.getTime() > Date.now())) return row.objectKey
  const why =
    row.status === 'failed'
      ? `it failed: ${row.error ?? 'no reason given'}`
      : row.status === 'done' || row.status === 'expired'
        ? 'it has expired (reports are kept for a limited time)'
        : `it is ${row.status}, not rendered yet`
  throw new AppError('CONFLICT', `The report ${row.filename} cannot be downloaded: ${why}`, { details: { id: row.id, status: row.status } })
}

export function toOutput(row: OutputRow): ReportOutput {
  return ReportOutput.parse({
    id: row.id,
    subscriptionId: row.subscriptionId,
    kind: row.kind,
    params: row.params,
    reportDate: row.reportDate,
    filename: row.filename,
    status: row.status,
    bytes: row.bytes,
    error: row.error,
    requestedBy: row.requestedByLabel,
    requestedAt: row.requestedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
  })
}
