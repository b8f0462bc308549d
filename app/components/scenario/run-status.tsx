import { useRevalidator } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { isRunActive, RUN_POLL_MS, RUN_STATUS_LABELS, type RunStatusName } from '#app/utils/scenarios.ts'

/** A run's status as a small coloured tag (with the progress while it runs). */
export function RunStatusTag({ status, progress }: { status: RunStatusName; progress?: number }) {
  const label = RUN_STATUS_LABELS[status] ?? status
  const percent = status === 'running' && progress !== undefined ? ` ${Math.round(progress * 100)} %` : ''
  return (
    <span className={`status run-status run-status-${status}`} data-status={status}>
      {label}
      {percent}
    </span>
  )
}

/**
 * A queued or running run: a progress bar (the worker's progress, 0..1) announced to screen
 * readers, and while the run moves the page's data is reloaded every RUN_POLL_MS (the loader reads
 * the run's status; once done it brings the results). Without JavaScript a link reloads the page.
 */
export function RunProgress({ status, progress, mode }: { status: RunStatusName; progress: number; mode: string }) {
  const revalidator = useRevalidator()
  const latest = useRef(revalidator)
  latest.current = revalidator
  const active = isRunActive(status)
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => {
      if (latest.current.state === 'idle') latest.current.revalidate()
    }, RUN_POLL_MS)
    return () => clearInterval(timer)
  }, [active])
  const percent = Math.round(Math.max(0, Math.min(1, progress)) * 100)
  const text = status === 'queued' ? 'Waiting for the scenario worker…' : `Running the model${mode === 'montecarlo' ? ' (Monte Carlo draws)' : ''}: ${percent} %`
  return (
    <div className="run-progress" data-status={status}>
      <div className="run-progress-head">
        <RunStatusTag status={status} progress={progress} />
        <span id="run-progress-label">{text}</span>
      </div>
      <div
        className="run-progress-track"
        role="progressbar"
        aria-labelledby="run-progress-label"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={status === 'queued' ? undefined : percent}
      >
        <div className={status === 'queued' ? 'run-progress-fill run-progress-waiting' : 'run-progress-fill'} style={{ width: `${status === 'queued' ? 100 : percent}%` }} />
      </div>
      <noscript>
        <p>
          <a href="">Reload</a> to see the progress.
        </p>
      </noscript>
    </div>
  )
}
