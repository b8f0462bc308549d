import type { LoaderFunctionArgs } from '@remix-run/node'
import { csvFilename, csvText } from '#app/components/series/series-view.ts'
import { loadLcfs } from '#app/utils/hub-products.server.ts'

/**
 * `/lcfs.csv`: the LCFS page's table through the downloads channel, newest first: CARB's date of
 * the week (its Monday), the average price of all and of Type 1 transfers, the credits
 * transferred; values as stored, units in the header.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const view = await loadLcfs(request, context, { channel: 'downloads', procedure: 'download:lcfs-csv' })
  const unit = (u: string) => u.replace('$/', 'usd_per_').replace(/[^A-Za-z0-9_]/g, '_').toLowerCase()
  const header = ['week_of', `price_${unit(view.priceUnit)}`, `type1_price_${unit(view.priceUnit)}`, `volume_${unit(view.volumeUnit)}`]
  const rows = view.rows.map((r) => [r.weekOf, r.price, r.type1Price, r.volume])
  return new Response(csvText(header, rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${csvFilename('LCFS_credit_transfers_weekly', `to-${view.rows[0]?.weekOf ?? 'empty'}`)}"`,
      'Cache-Control': 'no-store',
    },
  })
}
