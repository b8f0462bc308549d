import { createTRPCClient, httpBatchLink, TRPCClientError, type TRPCLink } from '@trpc/client'
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server'
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

function carbonLink(options: CarbonClientOptions): TRPCLink<AppRouter> {
  const base = options.baseUrl.replace(/\/+$/, '')
  return httpBatchLink({
    url: `${base}/api/trpc`,
    fetch: options.fetch,
    async headers() {
      const token = typeof options.token === 'function' ? await options.token() : options.token
      return { ...options.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) }
    },
  })
}

/**
 * The typed client: `client.prices.latest.query({...})` has the same input and output types as
 * the server's procedure.
 */
export function createCarbonClient(options: CarbonClientOptions) {
  return createTRPCClient<AppRouter>({ links: [carbonLink(options)] })
}

export type CarbonClient = ReturnType<typeof createCarbonClient>

/** Whether an error came from the platform (with its HTTP status and code). */
export function isCarbonError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError
}
