import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Env } from '../env.ts'
import type { Logger } from '../logger.ts'
import { metricsHandler } from '../metrics.ts'
import type { Platform } from '../platform.ts'
import { checkReadiness, platformProbes } from '../services/health/index.ts'

/**
 * A sidecar's own HTTP listener (`carbon ingest`, `consumer`, `solver`, `scenario-worker`,
 * `export-worker`), on METRICS_PORT: what the web process serves on its port for Kubernetes and
 * Prometheus, and nothing else.
 *   GET /healthz  200 {"ok":true} while the process runs (liveness: no store is asked);
 *   GET /readyz   200 or 503 with each store's state (the web's readiness check, same JSON; 503
 *                 while the platform is not open yet, e.g. the consumer waiting for ClickHouse);
 *   GET /metrics  the process's registry with `Authorization: Bearer <METRICS_TOKEN>` (404 while unset);
 *   anything else 404.
 * Plain node:http rather than Express: three fixed paths, and a sidecar loads no web stack.
 */

export type ProbedPlatform = Pick<Platform, 'pg' | 'ch' | 'bus' | 'objects'>

export type WorkerHttpOptions = {
  env: Pick<Env, 'METRICS_TOKEN' | 'HOST' | 'NODE_ENV'>
  /**
   * The process's platform, or null while it is not open: the listener starts first, so liveness
   * holds while a sidecar waits for its stores.
   */
  platform: () => ProbedPlatform | null
  /** METRICS_PORT; 0 = a free port (the bound one is `port` of the result). */
  port: number
  /** Default: env.HOST (0.0.0.0: the kubelet and Prometheus reach the pod's address). */
  host?: string
  log: Logger
}

export type WorkerHttp = {
  port: number
  url: string
  close(): Promise<void>
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void

function sendJson(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.end(head ? undefined : JSON.stringify(body))
}

function probeHandler(answer: () => Promise<{ status: number; body: unknown }>): Handler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return sendJson(res, 405, { error: 'method not allowed' }, false)
    }
    const { status, body } = await answer()
    sendJson(res, status, body, req.method === 'HEAD')
  }
}

function routes(options: WorkerHttpOptions): Map<string, Handler> {
  const { env, log } = options
  return new Map<string, Handler>([
    ['/healthz', probeHandler(async () => ({ status: 200, body: { ok: true } }))],
    [
      '/readyz',
      probeHandler(async () => {
        const platform = options.platform()
        // The web's answer when its platform cannot be had (server.ts readiness).
        if (!platform) return { status: 503, body: { ok: false, platform: { ok: false, error: 'starting' } } }
        const state = await checkReadiness(platformProbes(platform))
        return { status: state.ok ? 200 : 503, body: state }
      }),
    ],
    ['/metrics', metricsHandler({ token: () => env.METRICS_TOKEN, log })],
  ])
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

/**
 * Starts the listener. Resolves once it listens; rejects when the port cannot be bound, except
 * outside production where a port in use (several sidecars run side by side on one machine, as in
 * development and the tests) falls back to a free port, said in a warning with the port taken.
 */
export async function startWorkerHttp(options: WorkerHttpOptions): Promise<WorkerHttp> {
  const { log } = options
  const host = options.host ?? options.env.HOST
  const table = routes(options)
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    const handler = table.get(path)
    if (!handler) return sendJson(res, 404, { error: 'not found' }, false)
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      log.error({ err: error, path }, 'worker http: request failed')
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' }, false)
      else res.destroy()
    })
  })
  // Probes and scrapes are short: a stuck client must not hold the process's shutdown.
  server.requestTimeout = 10_000
  server.headersTimeout = 10_000
  try {
    await listen(server, options.port, host)
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    if (!inUse || options.port === 0 || options.env.NODE_ENV === 'production') throw error
    await listen(server, 0, host)
    log.warn({ wanted: options.port, port: (server.address() as AddressInfo).port }, 'METRICS_PORT is in use: health and metrics listen on a free port instead (set METRICS_PORT to choose)')
  }
  const port = (server.address() as AddressInfo).port
  log.info({ port }, 'health and metrics listening (/healthz, /readyz, /metrics)')
  let closing: Promise<void> | null = null
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })),
  }
}
