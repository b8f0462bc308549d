import { MARKETS } from '@carbon/schemas'
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useMemo } from 'react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { Segmented } from '#app/components/segmented.tsx'
import { SERIES_COLORS } from '#app/components/series/products.ts'
import { SeriesChart } from '#app/components/series/series-chart.tsx'
import { LatestCards, PeriodCell, SeriesTable, Signed, type Column } from '#app/components/series/series-table.tsx'
import { chartDomain, formatValue, mergePoints, periodKey, periodLabel, pointTime, type PeriodStyle } from '#app/components/series/series-view.ts'
import { loadGasOverview, type HubRow } from '#app/utils/hub-products.server.ts'

export const meta: MetaFunction = () => [{ title: 'Natural gas · Henry Hub and hubs · 254Carbon' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadGasOverview(request, context)
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>
type ValueRow = Data['values'][number]

const VIEW_LABELS = { daily: 'Daily, last year', monthly: 'Monthly, whole history' } as const

function hubColumns(unit: string): Column<HubRow>[] {
  return [
    {
      key: 'hub',
      label: 'Hub',
      cell: (h) => (
        <>
          <Link to={`/gas/${h.id}`}>{h.name}</Link>
          {h.reference ? <span className="tag tag-hub series-tag">reference</span> : null}
        </>
      ),
    },
    { key: 'region', label: 'Where', cell: (h) => h.region },
    { key: 'market', label: 'Prices power in', cell: (h) => (h.market ? MARKETS[h.market].label : '—') },
    { key: 'day', label: 'Latest gas day', cell: (h) => (h.latest ? <time dateTime={h.latest.date}>{h.latest.date}</time> : <span className="muted">not stored</span>) },
    { key: 'price', label: `Price (${unit})`, num: true, cell: (h) => (h.latest ? formatValue(h.latest.value, h.unit) : '—') },
    { key: 'hh', label: 'Henry Hub same day', num: true, cell: (h) => formatValue(h.henryHub, h.unit) },
    { key: 'basis', label: 'Basis to Henry Hub', num: true, cell: (h) => (h.reference ? <span className="muted">—</span> : <Signed value={h.basis} unit={h.unit} />) },
  ]
}

/**
 * Natural gas: Henry Hub's latest daily and monthly price with their changes, a chart and table
 * of its daily prices over the last year or monthly averages over the whole history, and the
 * trading hubs with their latest price and basis to Henry Hub.
 */
export default function GasPage() {
  const data = useLoaderData<typeof loader>()
  const { unit, view, available, latest, values, hubs } = data
  const style: PeriodStyle = view === 'daily' ? 'day' : 'month'
  const points = useMemo(() => mergePoints({ henryHub: values.map((v) => ({ t: pointTime(v, style), value: v.value })) }), [values, style])
  const domain = chartDomain(points)
  const newestFirst = useMemo(() => [...values].reverse(), [values])
  const columns: Column<ValueRow>[] = [
    { key: 'period', label: style === 'day' ? 'Gas day' : 'Month', cell: (v) => <PeriodCell dateTime={periodKey(v, style)} label={periodLabel(v, style)} /> },
    { key: 'price', label: `Henry Hub (${unit})`, num: true, cell: (v) => formatValue(v.value, unit) },
    { key: 'change', label: style === 'day' ? 'Change from the gas day before' : 'Change from the month before', num: true, cell: (v) => <Signed value={v.change} unit={unit} /> },
  ]
  const nothing = !available.daily && !available.monthly && hubs.every((h) => !h.latest)
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / Gas
          </p>
          <h1>
            Natural gas <span className="h1-sub">Henry Hub and the main trading hubs</span>
          </h1>
          <p className="page-lede">
            Spot prices in {unit} by gas day, as the publisher dates them (no clock); monthly averages by calendar month. Henry Hub (Erath,
            Louisiana) is the reference every basis is taken against.
          </p>
        </div>
        <div className="curve-actions">
          <Link className="button" to="/gas/curves">
            Forward curves
          </Link>
        </div>
      </header>
      {nothing ? (
        <EmptyState title="No gas prices stored yet">
          Henry Hub arrives from EIA&rsquo;s daily and monthly spot workbooks once the ingest has run; the other hubs from EIA&rsquo;s ICE next-day files.
        </EmptyState>
      ) : (
        <>
          <LatestCards
            label={`Henry Hub, latest, ${unit}`}
            figures={[
              {
                label: 'Henry Hub daily',
                value: latest.daily?.value ?? null,
                unit,
                change: latest.daily?.change ?? null,
                foot: latest.daily ? (
                  <>
                    gas day {periodKey(latest.daily, 'day')}
                    {latest.daily.before ? ` · change from ${latest.daily.before.slice(0, 10)}` : ''}
                  </>
                ) : (
                  'no daily prices stored'
                ),
              },
              {
                label: 'Henry Hub monthly',
                value: latest.monthly?.value ?? null,
                unit,
                change: latest.monthly?.change ?? null,
                foot: latest.monthly ? (
                  <>
                    {periodLabel(latest.monthly, 'month')} average
                    {latest.monthly.before ? ` · change from ${periodLabel({ periodStart: latest.monthly.before, periodEnd: latest.monthly.before }, 'month')}` : ''}
                  </>
                ) : (
                  'no monthly averages stored'
                ),
              },
            ]}
          />
          <div className="toolbar" role="group" aria-label="View options">
            <Segmented
              label="Henry Hub"
              current={view}
              options={(['daily', 'monthly'] as const).map((v) => ({ value: v, label: VIEW_LABELS[v], href: `?view=${v}`, disabled: !available[v], title: available[v] ? undefined : `No ${v} prices stored` }))}
            />
          </div>
          <section className="panel chart-panel" aria-label="Henry Hub chart">
            {domain ? (
              <SeriesChart
                points={points}
                series={[{ key: 'henryHub', label: `Henry Hub, ${view}`, color: SERIES_COLORS.hub, kind: 'line' }]}
                from={domain.from}
                to={domain.to}
                period={style}
                timeZone="UTC"
                unit={unit}
                note={`${unit} · ${style === 'day' ? 'gas day' : 'month'}`}
                title={`Henry Hub spot, ${VIEW_LABELS[view].toLowerCase()}`}
              />
            ) : (
              <p className="muted panel-empty">No {view} Henry Hub prices stored.</p>
            )}
          </section>
          <section className="panel" aria-label="Gas hubs">
            <header className="panel-header">
              <h2>Hubs</h2>
              <p className="panel-meta">Latest daily price at each hub, and its basis: the hub&rsquo;s price minus Henry Hub&rsquo;s on the same gas day.</p>
            </header>
            <SeriesTable caption={`Trading hubs, ${unit} (AECO: as its files state)`} columns={hubColumns(unit)} rows={hubs} rowKey={(h) => h.id} className="gas-hubs-table" />
          </section>
          <section className="panel deferred-render" aria-label="Henry Hub prices">
            <SeriesTable
              caption={`Henry Hub spot, ${VIEW_LABELS[view].toLowerCase()}, ${unit}, newest first`}
              columns={columns}
              rows={newestFirst}
              rowKey={(v) => v.periodStart}
              className="henry-hub-table"
            />
          </section>
        </>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
