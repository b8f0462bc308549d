import { readdir } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCAL_OBJECTS_PATH } from '../adapters/objects/local.ts'
import { metrics } from '../metrics.ts'
import { repoRoot } from '../paths.ts'
import { DEV_IDP_PATH } from '../services/auth/config.ts'
import { getOpenApiDocument } from '../trpc/openapi.ts'
import { CLIENT_CLOSED, httpMetrics, OTHER_ROUTE, routeLabel, TRPC_ROUTE } from './http-metrics.ts'
import { PRICE_STREAM_PATH } from './stream.ts'
import { TRPC_LIVE_PATH } from './trpc-live.ts'

/*
 * The middleware in front of a real Express app on a loopback port, asked with fetch; the counters
 * read back from the process registry. The route table is checked against the app's route files
 * and the OpenAPI document, so a new page or endpoint without a template fails here.
 */

let server: Server
let base = ''
/** The hanging handler's request: `received` when it arrived, `closed` when its connection closed. */
let hanging = deferredRequest()

function deferredRequest() {
  let arrived = () => {}
  let ended = () => {}
  const received = new Promise<void>((resolve) => (arrived = resolve))
  const closed = new Promise<void>((resolve) => (ended = resolve))
  return { received, closed, arrived, ended }
}

beforeAll(async () => {
  const app = express()
  app.use(httpMetrics())
  app.get('/api/v1/exports/:id', (req, res) => void res.json({ id: req.params.id }))
  app.get('/markets/:market/nodes/:node', (_req, res) => void res.send('<html></html>'))
  app.post('/api/trpc/*', (_req, res) => void res.json([]))
  app.get('/hang', (_req, res) => {
    // Never answers; `closed` after the middleware's own close listener has run.
    res.once('close', () => setImmediate(hanging.ended))
    hanging.arrived()
  })
  app.use((_req, res) => void res.status(404).send('not found'))
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', resolve)
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

async function count(labels: Record<string, string>): Promise<number> {
  const { values } = await metrics.httpRequests.get()
  return values.find((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))?.value ?? 0
}

async function routesOf(metric: 'requests' | 'duration'): Promise<Set<string>> {
  const { values } = await (metric === 'requests' ? metrics.httpRequests : metrics.httpRequestDuration).get()
  return new Set(values.map((v) => String((v.labels as Record<string, unknown>).route)))
}

describe('httpMetrics middleware', () => {
  it('counts requests by method, route template and code; ids and query strings never become labels', async () => {
    const labels = { method: 'GET', route: '/api/v1/exports/:id', code: '200' }
    const before = await count(labels)
    for (const id of ['0b1c7a8e-0000-4000-8000-000000000001', '0b1c7a8e-0000-4000-8000-000000000002', 'x?secret=1']) {
      const res = await fetch(`${base}/api/v1/exports/${encodeURIComponent(id)}?token=abc&n=${id}`)
      expect(res.status).toBe(200)
      await res.arrayBuffer()
    }
    expect(await count(labels)).toBe(before + 3)

    const node = await fetch(`${base}/markets/MISO/nodes/${encodeURIComponent('INDIANA.HUB')}`)
    await node.arrayBuffer()
    expect(await count({ method: 'GET', route: '/markets/:market/nodes/:node', code: '200' })).toBeGreaterThanOrEqual(1)

    const trpc = await fetch(`${base}/api/trpc/prices.latest,nodes.search?batch=1`, { method: 'POST', body: '{}' })
    await trpc.arrayBuffer()
    expect(await count({ method: 'POST', route: TRPC_ROUTE, code: '200' })).toBeGreaterThanOrEqual(1)

    const missing = await fetch(`${base}/wp-admin/setup-config.php?step=1`)
    expect(missing.status).toBe(404)
    await missing.arrayBuffer()
    expect(await count({ method: 'GET', route: OTHER_ROUTE, code: '404' })).toBeGreaterThanOrEqual(1)

    const odd = await fetch(`${base}/api/v1/exports/1`, { method: 'PROPFIND' })
    await odd.arrayBuffer()
    expect(await count({ method: 'other', route: '/api/v1/exports/:id', code: '404' })).toBe(1)

    for (const metric of ['requests', 'duration'] as const) {
      const routes = [...(await routesOf(metric))]
      expect(routes.filter((r) => /[0-9a-f]{8}-|INDIANA|secret|\?|wp-admin/i.test(r)), metric).toEqual([])
    }
    const { values } = await metrics.httpRequestDuration.get()
    const exportCount = values.find((v) => v.metricName === 'carbon_http_request_duration_seconds_count' && v.labels.route === '/api/v1/exports/:id' && v.labels.method === 'GET')
    expect(exportCount?.value).toBeGreaterThanOrEqual(3)
  })

  it(`counts a request whose client went away before any answer as ${CLIENT_CLOSED}`, async () => {
    const labels = { method: 'GET', route: OTHER_ROUTE, code: CLIENT_CLOSED }
    const before = await count(labels)
    hanging = deferredRequest()
    const controller = new AbortController()
    const pending = fetch(`${base}/hang`, { signal: controller.signal }).catch((error: unknown) => error)
    await hanging.received
    expect(await count(labels)).toBe(before)
    controller.abort()
    expect(await pending).toBeInstanceOf(Error)
    await hanging.closed
    expect(await count(labels)).toBe(before + 1)
  })
})

describe('routeLabel', () => {
  it('maps paths to their templates, prefixes and single-fetch data requests', () => {
    const cases: Record<string, string> = {
      '/': '/',
      '/_root.data': '/',
      '/markets/MISO.data': '/markets/:market',
      '/markets/CAISO/nodes/TH_NP15_GEN-APND.data': '/markets/:market/nodes/:node',
      '/markets/MISO/nodes/ARKANSAS.HUB/csv': '/markets/:market/nodes/:node/csv',
      '/scenarios/new': '/scenarios/new',
      '/scenarios/3f1c2a7e-1111-4222-8333-444455556666': '/scenarios/:id',
      '/reports/market-summary.pdf': '/reports/market-summary.pdf',
      '/reports/curve': '/reports/:kind',
      '/api/v1/reports/scenario': '/api/v1/reports/:kind',
      '/api/v1/exports/estimate': '/api/v1/exports/estimate',
      '/api/v1/scenario-runs/r-abc/results': '/api/v1/scenario-runs/:runId/results',
      '/api/v1/unknown/thing': OTHER_ROUTE,
      '/api/trpc': TRPC_ROUTE,
      '/api/trpc/curves.get,curves.history': TRPC_ROUTE,
      [TRPC_LIVE_PATH]: TRPC_LIVE_PATH,
      [PRICE_STREAM_PATH]: PRICE_STREAM_PATH,
      '/assets/root-AbCd123.js': '/assets',
      '/api/docs/assets/swagger-ui.css': '/api/docs/assets',
      [`${LOCAL_OBJECTS_PATH}/exports/org/job/prices.csv`]: '/objects',
      [`${DEV_IDP_PATH}/auth/abc`]: '/dev-idp',
      [DEV_IDP_PATH]: '/dev-idp',
      '/dev-idpx': OTHER_ROUTE,
      '/status/': '/status',
      '/favicon.svg': OTHER_ROUTE,
    }
    for (const [p, want] of Object.entries(cases)) expect(routeLabel(p), p).toBe(want)
  })

  it('has a template for every route file of the hub (app/routes)', async () => {
    // api.v1.$ is the REST API's splat: its paths are the OpenAPI document's, checked below.
    const files = (await readdir(path.join(repoRoot, 'app/routes'))).filter((f) => /\.(tsx?)$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.startsWith('api.v1.$.'))
    expect(files.length).toBeGreaterThan(20)
    const unmatched: string[] = []
    for (const file of files) {
      // Remix flat routes: `.` separates segments, `[.]` is a dot, `$x` a parameter, `_index` the index, a trailing `_` opts out of nesting, `$` alone a splat.
      const segments = file
        .replace(/\.tsx?$/, '')
        .replaceAll('[.]', '~')
        .split('.')
        .filter((s) => s !== '_index')
        .map((s) => s.replaceAll('~', '.').replace(/_$/, ''))
      const sample = `/${segments.map((s) => (s === '$' ? 'any/thing' : s.startsWith('$') ? 'sample-value' : s)).join('/')}`
      if (routeLabel(sample) === OTHER_ROUTE) unmatched.push(`${file} (${sample})`)
    }
    expect(unmatched).toEqual([])
  })

  it('has a template for every path of the OpenAPI document', () => {
    const paths = Object.keys(getOpenApiDocument('http://localhost/api/v1').paths ?? {})
    expect(paths.length).toBeGreaterThan(10)
    const unmatched = paths.map((p) => `/api/v1${p.replace(/\{[^}]+\}/g, 'sample-value')}`).filter((p) => routeLabel(p) === OTHER_ROUTE)
    expect(unmatched).toEqual([])
  })
})
