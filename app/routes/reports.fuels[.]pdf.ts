import type { LoaderFunctionArgs } from '@remix-run/node'
import { renderViewPdf, reportFilename, reportView } from '#server/services/reports/index.ts'
import { openFuelsHubReport } from './reports.fuels/fuels-report.server.ts'

/** GET /reports/fuels.pdf: the same view as /reports/fuels as a PDF download. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { data, served } = await openFuelsHubReport(request, context, 'pdf')
  const pdf = await renderViewPdf(reportView(data))
  await served()
  return new Response(pdf, {
    headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${reportFilename(data)}"`, 'Cache-Control': 'no-store' },
  })
}
