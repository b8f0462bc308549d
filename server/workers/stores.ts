import type { Logger } from 'pino'
import { AppError } from '../errors.ts'

/**
 * A sidecar that cannot do its work without a store (the prices consumer without ClickHouse) waits
 * for it instead of exiting: `open` is tried again, with a backoff doubling from `initialMs` to
 * `maxMs`, for as long as a store does not answer: AppError UNAVAILABLE carrying the store's own
 * failure as its cause (openClickHouse: the server is down or unreachable, or the embedded data
 * directory is held by another process). Meanwhile the worker consumes nothing, so what it would
 * read stays on the bus, uncommitted. Anything else is thrown at once: misconfiguration, and a
 * schema refusal (UNAVAILABLE without a cause: a store that answers with the wrong schema is not
 * waited out, the process refuses in one line). An abort (shutdown) throws the last failure.
 */
export async function openWhenAvailable<T>(
  open: () => Promise<T>,
  options: { log: Logger; what: string; initialMs?: number; maxMs?: number; signal?: AbortSignal },
): Promise<T> {
  const initial = options.initialMs ?? 500
  const max = options.maxMs ?? 10_000
  for (let attempt = 1; ; attempt++) {
    try {
      return await open()
    } catch (error) {
      if (!storeDidNotAnswer(error) || options.signal?.aborted) throw error
      const delay = Math.min(max, initial * 2 ** (attempt - 1))
      options.log.warn({ err: error, attempt, retryInMs: delay }, `${options.what} unavailable; waiting for it (nothing is consumed meanwhile)`)
      await sleep(delay, options.signal)
      if (options.signal?.aborted) throw error
    }
  }
}

function storeDidNotAnswer(error: unknown): boolean {
  return error instanceof AppError && error.code === 'UNAVAILABLE' && error.cause !== undefined
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
