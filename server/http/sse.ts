import type { IncomingMessage, ServerResponse } from 'node:http'
import type { StreamEvent } from '../services/stream/types.ts'

/**
 * Server-Sent Events written straight to a node socket, shared by both live-price endpoints: the
 * REST stream (stream.ts) and the tRPC subscription `prices.live` (trpc-live.ts).
 *
 * An event's `data:` payload is the JSON of LiveEventOutput. It is serialized and UTF-8 encoded
 * once per shared prices array and kind, however many clients receive it: subscribers with one
 * filter share the batch's array (server/services/stream/queue.ts), so 1,000 clients cost one
 * JSON.stringify. Only the `id:` line is per client.
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
