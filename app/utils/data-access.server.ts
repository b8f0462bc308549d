import { isMarketKey, type DataKey, type MarketId } from '@carbon/schemas'
import type { AppLoadContext } from '@remix-run/node'
import { isAppError } from '#server/errors.ts'
import { startDataRequest, type DataOutcome, type DataRequestTimer } from '#server/metrics.ts'
import { getPlatform, type Platform } from '#server/platform.ts'
import { recordAudit, type AuditEntry } from '#server/services/auth/audit.ts'
import { authorize, entitledMarkets, entitledProducts } from '#server/services/auth/entitlements.ts'
import { findUnsafeInput, unsafeInputError, type InputProblem } from '#server/services/auth/input-check.ts'
import { takeRequest } from '#server/services/auth/request-limit.ts'
import { isStoreUnavailable } from '#server/services/health/index.ts'
import type { Channel, Principal, Role } from '#server/services/auth/types.ts'
import { requireUser } from './auth.server.ts'

type AccessSpec = {
  /** What the audit row calls this access, e.g. `hub:node` or `download:node-csv`. */
  procedure: string
  channel?: Extract<Channel, 'hub' | 'downloads'>
  /** The market, or product beside power (GAS, LNG, LCFS, REC), whose entitlement decides. */
  market?: DataKey
  /** A role the user must hold besides the market entitlement (building a curve needs `analyst`); else 403, audited as denied. */
  role?: Role
}

type Scope = Pick<AuditEntry, 'market' | 'nodes' | 'rangeFrom' | 'rangeTo' | 'details'>

export type DataAccess = {
  platform: Platform
  principal: Principal
  /** Markets the principal may see through this channel, sorted. */
  entitled: MarketId[]
  /** Writes the audit row of the data about to be served; throws a 503 Response if it cannot. */
  served(scope?: Scope): Promise<void>
}

/**
 * The first unsafe value of a hub request's path segments and query (control characters, dates
 * outside 1990..2100), named as `path` or the query parameter.
 */
export function unsafeRequestInput(request: Request): InputProblem | null {
  const url = new URL(request.url)
  const segments: Record<string, string> = {}
  url.pathname.split('/').forEach((segment, i) => {
    try {
      segments[String(i)] = decodeURIComponent(segment)
    } catch {
      segments[String(i)] = '\u0000' // malformed percent-encoding: refused like a control character
    }
  })
  const inPath = findUnsafeInput(segments)
  if (inPath) return { field: 'path', message: inPath.message }
  const query = Object.fromEntries(
    [...new Set(url.searchParams.keys())].map((key) => {
      const values = url.searchParams.getAll(key)
      return [key, values.length === 1 ? values[0] : values]
    }),
  )
  return findUnsafeInput(query)
}

function plainResponse(message: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers } })
}

/**
 * The hub's door to data: a signed-in user (else redirect to sign-in), safe input (else 400
 * naming the field), the session's rate limit (else 429 with Retry-After), the one authorization
 * decision for the market and channel (else 403), and an audit row before the data leaves (if
 * the row cannot be written, the page fails instead of serving data). Every refusal is audited.
 *
 * Each access counts once in carbon_data_requests_total{market,channel,outcome} and
 * carbon_data_request_duration_seconds: allowed when `served` writes its audit row (the duration
 * then covers the loader's reads), denied or error at the refusal.
 */
export async function accessData(request: Request, context: AppLoadContext, spec: AccessSpec): Promise<DataAccess> {
  const timer = startDataRequest({ market: spec.market, channel: spec.channel ?? 'hub' })
  try {
    return countedServed(await openDataAccess(request, context, spec), timer)
  } catch (error) {
    timer.end(refusalOutcome(error))
    throw unavailableAsResponse(error)
  }
}

/** A refusal thrown at the door: a 4xx Response (a redirect to sign-in included) is denied; a 5xx or anything else is an error. */
function refusalOutcome(error: unknown): DataOutcome {
  return error instanceof Response && error.status < 500 ? 'denied' : 'error'
}

function countedServed(access: DataAccess, timer: DataRequestTimer): DataAccess {
  return {
    ...access,
    async served(scope) {
      try {
        await access.served(scope)
      } catch (error) {
        timer.end('error')
        throw error
      }
      timer.end('allowed')
    },
  }
}

/** PostgreSQL (sessions, entitlements, the audit log) cannot be reached: a 503 page, never data; anything else as it is. */
function unavailableAsResponse(error: unknown): unknown {
  if (!(error instanceof Response) && (isStoreUnavailable(error) || (isAppError(error) && error.code === 'UNAVAILABLE'))) {
    return plainResponse('A data store is unavailable right now, so no data was served. Please retry shortly.', 503)
  }
  return error
}

/** What every audit row of one hub request shares. */
function auditBase(request: Request, context: AppLoadContext, principal: Principal, spec: AccessSpec) {
  return {
    requestId: context.requestId,
    principal,
    channel: spec.channel ?? 'hub',
    procedure: spec.procedure,
    market: spec.market ?? null,
    clientAddress: context.clientAddress,
    userAgent: request.headers.get('user-agent'),
  }
}

/**
 * A data page's input, read by `read` (its schema, a known market, run or node name), whose
 * refusal (a 4xx Response thrown by `read`) is audited like every refusal at the door: the user
 * is signed in first (an anonymous visitor is sent to sign-in, not told what is wrong), so every
 * attempt leaves its row, even one refused before `accessData` knows the market.
 */
export async function auditedInput<T>(request: Request, context: AppLoadContext, spec: AccessSpec, read: () => T): Promise<T> {
  try {
    return read()
  } catch (refusal) {
    if (!(refusal instanceof Response) || refusal.status < 400 || refusal.status >= 500) throw refusal
    startDataRequest({ market: spec.market, channel: spec.channel ?? 'hub' }).end('denied')
    try {
      const platform = await getPlatform()
      const principal = await requireUser(request)
      const reason = await refusal.clone().text()
      await recordAudit(platform.pg.db, {
        ...auditBase(request, context, principal, spec),
        outcome: 'denied',
        status: refusal.status,
        details: { reason, url: request.url.slice(0, 2000) },
      })
    } catch (error) {
      throw unavailableAsResponse(error)
    }
    throw refusal
  }
}

async function openDataAccess(request: Request, context: AppLoadContext, spec: AccessSpec): Promise<DataAccess> {
  const platform = await getPlatform()
  const principal = await requireUser(request)
  const channel = spec.channel ?? 'hub'
  const base = auditBase(request, context, principal, spec)
  const refuse = async (status: number, message: string, headers?: Record<string, string>) => {
    await recordAudit(platform.pg.db, { ...base, outcome: 'denied', status, details: { reason: message, url: request.url.slice(0, 2000) } })
    return plainResponse(message, status, headers)
  }
  const unsafe = unsafeRequestInput(request)
  if (unsafe) throw await refuse(400, unsafeInputError(unsafe).userMessage)
  const limited = takeRequest(platform.auth, principal)
  if (limited) throw await refuse(429, limited.error.userMessage, { 'Retry-After': String(limited.retryAfterSeconds) })
  try {
    await authorize(platform.pg.db, principal, { channel, market: spec.market, role: spec.role })
  } catch (error) {
    if (!isAppError(error)) throw error
    await recordAudit(platform.pg.db, { ...base, outcome: 'denied', status: error.status, details: { reason: error.userMessage } })
    throw new Response(error.userMessage, { status: error.status, statusText: error.status === 403 ? 'Forbidden' : 'Unauthorized' })
  }
  const entitled = await entitledMarkets(platform.pg.db, principal, channel)
  return {
    platform,
    principal,
    entitled,
    async served(scope: Scope = {}) {
      try {
        await recordAudit(platform.pg.db, { ...base, ...scope, outcome: 'allowed', status: 200 })
      } catch (error) {
        platform.log.error({ err: error, procedure: spec.procedure }, 'audit write failed: answer withheld')
        throw new Response('The audit log is unavailable, so no data was served. Please retry shortly.', { status: 503 })
      }
    },
  }
}

/** Whether the user's organization may download `key`'s data (a market or a product): pages show their CSV links only then. */
export async function canDownload(access: DataAccess, key: DataKey): Promise<boolean> {
  const { platform, principal } = access
  const keys: readonly DataKey[] = isMarketKey(key) ? await entitledMarkets(platform.pg.db, principal, 'downloads') : await entitledProducts(platform.pg.db, principal, 'downloads')
  return keys.includes(key)
}
