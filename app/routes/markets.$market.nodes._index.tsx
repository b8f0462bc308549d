import { redirect, type LoaderFunctionArgs } from '@remix-run/node'

/** /markets/X/nodes lists nothing itself: it is the node search filtered to that market. */
export function loader({ params }: LoaderFunctionArgs) {
  const market = (params.market ?? '').toUpperCase()
  return redirect(['MISO', 'CAISO'].includes(market) ? `/nodes?market=${market}` : '/nodes')
}
