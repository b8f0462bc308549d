import { Form, Link, useNavigation } from '@remix-run/react'
import { useMemo } from 'react'
import { BUILD_WAIT_MS, chartSeries, CURVE_GRANULARITIES, GRANULARITY_LABELS, monthEndMs, monthStartMs, shortHash, type QuoteSegment } from '#app/utils/curve-view.ts'
import { formatInteger } from '#app/utils/format.ts'
import type { FuelBuildAnswer, FuelCurveView } from '#app/utils/fuel-curves.server.ts'
import { EmptyState } from './empty-state.tsx'
import { FuelCurveChart, formatFuelPrice } from './fuel-curve-chart.tsx'
import { Segmented } from './segmented.tsx'

/**
 * The fuel curve pages of /gas/curves and /lng/curves: the list of a product's curves, and one
 * curve with its chart, periods table (quarters for ten years, calendar years beyond), quotes with
 * their repriced values, CSV download and the build form (pasted CSV quotes).
 */

const PRODUCT_LABELS = { GAS: { page: 'Gas', href: '/gas', what: 'Natural gas forward curves' }, LNG: { page: 'LNG', href: '/lng', what: 'LNG basis curves to Henry Hub' } } as const

type ListCurve = {
  curve: string
  name: string
  unit: string
  commodity: 'gas' | 'lng_basis'
  asOfDates: string[]
  latest: { asOf: string; version: number; quoteCount: number; requestedBy: string } | null
}

/** A product's curves with their latest build, each linked to its page. */
export function FuelCurveListPage({ product, base, curves, canBuild }: { product: 'GAS' | 'LNG'; base: string; curves: ListCurve[]; canBuild: boolean }) {
  const label = PRODUCT_LABELS[product]
  const built = curves.filter((c) => c.latest)
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/">Overview</Link> / <Link to={label.href}>{label.page}</Link> / <span aria-current="page">Forward curves</span>
          </p>
          <h1>
            {label.what} <span className="h1-sub">monthly to 2050, from quotes</span>
          </h1>
          <p className="page-lede">
            One price per delivery month in $/MMBtu, solved through every quote with the power curves&rsquo; solver; a quarter, calendar year or strip is
            the calendar-days-weighted average of its months (gas trades per MMBtu per day).
            {product === 'LNG' ? ' A basis is the benchmark minus Henry Hub and may be negative.' : ''}
          </p>
        </div>
      </header>
      {built.length === 0 ? (
        <EmptyState title="No curve built yet">
          {canBuild ? 'Open a curve below and paste its quotes to build the first version.' : 'An analyst of your organization builds curves from quotes; the house curves appear here once published.'}
        </EmptyState>
      ) : null}
      <section className="panel" aria-labelledby="fuel-curves-title">
        <header className="panel-header">
          <h2 id="fuel-curves-title">Curves</h2>
        </header>
        <div className="table-scroll">
          <table className="data-table curve-list fuel-curve-list">
            <thead>
              <tr>
                <th scope="col" className="text">
                  Curve
                </th>
                <th scope="col" className="text">
                  Unit
                </th>
                <th scope="col" className="text">
                  Latest as-of
                </th>
                <th scope="col" className="num">
                  Version
                </th>
                <th scope="col" className="num">
                  Quotes
                </th>
                <th scope="col" className="text">
                  Built by
                </th>
              </tr>
            </thead>
            <tbody>
              {curves.map((c) => (
                <tr key={c.curve} data-curve={c.curve}>
                  <th scope="row" className="text">
                    <Link to={`${base}/${c.curve}`} className="node-link">
                      {c.name}
                    </Link>
                    <div className="muted mono curve-node">{c.curve}</div>
                  </th>
                  <td className="text">{c.unit}</td>
                  {c.latest ? (
                    <>
                      <td className="time" data-as-of>
                        {c.latest.asOf}
                        {c.asOfDates.length > 1 ? <span className="muted"> · {c.asOfDates.length} dates</span> : null}
                      </td>
                      <td className="num">v{c.latest.version}</td>
                      <td className="num">{formatInteger(c.latest.quoteCount)}</td>
                      <td className="text">{c.latest.requestedBy}</td>
                    </>
                  ) : (
                    <td className="text muted" colSpan={4}>
                      No curve built yet
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  )
}

function PeriodsTable({ view, unit, name, granularity }: { view: NonNullable<FuelCurveView['view']>; unit: string; name: string; granularity: FuelCurveView['granularity'] }) {
  return (
    <div className="table-scroll">
      <table className="data-table curve-periods fuel-curve-periods" data-granularity={granularity}>
        <caption>
          {name} as of {view.build.asOf} (v{view.build.version}), {GRANULARITY_LABELS[granularity].toLowerCase()} view · {formatInteger(view.points.length)} periods ·
          prices calendar-days-weighted, {unit}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="text">
              Period
            </th>
            <th scope="col" className="text">
              Months
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Days
            </th>
          </tr>
        </thead>
        <tbody>
          {view.points.map((p) => (
            <tr key={p.period} data-period={p.period}>
              <th scope="row" className="text">
                {p.period}
              </th>
              <td className="time">{p.first === p.last ? p.first : `${p.first} – ${p.last}`}</td>
              <td className="num strong">{formatFuelPrice(p.price)}</td>
              <td className="num muted">{formatInteger(p.days)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function QuotesTable({ quotes, unit }: { quotes: NonNullable<FuelCurveView['view']>['quotes']; unit: string }) {
  return (
    <div className="table-scroll">
      <table className="data-table curve-quotes fuel-curve-quotes">
        <caption>
          {formatInteger(quotes.length)} quotes of this build · repriced = the curve&rsquo;s calendar-days-weighted price over the contract, {unit}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="text">
              Contract
            </th>
            <th scope="col" className="text">
              Delivery
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Repriced
            </th>
            <th scope="col" className="num">
              Bid
            </th>
            <th scope="col" className="num">
              Ask
            </th>
          </tr>
        </thead>
        <tbody>
          {quotes.map((q, i) => (
            <tr key={`${q.contract}:${i}`} data-contract={q.contract}>
              <th scope="row" className="text mono">
                {q.contract}
              </th>
              <td className="time">{q.first === q.last ? q.first : `${q.first} – ${q.last}`}</td>
              <td className="num strong">{formatFuelPrice(q.price)}</td>
              <td className="num" data-repriced>
                {formatFuelPrice(q.repriced)}
              </td>
              <td className="num muted">{formatFuelPrice(q.bid)}</td>
              <td className="num muted">{formatFuelPrice(q.ask)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The build form: the as-of date and the quotes pasted as CSV; a refusal shows its message (line, field, value) above it. */
function BuildForm({ data, answer }: { data: FuelCurveView; answer: FuelBuildAnswer | undefined }) {
  const navigation = useNavigation()
  const building = navigation.state === 'submitting' && navigation.formMethod?.toLowerCase() === 'post'
  const kept = answer?.values ?? null
  return (
    <section className="panel" aria-labelledby="fuel-build-title">
      {answer ? (
        <div className={answer.pending ? 'flash flash-ok curve-build-message' : 'flash flash-error curve-build-message'} role="alert">
          {answer.pending ? answer.message : (
            <>
              <strong>The curve was not built.</strong> {answer.message}
            </>
          )}
        </div>
      ) : null}
      <Form method="post" className="search-form curve-build-form" aria-labelledby="fuel-build-title">
        <h2 className="form-title" id="fuel-build-title">
          Build a new version
        </h2>
        <div className="field">
          <label htmlFor="fuel-build-as-of">As-of date</label>
          <input id="fuel-build-as-of" name="asOf" type="date" required max={data.defaultAsOf} defaultValue={kept?.asOf || data.defaultAsOf} />
        </div>
        <div className="field curve-quotes-field">
          <label htmlFor="fuel-build-quotes">
            Quotes as CSV: <span className="mono">contract,price[,bid,ask]</span>
          </label>
          <textarea id="fuel-build-quotes" name="quotes" rows={14} spellCheck={false} autoComplete="off" defaultValue={kept ? kept.quotes : data.quotesCsv} />
          <p className="field-hint">
            Contracts: <span className="mono">2027-01</span> (month), <span className="mono">2027-Q3</span>, <span className="mono">Cal-2028</span>,{' '}
            <span className="mono">2027-01/2027-03</span> (strip). Prices in {data.curve.unit}
            {data.curve.commodity === 'lng_basis' ? ' (a basis may be negative)' : ''}. Your builds are private to your organization.
          </p>
        </div>
        <div className="field field-actions">
          <button type="submit" className="button button-primary" disabled={building}>
            {building ? 'Building…' : 'Build curve'}
          </button>
          <p className="field-hint" role="status" aria-live="polite">
            {building ? `Solving the curve to 2050 (waits up to ${BUILD_WAIT_MS / 1000} s)…` : null}
          </p>
        </div>
      </Form>
    </section>
  )
}

/** One fuel curve: build facts, chart, periods, quotes, CSV link and (analysts) the build form; an empty state before any build. */
export function FuelCurvePage({ data, answer }: { data: FuelCurveView; answer: FuelBuildAnswer | undefined }) {
  const { curve, view, granularity, base } = data
  const label = PRODUCT_LABELS[data.product]
  const series = useMemo(() => chartSeries(view ? view.points.map((p) => ({ period: p.period, first: p.first, last: p.last, value: p.price })) : []), [view])
  const segments: QuoteSegment[] = useMemo(
    () =>
      (view?.quotes ?? [])
        .map((q) => ({ contract: q.contract, price: q.price, repriced: q.repriced, x1: monthStartMs(q.first), x2: monthEndMs(q.last) }))
        .sort((a, b) => a.x1 - b.x1 || a.x2 - b.x2),
    [view],
  )
  const search = (g: string, asOf?: string) => {
    const params = new URLSearchParams()
    if (asOf) params.set('asOf', asOf)
    if (g !== 'standard') params.set('granularity', g)
    const text = params.toString()
    return text ? `?${text}` : ''
  }
  const shownAsOf = view && data.asOfDates[0] !== view.build.asOf ? view.build.asOf : undefined
  return (
    <div className="page" data-as-of={view?.build.asOf} data-version={view?.build.version}>
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to={label.href}>{label.page}</Link> / <Link to={base}>Forward curves</Link> / <span aria-current="page">{curve.curve}</span>
          </p>
          <h1>
            {curve.name} <span className="h1-sub">forward curve · {curve.unit}</span>
          </h1>
          {view ? (
            <p className="page-lede">
              As of <strong>{view.build.asOf}</strong>, version <strong data-current-version>{view.build.version}</strong> · {formatInteger(view.build.quoteCount)} quotes ·
              delivery {view.points[0]?.first ?? '—'} to {view.points.at(-1)?.last ?? '—'} · built by {view.build.requestedBy} · inputs{' '}
              <span className="mono" title={view.build.inputsHash}>
                {shortHash(view.build.inputsHash)}
              </span>
            </p>
          ) : null}
        </div>
        {view && data.canDownload ? (
          <div className="curve-actions">
            <a className="button" href={`${base}/${curve.curve}.csv${search(granularity, view.build.asOf)}`} download>
              Download CSV
            </a>
          </div>
        ) : null}
      </header>

      {view ? (
        <>
          <div className="toolbar" role="group" aria-label="View options">
            {data.asOfDates.length > 1 ? (
              <Segmented
                label="As of"
                current={view.build.asOf}
                options={data.asOfDates.slice(0, 6).map((d) => ({ value: d, label: d, href: `${base}/${curve.curve}${search(granularity, d === data.asOfDates[0] ? undefined : d)}` }))}
              />
            ) : null}
            <Segmented
              label="Periods"
              current={granularity}
              options={CURVE_GRANULARITIES.map((g) => ({ value: g, label: GRANULARITY_LABELS[g], href: `${base}/${curve.curve}${search(g, shownAsOf)}`, title: g === 'standard' ? 'Quarters for ten years, then calendar years' : undefined }))}
            />
          </div>
          <section className="panel chart-panel" aria-label="Curve chart">
            {series.length > 0 ? (
              <FuelCurveChart
                points={series}
                segments={segments}
                seriesLabel={`As of ${view.build.asOf} v${view.build.version}`}
                unit={curve.unit}
                firstPeriod={view.points[0]?.period ?? null}
                lastPeriod={view.points.at(-1)?.period ?? null}
                title={`${curve.name} forward curve as of ${view.build.asOf}, ${GRANULARITY_LABELS[granularity].toLowerCase()} view`}
              />
            ) : (
              <p className="muted panel-empty">This build has no delivery periods from its as-of month on.</p>
            )}
          </section>
          <section className="panel deferred-render" aria-label="Periods">
            <PeriodsTable view={view} unit={curve.unit} name={curve.name} granularity={granularity} />
          </section>
          <section className="panel deferred-render" aria-label="Quotes">
            <QuotesTable quotes={view.quotes} unit={curve.unit} />
          </section>
        </>
      ) : (
        <EmptyState title={`No ${curve.name} curve built yet`}>
          {data.canBuild ? 'Paste the quotes below to build the first version.' : 'An analyst of your organization builds it from quotes, or the house curve appears here once published.'}
        </EmptyState>
      )}

      {data.canBuild ? <BuildForm data={data} answer={answer} /> : null}
    </div>
  )
}
