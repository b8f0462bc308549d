import { MarketId } from '@carbon/schemas'
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useSubmit } from '@remix-run/react'
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { z } from 'zod'
import { LegendItem, linearRounded, priceTickLabel, timeAxisProps, useChartWidth, valueAxisProps } from '#app/components/chart-parts.tsx'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { PageHeader } from '#app/components/scenario/page-parts.tsx'
import { accessData, auditedInput } from '#app/utils/data-access.server.ts'
import { formatInteger, formatPrice } from '#app/utils/format.ts'
import { invariantResponse, parseOr } from '#app/utils/http.server.ts'
import { runBacktest, type BacktestOutput, type BacktestRow, type MapeSummary } from '#server/services/backtest/index.ts'

export const meta: MetaFunction = () => [
  { title: 'Backtest · 254Carbon' },
  { name: 'description', content: 'Forward curves against realized day-ahead prices: MAPE of months 1-6 per market, hub and as-of date.' },
]

const blank = (v: unknown) => (v === '' ? undefined : v)
const Query = z.object({
  market: z.preprocess((v) => (typeof v === 'string' ? blank(v.toUpperCase()) : v), MarketId.optional()),
  node: z.preprocess(blank, z.string().min(1).max(128).optional()),
  block: z.preprocess(blank, z.enum(['onpeak', 'offpeak']).default('onpeak')),
})

/**
 * The backtest of one market's curves (hub:backtest, entitled and audited per market like every
 * data page): MAPE per hub and as-of date for months 1..6, the rows, and a chart of forecast
 * against realized for one hub and block.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const spec = { procedure: 'hub:backtest' }
  const query = await auditedInput(request, context, spec, () => parseOr(Query, Object.fromEntries(new URL(request.url).searchParams)))
  const access = await accessData(request, context, { ...spec, market: query.market })
  const market = query.market ?? access.entitled[0]
  invariantResponse(market, 'Your organization is not entitled to any market in the hub.', { status: 403 })
  const viewer = { organizationId: access.principal.organizationId }
  const result = await runBacktest({ db: access.platform.pg.db, ch: access.platform.ch }, { market }, viewer)
  const nodes = [...new Set(result.rows.map((r) => r.node))]
  const node = query.node && nodes.includes(query.node) ? query.node : (nodes[0] ?? null)
  await access.served({ market, nodes, details: { rows: result.rows.length, realizedThrough: result.realizedThrough } })
  return { markets: access.entitled, market, node, nodes, block: query.block, result }
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

const BLOCK_LABELS = { onpeak: 'On-peak', offpeak: 'Off-peak' } as const

function formatPercent(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(1)} %`
}

/** MAPE with its verdict against the gate. */
function Mape({ summary, gate }: { summary: MapeSummary; gate: number }) {
  if (summary.mape === null) return <span className="muted">no complete month</span>
  return (
    <span className="gate" data-passes={String(summary.passes)} title={`Gate: MAPE <= ${gate} %`}>
      {formatPercent(summary.mape)}{' '}
      <span className={summary.passes ? 'status status-active' : 'status status-revoked'}>{summary.passes ? `≤ ${gate} %` : `> ${gate} %`}</span>
    </span>
  )
}

function MarketPicker({ markets, market }: { markets: Data['markets']; market: string }) {
  const submit = useSubmit()
  return (
    <Form method="get" className="search-form backtest-form" onChange={(e) => submit(e.currentTarget)}>
      <div className="field">
        <label htmlFor="backtest-market">Market</label>
        <select id="backtest-market" name="market" defaultValue={market} key={market}>
          {markets.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </div>
      <noscript>
        <button type="submit" className="button">
          Show
        </button>
      </noscript>
    </Form>
  )
}

const monthMs = (month: string) => Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1)
const monthLabel = (ms: number) => new Date(ms).toISOString().slice(0, 7)
const FORECAST_COLORS = ['#2563eb', '#7c3aed', '#0891b2', '#059669', '#d97706', '#db2777', '#4b5563']
const REALIZED_COLOR = '#111827'

type ChartPoint = { t: number; realized: number | null } & Record<string, number | null>

/** One point per delivery month: the realized average (complete months only) and each as-of date's forecast. */
function chartData(rows: BacktestRow[]): { points: ChartPoint[]; asOfs: string[] } {
  const asOfs = [...new Set(rows.map((r) => r.asOf))].sort()
  const months = [...new Set(rows.map((r) => r.month))].sort()
  const points = months.map((month) => {
    const point: ChartPoint = { t: monthMs(month), realized: null }
    for (const r of rows.filter((x) => x.month === month)) {
      if (r.complete) point.realized = r.realized
      point[`f:${r.asOf}`] = r.forecast
    }
    return point
  })
  return { points, asOfs }
}

function BacktestTooltip({ active, payload, label }: TooltipProps<number, string>) {
  if (!active || !payload?.length) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{monthLabel(Number(label))}</div>
      {payload.map((p) => (
        <div key={String(p.dataKey)}>
          <span style={{ color: p.color }}>{p.name}</span> {typeof p.value === 'number' ? formatPrice(p.value) : '—'}
        </div>
      ))}
    </div>
  )
}

/** Forecast (one line per as-of date) against realized (complete months) for one hub and block. */
function BacktestChart({ rows, title }: { rows: BacktestRow[]; title: string }) {
  const [box, width] = useChartWidth(1200)
  const { points, asOfs } = chartData(rows)
  const from = points[0]?.t ?? 0
  const to = points.at(-1)?.t ?? 0
  const step = Math.max(1, Math.ceil(points.length / Math.max(2, Math.floor(width / 90))))
  const ticks = points.filter((_, i) => i % step === 0).map((p) => p.t)
  return (
    <figure className="chart backtest-chart" aria-label={title} data-months={points.length} data-as-ofs={asOfs.length}>
      <figcaption className="chart-legend">
        <LegendItem style={{ background: REALIZED_COLOR }}>Realized (day-ahead average)</LegendItem>
        {asOfs.map((asOf, i) => (
          <LegendItem key={asOf} swatch="legend-swatch-dashed" style={{ borderColor: FORECAST_COLORS[i % FORECAST_COLORS.length] }}>
            Curve as of {asOf}
          </LegendItem>
        ))}
        <span className="legend-note">$/MWh · delivery month</span>
      </figcaption>
      <div className="chart-box" ref={box}>
        <LineChart id="backtest-chart" width={width} height={300} data={points} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} title={title}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
          <XAxis {...timeAxisProps(from, to, ticks, monthLabel)} />
          <YAxis {...valueAxisProps(priceTickLabel)} domain={['auto', 'auto']} />
          <Tooltip content={<BacktestTooltip />} isAnimationActive={false} />
          {asOfs.map((asOf, i) => (
            <Line
              key={asOf}
              dataKey={`f:${asOf}`}
              name={`Curve as of ${asOf}`}
              type={linearRounded}
              stroke={FORECAST_COLORS[i % FORECAST_COLORS.length]}
              strokeWidth={1.25}
              strokeDasharray="5 4"
              dot={{ r: 2 }}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
          <Line
            id="backtest-chart-realized"
            dataKey="realized"
            name="Realized"
            type={linearRounded}
            stroke={REALIZED_COLOR}
            strokeWidth={2}
            dot={{ r: 3 }}
            isAnimationActive={false}
            connectNulls={false}
          />
        </LineChart>
      </div>
    </figure>
  )
}

function HubTable({ result }: { result: BacktestOutput }) {
  return (
    <table className="data-table backtest-hubs">
      <caption>MAPE per hub, months 1–{result.horizonMonths} (gate: ≤ {result.gatePercent} %)</caption>
      <thead>
        <tr>
          <th scope="col">Hub</th>
          <th scope="col">Block</th>
          <th scope="col" className="num">
            Months counted
          </th>
          <th scope="col" className="num">
            MAPE
          </th>
        </tr>
      </thead>
      <tbody>
        {result.hubs.map((h) => (
          <tr key={`${h.node}:${h.block ?? 'both'}`} data-node={h.node} data-block={h.block ?? 'both'}>
            <td>{h.name}</td>
            <td>{h.block ? BLOCK_LABELS[h.block] : 'Both'}</td>
            <td className="num">{formatInteger(h.count)}</td>
            <td className="num">
              <Mape summary={h} gate={result.gatePercent} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function RowsTable({ result, rows }: { result: BacktestOutput; rows: BacktestRow[] }) {
  const byAsOf = new Map(result.asOfs.map((a) => [`${a.node}|${a.asOf}`, a]))
  return (
    <table className="data-table backtest-rows">
      <caption>Forecast against realized per as-of date and delivery month</caption>
      <thead>
        <tr>
          <th scope="col">Hub</th>
          <th scope="col">As of</th>
          <th scope="col" className="num">
            MAPE (as of)
          </th>
          <th scope="col">Month</th>
          <th scope="col" className="num">
            M+
          </th>
          <th scope="col">Block</th>
          <th scope="col" className="num">
            Forecast
          </th>
          <th scope="col" className="num">
            Realized
          </th>
          <th scope="col" className="num">
            Error
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const summary = byAsOf.get(`${r.node}|${r.asOf}`)
          return (
            <tr key={`${r.buildId}:${r.month}:${r.block}`} data-complete={String(r.complete)}>
              <td>{r.node}</td>
              <td>{r.asOf}</td>
              <td className="num">{summary ? <Mape summary={summary} gate={result.gatePercent} /> : '—'}</td>
              <td>{r.month}</td>
              <td className="num">{r.horizon}</td>
              <td>{BLOCK_LABELS[r.block]}</td>
              <td className="num">{formatPrice(r.forecast)}</td>
              <td className="num">
                {r.complete ? formatPrice(r.realized) : <span className="muted" title={`${formatInteger(r.samples)} of ${formatInteger(r.hours)} hours stored`}>partial</span>}
              </td>
              <td className="num">{formatPercent(r.ape)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

export default function Backtest() {
  const { markets, market, node, nodes, block, result } = useLoaderData<typeof loader>()
  const chartRows = result.rows.filter((r) => r.node === node && r.block === block)
  const hubName = result.hubs.find((h) => h.node === node)?.name ?? node
  return (
    <div className="page" data-market={market}>
      <PageHeader
        trail={[
          { to: '/', label: 'Overview' },
          { to: '/curves', label: 'Forward curves' },
        ]}
        here="Backtest"
        title={
          <>
            Backtest <span className="h1-sub">{market}</span>
          </>
        }
        lede={
          <>
            Each forward curve as of a date against the average day-ahead price at its hub in the {result.horizonMonths} months after it
            (on-peak and off-peak by the NERC rule). Only months whose every hour is stored count; the quality gate is a MAPE of at most{' '}
            {result.gatePercent} %.
          </>
        }
        aside={<MarketPicker markets={markets} market={market} />}
      />

      {result.rows.length === 0 ? (
        <EmptyState title="No curve to backtest">
          <p>
            No forward curve of {market} is built yet. <Link to="/curves">Forward curves</Link>
          </p>
        </EmptyState>
      ) : (
        <>
          <dl className="cards backtest-summary" aria-label="Summary">
            <div className="card" data-summary="overall">
              <dt>MAPE, {market}</dt>
              <dd>
                <span className="card-value">
                  <Mape summary={result.overall} gate={result.gatePercent} />
                </span>
              </dd>
            </div>
            <div className="card">
              <dt>Months counted</dt>
              <dd>
                <span className="card-value">{formatInteger(result.overall.count)}</span>
              </dd>
            </div>
            <div className="card">
              <dt>Realized through</dt>
              <dd>
                <span className="card-value">{result.realizedThrough ?? '—'}</span>
              </dd>
            </div>
          </dl>

          {result.realizedThrough === null ? (
            <EmptyState title="No realized month yet">
              <p>
                None of the {formatInteger(result.asOfs.length)} curves&apos; delivery months is complete in the day-ahead price store yet. The
                forecasts are listed below; their errors appear once a whole month of day-ahead prices is stored.
              </p>
            </EmptyState>
          ) : null}

          <section aria-labelledby="backtest-chart-title">
            <h2 id="backtest-chart-title">
              {hubName}, {BLOCK_LABELS[block].toLowerCase()}: forecast against realized
            </h2>
            <Form method="get" className="segmented-form">
              <input type="hidden" name="market" value={market} />
              <label>
                Hub{' '}
                <select name="node" defaultValue={node ?? undefined} key={node}>
                  {nodes.map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
              </label>{' '}
              <label>
                Block{' '}
                <select name="block" defaultValue={block} key={block}>
                  <option value="onpeak">On-peak</option>
                  <option value="offpeak">Off-peak</option>
                </select>
              </label>{' '}
              <button type="submit" className="button">
                Show
              </button>
            </Form>
            <BacktestChart rows={chartRows} title={`${hubName} ${BLOCK_LABELS[block].toLowerCase()}: forecast against realized day-ahead prices`} />
          </section>

          <HubTable result={result} />
          <RowsTable result={result} rows={result.rows} />
        </>
      )}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
