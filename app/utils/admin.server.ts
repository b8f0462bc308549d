import { MarketId } from '@carbon/schemas'
import { data, redirect, type AppLoadContext } from '@remix-run/node'
import { z } from 'zod'
import { requireAccess } from '#app/utils/auth.server.ts'
import { parseOr } from '#app/utils/http.server.ts'
import { AUDIT_OUTCOMES } from '#server/adapters/postgres/schema/index.ts'
import { isAppError } from '#server/errors.ts'
import { getPlatform, type Platform } from '#server/platform.ts'
import { listOrganizations } from '#server/services/auth/admin.ts'
import { recordAudit, type AuditFilter } from '#server/services/auth/audit.ts'
import type { AccessRequest, Channel, Principal } from '#server/services/auth/types.ts'

/**
 * Server glue shared by the admin pages and /settings/tokens (server-only by its name): the
 * admin gate, audited changes, and the POST/redirect/GET answers. The pages stay thin: parse the
 * form, call a service function through `auditedChange`, redirect with `?ok=` or re-render the
 * form with the service's message and the submitted values.
 */

export const ADMIN_ACCESS = { channel: 'hub', role: 'admin' } as const satisfies AccessRequest

/** Every admin loader and action starts here: a signed-in administrator, else redirect / 403. */
export async function requireAdmin(request: Request): Promise<{ principal: Principal; platform: Platform }> {
  const principal = await requireAccess(request, ADMIN_ACCESS)
  return { principal, platform: await getPlatform() }
}

/** What an action answers when a change was refused: rendered inline, with the form kept. */
export type ChangeFailure = {
  ok: false
  /** Which form failed (`roles`, `disable`, `create`, ...), and for which row. */
  intent: string
  subject: string | null
  message: string
  status: number
  values: Record<string, string | string[]>
}

/** The submitted fields (repeated names become arrays), minus anything secret-looking. */
export function formValues(form: FormData): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {}
  for (const [key, value] of form) {
    if (typeof value !== 'string' || /token|secret|password/i.test(key)) continue
    const prior = values[key]
    values[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value]
  }
  return values
}

/** All values of a field as strings (checkbox groups). */
export function formList(form: FormData, name: string): string[] {
  return form.getAll(name).filter((v): v is string => typeof v === 'string')
}

/** One value of a field, trimmed; '' when absent. */
export function formText(form: FormData, name: string): string {
  const value = form.get(name)
  return typeof value === 'string' ? value.trim() : ''
}

type Change<T> = {
  request: Request
  context: AppLoadContext
  platform: Platform
  principal: Principal
  /** The audit row's procedure, e.g. `admin.entitlements.set`. */
  procedure: string
  /** What changed, for the audit row (ids, names, flags: never a secret). */
  details: Record<string, unknown>
  channel?: Channel
  /** The market the change is about, if any (the audit row's market column). */
  market?: string
  /** More details from the result (e.g. the id of what was created); never a secret. */
  describe?: (value: T) => Record<string, unknown>
  work: () => Promise<T>
}

/**
 * Runs one state change and writes its audit row: `allowed` after it succeeded, `denied` (with
 * the service's message) when the service refused it with an expected AppError. Returns the
 * result or the AppError; anything unexpected propagates (a 500). The row is written after the
 * change, so a change is never recorded that did not happen; if the row cannot be written the
 * request fails with 503 and the server log says which change went unrecorded.
 */
export async function auditedChange<T>(change: Change<T>): Promise<{ ok: true; value: T } | { ok: false; error: { status: number; message: string } }> {
  const { request, context, platform, principal, procedure, details } = change
  const base = {
    requestId: context.requestId,
    principal,
    channel: change.channel ?? ('hub' as const),
    procedure,
    market: change.market ?? null,
    clientAddress: context.clientAddress,
    userAgent: request.headers.get('user-agent'),
  }
  let result: { ok: true; value: T } | { ok: false; error: { status: number; message: string } }
  try {
    result = { ok: true, value: await change.work() }
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error
    result = { ok: false, error: { status: error.status, message: error.userMessage } }
  }
  try {
    await recordAudit(platform.pg.db, {
      ...base,
      outcome: result.ok ? 'allowed' : 'denied',
      status: result.ok ? 200 : result.error.status,
      details: result.ok ? { ...details, ...change.describe?.(result.value) } : { ...details, reason: result.error.message },
    })
  } catch (error) {
    platform.log.error({ err: error, procedure, requestId: context.requestId, applied: result.ok }, 'audit write failed for an admin change')
    throw new Response('The change could not be recorded in the audit log. Please check the page and retry shortly.', {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
  return result
}

/**
 * POST/redirect/GET: back to the page the form was posted from (its filters kept) with
 * `?ok=<code>` — a code the page maps to a fixed message, so nobody can put words in the page
 * through a link.
 */
export function redirectOk(request: Request, code: string): Response {
  const url = new URL(request.url)
  url.searchParams.delete('ok')
  url.searchParams.delete('index')
  url.searchParams.set('ok', code)
  return redirect(`${url.pathname}?${url.searchParams.toString()}`)
}

/** A failure answer for useActionData, with the HTTP status of the refusal (the page re-renders the form). */
export function failure(form: FormData, intent: string, subject: string | null, error: { status: number; message: string }) {
  const body: ChangeFailure = { ok: false, intent, subject, message: error.message, status: error.status, values: formValues(form) }
  return data(body, { status: error.status })
}

// --- the audit log's filters (the page and its CSV export read the same query) -------------------

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
const optionalText = (max: number) => z.preprocess(blank, z.string().trim().max(max, `at most ${max} characters`).optional())
const optionalDate = z.preprocess(blank, z.iso.date('a date as YYYY-MM-DD').optional())

/** The audit page's query string: dates are whole UTC days (both inclusive), organization by slug. */
export const AuditQuery = z.object({
  from: optionalDate,
  to: optionalDate,
  org: optionalText(64),
  principal: optionalText(200),
  market: z.preprocess((v) => (typeof v === 'string' ? blank(v.toUpperCase()) : v), MarketId.optional()),
  outcome: z.preprocess(blank, z.enum(AUDIT_OUTCOMES).optional()),
  procedure: optionalText(200),
  cursor: z.preprocess(blank, z.string().max(32).optional()),
})
export type AuditQuery = z.output<typeof AuditQuery>

const DAY_MS = 86_400_000

/**
 * The service filter of an audit query (400 Response when malformed). `problem` says why nothing
 * can match (an unknown organization, from after to); the caller then shows no rows.
 */
export async function auditFilterOf(
  platform: Platform,
  searchParams: URLSearchParams,
): Promise<{ query: AuditQuery; filter: AuditFilter; problem: string | null }> {
  const query = parseOr(AuditQuery, Object.fromEntries(searchParams))
  let problem: string | null = null
  let organizationId: string | undefined
  if (query.org) {
    const organization = (await listOrganizations(platform.pg.db)).find((o) => o.slug === query.org)
    if (organization) organizationId = organization.id
    else problem = `There is no organization “${query.org}”.`
  }
  if (query.from && query.to && query.from > query.to) problem = 'The “from” date is after the “to” date.'
  const filter: AuditFilter = {
    from: query.from ? new Date(`${query.from}T00:00:00Z`).toISOString() : undefined,
    // "to" is inclusive on the page (a whole day); the service's bound is exclusive.
    to: query.to ? new Date(Date.parse(`${query.to}T00:00:00Z`) + DAY_MS).toISOString() : undefined,
    organizationId,
    principalId: query.principal,
    market: query.market,
    outcome: query.outcome,
    procedure: query.procedure,
    cursor: query.cursor,
  }
  return { query, filter, problem }
}
