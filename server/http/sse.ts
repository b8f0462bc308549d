import type { IncomingMessage, ServerResponse } from 'node:http'
import zlib from 'node:zlib'
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
 *
 * Content coding (`Content-Encoding: deflate`, when the request's Accept-Encoding allows it): a
 * full MISO RT5 tick is about 1 MB of JSON per client, so 1,000 clients were 1 GB of socket
 * writes per tick. Each event is compressed ONCE, not per client: every piece of text a response
 * carries (preamble, event, keep-alive comment, error) is raw deflate from a fresh compressor,
 * flushed with Z_SYNC_FLUSH and not finished, so it refers to nothing before it and ends on a
 * byte boundary; such pieces concatenate into one valid deflate stream in any order. A response
 * is then an RFC 1950 zlib stream: its 2-byte header first, the pieces, and at the end a final
 * empty block and the Adler-32 of all the text it carried, kept per response by combining each
 * piece's Adler-32 (memoized with the piece) arithmetically. Level 1, synchronously: about 3 ms
 * per MB of prices JSON plus 2 ms for its Adler-32 on the bench machine, once per tick and
 * filter, against a per-tick event-loop stall target of 50 ms; the thread pool would add a hop
 * and an asynchronous step to a delivery that is synchronous from the fan-out's pass.
 */

/** What a `data:` line carries: an event of the stream service or a `prices.live` event. */
export type EventPayload = Pick<StreamEvent, 'type' | 'prices'> & { skipped?: number; reason?: string | null }

export const SSE_HEADERS = {
  // Exactly this type: the compression filter in server.ts leaves it to us (compression would
  // buffer events and compress each client's copy apart).
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
  // The answer's bytes depend on Accept-Encoding (identity or deflate).
  Vary: 'Accept-Encoding',
} as const

/** How an event stream's bytes go on the wire: as they are, or as one zlib (RFC 1950) stream of shared deflate pieces. */
export type StreamEncoding = 'identity' | 'deflate'

/**
 * `deflate` when the request's Accept-Encoding accepts it (named, or `*`, with q > 0), else
 * `identity`: a client that does not ask for it gets the bytes as they are.
 */
export function negotiateEncoding(acceptEncoding: string | undefined): StreamEncoding {
  if (!acceptEncoding) return 'identity'
  let deflate: number | null = null
  let any: number | null = null
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim())
    const q = params.find((p) => /^q=/i.test(p))
    const weight = q ? Number(q.slice(2)) : 1
    const coding = name.toLowerCase()
    if (coding === 'deflate') deflate = Number.isFinite(weight) ? weight : 0
    else if (coding === '*') any = Number.isFinite(weight) ? weight : 0
  }
  const weight = deflate ?? any ?? 0
  return weight > 0 ? 'deflate' : 'identity'
}

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

/** Compressed text: raw deflate from a fresh compressor, sync-flushed (see the top of this file), with what the zlib trailer needs. */
export type DeflatePiece = {
  bytes: Buffer
  /** Adler-32 of the uncompressed text. */
  adler: number
  /** Bytes of the uncompressed text. */
  length: number
}

const ADLER_BASE = 65_521
/** zlib's NMAX: the most bytes summed before the sums are reduced, so they stay small integers. */
const ADLER_NMAX = 5_552

/** Adler-32 (RFC 1950) of `bytes`. */
export function adler32(bytes: Uint8Array): number {
  let a = 1
  let b = 0
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(i + ADLER_NMAX, bytes.length)
    for (; i < end; i++) {
      a += bytes[i]!
      b += a
    }
    a %= ADLER_BASE
    b %= ADLER_BASE
  }
  return ((b << 16) | a) >>> 0
}

/** The Adler-32 of A followed by B from Adler-32(A), Adler-32(B) and B's length (zlib's adler32_combine). */
export function adler32Combine(adlerA: number, adlerB: number, lengthB: number): number {
  const rem = lengthB % ADLER_BASE
  const a1 = adlerA & 0xffff
  const a2 = adlerB & 0xffff
  const a = (a1 + a2 + ADLER_BASE - 1) % ADLER_BASE
  const b = ((rem * a1) % ADLER_BASE + (adlerA >>> 16) + (adlerB >>> 16) + ADLER_BASE - rem) % ADLER_BASE
  return ((b << 16) | a) >>> 0
}

/** The zlib header of a deflate response: deflate with a 32 KiB window, fastest level, no dictionary (0x7801 is a multiple of 31). */
export const ZLIB_HEADER = Buffer.from([0x78, 0x01])
/** A final, empty fixed-Huffman block: closes the deflate stream before the Adler-32. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00])

/** The end of a zlib stream whose text had Adler-32 `adler`: the final block and the checksum (big-endian). */
export function zlibTrailer(adler: number): Buffer {
  const trailer = Buffer.alloc(FINAL_BLOCK.length + 4)
  FINAL_BLOCK.copy(trailer)
  trailer.writeUInt32BE(adler >>> 0, FINAL_BLOCK.length)
  return trailer
}

/** `text` as a self-contained, concatenable deflate piece: a fresh compressor at level 1, flushed (Z_SYNC_FLUSH), not finished. */
export function deflatePiece(text: string | Buffer): DeflatePiece {
  const raw = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  const bytes = zlib.deflateRawSync(raw, { level: 1, finishFlush: zlib.constants.Z_SYNC_FLUSH })
  return { bytes, adler: adler32(raw), length: raw.length }
}

/** Two pieces one after the other (as one Buffer). */
function joinPieces(first: DeflatePiece, second: DeflatePiece): DeflatePiece {
  return {
    bytes: Buffer.concat([first.bytes, second.bytes], first.bytes.length + second.bytes.length),
    adler: adler32Combine(first.adler, second.adler, second.length),
    length: first.length + second.length,
  }
}

/** The data lines of events compressed once per prices array and kind (shared by every id). */
const deflatedBodies = new WeakMap<object, Map<string, DeflatePiece>>()

function deflatedBody(event: EventPayload): DeflatePiece {
  const kind = kindOf(event)
  let byKind = deflatedBodies.get(event.prices)
  if (!byKind) deflatedBodies.set(event.prices, (byKind = new Map()))
  let body = byKind.get(kind)
  if (!body) byKind.set(kind, (body = deflatePiece(eventBody(event))))
  return body
}

/** A compressed event: its piece, and as one HTTP/1.1 chunk when memoized (null: write the piece through the response). */
type DeflatedFrame = { piece: DeflatePiece; chunk: Buffer | null }

/** Compressed events memoized per prices array: framing + kind -> id (up to MAX_FRAMED_IDS) -> frame. */
const deflatedFrames = new WeakMap<object, Map<string, Map<string, DeflatedFrame>>>()

/**
 * The event in `framing`, compressed: its head (per id) and its body (per prices array and kind)
 * each compressed once, joined, and as an HTTP/1.1 chunk shared by every client sent the same event.
 */
export function deflatedFrame(event: FramedEvent, framing: Framing): DeflatedFrame {
  const kind = event.type === 'prices' && !event.skipped && !event.reason ? PRICES_KIND[framing] : `${framing}|${kindOf(event)}`
  let byKind = deflatedFrames.get(event.prices)
  if (!byKind) deflatedFrames.set(event.prices, (byKind = new Map()))
  let byId = byKind.get(kind)
  if (!byId) byKind.set(kind, (byId = new Map()))
  const known = byId.get(event.id)
  if (known) return known
  const piece = joinPieces(deflatePiece(frameHead(event, framing)), deflatedBody(event))
  if (byId.size >= MAX_FRAMED_IDS) return { piece, chunk: null }
  const size = Buffer.from(`${piece.bytes.length.toString(16)}\r\n`, 'latin1')
  const frame = { piece, chunk: Buffer.concat([size, piece.bytes, CRLF], size.length + piece.bytes.length + CRLF.length) }
  byId.set(event.id, frame)
  return frame
}

/** The keep-alive comment, compressed once per process. */
const KEEP_ALIVE = ': keep-alive\n\n'
let keepAliveDeflated: DeflatePiece | null = null
const keepAlivePiece = () => (keepAliveDeflated ??= deflatePiece(KEEP_ALIVE))

/** Per deflate response: the Adler-32 of all the text written so far (the zlib trailer's checksum). */
const deflating = new WeakMap<ServerResponse, { adler: number }>()

/** The encoding an open event stream writes in. */
export function encodingOf(res: ServerResponse): StreamEncoding {
  return deflating.has(res) ? 'deflate' : 'identity'
}

function counted(state: { adler: number }, piece: DeflatePiece): void {
  state.adler = adler32Combine(state.adler, piece.adler, piece.length)
}

/**
 * Writes `text` (a comment, a control or error event: anything but a shared event) in the
 * response's encoding. Returns whether the response takes more now.
 */
export function writeText(res: ServerResponse, text: string): boolean {
  const state = deflating.get(res)
  if (!state) return res.write(text)
  const piece = text === KEEP_ALIVE ? keepAlivePiece() : deflatePiece(text)
  counted(state, piece)
  return res.write(piece.bytes)
}

/** Ends an event stream: for deflate with the zlib trailer (the final block and the Adler-32 of everything sent). */
export function endEventStream(res: ServerResponse): void {
  if (res.writableEnded) return
  const state = deflating.get(res)
  if (state && !res.destroyed) res.end(zlibTrailer(state.adler))
  else res.end()
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
  const state = deflating.get(res)
  if (state) return writeDeflated(res, state, event, framing)
  const frame = eventFrame(event, framing)
  const socket = res.socket
  // res.chunkedEncoding is set once the headers went out (openEventStream wrote them): the response
  // then adds nothing but the chunk framing, which the frame already carries.
  if (frame && socket && res.chunkedEncoding && res.headersSent && !res.writableEnded) return socket.write(frame)
  if (frame) return res.write(eventText(frame))
  res.write(frameHead(event, framing))
  return res.write(eventBody(event))
}

/** writeFramed for a deflate response: the shared compressed chunk straight to the socket, as for identity. */
function writeDeflated(res: ServerResponse, state: { adler: number }, event: FramedEvent, framing: Framing): boolean {
  const frame = deflatedFrame(event, framing)
  counted(state, frame.piece)
  const socket = res.socket
  if (frame.chunk && socket && res.chunkedEncoding && res.headersSent && !res.writableEnded) return socket.write(frame.chunk)
  return res.write(frame.piece.bytes)
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
 * Answers 200 with the event-stream headers and `preamble`, in the encoding the request allows
 * (negotiateEncoding of its Accept-Encoding), and writes a comment every `keepAliveMs` so proxies
 * keep an idle stream open. Everything written afterwards goes through writeFramed / writeText and
 * ends with endEventStream. Returns the function that stops the comments.
 */
export function openEventStream(res: ServerResponse, preamble: string, keepAliveMs: number): () => void {
  const encoding = negotiateEncoding(headerOf(res.req, 'accept-encoding'))
  res.writeHead(200, encoding === 'deflate' ? { ...SSE_HEADERS, 'Content-Encoding': 'deflate' } : SSE_HEADERS)
  res.socket?.setNoDelay(true)
  if (encoding === 'deflate') {
    const piece = deflatePiece(preamble)
    deflating.set(res, { adler: piece.adler })
    res.write(Buffer.concat([ZLIB_HEADER, piece.bytes]))
  } else res.write(preamble)
  const timer = setInterval(() => {
    // While the socket is full an event is already on its way; no comment is needed.
    if (!res.writableNeedDrain && !res.writableEnded && !res.destroyed) writeText(res, KEEP_ALIVE)
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
