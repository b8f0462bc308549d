import { MARKETS, type MarketId } from '@carbon/schemas'
import { Link, useRouteLoaderData } from '@remix-run/react'
import { Fragment } from 'react'

type RootMarkets = { markets?: MarketId[] } | undefined

/** The signed-in user's hub markets as links separated by dots (from the root loader); nothing when there are none. */
export function MarketLinks() {
  const markets = useRouteLoaderData<RootMarkets>('root')?.markets ?? []
  return (
    <>
      {markets.map((market, i) => (
        <Fragment key={market}>
          {i > 0 ? ' · ' : null}
          <Link to={`/markets/${market}`}>{MARKETS[market].label}</Link>
        </Fragment>
      ))}
    </>
  )
}

/** Whether the signed-in user's hub shows any market (for wording around {@link MarketLinks}). */
export function useHasHubMarkets(): boolean {
  return (useRouteLoaderData<RootMarkets>('root')?.markets ?? []).length > 0
}
