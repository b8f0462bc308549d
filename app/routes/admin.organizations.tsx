import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { auditedChange, failure, formText, redirectOk, requireAdmin } from '#app/utils/admin.server.ts'
import { Flash, When } from '#app/components/admin-ui.tsx'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { createOrganization, listOrganizations } from '#server/services/auth/admin.ts'

export const meta: MetaFunction = () => [{ title: 'Organizations · Administration · 254Carbon' }]

/** Organizations with their user counts, and a form to create one. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { platform } = await requireAdmin(request)
  const organizations = await listOrganizations(platform.pg.db)
  const ok = new URL(request.url).searchParams.get('ok')
  return { organizations, ok }
}

/** Creates an organization (no entitlements yet), audited as admin.organizations.create. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { principal, platform } = await requireAdmin(request)
  const form = await request.formData()
  const slug = formText(form, 'slug').toLowerCase()
  const name = formText(form, 'name')
  const result = await auditedChange({
    request,
    context,
    platform,
    principal,
    procedure: 'admin.organizations.create',
    details: { slug, name },
    work: () => createOrganization(platform.pg.db, { slug, name }),
  })
  return result.ok ? redirectOk(request, `created:${result.value.slug}`) : failure(form, 'create', null, result.error)
}

export default function AdminOrganizations() {
  const { organizations, ok } = useLoaderData<typeof loader>()
  const failed = useActionData<typeof action>()
  const navigation = useNavigation()
  const creating = navigation.state === 'submitting' && navigation.formMethod === 'POST'
  const created = !failed && ok?.startsWith('created:') ? organizations.find((o) => o.slug === ok.slice('created:'.length)) : undefined
  const value = (name: string) => {
    const v = failed?.values[name]
    return typeof v === 'string' ? v : ''
  }

  return (
    <>
      <header className="page-header">
        <div>
          <h1>Organizations</h1>
          <p className="page-lede">Every user belongs to one organization; entitlements are granted per organization.</p>
        </div>
      </header>

      {created ? (
        <Flash tone="ok">
          Organization {created.name} ({created.slug}) created. It has no entitlements yet:{' '}
          <Link to="/admin/entitlements">grant them on the Entitlements page</Link>.
        </Flash>
      ) : null}
      {failed ? <Flash tone="error">{failed.message}</Flash> : null}

      <section className="panel">
        {organizations.length === 0 ? (
          <EmptyState title="No organizations yet">Create the first one with the form below.</EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <caption>
                {organizations.length} organization{organizations.length === 1 ? '' : 's'}, by name
              </caption>
              <thead>
                <tr>
                  <th scope="col" className="text">Name</th>
                  <th scope="col" className="text">Slug</th>
                  <th scope="col" className="num">Users</th>
                  <th scope="col" className="time">Created</th>
                </tr>
              </thead>
              <tbody>
                {organizations.map((o) => (
                  <tr key={o.id}>
                    <th scope="row" className="text">
                      {o.name}
                    </th>
                    <td className="text mono">{o.slug}</td>
                    <td className="num">
                      {o.userCount > 0 ? (
                        <Link to={`/admin/users?org=${encodeURIComponent(o.slug)}`} className="subtle-link">
                          {o.userCount}
                        </Link>
                      ) : (
                        <span className="muted">0</span>
                      )}
                    </td>
                    <td className="time">
                      <When at={o.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <Form method="post" className="search-form" aria-labelledby="create-org-title" key={failed ? 'failed' : (ok ?? 'new')}>
        <h2 className="form-title" id="create-org-title">
          Create an organization
        </h2>
        <div className="field">
          <label htmlFor="org-slug">Slug</label>
          <input
            id="org-slug"
            name="slug"
            type="text"
            required
            minLength={2}
            maxLength={64}
            pattern="[a-z0-9\-]{2,64}"
            placeholder="e.g. prairie-trading"
            defaultValue={value('slug')}
            aria-describedby="org-slug-hint"
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor="org-name">Name</label>
          <input id="org-name" name="name" type="text" required maxLength={200} placeholder="e.g. Prairie Trading" defaultValue={value('name')} />
        </div>
        <div className="field field-actions">
          <button type="submit" className="button button-primary" disabled={creating}>
            {creating ? 'Creating…' : 'Create organization'}
          </button>
        </div>
        <p className="field-hint form-foot" id="org-slug-hint">
          Slug: 2–64 of a–z, 0–9 and -, unique; it names the organization in links, logs and the identity provider&rsquo;s org claim.
          A new organization has no entitlements until you grant them.
        </p>
      </Form>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
