import type { LoaderFunctionArgs } from '@remix-run/node'
import { apiReport } from '#app/utils/api-access.server.ts'

/** GET /api/v1/reports/market-summary.pdf: the market summary as application/pdf (bearer token, api channel, audited as api:report-market-summary-pdf). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return apiReport(request, context, 'market-summary', 'pdf')
}
