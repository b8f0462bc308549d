import { MarketId, type MarketRun } from '@carbon/schemas'
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData, useParams, useRevalidator } from '@remix-run/react'
import { useCallback, useMemo, useState } from 'react'
import { NoPricesYet } from '#app/components/empty-state.tsx'
import { errorMessage, GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { HistoryTable } from '#app/components/history-table.tsx'
import { LiveIndicator } from '#app/components/live-indicator.tsx'
import { PriceChart } from '#app/components/price-chart.tsx'
import { Segmented } from '#app/components/segmented.tsx'
import { SummaryCards } from '#app/components/summary-cards.tsx'
import {
  chartPoints,
  csvHref,
  defaultRtRun,
  nodeHref,
  PAGE_SIZE,
  RANGE_KEYS,
  RANGES,
  RESOLUTIONS,
  viewSearch,
  type NodeViewQuery,
} from '#app/utils/node-view.ts'
import type { LiveEvent } from '#app/utils/live-client.ts'
import { addSamples, liveChart, toSample, type LiveSample } from '#app/utils/live-chart.ts'
import { liveCursor } from '#app/utils/live.server.ts'
import { loadNodeView } from '#app/utils/node-view.server.ts'
import { formatInZone, zoneLabel } from '#app/utils/time.ts'
import { useLivePrices } from '#app/utils/use-live-prices.ts'

export const meta: MetaFunction<typeof loader> = ({ data, params }) => [
  {
    title: data
      ? `${data.node.name} · ${data.market.id} · 254Carbon`
      : `${params.node ?? 'Node'} not found · 254Carbon`,
  },
]

/**
 * A node's DA vs real-time history for the chosen range and resolution. The loader sends the
 * chart (decimated past CHART_MAX_POINTS) and one page of table rows, never the whole series.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  // The stream position before the history is read: the chart's live points continue from it.
  const cursor = liveCursor()
  const { rows, ...view } = await loadNodeView(request, context, params, { channel: 'hub', procedure: 'hub:node' })
  const total = rows.length
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE))
  const page = Math.min(view.query.page, pageCount)
  return {
    ...view,
    chart: chartPoints(rows),
    table: { rows: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), page, pageCount, total },
    live: { cursor },
  }
}

type LiveSamples = { key: string; samples: LiveSample[]; count: number }

/**
 * The node's live prices (DA and the chosen real-time run) since the page loaded, for the chart.
 * Only while a chart is drawn; a `reset` event reloads the page's data.
 */
function useLiveNode(market: MarketId, node: string, rt: MarketRun, cursor: string | null, enabled: boolean) {
  const key = `${market}:${node}:${rt}`
  const [state, setState] = useState<LiveSamples>({ key, samples: [], count: 0 })
  const revalidator = useRevalidator()
  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (event.type === 'reset') {
        revalidator.revalidate()
        return
      }
      const incoming = event.prices.filter((p) => p.node === node).map(toSample)
      // Nothing for this node: no state change, so the chart keeps what it shows.
      if (incoming.length === 0) return
      setState((before) => {
        const base = before.key === key ? before : { key, samples: [], count: 0 }
        return { key, samples: addSamples(base.samples, incoming), count: base.count + incoming.length }
      })
    },
    [key, node, revalidator],
  )
  const connection = useLivePrices(enabled ? { market, nodes: node, runs: `DA,${rt}`, lastEventId: cursor ?? undefined } : null, onEvent)
  return { connection, ...(state.key === key ? state : { samples: [], count: 0 }) }
}

const RESOLUTION_LABELS = { raw: 'Raw', hourly: 'Hourly', daily: 'Daily' } as const

export default function NodePage() {
  const data = useLoaderData<typeof loader>()
  const { market, node, query, window, table, summary, notice, latest } = data
  const tz = market.timeZone
  const live = useLiveNode(market.id, node.name, query.rt, data.live.cursor, Boolean(window && !notice))
  // Memoized: the page re-renders on every live-connection change, the chart only when prices
  // arrive or the view changes (and until then keeps the server's drawing: ChartBox).
  const anchorRun = query.end === 'da' && latest.da ? 'DA' : query.rt
  const chart = useMemo(
    () =>
      window
        ? liveChart(data.chart, { from: Date.parse(window.from), to: Date.parse(window.to) }, live.samples, {
            resolution: query.resolution,
            rtRun: query.rt,
            anchorRun,
            timeZone: tz,
          })
        : null,
    [window, data.chart, live.samples, query.resolution, query.rt, anchorRun, tz],
  )
  const zone = zoneLabel(tz)
  const base: Partial<NodeViewQuery> = {
    range: query.range,
    resolution: query.resolution,
    rt: query.rt === defaultRtRun(market.runs) ? undefined : query.rt,
    end: query.end,
  }
  const selfHref = (q: Partial<NodeViewQuery>) => nodeHref(market.id, node.name, viewSearch({ page: 1, ...q }, base))
  const csvSearch = viewSearch({ page: 1 }, base)
  const rangeText = window
    ? `${formatInZone(window.from, tz, query.resolution === 'daily' ? 'date' : 'short')} – ${formatInZone(
        query.resolution === 'daily' ? Date.parse(window.to) - 1 : window.to,
        tz,
        query.resolution === 'daily' ? 'date' : 'short',
      )} ${zone}`
    : null
  const title = `${node.name} DA vs ${query.rt} LMP, ${RESOLUTION_LABELS[query.resolution].toLowerCase()}, ${RANGES[query.range].label}`
  // The table (a page of up to 200 rows) changes only with the loader data: live-connection
  // changes re-render the page, never these rows.
  const tableCaption = `${title}${rangeText ? ` (${rangeText})` : ''}, $/MWh`
  const historyTable = useMemo(
    () => (
      <HistoryTable
        rows={table.rows}
        resolution={query.resolution}
        rtRun={query.rt}
        timeZone={tz}
        caption={tableCaption}
        page={table.page}
        pageCount={table.pageCount}
        total={table.total}
        pageSize={PAGE_SIZE}
        pageHref={(page) => nodeHref(market.id, node.name, viewSearch({ page }, base))}
      />
    ),
    // `base` is rebuilt every render from `query` and `market`, which are the loader data's own objects.
    [table, query, market, node.name, tz, tableCaption],
  )

  return (
    <div className="page" data-live-count={live.count}>
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / <Link to={`/markets/${market.id}`}>{market.id}</Link> / <span aria-current="page">{node.name}</span>
          </p>
          <h1>
            {node.name} <span className="h1-sub">{market.name}</span>
          </h1>
          <p className="page-lede">
            {node.type === 'hub' ? 'Trading hub' : node.type === 'zone' ? 'Load zone' : node.type} · market clock {zone}
            {latest.rt ? (
              <>
                {' '}
                · {query.rt} through <time dateTime={latest.rt}>{formatInZone(latest.rt, tz, 'short')}</time>
              </>
            ) : null}
            {latest.da ? (
              <>
                {' '}
                · DA through <time dateTime={latest.da}>{formatInZone(latest.da, tz, 'short')}</time>
              </>
            ) : null}
          </p>
        </div>
        {window && !notice ? (
          <a className="button" href={csvHref(market.id, node.name, csvSearch)} download>
            Download CSV
          </a>
        ) : null}
      </header>

      <div className="toolbar" role="group" aria-label="View options">
        <Segmented
          label="Range"
          current={query.range}
          options={RANGE_KEYS.map((r) => ({ value: r, label: RANGES[r].label, href: selfHref({ range: r }) }))}
        />
        <Segmented
          label="Resolution"
          current={query.resolution}
          options={RESOLUTIONS.map((r) => ({ value: r, label: RESOLUTION_LABELS[r], href: selfHref({ resolution: r }) }))}
        />
        {data.rtRuns.length > 1 ? (
          <Segmented
            label="Real-time"
            current={query.rt}
            options={data.rtRuns.map((r) => ({ value: r, label: r, href: selfHref({ rt: r }) }))}
          />
        ) : null}
        {latest.da && latest.rt && Date.parse(latest.da) > Date.parse(latest.rt) ? (
          <Segmented
            label="Ending"
            current={query.end}
            options={[
              { value: 'rt', label: `Latest ${query.rt}`, href: selfHref({ end: 'rt' }), title: 'End the range at the latest real-time interval' },
              { value: 'da', label: 'DA ahead', href: selfHref({ end: 'da' }), title: 'End the range at the last published day-ahead hour' },
            ]}
          />
        ) : null}
        {rangeText ? <p className="toolbar-note">{rangeText}</p> : null}
        {window && !notice ? (
          <div className="toolbar-end">
            <LiveIndicator connection={live.connection} />
          </div>
        ) : null}
      </div>

      {!window ? (
        <NoPricesYet />
      ) : notice ? (
        <div className="notice" role="alert">
          <p>
            <strong>This view can&rsquo;t be drawn:</strong> {notice}
          </p>
          <p>
            Try <Link to={selfHref({ resolution: 'hourly' })}>hourly</Link> or{' '}
            <Link to={selfHref({ resolution: 'daily' })}>daily</Link> over {RANGES[query.range].label}, or raw over a{' '}
            <Link to={selfHref({ range: '7d' })}>shorter range</Link>.
          </p>
        </div>
      ) : (
        <>
          <SummaryCards da={summary.da} rt={summary.rt} rtRun={query.rt} />
          <section className="panel chart-panel" aria-label="Price chart">
            {chart && chart.points.length > 0 ? (
              <PriceChart
                points={chart.points}
                from={chart.from}
                to={chart.to}
                timeZone={tz}
                rtRun={query.rt}
                resolution={query.resolution}
                title={title}
              />
            ) : (
              <p className="muted panel-empty">No prices in this range.</p>
            )}
          </section>
          <section className="panel deferred-render" aria-label="Price table">
            {historyTable}
          </section>
        </>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  const params = useParams()
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: ({ error }) => (
          <section className="error-page" aria-labelledby="error-title">
            <p className="error-code">404</p>
            <h1 id="error-title">Pricing node not found</h1>
            <p className="error-message">{errorMessage(error) ?? `There is no node called ${params.node}.`}</p>
            <ul className="error-links">
              <li>
                <Link to={`/nodes?q=${encodeURIComponent((params.node ?? '').slice(0, 3))}`}>
                  Search for nodes starting with &lsquo;{(params.node ?? '').slice(0, 3)}&rsquo;
                </Link>
              </li>
              {params.market && MarketId.safeParse(params.market.toUpperCase()).success ? (
                <li>
                  <Link to={`/markets/${params.market.toUpperCase()}`}>{params.market.toUpperCase()} hubs and zones</Link>
                </li>
              ) : null}
              <li>
                <Link to="/">Market overview</Link>
              </li>
            </ul>
          </section>
        ),
      }}
    />
  )
}
