import type { LoaderFunctionArgs } from '@remix-run/node'
import { csvFilename, csvText, periodKey, PERIOD_HEADINGS } from '#app/components/series/series-view.ts'
import { loadGasSeries } from '#app/utils/hub-products.server.ts'

/**
 * `/gas/<SERIES>.csv`: exactly the rows the hub's page shows for the same query (newest first),
 * through the downloads channel: the gas day (or month), the price, and for a hub other than
 * Henry Hub, Henry Hub's price of the same day and the basis to it; values as stored.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const view = await loadGasSeries(request, context, params, { channel: 'downloads', procedure: 'download:gas-csv' })
  const style = view.frequency === 'month' ? 'month' : 'day'
  const header = [PERIOD_HEADINGS[style].csv, 'price', ...(view.hasBasis ? ['henry_hub', 'basis_to_henry_hub'] : []), 'unit']
  const rows = view.rows.map((r) => [periodKey(r, style), r.value, ...(view.hasBasis ? [r.henryHub, r.basis] : []), view.unit])
  const last = view.rows[0] ? periodKey(view.rows[0], style) : 'empty'
  return new Response(csvText(header, rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${csvFilename('GAS', view.hub.id, style === 'day' ? 'daily' : 'monthly', `to-${last}`)}"`,
      'Cache-Control': 'no-store',
    },
  })
}
