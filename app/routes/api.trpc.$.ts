import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { createContext } from '#server/trpc/context.ts'
import { appRouter } from '#server/trpc/root.ts'
import type { Context } from '#server/trpc/trpc.ts'

/** tRPC endpoint for the hub (session cookie, channel hub) and the SDK (bearer token, channel api). */
function handle({ request, context }: LoaderFunctionArgs | ActionFunctionArgs) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req: request,
    router: appRouter,
    createContext: () =>
      createContext(request, { endpoint: 'trpc', clientAddress: context.clientAddress, requestId: context.requestId, connectionClosed: context.signal }),
    // A plain object: trpc-to-openapi copies headers with Object.entries.
    responseMeta: ({ ctx }) => ({ headers: Object.fromEntries((ctx as Context | undefined)?.responseHeaders ?? []) }),
  })
}

export const loader = handle
export const action = handle
