import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { errorBody } from '#server/http/limits.ts'

/**
 * /api/v1 paths that no REST procedure serves. The procedures themselves are answered before Remix
 * by server/http/rest.ts (a handler built once); the report files under /api/v1/reports are their
 * own routes. Everything else is a JSON 404 naming the method and path.
 */
function notFound({ request }: LoaderFunctionArgs | ActionFunctionArgs) {
  const { pathname } = new URL(request.url)
  return Response.json(errorBody('NOT_FOUND', `No API endpoint for ${request.method} ${pathname.slice(0, 200)}`), {
    status: 404,
    headers: { 'Cache-Control': 'no-store' },
  })
}

export const loader = notFound
export const action = notFound
