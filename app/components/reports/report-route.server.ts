import type { AppLoadContext } from '@remix-run/node'
import { accessData, auditedInput } from '#app/utils/data-access.server.ts'
import { orRespond } from '#app/utils/http.server.ts'
import { reportData, reportFilename, reportMarkets, renderViewPdf, reportView, type ReportKind, type ReportRequest } from '#server/services/reports/index.ts'
import { reportQueryString, reportRequestFromQuery } from '#server/services/reports/query.ts'

/**
 * The hub's report routes (`/reports/<kind>` and `/reports/<kind>.pdf`): the query read and
 * refused with a 400 naming the parameter (audited), the hub door (accessData: sign-in, rate
 * limit, the market entitled on the hub channel, an audit row before the data leaves), then the
 * report service. A scenario report shows the markets the user is entitled to in the hub.
 */

const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' }

async function readRequest(request: Request, context: AppLoadContext, procedure: string, kind: ReportKind): Promise<ReportRequest> {
  return auditedInput(request, context, { procedure }, () => {
    const read = reportRequestFromQuery(kind, new URL(request.url).searchParams)
    if ('problem' in read) throw new Response(read.problem.message, { status: 400, headers: TEXT })
    return read.request
  })
}

async function openReport(request: Request, context: AppLoadContext, kind: ReportKind, format: 'html' | 'pdf') {
  const procedure = `hub:report-${kind}${format === 'pdf' ? '-pdf' : ''}`
  const reportRequest = await readRequest(request, context, procedure, kind)
  const market = reportRequest.kind === 'scenario' ? undefined : reportRequest.params.market
  const access = await accessData(request, context, { procedure, market })
  const { platform, principal } = access
  const deps = { db: platform.pg.db, ch: platform.ch, log: platform.log }
  const data = await orRespond(reportData(deps, reportRequest, { organizationId: principal.organizationId, markets: access.entitled }))
  const served = () => access.served({ details: { report: kind, format, params: reportRequest.params, markets: reportMarkets(data) } })
  return { reportRequest, data, served }
}

/** The loader data of a hub report page: the printable view and the link to its PDF. */
export async function loadHubReport(request: Request, context: AppLoadContext, kind: ReportKind) {
  const { reportRequest, data, served } = await openReport(request, context, kind, 'html')
  const view = reportView(data)
  await served()
  return { kind, view, pdfHref: `/reports/${kind}.pdf${reportQueryString(reportRequest)}` }
}

/** A hub report as its PDF download (the same view as the page). */
export async function hubReportPdf(request: Request, context: AppLoadContext, kind: ReportKind): Promise<Response> {
  const { data, served } = await openReport(request, context, kind, 'pdf')
  const pdf = await renderViewPdf(reportView(data))
  await served()
  return new Response(pdf, {
    headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${reportFilename(data)}"`, 'Cache-Control': 'no-store' },
  })
}
