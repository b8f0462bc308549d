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
