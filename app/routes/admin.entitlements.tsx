import { DataKey } from '@carbon/schemas'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Fragment } from 'react'
import { z } from 'zod'
import { auditedChange, failure, formList, formText, redirectOk, requireAdmin } from '#app/utils/admin.server.ts'
import { Flash } from '#app/components/admin-ui.tsx'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { entitlementMatrix, loadEntitlements, setEntitlement } from '#server/services/auth/entitlements.ts'
import { Channel, MARKET_CHANNELS } from '#server/services/auth/types.ts'

export const meta: MetaFunction = () => [{ title: 'Entitlements · Administration · 254Carbon' }]

const CHANNEL_LABEL: Record<Channel, string> = { hub: 'Hub', api: 'API', downloads: 'Downloads' }
const NOT_OFFERED = 'not offered in the pilot'

/** A cell's form value and key: `MISO:hub`. */
const cellKey = (market: string, channel: string) => `${market}:${channel}`

/**
 * The entitlement matrix: organizations x (market x channel). Every channel is a column; the
 * pairs the pilot does not offer (MARKET_CHANNELS: CAISO has no API) are shown, disabled.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const { platform } = await requireAdmin(request)
  const matrix = await entitlementMatrix(platform.pg.db)
  const markets = matrix.markets.map((m) => ({
    id: m.id,
    channels: Channel.options.map((channel) => ({ channel, offered: m.channels.includes(channel) })),
  }))
  return {
    markets,
    organizations: matrix.organizations.map((o) => ({
      id: o.id,
      slug: o.slug,
      name: o.name,
      userCount: o.userCount,
      enabled: o.entitlements.filter((e) => e.enabled).map((e) => cellKey(e.market, e.channel)),
    })),
    ok: new URL(request.url).searchParams.get('ok'),
  }
}

const Cell = z.string().transform((value, ctx) => {
  const [market, channel, ...rest] = value.split(':')
  const m = DataKey.safeParse(market)
  const c = Channel.safeParse(channel)
  if (!m.success || !c.success || rest.length > 0) {
    ctx.addIssue({ code: 'custom', message: 'unknown market or channel' })
    return z.NEVER
  }
  return { market: m.data, channel: c.data }
})

/**
 * Saves one organization's row: every cell whose submitted state differs from the stored one is
 * set with setEntitlement (grantedBy = this admin's user id), each change audited as
 * admin.entitlements.set. A checked cell the pilot does not offer is passed on, so the service
 * refuses it (BAD_REQUEST) and the page shows its message.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { principal, platform } = await requireAdmin(request)
  const db = platform.pg.db
  const form = await request.formData()
  const organizationId = formText(form, 'organizationId')
  if (!z.uuid().safeParse(organizationId).success) {
    return failure(form, 'save', organizationId, { status: 400, message: 'Unknown organization.' })
  }
  const cells = z.array(Cell).safeParse(formList(form, 'cell'))
  if (!cells.success) return failure(form, 'save', organizationId, { status: 400, message: 'Unknown market or channel in the form.' })

  const wanted = new Set(cells.data.map((c) => cellKey(c.market, c.channel)))
  const current = new Set((await loadEntitlements(db, organizationId)).map((e) => cellKey(e.market, e.channel)))
  const changes: { market: DataKey; channel: Channel; enabled: boolean }[] = []
  // Every data key: the markets and the products beside power (docs/decisions/023).
  for (const market of DataKey.options) {
    for (const channel of Channel.options) {
      const key = cellKey(market, channel)
      const offered = MARKET_CHANNELS[market].includes(channel)
      if (offered && wanted.has(key) !== current.has(key)) changes.push({ market, channel, enabled: wanted.has(key) })
      if (!offered && wanted.has(key)) changes.push({ market, channel, enabled: true })
    }
  }
  if (changes.length === 0) return redirectOk(request, `unchanged:${organizationId}`)

  const grantedBy = principal.userId ?? principal.credentialId
  const applied: string[] = []
  for (const change of changes) {
    const result = await auditedChange({
      request,
      context,
      platform,
      principal,
      procedure: 'admin.entitlements.set',
      market: change.market,
      details: { organizationId, ...change },
      work: () => setEntitlement(db, { organizationId, ...change, grantedBy }),
    })
    if (!result.ok) {
      const done = applied.length > 0 ? ` Saved before this: ${applied.join(', ')}.` : ''
      const message = /[.!?]$/.test(result.error.message) ? result.error.message : `${result.error.message}.`
      return failure(form, 'save', organizationId, { ...result.error, message: `${message}${done}` })
    }
    applied.push(`${change.market} ${change.channel} ${change.enabled ? 'on' : 'off'}`)
  }
  return redirectOk(request, `saved:${organizationId}`)
}

export default function AdminEntitlements() {
  const { markets, organizations, ok } = useLoaderData<typeof loader>()
  const failed = useActionData<typeof action>()
  const [okWhat, okId] = !failed && ok ? ok.split(':') : []
  const okOrganization = organizations.find((o) => o.id === okId)
  const notOffered = markets.flatMap((m) => m.channels.filter((c) => !c.offered).map((c) => `${m.id} ${CHANNEL_LABEL[c.channel]}`))
  const checkedCells = (org: { id: string; enabled: string[] }) => {
    if (failed?.subject !== org.id) return org.enabled
    const v = failed.values.cell
    return v === undefined ? [] : Array.isArray(v) ? v : [v]
  }

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Entitlements</h1>
          <p className="page-lede">
            Which markets each organization may use, and through which channel: the hub, the API (tokens) or downloads. Changes apply at once
            here and within a few seconds on every server.
          </p>
        </div>
      </header>

      {okOrganization && okWhat === 'saved' ? <Flash tone="ok">Entitlements of {okOrganization.name} saved.</Flash> : null}
      {okOrganization && okWhat === 'unchanged' ? <Flash tone="ok">Nothing to save for {okOrganization.name}: no cell changed.</Flash> : null}
      {failed ? <Flash tone="error">{failed.message}</Flash> : null}

      <section className="panel">
        {organizations.length === 0 ? (
          <EmptyState title="No organizations yet">
            <Link to="/admin/organizations">Create an organization</Link> first; its entitlements are set here.
          </EmptyState>
        ) : (
          <>
            <div className="table-scroll">
              <table className="data-table matrix">
                <caption>Entitlements by organization (rows) and market × channel (columns); save each row on its own</caption>
                <thead>
                  <tr>
                    <th scope="col" rowSpan={2} className="text">
                      Organization
                    </th>
                    {markets.map((m) => (
                      <th scope="colgroup" colSpan={m.channels.length} key={m.id} className="group">
                        {m.id}
                      </th>
                    ))}
                    <th scope="col" rowSpan={2} className="text">
                      <span className="sr-only">Save</span>
                    </th>
                  </tr>
                  <tr>
                    {markets.map((m) =>
                      m.channels.map((c, i) => (
                        <th
                          scope="col"
                          key={`${m.id}:${c.channel}`}
                          className={i === 0 ? 'center first-of-group' : 'center'}
                          title={c.offered ? undefined : `${m.id} ${CHANNEL_LABEL[c.channel]}: ${NOT_OFFERED}`}
                        >
                          {CHANNEL_LABEL[c.channel]}
                          {c.offered ? null : ' *'}
                        </th>
                      )),
                    )}
                  </tr>
                </thead>
                <tbody>
                  {organizations.map((org) => {
                    const formId = `entitlements-${org.id}`
                    const checked = checkedCells(org)
                    return (
                      <tr key={`${org.id}:${checked.join(',')}`} id={`org-${org.slug}`}>
                        <th scope="row" className="text">
                          {org.name} <span className="muted">· {org.userCount} user{org.userCount === 1 ? '' : 's'}</span>
                        </th>
                        {markets.map((m) => (
                          <Fragment key={m.id}>
                            {m.channels.map((c, i) => {
                              const key = cellKey(m.id, c.channel)
                              const cls = `center${i === 0 ? ' first-of-group' : ''}`
                              const label = `${org.name} ${m.id} ${CHANNEL_LABEL[c.channel]}`
                              return c.offered ? (
                                <td key={key} className={cls}>
                                  <input type="checkbox" form={formId} name="cell" value={key} defaultChecked={checked.includes(key)} aria-label={label} />
                                </td>
                              ) : (
                                <td key={key} className={`${cls} cell-off`} title={NOT_OFFERED}>
                                  <input type="checkbox" disabled aria-label={`${label}: ${NOT_OFFERED}`} />
                                </td>
                              )
                            })}
                          </Fragment>
                        ))}
                        <td className="text">
                          <Form method="post" id={formId} className="inline-form">
                            <input type="hidden" name="organizationId" value={org.id} />
                            <button type="submit" className="button button-small" aria-label={`Save entitlements of ${org.name}`}>
                              Save
                            </button>
                          </Form>
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
            {notOffered.length > 0 ? (
              <p className="table-legend">
                <span className="swatch-off" aria-hidden="true" />* {NOT_OFFERED}: {notOffered.join(', ')}. Nobody can be entitled to it.
              </p>
            ) : null}
          </>
        )}
      </section>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
