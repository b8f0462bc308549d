import type { LoaderFunctionArgs } from '@remix-run/node'
import { loadJobs } from '#app/components/downloads/downloads.server.ts'

/** GET /downloads/jobs: the organization's jobs and reports as JSON, polled by the download center while one moves. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  return loadJobs(request, context)
}
