import type { AppLoadContext } from '@remix-run/node'
import { accessApi, reportHtmlDocument } from '#app/utils/api-access.server.ts'
import { AppError, isAppError } from '#server/errors.ts'
import { entitledProducts } from '#server/services/auth/entitlements.ts'
import { fuelsReport, renderViewPdf, reportFilename, reportView, type FuelsReport, type ReportView } from '#server/services/reports/index.ts'
import { fuelsParamsFromQuery } from '#server/services/reports/query.ts'

/**
 * GET /api/v1/reports/fuels[.pdf]: the gas, LNG and environmental report through the API door
 * (bearer token with read:prices, the scope of the series; rate limit; audited as
 * api:report-fuels[-pdf]). Entitled per product on the api channel: the sections of the products
 * the credential's organization holds through the API, the others named as left out; none held is
 * a 403 JSON answer, audited. Shared by both routes (route.ts beside this module and the .pdf route).
 */

const SCOPE = 'read:prices' as const

export async function apiFuelsReport(request: Request, context: AppLoadContext, format: 'html' | 'pdf'): Promise<Response> {
  const procedure = `api:report-fuels${format === 'pdf' ? '-pdf' : ''}`
  const read = fuelsParamsFromQuery(new URL(request.url).searchParams)
  // Authenticated first (a 401 says nothing about the parameters), then any refusal, audited.
  const access = await accessApi(request, context, { procedure, scope: SCOPE })
  if ('problem' in read) {
    const { problem } = read
    throw await access.refused(AppError.badRequest(problem.message, { field: problem.field, issues: [{ path: problem.field, message: problem.message }] }))
  }
  const { platform, principal } = access
  const products = await entitledProducts(platform.pg.db, principal, 'api')
  if (products.length === 0) {
    throw await access.refused(
      new AppError('FORBIDDEN', 'The gas, LNG and environmental report needs GAS, LNG, LCFS or REC: your organization is entitled to none of them through the API'),
    )
  }
  let data: FuelsReport
  let view: ReportView
  try {
    data = await fuelsReport({ db: platform.pg.db, ch: platform.ch }, read.params, { organizationId: principal.organizationId, products })
    view = reportView(data)
  } catch (error) {
    if (isAppError(error) && error.status < 500) throw await access.refused(error)
    throw error
  }
  const audit = { details: { report: 'fuels', format, params: read.params, products: data.products, leftOut: data.leftOut, date: data.date } }
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
