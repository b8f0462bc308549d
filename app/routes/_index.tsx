import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { MARKETS, MarketId } from '@carbon/schemas'
import { Link, useLoaderData } from '@remix-run/react'
import { NoPricesYet } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { OverviewTable } from '#app/components/price-board.tsx'
import { loadBoard } from '#app/utils/board.server.ts'
import { accessData } from '#app/utils/data-access.server.ts'
import { listMarkets } from '#app/utils/platform.server.ts'
import { formatInZone, zoneLabel } from '#app/utils/time.ts'

export const meta: MetaFunction = () => [
  { title: 'Market overview · 254Carbon' },
  { name: 'description', content: 'Latest day-ahead and real-time LMPs at MISO and CAISO hubs and zones.' },
]

/**
 * The boards of the markets the user is entitled to in the hub: hubs and zones with the latest DA
 * and RT5 price and a 24-hour RT5 sparkline.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const access = await accessData(request, context, { procedure: 'hub:overview' })
  const { platform, entitled } = access
  const { markets } = await listMarkets(platform.pg.db)
  const order: readonly string[] = MarketId.options
  const sorted = markets.filter((m) => entitled.includes(m.id)).sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
  const boards = await Promise.all(
    sorted.map((market) => loadBoard(platform, market, { runs: ['DA', 'RT5'], sparklineRun: 'RT5', sparklineHours: 24 })),
  )
  await access.served({ details: { markets: sorted.map((m) => m.id) } })
  return { boards }
}

function latestInterval(rows: { prices: Record<string, { intervalEnd: string } | undefined> }[], run: string): string | null {
  let latest: string | null = null
  for (const row of rows) {
    const end = row.prices[run]?.intervalEnd
    if (end && (!latest || Date.parse(end) > Date.parse(latest))) latest = end
  }
  return latest
}

export default function Overview() {
  const { boards } = useLoaderData<typeof loader>()
  const anyData = boards.some((b) => b.hasData)
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Market overview</h1>
          <p className="page-lede">Latest locational marginal prices at the trading hubs and load zones, day-ahead against real-time.</p>
        </div>
      </header>
      {!anyData ? <NoPricesYet /> : null}
      <div className="boards">
        {boards.map((board) => {
          const tz = board.market.timeZone
          const rtAsOf = latestInterval(board.rows, 'RT5')
          return (
            <section key={board.market.id} className="panel deferred-render" aria-labelledby={`board-${board.market.id}`}>
              <header className="panel-header">
                <h2 id={`board-${board.market.id}`}>
                  <Link to={`/markets/${board.market.id}`}>{MARKETS[board.market.id].label}</Link>
                  <span className="panel-subtitle">{board.market.name}</span>
                </h2>
                <p className="panel-meta">
                  {rtAsOf ? (
                    <>
                      RT through <time dateTime={rtAsOf}>{formatInZone(rtAsOf, tz, 'short')}</time> {zoneLabel(tz, rtAsOf)}
                    </>
                  ) : (
                    'no real-time prices'
                  )}
                  {' · '}
                  <Link to={`/markets/${board.market.id}`}>All runs →</Link>
                </p>
              </header>
              {board.hasData ? (
                <OverviewTable marketId={board.market.id} timeZone={tz} rows={board.rows} rtRun="RT5" />
              ) : anyData ? (
                <NoPricesYet />
              ) : (
                <p className="muted panel-empty">Waiting for {MARKETS[board.market.id].label} prices.</p>
              )}
            </section>
          )
        })}
      </div>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
