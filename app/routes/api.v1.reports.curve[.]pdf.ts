import type { LoaderFunctionArgs } from '@remix-run/node'
import { apiReport } from '#app/utils/api-access.server.ts'

/** GET /api/v1/reports/curve.pdf: the forward curve report as application/pdf (bearer token, api channel, audited as api:report-curve-pdf). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return apiReport(request, context, 'curve', 'pdf')
}
