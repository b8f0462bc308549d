import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Form, useLoaderData, useNavigation } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { beginSignIn, getPrincipal, loginErrorMessage, providerInfo, safeReturnTo } from '#app/utils/auth.server.ts'
import { getPlatform } from '#app/utils/platform.server.ts'

export const meta: MetaFunction = () => [
  { title: 'Sign in · 254Carbon' },
  { name: 'robots', content: 'noindex' },
]

/** The sign-in page; a signed-in visitor goes straight to returnTo. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  const returnTo = safeReturnTo(url.searchParams.get('returnTo'))
  if (await getPrincipal(request)) throw redirect(returnTo)
  const platform = await getPlatform()
  const error = url.searchParams.get('error')
  return {
    returnTo,
    provider: providerInfo(platform.auth),
    error: error ? { code: error.slice(0, 32), message: loginErrorMessage(error) } : null,
    signedOut: url.searchParams.get('signedOut') === '1',
  }
}

/** "Sign in": starts the OpenID Connect flow (a redirect to the provider). */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  return beginSignIn(request, form.get('returnTo'), context.requestId)
}

const cardStyle = { maxWidth: 620, width: '100%', margin: '28px auto 0' }
const bodyStyle = { padding: '16px 18px 18px', display: 'flex', flexDirection: 'column' as const, gap: 14 }

export default function Login() {
  const { returnTo, provider, error, signedOut } = useLoaderData<typeof loader>()
  const navigation = useNavigation()
  const busy = navigation.state === 'submitting'
  return (
    <div className="page" style={cardStyle}>
      <section className="panel" aria-labelledby="login-title">
        <header className="panel-header">
          <h1 id="login-title">Sign in to 254Carbon</h1>
        </header>
        <div style={bodyStyle}>
          {error ? (
            <div className="notice" role="alert" data-error-code={error.code}>
              <p>
                <strong>Not signed in.</strong> {error.message}
              </p>
            </div>
          ) : null}
          {signedOut && !error ? (
            <div className="notice" role="status">
              <p>You are signed out.</p>
            </div>
          ) : null}
          {provider.development ? (
            <p style={{ margin: 0 }}>
              You sign in through the <strong>development identity provider</strong> built into this server (
              <code>{provider.issuer}</code>). It has demo users only and never runs in production.
            </p>
          ) : (
            <p style={{ margin: 0 }}>
              You sign in with your organization&rsquo;s identity provider at <strong>{provider.host}</strong>. 254Carbon never sees
              your password.
            </p>
          )}
          {/* A full page POST: the answer is a redirect to the provider, which must load as a document. */}
          <Form method="post" reloadDocument>
            <input type="hidden" name="returnTo" value={returnTo} />
            <button type="submit" className="button button-primary" disabled={busy} style={{ height: 34, padding: '0 20px', fontSize: 14 }}>
              Sign in
            </button>
          </Form>
          {returnTo !== '/' ? (
            <p className="muted" style={{ margin: 0, fontSize: 12 }}>
              After signing in you go back to <code>{returnTo}</code>.
            </p>
          ) : null}
        </div>
      </section>
      {provider.development ? (
        <section className="panel" aria-labelledby="demo-users-title">
          <header className="panel-header">
            <h2 id="demo-users-title">Demo users</h2>
            <p className="panel-meta">Pick one on the provider&rsquo;s page after &ldquo;Sign in&rdquo;</p>
          </header>
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col" className="text">
                    User
                  </th>
                  <th scope="col" className="text">
                    Organization
                  </th>
                  <th scope="col" className="text">
                    What they can see
                  </th>
                </tr>
              </thead>
              <tbody>
                {provider.demoUsers.map((user) => (
                  <tr key={user.username}>
                    <th scope="row" className="text strong">
                      {user.name} <span className="muted">({user.username})</span>
                    </th>
                    <td className="text">{user.organization}</td>
                    <td className="text" style={{ whiteSpace: 'normal' }}>
                      {user.description}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="table-note">Each organization&rsquo;s entitlements decide which markets and channels its users get.</p>
        </section>
      ) : null}
    </div>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
