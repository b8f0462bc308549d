import type { LoaderFunctionArgs } from '@remix-run/node'
import { csvNumber } from '#app/utils/format.ts'
import { toCsv, viewColumns } from '#app/utils/node-view.ts'
import { loadNodeView } from '#app/utils/node-view.server.ts'

/**
 * CSV of exactly what the node page shows for the same query: every row of the table (all
 * pages, newest first) with the same columns, numbers to the cent as displayed.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const view = await loadNodeView(request, context, params, { channel: 'downloads', procedure: 'download:node-csv' })
  if (view.notice) {
    return new Response(`${view.notice}\n`, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  }
  const { resolution, range, rt } = view.query
  const csv = toCsv(
    view.rows,
    viewColumns(resolution, rt),
    { resolution, timeZone: view.market.timeZone },
    csvNumber,
  )
  const to = view.window ? view.window.to.slice(0, 10) : 'empty'
  const filename = `${view.market.id}_${view.node.name}_DA-vs-${rt}_${resolution}_${range}_to-${to}.csv`.replace(/[^A-Za-z0-9._-]/g, '_')
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
    },
  })
}
