import { MarketId, MarketRun } from '@carbon/schemas'
import { redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { EmptyState, NoPricesYet } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { RUN_LABELS, RunTable } from '#app/components/price-board.tsx'
import { Segmented } from '#app/components/segmented.tsx'
import { loadBoard } from '#app/utils/board.server.ts'
import { invariantResponse, parseOr } from '#app/utils/http.server.ts'
import { accessData } from '#app/utils/data-access.server.ts'
import { listMarkets } from '#app/utils/platform.server.ts'
import { formatInZone, zoneLabel } from '#app/utils/time.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.market.id} · ${data.run} prices · 254Carbon` : 'Market not found · 254Carbon' },
]

const Query = z.object({ run: z.preprocess((v) => (v === '' ? undefined : v), MarketRun.optional()) })

/** One market: a tab per run, and for the chosen run every hub and zone with LMP components. */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const raw = params.market ?? ''
  const id = MarketId.safeParse(raw.toUpperCase())
  invariantResponse(id.success, `There is no market called '${raw}'. 254Carbon covers MISO and CAISO.`, { status: 404 })
  const url = new URL(request.url)
  if (raw !== id.data) throw redirect(`/markets/${id.data}${url.search}`)

  const access = await accessData(request, context, { procedure: 'hub:market', market: id.data })
  const { platform } = access
  const { markets } = await listMarkets(platform.pg.db)
  const market = markets.find((m) => m.id === id.data)
  invariantResponse(market, `Market ${id.data} is not configured`, { status: 404 })

  const { run: asked } = parseOr(Query, Object.fromEntries(url.searchParams))
  const run = asked ?? (market.runs.includes('RT5') ? 'RT5' : market.runs[0])
  invariantResponse(run && market.runs.includes(run), `${market.id} has no '${asked}' run; it publishes ${market.runs.join(', ')}.`)

  const board = await loadBoard(platform, market, { runs: [run], sparklineRun: run, sparklineHours: 24 })
  await access.served({ nodes: board.rows.map((r) => r.node), details: { run } })
  return { market: board.market, run, rows: board.rows, hasData: board.hasData, intervalMinutes: market.intervalMinutes }
}

export default function MarketPage() {
  const { market, run, rows, hasData, intervalMinutes } = useLoaderData<typeof loader>()
  const tz = market.timeZone
  let asOf: string | null = null
  for (const r of rows) {
    const end = r.prices[run]?.intervalEnd
    if (end && (!asOf || end > asOf)) asOf = end
  }
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / Markets
          </p>
          <h1>
            {market.id} <span className="h1-sub">{market.name}</span>
          </h1>
          <p className="page-lede">
            Market clock {zoneLabel(tz)} ({tz}) · runs {market.runs.join(', ')} · hubs and zones below;{' '}
            <Link to={`/nodes?market=${market.id}`}>search all {market.nodeCount} pricing nodes</Link>
          </p>
        </div>
      </header>
      <div className="toolbar">
        <Segmented
          label="Run"
          current={run}
          options={market.runs.map((r) => ({
            value: r,
            label: r,
            href: `?run=${r}`,
            title: `${RUN_LABELS[r]}${intervalMinutes[r] ? `, ${intervalMinutes[r]}-minute intervals` : ''}`,
          }))}
        />
        <p className="toolbar-note">
          {RUN_LABELS[run]}
          {asOf ? (
            <>
              {' '}
              · latest interval ends <time dateTime={asOf}>{formatInZone(asOf, tz, 'short')}</time> {zoneLabel(tz, asOf)}
            </>
          ) : null}
        </p>
      </div>
      {hasData ? (
        <section className="panel">
          <RunTable marketId={market.id} timeZone={tz} run={run} rows={rows} />
        </section>
      ) : rows.length === 0 ? (
        <NoPricesYet />
      ) : (
        <EmptyState title={`No ${run} prices yet`}>
          No {RUN_LABELS[run].toLowerCase()} prices for {market.id} yet — run <code>npx carbon seed-demo</code> or wait for
          ingestion.
        </EmptyState>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
