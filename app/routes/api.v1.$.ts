import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { createOpenApiFetchHandler } from 'trpc-to-openapi'
import { createContext } from '#server/trpc/context.ts'
import { appRouter } from '#server/trpc/root.ts'

/** The public REST API: every procedure with `.meta({ openapi })`, under /api/v1. */
function handle({ request }: LoaderFunctionArgs | ActionFunctionArgs) {
  return createOpenApiFetchHandler({
    endpoint: '/api/v1',
    req: request,
    router: appRouter,
    createContext: () => createContext(request),
  })
}

export const loader = handle
export const action = handle
