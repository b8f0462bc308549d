import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useParams, useSubmit } from '@remix-run/react'
import { useMemo } from 'react'
import { MarketId } from '@carbon/schemas'
import { CurveChart } from '#app/components/curve-chart.tsx'
import { errorMessage, GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { Segmented } from '#app/components/segmented.tsx'
import {
  BLOCK_LABELS,
  blockSpans,
  chartSeries,
  CURVE_BLOCKS,
  CURVE_GRANULARITIES,
  curveBuildHref,
  curveCsvHref,
  curveHref,
  curveSearch,
  GRANULARITY_LABELS,
  periodRows,
  quoteSegments,
  shortHash,
  type CurveViewQuery,
  type PriceSpan,
} from '#app/utils/curve-view.ts'
import { loadCurveView } from '#app/utils/curves.server.ts'
import { changeDirection, formatChange, formatInteger, formatPrice } from '#app/utils/format.ts'
import { formatInZone, zoneLabel } from '#app/utils/time.ts'

export const meta: MetaFunction<typeof loader> = ({ data, params }) => [
  {
    title: data
      ? `${data.curve.name} forward curve as of ${data.build.asOf} · 254Carbon`
      : `${params.node ?? 'Curve'} forward curve not found · 254Carbon`,
  },
]

/**
 * One build of a curve (the newest of the asked as-of date) at the chosen granularity, with its
 * quotes, and with `compare` the change against another as-of date. Audited as hub:curve.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  return loadCurveView(request, context, params, { channel: 'hub', procedure: 'hub:curve', withCompare: true })
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** Which prior the curve follows past its quotes: `scenario run <id> (base)`, or the escalation placeholder of older builds. */
function priorItem(prior: Data['build']['prior']) {
  if (prior.kind !== 'scenario' || prior.runId === null) {
    return { key: 'prior', label: 'Prior', value: 'escalation', title: 'Built before scenario priors: a seasonal prior escalating 2.5 %/yr' }
  }
  const hub = prior.hub ? ` at ${prior.hub}` : ''
  return {
    key: 'prior',
    label: 'Prior',
    value: `scenario run ${shortHash(prior.runId)}${prior.base ? ' (base)' : ''}`,
    title: `Beyond the quotes the curve follows scenario run ${prior.runId}${prior.base ? ' (the base scenario)' : ''}${hub}, scaled to the quotes`,
  }
}

/** What the build is: version, method, solve time, inputs hash, prior, who and when. */
function BuildInfo({ build, timeZone }: { build: Data['build']; timeZone: string }) {
  const solveMs = num(build.diagnostics?.solveMs)
  const when = build.finishedAt ?? build.requestedAt
  const items = [
    { key: 'version', label: 'Version', value: `v${build.version}`, title: `Version ${build.version} of the ${build.asOf} curve` },
    { key: 'method', label: 'Method', value: build.method ?? '—', title: 'Maximum-smoothness fit through every quote (KKT system)' },
    { key: 'solve', label: 'Solve', value: solveMs === null ? '—' : `${formatInteger(solveMs)} ms`, title: 'Solver time' },
    { key: 'hash', label: 'Inputs hash', value: shortHash(build.inputsHash), title: `SHA-256 of the inputs: ${build.inputsHash}` },
    { key: 'by', label: 'Built by', value: build.requestedBy, title: `Source: ${build.source}` },
    priorItem(build.prior),
    {
      key: 'owner',
      label: 'Curve',
      value: build.owner === 'house' ? 'House' : 'Your organization',
      title: build.owner === 'house' ? 'Published by 254Carbon for everyone entitled to the market' : 'Private to your organization',
    },
    { key: 'when', label: 'Built', value: `${formatInZone(when, timeZone, 'datetime')} ${zoneLabel(timeZone, when)}`, title: when },
  ]
  return (
    <dl className="cards curve-build-info" aria-label="Build">
      {items.map((item) => (
        <div className="card" key={item.key} title={item.title} data-build={item.key}>
          <dt>{item.label}</dt>
          <dd>
            <span className={item.key === 'hash' ? 'card-value mono' : 'card-value'}>{item.value}</span>
          </dd>
        </div>
      ))}
    </dl>
  )
}

/** The as-of and compare pickers: a GET form (works without JavaScript; with it, a change applies at once). */
function DatePickers({ data, base }: { data: Data; base: CurveViewQuery }) {
  const submit = useSubmit()
  const others = data.asOfDates.filter((d) => d !== data.build.asOf)
  return (
    <Form method="get" className="curve-dates" preventScrollReset onChange={(e) => submit(e.currentTarget, { preventScrollReset: true })}>
      {base.granularity !== 'standard' ? <input type="hidden" name="granularity" value={base.granularity} /> : null}
      {base.block !== 'onpeak' ? <input type="hidden" name="block" value={base.block} /> : null}
      <label className="curve-date-field">
        <span className="segmented-label">As of</span>
        <select name="asOf" defaultValue={data.build.asOf} key={`asOf-${data.build.asOf}`}>
          {data.asOfDates.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <label className="curve-date-field">
        <span className="segmented-label">Compare with</span>
        <select name="compare" defaultValue={data.compare?.other.asOf ?? ''} key={`compare-${data.compare?.other.asOf ?? ''}`}>
          <option value="">None</option>
          {others.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      {/* Applies the dates without JavaScript; with it, a change applies at once. */}
      <button type="submit" className="button button-small">
        Show
      </button>
    </Form>
  )
}

function ChangeCell({ value }: { value: number | null }) {
  const direction = changeDirection(value)
  return <td className={direction === 'up' ? 'num pos' : direction === 'down' ? 'num neg' : 'num'}>{formatChange(value)}</td>
}

function PeriodsTable({ data, compareAsOf }: { data: Data; compareAsOf: string | null }) {
  const rows = periodRows(data.points, data.compare?.rows ?? null)
  const block = data.query.block
  return (
    <div className="table-scroll">
      <table className="data-table curve-periods" data-granularity={data.query.granularity}>
        <caption>
          {data.curve.name} as of {data.build.asOf} (v{data.build.version}), {GRANULARITY_LABELS[data.query.granularity].toLowerCase()} view ·{' '}
          {formatInteger(rows.length)} periods · prices hours-weighted, $/MWh
          {compareAsOf ? ` · change against ${compareAsOf}` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="text">
              Period
            </th>
            <th scope="col" className="text">
              Months
            </th>
            {CURVE_BLOCKS.map((b) => (
              <th scope="col" className={b === block ? 'num curve-col-current' : 'num'} key={b}>
                {BLOCK_LABELS[b]}
              </th>
            ))}
            <th scope="col" className="num">
              On-peak h
            </th>
            <th scope="col" className="num">
              Off-peak h
            </th>
            {compareAsOf
              ? CURVE_BLOCKS.map((b) => (
                  <th scope="col" className="num" key={`change-${b}`}>
                    Δ {BLOCK_LABELS[b]}
                  </th>
                ))
              : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.period} data-period={r.period}>
              <th scope="row" className="text">
                {r.period}
              </th>
              <td className="time">{r.first === r.last ? r.first : `${r.first} – ${r.last}`}</td>
              {CURVE_BLOCKS.map((b) => (
                <td className={b === block ? 'num strong' : 'num'} key={b} data-block={b}>
                  {formatPrice(r[b])}
                </td>
              ))}
              <td className="num muted">{formatInteger(r.hours.onpeak)}</td>
              <td className="num muted">{formatInteger(r.hours.offpeak)}</td>
              {compareAsOf ? CURVE_BLOCKS.map((b) => <ChangeCell key={`change-${b}`} value={r.change?.[b] ?? null} />) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function QuotesTable({ data }: { data: Data }) {
  const block = data.query.block
  return (
    <div className="table-scroll">
      <table className="data-table curve-quotes">
        <caption>
          {formatInteger(data.quotes.length)} quotes of this build · repriced = the curve&rsquo;s hours-weighted price over the contract, $/MWh
        </caption>
        <thead>
          <tr>
            <th scope="col" className="text">
              Contract
            </th>
            <th scope="col" className="text">
              Block
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
          {data.quotes.map((q, i) => (
            <tr key={`${q.contract}:${q.block}:${i}`} className={q.block === block ? 'curve-quote-current' : undefined} data-contract={q.contract} data-block={q.block}>
              <th scope="row" className="text mono">
                {q.contract}
              </th>
              <td className="text">{BLOCK_LABELS[q.block]}</td>
              <td className="time">{q.first === q.last ? q.first : `${q.first} – ${q.last}`}</td>
              <td className="num strong">{formatPrice(q.price)}</td>
              <td className="num">{formatPrice(q.repriced)}</td>
              <td className="num muted">{formatPrice(q.bid)}</td>
              <td className="num muted">{formatPrice(q.ask)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export default function CurvePage() {
  const data = useLoaderData<typeof loader>()
  const { market, curve, build, query, compare } = data
  const compareAsOf = compare?.other.asOf ?? null
  // Links keep the shown date only when one was asked for, so the default view follows new builds.
  const base: CurveViewQuery = { ...query, compare: compareAsOf }
  const selfHref = (q: Partial<CurveViewQuery>) => curveHref(market.id, curve.node, curveSearch({ ...base, ...q }))
  const block = query.block
  // Memoized on the loader data: the chart keeps the server's drawing while its points are the same (ChartBox).
  const series = useMemo(() => {
    const compareSpans: PriceSpan[] | null = compare
      ? compare.rows.flatMap((r) => (r.other ? [{ period: r.period, first: r.first, last: r.last, value: r.other[block] }] : []))
      : null
    return chartSeries(blockSpans(data.points, block), compareSpans)
  }, [compare, data.points, block])
  const segments = useMemo(() => quoteSegments(data.quotes, block), [data.quotes, block])
  const seriesLabel = `${BLOCK_LABELS[block]}, as of ${build.asOf} v${build.version}`
  const compareLabel = compare ? `${BLOCK_LABELS[block]}, as of ${compare.other.asOf} v${compare.other.version}` : null
  const title = `${curve.name} ${BLOCK_LABELS[block].toLowerCase()} forward curve as of ${build.asOf}, ${GRANULARITY_LABELS[query.granularity].toLowerCase()} view`

  return (
    <div className="page" data-as-of={build.asOf} data-version={build.version}>
      <header className="page-header">
        <div>
          <p className="breadcrumb">
            <Link to="/curves">Forward curves</Link> / {market.id} / <span aria-current="page">{curve.node}</span>
          </p>
          <h1>
            {curve.name} <span className="h1-sub">forward curve · {curve.node}</span>
          </h1>
          <p className="page-lede">
            As of <strong>{build.asOf}</strong>, version <strong data-current-version>{build.version}</strong> · {formatInteger(build.quoteCount)} quotes ·
            delivery {data.points[0]?.first ?? '—'} to {data.points.at(-1)?.last ?? '—'} · {curve.unit}
          </p>
        </div>
        <div className="curve-actions">
          {data.canDownload ? (
            <a className="button" href={curveCsvHref(market.id, curve.node, curveSearch({ asOf: build.asOf, granularity: query.granularity }))} download>
              Download CSV
            </a>
          ) : null}
          {data.canBuild ? (
            <Link className="button button-primary" to={curveBuildHref(market.id, curve.node)}>
              Build a new version
            </Link>
          ) : null}
        </div>
      </header>

      <BuildInfo build={build} timeZone={market.timeZone} />

      <div className="toolbar" role="group" aria-label="View options">
        <DatePickers data={data} base={base} />
        <Segmented label="Block" current={block} options={CURVE_BLOCKS.map((b) => ({ value: b, label: BLOCK_LABELS[b], href: selfHref({ block: b }) }))} />
        <Segmented
          label="Periods"
          current={query.granularity}
          options={CURVE_GRANULARITIES.map((g) => ({
            value: g,
            label: GRANULARITY_LABELS[g],
            href: selfHref({ granularity: g }),
            title: g === 'standard' ? 'Quarters for ten years, then calendar years' : undefined,
          }))}
        />
      </div>

      <section className="panel chart-panel" aria-label="Curve chart">
        {series.length > 0 ? (
          <CurveChart
            points={series}
            segments={segments}
            seriesLabel={seriesLabel}
            compareLabel={compareLabel}
            firstPeriod={data.points[0]?.period ?? null}
            lastPeriod={data.points.at(-1)?.period ?? null}
            title={title}
          />
        ) : (
          <p className="muted panel-empty">This build has no delivery periods from its as-of month on.</p>
        )}
      </section>

      <section className="panel deferred-render" aria-label="Periods">
        <PeriodsTable data={data} compareAsOf={compareAsOf} />
      </section>

      <section className="panel deferred-render" aria-label="Quotes">
        <QuotesTable data={data} />
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  const params = useParams()
  const market = (params.market ?? '').toUpperCase()
  const node = params.node ?? ''
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        404: ({ error }) => (
          <section className="error-page" aria-labelledby="error-title">
            <p className="error-code">404</p>
            <h1 id="error-title">Forward curve not found</h1>
            <p className="error-message">{errorMessage(error) ?? `There is no forward curve for ${node} in ${market}.`}</p>
            <p>Curves exist for hubs once an analyst builds them from quotes, one version per as-of date and build.</p>
            <ul className="error-links">
              <li>
                <Link to="/curves">All forward curves</Link>
              </li>
              {node && MarketId.safeParse(market).success ? (
                <li>
                  <Link to={curveHref(market, node)}>The latest {node} curve</Link>
                </li>
              ) : null}
            </ul>
          </section>
        ),
      }}
    />
  )
}
