import type { LoaderFunctionArgs } from '@remix-run/node'
import { csvFilename, csvText } from '#app/components/series/series-view.ts'
import { ALL_BALANCING_AUTHORITIES, loadCapacityDownload } from '#app/utils/capacity.server.ts'

/** Decimal places of the share column: a fraction of the total nameplate MW. */
const SHARE_PLACES = 6

/**
 * `/markets/<MARKET>/capacity.csv?capacity=<BA|all>`: the market page's capacity table by
 * technology through the downloads channel (the market's entitlement, audited with the month
 * served): the inventory month, the balancing authority (ALL when summed over the market's), EIA's
 * technology, its fuel group, operable nameplate and net summer MW, generators, the share of the
 * nameplate total, and the nameplate MW change since the previous month held (empty when none).
 * Values as stored; a market without inventory gives the header alone.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const view = await loadCapacityDownload(request, context, params)
  const scope = view.all ? ALL_BALANCING_AUTHORITIES : (view.respondent?.code ?? '')
  const header = ['month', 'balancing_authority', 'technology', 'fuel', 'nameplate_mw', 'net_summer_mw', 'generators', 'share_of_nameplate', 'nameplate_change_mw', 'previous_month']
  const rows = view.technologies.map((t) => [
    view.month,
    scope,
    t.technology,
    t.fuel,
    t.nameplateMw,
    t.summerMw,
    t.generators,
    Number(t.share.toFixed(SHARE_PLACES)),
    t.change,
    view.previousMonth,
  ])
  return new Response(csvText(header, rows), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${csvFilename(view.market, 'capacity', scope || 'none', view.month ?? 'empty')}"`,
      'Cache-Control': 'no-store',
    },
  })
}
