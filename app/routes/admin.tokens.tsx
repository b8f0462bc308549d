import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { auditedChange, failure, formText, redirectOk, requireAdmin } from '#app/utils/admin.server.ts'
import { Flash, TokenRow, tokenStatus } from '#app/components/admin-ui.tsx'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { listUsers } from '#server/services/auth/admin.ts'
import { listApiTokens, revokeApiToken } from '#server/services/auth/tokens.ts'

export const meta: MetaFunction = () => [{ title: 'API tokens · Administration · 254Carbon' }]

/** Every personal access token of every organization, newest first; never a secret (none is stored). */
export async function loader({ request }: LoaderFunctionArgs) {
  const { platform } = await requireAdmin(request)
  const [tokens, users] = await Promise.all([listApiTokens(platform.pg.db, {}), listUsers(platform.pg.db, { limit: 1000 })])
  const owners = new Map(users.map((u) => [u.id, u]))
  return {
    tokens: tokens.map((t) => {
      const owner = owners.get(t.userId)
      return { ...t, ownerName: owner?.name ?? null, organizationSlug: owner?.organizationSlug ?? null }
    }),
    now: Date.now(),
    ok: new URL(request.url).searchParams.get('ok'),
  }
}

/** Revokes one token (the service decides who may), audited as admin.tokens.revoke. */
export async function action({ request, context }: ActionFunctionArgs) {
  const { principal, platform } = await requireAdmin(request)
  const form = await request.formData()
  const id = formText(form, 'id')
  if (formText(form, 'intent') !== 'revoke' || !z.uuid().safeParse(id).success) {
    return failure(form, 'revoke', null, { status: 400, message: 'Unknown token.' })
  }
  // The audit row names the token by its id (details keys that look like "token" are dropped).
  const result = await auditedChange({
    request,
    context,
    platform,
    principal,
    procedure: 'admin.tokens.revoke',
    details: { id },
    work: () => revokeApiToken(platform.pg.db, { tokenId: id, by: principal }),
  })
  return result.ok ? redirectOk(request, `revoked:${id}`) : failure(form, 'revoke', id, result.error)
}

export default function AdminTokens() {
  const { tokens, now, ok } = useLoaderData<typeof loader>()
  const failed = useActionData<typeof action>()
  const revoked = !failed && ok?.startsWith('revoked:') ? tokens.find((t) => t.id === ok.slice('revoked:'.length)) : undefined
  const active = tokens.filter((t) => tokenStatus(t, now) === 'active').length

  return (
    <>
      <header className="page-header">
        <div>
          <h1>API tokens</h1>
          <p className="page-lede">
            Personal access tokens of all organizations. Only a prefix is shown: the secret was shown once to its owner and is not stored.
          </p>
        </div>
      </header>

      {revoked ? (
        <Flash tone="ok">
          Token “{revoked.name}” ({revoked.prefix}) of {revoked.userEmail ?? 'its owner'} is revoked: it fails from the next request on.
        </Flash>
      ) : null}
      {failed ? <Flash tone="error">{failed.message}</Flash> : null}

      <section className="panel">
        {tokens.length === 0 ? (
          <EmptyState title="No API tokens yet">
            Users create their own on <Link to="/settings/tokens">Settings → API tokens</Link>.
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <caption>
                {tokens.length} token{tokens.length === 1 ? '' : 's'} ({active} active), newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col" className="text">Name</th>
                  <th scope="col" className="text">Prefix</th>
                  <th scope="col" className="text">Owner</th>
                  <th scope="col" className="text">Organization</th>
                  <th scope="col" className="text">Scopes</th>
                  <th scope="col" className="time">Created</th>
                  <th scope="col" className="time">Expires</th>
                  <th scope="col" className="time">Last used</th>
                  <th scope="col" className="text">Status</th>
                  <th scope="col" className="text">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <TokenRow key={t.id} token={t} now={now} error={failed?.subject === t.id ? failed.message : null}>
                    <td className="text">{t.userEmail ?? t.ownerName ?? <span className="muted">—</span>}</td>
                    <td className="text">{t.organizationSlug ?? <span className="muted">—</span>}</td>
                  </TokenRow>
                ))}
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
