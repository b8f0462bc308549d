import type { LoaderFunctionArgs } from '@remix-run/node'
import { AppError } from '#server/errors.ts'
import { FUELS_REPORT_KIND, ReportKind } from '#server/services/reports/types.ts'
import { apiErrorResponse, apiReport } from '#app/utils/api-access.server.ts'

/**
 * GET /api/v1/reports/market-summary|curve|scenario: the report as text/html (bearer token, api
 * channel, audited as api:report-<kind>). The PDFs have their own routes (`.pdf`); the fuels report
 * has its own pair (api.v1.reports.fuels*), decided on products rather than a market.
 */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const kind = ReportKind.safeParse(params.kind)
  if (!kind.success) return apiErrorResponse(new AppError('NOT_FOUND', `No report "${String(params.kind).slice(0, 60)}": the reports are ${[...ReportKind.options, FUELS_REPORT_KIND].join(', ')}`))
  return apiReport(request, context, kind.data, 'html')
}
