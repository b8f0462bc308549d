import type { Env } from '../env.ts'
import type { Logger } from '../logger.ts'

/**
 * Per-process telemetry a command starts before its work: the build-info metric naming the
 * command, and OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set (the tracing SDK is
 * loaded only then). `stopTelemetry` flushes the spans still buffered; every exit path calls it
 * (the CLI after a command returns, stopOnSignals after a long-running one stops).
 */

type Tracing = { shutdown(): Promise<void> }

let tracing: Tracing | null = null

export async function startTelemetry(options: { env: Env; command: string; log: Logger }): Promise<void> {
  const { setBuildInfo } = await import('../metrics.ts')
  setBuildInfo(options.command)
  if (!options.env.OTEL_EXPORTER_OTLP_ENDPOINT) return
  const { startTracing } = await import('../tracing.ts')
  tracing = await startTracing(options)
}

/** Flushes and stops tracing (bounded by the tracer's own timeout); a no-op when it never started. */
export async function stopTelemetry(): Promise<void> {
  const current = tracing
  tracing = null
  await current?.shutdown()
}
