import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirectToExport } from '#app/components/downloads/downloads.server.ts'

/** GET /downloads/:id: a done export's fresh signed link (entitlement checked again, audited), as a redirect. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return redirectToExport(request, context, params.id ?? '')
}
