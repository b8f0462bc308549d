import { Form } from '@remix-run/react'
import type { ReactNode } from 'react'
import { formatInZone } from '#app/utils/time.ts'

/**
 * Small pieces shared by the admin pages and /settings/tokens (styles in app.css): the flash and
 * error banners, status tags and timestamps. Everything renders on the server; nothing here needs
 * JavaScript.
 */

/** A success (role=status) or failure (role=alert) banner. */
export function Flash({ tone, children }: { tone: 'ok' | 'error'; children: ReactNode }) {
  return (
    <p className={`flash flash-${tone}`} role={tone === 'ok' ? 'status' : 'alert'}>
      {children}
    </p>
  )
}

export type Status = 'active' | 'disabled' | 'revoked' | 'expired'

export function StatusTag({ status }: { status: Status }) {
  return <span className={`status status-${status}`}>{status}</span>
}

/** A token's status from its timestamps (revoked wins over expired). */
export function tokenStatus(token: { revokedAt: string | null; expiresAt: string | null }, now: number): Status {
  if (token.revokedAt) return 'revoked'
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired'
  return 'active'
}

/** A timestamp in UTC (`2025-11-25 14:05 UTC`), or a dash / the given word when there is none. */
export function When({ at, none = '—' }: { at: string | null | undefined; none?: string }) {
  if (!at) return <span className="muted">{none}</span>
  return (
    <time dateTime={at} title={at}>
      {formatInZone(at, 'UTC', 'datetime')} UTC
    </time>
  )
}

type TokenRowData = {
  id: string
  name: string
  prefix: string
  scopes: readonly string[]
  createdAt: string
  expiresAt: string | null
  lastUsedAt: string | null
  revokedAt: string | null
}

/**
 * One API token as a table row (name, prefix, `children` cells, scopes, dates, status and a
 * Revoke form posting intent=revoke), shared by /settings/tokens and /admin/tokens.
 */
export function TokenRow({ token: t, now, error, children }: { token: TokenRowData; now: number; error?: string | null; children?: ReactNode }) {
  const status = tokenStatus(t, now)
  return (
    <tr>
      <th scope="row" className="text">
        {t.name}
      </th>
      <td className="text mono">cbn_{t.prefix}_…</td>
      {children}
      <td className="text">{t.scopes.join(', ')}</td>
      <td className="time">
        <When at={t.createdAt} />
      </td>
      <td className="time">
        <When at={t.revokedAt ? null : t.expiresAt} none={t.revokedAt ? '—' : 'never'} />
      </td>
      <td className="time">
        <When at={t.lastUsedAt} none="never" />
      </td>
      <td className="text">
        <StatusTag status={status} />
      </td>
      <td className="text">
        {status === 'active' ? (
          <Form method="post" className="inline-form">
            <input type="hidden" name="id" value={t.id} />
            <button type="submit" name="intent" value="revoke" className="button button-small button-danger" aria-label={`Revoke ${t.name}`}>
              Revoke
            </button>
          </Form>
        ) : null}
        {error ? <p className="row-error">{error}</p> : null}
      </td>
    </tr>
  )
}
