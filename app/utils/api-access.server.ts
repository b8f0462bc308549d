import type { MarketId } from '@carbon/schemas'
import type { AppLoadContext } from '@remix-run/node'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { ReportBody } from '#app/components/reports/report-view.tsx'
import reportsCss from '#app/styles/reports.css?raw'
import { AppError, isAppError } from '#server/errors.ts'
import { getPlatform, type Platform } from '#server/platform.ts'
import { recordAudit, type AuditEntry } from '#server/services/auth/audit.ts'
import { startDataRequest } from '#server/metrics.ts'
import { authorize, entitledMarkets } from '#server/services/auth/entitlements.ts'
import { findUnsafeInput, unsafeInputError } from '#server/services/auth/input-check.ts'
import { takeRequest } from '#server/services/auth/request-limit.ts'
import { resolveRequestAuth } from '#server/services/auth/resolve.ts'
import type { Principal, Scope } from '#server/services/auth/types.ts'
import { isStoreUnavailable } from '#server/services/health/index.ts'
import { TRPC_CODE } from '#server/trpc/trpc.ts'
import { reportData, reportFilename, reportMarkets, renderViewPdf, reportView, type ReportKind, type ReportView } from '#server/services/reports/index.ts'
import { reportRequestFromQuery } from '#server/services/reports/query.ts'

/**
 * The REST door for resource routes outside tRPC (the reports under /api/v1/reports): the same
 * steps, in the same order, as dataProcedure (server/trpc/trpc.ts) — unsafe input 400, the bearer
 * credential resolved by resolveRequestAuth (PAT or OAuth2 JWT; no cookie: channel api), the
 * per-credential rate limit (429 with Retry-After), the one authorization decision (market on the
 * api channel, token scope), and an audit row before the data leaves. Refusals are audited and
 * answered as JSON `{ message, code }` like the rest of /api/v1.
 */

/** An AppError as /api/v1 answers it: `{ message, code[, issues] }` with its status. */
export function apiErrorResponse(error: AppError, headers: Record<string, string> = {}): Response {
  const issues = Array.isArray(error.details?.issues) ? { issues: error.details.issues } : {}
  return Response.json({ message: error.userMessage, code: TRPC_CODE[error.code], ...issues }, { status: error.status, headers: { 'Cache-Control': 'no-store', ...headers } })
}

type ApiSpec = { procedure: string; market?: MarketId; scope: Scope }
type AuditScope = Pick<AuditEntry, 'market' | 'nodes' | 'rangeFrom' | 'rangeTo' | 'details'>

export type ApiAccess = {
  platform: Platform
  principal: Principal
  /** Markets the credential may see through the API, sorted. */
  entitled: MarketId[]
  /** Writes the audit row of the answer about to leave; throws a 503 JSON Response if it cannot. */
  served(scope?: AuditScope): Promise<void>
  /** Audits a refusal found after the door (a service's AppError) and answers it as JSON. */
  refused(error: AppError): Promise<Response>
}

/** The query as one object (repeated keys as arrays), for the unsafe-input check. */
function queryObject(url: URL): Record<string, string | string[]> {
  return Object.fromEntries([...new Set(url.searchParams.keys())].map((k) => {
    const values = url.searchParams.getAll(k)
    return [k, values.length === 1 ? values[0]! : values]
  }))
}

/** Opens the API door for one request (see the module comment); throws a JSON Response when refused. */
export async function accessApi(request: Request, context: AppLoadContext, spec: ApiSpec): Promise<ApiAccess> {
  try {
    return await openApiAccess(request, context, spec)
  } catch (error) {
    if (error instanceof Response) throw error
    if (isStoreUnavailable(error) || (isAppError(error) && error.code === 'UNAVAILABLE')) {
      throw apiErrorResponse(new AppError('UNAVAILABLE', 'a data store is unavailable', { userMessage: 'A data store is unavailable right now; no data was served. Try again shortly.' }))
    }
    throw error
  }
}

async function openApiAccess(request: Request, context: AppLoadContext, spec: ApiSpec): Promise<ApiAccess> {
  const platform = await getPlatform()
  const auth = await resolveRequestAuth(platform, request, 'rest')
  const url = new URL(request.url)
  const base = {
    requestId: context.requestId,
    principal: auth.principal,
    channel: 'api' as const,
    procedure: spec.procedure,
    market: spec.market ?? null,
    clientAddress: context.clientAddress,
    userAgent: request.headers.get('user-agent'),
  }
  const timer = startDataRequest({ market: spec.market, channel: 'api' })
  const deny = async (error: AppError, headers: Record<string, string> = {}) => {
    const outcome = error.status >= 500 ? 'error' : 'denied'
    timer.end(outcome)
    await recordAudit(platform.pg.db, { ...base, outcome, status: error.status, details: { reason: error.userMessage, url: request.url.slice(0, 2000) } })
    return apiErrorResponse(error, headers)
  }
  const unsafe = findUnsafeInput(queryObject(url))
  if (unsafe) throw await deny(unsafeInputError(unsafe))
  if (auth.failure) throw await deny(auth.failure)
  const limited = takeRequest(platform.auth, auth.principal)
  if (limited) throw await deny(limited.error, { 'Retry-After': String(limited.retryAfterSeconds) })
  try {
    await authorize(platform.pg.db, auth.principal, { channel: 'api', market: spec.market, scope: spec.scope })
  } catch (error) {
    if (isAppError(error)) throw await deny(error)
    throw error
  }
  const principal = auth.principal as Principal
  const entitled = await entitledMarkets(platform.pg.db, principal, 'api')
  return {
    platform,
    principal,
    entitled,
    async served(scope: AuditScope = {}) {
      try {
        await recordAudit(platform.pg.db, { ...base, ...scope, outcome: 'allowed', status: 200 })
        timer.end('allowed')
      } catch (error) {
        timer.end('error')
        platform.log.error({ err: error, procedure: spec.procedure }, 'audit write failed: answer withheld')
        throw apiErrorResponse(new AppError('UNAVAILABLE', 'The audit log is unavailable; no data was served'))
      }
    },
    refused: (error: AppError) => deny(error),
  }
}

/** The token scope each report needs: prices for the market summary, curves for curves and scenario runs (as their procedures). */
export const REPORT_SCOPE: Record<ReportKind, Scope> = { 'market-summary': 'read:prices', curve: 'read:curves', scenario: 'read:curves' }

/** A report view as a standalone, printable HTML document (the API's text/html answer). */
export function reportHtmlDocument(view: ReportView): string {
  const body = renderToStaticMarkup(createElement(ReportBody, { view }))
  const title = view.title.replace(/[<>&]/g, '')
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · 254Carbon</title><style>${STANDALONE_CSS}${reportsCss}</style></head><body class="report-document">${body}</body></html>`
}

const STANDALONE_CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:16px 24px;color:#111827}
.data-table{width:100%;border-collapse:collapse;font-size:12.5px}.data-table th,.data-table td{padding:4px 10px;border-bottom:1px solid #edf1f5;white-space:nowrap}
.data-table thead th{border-bottom:1px solid #9ca3af;font-weight:600}.data-table .num{text-align:right;font-variant-numeric:tabular-nums}.data-table .text{text-align:left}
.data-table tbody th{font-weight:500}.table-scroll{overflow-x:auto}`

/**
 * GET /api/v1/reports/<kind>[.pdf]: the report through the API door (entitled per market on the
 * api channel; a scenario report shows the markets the credential is entitled to), audited as
 * `api:report-<kind>[-pdf]` before it leaves; the PDF or the standalone HTML of the same view.
 */
export async function apiReport(request: Request, context: AppLoadContext, kind: ReportKind, format: 'html' | 'pdf'): Promise<Response> {
  const procedure = `api:report-${kind}${format === 'pdf' ? '-pdf' : ''}`
  const url = new URL(request.url)
  const read = reportRequestFromQuery(kind, url.searchParams)
  if ('problem' in read) {
    // Authenticated first (a 401 says nothing about the parameters), then the refusal, audited.
    const access = await accessApi(request, context, { procedure, scope: REPORT_SCOPE[kind] })
    const { problem } = read
    throw await access.refused(AppError.badRequest(problem.message, { field: problem.field, issues: [{ path: problem.field, message: problem.message }] }))
  }
  const market = read.request.kind === 'scenario' ? undefined : read.request.params.market
  const access = await accessApi(request, context, { procedure, market, scope: REPORT_SCOPE[kind] })
  const { platform, principal } = access
  const deps = { db: platform.pg.db, ch: platform.ch, log: platform.log }
  let view: ReportView
  let markets: MarketId[]
  let data: Awaited<ReturnType<typeof reportData>>
  try {
    data = await reportData(deps, read.request, { organizationId: principal.organizationId, markets: access.entitled })
    view = reportView(data)
    markets = reportMarkets(data)
  } catch (error) {
    if (isAppError(error) && error.status < 500) throw await access.refused(error)
    throw error
  }
  const audit = { market: market ?? null, details: { report: kind, format, params: read.request.params, markets } }
  if (format === 'pdf') {
    const pdf = await renderViewPdf(view)
    await access.served(audit)
    return new Response(pdf, {
      headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${reportFilename(data)}"`, 'Cache-Control': 'no-store' },
    })
  }
  const html = reportHtmlDocument(view)
  await access.served(audit)
  return new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } })
}
