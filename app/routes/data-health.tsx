import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import type { CSSProperties } from 'react'
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipProps } from 'recharts'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { RUN_LABELS } from '#app/components/price-board.tsx'
import { Segmented } from '#app/components/segmented.tsx'
import { loadDataHealth } from '#app/utils/data-health.server.ts'
import { formatInteger } from '#app/utils/format.ts'
import { DAY_MS, formatInZone, timeTicks, zoneLabel } from '#app/utils/time.ts'
import { AxisTick, stepAfterRounded, timeAxisProps, useChartWidth, type TickProps } from '#app/components/chart-parts.tsx'

export const meta: MetaFunction = () => [
  { title: 'Data health · 254Carbon' },
  { name: 'description', content: 'Completeness, gaps, late and revised values and freshness of the ingested prices, per market and dataset.' },
]

/** Signed-in users entitled to a market in the hub; audited like every price page (loadDataHealth). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadDataHealth(request, context)
}

type View = ReturnType<typeof useLoaderData<typeof loader>>
type Dataset = View['health']['markets'][number]['datasets'][number]
type Series = NonNullable<View['series']>

const WINDOW_OPTIONS = [
  { value: '6h', label: '6 h' },
  { value: '24h', label: '24 h' },
  { value: '7d', label: '7 days' },
] as const

const COLORS = { ok: '#047857', warn: '#d97706', bad: '#c0262d', track: '#e5e7eb' } as const

/** 99.9% rather than a rounded-up 100.0% for anything short of complete. */
function formatRatio(ratio: number): string {
  if (ratio >= 1) return '100%'
  return `${(Math.floor(ratio * 1000) / 10).toFixed(1)}%`
}

/** "45 s", "12 min", "3 h 05 min", "2 d 4 h". */
function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 90) return `${s} s`
  const minutes = Math.round(s / 60)
  if (minutes < 90) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

function ratioColor(ratio: number): string {
  return ratio >= 0.99 ? COLORS.ok : ratio >= 0.9 ? COLORS.warn : COLORS.bad
}

const barTrack: CSSProperties = {
  display: 'inline-block',
  width: 64,
  height: 6,
  marginRight: 8,
  borderRadius: 3,
  background: COLORS.track,
  verticalAlign: 'middle',
  overflow: 'hidden',
}

function CompletenessCell({ d }: { d: Dataset }) {
  const c = d.completeness
  if (!c) {
    return (
      <td className="num muted" title="No interval of this dataset starts in the window">
        —
      </td>
    )
  }
  const detail = `${formatInteger(c.deliveredIntervals)} of ${formatInteger(c.expectedIntervals)} intervals delivered; ${formatInteger(c.expectedNodes)} nodes expected`
  return (
    <td className="num" title={detail}>
      <span style={barTrack} aria-hidden="true">
        <span style={{ display: 'block', height: '100%', width: `${Math.min(100, c.ratio * 100)}%`, background: ratioColor(c.ratio) }} />
      </span>
      <span className="strong" data-completeness>
        {formatRatio(c.ratio)}
      </span>
    </td>
  )
}

const STATUS_STYLE: Record<string, { className: string; style?: CSSProperties; label: string }> = {
  ok: { className: 'status status-active', label: 'ok' },
  partial: { className: 'status', style: { background: '#fff7e6', color: '#92400e' }, label: 'partial' },
  'no-data': { className: 'status status-expired', label: 'no data' },
  failed: { className: 'status status-disabled', label: 'failed' },
}

function StatusBadge({ status }: { status: string }) {
  const s = STATUS_STYLE[status] ?? { className: 'status status-expired', label: status }
  return (
    <span className={s.className} style={s.style}>
      {s.label}
    </span>
  )
}

function FreshnessCell({ d, timeZone }: { d: Dataset; timeZone: string }) {
  const f = d.freshness
  const when = (iso: string) => `${formatInZone(iso, timeZone, 'short')} ${zoneLabel(timeZone, iso)}`
  const title = [
    f.lastIngestedAt ? `newest record stored ${when(f.lastIngestedAt)} (from ${f.measuredFrom === 'arrivals' ? 'the arrival log' : 'the price table'})` : 'nothing stored in the last 7 days',
    f.lastIntervalEnd ? `last interval ends ${when(f.lastIntervalEnd)}` : null,
    f.expectedThrough ? `expected through ${when(f.expectedThrough)}` : 'no publication schedule known',
  ]
    .filter(Boolean)
    .join('; ')
  return (
    <td className={f.stale ? 'time stale' : 'time'} title={title}>
      {f.ageSeconds === null ? 'no data' : `${formatAge(f.ageSeconds)} ago`}
      {f.stale ? <span className="stale-tag">stale</span> : null}
      {f.lastIntervalEnd ? <div className="muted">through {when(f.lastIntervalEnd)}</div> : null}
    </td>
  )
}

function LastRunCell({ d, timeZone }: { d: Dataset; timeZone: string }) {
  const { lastRun, lastFailure } = d.ingest
  if (!lastRun) return <td className="text muted">no run in 7 days</td>
  const showFailure = lastFailure && lastRun.status !== 'failed'
  return (
    <td className="text" style={{ whiteSpace: 'normal', minWidth: 180, maxWidth: 360 }}>
      <StatusBadge status={lastRun.status} />{' '}
      <time dateTime={lastRun.finishedAt} className="muted">
        {formatInZone(lastRun.finishedAt, timeZone, 'short')}
      </time>
      {lastRun.error ? <p className="row-error">{lastRun.error}</p> : null}
      {showFailure ? (
        <p className="row-error muted" style={{ color: 'var(--muted)' }}>
          last error {formatInZone(lastFailure.finishedAt, timeZone, 'short')}: {lastFailure.error ?? 'failed'}
        </p>
      ) : null}
    </td>
  )
}

function RunsCell({ d }: { d: Dataset }) {
  const r = d.ingest.runs24h
  const total = r.ok + r.partial + r['no-data'] + r.failed
  if (total === 0) return <td className="num muted">0</td>
  const parts = [
    [r.ok, 'ok'],
    [r.partial, 'partial'],
    [r['no-data'], 'no data'],
    [r.failed, 'failed'],
  ] as const
  return (
    <td className="num" title={`${formatInteger(d.ingest.records24h)} records, ${formatInteger(d.ingest.issues24h)} refused rows in 24 h`}>
      {parts
        .filter(([n]) => n > 0)
        .map(([n, label]) => `${formatInteger(n)} ${label}`)
        .join(' · ')}
    </td>
  )
}

function DatasetRow({ d, timeZone, href, selected }: { d: Dataset; timeZone: string; href: string; selected: boolean }) {
  const gaps = d.gaps
  const gapTitle = gaps?.ranges
    .slice(0, 5)
    .map((g) => `${formatInZone(g.from, timeZone, 'short')}–${formatInZone(g.to, timeZone, 'time')} (${g.intervals})`)
    .join(', ')
  const revisionTitle = d.revisions.examples
    .map((e) => `${e.node} ${formatInZone(e.intervalStart, timeZone, 'short')}: ${e.oldLmp.toFixed(2)} → ${e.newLmp.toFixed(2)}`)
    .join('; ')
  return (
    <tr aria-current={selected ? 'true' : undefined} style={selected ? { background: 'var(--accent-soft)' } : undefined}>
      <th scope="row" className="text">
        {d.completeness ? (
          <Link to={href} className="node-link" preventScrollReset title="Chart completeness per interval">
            {d.dataset}
          </Link>
        ) : (
          <span className="node-link" style={{ color: 'var(--text)' }}>
            {d.dataset}
          </span>
        )}
      </th>
      <td className="text muted">{d.run ? RUN_LABELS[d.run] : '—'}</td>
      <CompletenessCell d={d} />
      <td className="num">{d.completeness ? formatInteger(d.completeness.expectedNodes) : '—'}</td>
      <td className={gaps && gaps.missingIntervals > 0 ? 'num negative-price' : 'num'} title={gapTitle || undefined}>
        {gaps ? formatInteger(gaps.missingIntervals) : '—'}
      </td>
      <td
        className={d.late.late > 0 ? 'num negative-price' : 'num'}
        title={d.late.maxDelaySeconds !== null ? `up to ${formatAge(d.late.maxDelaySeconds)} past the 5-minute target` : undefined}
      >
        {d.late.arrivals > 0 ? `${formatInteger(d.late.late)} of ${formatInteger(d.late.arrivals)}` : '—'}
      </td>
      <td className="num" title={revisionTitle || undefined}>
        {formatInteger(d.revisions.revised)}
      </td>
      <FreshnessCell d={d} timeZone={timeZone} />
      <LastRunCell d={d} timeZone={timeZone} />
      <RunsCell d={d} />
    </tr>
  )
}

export default function DataHealthPage() {
  const { health, window, selected, series, markets, deadLetters } = useLoaderData<typeof loader>()
  const anyData = health.markets.some((m) => m.datasets.length > 0)
  const search = (params: Record<string, string | undefined>) => {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v)
    return `?${q.toString()}`
  }
  const selectedMarket = selected ? markets.find((m) => m.id === selected.market) : undefined

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Data health</h1>
          <p className="page-lede">
            How complete, timely and stable the stored prices are, per market and dataset, for intervals starting in the last{' '}
            {WINDOW_OPTIONS.find((o) => o.value === window)?.label ?? window}.
          </p>
        </div>
      </header>
      <div className="toolbar">
        <Segmented
          label="Window"
          current={window}
          options={WINDOW_OPTIONS.map((o) => ({
            value: o.value,
            label: o.label,
            href: search({ window: o.value, market: selected?.market, dataset: selected?.dataset }),
          }))}
        />
        <p className="toolbar-note">
          As of <time dateTime={health.generatedAt}>{formatInZone(health.generatedAt, 'UTC', 'datetime')} UTC</time>
        </p>
      </div>

      {!anyData ? (
        <EmptyState title="No prices and no ingest runs yet">
          Nothing has been stored for {markets.map((m) => m.id).join(' or ')} in the last 7 days — run <code>npx carbon seed-demo</code> or
          wait for ingestion.
        </EmptyState>
      ) : null}

      {health.markets.map(({ market, datasets }) => {
        const info = markets.find((m) => m.id === market)
        const tz = info?.timeZone ?? 'UTC'
        return (
          <section key={market} className="panel" aria-labelledby={`health-${market}`}>
            <header className="panel-header">
              <h2 id={`health-${market}`}>
                <Link to={`/markets/${market}`}>{market}</Link>
                <span className="panel-subtitle">{info?.name}</span>
              </h2>
              <p className="panel-meta">
                {datasets.length} dataset{datasets.length === 1 ? '' : 's'} · times in {zoneLabel(tz)}
              </p>
            </header>
            {datasets.length === 0 ? (
              <p className="panel-empty muted">No prices and no ingest runs for {market} in the last 7 days.</p>
            ) : (
              <div className="table-scroll">
                <table className="data-table">
                  <caption>
                    {market} datasets — completeness against the nodes each delivered in the 7 days before; late: stored more than{' '}
                    {health.freshnessTargetSeconds / 60} minutes after the interval ended or was published
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col" className="text">
                        Dataset
                      </th>
                      <th scope="col" className="text">
                        Run
                      </th>
                      <th scope="col" className="num">
                        Completeness
                      </th>
                      <th scope="col" className="num">
                        Nodes
                      </th>
                      <th scope="col" className="num">
                        Gaps
                      </th>
                      <th scope="col" className="num">
                        Late
                      </th>
                      <th scope="col" className="num">
                        Revised
                      </th>
                      <th scope="col" className="text">
                        Freshness
                      </th>
                      <th scope="col" className="text">
                        Last run
                      </th>
                      <th scope="col" className="num">
                        Runs 24 h
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {datasets.map((d) => (
                      <DatasetRow
                        key={d.dataset}
                        d={d}
                        timeZone={tz}
                        href={`${search({ window, market, dataset: d.dataset })}#completeness-chart`}
                        selected={selected?.market === market && selected.dataset === d.dataset}
                      />
                    ))}
                  </tbody>
                </table>
                <p className="table-note">
                  Gaps: expected intervals with no price at all. Revised: intervals that arrived with more than one LMP. Stale: the
                  newest interval ends before what the publisher had out {health.freshnessTargetSeconds / 60} minutes ago (daily files:
                  plus their hourly polling). Pick a dataset to chart its completeness per interval.
                </p>
              </div>
            )}
          </section>
        )
      })}

      <DeadLettersPanel groups={deadLetters} />

      {series && selectedMarket ? (
        <section className="panel" id="completeness-chart" aria-labelledby="completeness-chart-title">
          <header className="panel-header">
            <h2 id="completeness-chart-title">
              Completeness per interval<span className="panel-subtitle">{`${series.market} · ${series.dataset}`}</span>
            </h2>
            <p className="panel-meta">
              {formatInteger(series.points.length)} intervals of {series.intervalMinutes} min · {formatInteger(series.expectedNodes)} nodes
              expected
            </p>
          </header>
          <div className="chart-panel">
            <CompletenessChart
              series={series}
              from={Date.parse(health.window.from)}
              to={Date.parse(health.window.to)}
              timeZone={selectedMarket.timeZone}
              title={`Completeness per interval of ${series.market} ${series.dataset}`}
            />
          </div>
        </section>
      ) : null}
    </div>
  )
}

type ChartPoint = { t: number; pct: number; received: number | null }

const CHART_WIDTH = 1200
const CHART_HEIGHT = 220

/**
 * Share of expected nodes per interval as a step line (recharts 2, rendered on the server at a
 * default width and measured in the browser, like the price chart). A missing interval drops to
 * 0%. Axis ticks are computed in the market's time zone.
 */
function CompletenessChart({ series, from, to, timeZone, title }: { series: Series; from: number; to: number; timeZone: string; title: string }) {
  const [box, width] = useChartWidth(CHART_WIDTH)

  const step = series.intervalMinutes * 60_000
  const points: ChartPoint[] = series.points.map((p) => ({ t: Date.parse(p.intervalStart), pct: p.ratio * 100, received: p.received }))
  const last = points[points.length - 1]
  // The step line needs the end of the last interval to draw it.
  if (last) points.push({ t: last.t + step, pct: last.pct, received: null })
  const ticks = timeTicks(from, to, timeZone, Math.max(4, Math.floor(width / 110)))
  const tickStyle = to - from <= 2 * DAY_MS ? 'time' : 'day'

  return (
    <figure className="chart" aria-label={title}>
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch" style={{ background: COLORS.ok }} aria-hidden="true" />
          Nodes received / expected
        </span>
        <span className="legend-note">% · {zoneLabel(timeZone, to)}</span>
      </figcaption>
      <div className="chart-box" ref={box}>
        <LineChart id="completeness-chart-svg" width={width} height={CHART_HEIGHT} data={points} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid stroke="#e5e7eb" strokeDasharray="2 3" vertical={false} />
          <XAxis {...timeAxisProps(from, to, ticks, (ms) => formatInZone(ms, timeZone, tickStyle))} />
          <YAxis
            width={44}
            domain={[0, 100]}
            ticks={[0, 25, 50, 75, 100]}
            interval={0}
            tick={(props: TickProps) => <AxisTick {...props} anchor="end" dy={4} text={`${props.payload.value}%`} />}
            tickLine={false}
            axisLine={false}
          />
          <ReferenceLine y={100} stroke="#9ca3af" strokeDasharray="4 3" />
          <Tooltip content={<CompletenessTooltip timeZone={timeZone} expected={series.expectedNodes} />} isAnimationActive={false} />
          <Line
            id="completeness-chart-line"
            dataKey="pct"
            name="Completeness"
            type={stepAfterRounded}
            stroke={COLORS.ok}
            strokeWidth={1.5}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </div>
    </figure>
  )
}

function CompletenessTooltip({ active, payload, label, timeZone, expected }: TooltipProps<number, string> & { timeZone: string; expected: number }) {
  if (!active || !payload?.length || typeof label !== 'number') return null
  const point = payload[0]?.payload as ChartPoint | undefined
  if (!point || point.received === null) return null
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-time">{formatInZone(label, timeZone, 'datetime')}</div>
      <div>
        {formatInteger(point.received)} of {formatInteger(expected)} nodes · {formatRatio(point.pct / 100)}
      </div>
      {point.received === 0 ? <div className="muted">missing interval</div> : null}
    </div>
  )
}

/** Dead letters per dataset: what the pipeline refused or gave up on, with the latest reasons (`npx carbon dlq`). */
function DeadLettersPanel({ groups }: { groups: View['deadLetters'] }) {
  const pending = groups.reduce((n, g) => n + g.pending, 0)
  return (
    <section className="panel" id="dead-letters" aria-labelledby="dead-letters-title">
      <header className="panel-header">
        <h2 id="dead-letters-title">
          Dead letters<span className="panel-subtitle">{formatInteger(pending)} to deal with</span>
        </h2>
        <p className="panel-meta">
          Rows and messages the pipeline refused: list them with <code>npx carbon dlq list</code>, replay them with{' '}
          <code>npx carbon dlq replay</code> once the cause is fixed.
        </p>
      </header>
      {groups.length === 0 ? (
        <p className="panel-empty muted">No dead letters.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <caption>Dead letters per dataset of your markets, most to deal with first</caption>
            <thead>
              <tr>
                <th scope="col" className="text">
                  Dataset
                </th>
                <th scope="col" className="text">
                  Topic
                </th>
                <th scope="col" className="num">
                  Pending
                </th>
                <th scope="col" className="num">
                  Replayed
                </th>
                <th scope="col" className="text">
                  Latest reasons
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={`${g.topic}:${g.market}:${g.dataset}`}>
                  <th scope="row">{`${g.market} · ${g.dataset ?? 'unknown dataset'}`}</th>
                  <td className="text">{g.topic}</td>
                  <td className="num">{formatInteger(g.pending)}</td>
                  <td className="num">{formatInteger(g.replayed)}</td>
                  <td className="text">
                    <ul className="reasons">
                      {g.latestReasons.map((reason) => (
                        <li key={reason}>{reason}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
