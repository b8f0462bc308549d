import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { createOpenApiFetchHandler } from 'trpc-to-openapi'
import { createContext } from '#server/trpc/context.ts'
import { appRouter } from '#server/trpc/root.ts'
import type { Context } from '#server/trpc/trpc.ts'

/** The public REST API (bearer tokens only, channel api): every procedure with `.meta({ openapi })`. */
function handle({ request, context }: LoaderFunctionArgs | ActionFunctionArgs) {
  return createOpenApiFetchHandler({
    endpoint: '/api/v1',
    req: request,
    router: appRouter,
    createContext: () =>
      createContext(request, { endpoint: 'rest', clientAddress: context.clientAddress, requestId: context.requestId }),
    // A plain object: trpc-to-openapi copies headers with Object.entries.
    responseMeta: ({ ctx }) => ({ headers: Object.fromEntries((ctx as Context | undefined)?.responseHeaders ?? []) }),
  })
}

export const loader = handle
export const action = handle
