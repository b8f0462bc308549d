import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { createContext } from '#server/trpc/context.ts'
import { appRouter } from '#server/trpc/root.ts'

/** tRPC endpoint for the hub and the SDK (`packages/sdk`). */
function handle({ request }: LoaderFunctionArgs | ActionFunctionArgs) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req: request,
    router: appRouter,
    createContext: () => createContext(request),
  })
}

export const loader = handle
export const action = handle
