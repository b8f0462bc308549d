import { MarketId } from '@carbon/schemas'
import { initTRPC, TRPCError } from '@trpc/server'
import type { OpenApiMeta } from 'trpc-to-openapi'
import { z } from 'zod'
import { AppError, isAppError, type ErrorCode } from '../errors.ts'
import type { Logger } from '../logger.ts'
import type { Platform } from '../platform.ts'
import { recordAudit, type AuditEntry } from '../services/auth/audit.ts'
import { authorize, entitledMarkets } from '../services/auth/entitlements.ts'
import { createRateLimiter } from '../services/auth/rate-limit.ts'
import type { RequestAuth } from '../services/auth/resolve.ts'
import type { Principal, Role, Scope } from '../services/auth/types.ts'

/** What every procedure sees. */
export type Context = {
  platform: Platform
  log: Logger
  requestId: string
  auth: RequestAuth
  client: { address: string | null; userAgent: string | null }
  /** Headers added to the HTTP response (Retry-After on 429). */
  responseHeaders: Headers
  /**
   * Aborts when the client's connection closes (from the HTTP server, not the fetch Request:
   * undici stops propagating a Request's abort after garbage collection, nodejs/undici#3644, which
   * left subscriptions open after their clients had gone).
   */
  connectionClosed?: AbortSignal | null
}

/**
 * Procedure metadata: the REST mapping, what access the procedure needs beyond entitlement, and
 * an example input (MISO) that the access test calls every procedure with.
 */
export type Meta = OpenApiMeta & { access?: { role?: Role; scope?: Scope }; example?: Record<string, unknown> }

const TRPC_CODE: Record<ErrorCode, TRPCError['code']> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
}

/** Maps the one application error type onto tRPC's, keeping the AppError as the cause. */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error
  if (isAppError(error)) return new TRPCError({ code: TRPC_CODE[error.code], message: error.userMessage, cause: error })
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal error', cause: error })
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const app = error.cause instanceof AppError ? error.cause : undefined
      const zodError = error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null
      return {
        ...shape,
        message: error.code === 'INTERNAL_SERVER_ERROR' ? 'Internal error' : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          appCode: app?.code ?? null,
          zodError,
        },
      }
    },
  })

/** Logs every call with its duration; expected failures at info, 5xx at error. */
const logged = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now()
  const result = await next()
  const ms = Math.round(performance.now() - started)
  const log = ctx.log.child({ procedure: path, type, ms })
  if (result.ok) log.debug('procedure ok')
  else if (result.error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: result.error.cause ?? result.error }, 'procedure failed')
  else log.info({ code: result.error.code }, 'procedure refused')
  return result
})

/** Converts AppError thrown by services into tRPC errors with the right status. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next()
  if (!result.ok && result.error.cause && isAppError(result.error.cause)) {
    throw toTRPCError(result.error.cause)
  }
  return result
})

/** What an audit row records of a call, read from its raw input (before validation). */
export function auditScope(raw: unknown): Pick<AuditEntry, 'market' | 'nodes' | 'rangeFrom' | 'rangeTo'> {
  const input = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
  const text = (v: unknown) => (typeof v === 'string' && v.length <= 200 ? v : null)
  const nodes =
    typeof input.nodes === 'string'
      ? input.nodes.split(',').map((s) => s.trim()).filter(Boolean)
      : typeof input.node === 'string'
        ? [input.node]
        : null
  const date = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : null)
  return { market: text(input.market), nodes, rangeFrom: date(input.from), rangeTo: date(input.to) }
}

/**
 * One limiter per limit, kept on globalThis: the Remix build bundles its own copy of this module,
 * and tRPC, REST and the REST stream (server/http/stream.ts) must draw on one bucket per credential.
 */
const globalForLimits = globalThis as unknown as { __carbonRateLimiters?: Map<number, ReturnType<typeof createRateLimiter>> }
export function rateLimiter(perMinute: number) {
  const limiters = (globalForLimits.__carbonRateLimiters ??= new Map())
  let limiter = limiters.get(perMinute)
  if (!limiter) {
    limiter = createRateLimiter({ perMinute })
    limiters.set(perMinute, limiter)
  }
  return limiter
}

const STATUS_OF: Partial<Record<TRPCError['code'], number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_MANY_REQUESTS: 429,
}

/**
 * The gate every data procedure passes: authentication, rate limit (API credentials), the one
 * authorization decision (entitlement per market and channel, role, token scope) and the audit
 * row. The audit row is written before the answer leaves: if it cannot be written, the caller
 * gets an error instead of data.
 */
const guarded = t.middleware(async ({ ctx, path, meta, getRawInput, next }) => {
  const { platform, auth } = ctx
  const scope = auditScope(await getRawInput().catch(() => undefined))
  const base = {
    requestId: ctx.requestId,
    principal: auth.principal,
    channel: auth.channel,
    procedure: path,
    ...scope,
    clientAddress: ctx.client.address,
    userAgent: ctx.client.userAgent,
  }
  const deny = async (error: AppError) => {
    await recordAudit(platform.pg.db, { ...base, outcome: 'denied', status: error.status, details: { reason: error.userMessage } })
    return toTRPCError(error)
  }
  if (auth.failure) throw await deny(auth.failure)
  const principal = auth.principal
  if (principal && principal.kind !== 'user') {
    const taken = rateLimiter(platform.auth.rateLimitPerMinute).take(principal.credentialId)
    if (!taken.ok) {
      ctx.responseHeaders.set('Retry-After', String(taken.retryAfterSeconds))
      throw await deny(
        new AppError('TOO_MANY_REQUESTS', `Rate limit of ${platform.auth.rateLimitPerMinute} requests per minute exceeded`, {
          userMessage: `Too many requests: retry after ${taken.retryAfterSeconds} s`,
        }),
      )
    }
  }
  const market = MarketId.safeParse(scope.market)
  try {
    await authorize(platform.pg.db, principal, {
      channel: auth.channel,
      market: market.success ? market.data : undefined,
      role: meta?.access?.role,
      scope: meta?.access?.scope ?? 'read:prices',
    })
  } catch (error) {
    if (isAppError(error)) throw await deny(error)
    throw error
  }
  const entitled = await entitledMarkets(platform.pg.db, principal as Principal, auth.channel)
  const result = await next({ ctx: { principal: principal as Principal, entitled } })
  // A service's AppError reaches this middleware wrapped by tRPC (INTERNAL_SERVER_ERROR, the AppError
  // as cause); the audit row records the status the caller gets (appErrors maps it on the way out).
  const cause = result.ok ? null : result.error.cause
  const status = result.ok ? 200 : isAppError(cause) ? cause.status : (STATUS_OF[result.error.code] ?? 500)
  try {
    await recordAudit(platform.pg.db, { ...base, outcome: result.ok ? 'allowed' : status < 500 ? 'denied' : 'error', status })
  } catch (error) {
    ctx.log.error({ err: error, procedure: path }, 'audit write failed: answer withheld')
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The audit log is unavailable; no data was served', cause: error })
  }
  return result
})

export const router = t.router
export const createCallerFactory = t.createCallerFactory
/** No identity needed: only for procedures that serve no data. */
export const publicProcedure = t.procedure.use(logged).use(appErrors)
/** Every data procedure: authenticated, entitled, rate limited, audited. */
export const dataProcedure = publicProcedure.use(guarded)
