import type { LoaderFunctionArgs } from '@remix-run/node'
import { getOpenApiDocument } from '#server/trpc/openapi.ts'

/** The OpenAPI 3.1 document of the public REST API. Public: it holds no data. */
export function loader({ request }: LoaderFunctionArgs) {
  const origin = new URL(request.url).origin
  return Response.json(getOpenApiDocument(origin), {
    headers: { 'Cache-Control': 'public, max-age=60' },
  })
}
