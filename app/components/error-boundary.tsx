import { isRouteErrorResponse, Link, useLocation, useRouteError, type ErrorResponse } from '@remix-run/react'
import type { ReactNode } from 'react'
import { MarketLinks, useHasHubMarkets } from '#app/components/market-links.tsx'

type StatusHandler = (info: { error: ErrorResponse; pathname: string }) => ReactNode

/** The text a thrown `new Response(message, { status })` carried, if any. */
export function errorMessage(error: ErrorResponse): string | null {
  if (typeof error.data === 'string' && error.data.trim()) return error.data
  if (error.data && typeof error.data === 'object' && 'message' in error.data && typeof error.data.message === 'string') {
    return error.data.message
  }
  return null
}

function HomeLinks() {
  const hasMarkets = useHasHubMarkets()
  return (
    <ul className="error-links">
      <li>
        <Link to="/">Market overview</Link>
      </li>
      {hasMarkets ? (
        <li>
          <MarketLinks />
        </li>
      ) : null}
      <li>
        <Link to="/nodes">Search pricing nodes</Link>
      </li>
    </ul>
  )
}

const defaultHandlers: Record<number, StatusHandler> = {
  400: ({ error }) => (
    <ErrorPanel code={400} title="That request can't be answered">
      <p className="error-message">{errorMessage(error) ?? 'Some of the parameters are not valid.'}</p>
      <p>Adjust the filters or go back to a known page:</p>
      <HomeLinks />
    </ErrorPanel>
  ),
  404: ({ error, pathname }) => (
    <ErrorPanel code={404} title="Not found">
      <p className="error-message">{errorMessage(error) ?? `Nothing lives at ${pathname}.`}</p>
      <p>These pages exist:</p>
      <HomeLinks />
    </ErrorPanel>
  ),
}

function ErrorPanel({ code, title, children }: { code: number | string; title: string; children: ReactNode }) {
  return (
    <section className="error-page" aria-labelledby="error-title">
      <p className="error-code">{code}</p>
      <h1 id="error-title">{title}</h1>
      {children}
    </section>
  )
}

function ServerError({ error }: { error: unknown }) {
  const details = import.meta.env.DEV && error instanceof Error ? error.stack ?? error.message : null
  return (
    <ErrorPanel code={500} title="Sorry — something went wrong on our side">
      <p>
        The page could not be prepared. It is usually temporary: please <a href="">try again</a> in a moment.
        If it keeps happening, let us know the time and the address of the page.
      </p>
      <HomeLinks />
      {details ? (
        <details className="error-details" open>
          <summary>Details (development only)</summary>
          <pre>{details}</pre>
        </details>
      ) : null}
    </ErrorPanel>
  )
}

/**
 * The error page of a route, chosen by status (epic-stack's GeneralErrorBoundary): expected
 * failures are responses thrown by loaders (404 not found, 400 with the user message); anything
 * else is a 500 with an apology, and a stack only in development.
 */
export function GeneralErrorBoundary({ statusHandlers }: { statusHandlers?: Record<number, StatusHandler> }) {
  const error = useRouteError()
  const { pathname } = useLocation()
  const expected = isRouteErrorResponse(error) && error.status < 500
  if (typeof document !== 'undefined' && !expected) console.error(error)
  if (isRouteErrorResponse(error)) {
    const handler = statusHandlers?.[error.status] ?? defaultHandlers[error.status]
    if (handler) return <>{handler({ error, pathname })}</>
    if (error.status >= 500) return <ServerError error={error} />
    return (
      <ErrorPanel code={error.status} title={error.statusText || 'Request failed'}>
        <p className="error-message">{errorMessage(error) ?? 'The request could not be completed.'}</p>
        <HomeLinks />
      </ErrorPanel>
    )
  }
  return <ServerError error={error} />
}
