import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, NavLink, Outlet, useLoaderData } from '@remix-run/react'
import { requireAdmin } from '#app/utils/admin.server.ts'
import { errorMessage, GeneralErrorBoundary } from '#app/components/error-boundary.tsx'

export const meta: MetaFunction = () => [{ title: 'Administration · 254Carbon' }]

const SECTIONS = [
  { to: 'users', label: 'Users' },
  { to: 'organizations', label: 'Organizations' },
  { to: 'entitlements', label: 'Entitlements' },
  { to: 'tokens', label: 'Tokens' },
  { to: 'audit', label: 'Audit log' },
] as const

/** The admin area: administrators only (others get 403, visitors the sign-in page). */
export async function loader({ request }: LoaderFunctionArgs) {
  const { principal } = await requireAdmin(request)
  return { who: principal.label, organization: principal.organizationSlug }
}

export default function AdminLayout() {
  const { who, organization } = useLoaderData<typeof loader>()
  const tabClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'admin-tab admin-tab-active' : 'admin-tab')
  return (
    <div className="page">
      <div>
        <p className="breadcrumb">Administration</p>
        <nav className="admin-tabs" aria-label="Administration">
          {SECTIONS.map((s) => (
            <NavLink key={s.to} to={s.to} className={tabClass} prefetch="intent">
              {s.label}
            </NavLink>
          ))}
        </nav>
      </div>
      <Outlet />
      <p className="admin-who">
        Signed in as {who} ({organization}). Every change on these pages is recorded in the <Link to="audit">audit log</Link>.
      </p>
    </div>
  )
}

/** 403 for signed-in users without the admin role; the rest as everywhere. */
export function ErrorBoundary() {
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        403: ({ error }) => (
          <section className="error-page" aria-labelledby="error-title">
            <p className="error-code">403</p>
            <h1 id="error-title">Administrators only</h1>
            <p className="error-message">{errorMessage(error) ?? 'This page requires the admin role.'}</p>
            <p>
              Ask an administrator of your organization if you need access. Your own API tokens are under{' '}
              <Link to="/settings/tokens">Settings → API tokens</Link>.
            </p>
            <ul className="error-links">
              <li>
                <Link to="/">Market overview</Link>
              </li>
            </ul>
          </section>
        ),
      }}
    />
  )
}
