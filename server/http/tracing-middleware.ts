import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api'
import type { RequestHandler } from 'express'
import { extractContext, tracer } from '../tracing.ts'
import { routeLabel, TRPC_ROUTE } from './http-metrics.ts'

/**
 * One SERVER span per HTTP request, named `HTTP <METHOD> <route>` with the route label of the HTTP
 * metrics (http-metrics.ts: a bounded template such as /markets/:market, never an id), continuing
 * the caller's trace when the request carries a W3C `traceparent`. The span is active for everything that handles the request (tRPC, REST, Remix
 * loaders, the bus publishes they make), ends when the response finishes or the connection closes,
 * and is marked failed on a 5xx. The query string is never recorded (it may hold a token or a
 * signature). Probes and scrapes (/healthz, /readyz, /metrics: every few seconds, from the
 * kubelet and Prometheus) make no span. With tracing off this costs a no-op span per request.
 */
export function tracingMiddleware(): RequestHandler {
  return (req, res, next) => {
    const path = req.originalUrl.split('?', 1)[0] ?? '/'
    const route = routeLabel(path)
    if (UNTRACED.has(route)) return next()
    const method = boundedMethod(req.method)
    const attributes: Attributes = {
      'http.request.method': method,
      'http.route': route,
      'url.path': path.length <= MAX_PATH ? path : path.slice(0, MAX_PATH),
      'url.scheme': req.protocol,
    }
    if (route === TRPC_ROUTE) attributes['carbon.trpc.procedures'] = path.slice(TRPC_ROUTE.length + 1, TRPC_ROUTE.length + 1 + MAX_PROCEDURES)
    const parent = extractContext(req.headers)
    const span = tracer().startSpan(`HTTP ${method} ${route}`, { kind: SpanKind.SERVER, attributes }, parent)
    let ended = false
    const end = () => {
      if (ended) return
      ended = true
      const status = res.statusCode
      span.setAttribute('http.response.status_code', status)
      // Set by the request-id middleware, whichever order the two run in.
      const requestId = req.headers['x-request-id']
      if (typeof requestId === 'string') span.setAttribute('http.request.header.x-request-id', [requestId])
      if (!res.writableFinished) span.setAttribute('carbon.http.client_closed', true)
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` })
      span.end()
    }
    res.once('finish', end)
    res.once('close', end)
    context.with(trace.setSpan(parent, span), next)
  }
}

const UNTRACED = new Set(['/healthz', '/readyz', '/metrics'])
const MAX_PATH = 1_000
const MAX_PROCEDURES = 200
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'])

/** The method, or `_OTHER` (the HTTP conventions' bound) for anything outside the standard ones. */
export function boundedMethod(method: string): string {
  const upper = method.toUpperCase()
  return METHODS.has(upper) ? upper : '_OTHER'
}
