import type { LoaderFunctionArgs } from '@remix-run/node'
import { apiFuelsReport } from './api.v1.reports.fuels/api-fuels.server.ts'

/** GET /api/v1/reports/fuels.pdf: the report as application/pdf. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return apiFuelsReport(request, context, 'pdf')
}
