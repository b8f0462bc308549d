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
import { loadLcfsMonthly, type LcfsMonthRow, type LcfsMonthlyView } from '#app/utils/lcfs.server.ts'

export const meta: MetaFunction = () => [{ title: 'LCFS credits · CARB weekly and monthly credit transfers · 254Carbon' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const weekly = await loadLcfs(request, context, { channel: 'hub', procedure: 'hub:lcfs' })
  const monthly = await loadLcfsMonthly(request, context, { channel: 'hub', procedure: 'hub:lcfs-monthly' })
  return { ...weekly, monthly }
}

/** One column's points, oldest first, from the weeks' rows (newest first). */
function weekPoints(rows: readonly LcfsWeekRow[], pick: (row: LcfsWeekRow) => number | null) {
  return rows.flatMap((r) => {
    const value = pick(r)
    return value === null ? [] : [{ t: pointTime(r, 'week-of'), value }]
  }).reverse()
}

const WEEK_MS = 7 * 86_400_000
const MONTH_MS = 31 * 86_400_000

/** One column's points, oldest first, from the months' rows (newest first). */
function monthPoints(rows: readonly LcfsMonthRow[], pick: (row: LcfsMonthRow) => number | null) {
  return rows.flatMap((r) => {
    const value = pick(r)
    return value === null ? [] : [{ t: pointTime(r, 'month'), value }]
  }).reverse()
}

/**
 * CARB's monthly credit transfer activity beside the weekly series: the latest month's figures,
 * the average price by month, the transfers and credits by month, and the table (zero-price
 * transfers, which CARB leaves out of the average, counted apart).
 */
function MonthlyTransfers({ view, canDownload }: { view: LcfsMonthlyView; canDownload: boolean }) {
  const { priceUnit, volumeUnit, rows } = view
  const prices = useMemo(() => mergePoints({ price: monthPoints(rows, (r) => r.price) }), [rows])
  const activity = useMemo(() => mergePoints({ transfers: monthPoints(rows, (r) => r.transfers) }), [rows])
  const priceDomain = chartDomain(prices, MONTH_MS)
  const activityDomain = chartDomain(activity, MONTH_MS)
  const latest = rows[0]
  const columns: Column<LcfsMonthRow>[] = [
    { key: 'month', label: 'Month', cell: (r) => <PeriodCell dateTime={r.month} label={r.month} /> },
    { key: 'transfers', label: 'Transfers', num: true, cell: (r) => formatValue(r.transfers, 'count') },
    { key: 'volume', label: `Credits transferred (${volumeUnit})`, num: true, cell: (r) => formatValue(r.volume, volumeUnit) },
    { key: 'price', label: `Average price (${priceUnit})`, num: true, cell: (r) => formatValue(r.price, priceUnit) },
    { key: 'change', label: 'Change', num: true, cell: (r) => <Signed value={r.change} unit={priceUnit} /> },
    { key: 'zeroTransfers', label: 'Zero-price transfers', num: true, cell: (r) => formatValue(r.zeroTransfers, 'count') },
    { key: 'zeroVolume', label: `Zero-price credits (${volumeUnit})`, num: true, cell: (r) => formatValue(r.zeroVolume, volumeUnit) },
  ]
  return (
    <>
      <div className="page-header">
        <div>
          <h2 id="lcfs-monthly-heading">Monthly credit transfer activity</h2>
          <p className="page-lede">
            CARB&rsquo;s monthly report: the transfers reported in each month, the credits they moved ({volumeUnit}) and their volume-weighted
            average price ({priceUnit}); transfers at or near zero price are left out of all three and counted apart where CARB gives them.
          </p>
        </div>
        {canDownload ? (
          <a className="button" href="/lcfs-monthly.csv" download>
            Download monthly CSV
          </a>
        ) : null}
      </div>
      <LatestCards
        label={`LCFS, month ${latest?.month ?? ''}`}
        figures={[
          { label: 'Transfers', value: latest?.transfers ?? null, unit: 'count', foot: `${latest?.month ?? ''} · count` },
          { label: 'Credits transferred', value: latest?.volume ?? null, unit: volumeUnit, foot: `${latest?.month ?? ''} · ${volumeUnit}` },
          { label: 'Average credit price', value: latest?.price ?? null, unit: priceUnit, change: latest?.change ?? null, foot: `${latest?.month ?? ''} · ${priceUnit}` },
        ]}
      />
      <section className="panel chart-panel" aria-label="LCFS monthly price chart">
        {priceDomain ? (
          <SeriesChart
            points={prices}
            series={[{ key: 'price', label: 'Average price, monthly', color: SERIES_COLORS.price, kind: 'line' }]}
            from={priceDomain.from}
            to={priceDomain.to}
            period="month"
            timeZone="UTC"
            unit={priceUnit}
            note={`${priceUnit} · month`}
            title="LCFS credit price, monthly"
          />
        ) : (
          <p className="muted panel-empty">No monthly prices stored.</p>
        )}
      </section>
      <section className="panel chart-panel" aria-label="LCFS monthly transfers chart">
        {activityDomain ? (
          <SeriesChart
            points={activity}
            // A line, not bars: the shared chart's value axis is fitted to the data, and bars not starting at zero would mislead.
            series={[{ key: 'transfers', label: 'Transfers', color: SERIES_COLORS.type1, kind: 'line' }]}
            from={activityDomain.from}
            to={activityDomain.to}
            period="month"
            timeZone="UTC"
            unit="count"
            note="count · month"
            title="LCFS credit transfers, monthly"
            height={200}
          />
        ) : (
          <p className="muted panel-empty">No monthly transfer counts stored.</p>
        )}
      </section>
      <section className="panel" aria-label="LCFS monthly table">
        <SeriesTable caption="LCFS credit transfers, monthly, newest first" columns={columns} rows={rows} rowKey={(r) => r.periodStart} className="lcfs-monthly-table" />
      </section>
    </>
  )
}

/**
 * California LCFS credits: CARB's weekly volume-weighted average credit price (all completed
 * transfers and Type 1 transfers, zero-price transfers excluded) and the credits transferred,
 * by the week CARB dates by its Monday; charts, table, CSV, and the way to compliance.
 */
export default function LcfsPage() {
  const { priceUnit, volumeUnit, rows, canDownload, monthly } = useLoaderData<typeof loader>()
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
            LCFS credits <span className="h1-sub">California Low Carbon Fuel Standard, weekly and monthly</span>
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
      {rows.length === 0 && monthly.rows.length === 0 ? (
        <EmptyState title="No LCFS credit prices stored yet">CARB&rsquo;s weekly workbook and monthly report are read once the ingest has run.</EmptyState>
      ) : null}
      {rows.length === 0 ? null : (
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
      {monthly.rows.length > 0 ? <MonthlyTransfers view={monthly} canDownload={canDownload} /> : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
