import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client'
import type { inferRouterInputs } from '@trpc/server'
import type { AppRouter } from '#server/trpc/root.ts'
import type { LiveEvent } from '#server/services/stream/schemas.ts'

/**
 * The hub's browser tRPC client. Subscriptions go over server-sent events
 * (httpSubscriptionLink: a same-origin EventSource, so the session cookie goes along and the CSP's
 * connect-src 'self' allows it); anything else over batched HTTP. Pages read their data through
 * loaders; this client exists for what a loader cannot do: live prices.
 */
export type HubClient = TRPCClient<AppRouter>

export type LiveInput = inferRouterInputs<AppRouter>['prices']['live']
export type { LiveEvent }
export type LivePrice = LiveEvent['prices'][number]

const ENDPOINT = '/api/trpc'

let client: HubClient | null = null

/** The one client of this browser tab, created on first use. Browser only: call it from effects. */
export function hubClient(): HubClient {
  if (typeof window === 'undefined') throw new Error('hubClient() runs in the browser only (subscribe in useEffect)')
  client ??= createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url: ENDPOINT }),
        false: httpBatchLink({ url: ENDPOINT }),
      }),
    ],
  })
  return client
}
