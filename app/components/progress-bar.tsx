import { useNavigation } from '@remix-run/react'

/**
 * The global navigation progress bar: visible while a page loads (a link, a GET form, a
 * revalidation). Pure CSS animation; announced politely to screen readers.
 */
export function ProgressBar() {
  const navigation = useNavigation()
  const busy = navigation.state !== 'idle'
  return (
    <>
      <div
        className={busy ? 'progress-bar progress-bar-active' : 'progress-bar'}
        role="progressbar"
        aria-label="Loading page"
        aria-hidden={!busy}
        aria-valuetext={busy ? 'Loading' : undefined}
      >
        <div className="progress-bar-fill" />
      </div>
      <div className="sr-only" aria-live="polite">
        {busy ? 'Loading…' : ''}
      </div>
    </>
  )
}
