import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { context, trace } from '@opentelemetry/api'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver } from '../tests/tracing/otlp-receiver.ts'
import { repoRoot } from './paths.ts'
import { extractContext, injectContext, parseOtlpHeaders, startTracing, tracer, tracesUrl, withSpan } from './tracing.ts'

function memoryLogger() {
  let text = ''
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8')
      callback()
    },
  })
  return { log: pino({ level: 'debug' }, stream), text: () => text }
}

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('starts nothing: null, spans do not record, no header is injected', async () => {
    const { log } = memoryLogger()
    expect(await startTracing({ env: {}, command: 'serve', log })).toBeNull()
    const span = tracer().startSpan('nothing')
    expect(span.isRecording()).toBe(false)
    const headers = injectContext({}, trace.setSpan(context.active(), span))
    expect(headers).toEqual({})
    expect(await withSpan('quiet', {}, async (s) => s.isRecording())).toBe(false)
  })
})

describe('OTLP headers and endpoint', () => {
  it('parses k=v,k2=v2 with percent-decoding, skipping malformed entries', () => {
    expect(parseOtlpHeaders('api-key=abc%20def, x-tenant = carbon ,broken,=novalue,k=a=b')).toEqual({ 'api-key': 'abc def', 'x-tenant': 'carbon', k: 'a=b' })
    expect(parseOtlpHeaders(undefined)).toEqual({})
  })

  it('appends /v1/traces to the base endpoint, with or without a trailing slash', () => {
    expect(tracesUrl('http://otel-collector:4318')).toBe('http://otel-collector:4318/v1/traces')
    expect(tracesUrl('http://otel-collector:4318/')).toBe('http://otel-collector:4318/v1/traces')
  })
})

describe('tracing on, exporting to an OTLP/HTTP receiver', () => {
  let receiver: OtlpReceiver
  beforeAll(async () => {
    receiver = await startOtlpReceiver()
  })
  afterAll(async () => {
    await receiver?.close()
  })

  it('exports nested spans with the service resource and the configured headers, flushed by shutdown; never logs the headers', async () => {
    const logger = memoryLogger()
    const tracing = await startTracing({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr3t-key%21' },
      command: 'unit',
      log: logger.log,
    })
    expect(tracing?.serviceName).toBe('carbon-unit')

    let injected: Record<string, string> = {}
    await withSpan('outer', { 'carbon.test': 'yes' }, async () => {
      injected = injectContext({})
      await expect(
        withSpan('inner', {}, async () => {
          throw new Error('inner failed')
        }),
      ).rejects.toThrow('inner failed')
    })
    // A context carried in headers (a message, a request) parents a span in another place.
    await context.with(extractContext(injected), () => withSpan('continued', {}, async () => {}))
    await tracing!.shutdown()

    const spans = receiver.spans()
    const outer = spans.find((s) => s.name === 'outer')!
    const inner = spans.find((s) => s.name === 'inner')!
    const continued = spans.find((s) => s.name === 'continued')!
    expect(outer).toMatchObject({ parentSpanId: '', kind: SPAN_KIND.internal, serviceName: 'carbon-unit', attributes: { 'carbon.test': 'yes' } })
    const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
    expect(outer.resource['service.version']).toBe(version)
    expect(inner).toMatchObject({ traceId: outer.traceId, parentSpanId: outer.spanId, status: { code: 2, message: 'inner failed' } })
    expect(continued).toMatchObject({ traceId: outer.traceId, parentSpanId: outer.spanId })
    expect(injected.traceparent).toBe(`00-${outer.traceId}-${outer.spanId}-01`)
    expect(receiver.requests().every((h) => h['x-api-key'] === 's3cr3t-key!')).toBe(true)
    expect(logger.text()).toContain('tracing: exporting spans over OTLP/HTTP')
    expect(logger.text()).not.toContain('s3cr3t')

    // Stopped: back to the no-op API.
    expect(tracer().startSpan('after').isRecording()).toBe(false)
    await tracing!.shutdown()
  })

  it('names the service from OTEL_SERVICE_NAME when set', async () => {
    const { log } = memoryLogger()
    const tracing = await startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.endpoint}/`, OTEL_SERVICE_NAME: 'carbon-web-eu' }, command: 'serve', log })
    await withSpan('named', {}, async () => {})
    await tracing!.shutdown()
    expect(receiver.spans().find((s) => s.name === 'named')?.serviceName).toBe('carbon-web-eu')
  })
})
