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
import { loadGasSeries, type GasSeriesRow } from '#app/utils/hub-products.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data, params }) => [
  { title: data ? `${data.hub.name} gas prices · 254Carbon` : `${params.series ?? 'Gas hub'} not found · 254Carbon` },
]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadGasSeries(request, context, params, { channel: 'hub', procedure: 'hub:gas-series' })
}

/** `/gas/<SERIES>.csv` with the page's query: what the table shows. */
function gasCsvHref(series: string, frequency: 'day' | 'month'): string {
  return `/gas/${series}.csv${frequency === 'month' ? '?frequency=month' : ''}`
}

/**
 * One gas hub: its daily prices over the last year (Henry Hub also monthly over its whole history),
 * Henry Hub's price of the same gas days and the basis to it, as charts and a table; CSV download.
 */
export default function GasSeriesPage() {
  const { hub, unit, frequency, frequencies, rows, hasBasis, unmatched, canDownload } = useLoaderData<typeof loader>()
  const style: PeriodStyle = frequency === 'month' ? 'month' : 'day'
  const shownUnit = unit ?? '$/MMBtu'
  const oldestFirst = useMemo(() => [...rows].reverse(), [rows])
  const prices = useMemo(
    () =>
      mergePoints({
        hub: oldestFirst.map((r) => ({ t: pointTime(r, style), value: r.value })),
        ...(hasBasis ? { henryHub: oldestFirst.flatMap((r) => (r.henryHub === null ? [] : [{ t: pointTime(r, style), value: r.henryHub }])) } : {}),
      }),
    [oldestFirst, style, hasBasis],
  )
  const basis = useMemo(() => mergePoints({ basis: oldestFirst.flatMap((r) => (r.basis === null ? [] : [{ t: pointTime(r, style), value: r.basis }])) }), [oldestFirst, style])
  const domain = chartDomain(prices)
  const basisDomain = chartDomain(basis)
  const latest = rows[0]
  const range = frequency === 'month' ? 'monthly, whole history' : 'daily, last year'
  const columns: Column<GasSeriesRow>[] = [
    { key: 'period', label: style === 'day' ? 'Gas day' : 'Month', cell: (r) => <PeriodCell dateTime={periodKey(r, style)} label={periodLabel(r, style)} /> },
    { key: 'price', label: `${hub.name} (${shownUnit})`, num: true, cell: (r) => formatValue(r.value, unit) },
    { key: 'change', label: 'Change', num: true, cell: (r) => <Signed value={r.change} unit={unit} /> },
    ...(hasBasis
      ? [
          { key: 'hh', label: 'Henry Hub', num: true, cell: (r: GasSeriesRow) => formatValue(r.henryHub, unit) },
          { key: 'basis', label: 'Basis to Henry Hub', num: true, cell: (r: GasSeriesRow) => <Signed value={r.basis} unit={unit} /> },
        ]
      : []),
  ]
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / <Link to="/gas">Gas</Link> / <span aria-current="page">{hub.id}</span>
          </p>
          <h1>
            {hub.name} <span className="h1-sub">{hub.region}</span>
          </h1>
          <p className="page-lede">
            Spot price in {shownUnit} by gas day (the publisher&rsquo;s date, no clock)
            {hub.market ? <> · prices the gas-fired plants of <Link to={`/markets/${hub.market}`}>{MARKETS[hub.market].label}</Link></> : null}
            {hub.reference ? ' · the reference every basis is taken against' : ' · basis = this hub minus Henry Hub on the same gas day'}
          </p>
        </div>
        {rows.length > 0 && canDownload ? (
          <a className="button" href={gasCsvHref(hub.id, frequency)} download>
            Download CSV
          </a>
        ) : null}
      </header>
      {rows.length === 0 ? (
        <EmptyState title={`No ${hub.name} prices stored yet`}>
          {hub.reference
            ? 'Henry Hub arrives from EIA\u2019s daily and monthly spot workbooks once the ingest has run.'
            : 'Prices at hubs other than Henry Hub arrive from EIA\u2019s ICE next-day gas files, for the hubs those files carry.'}
        </EmptyState>
      ) : (
        <>
          <LatestCards
            label={`${hub.name}, latest, ${shownUnit}`}
            figures={[
              { label: hub.name, value: latest?.value ?? null, unit, change: latest?.change ?? null, foot: latest ? `${style === 'day' ? 'gas day' : ''} ${periodLabel(latest, style)}` : null },
              ...(hasBasis
                ? [
                    { label: 'Henry Hub', value: latest?.henryHub ?? null, unit, foot: latest?.henryHub == null ? 'not stored for that day' : 'same gas day' },
                    { label: 'Basis to Henry Hub', value: latest?.basis ?? null, unit, foot: `${hub.id}_HH` },
                  ]
                : []),
            ]}
          />
          {frequencies.length > 1 ? (
            <div className="toolbar" role="group" aria-label="View options">
              <Segmented
                label="Prices"
                current={frequency}
                options={(['day', 'month'] as const)
                  .filter((f) => frequencies.includes(f))
                  .map((f) => ({ value: f, label: f === 'day' ? 'Daily, last year' : 'Monthly, whole history', href: f === 'day' ? '?' : '?frequency=month' }))}
              />
            </div>
          ) : null}
          <section className="panel chart-panel" aria-label="Price chart">
            {domain ? (
              <SeriesChart
                points={prices}
                series={[
                  { key: 'hub', label: hub.name, color: SERIES_COLORS.hub, kind: 'line' },
                  ...(hasBasis ? [{ key: 'henryHub', label: 'Henry Hub', color: SERIES_COLORS.henryHub, kind: 'line' as const, dashed: true }] : []),
                ]}
                from={domain.from}
                to={domain.to}
                period={style}
                timeZone="UTC"
                unit={shownUnit}
                note={`${shownUnit} · ${style === 'day' ? 'gas day' : 'month'}`}
                title={`${hub.name} spot, ${range}`}
              />
            ) : null}
          </section>
          {hasBasis ? (
            <section className="panel chart-panel" aria-label="Basis chart">
              {basisDomain ? (
                <SeriesChart
                  points={basis}
                  series={[{ key: 'basis', label: `${hub.name} − Henry Hub`, color: SERIES_COLORS.basis, kind: 'line' }]}
                  from={basisDomain.from}
                  to={basisDomain.to}
                  period="day"
                  timeZone="UTC"
                  unit={shownUnit}
                  note={`${shownUnit} · gas day${unmatched > 0 ? ` · ${unmatched} day(s) only one side has` : ''}`}
                  title={`${hub.name} basis to Henry Hub, daily, last year`}
                  height={220}
                />
              ) : (
                <p className="muted panel-empty">No gas day in this range has both a {hub.name} and a Henry Hub price, so there is no basis to draw.</p>
              )}
            </section>
          ) : null}
          <section className="panel deferred-render" aria-label="Price table">
            <SeriesTable caption={`${hub.name} spot, ${range}, ${shownUnit}, newest first`} columns={columns} rows={rows} rowKey={(r) => r.periodStart} className="gas-series-table" />
          </section>
        </>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
