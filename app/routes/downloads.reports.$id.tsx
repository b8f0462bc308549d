import type { LoaderFunctionArgs } from '@remix-run/node'
import { redirectToReport } from '#app/components/downloads/downloads.server.ts'

/** GET /downloads/reports/:id: a produced report's fresh signed link (entitlement checked again, audited), as a redirect. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  return redirectToReport(request, context, params.id ?? '')
}
