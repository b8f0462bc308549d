import type { LoaderFunctionArgs } from '@remix-run/node'
import { fuelCurveCsv, loadFuelCurveView } from '#app/utils/fuel-curves.server.ts'

/**
 * `/lng/curves/<BASIS>.csv`: the build its page shows (`asOf`, `version`, `granularity`), one row per
 * period with its months, days and days-weighted price, through the downloads channel (entitled
 * per product) and audited as download:lng-curve-csv.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { filename, body } = fuelCurveCsv(await loadFuelCurveView(request, context, 'LNG', params, { channel: 'downloads', procedure: 'download:lng-curve-csv' }))
  return new Response(body, { headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'no-store' } })
}
