import type { LoaderFunctionArgs } from '@remix-run/node'
import { apiFuelsReport } from './api-fuels.server.ts'

/** GET /api/v1/reports/fuels: the gas, LNG and environmental report as text/html (the PDF: `.pdf`). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return apiFuelsReport(request, context, 'html')
}
