import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useNavigation, useRouteLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { MARKETS } from '@carbon/schemas'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ProgressBar } from '#app/components/progress-bar.tsx'
import { PRODUCT_PAGES } from '#app/components/series/products.ts'
import appCss from '#app/styles/app.css?url'
import { getPrincipal, isStoreUnavailable } from '#app/utils/auth.server.ts'
import { hubMarkets } from '#app/utils/hub-markets.server.ts'
import { hubProducts } from '#app/utils/hub-products.server.ts'
import { useNonce } from '#app/utils/nonce-provider.ts'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: appCss },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export const meta: MetaFunction = () => [
  { title: '254Carbon — See the market. Price the future.' },
  { name: 'description', content: 'Locational marginal prices for North American ISO/RTO hubs and zones: day-ahead vs real-time, history and downloads.' },
]

/**
 * Who is signed in, the markets their hub shows and the products beside power (gas, LNG, LCFS,
 * RECs) it shows, never more than the nav bar shows, for every page.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const principal = await getPrincipal(request).catch((error: unknown) => {
    // PostgreSQL (sessions) cannot be reached: a 503 page saying so, not a 500.
    if (isStoreUnavailable(error)) {
      throw new Response('A data store is unavailable right now. Please retry shortly.', {
        status: 503,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Retry-After': '5' },
      })
    }
    throw error
  })
  return {
    user: principal
      ? { label: principal.label, organization: principal.organizationSlug, isAdmin: principal.roles.includes('admin') }
      : null,
    markets: principal ? await hubMarkets(principal) : [],
    products: principal ? await hubProducts(principal) : [],
  }
}

type RootData = Awaited<ReturnType<typeof loader>>

function UserMenu() {
  const user = useRouteLoaderData<RootData>('root')?.user ?? null
  if (!user) {
    return (
      <a href="/auth/login" className="nav-link">
        Sign in
      </a>
    )
  }
  return (
    <div className="user-menu">
      {user.isAdmin ? (
        <NavLink to="/admin" className={({ isActive }) => (isActive ? 'nav-link nav-link-active' : 'nav-link')}>
          Admin
        </NavLink>
      ) : null}
      <NavLink to="/settings/tokens" className={({ isActive }) => (isActive ? 'nav-link nav-link-active' : 'nav-link')}>
        API tokens
      </NavLink>
      <span className="user-label" title={`Signed in as ${user.label} (${user.organization})`}>
        {user.label}
      </span>
      <Form method="post" action="/auth/logout" className="user-signout">
        <button type="submit" className="nav-link nav-button">
          Sign out
        </button>
      </Form>
    </div>
  )
}

function TopNav() {
  const navClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'nav-link nav-link-active' : 'nav-link')
  const markets = useRouteLoaderData<RootData>('root')?.markets ?? []
  const products = useRouteLoaderData<RootData>('root')?.products ?? []
  return (
    <header className="topbar">
      <div className="topbar-inner">
        <Link to="/" className="brand" aria-label="254Carbon home">
          <svg className="brand-mark" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d="M1 12 L5 7 L8 9.5 L11 4 L15 6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" strokeLinecap="round" />
          </svg>
          254Carbon
        </Link>
        <nav className="nav" aria-label="Main">
          <NavLink to="/" end className={navClass}>
            Overview
          </NavLink>
          <span className="nav-group" role="group" aria-label="Markets">
            <span className="nav-group-label" aria-hidden="true">
              Markets
            </span>
            {markets.map((market) => (
              <NavLink key={market} to={`/markets/${market}`} className={navClass}>
                {MARKETS[market].label}
              </NavLink>
            ))}
          </span>
          {products.length > 0 ? (
            <span className="nav-products" role="group" aria-label="Products">
              <span className="nav-group-label" aria-hidden="true">
                Products
              </span>
              {products.map((product) => (
                <NavLink key={product} to={PRODUCT_PAGES[product].href} className={navClass}>
                  {PRODUCT_PAGES[product].label}
                </NavLink>
              ))}
            </span>
          ) : null}
          <NavLink to="/nodes" className={navClass}>
            Node search
          </NavLink>
          <NavLink to="/curves" className={navClass}>
            Curves
          </NavLink>
          <NavLink to="/scenarios" className={navClass}>
            Scenarios
          </NavLink>
          <NavLink to="/backtest" className={navClass}>
            Backtest
          </NavLink>
          <NavLink to="/reports" className={navClass}>
            Reports
          </NavLink>
          <NavLink to="/downloads" className={navClass}>
            Downloads
          </NavLink>
          <NavLink to="/data-health" className={navClass}>
            Data health
          </NavLink>
          <NavLink to="/status" className={navClass}>
            Status
          </NavLink>
          {/* The API reference is a standalone page (Swagger UI), not a hub route: full page load. */}
          <a href="/api/docs" className="nav-link">
            API reference
          </a>
        </nav>
        <Form method="get" action="/nodes" className="nav-search" role="search">
          <label htmlFor="nav-q" className="sr-only">
            Find a pricing node by name
          </label>
          <input id="nav-q" name="q" type="search" placeholder="Find node…" autoComplete="off" spellCheck={false} maxLength={64} />
        </Form>
        <UserMenu />
      </div>
    </header>
  )
}

/** The document and the chrome around every page, error pages included. */
export function Layout({ children }: { children: ReactNode }) {
  const navigation = useNavigation()
  const nonce = useNonce()
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <Meta />
        <Links />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <ProgressBar />
        <TopNav />
        <main id="main" className="main" aria-busy={navigation.state === 'loading' ? true : undefined}>
          {children}
        </main>
        <footer className="footer">
          <span>
            <strong>254Carbon</strong> · See the market. Price the future.
          </span>
          <span>Prices in $/MWh (IESO and AESO in Canadian dollars). Times in each market&rsquo;s clock (MISO and IESO: EST all year; the others their prevailing local time).</span>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export default function App() {
  return <Outlet />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
