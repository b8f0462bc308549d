import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { MarketId } from '@carbon/schemas'
import { z } from 'zod'
import { AppError, isAppError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { getPlatform, type Platform } from '../platform.ts'
import { recordAudit, type AuditEntry } from '../services/auth/audit.ts'
import { authorize } from '../services/auth/entitlements.ts'
import { startDataRequest } from '../metrics.ts'
import { findUnsafeInput, unsafeInputError } from '../services/auth/input-check.ts'
import { resolveRequestAuth } from '../services/auth/resolve.ts'
import type { PriceFanout } from '../services/stream/fanout.ts'
import { getPriceFanout, LiveInput } from '../services/stream/index.ts'
import { openLiveStream, type LiveStream } from '../services/stream/live.ts'
import type { QueueLimits } from '../services/stream/queue.ts'
import type { StreamEvent } from '../services/stream/types.ts'
import { auditScope, rateLimiter, toTRPCError } from '../trpc/trpc.ts'
import {
  closeSignal,
  cutOffAfter,
  encodingOf,
  endEventStream,
  eventData,
  fetchRequest,
  headerOf,
  KEEP_ALIVE_MS,
  openEventStream,
  responseSink,
} from './sse.ts'

/**
 * GET /api/v1/stream/prices: live prices of the public REST API as Server-Sent Events.
 *
 * A plain node handler in front of Remix, so it owns the socket: it writes an event only when the
 * socket takes more (res.write returned true, or after 'drain'); meanwhile the subscriber's queue
 * coalesces (server/services/stream/queue.ts), so a slow client never holds up the fan-out or
 * anyone else. Access is decided exactly as for the other REST paths (bearer only, rate limit,
 * entitlement for the market through the API channel, one audit row) and a refusal is an HTTP
 * status with the REST API's JSON error body, before any event is sent.
 *
 * Wire format: `retry: 2000`, then per event `id: <cursor>`, `event: prices|skipped|reset|end`,
 * `data: {"type","prices","skipped","reason"}` (LiveEventOutput), and a `: keep-alive` comment
 * every 15 s; as one zlib stream (`Content-Encoding: deflate`, each event compressed once for every
 * client: sse.ts) when the request's Accept-Encoding allows it. Reconnecting with the last id (the `Last-Event-ID` header, which EventSource sends,
 * or the `lastEventId` query parameter; the header wins) resumes without gap or duplicate.
 *
 * While open, the stream holds a slot of the process's StreamGuard (server/services/stream/guard.ts):
 * past the caps per credential and organization a new stream is refused with 429; when access goes
 * (token revoked, user disabled, entitlement removed) or the lifetime is over, the last event is
 * `end` with the reason, audited, and the response ends.
 */

export const PRICE_STREAM_PATH = '/api/v1/stream/prices'
/** The audit log's name for this endpoint. */
export const PRICE_STREAM_PROCEDURE = 'rest:stream.prices'
/** `data.path` of its error bodies (REST errors carry the procedure path there). */
const ERROR_PATH = 'stream.prices'
export const RETRY_MS = 2_000
/** How long a client whose stream the server ended has to take the final event before its connection is cut. */
export const END_GRACE_MS = 2_000

export type PriceStreamOptions = {
  /** The process platform (default: getPlatform()). */
  platform?: () => Promise<Platform>
  /** The process fan-out (default: getPriceFanout(), started by `carbon serve`). */
  fanout?: () => PriceFanout
  keepAliveMs?: number
  /** Per-client queue limits (default: the subscription's). */
  limits?: QueueLimits
}

/** The REST API's error body (trpc-to-openapi over the app router's error formatter). */
export type RestErrorBody = {
  message: string
  code: string
  data: {
    code: string
    httpStatus: number
    path: string
    appCode: string | null
    zodError: ReturnType<typeof z.flattenError> | null
  }
  issues?: z.core.$ZodIssue[]
}

export function restErrorBody(error: AppError, zodError?: z.ZodError): RestErrorBody {
  const code = toTRPCError(error).code
  return {
    message: error.code === 'INTERNAL' ? 'Internal error' : error.userMessage,
    code,
    data: { code, httpStatus: error.status, path: ERROR_PATH, appCode: zodError ? null : error.code, zodError: zodError ? z.flattenError(zodError) : null },
    ...(zodError ? { issues: zodError.issues } : {}),
  }
}

/** Bad query parameters: a 400 naming each parameter, what is wrong with it and the value sent. */
function inputError(error: z.ZodError, raw: Record<string, string>): AppError {
  const problems = error.issues.map((issue) => {
    const name = issue.path.join('.') || 'query'
    const value = raw[name]
    const got = value === undefined ? '' : ` (got "${value.length > 40 ? `${value.slice(0, 40)}...` : value}")`
    return `${name}: ${issue.message}${got}`
  })
  return AppError.badRequest(`Input validation failed: ${problems.join('; ')}`)
}

/** One SSE event on the wire: id, event type, and the shared `data:` line. */
export function formatEvent(event: StreamEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${eventData(event)}\n\n`
}

/** The query parameters, with the Last-Event-ID header (when sent) in place of `lastEventId`. */
function rawInput(req: IncomingMessage): Record<string, string> {
  const raw = Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams)
  const lastEventId = headerOf(req, 'last-event-id')
  if (lastEventId !== undefined) raw.lastEventId = lastEventId
  return raw
}

function sendError(res: ServerResponse, error: AppError, extra: { zodError?: z.ZodError; retryAfter?: number } = {}): void {
  const body = JSON.stringify(restErrorBody(error, extra.zodError))
  res.writeHead(error.status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
    ...(extra.retryAfter ? { 'Retry-After': String(extra.retryAfter) } : {}),
  })
  res.end(body)
}

type Admitted = { stream: LiveStream; log: Logger }

/**
 * Decides the request as the REST API's guard does (unsafe input, authentication, rate limit,
 * authorization, then the input) and opens the subscription; writes the audit row either way.
 * Returns null after answering a refusal.
 */
async function admit(options: PriceStreamOptions, req: IncomingMessage, res: ServerResponse): Promise<Admitted | null> {
  const platform = await (options.platform ?? getPlatform)()
  const db = platform.pg.db
  const requestId = headerOf(req, 'x-request-id') ?? randomUUID()
  const log = platform.log.child({ requestId, procedure: PRICE_STREAM_PROCEDURE })
  const raw = rawInput(req)
  const auth = await resolveRequestAuth(platform, fetchRequest(req), 'rest')
  const base = {
    requestId,
    principal: auth.principal,
    channel: auth.channel,
    procedure: PRICE_STREAM_PROCEDURE,
    ...auditScope(raw),
    clientAddress: req.socket.remoteAddress ?? null,
    userAgent: headerOf(req, 'user-agent') ?? null,
  } satisfies Partial<AuditEntry>

  // Counted to the moment the stream opens (its lifetime is not a request's duration).
  const timer = startDataRequest({ market: raw.market ?? null, channel: auth.channel })
  const refuse = async (error: AppError, extra: { zodError?: z.ZodError; retryAfter?: number } = {}) => {
    const outcome = error.status >= 500 ? 'error' : 'denied'
    timer.end(outcome)
    try {
      await recordAudit(db, { ...base, outcome, status: error.status, details: { reason: error.userMessage } })
    } catch (auditError) {
      log.error({ err: auditError }, 'audit write failed')
      sendError(res, new AppError('UNAVAILABLE', 'The audit log is unavailable; no data was served'))
      return null
    }
    if (error.status >= 500) log.error({ err: error }, 'price stream failed')
    else log.info({ code: error.code, status: error.status }, 'price stream refused')
    sendError(res, error, extra)
    return null
  }

  // Before anything reads the input (authorization, the cursor, the node lookup), as every
  // request's gate does (server/trpc/trpc.ts): a control character or impossible date is a 400
  // naming the field; recordAudit stores what it can of the input, so the refusal leaves its row.
  const unsafe = findUnsafeInput(raw)
  if (unsafe) return refuse(unsafeInputError(unsafe))
  if (auth.failure) return refuse(auth.failure)
  const principal = auth.principal
  if (principal && principal.kind !== 'user') {
    const perMinute = platform.auth.rateLimitPerMinute
    const taken = rateLimiter(perMinute).take(principal.credentialId)
    if (!taken.ok) {
      const error = new AppError('TOO_MANY_REQUESTS', `Rate limit of ${perMinute} requests per minute exceeded`, {
        userMessage: `Too many requests: retry after ${taken.retryAfterSeconds} s`,
      })
      return refuse(error, { retryAfter: taken.retryAfterSeconds })
    }
  }
  const market = MarketId.safeParse(raw.market)
  try {
    await authorize(db, principal, { channel: auth.channel, market: market.success ? market.data : undefined, scope: 'read:prices' })
  } catch (error) {
    if (isAppError(error)) return refuse(error)
    throw error
  }

  const parsed = LiveInput.safeParse(raw)
  if (!parsed.success) return refuse(inputError(parsed.error, raw), { zodError: parsed.error })
  const input = parsed.data
  let stream: LiveStream
  try {
    const fanout = (options.fanout ?? getPriceFanout)()
    // authorize() resolved, so there is a principal.
    const holder = { principal: principal!, channel: auth.channel, market: input.market, audit: base }
    stream = await openLiveStream({ platform, fanout, log, limits: options.limits }, holder, input)
  } catch (error) {
    return refuse(isAppError(error) ? error : new AppError('INTERNAL', 'opening the price stream failed', { cause: error }))
  }
  try {
    await recordAudit(db, { ...base, outcome: 'allowed', status: 200 })
    timer.end('allowed')
  } catch (error) {
    timer.end('error')
    stream.close()
    log.error({ err: error }, 'audit write failed: stream withheld')
    sendError(res, new AppError('UNAVAILABLE', 'The audit log is unavailable; no data was served'))
    return null
  }
  return { stream, log }
}

/**
 * Writes the subscription's events as the socket takes them, until the client goes or the server
 * ends the stream (access gone, lifetime over: a last `end` event, then the response ends; a
 * client that does not take that event within END_GRACE_MS is cut off). The subscription writes
 * each event itself, from the fan-out's pass, as one shared Buffer (sse.ts responseSink); while the
 * socket is full its queue keeps (and if need be coalesces) what follows.
 */
async function pump(res: ServerResponse, admitted: Admitted, signal: AbortSignal, keepAliveMs: number): Promise<void> {
  const { stream, log } = admitted
  const stopKeepAlive = openEventStream(res, `retry: ${RETRY_MS}\n\n`, keepAliveMs)
  let events = 0
  // The client going closes the subscription, which ends the delivery.
  signal.addEventListener('abort', () => stream.close(), { once: true })
  try {
    void stream.whenEnded.then(() => cutOffAfter(res, END_GRACE_MS))
    events = await stream.subscription.deliver(responseSink(res, 'rest'))
  } catch (error) {
    log.error({ err: error }, 'price stream broke off')
  } finally {
    stopKeepAlive()
    stream.close()
    endEventStream(res)
    log.debug({ events, ended: stream.ended, encoding: encodingOf(res) }, 'price stream closed')
  }
}

async function servePriceStream(options: PriceStreamOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET') {
    const body: RestErrorBody = {
      message: `${req.method ?? 'This method'} is not supported here: open the stream with GET`,
      code: 'METHOD_NOT_SUPPORTED',
      data: { code: 'METHOD_NOT_SUPPORTED', httpStatus: 405, path: ERROR_PATH, appCode: null, zodError: null },
    }
    res.writeHead(405, { Allow: 'GET', 'Content-Type': 'application/json' })
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body))
    return
  }
  const closed = closeSignal(res)
  const admitted = await admit(options, req, res)
  if (!admitted) return
  if (closed.aborted) {
    admitted.stream.close()
    return
  }
  await pump(res, admitted, closed, options.keepAliveMs ?? KEEP_ALIVE_MS)
}

/** The handler server.ts mounts at PRICE_STREAM_PATH, before Remix. */
export function priceStreamHandler(options: PriceStreamOptions & { log: Logger }): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    servePriceStream(options, req, res).catch((error: unknown) => {
      options.log.error({ err: error, path: PRICE_STREAM_PATH }, 'price stream request failed')
      if (!res.headersSent) sendError(res, new AppError('INTERNAL', 'price stream request failed', { cause: error }))
      else res.destroy()
    })
  }
}
