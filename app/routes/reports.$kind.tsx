import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ReportActions, ReportBody } from '#app/components/reports/report-view.tsx'
import { loadHubReport } from '#app/components/reports/report-route.server.ts'
import reportsCss from '#app/styles/reports.css?url'
import { FUELS_REPORT_KIND, ReportKind } from '#server/services/reports/types.ts'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: reportsCss }]

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.view.title} · 254Carbon` : 'Report · 254Carbon' }]

/**
 * A report as a printable page: /reports/market-summary, /reports/curve, /reports/scenario (query
 * parameters as server/services/reports/types.ts; a bad one is a 400 naming it), entitled on the
 * hub channel and audited as hub:report-<kind>. The PDF beside it (/reports/<kind>.pdf, its own
 * route) prints the same view.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const kind = ReportKind.safeParse(params.kind)
  if (!kind.success) throw new Response(`No report "${params.kind}": the reports are ${[...ReportKind.options, FUELS_REPORT_KIND].join(', ')}`, { status: 404 })
  return loadHubReport(request, context, kind.data)
}

export default function Report() {
  const { view, pdfHref } = useLoaderData<typeof loader>()
  return (
    <div className="page report-page">
      <ReportActions pdfHref={pdfHref} />
      <ReportBody view={view} />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
