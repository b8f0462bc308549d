import type { LoaderFunctionArgs } from '@remix-run/node'
import { hubReportPdf } from '#app/components/reports/report-route.server.ts'

/** The scenario report as a PDF (the same view as /reports/scenario), hub channel, audited as hub:report-scenario-pdf. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return hubReportPdf(request, context, 'scenario')
}
