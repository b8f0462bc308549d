import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { auditedChange, failure, formList, formText, redirectOk } from '#app/utils/admin.server.ts'
import { Flash, TokenRow } from '#app/components/admin-ui.tsx'
import { TokenReveal } from '#app/components/admin-token-reveal.tsx'
import { EmptyState } from '#app/components/empty-state.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { requireUser } from '#app/utils/auth.server.ts'
import { getPlatform } from '#server/platform.ts'
import { createApiToken, listApiTokens, revokeApiToken } from '#server/services/auth/tokens.ts'
import { Scope, type Principal } from '#server/services/auth/types.ts'

export const meta: MetaFunction = () => [{ title: 'API tokens · Settings · 254Carbon' }]

/** This page may carry a new token (the create answer): never cache it anywhere. */
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'no-store' })

const SCOPE_HELP: Record<Scope, string> = {
  'read:prices': 'markets, pricing nodes, prices, gas, LNG, LCFS, RECs and fundamentals',
  'read:curves': 'forward curves',
  'write:curves': 'publish forward curves',
  'write:compliance': 'record compliance obligations, holdings and retirements',
  'write:series': 'upload REC quotes (CSV)',
}
const EXPIRY = [
  { value: '30', label: '30 days', days: 30 },
  { value: '90', label: '90 days', days: 90 },
  { value: '365', label: '1 year', days: 365 },
  { value: 'never', label: 'Never', days: null },
] as const
const DEFAULT_EXPIRY = '90'

/** A signed-in user with a user id (personal tokens belong to a person), else 403. */
async function requireUserId(request: Request): Promise<{ principal: Principal; userId: string }> {
  const principal = await requireUser(request)
  if (principal.kind !== 'user' || !principal.userId) {
    throw new Response('API tokens are managed from a signed-in hub session.', { status: 403 })
  }
  return { principal, userId: principal.userId }
}

/** The signed-in user's own tokens (revoked and expired ones included), newest first. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { userId } = await requireUserId(request)
  const platform = await getPlatform()
  const tokens = await listApiTokens(platform.pg.db, { userId })
  return {
    tokens,
    now: Date.now(),
    ok: new URL(request.url).searchParams.get('ok'),
    scopes: Scope.options,
    expiry: EXPIRY.map(({ value, label }) => ({ value, label })),
  }
}

/**
 * intent=create: a new token, answered directly (no redirect) so the page shows it once and it
 * never travels in a URL; intent=revoke: one of the user's own tokens. Both audited.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { principal, userId } = await requireUserId(request)
  const platform = await getPlatform()
  const db = platform.pg.db
  const form = await request.formData()
  const intent = formText(form, 'intent')
  const change = { request, context, platform, principal }

  if (intent === 'create') {
    const name = formText(form, 'name')
    const scopes = formList(form, 'scopes')
    const expiry = EXPIRY.find((e) => e.value === formText(form, 'expires'))
    if (!expiry) return failure(form, intent, null, { status: 400, message: 'Choose when the token expires.' })
    if (scopes.length === 0) return failure(form, intent, null, { status: 400, message: 'Choose at least one scope.' })
    const parsedScopes = z.array(Scope).safeParse(scopes)
    if (!parsedScopes.success) return failure(form, intent, null, { status: 400, message: 'Unknown scope.' })
    const result = await auditedChange({
      ...change,
      procedure: 'settings.tokens.create',
      details: { name, scopes: parsedScopes.data, expiresInDays: expiry.days },
      // The audit row names the token by id and prefix (not secret); the token itself never.
      describe: ({ info }) => ({ id: info.id, prefix: info.prefix }),
      work: () => createApiToken(db, { userId, name, scopes: parsedScopes.data, expiresInDays: expiry.days }),
    })
    if (!result.ok) return failure(form, intent, null, result.error)
    const { token, info } = result.value
    return data(
      { ok: true as const, created: { token, name: info.name, expiresAt: info.expiresAt, publicUrl: platform.env.publicUrl } },
      { headers: { 'Cache-Control': 'no-store' } },
    )
  }

  if (intent === 'revoke') {
    const id = formText(form, 'id')
    if (!z.uuid().safeParse(id).success) return failure(form, intent, null, { status: 400, message: 'Unknown token.' })
    const result = await auditedChange({
      ...change,
      procedure: 'settings.tokens.revoke',
      details: { id },
      work: () => revokeApiToken(db, { tokenId: id, by: principal }),
    })
    return result.ok ? redirectOk(request, `revoked:${id}`) : failure(form, intent, id, result.error)
  }

  return failure(form, intent, null, { status: 400, message: 'Unknown action.' })
}

export default function SettingsTokens() {
  const { tokens, now, ok, scopes, expiry } = useLoaderData<typeof loader>()
  const answer = useActionData<typeof action>()
  const navigation = useNavigation()
  const creating = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'create'
  const failed = answer && !answer.ok ? answer : null
  const created = answer?.ok ? answer.created : null
  const revoked = !answer && ok?.startsWith('revoked:') ? tokens.find((t) => t.id === ok.slice('revoked:'.length)) : undefined
  const kept = failed?.intent === 'create' ? failed.values : null
  const keptList = (name: string): string[] => {
    const v = kept?.[name]
    return v === undefined ? [] : Array.isArray(v) ? v : [v]
  }
  const keptName = typeof kept?.name === 'string' ? kept.name : ''
  const keptScopes = kept ? keptList('scopes') : ['read:prices']
  const keptExpiry = typeof kept?.expires === 'string' ? kept.expires : DEFAULT_EXPIRY

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="breadcrumb">Settings</p>
          <h1>API tokens</h1>
          <p className="page-lede">
            Personal access tokens call the REST API (<a href="/api/docs">API reference</a>) as you, limited to their scopes and to what your
            organization may use through the API.
          </p>
        </div>
      </header>

      {created ? <TokenReveal token={created.token} name={created.name} publicUrl={created.publicUrl} expiresAt={created.expiresAt} /> : null}
      {revoked ? (
        <Flash tone="ok">
          Token “{revoked.name}” is revoked: requests with it fail from now on.
        </Flash>
      ) : null}
      {failed ? <Flash tone="error">{failed.message}</Flash> : null}

      <Form method="post" className="search-form" aria-labelledby="create-token-title" key={created ? `created-${created.name}` : 'create'}>
        <h2 className="form-title" id="create-token-title">
          Create a token
        </h2>
        <input type="hidden" name="intent" value="create" />
        <div className="field">
          <label htmlFor="token-name">Name</label>
          <input
            id="token-name"
            name="name"
            type="text"
            required
            maxLength={80}
            placeholder="e.g. pricing notebook"
            defaultValue={keptName}
            autoComplete="off"
          />
        </div>
        <fieldset className="field-set">
          <legend>Scopes (at least one)</legend>
          <div className="checks">
            {scopes.map((s) => (
              <label key={s} className="check" title={SCOPE_HELP[s]}>
                <input type="checkbox" name="scopes" value={s} defaultChecked={keptScopes.includes(s)} />
                <span className="mono">{s}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="token-expires">Expires</label>
          <select id="token-expires" name="expires" defaultValue={keptExpiry}>
            {expiry.map((e) => (
              <option key={e.value} value={e.value}>
                {e.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-actions">
          <button type="submit" className="button button-primary" disabled={creating}>
            {creating ? 'Creating…' : 'Create token'}
          </button>
        </div>
      </Form>

      <section className="panel">
        <header className="panel-header">
          <h2>Your tokens</h2>
          <p className="panel-meta">Revoking takes effect at once. Administrators can see and revoke your tokens too.</p>
        </header>
        {tokens.length === 0 ? (
          <EmptyState title="No tokens yet">Create one above to call the API from scripts, notebooks or the SDK.</EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <caption>
                {tokens.length} token{tokens.length === 1 ? '' : 's'}, newest first; the secret part is never shown again
              </caption>
              <thead>
                <tr>
                  <th scope="col" className="text">Name</th>
                  <th scope="col" className="text">Prefix</th>
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
                  <TokenRow key={t.id} token={t} now={now} error={failed?.subject === t.id ? failed.message : null} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <p className="admin-who">
        Tokens see only what your organization is entitled to through the API. <Link to="/">Back to the market overview</Link>.
      </p>
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
