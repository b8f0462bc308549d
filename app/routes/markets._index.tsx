import { redirect } from '@remix-run/node'

/** /markets has no page of its own: the overview lists every market. */
export function loader() {
  return redirect('/')
}
