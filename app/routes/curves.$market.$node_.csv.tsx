import type { LoaderFunctionArgs } from '@remix-run/node'
import { curveCsv, curveCsvFilename } from '#app/utils/curve-view.ts'
import { loadCurveView } from '#app/utils/curves.server.ts'

/**
 * The CSV of a curve build at a granularity (`asOf`, `granularity` as on the curve page; default
 * the newest build, standard view): one row per period with the three blocks' prices and the
 * block hours. Through the downloads channel (entitled per market) and audited as
 * download:curve-csv.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const view = await loadCurveView(request, context, params, { channel: 'downloads', procedure: 'download:curve-csv', withCompare: false })
  const filename = curveCsvFilename({ market: view.market.id, node: view.curve.node, asOf: view.build.asOf, version: view.build.version }, view.query.granularity)
  return new Response(curveCsv(view.points), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      // A new version of the same as-of date replaces the newest build: always revalidate.
      'Cache-Control': 'no-store',
    },
  })
}
