import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useMemo } from 'react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { LNG_BENCHMARK_IDS as LNG_SERIES, SERIES_COLORS } from '#app/components/series/products.ts'
import { SeriesChart } from '#app/components/series/series-chart.tsx'
import { LatestCards, PeriodCell, SeriesTable, Signed, type Column } from '#app/components/series/series-table.tsx'
import { chartDomain, formatValue, mergePoints, periodKey, pointTime } from '#app/components/series/series-view.ts'
import { formatInteger } from '#app/utils/format.ts'
import { loadLng, type LngWeekRow } from '#app/utils/hub-products.server.ts'

export const meta: MetaFunction = () => [{ title: 'LNG · JKM, TTF and basis to Henry Hub · 254Carbon' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadLng(request, context, { channel: 'hub', procedure: 'hub:lng' })
}

/** Each benchmark's points, oldest first, from the weeks' rows (newest first). */
function benchmarkPoints(rows: readonly LngWeekRow[], pick: (row: LngWeekRow) => number | null | undefined) {
  return rows.flatMap((r) => {
    const value = pick(r)
    return value == null ? [] : [{ t: pointTime(r, 'week-ending'), value }]
  }).reverse()
}

/**
 * LNG: EIA's weekly JKM and TTF prices (weeks ending Wednesday) with the change from the week
 * before EIA states, their basis to Henry Hub (the weekly price minus Henry Hub's average of the
 * same week, with the number of gas days that average took), charts, table and CSV.
 */
export default function LngPage() {
  const { unit, names, rows, withoutHenryHub, canDownload } = useLoaderData<typeof loader>()
  const prices = useMemo(
    () =>
      mergePoints({
        JKM: benchmarkPoints(rows, (r) => r.prices.JKM?.value),
        TTF: benchmarkPoints(rows, (r) => r.prices.TTF?.value),
        henryHub: benchmarkPoints(rows, (r) => r.henryHub?.value),
      }),
    [rows],
  )
  const basis = useMemo(
    () => mergePoints({ JKM: benchmarkPoints(rows, (r) => r.basis.JKM), TTF: benchmarkPoints(rows, (r) => r.basis.TTF) }),
    [rows],
  )
  const domain = chartDomain(prices, 7 * 86_400_000)
  const basisDomain = chartDomain(basis, 7 * 86_400_000)
  const latest = rows[0]
  const columns: Column<LngWeekRow>[] = [
    { key: 'week', label: 'Week ending', cell: (r) => <PeriodCell dateTime={periodKey(r, 'week-ending')} label={periodKey(r, 'week-ending')} /> },
    ...LNG_SERIES.flatMap((b): Column<LngWeekRow>[] => [
      { key: b, label: `${b} (${unit})`, num: true, cell: (r) => formatValue(r.prices[b]?.value, unit) },
      { key: `${b}-change`, label: 'w/w (EIA)', num: true, cell: (r) => <Signed value={r.prices[b]?.change} unit={unit} /> },
    ]),
    { key: 'hh', label: 'Henry Hub weekly avg', num: true, cell: (r) => formatValue(r.henryHub?.value, unit) },
    { key: 'hh-days', label: 'HH days', num: true, cell: (r) => (r.henryHub?.days == null ? '—' : formatInteger(r.henryHub.days)) },
    ...LNG_SERIES.map((b): Column<LngWeekRow> => ({ key: `${b}-basis`, label: `${b} − HH`, num: true, cell: (r) => <Signed value={r.basis[b]} unit={unit} /> })),
  ]
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / LNG
          </p>
          <h1>
            LNG <span className="h1-sub">JKM and TTF, weekly, and their basis to Henry Hub</span>
          </h1>
          <p className="page-lede">
            Weekly averages in {unit} from EIA&rsquo;s Weekly Natural Gas Storage Report (prices credited to Bloomberg), for weeks ending
            Wednesday. Basis: the weekly price minus the average of Henry Hub&rsquo;s daily spot prices in the same week (Thursday to Wednesday).
          </p>
        </div>
        <div className="curve-actions">
          <Link className="button" to="/lng/curves">
            Basis curves
          </Link>
          {rows.length > 0 && canDownload ? (
            <a className="button" href="/lng.csv" download>
              Download CSV
            </a>
          ) : null}
        </div>
      </header>
      {rows.length === 0 ? (
        <EmptyState title="No LNG prices stored yet">EIA&rsquo;s weekly LNG bullet is read once the ingest has run.</EmptyState>
      ) : (
        <>
          <LatestCards
            label={`LNG, week ending ${latest ? periodKey(latest, 'week-ending') : ''}, ${unit}`}
            figures={[
              ...LNG_SERIES.map((b) => ({
                label: b,
                value: latest?.prices[b]?.value ?? null,
                unit,
                change: latest?.prices[b]?.change ?? null,
                foot: latest ? `week ending ${periodKey(latest, 'week-ending')} · change as EIA states it` : null,
                title: names[b],
              })),
              {
                label: 'Henry Hub weekly average',
                value: latest?.henryHub?.value ?? null,
                unit,
                foot: latest?.henryHub ? `${latest.henryHub.days ?? '?'} gas days, Thursday to Wednesday` : 'no daily Henry Hub prices that week',
              },
              ...LNG_SERIES.map((b) => ({ label: `${b} − HH`, value: latest?.basis[b] ?? null, unit, foot: `${b}_HH` })),
            ]}
          />
          <section className="panel chart-panel" aria-label="LNG price chart">
            {domain ? (
              <SeriesChart
                points={prices}
                series={[
                  { key: 'JKM', label: 'JKM', color: SERIES_COLORS.JKM, kind: 'line' },
                  { key: 'TTF', label: 'TTF', color: SERIES_COLORS.TTF, kind: 'line' },
                  { key: 'henryHub', label: 'Henry Hub weekly average', color: SERIES_COLORS.henryHub, kind: 'line', dashed: true },
                ]}
                from={domain.from}
                to={domain.to}
                period="week-ending"
                timeZone="UTC"
                unit={unit}
                note={`${unit} · week ending`}
                title="JKM, TTF and Henry Hub, weekly"
              />
            ) : null}
          </section>
          <section className="panel chart-panel" aria-label="LNG basis chart">
            {basisDomain ? (
              <SeriesChart
                points={basis}
                series={[
                  { key: 'JKM', label: 'JKM − Henry Hub', color: SERIES_COLORS.JKM, kind: 'line' },
                  { key: 'TTF', label: 'TTF − Henry Hub', color: SERIES_COLORS.TTF, kind: 'line' },
                ]}
                from={basisDomain.from}
                to={basisDomain.to}
                period="week-ending"
                timeZone="UTC"
                unit={unit}
                note={`${unit} · week ending`}
                title="JKM and TTF basis to Henry Hub, weekly"
                height={220}
              />
            ) : (
              <p className="muted panel-empty">No week with an LNG price has Henry Hub daily prices stored, so there is no basis yet.</p>
            )}
            {withoutHenryHub > 0 && basisDomain ? (
              <p className="muted chart-footnote">
                {withoutHenryHub} week(s) have no Henry Hub daily price stored: no basis for them.
              </p>
            ) : null}
          </section>
          <section className="panel deferred-render" aria-label="LNG weekly prices">
            <SeriesTable caption={`JKM, TTF and basis to Henry Hub, weekly, ${unit}, newest first`} columns={columns} rows={rows} rowKey={(r) => r.periodStart} className="lng-table" />
          </section>
        </>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
