import type { AddressInfo } from 'node:net'
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withSpan } from '../tracing.ts'
import { boundedMethod, tracingMiddleware } from './tracing-middleware.ts'

describe('boundedMethod', () => {
  it('keeps the standard methods and bounds the rest', () => {
    expect(boundedMethod('get')).toBe('GET')
    expect(boundedMethod('PROPFIND')).toBe('_OTHER')
  })
})

describe('tracingMiddleware', () => {
  const exporter = new InMemorySpanExporter()
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  let url = ''
  let close: () => Promise<void> = async () => {}

  beforeAll(async () => {
    provider.register({ propagator: new W3CTraceContextPropagator() })
    const app = express()
    app.use(tracingMiddleware())
    app.use((req, _res, next) => {
      req.headers['x-request-id'] = 'req-1'
      next()
    })
    app.get('/markets/:market', (_req, res, next) => {
      // Work the handler does (a bus publish, a query) nests under the request's span.
      withSpan('load market', {}, async () => {}).then(() => res.json({ ok: true }), next)
    })
    app.get('/status', (_req, res) => {
      res.status(503).json({ ok: false })
    })
    app.get('/healthz', (_req, res) => {
      res.json({ ok: true })
    })
    app.post('/api/trpc/:procedures', (_req, res) => {
      res.json([])
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () => new Promise((resolve) => server.close(() => resolve()))
  })
  afterAll(async () => {
    await close()
    await provider.shutdown()
    trace.disable()
    propagation.disable()
    context.disable()
  })

  it("makes a SERVER span named by route template that continues the caller's traceparent, without the query string", async () => {
    exporter.reset()
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736'
    const callerSpan = '00f067aa0ba902b7'
    const res = await fetch(`${url}/markets/MISO?token=secret-value`, { headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` } })
    expect(res.status).toBe(200)
    await res.arrayBuffer()
    const server = await until(() => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER))
    expect(server.name).toBe('HTTP GET /markets/:market')
    expect(server.spanContext().traceId).toBe(callerTrace)
    expect(server.parentSpanContext?.spanId).toBe(callerSpan)
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/markets/:market',
      'url.path': '/markets/MISO',
      'http.response.status_code': 200,
      'http.request.header.x-request-id': ['req-1'],
    })
    expect(JSON.stringify(server.attributes)).not.toContain('secret-value')
    expect(server.status.code).toBe(SpanStatusCode.UNSET)
    const inner = exporter.getFinishedSpans().find((s) => s.name === 'load market')!
    expect(inner.parentSpanContext?.spanId).toBe(server.spanContext().spanId)
  })

  it('starts a new trace without a traceparent and marks a 5xx failed; probes make no span', async () => {
    exporter.reset()
    const probe = await fetch(`${url}/healthz`)
    expect(probe.status).toBe(200)
    await probe.arrayBuffer()
    const res = await fetch(`${url}/status`)
    expect(res.status).toBe(503)
    await res.arrayBuffer()
    const server = await until(() => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER))
    expect(server.name).toBe('HTTP GET /status')
    expect(server.parentSpanContext).toBeUndefined()
    expect(server.status).toEqual({ code: SpanStatusCode.ERROR, message: 'HTTP 503' })
    // The probe answered first; its span (had it made one) would have ended first.
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['HTTP GET /status'])
  })

  it('names tRPC one route whatever the procedures, which go in an attribute', async () => {
    exporter.reset()
    const res = await fetch(`${url}/api/trpc/curves.build,prices.latest?batch=1`, { method: 'POST' })
    await res.arrayBuffer()
    const server = await until(() => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER))
    expect(server.name).toBe('HTTP POST /api/trpc')
    expect(server.attributes['carbon.trpc.procedures']).toBe('curves.build,prices.latest')
  })
})

async function until<T>(find: () => T | undefined): Promise<T> {
  for (;;) {
    const found = find()
    if (found !== undefined) return found
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
