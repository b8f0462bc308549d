import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TrackedEnvelope } from '@trpc/server'
import { getErrorShape, getLastEventId, getTRPCErrorFromUnknown, isAbortError, isTrackedEnvelope } from '@trpc/server/unstable-core-do-not-import'
import type { Logger } from '../logger.ts'
import type { LiveStream } from '../services/stream/live.ts'
import type { LiveEvent } from '../services/stream/schemas.ts'
import { createContext } from '../trpc/context.ts'
import { accessEnded, liveStreamOf } from '../trpc/live.ts'
import { appRouter, createCaller } from '../trpc/root.ts'
import { toTRPCError } from '../trpc/trpc.ts'
import {
  closeSignal,
  cutOffAfter,
  endEventStream,
  fetchRequest,
  headerOf,
  KEEP_ALIVE_MS,
  openEventStream,
  responseSink,
  writeEvents,
  writeFramed,
  writeText,
} from './sse.ts'

/**
 * GET /api/trpc/prices.live served by a node handler in front of Remix, speaking tRPC's SSE
 * protocol (what httpSubscriptionLink reads): `connected`, then per event `id:` + `data:`, a
 * `serialized-error` event for a refusal or failure, `return` when the subscription ends.
 *
 * Why: tRPC's fetch adapter serializes every yielded event per client (JSON.stringify, then a
 * TextEncoderStream and Remix's copy into the socket); with 1,000 clients on a 2,600-price tick
 * that was 1,000 serializations of the same batch and a p95 of minutes. Here the procedure itself
 * runs unchanged through a server-side caller (the same middleware: authentication, rate limit,
 * entitlement, audit, logging), and only the writing differs: the subscription behind the
 * procedure's answer (liveStreamOf) writes each event itself, from the fan-out's pass, as one
 * shared Buffer in tRPC's framing (server/http/sse.ts), only while the socket takes more.
 *
 * A stream the server ends (server/trpc/live.ts) sends a last data event `{ type: 'end', reason }`;
 * for an access end a `serialized-error` follows; for `max_lifetime` nothing does (no `return`):
 * the connection closes and the client's EventSource reconnects with the last id.
 *
 * Requests this handler does not recognise (another method, a batch, input that is not JSON) go
 * on to tRPC's own handler, which answers them as before.
 *
 * Compressed (`Content-Encoding: deflate`) when the request's Accept-Encoding allows it, as the
 * REST stream: each event once for every client (sse.ts); browsers and undici's fetch (the SDK's
 * EventSource) decode it.
 */

export const TRPC_LIVE_PATH = '/api/trpc/prices.live'
const PROCEDURE = 'prices.live'

type Input = Record<string, unknown> | undefined

/**
 * The procedure input of a GET as tRPC's handler reads it: `?input=<JSON>`, with the last event id
 * merged in where tRPC finds it (Last-Event-ID header, `lastEventId` query parameter). Null when
 * tRPC's handler should answer instead.
 */
export function liveInput(request: Request): { input: Input } | null {
  const searchParams = new URL(request.url).searchParams
  if (searchParams.has('batch')) return null
  let input: Input
  const raw = searchParams.get('input')
  if (raw !== null) {
    try {
      const parsed: unknown = JSON.parse(raw)
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null
      input = parsed as Record<string, unknown>
    } catch {
      return null
    }
  }
  const lastEventId = getLastEventId({ headers: request.headers, searchParams })
  if (lastEventId) input = { ...input, lastEventId }
  return { input }
}

/** An error as tRPC answers it: shaped by the app router's error formatter. */
function errorShape(cause: unknown, input: Input) {
  const error = getTRPCErrorFromUnknown(cause)
  return getErrorShape({ config: appRouter._def._config, error, type: 'subscription', path: PROCEDURE, input, ctx: undefined })
}

/** The `serialized-error` event of an error. */
export function errorEvent(cause: unknown, input: Input): string {
  return `event: serialized-error\ndata: ${JSON.stringify(errorShape(cause, input))}\n\n`
}

/** Writes one tracked event (id, then the shared body, in tRPC's framing); returns the event. */
function writeTracked(res: ServerResponse, value: unknown): LiveEvent {
  // A server-side caller yields the procedure's envelopes as they are (typed as the client sees them).
  if (!isTrackedEnvelope(value)) throw new TypeError('prices.live yielded an event without an id')
  const [id, event] = value as TrackedEnvelope<LiveEvent>
  writeFramed(res, { ...event, id }, 'trpc')
  return event
}

/**
 * Push delivery of the procedure's stream (see liveStreamOf): the subscription writes its events
 * in tRPC's framing. Afterwards, as the procedure's generator would end: after an `end` for an
 * access that is gone its error; after `end` for max_lifetime nothing; otherwise `return`.
 */
async function pushLive(res: ServerResponse, stream: LiveStream, closed: AbortSignal, input: Input): Promise<number> {
  let endWritten = false
  const sink = responseSink(res, 'trpc', (event) => {
    // The server ended the stream: what follows (an error, or nothing) must not wait on a client that does not read.
    if (event.type === 'end') {
      endWritten = true
      cutOffAfter(res, END_GRACE_MS)
    }
  })
  try {
    const events = await stream.subscription.deliver(sink)
    if (closed.aborted || res.destroyed) return events
    const reason = stream.ended
    if (reason && endWritten) {
      if (reason !== 'max_lifetime') writeText(res, errorEvent(toTRPCError(accessEnded(reason)), input))
    } else writeText(res, 'event: return\ndata: \n\n')
    return events
  } finally {
    stream.close()
  }
}

/** How long a client whose stream the server ended has to take the last events before its connection is cut. */
const END_GRACE_MS = 2_000

async function serveLive(req: IncomingMessage, res: ServerResponse, request: Request, input: Input, keepAliveMs: number): Promise<void> {
  const closed = closeSignal(res)
  const ctx = await createContext(request, {
    endpoint: 'trpc',
    clientAddress: req.socket.remoteAddress ?? null,
    requestId: headerOf(req, 'x-request-id'),
    connectionClosed: closed,
  })
  // tRPC's handler answers 200 and sends a refusal as the stream's first event; so does this one.
  const stopKeepAlive = openEventStream(res, 'event: connected\ndata: {}\n\n', keepAliveMs)
  let events = 0
  let last: LiveEvent | null = null
  const write = (value: unknown) => {
    last = writeTracked(res, value)
    // The server ended the stream: what follows (an error, or nothing) must not wait on a client that does not read.
    if (last.type === 'end') cutOffAfter(res, END_GRACE_MS)
    return !res.writableNeedDrain
  }
  try {
    const subscription = await createCaller(ctx, { signal: closed }).prices.live(input as never)
    const stream = liveStreamOf(subscription)
    if (stream) {
      events = await pushLive(res, stream, closed, input)
      return
    }
    events = await writeEvents(res, subscription, write, closed)
    // After `end` for max_lifetime: no `return` (which would make the client stop); the connection
    // closes and the client's EventSource reconnects with the last event id, resuming there.
    const lifetimeOver = (last as LiveEvent | null)?.type === 'end'
    if (!closed.aborted && !res.destroyed && !lifetimeOver) writeText(res, 'event: return\ndata: \n\n')
  } catch (error) {
    if (!isAbortError(error) && !res.destroyed) writeText(res, errorEvent(error, input))
  } finally {
    stopKeepAlive()
    endEventStream(res)
    ctx.log.debug({ procedure: PROCEDURE, events }, 'live subscription closed')
  }
}

/** The handler server.ts mounts at TRPC_LIVE_PATH, before Remix; `next` hands a request to tRPC's handler. */
export function trpcLiveHandler(options: { log: Logger; keepAliveMs?: number }) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (req.method !== 'GET') return next()
    const request = fetchRequest(req)
    const parsed = liveInput(request)
    if (!parsed) return next()
    serveLive(req, res, request, parsed.input, options.keepAliveMs ?? KEEP_ALIVE_MS).catch((error: unknown) => {
      options.log.error({ err: error, path: TRPC_LIVE_PATH }, 'live subscription request failed')
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ error: errorShape(error, parsed.input) }))
      } else res.destroy()
    })
  }
}
