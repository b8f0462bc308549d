import type { NextFunction, Request, Response } from 'express'
import { createOpenApiHttpHandler, forEachOpenApiProcedure, getPathRegExp, normalizePath } from 'trpc-to-openapi'
import { createContext } from '../trpc/context.ts'
import { sendJsonError } from './limits.ts'
import { sharedAnswerEtag, sharedAnswerGzip, sharedAnswerJson } from '../trpc/shared-answers.ts'
import { appRouter } from '../trpc/root.ts'
import type { Context } from '../trpc/trpc.ts'

/** Where the public REST API is mounted (trpc-to-openapi serves every procedure with `meta.openapi`). */
export const REST_PATH = '/api/v1'

/**
 * The public REST API as an Express handler in front of Remix, built once per process.
 *
 * Why not the Remix route (app/routes/api.v1.$.ts) with trpc-to-openapi's fetch adapter: that
 * adapter builds its request handler on every call, and building it indexes every procedure and,
 * outside NODE_ENV=production, generates the whole OpenAPI document to validate the router: about
 * 20 ms of a 2-core machine per request, most of an authenticated call's cost (bench:api's profile).
 * Here the same handler (the same procedures, middleware, errors and headers) is built once.
 *
 * A path no REST procedure serves goes on (next): the report files under /api/v1/reports are Remix
 * routes, and the Remix catch-all answers anything else with trpc-to-openapi's JSON 404.
 */
export function restApiHandler(): (req: Request, res: Response, next: NextFunction) => void {
  const handle = createOpenApiHttpHandler({
    router: appRouter,
    createContext: ({ req, res }) => {
      const shared = sharedBodies.get(res as unknown as Response)
      return createContext(req as unknown as globalThis.Request, {
        endpoint: 'rest',
        clientAddress: (res as unknown as Response).req.socket.remoteAddress ?? null,
        sendShared: shared?.send,
        heldByCaller: shared?.heldByCaller,
      })
    },
    // A plain object: trpc-to-openapi copies headers with Object.entries.
    responseMeta: ({ ctx }) => ({ headers: Object.fromEntries((ctx as Context | undefined)?.responseHeaders ?? []) }),
  })
  const serves = restRoutes()
  return (req, res, next) => {
    // Mounted at REST_PATH: req.url is the rest of the path, as the REST handler wants it.
    if (!serves(req.method, req.path)) return next()
    sharedBodies.set(res, sharedBody(req, res))
    readJsonBody(req)
      .then((body) => {
        if (body.ok) return handle(req, res)
        sendJsonError(res, 400, 'PARSE_ERROR', `The request body is not valid JSON: ${body.reason}`)
      })
      .catch(next)
  }
}

/** Per response: how a procedure hands over a shared answer (Context.sendShared), and whether the caller holds it already (Context.heldByCaller). */
type SharedBody = { send(answer: object): Promise<void>; heldByCaller(answer: object): boolean }
const sharedBodies = new WeakMap<Response, SharedBody>()

/** Below this a shared answer goes out uncompressed (gzip would save next to nothing). */
const GZIP_MIN_BYTES = 1024

/**
 * Lets a shared answer (server/trpc/shared-answers.ts) be the response's body as serialized once
 * for every caller: the REST adapter serializes `null` instead and ends the response with that
 * text, which is replaced here by the answer's bytes. Only a 200 takes them: an error found after
 * the answer was handed over (none is expected) still goes out as the adapter's error body.
 * The answer carries an ETag (its hash) with `Cache-Control: private, no-cache`: a client may keep
 * it but asks again every time (every call passes the gate, and is audited), and a client that
 * sends the ETag back in If-None-Match gets a 304 without the body. A client that accepts gzip gets
 * the answer's gzip, also compressed once (the compression middleware leaves an encoded body be).
 */
function sharedBody(req: Request, res: Response): SharedBody {
  let body: { bytes: Buffer | null; etag: string; gzip: boolean } | undefined
  const end = res.end.bind(res) as (...args: unknown[]) => Response
  res.end = ((...args: unknown[]) => {
    if (!body || res.statusCode !== 200) return end(...args)
    res.setHeader('ETag', body.etag)
    res.setHeader('Cache-Control', 'private, no-cache')
    res.setHeader('Vary', 'Accept-Encoding')
    if (!body.bytes) {
      res.statusCode = 304
      res.removeHeader('Content-Type')
      return end()
    }
    if (body.gzip) res.setHeader('Content-Encoding', 'gzip')
    return end(body.bytes)
  }) as Response['end']
  const heldByCaller = (answer: object) => matchesEtag(req.headers['if-none-match'], sharedAnswerEtag(answer))
  return {
    heldByCaller,
    async send(answer) {
      const etag = sharedAnswerEtag(answer)
      if (heldByCaller(answer)) {
        body = { bytes: null, etag, gzip: false }
        return
      }
      const json = sharedAnswerJson(answer)
      const gzip = json.length >= GZIP_MIN_BYTES && acceptsGzip(req)
      body = { bytes: gzip ? await sharedAnswerGzip(answer) : json, etag, gzip }
    },
  }
}

/** Whether an If-None-Match header names this ETag (or is `*`). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false
  return header.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '')
    return value === '*' || value === etag
  })
}

function acceptsGzip(req: Request): boolean {
  return req.acceptsEncodings('gzip', 'identity') === 'gzip'
}

/**
 * Reads a JSON body and leaves its text on req.body, where the handler takes it from; a body that
 * does not parse is refused here with a 400 (the handler would answer a JSON syntax error with a
 * 500). bodyLimit has already refused a body without a length or over the limit. Other methods
 * and content types pass unread.
 */
async function readJsonBody(req: Request): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (req.method === 'GET' || req.method === 'HEAD' || !req.is('application/json')) return { ok: true }
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  try {
    JSON.parse(text)
  } catch (error) {
    return { ok: false, reason: (error as Error).message.slice(0, 200) }
  }
  req.body = text
  return { ok: true }
}

/** Whether a REST procedure answers this method and path (the paths of the procedures' `meta.openapi`). */
function restRoutes(): (method: string, path: string) => boolean {
  const routes = new Map<string, RegExp[]>()
  forEachOpenApiProcedure(appRouter._def.procedures, ({ procedure, meta: { openapi } }) => {
    if (procedure._def.type === 'subscription') return
    const list = routes.get(openapi.method) ?? []
    list.push(getPathRegExp(normalizePath(openapi.path)))
    routes.set(openapi.method, list)
  })
  return (method, path) => (routes.get(method.toUpperCase()) ?? []).some((pattern) => pattern.test(normalizePath(path)))
}
