import { MARKETS, MarketId, MarketRun, RUN_INTERVAL_MINUTES } from '@carbon/schemas'
import { redirect, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Link, useLoaderData, useRevalidator } from '@remix-run/react'
import { useCallback, useState } from 'react'
import { z } from 'zod'
import { EmptyState, NoPricesYet } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { CaughtUpNote, LiveIndicator } from '#app/components/live-indicator.tsx'
import { RUN_LABELS, RunTable } from '#app/components/price-board.tsx'
import { Segmented } from '#app/components/segmented.tsx'
import { CapacitySection } from '#app/components/series/capacity.tsx'
import { Fundamentals } from '#app/components/series/fundamentals.tsx'
import { FUNDAMENTALS_DAYS } from '#app/components/series/series-view.ts'
import type { BoardRow } from '#app/utils/board.ts'
import { applyLivePrices, liveRows, type LiveOverlay } from '#app/utils/board-live.ts'
import { loadBoard } from '#app/utils/board.server.ts'
import { capacityAudit, CapacityChoice, loadGridSections } from '#app/utils/capacity.server.ts'
import { invariantResponse, parseOr } from '#app/utils/http.server.ts'
import { accessData, auditedInput, canDownload } from '#app/utils/data-access.server.ts'
import type { LiveEvent } from '#app/utils/live-client.ts'
import { liveCursor } from '#app/utils/live.server.ts'
import { listMarkets } from '#app/utils/platform.server.ts'
import { formatInZone, zoneLabel } from '#app/utils/time.ts'
import { useClock } from '#app/utils/use-clock.ts'
import { useLivePrices } from '#app/utils/use-live-prices.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${MARKETS[data.market.id].label} · ${data.run} prices · 254Carbon` : 'Market not found · 254Carbon' },
]

const Query = z.object({
  run: z.preprocess((v) => (v === '' ? undefined : v), MarketRun.optional()),
  /** The EIA-930 respondent whose fundamentals to show (default: the market's own balancing authority). */
  ba: z.preprocess(
    (v) => (v === '' ? undefined : typeof v === 'string' ? v.toUpperCase() : v),
    z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,15}$/, 'an EIA-930 respondent code (e.g. PACW)').optional(),
  ),
  /** Whose EIA-860M capacity to show: a balancing authority code or `all` (default: the fundamentals' one). */
  capacity: CapacityChoice,
})

/**
 * One market: a tab per run, and for the chosen run every hub and zone with LMP components,
 * updated live in the browser (prices.live for the run's hubs and zones, from the stream
 * position read before the snapshot).
 */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const spec = { procedure: 'hub:market' }
  const { id, asked, ba, capacity } = await auditedInput(request, context, spec, () => {
    const raw = params.market ?? ''
    const id = MarketId.safeParse(raw.toUpperCase())
    invariantResponse(id.success, `There is no market called '${raw}'. 254Carbon covers ${MarketId.options.map((m) => MARKETS[m].label).join(', ')}.`, { status: 404 })
    const url = new URL(request.url)
    if (raw !== id.data) throw redirect(`/markets/${id.data}${url.search}`)
    const query = parseOr(Query, Object.fromEntries(url.searchParams))
    return { id: id.data, asked: query.run, ba: query.ba, capacity: query.capacity }
  })

  const access = await accessData(request, context, { ...spec, market: id })
  const { platform } = access
  const { markets } = await listMarkets(platform.pg.db)
  const market = markets.find((m) => m.id === id)
  invariantResponse(market, `Market ${id} is not configured`, { status: 404 })

  const run = asked ?? (market.runs.includes('RT5') ? 'RT5' : market.runs[0])
  invariantResponse(run && market.runs.includes(run), `${market.id} has no '${asked}' run; it publishes ${market.runs.join(', ')}.`)

  // The stream position first, then the snapshot: nothing that arrives in between is lost.
  const cursor = liveCursor()
  const [board, [fundamentals, capacityView], downloadable] = await Promise.all([
    loadBoard(platform, market, { runs: [run], sparklineRun: run, sparklineHours: 24 }),
    loadGridSections(platform.ch, market.id, ba, capacity),
    canDownload(access, market.id),
  ])
  await access.served({
    nodes: board.rows.map((r) => r.node),
    details: {
      run,
      fundamentals: fundamentals.respondent ? { respondent: fundamentals.respondent.code, hours: fundamentals.demand.length } : null,
      capacity: capacityAudit(capacityView),
    },
  })
  return {
    market: board.market,
    run,
    rows: board.rows,
    hasData: board.hasData,
    intervalMinutes: market.intervalMinutes,
    live: { cursor, renderedAt: Date.now() },
    fundamentals,
    ba: ba ?? null,
    capacity: capacityView,
    canDownload: downloadable,
  }
}

/** How long the "caught up" note stays after a skipped event. */
const CAUGHT_UP_NOTE_MS = 30_000

type LiveState = {
  /** The subscription the state belongs to (market and run): another run starts afresh. */
  key: string
  overlay: LiveOverlay
  /** Prices applied since the page loaded (data-live-count). */
  count: number
  caughtUp: { skipped: number; at: number } | null
}

const emptyLive = (key: string): LiveState => ({ key, overlay: {}, count: 0, caughtUp: null })

/**
 * The board's live state: the prices received for `run` (an overlay over the loader's rows),
 * the count applied and the last "caught up" note. A `reset` event reloads the loader's snapshot.
 */
function useLiveBoard(marketId: MarketId, run: MarketRun, rows: BoardRow[], cursor: string | null) {
  const key = `${marketId}:${run}`
  const [state, setState] = useState<LiveState>(() => emptyLive(key))
  const revalidator = useRevalidator()
  const current = state.key === key ? state : emptyLive(key)

  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (event.type === 'reset') {
        revalidator.revalidate()
        return
      }
      setState((before) => {
        const base = before.key === key ? before : emptyLive(key)
        const { overlay, applied } = applyLivePrices(base.overlay, rows, run, event.prices)
        const caughtUp = event.type === 'skipped' ? { skipped: event.skipped, at: Date.now() } : base.caughtUp
        return { key, overlay, count: base.count + applied, caughtUp }
      })
    },
    [key, rows, run, revalidator],
  )

  const connection = useLivePrices(
    rows.length > 0 ? { market: marketId, runs: run, types: 'hub,zone', lastEventId: cursor ?? undefined } : null,
    onEvent,
  )
  return { connection, ...current }
}

export default function MarketPage() {
  const { market, run, rows: snapshot, hasData, intervalMinutes, live: start, fundamentals, ba, capacity, canDownload } = useLoaderData<typeof loader>()
  const tz = market.timeZone
  const now = useClock(start.renderedAt)
  const live = useLiveBoard(market.id, run, snapshot, start.cursor)
  const rows = liveRows(snapshot, live.overlay, run)
  const showBoard = hasData || Object.keys(live.overlay).length > 0
  const cadenceMs = (intervalMinutes[run] ?? RUN_INTERVAL_MINUTES[run]) * 60_000
  const caughtUp = live.caughtUp && now - live.caughtUp.at < CAUGHT_UP_NOTE_MS ? live.caughtUp : null
  let asOf: string | null = null
  for (const r of rows) {
    const end = r.prices[run]?.intervalEnd
    if (end && (!asOf || end > asOf)) asOf = end
  }
  return (
    <div className="page" data-live-count={live.count}>
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / Markets
          </p>
          <h1>
            {MARKETS[market.id].label} <span className="h1-sub">{market.name}</span>
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
        <div className="toolbar-end">
          {caughtUp ? <CaughtUpNote skipped={caughtUp.skipped} /> : null}
          <LiveIndicator connection={live.connection} />
        </div>
      </div>
      {showBoard ? (
        <section className="panel">
          <RunTable marketId={market.id} timeZone={tz} run={run} rows={rows} live={{ now, cadenceMs, overlay: live.overlay }} />
        </section>
      ) : rows.length === 0 ? (
        <NoPricesYet />
      ) : (
        <EmptyState title={`No ${run} prices yet`}>
          No {RUN_LABELS[run].toLowerCase()} prices for {MARKETS[market.id].label} yet — run <code>npx carbon seed-demo</code> or wait for
          ingestion.
        </EmptyState>
      )}
      <Fundamentals
        data={fundamentals}
        marketLabel={MARKETS[market.id].label}
        timeZone={tz}
        days={FUNDAMENTALS_DAYS}
        run={run}
      />
      <CapacitySection data={capacity} marketId={market.id} marketLabel={MARKETS[market.id].label} run={run} ba={ba} canDownload={canDownload} />
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
