import type { LoaderFunctionArgs } from '@remix-run/node'
import { LNG_BENCHMARK_IDS } from '#app/components/series/products.ts'
import { csvFilename, csvText, periodKey } from '#app/components/series/series-view.ts'
import { loadLng } from '#app/utils/hub-products.server.ts'

/**
 * `/lng.csv`: the LNG page's table through the downloads channel, newest first: the week's end
 * date, each benchmark's price and the change EIA states, Henry Hub's weekly average and its day
 * count, and each basis to Henry Hub; values as stored.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const view = await loadLng(request, context, { channel: 'downloads', procedure: 'download:lng-csv' })
  const header = [
    'week_ending',
    ...LNG_BENCHMARK_IDS.flatMap((b) => [b.toLowerCase(), `${b.toLowerCase()}_change_from_previous_week`]),
    'henry_hub_weekly_average',
    'henry_hub_days',
    ...LNG_BENCHMARK_IDS.map((b) => `${b.toLowerCase()}_minus_henry_hub`),
    'unit',
  ]
  const rows = view.rows.map((r) => [
    periodKey(r, 'week-ending'),
    ...LNG_BENCHMARK_IDS.flatMap((b) => [r.prices[b]?.value ?? null, r.prices[b]?.change ?? null]),
    r.henryHub?.value ?? null,
    r.henryHub?.days ?? null,
    ...LNG_BENCHMARK_IDS.map((b) => r.basis[b] ?? null),
    view.unit,
  ])
  const last = view.rows[0] ? periodKey(view.rows[0], 'week-ending') : 'empty'
  return new Response(csvText(header, rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${csvFilename('LNG_JKM_TTF_weekly', `to-${last}`)}"`,
      'Cache-Control': 'no-store',
    },
  })
}
