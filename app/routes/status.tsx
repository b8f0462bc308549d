import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData, useRevalidator } from '@remix-run/react'
import { useEffect, type CSSProperties } from 'react'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { formatInteger } from '#app/utils/format.ts'
import { loadStatus } from '#app/utils/status.server.ts'
import { formatInZone } from '#app/utils/time.ts'

export const meta: MetaFunction = () => [
  { title: 'Status · 254Carbon' },
  { name: 'description', content: 'Live price stream latency per stage, subscribers, queues and skipped updates of this hub process.' },
]

/** Signed-in users; no market data on this page, so no entitlement check. */
export async function loader({ request }: LoaderFunctionArgs) {
  return loadStatus(request)
}

type View = ReturnType<typeof useLoaderData<typeof loader>>
type Verdict = View['latency']['gate']['verdict']

/** How often the page reloads its figures while open. */
const REFRESH_MS = 10_000

const VERDICT_STYLE: Record<NonNullable<Verdict>, { className: string; style?: CSSProperties; label: string }> = {
  aim: { className: 'status status-active', label: 'on aim' },
  pass: { className: 'status', style: { background: '#fff7e6', color: '#92400e' }, label: 'within gate' },
  fail: { className: 'status status-disabled', label: 'over gate' },
}

const VERDICT_COLOR: Record<NonNullable<Verdict>, string> = { aim: '#047857', pass: '#b45309', fail: '#c0262d' }

/** "12 ms", "840 ms", "1.24 s", "42.0 s". */
function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—'
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`
  return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`
}

function verdictOf(p95: number, gate: View['latency']['gate']): NonNullable<Verdict> {
  if (p95 <= gate.aimSeconds) return 'aim'
  return p95 <= gate.gateSeconds ? 'pass' : 'fail'
}

function VerdictBadge({ verdict }: { verdict: Verdict }) {
  if (!verdict) return <span className="status status-expired">no data</span>
  const s = VERDICT_STYLE[verdict]
  return (
    <span className={s.className} style={s.style} data-verdict={verdict}>
      {s.label}
    </span>
  )
}

function useAutoRefresh(everyMs: number) {
  const revalidator = useRevalidator()
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && revalidator.state === 'idle') revalidator.revalidate()
    }, everyMs)
    return () => clearInterval(timer)
  }, [everyMs, revalidator])
}

export default function StatusPage() {
  const view = useLoaderData<typeof loader>()
  useAutoRefresh(REFRESH_MS)
  const { latency, ring } = view
  const gate = latency.gate
  const windowMinutes = Math.round(latency.windowMs / 60_000)

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Status</h1>
          <p className="page-lede">
            The live price stream of this hub process: how long prices take from our ingest to a subscriber, per stage, over the last{' '}
            {windowMinutes} minutes, and what the subscribers are waiting for. Each replica reports its own.
          </p>
        </div>
      </header>
      <div className="toolbar">
        <p className="toolbar-note">
          As of <time dateTime={view.generatedAt}>{formatInZone(view.generatedAt, 'UTC', 'datetime')} UTC</time> · refreshes every{' '}
          {REFRESH_MS / 1000} s
        </p>
      </div>

      <dl className="cards" aria-label="Live stream now">
        <div className="card" title={`p95 of ${gate.stage}: the gate is ${gate.gateSeconds} s, the aim ${gate.aimSeconds} s`}>
          <dt>Quality gate (p95)</dt>
          <dd>
            <span className="card-value card-value-big" style={gate.verdict ? { color: VERDICT_COLOR[gate.verdict] } : undefined} data-gate-p95>
              {formatSeconds(gate.p95)}
            </span>
            <span className="card-foot">
              <VerdictBadge verdict={gate.verdict} /> ≤ {gate.gateSeconds} s, aim {gate.aimSeconds} s
            </span>
          </dd>
        </div>
        <div className="card" title="Live price subscriptions open in this process (hub pages, SDK and API clients)">
          <dt>Subscribers</dt>
          <dd>
            <span className="card-value card-value-big" data-subscribers>
              {formatInteger(view.subscribers)}
            </span>
          </dd>
        </div>
        <div className="card" title="Prices waiting in the subscribers' queues, summed: a subscriber that reads slower than prices arrive makes this grow">
          <dt>Queued prices</dt>
          <dd>
            <span className="card-value card-value-big" data-queued>
              {formatInteger(view.queuedPrices)}
            </span>
          </dd>
        </div>
        <div className="card" title="Intermediate updates dropped for subscribers that fell behind (they got the latest value per node and a notice), since this process started">
          <dt>Skipped updates</dt>
          <dd>
            <span className="card-value card-value-big" data-skipped>
              {formatInteger(view.skipped.prices)}
            </span>
            <span className="card-foot">
              in {formatInteger(view.skipped.events)} notice{view.skipped.events === 1 ? '' : 's'}
            </span>
          </dd>
        </div>
        <div className="card" title="Recent prices the fan-out keeps so a reconnecting client resumes without a store query">
          <dt>Fan-out ring</dt>
          <dd>
            <span className="card-value card-value-big" data-ring>
              {ring ? formatInteger(ring.size) : '—'}
            </span>
            <span className="card-foot">{ring ? `of ${formatInteger(ring.capacity)} prices` : 'not running in this process'}</span>
          </dd>
        </div>
      </dl>

      {view.empty ? (
        <EmptyState title={`Nothing streamed in the last ${windowMinutes} minutes`}>
          {ring
            ? 'The live stream is running; latency appears here once prices are ingested and sent to a subscriber (open a market board).'
            : 'The live price fan-out is not running in this process.'}
        </EmptyState>
      ) : null}

      <section className="panel" aria-labelledby="latency-title">
        <header className="panel-header">
          <h2 id="latency-title">Latency per stage</h2>
          <p className="panel-meta">
            per price · last {windowMinutes} min, at most {formatInteger(latency.maxSamples)} observations per stage
          </p>
        </header>
        <div className="table-scroll">
          <table className="data-table">
            <caption>
              Percentiles per price over the window; p95 coloured against the quality gate (≤ {gate.gateSeconds} s, aim{' '}
              {gate.aimSeconds} s)
            </caption>
            <thead>
              <tr>
                <th scope="col" className="text">
                  Stage
                </th>
                <th scope="col" className="num">
                  p50
                </th>
                <th scope="col" className="num">
                  p95
                </th>
                <th scope="col" className="num">
                  p99
                </th>
                <th scope="col" className="num">
                  Max
                </th>
                <th scope="col" className="num">
                  Prices
                </th>
                <th scope="col" className="text">
                  Gate
                </th>
              </tr>
            </thead>
            <tbody>
              {view.stages.map(({ stage, label, detail }) => {
                const stats = latency.stages[stage]
                const verdict = stats ? verdictOf(stats.p95, gate) : null
                return (
                  <tr key={stage} data-stage={stage}>
                    <th scope="row" className="text" title={detail} style={{ whiteSpace: 'normal', minWidth: 200 }}>
                      <span className="strong">{label}</span>
                      <div className="muted">{detail}</div>
                    </th>
                    <td className="num">{formatSeconds(stats?.p50)}</td>
                    <td className="num strong" style={verdict ? { color: VERDICT_COLOR[verdict] } : undefined}>
                      {formatSeconds(stats?.p95)}
                    </td>
                    <td className="num">{formatSeconds(stats?.p99)}</td>
                    <td className="num">{formatSeconds(stats?.max)}</td>
                    <td className="num" title={stats ? `${formatInteger(stats.samples)} observations since ${stats.since}` : undefined}>
                      {stats ? formatInteger(stats.prices) : '—'}
                    </td>
                    <td className="text">
                      <VerdictBadge verdict={verdict} />
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
          <p className="table-note">
            Each price counts once per subscriber it is sent to. A price sent to a client that resumed after a disconnect counts from
            the moment it resubscribed. The same figures are on /metrics as <code>carbon_stream_latency_seconds{'{stage}'}</code>.
          </p>
        </div>
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
