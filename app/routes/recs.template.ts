import type { LoaderFunctionArgs } from '@remix-run/node'
import { recTemplate } from '#app/utils/hub-products.server.ts'

/** `/recs/template`: the REC upload layout's header line as a CSV file to fill in. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return recTemplate(request, context)
}
