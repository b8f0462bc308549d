import type { LoaderFunctionArgs } from '@remix-run/node'
import { csvFilename, csvText, periodKey } from '#app/components/series/series-view.ts'
import { loadRecSeries } from '#app/utils/hub-products.server.ts'

/**
 * `/recs/<SERIES>.csv`: every quote of one REC series through the downloads channel, newest
 * first: the quote date, price, bid, ask, unit and note, with what the series id encodes.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const view = await loadRecSeries(request, context, params, { channel: 'downloads', procedure: 'download:rec-csv' })
  const { state, program, recClass, vintage } = view.info
  const header = ['date', 'series', 'state', 'program', 'class', 'vintage', 'price', 'bid', 'ask', 'unit', 'note']
  const rows = view.rows.map((r) => [periodKey(r, 'day'), view.series, state, program, recClass, vintage, r.value, r.bid, r.ask, view.unit, r.note])
  return new Response(csvText(header, rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${csvFilename(view.series, `to-${view.rows[0] ? periodKey(view.rows[0], 'day') : 'empty'}`)}"`,
      'Cache-Control': 'no-store',
    },
  })
}
