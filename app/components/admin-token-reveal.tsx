import { useEffect, useState } from 'react'

/**
 * A copy button that appears only once JavaScript runs (without it the code blocks are still
 * selectable with one click: `user-select: all`).
 */
function CopyButton({ text, label }: { text: string; label: string }) {
  const [ready, setReady] = useState(false)
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => setReady(true), [])
  if (!ready) return null
  return (
    <button
      type="button"
      className="button button-small"
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        )
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : label}
    </button>
  )
}

/**
 * The one time a new personal access token is shown: rendered from the create action's answer
 * (never a URL, cookie or log), with a curl example that calls the REST API with it.
 */
export function TokenReveal({ token, name, publicUrl, expiresAt }: { token: string; name: string; publicUrl: string; expiresAt: string | null }) {
  const curl = `curl -sS -H "Authorization: Bearer ${token}" ${publicUrl}/api/v1/markets`
  return (
    <section className="secret-box" aria-labelledby="new-token-title">
      <h2 id="new-token-title">New token “{name}”</h2>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> Only a digest is stored, so nobody (administrators included) can show it
        to you later. Keep it like a password; {expiresAt ? `it expires on ${expiresAt.slice(0, 10)}` : 'it does not expire'}.
      </p>
      <div className="secret-row">
        <code className="secret-code" id="new-token" aria-label="Your new API token">
          {token}
        </code>
        <CopyButton text={token} label="Copy token" />
      </div>
      <p>Try it (lists the markets your organization may use through the API):</p>
      <div className="secret-row">
        <pre className="secret-code" aria-label="Example request">
          <code>{curl}</code>
        </pre>
        <CopyButton text={curl} label="Copy command" />
      </div>
    </section>
  )
}
