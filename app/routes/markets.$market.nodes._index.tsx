import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { MarketId } from '@carbon/schemas'

/** /markets/X/nodes lists nothing itself: it is the node search filtered to that market. */
export function loader({ params }: LoaderFunctionArgs) {
  const market = (params.market ?? '').toUpperCase()
  return redirect(MarketId.safeParse(market).success ? `/nodes?market=${market}` : '/nodes')
}
