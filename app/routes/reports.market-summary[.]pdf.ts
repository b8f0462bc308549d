import type { LoaderFunctionArgs } from '@remix-run/node'
import { hubReportPdf } from '#app/components/reports/report-route.server.ts'

/** The market summary as a PDF (the same view as /reports/market-summary), hub channel, audited as hub:report-market-summary-pdf. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return hubReportPdf(request, context, 'market-summary')
}
