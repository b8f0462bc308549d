import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { MarketId } from '@carbon/schemas'
import { createRequestHandler } from '@remix-run/express'
import type { ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express from 'express'
import type { Logger } from '../logger.ts'
import { metricsHandler, registerQualityGauges } from '../metrics.ts'
import { repoRoot } from '../paths.ts'
import { getPlatform } from '../platform.ts'
import { dataHealth } from '../services/quality/index.ts'
import { DEFAULT_WINDOW_MS } from '../services/quality/schemas.ts'
import { checkReadiness, platformProbes, type Readiness } from '../services/health/index.ts'
import { httpMetrics } from './http-metrics.ts'
import {
  answerClientErrors,
  bodyLimit,
  isUploadPath,
  lastResortErrors,
  noStore,
  sendJsonError,
  trpcBatchLimit,
} from './limits.ts'
import { localObjectsHandler, OBJECTS_ROUTE } from './objects.ts'
import { REST_PATH, restApiHandler } from './rest.ts'
import { sameOriginForms, securityHeaders, validHost } from './security.ts'
import { PRICE_STREAM_PATH, priceStreamHandler } from './stream.ts'
import { TRPC_LIVE_PATH, trpcLiveHandler } from './trpc-live.ts'
import { tracingMiddleware } from './tracing-middleware.ts'

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

export type HttpServerOptions = {
  port: number
  host: string
  dev: boolean
  log: Logger
  /** Handlers mounted before Remix, e.g. the embedded identity provider at /dev-idp. */
  mounts?: { path: string; handler: NodeHandler }[]
  /** The platform's public URL (CSRF origin check, HSTS over https). */
  publicUrl: string
  /** The identity provider's origin, which the sign-in form redirects to. */
  identityOrigin: string
  /** Request size limits (HTTP_BODY_LIMIT_BYTES, HTTP_UPLOAD_LIMIT_BYTES, TRPC_MAX_BATCH); defaults when absent. */
  limits?: { bodyBytes: number; uploadBytes: number; trpcMaxBatch: number }
}

const DEFAULT_LIMITS = { bodyBytes: 1024 * 1024, uploadBytes: 2 * 1024 * 1024, trpcMaxBatch: 10 }

/** /readyz: every store asked at once; 503 naming each store's state when one does not answer. */
async function readiness(): Promise<Readiness | { ok: false; platform: { ok: false; error: string } }> {
  let platform
  try {
    platform = await getPlatform()
  } catch (error) {
    return { ok: false, platform: { ok: false, error: error instanceof Error ? error.name : 'failed' } }
  }
  return checkReadiness(platformProbes(platform))
}

export type RunningServer = {
  url: string
  port: number
  close(): Promise<void>
}

/** Per-request values handed to Remix loaders and actions. */
export type LoadContext = { requestId: string; signal: AbortSignal; clientAddress: string | null; cspNonce: string }

declare module '@remix-run/node' {
  // Declaration merging: Remix's AppLoadContext gains the fields of LoadContext.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends LoadContext {}
}

const swaggerUiDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

async function remixBuildLoader(dev: boolean, app: express.Express): Promise<() => Promise<ServerBuild>> {
  if (dev) {
    const vite = await import('vite')
    const server = await vite.createServer({ root: repoRoot, server: { middlewareMode: true } })
    app.use(server.middlewares)
    return () => server.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>
  }
  const buildPath = path.join(repoRoot, 'build/server/index.js')
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild
  app.use('/assets', express.static(path.join(repoRoot, 'build/client/assets'), { immutable: true, maxAge: '1y' }))
  app.use(express.static(path.join(repoRoot, 'build/client'), { maxAge: '1h' }))
  return async () => build
}

/**
 * The web process: Express in front of Remix (hub pages, tRPC, REST, OpenAPI). Express rather than
 * remix-serve so each request gets an AbortSignal that fires when its socket closes (STACK.md:
 * streams leak under remix-serve).
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const { log } = options
  const app = express()
  app.disable('x-powered-by')
  app.use(httpMetrics())
  app.use(tracingMiddleware())
  app.use(compression({ filter: (req, res) => res.getHeader('Content-Type') !== 'text/event-stream' && compression.filter(req, res) }))

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id')
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID()
    req.headers['x-request-id'] = requestId
    res.setHeader('X-Request-Id', requestId)
    const started = performance.now()
    // Read now: a handler mounted at a path (REST_PATH) leaves req.path relative to it.
    const requestPath = req.path
    res.once('finish', () => {
      const ms = Math.round(performance.now() - started)
      const line = { requestId, method: req.method, path: requestPath, status: res.statusCode, ms }
      if (res.statusCode >= 500) log.error(line, 'request failed')
      else log.debug(line, 'request')
    })
    next()
  })

  const publicOrigin = new URL(options.publicUrl).origin
  app.use(
    securityHeaders({
      dev: options.dev,
      https: publicOrigin.startsWith('https:'),
      formActionOrigins: options.identityOrigin === publicOrigin ? [] : [options.identityOrigin],
      publicOrigin,
    }),
  )
  app.use(validHost())
  app.use(sameOriginForms({ publicOrigin, exempt: ['/api/v1', ...(options.mounts ?? []).map((m) => m.path)] }))
  const limits = options.limits ?? DEFAULT_LIMITS
  app.use(bodyLimit({ defaultBytes: limits.bodyBytes, upload: { bytes: limits.uploadBytes, matches: isUploadPath } }))
  app.use(trpcBatchLimit(limits.trpcMaxBatch))
  // Every answer but static files (which set their own) is personal or live data: never cached.
  app.use(noStore())

  // Liveness: the process answers. No store is asked (a store outage must not restart the pod).
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true })
  })
  // Readiness: PostgreSQL, ClickHouse, the bus and the object store each answer within 2 s.
  app.get('/readyz', (_req, res, next) => {
    readiness()
      .then((state) => res.status(state.ok ? 200 : 503).json(state))
      .catch(next)
  })
  app.use('/api/docs/assets', express.static(swaggerUiDir, { maxAge: '1d', index: false }))

  // Prometheus: GET /metrics with `Authorization: Bearer <METRICS_TOKEN>` (the platform's env,
  // read per request; 404 while unset). The data-quality gauges read the process's platform.
  registerQualityGauges(
    async () => {
      const platform = await getPlatform()
      return dataHealth(platform.ch, platform.pg.db, { markets: [...MarketId.options], now: new Date(), window: DEFAULT_WINDOW_MS })
    },
    { log },
  )
  app.get('/metrics', metricsHandler({ token: async () => (await getPlatform()).env.METRICS_TOKEN, log }))
  for (const mount of options.mounts ?? []) app.use(mount.path, (req, res) => mount.handler(req, res))
  // Live prices of the REST API as Server-Sent Events: a plain handler that owns its socket.
  app.get(PRICE_STREAM_PATH, priceStreamHandler({ log }))
  // The REST procedures, with a handler built once (rest.ts); other /api/v1 paths go on to Remix.
  app.use(REST_PATH, restApiHandler())
  // The hub's and the SDK's live subscription (tRPC's SSE protocol), written with shared payloads.
  app.get(TRPC_LIVE_PATH, trpcLiveHandler({ log }))
  // Signed downloads of the local object store (exports, reports); 404 when the store is S3 (S3 serves its own links).
  app.get(OBJECTS_ROUTE, localObjectsHandler({ log }))

  const getBuild = await remixBuildLoader(options.dev, app)
  // API paths no route serves answer JSON, not the hub's HTML 404 page.
  app.all(/^\/api(?!\/(trpc|v1|docs|openapi\.json)(\/|$|\.|\?))/, (req, res) => {
    sendJsonError(res, 404, 'NOT_FOUND', `No API endpoint at ${req.path.slice(0, 200)}`)
  })
  app.all(
    '*',
    createRequestHandler({
      build: getBuild,
      mode: options.dev ? 'development' : 'production',
      getLoadContext(req, res): LoadContext {
        const controller = new AbortController()
        res.once('close', () => controller.abort())
        return {
          requestId: String(req.headers['x-request-id']),
          signal: controller.signal,
          clientAddress: req.socket.remoteAddress ?? null,
          cspNonce: String(res.locals.cspNonce ?? ''),
        }
      },
    }),
  )

  app.use(lastResortErrors(log))

  const server = app.listen(options.port, options.host)
  answerClientErrors(server, log)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://localhost:${port}`
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
