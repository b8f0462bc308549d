import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useMemo } from 'react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { SERIES_COLORS } from '#app/components/series/products.ts'
import { SeriesChart } from '#app/components/series/series-chart.tsx'
import { LatestCards, PeriodCell, SeriesTable, Signed, type Column } from '#app/components/series/series-table.tsx'
import { chartDomain, formatValue, mergePoints, pointTime } from '#app/components/series/series-view.ts'
import { loadLcfs, type LcfsWeekRow } from '#app/utils/hub-products.server.ts'

export const meta: MetaFunction = () => [{ title: 'LCFS credits · CARB weekly prices and volumes · 254Carbon' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadLcfs(request, context, { channel: 'hub', procedure: 'hub:lcfs' })
}

/** One column's points, oldest first, from the weeks' rows (newest first). */
function weekPoints(rows: readonly LcfsWeekRow[], pick: (row: LcfsWeekRow) => number | null) {
  return rows.flatMap((r) => {
    const value = pick(r)
    return value === null ? [] : [{ t: pointTime(r, 'week-of'), value }]
  }).reverse()
}

const WEEK_MS = 7 * 86_400_000

/**
 * California LCFS credits: CARB's weekly volume-weighted average credit price (all completed
 * transfers and Type 1 transfers, zero-price transfers excluded) and the credits transferred,
 * by the week CARB dates by its Monday; charts, table, CSV, and the way to compliance.
 */
export default function LcfsPage() {
  const { priceUnit, volumeUnit, rows, canDownload } = useLoaderData<typeof loader>()
  const prices = useMemo(
    () => mergePoints({ price: weekPoints(rows, (r) => r.price), type1: weekPoints(rows, (r) => r.type1Price) }),
    [rows],
  )
  const volumes = useMemo(() => mergePoints({ volume: weekPoints(rows, (r) => r.volume) }), [rows])
  const priceDomain = chartDomain(prices, WEEK_MS)
  const volumeDomain = chartDomain(volumes, WEEK_MS)
  const latest = rows[0]
  const columns: Column<LcfsWeekRow>[] = [
    { key: 'week', label: 'Week of', cell: (r) => <PeriodCell dateTime={r.weekOf} label={r.weekOf} /> },
    { key: 'price', label: `Average price (${priceUnit})`, num: true, cell: (r) => formatValue(r.price, priceUnit) },
    { key: 'change', label: 'Change', num: true, cell: (r) => <Signed value={r.change} unit={priceUnit} /> },
    { key: 'type1', label: `Type 1 average (${priceUnit})`, num: true, cell: (r) => formatValue(r.type1Price, priceUnit) },
    { key: 'volume', label: `Credits transferred (${volumeUnit})`, num: true, cell: (r) => formatValue(r.volume, volumeUnit) },
  ]
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / LCFS
          </p>
          <h1>
            LCFS credits <span className="h1-sub">California Low Carbon Fuel Standard, weekly</span>
          </h1>
          <p className="page-lede">
            CARB&rsquo;s weekly credit transfer report: the volume-weighted average price of the week&rsquo;s completed transfers in{' '}
            {priceUnit} (one credit is one metric ton of CO2e; zero-price transfers excluded) and the credits transferred ({volumeUnit}), by
            the week CARB dates by its Monday. Obligations and deadlines: <Link to="/compliance">Compliance</Link>.
          </p>
        </div>
        {rows.length > 0 && canDownload ? (
          <a className="button" href="/lcfs.csv" download>
            Download CSV
          </a>
        ) : null}
      </header>
      {rows.length === 0 ? (
        <EmptyState title="No LCFS credit prices stored yet">CARB&rsquo;s weekly workbook is read once the ingest has run.</EmptyState>
      ) : (
        <>
          <LatestCards
            label={`LCFS, week of ${latest?.weekOf ?? ''}`}
            figures={[
              { label: 'Average credit price', value: latest?.price ?? null, unit: priceUnit, change: latest?.change ?? null, foot: `week of ${latest?.weekOf ?? ''} · ${priceUnit}` },
              { label: 'Type 1 average', value: latest?.type1Price ?? null, unit: priceUnit, foot: latest?.type1Price == null ? 'not given that week' : `completed within 10 days of agreement · ${priceUnit}` },
              { label: 'Credits transferred', value: latest?.volume ?? null, unit: volumeUnit, foot: volumeUnit },
            ]}
          />
          <section className="panel chart-panel" aria-label="LCFS price chart">
            {priceDomain ? (
              <SeriesChart
                points={prices}
                series={[
                  { key: 'price', label: 'Average price, all transfers', color: SERIES_COLORS.price, kind: 'line' },
                  { key: 'type1', label: 'Type 1 transfers', color: SERIES_COLORS.type1, kind: 'line', dashed: true },
                ]}
                from={priceDomain.from}
                to={priceDomain.to}
                period="week-of"
                timeZone="UTC"
                unit={priceUnit}
                note={`${priceUnit} · week of (Monday)`}
                title="LCFS credit price, weekly"
              />
            ) : null}
          </section>
          <section className="panel chart-panel" aria-label="LCFS volume chart">
            {volumeDomain ? (
              <SeriesChart
                points={volumes}
                series={[{ key: 'volume', label: 'Credits transferred', color: SERIES_COLORS.volume, kind: 'bar' }]}
                from={volumeDomain.from}
                to={volumeDomain.to}
                period="week-of"
                timeZone="UTC"
                unit={volumeUnit}
                note={`${volumeUnit} · week of (Monday)`}
                title="LCFS credits transferred, weekly"
                height={200}
              />
            ) : (
              <p className="muted panel-empty">No weekly volumes stored.</p>
            )}
          </section>
          <section className="panel deferred-render" aria-label="LCFS weekly table">
            <SeriesTable caption={`LCFS credit transfers, weekly, newest first`} columns={columns} rows={rows} rowKey={(r) => r.periodStart} className="lcfs-table" />
          </section>
        </>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
