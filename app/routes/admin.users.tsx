import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import {
  auditedChange,
  failure,
  formList,
  formText,
  redirectOk,
  requireAdmin,
} from '#app/utils/admin.server.ts'
import { Flash, StatusTag, When } from '#app/components/admin-ui.tsx'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { parseOr } from '#app/utils/http.server.ts'
import { listOrganizations, listUsers, setUserDisabled, setUserRoles } from '#server/services/auth/admin.ts'
import { Role } from '#server/services/auth/types.ts'

export const meta: MetaFunction = () => [{ title: 'Users · Administration · 254Carbon' }]

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

const UsersQuery = z.object({
  org: z.preprocess(blank, z.string().trim().max(64).optional()),
  q: z.preprocess(blank, z.string().trim().max(200, 'search: at most 200 characters').optional()),
  ok: z.preprocess(blank, z.string().max(80).optional()),
})

const ROLE_HELP: Record<Role, string> = {
  admin: 'every role, and these admin pages',
  analyst: 'the hub, the API and downloads, as entitled',
  viewer: 'the hub, as entitled',
  service: 'machine clients',
}

/** Users with their organization, roles, last login and status; filter by organization and text. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { principal, platform } = await requireAdmin(request)
  const filters = parseOr(UsersQuery, Object.fromEntries(new URL(request.url).searchParams))
  const organizations = await listOrganizations(platform.pg.db)
  const organization = filters.org ? organizations.find((o) => o.slug === filters.org) : undefined
  const users =
    filters.org && !organization ? [] : await listUsers(platform.pg.db, { organizationId: organization?.id, q: filters.q })
  return {
    filters,
    users,
    organizations: organizations.map((o) => ({ slug: o.slug, name: o.name })),
    roles: Role.options,
    me: principal.userId,
    unknownOrganization: Boolean(filters.org && !organization),
  }
}

const UserId = z.uuid()

/** intent=roles (replace the user's roles) | disable | enable; each audited. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { principal, platform } = await requireAdmin(request)
  const form = await request.formData()
  const intent = formText(form, 'intent')
  const userId = formText(form, 'userId')
  if (!UserId.safeParse(userId).success) return failure(form, intent, null, { status: 400, message: 'Unknown user.' })
  const db = platform.pg.db
  const change = { request, context, platform, principal }

  if (intent === 'roles') {
    const submitted = formList(form, 'role')
    const roles = Role.options.filter((r) => submitted.includes(r))
    if (roles.length !== new Set(submitted).size) {
      return failure(form, intent, userId, { status: 400, message: `Roles must be among ${Role.options.join(', ')}.` })
    }
    const result = await auditedChange({
      ...change,
      procedure: 'admin.users.setRoles',
      details: { userId, roles },
      work: () => setUserRoles(db, { userId, roles, by: principal }),
    })
    return result.ok ? redirectOk(request, `roles:${userId}`) : failure(form, intent, userId, result.error)
  }

  if (intent === 'disable' || intent === 'enable') {
    const disabled = intent === 'disable'
    const result = await auditedChange({
      ...change,
      procedure: 'admin.users.setDisabled',
      details: { userId, disabled },
      work: () => setUserDisabled(db, { userId, disabled, by: principal }),
    })
    return result.ok ? redirectOk(request, `${intent}d:${userId}`) : failure(form, intent, userId, result.error)
  }

  return failure(form, intent, userId, { status: 400, message: 'Unknown action.' })
}

function okMessage(code: string | undefined, users: { id: string; name: string | null; email: string | null }[]) {
  if (!code) return null
  const [what, id] = code.split(':')
  const user = users.find((u) => u.id === id)
  const who = user ? (user.name ?? user.email ?? 'the user') : 'the user'
  if (what === 'roles') return `Roles of ${who} saved.`
  if (what === 'disabled') return `${who} is disabled: their sessions and API tokens were revoked.`
  if (what === 'enabled') return `${who} is enabled again; they sign in anew and create new tokens.`
  return null
}

export default function AdminUsers() {
  const { filters, users, organizations, roles, me, unknownOrganization } = useLoaderData<typeof loader>()
  const failed = useActionData<typeof action>()
  const ok = failed ? null : okMessage(filters.ok, users)
  const filtered = Boolean(filters.org || filters.q)
  const submittedRoles = (userId: string, current: readonly string[]) => {
    if (failed?.intent !== 'roles' || failed.subject !== userId) return current
    const v = failed.values.role
    return v === undefined ? [] : Array.isArray(v) ? v : [v]
  }

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Users</h1>
          <p className="page-lede">Everyone who has signed in, by email. Roles apply from the next request, until the user's next sign-in, when the identity provider's roles claim sets them again (manage lasting roles in the provider); disabling revokes sessions and API tokens at once.</p>
        </div>
      </header>

      {ok ? <Flash tone="ok">{ok}</Flash> : null}
      {failed ? <Flash tone="error">{failed.message}</Flash> : null}

      <Form method="get" className="search-form" role="search" key={`${filters.org ?? ''}|${filters.q ?? ''}`}>
        <div className="field">
          <label htmlFor="users-org">Organization</label>
          <select id="users-org" name="org" defaultValue={filters.org ?? ''}>
            <option value="">All organizations</option>
            {organizations.map((o) => (
              <option key={o.slug} value={o.slug}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="users-q">Name or email contains</label>
          <input id="users-q" name="q" type="search" defaultValue={filters.q ?? ''} maxLength={200} autoComplete="off" spellCheck={false} />
        </div>
        <div className="field field-actions">
          <button type="submit" className="button button-primary">
            Filter
          </button>
          {filtered ? (
            <Link to="/admin/users" className="button">
              Clear
            </Link>
          ) : null}
        </div>
      </Form>

      <section className="panel">
        {users.length === 0 ? (
          filtered ? (
            <EmptyState title="No users match">
              {unknownOrganization ? `There is no organization “${filters.org}”. ` : 'Nobody matches these filters. '}
              <Link to="/admin/users">Clear the filters</Link>.
            </EmptyState>
          ) : (
            <EmptyState title="No users yet">Users appear here after they first sign in.</EmptyState>
          )
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <caption>
                {users.length} user{users.length === 1 ? '' : 's'}
                {filtered ? ' matching the filters' : ''}, by email. Roles: {roles.map((r) => `${r} — ${ROLE_HELP[r]}`).join('; ')}.
              </caption>
              <thead>
                <tr>
                  <th scope="col" className="text">Name</th>
                  <th scope="col" className="text">Email</th>
                  <th scope="col" className="text">Organization</th>
                  <th scope="col" className="text">Roles</th>
                  <th scope="col" className="time">Last login</th>
                  <th scope="col" className="text">Status</th>
                  <th scope="col" className="text">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => {
                  const label = u.name ?? u.email ?? u.id
                  const checked = submittedRoles(u.id, u.roles)
                  const rowFailed = failed && failed.subject === u.id ? failed : null
                  return (
                    <tr key={u.id}>
                      <th scope="row" className="text">
                        {u.name ?? <span className="muted">—</span>}
                        {u.id === me ? <span className="muted"> (you)</span> : null}
                      </th>
                      <td className="text">{u.email ?? <span className="muted">—</span>}</td>
                      <td className="text">
                        <Link to={`/admin/users?org=${encodeURIComponent(u.organizationSlug)}`} className="subtle-link">
                          {u.organizationSlug}
                        </Link>
                      </td>
                      <td className="text">
                        <Form method="post" className="inline-form" key={`${u.id}:${checked.join(',')}`} aria-label={`Roles of ${label}`}>
                          <input type="hidden" name="intent" value="roles" />
                          <input type="hidden" name="userId" value={u.id} />
                          {roles.map((r) => (
                            <label key={r} className="check" title={ROLE_HELP[r]}>
                              <input type="checkbox" name="role" value={r} defaultChecked={checked.includes(r)} aria-label={`${r} role of ${label}`} />
                              {r}
                            </label>
                          ))}
                          <button type="submit" className="button button-small">
                            Save roles
                          </button>
                        </Form>
                        {rowFailed?.intent === 'roles' ? <p className="row-error">{rowFailed.message}</p> : null}
                      </td>
                      <td className="time">
                        <When at={u.lastLoginAt} none="never" />
                      </td>
                      <td className="text">
                        <StatusTag status={u.disabled ? 'disabled' : 'active'} />
                      </td>
                      <td className="text">
                        <Form method="post" className="inline-form">
                          <input type="hidden" name="userId" value={u.id} />
                          {u.disabled ? (
                            <button type="submit" name="intent" value="enable" className="button button-small" aria-label={`Enable ${label}`}>
                              Enable
                            </button>
                          ) : (
                            <button type="submit" name="intent" value="disable" className="button button-small button-danger" aria-label={`Disable ${label}`}>
                              Disable
                            </button>
                          )}
                        </Form>
                        {rowFailed && rowFailed.intent !== 'roles' ? <p className="row-error">{rowFailed.message}</p> : null}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
