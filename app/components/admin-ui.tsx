import type { ReactNode } from 'react'
import { formatInZone } from '#app/utils/time.ts'

/**
 * Small pieces shared by the admin pages and /settings/tokens: their extra styles, the flash and
 * error banners, status tags and timestamps. Everything renders on the server; nothing here needs
 * JavaScript.
 */

/**
 * The admin pages' styles, on top of app.css (same variables, same density). Inline because they
 * belong to these pages only; the CSP allows inline styles ('unsafe-inline' in style-src).
 */
const ADMIN_CSS = `
.admin-tabs { display: flex; flex-wrap: wrap; gap: 2px; border-bottom: 1px solid var(--border-strong); }
.admin-tab { padding: 7px 14px 6px; color: var(--text-2); font-weight: 500; border-bottom: 2px solid transparent; margin-bottom: -1px; }
.admin-tab:hover { color: var(--text); text-decoration: none; background: var(--surface); }
.admin-tab-active, .admin-tab-active:hover { color: var(--accent); border-bottom-color: var(--accent); }
.admin-who { margin: 0; color: var(--muted); font-size: 12px; }
.flash { margin: 0; padding: 9px 14px; border: 1px solid; border-radius: var(--radius); }
.flash-ok { background: var(--pos-soft); border-color: #9fd9bf; color: #065f46; }
.flash-error { background: var(--neg-soft); border-color: #f2b8bb; color: #8f1d22; }
.status { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 11px; font-weight: 600; }
.status-active { background: var(--pos-soft); color: var(--pos); }
.status-disabled, .status-revoked { background: var(--neg-soft); color: var(--neg); }
.status-expired { background: #eef2f7; color: var(--muted); }
.inline-form { display: flex; align-items: center; gap: 10px; margin: 0; }
.check { display: inline-flex; align-items: center; gap: 4px; font-size: 12px; color: var(--text-2); cursor: pointer; }
.check input { margin: 0; }
.button-small { height: 24px; padding: 0 9px; font-size: 12px; }
.button-danger { color: var(--neg); border-color: #f2b8bb; }
.button-danger:hover { background: var(--neg-soft); }
.button[disabled] { opacity: 0.55; cursor: not-allowed; }
.row-error { margin: 3px 0 0; color: var(--neg); font-size: 12px; white-space: normal; }
.data-table .center { text-align: center; }
.matrix thead th.group { text-align: center; border-left: 1px solid var(--border); }
.matrix td.first-of-group, .matrix th.first-of-group { border-left: 1px solid var(--border); }
.matrix td.cell-off { background: repeating-linear-gradient(135deg, #f8fafc 0 6px, #eef2f7 6px 8px); cursor: help; }
.matrix input[type='checkbox'] { width: 15px; height: 15px; }
.table-legend { margin: 0; padding: 8px 12px; border-top: 1px solid var(--border); color: var(--muted); font-size: 12px; }
.swatch-off { display: inline-block; width: 14px; height: 10px; vertical-align: -1px; margin-right: 4px; border: 1px solid var(--border-strong); background: repeating-linear-gradient(135deg, #f8fafc 0 3px, #dde3ea 3px 4px); }
.field input[type='text'], .field input[type='date'] { min-width: 180px; }
.field-set { display: flex; flex-direction: column; gap: 4px; border: 0; padding: 0; margin: 0; min-width: 0; }
.field-set legend { padding: 0; margin-bottom: 4px; font-size: 11.5px; font-weight: 600; color: var(--text-2); }
.field-set .checks { display: flex; gap: 12px; height: 30px; align-items: center; }
.field-hint { margin: 0; color: var(--muted); font-size: 11.5px; }
.form-foot { flex-basis: 100%; }
.form-title { margin: 0; flex-basis: 100%; font-size: 13px; }
.mono { font-family: var(--mono); }
.data-table td.audit-details { white-space: normal; min-width: 280px; max-width: 520px; overflow-wrap: anywhere; font-size: 11.5px; }
.secret-box { border: 2px solid var(--warn-border); background: var(--warn-bg); border-radius: var(--radius); padding: 14px 16px; display: flex; flex-direction: column; gap: 8px; }
.secret-box h2 { margin: 0; }
.secret-box p { margin: 0; }
.secret-code { display: block; margin: 0; padding: 10px 12px; border-radius: 5px; background: #0f172a; color: #e2e8f0; font: 12.5px/1.5 var(--mono); white-space: pre; overflow-x: auto; user-select: all; }
.secret-code code { background: none; border: 0; padding: 0; font: inherit; color: inherit; }
.secret-row { display: flex; align-items: center; gap: 8px; }
.secret-row .secret-code { flex: 1; }
`

export function AdminStyles() {
  // A constant string, never user data: safe as raw text (React would escape '>' selectors).
  return <style dangerouslySetInnerHTML={{ __html: ADMIN_CSS }} />
}

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
