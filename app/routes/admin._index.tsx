import { redirect, type LoaderFunctionArgs } from '@remix-run/node'
import { requireAdmin } from '#app/utils/admin.server.ts'

/** /admin is the users page (administrators only: others get the admin area's 403 page). */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request)
  return redirect('/admin/users')
}

/**
 * Never rendered (the loader always redirects or throws); it makes this a page route, so a
 * refusal renders the admin area's error page instead of a bare text answer.
 */
export default function AdminIndex() {
  return null
}
