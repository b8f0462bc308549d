import type { LoaderFunctionArgs } from '@remix-run/node'
import { hubReportPdf } from '#app/components/reports/report-route.server.ts'

/** The forward curve report as a PDF (the same view as /reports/curve), hub channel, audited as hub:report-curve-pdf. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return hubReportPdf(request, context, 'curve')
}
