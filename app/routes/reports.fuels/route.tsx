import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ReportActions, ReportBody } from '#app/components/reports/report-view.tsx'
import reportsCss from '#app/styles/reports.css?url'
import { reportView } from '#server/services/reports/view.ts'
import { openFuelsHubReport } from './fuels-report.server.ts'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: reportsCss }]

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.view.title} · 254Carbon` : 'Report · 254Carbon' }]

/**
 * Gas, LNG and environmental products as a printable page (/reports/fuels?date=YYYY-MM-DD): the
 * sections of the products the user holds in the hub, the others named as left out (none held:
 * 403). Audited as hub:report-fuels; the PDF beside it (/reports/fuels.pdf) prints the same view.
 * It can be subscribed to like the market reports: the link opens the download center's subscribe
 * form with this report picked; each delivery shows the products the organization may download.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { params, data, served } = await openFuelsHubReport(request, context, 'html')
  const view = reportView(data)
  await served()
  return { view, pdfHref: `/reports/fuels.pdf${params.date ? `?date=${params.date}` : ''}` }
}

export default function FuelsReportPage() {
  const { view, pdfHref } = useLoaderData<typeof loader>()
  return (
    <div className="page report-page">
      <ReportActions pdfHref={pdfHref} subscribeKind="fuels" />
      <ReportBody view={view} />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
