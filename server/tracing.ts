import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type DiagLogger,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api'
import type { Env } from './env.ts'
import type { Logger } from './logger.ts'
import { repoRoot } from './paths.ts'

/**
 * OpenTelemetry tracing (OTLP/HTTP to a collector), off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
 *
 * Spans are made by our code only (no auto-instrumentation): the HTTP middleware
 * (server/http/tracing-middleware.ts) makes a SERVER span per request, the bus adapters a PRODUCER
 * span per publish and a CONSUMER span per delivered batch, and the trace continues across the bus
 * through the W3C `traceparent` header of each message. Code elsewhere uses `withSpan`.
 *
 * This module imports only @opentelemetry/api: with tracing off every helper below hits the API's
 * no-op tracer and propagator, and the SDK is never loaded (startTracing imports it on demand).
 */

export type Tracing = {
  /** The resolved service.name, e.g. carbon-serve. */
  readonly serviceName: string
  /** Exports what is buffered and stops; waits at most SHUTDOWN_FLUSH_MS. Idempotent, never throws. */
  shutdown(): Promise<void>
}

export type StartTracingOptions = {
  env: Pick<Env, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_HEADERS' | 'OTEL_SERVICE_NAME'>
  /** The CLI command this process runs (serve, consumer, solver, ...): the default service.name is carbon-<command>. */
  command: string
  log: Logger
}

/** Longest a shutdown waits for the last spans to be exported (within the 10 s stop budget). */
export const SHUTDOWN_FLUSH_MS = 3_000
/** One OTLP export request's timeout: a slow collector delays nothing but the exporter. */
const EXPORT_TIMEOUT_MS = 5_000
const TRACER_NAME = '254carbon'

/**
 * Installs the tracer provider globally when OTEL_EXPORTER_OTLP_ENDPOINT is set: resource
 * service.name (OTEL_SERVICE_NAME, else `carbon-<command>`) and service.version (package.json),
 * spans batched to `<endpoint>/v1/traces` (OTLP/HTTP JSON, headers from
 * OTEL_EXPORTER_OTLP_HEADERS), the AsyncLocalStorage context manager and the W3C trace-context
 * propagator. Returns null and installs nothing when the endpoint is unset.
 */
export async function startTracing(options: StartTracingOptions): Promise<Tracing | null> {
  const { env, command, log } = options
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT
  if (!endpoint) return null
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, { defaultResource, resourceFromAttributes }, { W3CTraceContextPropagator }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/core'),
    ])
  const serviceName = env.OTEL_SERVICE_NAME ?? `carbon-${command}`
  const url = tracesUrl(endpoint)
  const headers = parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS)
  const tracingLog = log.child({ component: 'tracing' })
  // Exporter failures (collector down) reach the log as warnings; the SDK's own chatter stays out.
  diag.setLogger(diagToPino(tracingLog), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true })
  const resource = defaultResource().merge(
    resourceFromAttributes({
      'service.name': serviceName,
      'service.version': packageVersion(),
      'service.instance.id': `${os.hostname()}-${process.pid}`,
    }),
  )
  const exporter = new OTLPTraceExporter({ url, headers, timeoutMillis: EXPORT_TIMEOUT_MS })
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] })
  // Default context manager (AsyncLocalStorage); trace-context only, no baggage: nothing we send needs it.
  provider.register({ propagator: new W3CTraceContextPropagator() })
  // Never the headers (they may hold an API key), nor credentials in the URL.
  tracingLog.info({ serviceName, endpoint: redactUrl(url), headers: Object.keys(headers).length }, 'tracing: exporting spans over OTLP/HTTP')

  let stopping: Promise<void> | undefined
  return {
    serviceName,
    shutdown() {
      stopping ??= (async () => {
        const flushed = await withinMs(provider.shutdown(), SHUTDOWN_FLUSH_MS)
        if (flushed === 'timeout') tracingLog.warn({ timeoutMs: SHUTDOWN_FLUSH_MS }, 'tracing: the last spans were not exported in time')
        else if (flushed instanceof Error) tracingLog.warn({ err: flushed }, 'tracing: exporting the last spans failed')
        // Back to the no-op API, so nothing started later is buffered for an exporter that is gone.
        trace.disable()
        propagation.disable()
        context.disable()
        diag.disable()
      })()
      return stopping
    },
  }
}

/** `<endpoint>/v1/traces`, whether the endpoint ends with a slash or not (the OTel spec's rule for the base endpoint). */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`
}

/**
 * OTEL_EXPORTER_OTLP_HEADERS, `key=value,key2=value2` (values percent-decoded, as the OTel spec
 * says); entries without a `=` or with an empty key are ignored.
 */
export function parseOtlpHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const entry of (raw ?? '').split(',')) {
    const at = entry.indexOf('=')
    if (at <= 0) continue
    const key = entry.slice(0, at).trim()
    if (!key) continue
    headers[key] = safeDecode(entry.slice(at + 1).trim())
  }
  return headers
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function redactUrl(url: string): string {
  const parsed = new URL(url)
  parsed.username = ''
  parsed.password = ''
  parsed.search = ''
  return parsed.toString()
}

let version: string | undefined
/** The version in package.json (the image ships it beside dist/). */
function packageVersion(): string {
  if (version !== undefined) return version
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version?: unknown }
    version = typeof pkg.version === 'string' ? pkg.version : 'unknown'
  } catch {
    version = 'unknown'
  }
  return version
}

async function withinMs(promise: Promise<void>, ms: number): Promise<'ok' | 'timeout' | Error> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
    timer.unref()
  })
  try {
    return await Promise.race([promise.then(() => 'ok' as const), late])
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  } finally {
    clearTimeout(timer)
  }
}

function diagToPino(log: Logger): DiagLogger {
  // Every SDK complaint is a warning to us: tracing failing never fails the process.
  const warn = (message: string, ...args: unknown[]) => log.warn({ detail: args.map(describe) }, `opentelemetry: ${message}`)
  const debug = (message: string) => log.debug(`opentelemetry: ${message}`)
  return { error: warn, warn, info: debug, debug, verbose: debug }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
}

/** Our tracer (the API's no-op one while tracing is off). */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME, packageVersion())
}

/**
 * Writes the active (or given) context's `traceparent`/`tracestate` into `headers` and returns
 * them. Writes nothing while tracing is off or no span is active.
 */
export function injectContext<T extends Record<string, string>>(headers: T, from: Context = context.active()): T {
  propagation.inject(from, headers)
  return headers
}

/**
 * The context a `traceparent`/`tracestate` pair in `headers` describes, on top of `base` (default
 * the root context: a message or request starts from what it carries, not from whatever happens to
 * be active). `base` itself when the headers carry none or tracing is off.
 */
export function extractContext(headers: Record<string, string | string[] | undefined>, base: Context = ROOT_CONTEXT): Context {
  return propagation.extract(base, headers)
}

/**
 * Runs `fn` inside a new span (INTERNAL unless `options.kind` says otherwise), child of the active
 * context, and ends it when `fn` settles: a throw is recorded on the span (status ERROR) and
 * rethrown.
 */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T> | T, options: Omit<SpanOptions, 'attributes'> = {}): Promise<T> {
  return tracer().startActiveSpan(name, { kind: SpanKind.INTERNAL, ...options, attributes }, async (span) => {
    try {
      return await fn(span)
    } catch (error) {
      recordFailure(span, error)
      throw error
    } finally {
      span.end()
    }
  })
}

/** Marks a span failed with `error` (exception event + status ERROR with its message). */
export function recordFailure(span: Span, error: unknown): void {
  if (!span.isRecording()) return
  if (error instanceof Error) span.recordException(error)
  else span.recordException(String(error))
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
}
