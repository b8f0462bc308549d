import type { NextFunction, Request, Response } from 'express'
import { metrics } from '../metrics.ts'

/**
 * carbon_http_requests_total{method,route,code} and carbon_http_request_duration_seconds{method,route}
 * for every request the web process answers, counted once when the response ends (or the
 * connection closes first).
 *
 * `route` is a template from a fixed list, never the raw path: an id, a node name or a query
 * string in the URL must not mint a new series (Prometheus keeps every label combination). A path
 * no template matches is `other`. Remix's single-fetch data requests (`/markets/MISO.data`,
 * `/_root.data`) count under their page's template. tRPC is `/api/trpc` whatever the procedure
 * (batched calls name several in the path), except the live subscription, whose open-for-minutes
 * streams would swamp the latency histogram of ordinary calls.
 */

/**
 * Every route the web process serves, as a template (`:name` = one path segment). Exact paths are
 * looked up first, so `/scenarios/new` is itself, not `/scenarios/:id`. Kept in step with
 * app/routes and the OpenAPI document by http-metrics.test.ts.
 */
export const ROUTE_TEMPLATES: readonly string[] = [
  // Process endpoints.
  '/healthz',
  '/readyz',
  '/metrics',
  // Hub pages and resource routes (app/routes).
  '/',
  '/admin',
  '/admin/audit',
  '/admin/audit.csv',
  '/admin/entitlements',
  '/admin/organizations',
  '/admin/tokens',
  '/admin/users',
  '/auth/callback',
  '/auth/login',
  '/auth/logout',
  '/backtest',
  '/compliance',
  '/compliance/:program',
  '/curves',
  '/curves/:market/:node',
  '/curves/:market/:node/build',
  '/curves/:market/:node/csv',
  '/data-health',
  '/downloads',
  '/downloads/jobs',
  '/downloads/:id',
  '/downloads/reports/:id',
  // Gas, LNG, LCFS, RECs (docs/decisions/023). A `/gas/<SERIES>.csv` download counts under its page's
  // template: a parameter takes its whole segment here, so `:series.csv` cannot be told from `:series`.
  '/gas',
  // Forward gas and LNG basis curves (docs/decisions/024), before `/gas/:series` would take `/gas/curves`.
  '/gas/curves',
  '/gas/curves/:curve',
  '/gas/:series',
  '/lcfs',
  '/lcfs.csv',
  '/lcfs-monthly.csv',
  '/lng',
  '/lng.csv',
  '/lng/curves',
  '/lng/curves/:curve',
  '/recs',
  '/recs/template',
  '/recs/:series',
  '/markets',
  '/markets/:market',
  '/markets/:market/capacity.csv',
  '/markets/:market/nodes',
  '/markets/:market/nodes/:node',
  '/markets/:market/nodes/:node/csv',
  '/nodes',
  '/reports',
  '/reports/curve.pdf',
  '/reports/fuels.pdf',
  '/reports/market-summary.pdf',
  '/reports/scenario.pdf',
  '/reports/:kind',
  '/scenarios',
  '/scenarios/compare',
  '/scenarios/new',
  '/scenarios/:id',
  '/scenarios/runs/:runId',
  '/settings/tokens',
  '/status',
  // Remix's route discovery (lazy route manifest).
  '/__manifest',
  // API documents.
  '/api/docs',
  '/api/docs/init.js',
  '/api/openapi.json',
  // REST (/api/v1: the OpenAPI document's paths, the live stream, the reports).
  '/api/v1/backtest',
  '/api/v1/compliance/entries',
  '/api/v1/compliance/entries/remove',
  '/api/v1/compliance/positions',
  '/api/v1/curves',
  '/api/v1/curves/build',
  '/api/v1/curves/compare',
  '/api/v1/curves/history',
  '/api/v1/curves/points',
  '/api/v1/exports',
  '/api/v1/exports/estimate',
  '/api/v1/exports/:id',
  '/api/v1/exports/:id/cancel',
  '/api/v1/fuel-curves',
  '/api/v1/fuel-curves/build',
  '/api/v1/fuel-curves/points',
  '/api/v1/markets',
  '/api/v1/nodes',
  '/api/v1/prices/history',
  '/api/v1/prices/latest',
  '/api/v1/reports/curve.pdf',
  '/api/v1/reports/fuels.pdf',
  '/api/v1/reports/market-summary.pdf',
  '/api/v1/reports/scenario.pdf',
  '/api/v1/reports/:kind',
  '/api/v1/scenario-runs',
  '/api/v1/scenario-runs/diff',
  '/api/v1/scenario-runs/:runId',
  '/api/v1/scenario-runs/:runId/results',
  '/api/v1/scenarios',
  '/api/v1/scenarios/fleet-check',
  '/api/v1/scenarios/validate',
  '/api/v1/scenarios/:id',
  '/api/v1/scenarios/:id/runs',
  '/api/v1/series',
  '/api/v1/series/basis',
  '/api/v1/series/history',
  '/api/v1/series/upload',
  '/api/v1/stream/prices',
]

/** Path prefixes (the folder itself included) counted as one route: static files, signed downloads, the development identity provider. */
const PREFIX_ROUTES: readonly (readonly [prefix: string, route: string])[] = [
  ['/assets/', '/assets'],
  ['/api/docs/assets/', '/api/docs/assets'],
  ['/objects/', '/objects'],
  ['/dev-idp/', '/dev-idp'],
]

export const TRPC_ROUTE = '/api/trpc'
/** tRPC procedures with a route of their own: long-lived subscriptions. */
const TRPC_OWN_ROUTES = new Set(['prices.live'])

export const OTHER_ROUTE = 'other'

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

const exactRoutes = new Set(ROUTE_TEMPLATES.filter((t) => !t.includes(':')))
const paramRoutes = ROUTE_TEMPLATES.filter((t) => t.includes(':')).map((template) => ({
  template,
  pattern: new RegExp(`^${template.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`),
}))

/** The bounded route label of a request path (no query string): a template of ROUTE_TEMPLATES, a prefix route, /api/trpc or `other`. */
export function routeLabel(pathname: string): string {
  let p = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname
  if (p === '') p = '/'
  if (p === TRPC_ROUTE || p.startsWith(`${TRPC_ROUTE}/`)) {
    const procedure = p.slice(TRPC_ROUTE.length + 1)
    return TRPC_OWN_ROUTES.has(procedure) ? `${TRPC_ROUTE}/${procedure}` : TRPC_ROUTE
  }
  for (const [prefix, route] of PREFIX_ROUTES) if (p.startsWith(prefix) || p === route) return route
  // Single fetch: a page's loader data is `<page>.data`; the root page's is `/_root.data`.
  if (p.endsWith('.data')) p = p === '/_root.data' ? '/' : p.slice(0, -'.data'.length)
  if (exactRoutes.has(p)) return p
  for (const { template, pattern } of paramRoutes) if (pattern.test(p)) return template
  return OTHER_ROUTE
}

/** The request's method, or `other` for one outside the usual set (any string could be sent). */
export function methodLabel(method: string | undefined): string {
  const upper = (method ?? '').toUpperCase()
  return HTTP_METHODS.has(upper) ? upper : 'other'
}

/** Status code 499 (as nginx logs it): the client closed the connection before any answer was sent. */
export const CLIENT_CLOSED = '499'

/**
 * Express middleware (mount first, so every answer is counted, refusals by later middleware too):
 * counts the request and observes its duration when the response has finished or its connection
 * closed, whichever comes first.
 */
export function httpMetrics() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now()
    const method = methodLabel(req.method)
    const route = routeLabel((req.originalUrl || req.url).split('?')[0] ?? '/')
    let counted = false
    const count = () => {
      if (counted) return
      counted = true
      const code = res.headersSent ? String(res.statusCode) : CLIENT_CLOSED
      metrics.httpRequests.inc({ method, route, code })
      metrics.httpRequestDuration.observe({ method, route }, (performance.now() - started) / 1000)
    }
    res.once('finish', count)
    res.once('close', count)
    next()
  }
}
