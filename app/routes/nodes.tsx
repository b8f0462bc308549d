import { MarketId, NodeType, type NodeType as NodeTypeName } from '@carbon/schemas'
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { orRespond, parseOr } from '#app/utils/http.server.ts'
import { nodeHref } from '#app/utils/node-view.ts'
import { accessData, auditedInput } from '#app/utils/data-access.server.ts'
import { searchNodes } from '#app/utils/platform.server.ts'
import { formatInZone } from '#app/utils/time.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.filters.q ? `Nodes starting with ${data.filters.q} · 254Carbon` : 'Node search · 254Carbon' },
]

const PAGE_SIZE = 50
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

const SearchQuery = z.object({
  q: z.preprocess(blank, z.string().trim().max(64, 'name prefix: at most 64 characters').optional()),
  market: z.preprocess((v) => (typeof v === 'string' ? blank(v.toUpperCase()) : v), MarketId.optional()),
  type: z.preprocess((v) => (typeof v === 'string' ? blank(v.toLowerCase()) : v), NodeType.optional()),
  cursor: z.preprocess(blank, z.string().max(256).optional()),
})

const TYPE_LABELS: Record<NodeTypeName, string> = { hub: 'Hub', zone: 'Load zone', generator: 'Generator', interface: 'Interface' }

/** Pricing nodes by name prefix, market and type, one keyset page at a time. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  const spec = { procedure: 'hub:nodes.search' }
  const filters = await auditedInput(request, context, spec, () => parseOr(SearchQuery, Object.fromEntries(url.searchParams)))
  const access = await accessData(request, context, { ...spec, market: filters.market })
  const result = await orRespond(searchNodes(access.platform.pg.db, { ...filters, limit: PAGE_SIZE }, { markets: access.entitled }))
  await access.served({ details: { q: filters.q ?? null, type: filters.type ?? null } })
  return {
    filters,
    items: result.items,
    nextCursor: result.nextCursor,
    options: { markets: MarketId.options.filter((m) => access.entitled.includes(m)), types: NodeType.options },
  }
}

function searchHref(filters: { q?: string; market?: string; type?: string }, cursor?: string | null) {
  const sp = new URLSearchParams()
  if (filters.q) sp.set('q', filters.q)
  if (filters.market) sp.set('market', filters.market)
  if (filters.type) sp.set('type', filters.type)
  if (cursor) sp.set('cursor', cursor)
  const s = sp.toString()
  return s ? `/nodes?${s}` : '/nodes'
}

export default function NodeSearch() {
  const { filters, items, nextCursor, options } = useLoaderData<typeof loader>()
  const navigation = useNavigation()
  const searching = navigation.state === 'loading' && navigation.location.pathname === '/nodes'
  const filtered = Boolean(filters.q || filters.market || filters.type)
  const describe = [
    filters.q ? `names starting with “${filters.q}”` : null,
    filters.market ? `in ${filters.market}` : null,
    filters.type ? `of type ${TYPE_LABELS[filters.type].toLowerCase()}` : null,
  ]
    .filter(Boolean)
    .join(', ')

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Node search</h1>
          <p className="page-lede">Find a pricing node by the start of its name; filter by market and type.</p>
        </div>
      </header>

      {/* key: a new search resets the uncontrolled fields to the URL's values */}
      <Form method="get" className="search-form" role="search" key={searchHref(filters)}>
        <div className="field">
          <label htmlFor="q">Name starts with</label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={filters.q ?? ''}
            placeholder="e.g. IND, TH_SP15, DLAP"
            maxLength={64}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor="market">Market</label>
          <select id="market" name="market" defaultValue={filters.market ?? ''}>
            <option value="">All markets</option>
            {options.markets.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="type">Type</label>
          <select id="type" name="type" defaultValue={filters.type ?? ''}>
            <option value="">All types</option>
            {options.types.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-actions">
          <button type="submit" className="button button-primary">
            Search
          </button>
          {filtered ? (
            <Link to="/nodes" className="button">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>

      <section className="panel" aria-busy={searching || undefined}>
        {items.length === 0 ? (
          filtered ? (
            <EmptyState title="No matching nodes">
              Nothing matches {describe}. Node names start with the hub or zone code (MISO <code>INDIANA.HUB</code>, CAISO{' '}
              <code>TH_SP15_GEN-APND</code>); try fewer letters or <Link to="/nodes">clear the filters</Link>.
            </EmptyState>
          ) : (
            <EmptyState title="No pricing nodes yet">
              No nodes yet — run <code>npx carbon seed-demo</code> or wait for ingestion.
            </EmptyState>
          )
        ) : (
          <>
            <div className="table-scroll">
              <table className="data-table search-table">
                <caption>
                  Pricing nodes{describe ? ` — ${describe}` : ''}
                  {filters.cursor ? ' (continued)' : ''}, by market and name
                </caption>
                <thead>
                  <tr>
                    <th scope="col" className="text">Node</th>
                    <th scope="col" className="text">Market</th>
                    <th scope="col" className="text">Type</th>
                    <th scope="col" className="time">Active from (UTC)</th>
                    <th scope="col" className="time">Active to (UTC)</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((n) => (
                    <tr key={`${n.market}/${n.name}`}>
                      <th scope="row" className="text node-cell">
                        <Link to={nodeHref(n.market, n.name)} prefetch="intent" className="node-link">
                          {n.name}
                        </Link>
                      </th>
                      <td className="text">
                        <Link to={`/markets/${n.market}`} className="subtle-link">
                          {n.market}
                        </Link>
                      </td>
                      <td className="text">
                        <span className={`tag tag-${n.type}`}>{TYPE_LABELS[n.type]}</span>
                      </td>
                      <td className="time">{n.activeFrom ? formatInZone(n.activeFrom, 'UTC', 'date') : '—'}</td>
                      <td className="time">{n.activeTo ? formatInZone(n.activeTo, 'UTC', 'date') : 'active'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <nav className="pager" aria-label="Result pages">
              {filters.cursor ? <Link to={searchHref(filters)}>⇤ First page</Link> : <span className="pager-disabled">⇤ First page</span>}
              <span className="pager-status">
                {items.length} node{items.length === 1 ? '' : 's'} on this page
              </span>
              {nextCursor ? (
                <Link to={searchHref(filters, nextCursor)} rel="next">
                  Next page →
                </Link>
              ) : (
                <span className="pager-disabled">Last page</span>
              )}
            </nav>
          </>
        )}
      </section>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
