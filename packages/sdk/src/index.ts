import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError, type TRPCLink } from '@trpc/client'
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server'
import { EventSource, type FetchLikeResponse } from 'eventsource'
// Type-only: erased at run time, so the SDK carries no server code (docs/decisions/002-sdk-router-type.md).
import type { AppRouter } from '../../../server/trpc/root.ts'

export type { AppRouter }
export type RouterInputs = inferRouterInputs<AppRouter>
export type RouterOutputs = inferRouterOutputs<AppRouter>

export type CarbonClientOptions = {
  /** Where the platform runs, e.g. http://localhost:3000 */
  baseUrl: string
  /** API token or OAuth2 access token, sent as a Bearer token. */
  token?: string | (() => string | Promise<string>)
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch
  /** Extra headers for every request. */
  headers?: Record<string, string>
}

async function authHeaders(options: CarbonClientOptions): Promise<Record<string, string>> {
  const token = typeof options.token === 'function' ? await options.token() : options.token
  return { ...options.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) }
}

/**
 * Queries and mutations go through one batched HTTP link; subscriptions (`prices.live`) through
 * Server-Sent Events, with the `eventsource` package's EventSource (Node has none built in) whose
 * `fetch` adds the Authorization header (a browser EventSource cannot send one). Each event comes
 * with its id; when the connection drops, the link reconnects with the last id (`lastEventId`)
 * and the server resumes after it, without gap or duplicate.
 */
function carbonLink(options: CarbonClientOptions): TRPCLink<AppRouter> {
  const base = options.baseUrl.replace(/\/+$/, '')
  const url = `${base}/api/trpc`
  const fetchImpl = options.fetch ?? globalThis.fetch
  return splitLink({
    condition: (op) => op.type === 'subscription',
    true: httpSubscriptionLink({
      url,
      EventSource,
      eventSourceOptions: () => ({
        fetch: async (input, init) =>
          (await fetchImpl(input, { ...init, headers: { ...init.headers, ...(await authHeaders(options)) } })) as FetchLikeResponse,
      }),
    }),
    false: httpBatchLink({ url, fetch: options.fetch, headers: () => authHeaders(options) }),
  })
}

/**
 * The typed client: `client.prices.latest.query({...})` has the same input and output types as
 * the server's procedure; `client.prices.live.subscribe({ market: 'MISO', runs: 'RT5', types: 'hub' },
 * { onData, onError })` follows live prices (each `onData` gets `{ id, data }`, data being one
 * event: `prices`, `skipped`, `reset` or `end`) until `.unsubscribe()`.
 *
 * `end` is the server ending the stream, with `data.reason`: `max_lifetime` (streams have a
 * maximum lifetime; the link reconnects with the end's id by itself and nothing is lost), or
 * access gone (`token_revoked`, `token_expired`, `user_disabled`, `session_ended`,
 * `organization_changed`, `entitlement_removed`), which is followed by `onError` with an
 * UNAUTHORIZED or FORBIDDEN error ("Access ended: ...") and no reconnect. A subscription past the
 * stream caps (per token, per organization) fails at once with TOO_MANY_REQUESTS (httpStatus 429)
 * naming the limit.
 */
export function createCarbonClient(options: CarbonClientOptions) {
  return createTRPCClient<AppRouter>({ links: [carbonLink(options)] })
}

export type CarbonClient = ReturnType<typeof createCarbonClient>

/** Whether an error came from the platform (with its HTTP status and code). */
export function isCarbonError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError
}
