import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useMemo } from 'react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { SERIES_COLORS } from '#app/components/series/products.ts'
import { SeriesChart } from '#app/components/series/series-chart.tsx'
import { LatestCards, PeriodCell, SeriesTable, type Column } from '#app/components/series/series-table.tsx'
import { chartDomain, formatValue, mergePoints, periodKey, pointTime } from '#app/components/series/series-view.ts'
import { loadRecSeries, type RecQuoteRow } from '#app/utils/hub-products.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data, params }) => [
  { title: data ? `${data.series} · REC quotes · 254Carbon` : `${params.series ?? 'REC series'} not found · 254Carbon` },
]

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadRecSeries(request, context, params, { channel: 'hub', procedure: 'hub:rec-series' })
}

/** Points of one field of the quotes (oldest first) where it is given. */
function quotePoints(rows: readonly RecQuoteRow[], pick: (row: RecQuoteRow) => number | null) {
  return rows.flatMap((r) => {
    const value = pick(r)
    return value === null ? [] : [{ t: pointTime(r, 'day'), value }]
  }).reverse()
}

/** One REC series: every quote (price, and bid and ask where given) as a chart and a table, CSV download. */
export default function RecSeriesPage() {
  const { series, unit, info, classDescription, rows, canDownload } = useLoaderData<typeof loader>()
  const points = useMemo(
    () =>
      mergePoints({
        price: quotePoints(rows, (r) => r.value),
        bid: quotePoints(rows, (r) => r.bid),
        ask: quotePoints(rows, (r) => r.ask),
      }),
    [rows],
  )
  const domain = chartDomain(points)
  const latest = rows[0]
  const columns: Column<RecQuoteRow>[] = [
    { key: 'date', label: 'Quote date', cell: (r) => <PeriodCell dateTime={periodKey(r, 'day')} label={periodKey(r, 'day')} /> },
    { key: 'price', label: `Price (${unit})`, num: true, cell: (r) => formatValue(r.value, unit) },
    { key: 'bid', label: 'Bid', num: true, cell: (r) => formatValue(r.bid, unit) },
    { key: 'ask', label: 'Ask', num: true, cell: (r) => formatValue(r.ask, unit) },
    { key: 'note', label: 'Note', cell: (r) => r.note ?? '' },
  ]
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / <Link to="/recs">RECs</Link> / <span aria-current="page">{series}</span>
          </p>
          <h1>
            {info.state} {info.recClass} {info.vintage} <span className="h1-sub">{info.program} · {series}</span>
          </h1>
          <p className="page-lede">
            {classDescription ?? info.recClass} · vintage {info.vintage} · quotes in {unit} by quote date.
          </p>
        </div>
        {canDownload ? (
          <a className="button" href={`/recs/${series}.csv`} download>
            Download CSV
          </a>
        ) : null}
      </header>
      <LatestCards
        label={`${series}, latest quote, ${unit}`}
        figures={[
          { label: 'Latest quote', value: latest?.value ?? null, unit, foot: latest ? periodKey(latest, 'day') : null },
          { label: 'Bid', value: latest?.bid ?? null, unit, foot: latest?.bid == null ? 'not given' : unit },
          { label: 'Ask', value: latest?.ask ?? null, unit, foot: latest?.ask == null ? 'not given' : unit },
        ]}
      />
      <section className="panel chart-panel" aria-label="Quote chart">
        {domain ? (
          <SeriesChart
            points={points}
            series={[
              { key: 'price', label: 'Price', color: SERIES_COLORS.price, kind: 'line' },
              { key: 'bid', label: 'Bid', color: SERIES_COLORS.bid, kind: 'line', dashed: true },
              { key: 'ask', label: 'Ask', color: SERIES_COLORS.ask, kind: 'line', dashed: true },
            ]}
            from={domain.from}
            to={domain.to}
            period="day"
            timeZone="UTC"
            unit={unit}
            note={`${unit} · quote date`}
            title={`${series} quotes`}
          />
        ) : null}
      </section>
      <section className="panel deferred-render" aria-label="Quote table">
        <SeriesTable caption={`${series} quotes, ${unit}, newest first`} columns={columns} rows={rows} rowKey={(r) => r.periodStart} className="rec-quotes-table" />
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
