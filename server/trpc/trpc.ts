import { DataKey, ENTITLED_PRODUCTS } from '@carbon/schemas'
import { initTRPC, TRPCError } from '@trpc/server'
import type { OpenApiMeta } from 'trpc-to-openapi'
import { z } from 'zod'
import { AppError, isAppError, type ErrorCode } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { dataRequestMarket, startDataRequest, type DataOutcome } from '../metrics.ts'
import type { Platform } from '../platform.ts'
import { recordAudit, type AuditEntry } from '../services/auth/audit.ts'
import { authorize, entitledMarkets } from '../services/auth/entitlements.ts'
import { findUnsafeInput, unsafeInputError } from '../services/auth/input-check.ts'
import { isStoreUnavailable } from '../services/health/index.ts'
import { rateLimiter, takeRequest } from '../services/auth/request-limit.ts'
import type { RequestAuth } from '../services/auth/resolve.ts'
import type { Principal, Role, Scope } from '../services/auth/types.ts'
import { isSharedAnswer } from './shared-answers.ts'

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
  /**
   * REST only: makes this shared answer (server/trpc/shared-answers.ts), as serialized once for
   * every caller, the response body instead of the adapter's serialization of the procedure's
   * return value (server/http/rest.ts).
   */
  sendShared?: ((answer: object) => Promise<void>) | null
  /** REST only: whether the caller holds this shared answer already (If-None-Match names its ETag): it gets a 304, and its audit row says so. */
  heldByCaller?: ((answer: object) => boolean) | null
}

/**
 * Procedure metadata: the REST mapping, what access the procedure needs beyond entitlement, and
 * an example input (MISO) that the access test calls every procedure with.
 */
export type Meta = OpenApiMeta & {
  /**
   * role: a user role the caller must hold; scope: the token scope (default read:prices);
   * downloads: the procedure hands out files (exports), so the caller's organization also needs the
   * downloads channel (of the input's market, else of at least one market), besides the caller's own channel.
   */
  access?: { role?: Role; scope?: Scope; downloads?: true }
  example?: Record<string, unknown>
}

/** The tRPC code of each application error code: also the `code` of /api/v1's JSON errors. */
export const TRPC_CODE: Record<ErrorCode, TRPCError['code']> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
}

/** A store that could not be reached: 503, retry later (the driver's error stays the cause, for the log). */
export function storeUnavailable(cause: unknown): AppError {
  return new AppError('UNAVAILABLE', 'a data store is unavailable', {
    userMessage: 'A data store is unavailable right now; no data was served. Try again shortly.',
    cause,
  })
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
          // Each field and what is wrong with it, for an input refused by its schema or the input check.
          ...(Array.isArray(app?.details?.issues) ? { issues: app.details.issues as { path: string; message: string }[] } : {}),
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

/**
 * "field: message; field: message" of a zod error (the first few issues), so a 400 names what is
 * wrong on tRPC and REST alike (trpc-to-openapi would say only "Input validation failed").
 */
export function describeIssues(error: z.ZodError, max = 5): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const field = issue.path.map(String).join('.')
    return field ? `${field}: ${issue.message}` : issue.message
  })
  if (error.issues.length > max) parts.push(`and ${error.issues.length - max} more`)
  return parts.join('; ') || 'invalid input'
}

/** The BAD_REQUEST AppError of an input that failed its schema, naming each field. */
export function inputError(error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
  return AppError.badRequest(describeIssues(error), { issues })
}

/**
 * Converts AppError thrown by services into tRPC errors with the right status, and an input that
 * failed its schema into a BAD_REQUEST whose message names the fields.
 */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next()
  if (result.ok) return result
  const cause = result.error.cause
  if (cause && isAppError(cause)) throw toTRPCError(cause)
  if (result.error.code === 'BAD_REQUEST' && cause instanceof z.ZodError) throw toTRPCError(inputError(cause))
  if (result.error.code === 'INTERNAL_SERVER_ERROR' && isStoreUnavailable(cause)) throw toTRPCError(storeUnavailable(cause))
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
  return { market: dataKeyOf(input, text), nodes, rangeFrom: date(input.from), rangeTo: date(input.to) }
}

/**
 * The data key a call asks for: a product beside power (`product: 'GAS'`) before anything else,
 * so `{product: 'GAS', market: 'MISO'}` is decided on GAS (and refused by the input schema); else
 * the market (prices, and GRID series, which go with their market).
 */
function dataKeyOf(input: Record<string, unknown>, text: (v: unknown) => string | null): string | null {
  const product = text(input.product)
  if (product !== null && (ENTITLED_PRODUCTS as readonly string[]).includes(product)) return product
  return text(input.market)
}

/** The per-credential limiter (server/http/stream.ts draws on the same buckets). */
export { rateLimiter }

const STATUS_OF: Partial<Record<TRPCError['code'], number>> = {
  PARSE_ERROR: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_MANY_REQUESTS: 429,
}

/**
 * The gate every data procedure passes: unsafe input (control characters, impossible dates: 400
 * before anything reads it), authentication, rate limit (API credentials and hub sessions), the
 * one authorization decision (entitlement per market and channel, role, token scope) and the
 * audit row. The audit row is written before the answer leaves: if it cannot be written, the
 * caller gets an error instead of data. recordAudit makes any input storable, so a refused
 * request always leaves its row. Each call counts once in carbon_data_requests_total and
 * carbon_data_request_duration_seconds with the outcome its audit row records.
 */
const guarded = t.middleware(async ({ ctx, path, meta, getRawInput, next }) => {
  const { platform, auth } = ctx
  // An input that is not JSON at all (tRPC's PARSE_ERROR) is refused below like any bad input.
  let unreadable = false
  const raw = await getRawInput().catch(() => {
    unreadable = true
    return undefined
  })
  const scope = auditScope(raw)
  const timer = startDataRequest({ market: dataRequestMarket(raw), channel: auth.channel })
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
    const outcome = error.status >= 500 ? 'error' : 'denied'
    timer.end(outcome)
    await recordAudit(platform.pg.db, { ...base, outcome, status: error.status, details: { reason: error.userMessage } })
    return toTRPCError(error)
  }
  if (unreadable) throw await deny(AppError.badRequest('input: not valid JSON'))
  const unsafe = findUnsafeInput(raw)
  if (unsafe) throw await deny(unsafeInputError(unsafe))
  if (auth.failure) throw await deny(auth.failure)
  const principal = auth.principal
  const limited = takeRequest(platform.auth, principal)
  if (limited) {
    ctx.responseHeaders.set('Retry-After', String(limited.retryAfterSeconds))
    throw await deny(limited.error)
  }
  const market = DataKey.safeParse(scope.market)
  try {
    const request = { market: market.success ? market.data : undefined, role: meta?.access?.role, scope: meta?.access?.scope ?? 'read:prices' }
    await authorize(platform.pg.db, principal, { ...request, channel: auth.channel })
    if (meta?.access?.downloads) await authorize(platform.pg.db, principal, { ...request, channel: 'downloads' })
  } catch (error) {
    if (isAppError(error)) throw await deny(error)
    timer.end('error')
    throw error
  }
  const entitled = await entitledMarkets(platform.pg.db, principal as Principal, auth.channel).catch((error: unknown) => {
    timer.end('error')
    throw error
  })
  const result = await next({ ctx: { principal: principal as Principal, entitled } })
  // A service's AppError reaches this middleware wrapped by tRPC (INTERNAL_SERVER_ERROR, the AppError
  // as cause); the audit row records the status the caller gets (appErrors maps it on the way out).
  const cause = result.ok ? null : result.error.cause
  const status = result.ok ? successStatus(ctx, result.data) : isAppError(cause) ? cause.status : (STATUS_OF[result.error.code] ?? 500)
  const outcome: DataOutcome = result.ok ? 'allowed' : status < 500 ? 'denied' : 'error'
  try {
    await recordAudit(platform.pg.db, { ...base, outcome, status })
    timer.end(outcome)
  } catch (error) {
    timer.end('error')
    ctx.log.error({ err: error, procedure: path }, 'audit write failed: answer withheld')
    throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The audit log is unavailable; no data was served', cause: error })
  }
  return result
})

/** The status a successful call's caller gets: 304 when a REST caller already holds the shared answer (server/http/rest.ts), else 200. */
function successStatus(ctx: Pick<Context, 'heldByCaller'>, data: unknown): number {
  return ctx.heldByCaller && isSharedAnswer(data) && ctx.heldByCaller(data) ? 304 : 200
}

/**
 * REST only: a shared answer (a read cache's frozen answer, server/trpc/shared-answers.ts) leaves
 * as JSON serialized once for every caller, instead of being serialized again per call by the REST
 * adapter. Outside the gate: only an answer that passed it, audit row written, is handed over; the
 * adapter is then left to serialize `null`, which the REST handler replaces with these bytes.
 */
const serializedOnce = t.middleware(async ({ ctx, next }) => {
  const result = await next()
  if (!result.ok || !ctx.sendShared || !isSharedAnswer(result.data)) return result
  await ctx.sendShared(result.data)
  return { ...result, data: null }
})

export const router = t.router
export const createCallerFactory = t.createCallerFactory
/** No identity needed: only for procedures that serve no data. */
export const publicProcedure = t.procedure.use(logged).use(appErrors)
/** Every data procedure: authenticated, entitled, rate limited, audited. */
export const dataProcedure = publicProcedure.use(serializedOnce).use(guarded)
