import type { Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { NextFunction, Request, Response } from 'express'
import type { Logger } from '../logger.ts'

/**
 * Limits and JSON errors in front of Remix: request bodies are capped before anything parses
 * them, tRPC batches are capped, data answers are never cached, and the errors Node and Express
 * produce on their own (431, 413, 404, 500) answer JSON like every other API error.
 */

/** The JSON body of an error answered by the HTTP layer: the same shape as the API's errors. */
export function errorBody(code: string, message: string) {
  return { code, message, issues: [] as { path: string; message: string }[] }
}

export function sendJsonError(res: Response, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  if (res.headersSent) return void res.end()
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  res.status(status).setHeader('Cache-Control', 'no-store')
  res.json(errorBody(code, message))
}

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE'])

/** Largest refused body still read (and discarded) so that its sender receives the 413. */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024

export type BodyLimitOptions = {
  /** Largest body in bytes for every path but `upload`. */
  defaultBytes: number
  /** Paths taking larger bodies (curve builds, REC quote uploads: isUploadPath) and their limit. */
  upload: { bytes: number; matches(path: string): boolean }
}

const UPLOAD_PATHS: readonly RegExp[] = [
  // Power curve builds (hub form, tRPC, REST): the body may carry two CSVs.
  /^\/curves\/[^/]+\/[^/]+\/build\/?$/,
  /^\/api\/trpc\/curves\.build\/?$/,
  /^\/api\/v1\/curves\/build\/?$/,
  // Gas and LNG basis curve builds (the hub's form posts to the curve's page).
  /^\/(gas|lng)\/curves\/[^/]+\/?$/,
  /^\/api\/trpc\/fuelCurves\.build\/?$/,
  /^\/api\/v1\/fuel-curves\/build\/?$/,
  // REC quote files (the hub's form on /recs, tRPC, REST).
  /^\/recs\/?$/,
  /^\/api\/trpc\/series\.upload\/?$/,
  /^\/api\/v1\/series\/upload\/?$/,
]

/** Whether a request path takes a file or quotes as CSV (curve builds, REC quote uploads): the upload limit applies. */
export function isUploadPath(path: string): boolean {
  return UPLOAD_PATHS.some((pattern) => pattern.test(path))
}

function describeBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`
}

/**
 * Refuses a body larger than the limit before anyone reads it: 413 JSON when Content-Length says
 * so. A body without Content-Length (chunked) cannot be measured before it is read, so it is
 * refused with 411: browsers, fetch and the SDK always send the length of what they post.
 */
export function bodyLimit(options: BodyLimitOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (BODYLESS.has(req.method)) return next()
    const limit = options.upload.matches(req.path) ? options.upload.bytes : options.defaultBytes
    const header = req.get('content-length')
    if (header === undefined) {
      if (req.get('transfer-encoding')) {
        res.setHeader('Connection', 'close')
        return sendJsonError(res, 411, 'LENGTH_REQUIRED', 'Send the request body with a Content-Length header')
      }
      return next()
    }
    const length = /^\d{1,15}$/.test(header) ? Number(header) : NaN
    if (!Number.isSafeInteger(length)) return sendJsonError(res, 400, 'BAD_REQUEST', 'content-length: not a number of bytes')
    if (length > limit) {
      // The connection closes after the answer. A body of moderate size is discarded unread (never
      // buffered or parsed) before the answer, so a client still sending it gets the 413 rather than
      // a broken pipe; a huge one is answered at once and its connection cut.
      res.setHeader('Connection', 'close')
      const refuse = () => sendJsonError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body of ${length} bytes is larger than the limit of ${describeBytes(limit)}`)
      if (length > DRAIN_MAX_BYTES) return refuse()
      req.once('end', refuse)
      req.once('error', () => res.destroy())
      req.resume()
      return
    }
    next()
  }
}

export const TRPC_PATH = '/api/trpc/'

/** The procedures a tRPC request names: `/api/trpc/a,b,c` is a batch of three. */
export function trpcCallCount(path: string): number {
  if (!path.startsWith(TRPC_PATH)) return 0
  return path.slice(TRPC_PATH.length).split(',').length
}

/** Refuses a tRPC batch of more than `max` calls with a 400 naming the limit. */
export function trpcBatchLimit(max: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const calls = trpcCallCount(req.path)
    if (calls <= max) return next()
    sendJsonError(res, 400, 'BAD_REQUEST', `batch: at most ${max} calls per tRPC batch, got ${calls}`)
  }
}

/** Paths whose answers are data or depend on who asks: never stored by a browser or proxy. */
export function noStore() {
  return (_req: Request, res: Response, next: NextFunction) => {
    // A default applied when the headers go out: static files and the API reference's assets set
    // their own Cache-Control, and Remix appends a route's own (setting it here first would send
    // the header twice).
    const writeHead = res.writeHead
    res.writeHead = function writeHeadNoStore(this: Response, ...args: Parameters<Response['writeHead']>) {
      if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', 'no-store')
      return writeHead.apply(this, args)
    } as Response['writeHead']
    next()
  }
}

/** Whether a path belongs to the API (its errors are JSON). */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/readyz' || path === '/healthz'
}

/** Express's error handler of last resort: JSON for API paths, plain text elsewhere, no stack. */
export function lastResortErrors(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(error)
    if (status >= 500) log.error({ err: error, path: req.path }, 'request failed')
    const message = status === 413 ? 'Request body too large' : status < 500 ? 'Bad request' : 'Internal error'
    if (res.headersSent) return void res.end()
    if (isApiPath(req.path)) return sendJsonError(res, status, status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR', message)
    res.status(status).type('text/plain').setHeader('Cache-Control', 'no-store')
    res.send(message)
  }
}

function httpStatusOf(error: unknown): number {
  const status = error && typeof error === 'object' ? ((error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode) : undefined
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500
}

/**
 * Errors Node's HTTP parser raises before a request exists (headers larger than
 * --max-http-header-size, malformed requests): answered as JSON instead of Node's empty 431/400.
 */
export function answerClientErrors(server: Server, log: Logger) {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW'
    const status = tooLarge ? 431 : 400
    const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'
    const body = JSON.stringify(
      errorBody(tooLarge ? 'REQUEST_HEADER_FIELDS_TOO_LARGE' : 'BAD_REQUEST', tooLarge ? 'Request headers (URL and cookies included) are too large' : 'Malformed HTTP request'),
    )
    log.debug({ code: error.code }, 'client error')
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    )
  })
}
