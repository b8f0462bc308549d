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
  {
    name: 'description',
    content: 'Completeness, gaps, late and revised values and freshness of the ingested prices, per market and dataset, and of the series beside power.',
  },
]

/** Signed-in users entitled to a market in the hub; audited like every price page (loadDataHealth). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadDataHealth(request, context)
}

type View = ReturnType<typeof useLoaderData<typeof loader>>
type Dataset = View['health']['markets'][number]['datasets'][number]
type Series = NonNullable<View['series']>
type SeriesDataset = View['seriesHealth']['datasets'][number]
type SeriesRow = SeriesDataset['series'][number]

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
  const { health, window, selected, series, markets, deadLetters, seriesHealth, products } = useLoaderData<typeof loader>()
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

      {!anyData && markets.length > 0 ? (
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

      <SeriesHealthSection health={seriesHealth} products={products} markets={markets.map((m) => m.id)} />

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

// ---------------------------------------------------------------- series beside power

const SERIES_STATUS: Record<SeriesDataset['status'], { className: string; style?: CSSProperties; label: string; title: string }> = {
  ok: { className: 'status status-active', label: 'on time', title: 'Holds what the publisher has released, with no gap in its window' },
  late: { className: 'status status-disabled', label: 'late', title: 'The publisher has released periods this dataset does not hold' },
  failing: { className: 'status status-disabled', label: 'failing', title: 'Its latest ingest run failed' },
  gaps: { className: 'status', style: { background: '#fff7e6', color: '#92400e' }, label: 'gaps', title: 'Missing periods in its window, or refused rows to deal with' },
  unscheduled: { className: 'status status-expired', label: 'no schedule', title: 'Uploaded data: no publication schedule to be late against' },
}

const FREQUENCY_WORDS: Record<SeriesRow['frequency'], { one: string; many: string }> = {
  hour: { one: 'hour', many: 'hours' },
  day: { one: 'weekday', many: 'weekdays' },
  week: { one: 'week', many: 'weeks' },
  month: { one: 'month', many: 'months' },
}

/** A period start as its publisher dates it: UTC hours for EIA-930, UTC dates for the rest (docs/decisions/023). */
function formatPeriod(iso: string, frequency: SeriesRow['frequency']): string {
  if (frequency === 'hour') return `${formatInZone(iso, 'UTC', 'datetime')} UTC`
  if (frequency === 'month') return formatInZone(iso, 'UTC', 'date').slice(0, 7)
  return formatInZone(iso, 'UTC', 'date')
}

function SeriesStatusBadge({ status }: { status: SeriesDataset['status'] }) {
  const s = SERIES_STATUS[status]
  return (
    <span className={s.className} style={s.style} title={s.title} data-series-status={status}>
      {s.label}
    </span>
  )
}

function RatioBar({ ratio }: { ratio: number }) {
  return (
    <span style={barTrack} aria-hidden="true">
      <span style={{ display: 'block', height: '100%', width: `${Math.min(100, ratio * 100)}%`, background: ratioColor(ratio) }} />
    </span>
  )
}

const STRIP_HEIGHT = 12

/** One cell per expected period of the window, oldest first: filled when stored, red when missing. */
function PresenceStrip({ row }: { row: SeriesRow }) {
  const n = row.presence.length
  if (n === 0) return null
  const cell = Math.max(1, Math.min(6, Math.floor(168 / n)))
  const width = n * cell
  const words = FREQUENCY_WORDS[row.frequency]
  return (
    <svg width={width} height={STRIP_HEIGHT} role="img" aria-label={`${row.receivedPeriods} of ${row.expectedPeriods} ${words.many} stored, oldest first`} data-presence={row.presence}>
      {[...row.presence].map((bit, i) => (
        <rect key={i} x={i * cell} y={0} width={Math.max(1, cell - (cell > 2 ? 1 : 0))} height={STRIP_HEIGHT} fill={bit === '1' ? COLORS.ok : COLORS.bad} />
      ))}
    </svg>
  )
}

function SeriesGapsCell({ row }: { row: SeriesRow }) {
  if (row.missingPeriods === 0) return <td className="num">0</td>
  const words = FREQUENCY_WORDS[row.frequency]
  // A few missing weekdays are named; a longer run is its first and last date and its length (all dates in the title).
  const ranges = row.gaps.map((g) =>
    g.dates && g.dates.length <= 3
      ? g.dates.join(', ')
      : g.from === g.to
        ? formatPeriod(g.from, row.frequency)
        : `${formatPeriod(g.from, row.frequency)} – ${formatPeriod(g.to, row.frequency)} (${formatInteger(g.periods)} ${g.periods === 1 ? words.one : words.many})`,
  )
  const allDates = row.gaps.flatMap((g) => g.dates ?? [])
  return (
    <td className="text" style={{ whiteSpace: 'normal', minWidth: 160, maxWidth: 360 }} title={allDates.length > 0 ? `Missing weekdays: ${allDates.join(', ')}` : undefined}>
      <span className="negative-price strong">{formatInteger(row.missingPeriods)}</span>{' '}
      <span className="muted" data-gaps>
        {ranges.slice(0, 4).join('; ')}
        {ranges.length > 4 ? ` and ${ranges.length - 4} more` : ''}
      </span>
    </td>
  )
}

function SeriesHealthRowView({ row }: { row: SeriesRow }) {
  const words = FREQUENCY_WORDS[row.frequency]
  return (
    <tr data-series={`${row.series}:${row.measure}:${row.frequency}`}>
      <th scope="row" className="text mono">
        {row.series}
        {row.market ? <span className="muted"> · {row.market}</span> : null}
      </th>
      <td className="text muted">
        {row.measure} · {row.frequency} · {row.unit}
      </td>
      {row.calendar === 'entered' ? (
        <td className="num" title={`${formatInteger(row.receivedPeriods)} quote days held since ${formatPeriod(row.windowFrom, row.frequency)}: entered by users, no publisher calendar to miss`}>
          <span className="muted" data-completeness>
            as entered
          </span>
        </td>
      ) : (
        <td className="num" title={`${formatInteger(row.receivedPeriods)} of ${formatInteger(row.expectedPeriods)} ${words.many} since ${formatPeriod(row.windowFrom, row.frequency)}`}>
          <RatioBar ratio={row.ratio} />
          <span className="strong" data-completeness>
            {formatRatio(row.ratio)}
          </span>
        </td>
      )}
      <td className="num">
        {formatInteger(row.receivedPeriods)} / {formatInteger(row.expectedPeriods)}
      </td>
      <SeriesGapsCell row={row} />
      <td className={row.late ? 'time stale' : 'time'}>
        {formatPeriod(row.lastPeriodStart, row.frequency)}
        {row.late ? <span className="stale-tag">late</span> : null}
        {row.ended ? (
          <span className="muted" title="Absent from the newest inventory: nothing of it is left (every generator retired or reclassified)">
            {' '}
            ended
          </span>
        ) : null}
      </td>
      <td className="text">
        <PresenceStrip row={row} />
      </td>
    </tr>
  )
}

function SeriesRunLine({ d }: { d: SeriesDataset }) {
  const { lastRun, lastFailure, runs } = d.ingest
  const total = runs.ok + runs.partial + runs['no-data'] + runs.failed
  if (!lastRun) return <span className="muted">no ingest run in 7 days</span>
  return (
    <span data-last-run>
      last run <StatusBadge status={lastRun.status} />{' '}
      <time dateTime={lastRun.finishedAt} className="muted">
        {formatInZone(lastRun.finishedAt, 'UTC', 'datetime')} UTC
      </time>{' '}
      ({formatInteger(total)} in 7 days: {formatInteger(runs.ok + runs.partial)} delivered, {formatInteger(runs['no-data'])} not yet published,{' '}
      {formatInteger(runs.failed)} failed)
      {lastFailure?.error ? <span className="row-error"> last error: {lastFailure.error}</span> : null}
    </span>
  )
}

function SeriesDatasetPanel({ d, productLabel }: { d: SeriesDataset; productLabel: string }) {
  const id = `series-health-${d.dataset.replace(/[^A-Za-z0-9_-]/g, '-')}`
  return (
    <article className="series-health-dataset" aria-labelledby={id} data-dataset={d.dataset} style={{ marginBottom: 20 }}>
      <h3 id={id} style={{ display: 'flex', gap: 8, alignItems: 'baseline', flexWrap: 'wrap' }}>
        <span className="mono">{d.dataset}</span>
        <span className="muted">{productLabel}</span>
        <SeriesStatusBadge status={d.status} />
      </h3>
      {d.description ? <p className="muted" style={{ margin: '2px 0 6px' }}>{d.description}</p> : null}
      <ul className="series-health-facts" style={{ listStyle: 'none', padding: 0, margin: '0 0 8px', display: 'flex', flexWrap: 'wrap', gap: '4px 18px' }}>
        <li>
          Completeness{' '}
          {d.ratio === null ? (
            <span className="muted">— nothing stored</span>
          ) : (
            <>
              <RatioBar ratio={d.ratio} />
              <span className="strong" data-dataset-completeness>
                {formatRatio(d.ratio)}
              </span>{' '}
              <span className="muted">
                ({formatInteger(d.receivedPeriods)} of {formatInteger(d.expectedPeriods)} periods)
              </span>
            </>
          )}
        </li>
        <li>
          {d.lastPeriodEnd ? `Holds periods through ${formatInZone(d.lastPeriodEnd, 'UTC', 'datetime')} UTC` : 'Holds no period'}
          {d.schedule ? (
            <span className={d.schedule.late ? 'stale' : 'muted'}>
              {' '}
              · publisher out through {formatInZone(d.schedule.expectedThrough, 'UTC', 'datetime')} UTC
              {d.schedule.scheduleOf !== d.dataset ? ` (schedule of ${d.schedule.scheduleOf})` : ''}
              {d.schedule.late ? ` · ${formatInteger(d.schedule.lateSeries)} series late` : ''}
            </span>
          ) : (
            <span className="muted"> · no publication schedule</span>
          )}
        </li>
        <li>
          <SeriesRunLine d={d} />
        </li>
        <li data-dead-letters={d.deadLetters.pending}>
          Dead letters: <span className={d.deadLetters.pending > 0 ? 'negative-price strong' : undefined}>{formatInteger(d.deadLetters.pending)}</span>
          {d.deadLetters.replayed > 0 ? <span className="muted"> ({formatInteger(d.deadLetters.replayed)} replayed)</span> : null}
          {d.deadLetters.latestReason ? <span className="muted"> · latest: {d.deadLetters.latestReason}</span> : null}
        </li>
      </ul>
      {d.series.length === 0 ? (
        <p className="panel-empty muted">No value of this dataset is stored.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <caption>
              {d.dataset}: completeness per series over its window, the last expected periods up to its newest stored one (weekdays for daily
              series)
            </caption>
            <thead>
              <tr>
                <th scope="col" className="text">
                  Series
                </th>
                <th scope="col" className="text">
                  Measure
                </th>
                <th scope="col" className="num">
                  Completeness
                </th>
                <th scope="col" className="num">
                  Periods
                </th>
                <th scope="col" className="text">
                  Gaps
                </th>
                <th scope="col" className="text">
                  Latest period
                </th>
                <th scope="col" className="text">
                  Window
                </th>
              </tr>
            </thead>
            <tbody>
              {d.series.map((row) => (
                <SeriesHealthRowView key={`${row.market}:${row.series}:${row.measure}:${row.frequency}`} row={row} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  )
}

/**
 * Gas, LNG, LCFS, RECs and the GRID fundamentals of the user's markets: per dataset its status,
 * completeness, gaps, freshness against the publisher's schedule, runs and dead letters.
 */
function SeriesHealthSection({ health, products, markets }: { health: View['seriesHealth']; products: View['products']; markets: string[] }) {
  const label = (product: string) => (product === 'GRID' ? 'EIA-930 fundamentals' : (products.find((p) => p.id === product)?.label ?? product))
  const scope = [...products.map((p) => p.label), ...(markets.length > 0 ? [`the fundamentals of ${markets.join(', ')}`] : [])]
  return (
    <section className="panel" id="series-health" aria-labelledby="series-health-title">
      <header className="panel-header">
        <h2 id="series-health-title">
          Series beside power<span className="panel-subtitle">{`${health.datasets.length} dataset${health.datasets.length === 1 ? '' : 's'}`}</span>
        </h2>
        <p className="panel-meta">
          Late: the publisher has released periods the dataset does not hold (taken {health.lateMarginHours} h after its polling). Daily
          series expect every weekday: a missing date may be a trading holiday.
        </p>
      </header>
      {health.datasets.length === 0 ? (
        <p className="panel-empty muted" data-testid="series-health-empty">
          {scope.length === 0
            ? 'You are entitled to no product beside power in the hub.'
            : `No series stored, ingested or dead-lettered for ${scope.join(', ')}.`}
        </p>
      ) : (
        health.datasets.map((d) => <SeriesDatasetPanel key={d.dataset} d={d} productLabel={label(d.product)} />)
      )}
    </section>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
