import { useFetcher } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { EmptyState } from '#app/components/empty-state.tsx'
import type { ExportJob } from '#server/services/exports/schemas.ts'
import type { ReportOutput } from '#server/services/report-subscriptions/schemas.ts'
import { formatBytes, formatCount, isActive, JOB_STATUS_LABELS, JOBS_POLL_MS, utcMinute } from './format.ts'
import type { CenterAnswer } from './types.ts'

type Polled = { jobs: ExportJob[]; outputs: ReportOutput[]; at: number }

/**
 * The jobs and reports to show: the page's, or the poll's when newer. While a job or report is
 * queued or running, a fetcher asks /downloads/jobs every JOBS_POLL_MS (no page reload).
 */
export function usePolledJobs(initial: Polled): Polled {
  const fetcher = useFetcher<Polled>()
  const latest = useRef(fetcher)
  latest.current = fetcher
  const polled = fetcher.data && fetcher.data.at > initial.at ? fetcher.data : null
  const current = polled ?? initial
  const moving = current.jobs.some((j) => isActive(j.status)) || current.outputs.some((o) => isActive(o.status))
  useEffect(() => {
    if (!moving) return
    const timer = setInterval(() => {
      if (latest.current.state === 'idle') latest.current.load('/downloads/jobs')
    }, JOBS_POLL_MS)
    return () => clearInterval(timer)
  }, [moving])
  return current
}

function JobProgress({ job }: { job: ExportJob }) {
  const percent = Math.round(Math.max(0, Math.min(1, job.progress)) * 100)
  const queued = job.status === 'queued'
  const labelId = `job-progress-${job.id}`
  return (
    <div className="run-progress" data-status={job.status}>
      <span id={labelId} className="muted">
        {queued ? 'Waiting for the export worker…' : `Writing: ${percent} %`}
      </span>
      <div className="run-progress-track" role="progressbar" aria-labelledby={labelId} aria-valuemin={0} aria-valuemax={100} aria-valuenow={queued ? undefined : percent}>
        <div className={queued ? 'run-progress-fill run-progress-waiting' : 'run-progress-fill'} style={{ width: `${queued ? 100 : percent}%` }} />
      </div>
    </div>
  )
}

function CancelButton({ id }: { id: string }) {
  const fetcher = useFetcher<CenterAnswer>()
  const error = fetcher.data && !fetcher.data.ok ? fetcher.data.error : null
  return (
    <fetcher.Form method="post" className="inline-form">
      <input type="hidden" name="id" value={id} />
      <button type="submit" name="intent" value="cancel" className="button button-small button-danger" disabled={fetcher.state !== 'idle'}>
        Cancel
      </button>
      {error ? (
        <span className="row-error" role="alert">
          {error}
        </span>
      ) : null}
    </fetcher.Form>
  )
}

function describe(job: ExportJob): string {
  const params = job.params as { nodes?: string[]; run?: string[]; from?: string; to?: string; runId?: string; asOf?: string; table?: string }
  if (job.dataset === 'scenario') return `run ${String(params.runId ?? '').slice(0, 12)} · ${params.table ?? 'prices'}`
  const nodes = params.nodes ?? []
  const shown = nodes.length > 3 ? `${nodes.slice(0, 3).join(', ')} +${nodes.length - 3}` : nodes.join(', ')
  if (job.dataset === 'curves') return `${shown}${params.asOf ? ` · as of ${params.asOf}` : ''}`
  return `${shown} · ${(params.run ?? []).join(', ')} · ${params.from?.slice(0, 10) ?? ''} → ${params.to?.slice(0, 10) ?? ''}`
}

/** The organization's export jobs: status, a progress bar while running, rows and size, Download and Cancel. */
export function JobsTable({ jobs }: { jobs: ExportJob[] }) {
  if (jobs.length === 0) {
    return (
      <EmptyState title="No export yet">
        <p>Estimate and start one with the form: its progress shows here, and its file stays downloadable for a while once done.</p>
      </EmptyState>
    )
  }
  return (
    <div className="table-scroll">
      <table className="data-table download-jobs">
        <caption className="sr-only">Your organization’s exports, newest first</caption>
        <thead>
          <tr>
            <th scope="col" className="text">
              File
            </th>
            <th scope="col" className="text">
              What
            </th>
            <th scope="col" className="text">
              Requested
            </th>
            <th scope="col" className="text">
              Status
            </th>
            <th scope="col" className="num">
              Rows
            </th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col" className="text">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} data-job={job.id} data-status={job.status}>
              <th scope="row" className="text mono">
                {job.filename}
              </th>
              <td className="text">
                {job.markets.join(', ')} {job.dataset} · {describe(job)}
              </td>
              <td className="text">
                {utcMinute(job.requestedAt)}
                <br />
                <span className="muted">{job.requestedBy}</span>
              </td>
              <td className="text">
                <span className={`status run-status run-status-${job.status}`} data-status={job.status}>
                  {JOB_STATUS_LABELS[job.status] ?? job.status}
                </span>
                {isActive(job.status) ? <JobProgress job={job} /> : null}
                {job.error && job.status !== 'done' ? <p className="muted row-error">{job.error}</p> : null}
              </td>
              <td className="num" title={job.rows === null ? 'estimated' : undefined}>
                {job.rows === null ? `~${formatCount(job.estimatedRows)}` : formatCount(job.rows)}
              </td>
              <td className="num" title={job.bytes === null ? 'estimated' : undefined}>
                {job.bytes === null ? `~${formatBytes(job.estimatedBytes)}` : formatBytes(job.bytes)}
              </td>
              <td className="text">
                {job.status === 'done' ? (
                  <a className="button button-small button-primary" href={`/downloads/${job.id}`} download={job.filename}>
                    Download
                  </a>
                ) : null}
                {isActive(job.status) ? <CancelButton id={job.id} /> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
