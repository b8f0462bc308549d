import type { IncomingMessage, ServerResponse } from 'node:http'
import type { StreamEvent } from '../services/stream/types.ts'

/**
 * Server-Sent Events written straight to a node socket, shared by both live-price endpoints: the
 * REST stream (stream.ts) and the tRPC subscription `prices.live` (trpc-live.ts).
 *
 * An event's `data:` payload is the JSON of LiveEventOutput. It is serialized and UTF-8 encoded
 * once per shared prices array and kind, however many clients receive it: subscribers with one
 * filter share the batch's array (server/services/stream/queue.ts), so 1,000 clients cost one
 * JSON.stringify. The whole event as written (`id:` line, the REST `event:` line, the data) is
 * built once per array, framing and id (subscribers at the live edge share ids, see
 * server/services/stream/position.ts), so each client costs one write of a shared Buffer.
 */

/** What a `data:` line carries: an event of the stream service or a `prices.live` event. */
export type EventPayload = Pick<StreamEvent, 'type' | 'prices'> & { skipped?: number; reason?: string | null }

export const SSE_HEADERS = {
  // Exactly this type: the compression filter in server.ts leaves it uncompressed (unbuffered).
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
} as const

export const KEEP_ALIVE_MS = 15_000

function kindOf(event: EventPayload): string {
  return `${event.type}|${event.skipped ?? 0}|${event.reason ?? ''}`
}

const serialized = new WeakMap<object, Map<string, string>>()

/** The JSON of an event's `data:` line (LiveEventOutput), memoized per prices array and kind. */
export function eventData(event: EventPayload): string {
  const kind = kindOf(event)
  let byKind = serialized.get(event.prices)
  if (!byKind) serialized.set(event.prices, (byKind = new Map()))
  let data = byKind.get(kind)
  if (data === undefined) {
    data = JSON.stringify({ type: event.type, prices: event.prices, skipped: event.skipped ?? 0, reason: event.reason ?? null })
    byKind.set(kind, data)
  }
  return data
}

const encoded = new WeakMap<object, Map<string, Buffer>>()

/** `data: <json>\n\n` as UTF-8 bytes, encoded once per shared payload. JSON escapes newlines: one line. */
export function eventBody(event: EventPayload): Buffer {
  const kind = kindOf(event)
  let byKind = encoded.get(event.prices)
  if (!byKind) encoded.set(event.prices, (byKind = new Map()))
  let body = byKind.get(kind)
  if (!body) byKind.set(kind, (body = Buffer.from(`data: ${eventData(event)}\n\n`, 'utf8')))
  return body
}

/**
 * The two framings of an event: `rest` (/api/v1/stream/prices: `id:`, `event: <type>`, `data:`)
 * and `trpc` (tRPC's SSE protocol as httpSubscriptionLink reads it: `id:`, `data:`).
 */
export type Framing = 'rest' | 'trpc'

/** An event to frame: its payload and its id (the resume cursor). */
export type FramedEvent = EventPayload & { id: string }

/** Whole events memoized per prices array: framing + kind -> id -> bytes (as an HTTP/1.1 chunk). */
const frames = new WeakMap<object, Map<string, Map<string, Buffer>>>()
/** Distinct ids memoized per array, framing and kind: past this (subscribers far apart), the head is written apart from the shared body. */
const MAX_FRAMED_IDS = 8
const PRICES_KIND: Record<Framing, string> = { rest: 'rest|prices|0|', trpc: 'trpc|prices|0|' }
const CRLF = Buffer.from('\r\n')

/** The lines before `data:`: per framing. */
function frameHead(event: FramedEvent, framing: Framing): string {
  return framing === 'rest' ? `id: ${event.id}\nevent: ${event.type}\n` : `id: ${event.id}\n`
}

/**
 * The event as written in `framing`, as one HTTP/1.1 chunk (`<size>CRLF<event>CRLF`) shared by
 * every client sent the same event; null when not memoized (then write the head and eventBody()
 * through the response). `eventText` reads the event out of it.
 */
export function eventFrame(event: FramedEvent, framing: Framing): Buffer | null {
  const kind = event.type === 'prices' && !event.skipped && !event.reason ? PRICES_KIND[framing] : `${framing}|${kindOf(event)}`
  let byKind = frames.get(event.prices)
  if (!byKind) frames.set(event.prices, (byKind = new Map()))
  let byId = byKind.get(kind)
  if (!byId) byKind.set(kind, (byId = new Map()))
  let frame = byId.get(event.id)
  if (frame) return frame
  if (byId.size >= MAX_FRAMED_IDS) return null
  const body = eventBody(event)
  const head = Buffer.from(frameHead(event, framing), 'utf8')
  const size = Buffer.from(`${(head.length + body.length).toString(16)}\r\n`, 'latin1')
  frame = Buffer.concat([size, head, body, CRLF], size.length + head.length + body.length + CRLF.length)
  byId.set(event.id, frame)
  return frame
}

/** The SSE text of a frame of eventFrame (without the chunk's size line and CRLF). */
export function eventText(frame: Buffer): string {
  const start = frame.indexOf(CRLF) + CRLF.length
  return frame.toString('utf8', start, frame.length - CRLF.length)
}

/**
 * Writes one event in `framing`: on a chunked HTTP/1.1 response (every SSE response but an
 * HTTP/1.0 client's) the shared chunk of eventFrame goes straight to the socket, one write with
 * no per-client copy or framing; otherwise through the response. Returns whether the socket takes
 * more now (false: wait for its 'drain').
 */
export function writeFramed(res: ServerResponse, event: FramedEvent, framing: Framing): boolean {
  const frame = eventFrame(event, framing)
  const socket = res.socket
  // res.chunkedEncoding is set once the headers went out (openEventStream wrote them): the response
  // then adds nothing but the chunk framing, which the frame already carries.
  if (frame && socket && res.chunkedEncoding && res.headersSent && !res.writableEnded) return socket.write(frame)
  if (frame) return res.write(eventText(frame))
  res.write(frameHead(event, framing))
  return res.write(eventBody(event))
}

/**
 * Bytes a client's socket may hold unsent before its subscription waits for 'drain'. The socket's
 * own high-water mark (16 KiB) is below one event of a full tick (about 1 MB) and even of a hubs
 * tick; waiting for 'drain' after every such event would cost a listener and an event per client
 * per tick. Past this bound the subscriber's own bounded queue keeps (and coalesces) what follows,
 * so a slow client holds at most this much here.
 */
export const SOCKET_SOFT_LIMIT_BYTES = 2 * 1024 * 1024

/**
 * The subscription's push sink on a response (server/services/stream/subscription.ts deliver()):
 * each event one write in `framing`; once the socket holds more than SOCKET_SOFT_LIMIT_BYTES
 * unsent, the subscription waits for its 'drain' (or for the connection to close, which closes
 * the subscription).
 */
export function responseSink(res: ServerResponse, framing: Framing, onEvent?: (event: FramedEvent) => void) {
  return {
    write(event: FramedEvent): boolean {
      onEvent?.(event)
      // Gone: nothing more is written; the connection's close handler closes the subscription.
      if (res.destroyed || !res.socket || res.socket.destroyed) return false
      return writeFramed(res, event, framing) || res.socket.writableLength <= SOCKET_SOFT_LIMIT_BYTES
    },
    onDrain(resume: () => void): void {
      const socket = res.socket
      if (!socket) return
      socket.once('drain', resume)
    },
  }
}

export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The request as the Fetch API sees it (what resolveRequestAuth reads: its headers). */
export function fetchRequest(req: IncomingMessage): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue
    headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  return new Request(new URL(req.url ?? '/', 'http://localhost'), { headers })
}

/** An AbortSignal that fires when the response's connection closes. */
export function closeSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  res.once('close', () => controller.abort())
  return controller.signal
}

/**
 * Answers 200 with the event-stream headers and `preamble`, and writes a comment every
 * `keepAliveMs` so proxies keep an idle stream open. Returns the function that stops the comments.
 */
export function openEventStream(res: ServerResponse, preamble: string, keepAliveMs: number): () => void {
  res.writeHead(200, SSE_HEADERS)
  res.socket?.setNoDelay(true)
  res.write(preamble)
  const timer = setInterval(() => {
    // While the socket is full an event is already on its way; no comment is needed.
    if (!res.writableNeedDrain && !res.writableEnded && !res.destroyed) res.write(': keep-alive\n\n')
  }, keepAliveMs)
  return () => clearInterval(timer)
}

/**
 * Destroys the connection if the response has not ended `ms` from now: a client whose stream the
 * server ended, but whose socket is full, must not keep it open by not reading.
 */
export function cutOffAfter(res: ServerResponse, ms: number): void {
  const timer = setTimeout(() => {
    if (!res.writableEnded && !res.destroyed) res.destroy()
  }, ms)
  timer.unref?.()
  res.once('close', () => clearTimeout(timer))
}

/** Resolves when the response can take more, or the client is gone. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    res.on('drain', done)
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Writes `events` as the socket takes them: pulls the next one only when the last write was
 * accepted or the socket drained, so a slow client's events wait in its own queue (which
 * coalesces) and never in memory here. Ends when the events end or the client goes; returns how
 * many were written.
 */
export async function writeEvents<T>(
  res: ServerResponse,
  events: AsyncIterable<T>,
  write: (event: T) => boolean,
  signal: AbortSignal,
): Promise<number> {
  let count = 0
  for await (const event of events) {
    if (signal.aborted || res.destroyed) break
    count++
    if (!write(event)) await drained(res, signal)
  }
  return count
}
