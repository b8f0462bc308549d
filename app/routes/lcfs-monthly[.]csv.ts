import type { LoaderFunctionArgs } from '@remix-run/node'
import { csvFilename, csvText } from '#app/components/series/series-view.ts'
import { loadLcfsMonthly } from '#app/utils/lcfs.server.ts'

/**
 * `/lcfs-monthly.csv`: the LCFS page's monthly table through the downloads channel, newest first:
 * the month, CARB's number of transfers, credits transferred, average price and its change, and
 * the zero-price transfers and credits (left out of the average); values as stored, units in the header.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const view = await loadLcfsMonthly(request, context, { channel: 'downloads', procedure: 'download:lcfs-monthly-csv' })
  const unit = (u: string) => u.replace('$/', 'usd_per_').replace(/[^A-Za-z0-9_]/g, '_').toLowerCase()
  const header = [
    'month',
    'transfers',
    `volume_${unit(view.volumeUnit)}`,
    `price_${unit(view.priceUnit)}`,
    `price_change_${unit(view.priceUnit)}`,
    'zero_price_transfers',
    `zero_price_volume_${unit(view.volumeUnit)}`,
  ]
  const rows = view.rows.map((r) => [r.month, r.transfers, r.volume, r.price, r.change, r.zeroTransfers, r.zeroVolume])
  return new Response(csvText(header, rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${csvFilename('LCFS_credit_transfers_monthly', `to-${view.rows[0]?.month ?? 'empty'}`)}"`,
      'Cache-Control': 'no-store',
    },
  })
}
