import { Form, Link, useNavigation, useSubmit } from '@remix-run/react'
import { useMemo } from 'react'
import {
  BUILD_WAIT_MS,
  chartSeries,
  CURVE_GRANULARITIES,
  curveSearch,
  GRANULARITY_LABELS,
  monthEndMs,
  monthStartMs,
  shortHash,
  type CurveGranularity,
  type PriceSpan,
  type QuoteSegment,
} from '#app/utils/curve-view.ts'
import { formatInteger } from '#app/utils/format.ts'
import type { FuelBuildAnswer, FuelCurveView } from '#app/utils/fuel-curves.server.ts'
import type { FuelCompareOutput, FuelPeriodRow } from '#server/services/curves/fuel-schemas.ts'
import { CurveDateSelect, dateChoices } from './curve-date-select.tsx'
import { EmptyState } from './empty-state.tsx'
import { FuelCurveChart, formatFuelChange, formatFuelPrice } from './fuel-curve-chart.tsx'
import { Segmented } from './segmented.tsx'

/**
 * The fuel curve pages of /gas/curves and /lng/curves: the list of a product's curves, and one
 * curve with its as-of date and version pickers, "Compare with" another build (the change per
 * period in the table, a dashed line on the chart, as the power curve page has), chart, periods
 * table (quarters for ten years, calendar years beyond), quotes with their repriced values, CSV
 * download and the build form (pasted CSV quotes).
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

/**
 * The page's history beside FuelCurveView's build, as loadFuelCurveView answers it with
 * fuelCurveHistory (server/services/curves/fuel-history.ts): the versions of the shown date, what
 * the query asked for, the comparison and the periods with their change. Optional, so a view
 * loaded without them still renders (the build alone, with the as-of picker only).
 */
type FuelHistoryFields = {
  versions: number[]
  query: FuelQuery
  compare: FuelCompareOutput | null
  compareVersions: number[]
  rows: FuelPeriodRow[]
}
type FuelPageData = Omit<FuelCurveView, keyof FuelHistoryFields> & Partial<FuelHistoryFields>

/** The page's choices; null means the default (the newest as-of date, its newest version, no comparison). */
type FuelQuery = { asOf: string | null; version: number | null; compare: string | null; compareVersion: number | null }
type FuelLinkQuery = FuelQuery & { granularity: CurveGranularity }

const NO_QUERY: FuelQuery = { asOf: null, version: null, compare: null, compareVersion: null }

/** The search string of a fuel curve view: the power page's (curveSearch: asOf, granularity, compare) with the versions. */
function fuelSearch(q: FuelLinkQuery): string {
  const params = new URLSearchParams(curveSearch({ asOf: q.asOf, granularity: q.granularity, compare: q.compare }))
  if (q.asOf && q.version) params.set('version', String(q.version))
  if (q.compare && q.compareVersion) params.set('compareVersion', String(q.compareVersion))
  const text = params.toString()
  return text ? `?${text}` : ''
}

const buildLabel = (build: { asOf: string; version: number }) => `${build.asOf} v${build.version}`

/** Keeps the query's other choices in a GET form: a choice made (not a default) rides along as a hidden field. */
function HiddenFields({ values }: { values: Record<string, string | number | null> }) {
  return (
    <>
      {Object.entries(values).map(([name, value]) => (value === null ? null : <input key={name} type="hidden" name={name} value={value} />))}
    </>
  )
}

/**
 * The as-of and "Compare with" pickers: two GET forms (they work without JavaScript; with it, a
 * change applies at once), each keeping the other's choices, so picking a date never loses the
 * compared build or the shown version. A new as-of date shows its newest version. Comparing with
 * the shown date itself compares with its newest other version.
 */
function HistoryPickers({ data, build, query }: { data: FuelPageData; build: { asOf: string; version: number }; query: FuelLinkQuery }) {
  const submit = useSubmit()
  const versions = data.versions ?? []
  // The shown date is a choice when it has another version to compare with.
  const compareChoices = data.asOfDates
    .filter((d) => d !== build.asOf || versions.length > 1)
    .map((d) => ({ value: d, label: d === build.asOf ? `${d} (another version)` : d }))
  const compared = data.compare?.other.asOf ?? ''
  const granularity = query.granularity === 'standard' ? null : query.granularity
  const apply = (form: HTMLFormElement) => submit(form, { preventScrollReset: true })
  return (
    <>
      <Form method="get" className="curve-dates fuel-as-of-form" preventScrollReset onChange={(e) => apply(e.currentTarget)}>
        <HiddenFields values={{ granularity, compare: query.compare, compareVersion: query.compare ? query.compareVersion : null }} />
        <CurveDateSelect label="As of" name="asOf" current={build.asOf} choices={dateChoices(data.asOfDates)} />
        <button type="submit" className="button button-small">
          Show
        </button>
      </Form>
      {data.versions === undefined || (compareChoices.length === 0 && !data.compare) ? null : (
        <Form method="get" className="curve-dates fuel-compare-form" preventScrollReset onChange={(e) => apply(e.currentTarget)}>
          <HiddenFields values={{ asOf: query.asOf, version: query.asOf ? query.version : null, granularity }} />
          <CurveDateSelect label="Compare with" name="compare" current={compared} choices={compareChoices} none="None" />
          <button type="submit" className="button button-small">
            Compare
          </button>
        </Form>
      )}
    </>
  )
}

/**
 * The versions of the shown as-of date (and of the compared one) as links carrying the rest of the
 * query; shown only where a date has more than one.
 */
function VersionLinks({ data, build, query, href }: { data: FuelPageData; build: { asOf: string; version: number }; query: FuelLinkQuery; href: (q: FuelLinkQuery) => string }) {
  const versions = data.versions ?? []
  const other = data.compare?.other ?? null
  // The shown build itself is no comparison: the compared date's versions leave it out.
  const compareVersions = other ? (data.compareVersions ?? []).filter((v) => other.asOf !== build.asOf || v !== build.version) : []
  return (
    <>
      {versions.length > 1 ? (
        <Segmented
          label="Version"
          current={String(build.version)}
          options={versions.map((v, i) => ({
            value: String(v),
            label: `v${v}`,
            href: href({ ...query, asOf: build.asOf, version: i === 0 ? null : v }),
            title: i === 0 ? `The newest version of ${build.asOf}` : `Version ${v} of ${build.asOf}`,
          }))}
        />
      ) : null}
      {other && compareVersions.length > 1 ? (
        <Segmented
          label="Compared version"
          current={String(other.version)}
          options={compareVersions.map((v) => ({ value: String(v), label: `v${v}`, href: href({ ...query, compare: other.asOf, compareVersion: v }), title: `Compare with version ${v} of ${other.asOf}` }))}
        />
      ) : null}
    </>
  )
}

function ChangeCell({ value }: { value: number | null }) {
  const text = formatFuelChange(value)
  const direction = value === null || text === '0.000' ? '' : value > 0 ? ' pos' : ' neg'
  return (
    <td className={`num${direction}`} data-change>
      {text}
    </td>
  )
}

function PeriodsTable({ rows, build, compared, unit, name, granularity }: { rows: FuelPeriodRow[]; build: { asOf: string; version: number }; compared: { asOf: string; version: number } | null; unit: string; name: string; granularity: CurveGranularity }) {
  return (
    <div className="table-scroll">
      <table className="data-table curve-periods fuel-curve-periods" data-granularity={granularity}>
        <caption>
          {name} as of {build.asOf} (v{build.version}), {GRANULARITY_LABELS[granularity].toLowerCase()} view · {formatInteger(rows.length)} periods · prices
          calendar-days-weighted, {unit}
          {compared ? ` · change against ${compared.asOf} (v${compared.version})` : ''}
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
            {compared ? (
              <>
                <th scope="col" className="num">
                  {buildLabel(compared)}
                </th>
                <th scope="col" className="num">
                  Change
                </th>
              </>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.period} data-period={p.period}>
              <th scope="row" className="text">
                {p.period}
              </th>
              <td className="time">{p.first === p.last ? p.first : `${p.first} – ${p.last}`}</td>
              <td className="num strong">{formatFuelPrice(p.price)}</td>
              <td className="num muted">{formatInteger(p.days)}</td>
              {compared ? (
                <>
                  <td className="num" data-compared>
                    {formatFuelPrice(p.compared)}
                  </td>
                  <ChangeCell value={p.change} />
                </>
              ) : null}
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
function BuildForm({ data, answer }: { data: Pick<FuelCurveView, 'defaultAsOf' | 'quotesCsv' | 'curve'>; answer: FuelBuildAnswer | undefined }) {
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

/** The compared build's prices as the chart's dashed line (its rows where it has a price). */
function compareSpans(compare: FuelCompareOutput | null): PriceSpan[] | null {
  return compare ? compare.rows.flatMap((r) => (r.other === null ? [] : [{ period: r.period, first: r.first, last: r.last, value: r.other }])) : null
}

/**
 * One fuel curve: build facts, the as-of, version and compare pickers, chart, periods (with the
 * change against the compared build), quotes, CSV link and (analysts) the build form; an empty
 * state before any build.
 */
export function FuelCurvePage({ data, answer }: { data: FuelPageData; answer: FuelBuildAnswer | undefined }) {
  const { curve, view, granularity, base } = data
  const label = PRODUCT_LABELS[data.product]
  const compare = data.compare ?? null
  const series = useMemo(
    () => chartSeries(view ? view.points.map((p) => ({ period: p.period, first: p.first, last: p.last, value: p.price })) : [], compareSpans(compare)),
    [view, compare],
  )
  const segments: QuoteSegment[] = useMemo(
    () =>
      (view?.quotes ?? [])
        .map((q) => ({ contract: q.contract, price: q.price, repriced: q.repriced, x1: monthStartMs(q.first), x2: monthEndMs(q.last) }))
        .sort((a, b) => a.x1 - b.x1 || a.x2 - b.x2),
    [view],
  )
  // Links keep only the choices made, so the default view follows new builds (as on the power page).
  const query: FuelLinkQuery = { ...NO_QUERY, ...data.query, granularity }
  const href = (q: FuelLinkQuery) => `${base}/${curve.curve}${fuelSearch(q)}`
  const rows = data.rows ?? view?.points.map((p) => ({ ...p, compared: null, change: null })) ?? []
  const compareLabel = compare ? `As of ${buildLabel(compare.other)}` : null
  return (
    <div className="page" data-as-of={view?.build.asOf} data-version={view?.build.version} data-compare-as-of={compare?.other.asOf} data-compare-version={compare?.other.version}>
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
              {compare ? (
                <>
                  {' '}
                  · compared with as of <strong data-compared-build>{buildLabel(compare.other)}</strong> ({compare.other.owner === 'house' ? 'house' : 'your organization'})
                </>
              ) : null}
            </p>
          ) : null}
        </div>
        {view && data.canDownload ? (
          <div className="curve-actions">
            <a className="button" href={`${base}/${curve.curve}.csv${fuelSearch({ ...NO_QUERY, asOf: view.build.asOf, version: view.build.version, granularity })}`} download>
              Download CSV
            </a>
          </div>
        ) : null}
      </header>

      {view ? (
        <>
          <div className="toolbar" role="group" aria-label="View options">
            <HistoryPickers data={data} build={view.build} query={query} />
            <VersionLinks data={data} build={view.build} query={query} href={href} />
            <Segmented
              label="Periods"
              current={granularity}
              options={CURVE_GRANULARITIES.map((g) => ({
                value: g,
                label: GRANULARITY_LABELS[g],
                href: href({ ...query, granularity: g }),
                title: g === 'standard' ? 'Quarters for ten years, then calendar years' : undefined,
              }))}
            />
          </div>
          <section className="panel chart-panel" aria-label="Curve chart">
            {series.length > 0 ? (
              <FuelCurveChart
                points={series}
                segments={segments}
                seriesLabel={`As of ${buildLabel(view.build)}`}
                compareLabel={compareLabel}
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
            <PeriodsTable rows={rows} build={view.build} compared={compare?.other ?? null} unit={curve.unit} name={curve.name} granularity={granularity} />
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
