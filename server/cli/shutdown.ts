import os from 'node:os'
import type { Logger } from '../logger.ts'
import { exitAfterFlush } from './output.ts'

/**
 * How long a graceful stop may take before the process exits anyway: the platform promises that
 * SIGTERM ends every process within 10 s (well inside Kubernetes' 30 s grace period). A forced
 * exit loses nothing written: offsets are committed only after their records are stored.
 */
export const SHUTDOWN_TIMEOUT_MS = 9_000
/** The part of it the in-process bus may spend storing what was published before the stop. */
export const DRAIN_TIMEOUT_MS = 4_000

/** The exit code of a signal's forced exit, as a shell reports a process killed by it (143 for SIGTERM). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 15)
}

/**
 * Runs `stop` on the first SIGINT or SIGTERM, then exits 0 (1 if `stop` failed), after flushing
 * what was printed. Exits anyway, with 1, if the stop takes longer than `timeoutMs`. A second
 * signal while stopping exits at once with the signal's exit code (130, 143).
 */
export function stopOnSignals(log: Logger, stop: () => Promise<void>, options: { timeoutMs?: number } = {}): void {
  const timeoutMs = options.timeoutMs ?? SHUTDOWN_TIMEOUT_MS
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal while shutting down: exiting now')
      process.exit(signalExitCode(signal))
    }
    stopping = true
    log.info({ signal, timeoutMs }, 'shutting down')
    const timer = setTimeout(() => {
      log.error({ signal, timeoutMs }, 'shutdown did not finish in time: exiting now')
      process.exit(1)
    }, timeoutMs)
    timer.unref()
    const stopped = stop().then(
      () => 0,
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed')
        return 1
      },
    )
    void stopped.then(async (code) => {
      // Spans of the last work leave before the exit, a failed stop's included (tracing off: nothing to flush).
      const { stopTelemetry } = await import('./telemetry.ts')
      await stopTelemetry().catch(() => {})
      if (code === 0) log.info('shut down')
      return exitAfterFlush(code)
    })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}
