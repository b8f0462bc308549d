import type { EntitledProduct } from '@carbon/schemas'
import { useFetcher, useSearchParams } from '@remix-run/react'
import { useState } from 'react'
import { EmptyState } from '#app/components/empty-state.tsx'
import type { ReportOutput, ReportSubscription } from '#server/services/report-subscriptions/schemas.ts'
import { formatBytes, JOB_STATUS_LABELS, utcMinute } from './format.ts'
import type { CenterAnswer, MarketChoice } from './types.ts'

const SUBHEADING = { margin: 0, padding: '8px 12px', fontSize: '13px', borderTop: '1px solid var(--border)' } as const

const KIND_LABELS = { 'market-summary': 'Market summary', curve: 'Forward curve', fuels: 'Gas, LNG and environmental' } as const
type Kind = keyof typeof KIND_LABELS
const isKind = (value: string | null): value is Kind => value !== null && Object.hasOwn(KIND_LABELS, value)

/** `Market summary · MISO`, `Forward curve · MISO INDIANA.HUB`, `Gas, LNG and environmental` (with the products a produced one shows). */
function subscriptionLabel(s: ReportSubscription | ReportOutput): string {
  if (s.kind === 'fuels') {
    const products = 'products' in s.params ? s.params.products : undefined
    return products && products.length > 0 ? `${KIND_LABELS.fuels} · ${products.join(', ')}` : KIND_LABELS.fuels
  }
  return s.kind === 'curve' ? `${KIND_LABELS.curve} · ${s.params.market} ${s.params.node ?? ''}` : `${KIND_LABELS['market-summary']} · ${s.params.market}`
}

/**
 * Subscribe to a daily report: a market summary per market, a forward curve per hub, the gas, LNG
 * and environmental report (no market: it shows the products the organization may download when
 * each is rendered). `?subscribe=<kind>` (a report page's subscribe link) picks the report.
 */
function SubscribeForm({ markets, products }: { markets: MarketChoice[]; products: EntitledProduct[] }) {
  const fetcher = useFetcher<CenterAnswer>()
  const [searchParams] = useSearchParams()
  const asked = searchParams.get('subscribe')
  const [kind, setKind] = useState<Kind>(isKind(asked) ? asked : 'market-summary')
  const [marketId, setMarketId] = useState(markets.find((m) => m.entitled)?.id ?? markets[0]?.id ?? '')
  const hubs = markets.find((m) => m.id === marketId)?.curveHubs ?? []
  const answer = fetcher.data?.intent === 'subscribe' ? fetcher.data : null
  return (
    <fetcher.Form method="post" className="inline-form download-subscribe" aria-label="Subscribe to a report" data-testid="subscribe-form">
      <label htmlFor="subscribe-kind">Report</label>
      <select id="subscribe-kind" name="kind" value={kind} onChange={(e) => setKind(isKind(e.currentTarget.value) ? e.currentTarget.value : 'market-summary')}>
        <option value="market-summary">{KIND_LABELS['market-summary']}</option>
        <option value="curve">{KIND_LABELS.curve}</option>
        <option value="fuels">
          {KIND_LABELS.fuels}
          {products.length > 0 ? '' : ' (not entitled)'}
        </option>
      </select>
      {kind === 'fuels' ? (
        <span className="muted" data-testid="subscribe-products">
          {products.length > 0
            ? `Shows ${products.join(', ')}: the products your organization may download, as of each delivery.`
            : 'Your organization may download none of GAS, LNG, LCFS, REC.'}
        </span>
      ) : (
        <>
          <label htmlFor="subscribe-market">Market</label>
          <select id="subscribe-market" name="market" value={marketId} onChange={(e) => setMarketId(e.currentTarget.value)}>
            {markets.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
                {m.entitled ? '' : ' (not entitled)'}
              </option>
            ))}
          </select>
        </>
      )}
      {kind === 'curve' ? (
        <>
          <label htmlFor="subscribe-node">Hub</label>
          <select id="subscribe-node" name="node" key={marketId}>
            {hubs.map((hub) => (
              <option key={hub} value={hub}>
                {hub}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <button type="submit" name="intent" value="subscribe" className="button" disabled={fetcher.state !== 'idle'}>
        Subscribe
      </button>
      <span aria-live="polite">
        {fetcher.state === 'idle' && answer?.ok ? (
          <span className="muted" role="status">
            {answer.created ? 'Subscribed' : 'Already subscribed'}: {subscriptionLabel(answer.subscription)},{' '}
            {answer.subscription.kind === 'fuels' ? 'daily once the day has ended.' : 'daily after the day-ahead publication.'}
          </span>
        ) : null}
        {fetcher.state === 'idle' && answer && !answer.ok ? (
          <span className="row-error" role="alert" data-testid="subscribe-error">
            {answer.error}
          </span>
        ) : null}
      </span>
    </fetcher.Form>
  )
}

function UnsubscribeButton({ id }: { id: string }) {
  const fetcher = useFetcher<CenterAnswer>()
  return (
    <fetcher.Form method="post" className="inline-form">
      <input type="hidden" name="id" value={id} />
      <button type="submit" name="intent" value="unsubscribe" className="button button-small" disabled={fetcher.state !== 'idle'}>
        Unsubscribe
      </button>
      {fetcher.data && !fetcher.data.ok ? (
        <span className="row-error" role="alert">
          {fetcher.data.error}
        </span>
      ) : null}
    </fetcher.Form>
  )
}

/** "Scheduled reports": subscribe, the user's subscriptions, and the organization's produced PDFs with their links. */
export function ReportsSection({
  markets,
  products,
  subscriptions,
  outputs,
  retentionHours,
}: {
  markets: MarketChoice[]
  products: EntitledProduct[]
  subscriptions: ReportSubscription[]
  outputs: ReportOutput[]
  retentionHours: number
}) {
  return (
    <section className="panel download-reports" aria-labelledby="reports-title">
      <div className="panel-header">
        <h2 id="reports-title">Scheduled reports</h2>
        <p className="panel-meta">
          Rendered as PDF each day once the market’s day has ended and the next day’s day-ahead prices are published (the gas, LNG and environmental
          report once the day has ended in Pacific time); kept {Math.round(retentionHours / 24)} days.
        </p>
      </div>
      <div style={{ padding: '10px 12px' }}>
        <SubscribeForm markets={markets} products={products} />
      </div>
      <h3 className="panel-subheading" style={SUBHEADING}>
        Your subscriptions
      </h3>
      {subscriptions.length === 0 ? (
        <EmptyState title="No subscription yet">
          <p>Subscribe to a market summary, a hub’s forward curve or the gas, LNG and environmental report above.</p>
        </EmptyState>
      ) : (
        <ul className="download-subscriptions" data-testid="subscriptions" style={{ margin: 0, padding: '4px 12px 12px 28px', listStyle: 'disc', display: 'grid', gap: '6px' }}>
          {subscriptions.map((s) => (
            <li key={s.id} data-subscription={s.id} style={{ display: 'flex', alignItems: 'center', gap: '12px' }}>
              <span>
                {subscriptionLabel(s)} · daily{s.lastReportDate ? ` · last report ${s.lastReportDate}` : ' · no report yet'}
              </span>
              <UnsubscribeButton id={s.id} />
            </li>
          ))}
        </ul>
      )}
      <h3 className="panel-subheading" style={SUBHEADING}>
        Produced reports
      </h3>
      {outputs.length === 0 ? (
        <EmptyState title="No report produced yet">
          <p>Your organization’s reports appear here once rendered.</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="data-table download-report-outputs">
            <caption className="sr-only">Your organization’s scheduled reports, newest first</caption>
            <thead>
              <tr>
                <th scope="col" className="text">
                  Report
                </th>
                <th scope="col" className="text">
                  Day
                </th>
                <th scope="col" className="text">
                  Status
                </th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="text">
                  <span className="sr-only">Download</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {outputs.map((o) => (
                <tr key={o.id} data-report={o.id} data-status={o.status}>
                  <th scope="row" className="text">
                    {subscriptionLabel(o)}
                    <br />
                    <span className="muted mono">{o.filename}</span>
                  </th>
                  <td className="text">{o.reportDate}</td>
                  <td className="text">
                    <span className={`status run-status run-status-${o.status}`}>{JOB_STATUS_LABELS[o.status] ?? o.status}</span>
                    {o.status === 'failed' && o.error ? <p className="muted row-error">{o.error}</p> : null}
                    {o.status === 'done' ? <p className="muted">{utcMinute(o.finishedAt)}</p> : null}
                  </td>
                  <td className="num">{formatBytes(o.bytes)}</td>
                  <td className="text">
                    {o.status === 'done' ? (
                      <a className="button button-small" href={`/downloads/reports/${o.id}`} download={o.filename}>
                        PDF
                      </a>
                    ) : null}
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
