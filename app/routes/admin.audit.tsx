import { MarketId } from '@carbon/schemas'
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react'
import { auditFilterOf, requireAdmin, type AuditQuery } from '#app/utils/admin.server.ts'
import { Flash, When } from '#app/components/admin-ui.tsx'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { AUDIT_OUTCOMES } from '#server/adapters/postgres/schema/index.ts'
import { isAppError } from '#server/errors.ts'
import { listOrganizations, listUsers } from '#server/services/auth/admin.ts'
import { searchAudit, type AuditPage } from '#server/services/auth/audit.ts'
import { listApiTokens } from '#server/services/auth/tokens.ts'

export const meta: MetaFunction = () => [{ title: 'Audit log · Administration · 254Carbon' }]

const PAGE_SIZE = 50
const FILTER_KEYS = ['from', 'to', 'org', 'principal', 'market', 'outcome', 'procedure'] as const
type Filters = Partial<Record<(typeof FILTER_KEYS)[number], string>>

/** The audit log, newest first, one keyset page at a time, filtered by the GET form. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { platform } = await requireAdmin(request)
  const db = platform.pg.db
  const { query, filter, problem } = await auditFilterOf(platform, new URL(request.url).searchParams)
  let page: AuditPage = { items: [], nextCursor: null }
  let error = problem
  if (!problem) {
    try {
      page = await searchAudit(db, { ...filter, limit: PAGE_SIZE })
    } catch (e) {
      if (!isAppError(e) || e.status >= 500) throw e
      error = e.userMessage
    }
  }
  const [organizations, users, tokens] = await Promise.all([listOrganizations(db), listUsers(db, { limit: 1000 }), listApiTokens(db, {})])
  // Who a principal id is, for people: user ids -> email, token ids -> token name and owner.
  const names = new Map<string, string>()
  for (const u of users) names.set(u.id, u.email ?? u.name ?? '')
  for (const t of tokens) names.set(t.id, `token “${t.name}” of ${t.userEmail ?? 'a user'}`)
  return {
    query: filtersOf(query),
    cursor: query.cursor ?? null,
    items: page.items.map((r) => ({ ...r, principalName: r.principalId ? (names.get(r.principalId) ?? null) : null })),
    nextCursor: page.nextCursor,
    error,
    options: { organizations: organizations.map((o) => ({ slug: o.slug, name: o.name })), markets: MarketId.options, outcomes: AUDIT_OUTCOMES },
  }
}

function filtersOf(query: AuditQuery): Filters {
  const out: Filters = {}
  for (const key of FILTER_KEYS) if (query[key]) out[key] = query[key]
  return out
}

function queryString(filters: Filters, cursor?: string | null): string {
  const sp = new URLSearchParams()
  for (const key of FILTER_KEYS) if (filters[key]) sp.set(key, filters[key])
  if (cursor) sp.set('cursor', cursor)
  const s = sp.toString()
  return s ? `?${s}` : ''
}

function OutcomeTag({ outcome }: { outcome: string }) {
  const tone = outcome === 'allowed' ? 'active' : outcome === 'denied' ? 'revoked' : 'expired'
  return <span className={`status status-${tone}`}>{outcome}</span>
}

function compactDetails(details: Record<string, unknown> | null): string {
  if (!details) return ''
  const text = JSON.stringify(details)
  return text === '{}' ? '' : text
}

export default function AdminAudit() {
  const { query, cursor, items, nextCursor, error, options } = useLoaderData<typeof loader>()
  const navigation = useNavigation()
  const loading = navigation.state === 'loading' && navigation.location.pathname === '/admin/audit'
  const filtered = FILTER_KEYS.some((k) => query[k])
  const filterField = (key: keyof Filters, value: string) => `/admin/audit${queryString({ ...query, [key]: value })}`

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Audit log</h1>
          <p className="page-lede">Every data request (hub, API, downloads) and every admin change: allowed, denied or failed. Times in UTC.</p>
        </div>
        <a href={`/admin/audit.csv${queryString(query)}`} className="button">
          Export CSV
        </a>
      </header>

      <Form method="get" className="search-form" role="search" key={queryString(query)}>
        <div className="field">
          <label htmlFor="audit-from">From (UTC day)</label>
          <input id="audit-from" name="from" type="date" defaultValue={query.from ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To (UTC day, inclusive)</label>
          <input id="audit-to" name="to" type="date" defaultValue={query.to ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="audit-org">Organization</label>
          <select id="audit-org" name="org" defaultValue={query.org ?? ''}>
            <option value="">All organizations</option>
            {options.organizations.map((o) => (
              <option key={o.slug} value={o.slug}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-principal">Principal id</label>
          <input
            id="audit-principal"
            name="principal"
            type="search"
            defaultValue={query.principal ?? ''}
            placeholder="user, token or client id"
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor="audit-market">Market</label>
          <select id="audit-market" name="market" defaultValue={query.market ?? ''}>
            <option value="">All markets</option>
            {options.markets.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-outcome">Outcome</label>
          <select id="audit-outcome" name="outcome" defaultValue={query.outcome ?? ''}>
            <option value="">Any outcome</option>
            {options.outcomes.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-procedure">Procedure starts with</label>
          <input
            id="audit-procedure"
            name="procedure"
            type="search"
            defaultValue={query.procedure ?? ''}
            placeholder="e.g. prices. or admin."
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="field field-actions">
          <button type="submit" className="button button-primary">
            Filter
          </button>
          {filtered ? (
            <Link to="/admin/audit" className="button">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>

      {error ? <Flash tone="error">{error}</Flash> : null}

      <section className="panel" aria-busy={loading || undefined}>
        {items.length === 0 ? (
          filtered || cursor ? (
            <EmptyState title="No audit rows match">
              Nothing was recorded {cursor ? 'before this page ' : ''}for these filters. Widen the dates or{' '}
              <Link to="/admin/audit">clear the filters</Link>.
            </EmptyState>
          ) : (
            <EmptyState title="Nothing recorded yet">Rows appear here as soon as someone requests data or changes a setting.</EmptyState>
          )
        ) : (
          <>
            <div className="table-scroll">
              <table className="data-table audit-table">
                <caption>
                  Audit rows{filtered ? ' matching the filters' : ''}
                  {cursor ? ' (older page)' : ''}, newest first
                </caption>
                <thead>
                  <tr>
                    <th scope="col" className="time">Time (UTC)</th>
                    <th scope="col" className="text">Principal</th>
                    <th scope="col" className="text">Organization</th>
                    <th scope="col" className="text">Channel</th>
                    <th scope="col" className="text">Procedure</th>
                    <th scope="col" className="text">Market</th>
                    <th scope="col" className="text">Outcome</th>
                    <th scope="col" className="num">Status</th>
                    <th scope="col" className="text">Scope and details</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((r) => {
                    const details = compactDetails(r.details)
                    const scope = [
                      r.nodes?.length ? `nodes ${r.nodes.slice(0, 3).join(', ')}${r.nodes.length > 3 ? ` +${r.nodes.length - 3}` : ''}` : null,
                      r.rangeFrom || r.rangeTo ? `${r.rangeFrom?.slice(0, 10) ?? '…'} → ${r.rangeTo?.slice(0, 10) ?? '…'}` : null,
                    ]
                      .filter(Boolean)
                      .join(' · ')
                    return (
                      <tr key={r.id}>
                        <td className="time">
                          <When at={r.occurredAt} />
                        </td>
                        <td className="text">
                          <span className="tag">{r.principalType}</span>
                          {r.principalId ? (
                            <>
                              {' '}
                              {r.principalName ? <span>{r.principalName} </span> : null}
                              <Link
                                to={filterField('principal', r.principalId)}
                                className="subtle-link mono"
                                title={`Only rows of ${r.principalId}`}
                                aria-label={`Only rows of principal ${r.principalId}`}
                              >
                                {r.principalId.length > 12 ? `${r.principalId.slice(0, 8)}…` : r.principalId}
                              </Link>
                            </>
                          ) : null}
                        </td>
                        <td className="text">{r.organizationSlug ?? <span className="muted">—</span>}</td>
                        <td className="text">{r.channel ?? <span className="muted">—</span>}</td>
                        <td className="text mono">{r.procedure}</td>
                        <td className="text">{r.market ?? <span className="muted">—</span>}</td>
                        <td className="text">
                          <OutcomeTag outcome={r.outcome} />
                        </td>
                        <td className="num">{r.status ?? '—'}</td>
                        <td className="text audit-details" title={details || undefined}>
                          {scope ? <span>{scope} </span> : null}
                          {details ? <span className="mono muted">{details.length > 400 ? `${details.slice(0, 399)}…` : details}</span> : null}
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
            <nav className="pager" aria-label="Audit pages">
              {cursor ? <Link to={`/admin/audit${queryString(query)}`}>⇤ Newest</Link> : <span className="pager-disabled">⇤ Newest</span>}
              <span className="pager-status">
                {items.length} row{items.length === 1 ? '' : 's'} on this page
              </span>
              {nextCursor ? (
                <Link to={`/admin/audit${queryString(query, nextCursor)}`} rel="next">
                  Older →
                </Link>
              ) : (
                <span className="pager-disabled">Oldest row reached</span>
              )}
            </nav>
          </>
        )}
      </section>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
