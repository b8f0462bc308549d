import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import { threadEntry } from '../../paths.ts'
import { computeRunRows, type ModelRequest } from './model-job.ts'
import type { RunRows } from './rows.ts'

/**
 * Runs the fundamentals model off the event loop: one worker thread (model-thread.ts), started at
 * the first job and kept for the next ones, one job at a time. A job that throws in the model is a
 * ModelError (the run fails with its message: the same inputs would fail again); a thread that cannot
 * start or dies is a ModelThreadError (delivered again) and the next job starts a new thread. stop() ends the
 * thread and rejects the job in flight with RunnerStopped, which is not a failure of the run: the
 * bus delivers it again at the next start.
 */

export type ModelJob = ModelRequest & { id: number }
export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'progress'; job: number; progress: number }
  | { type: 'done'; job: number; rows: RunRows }
  | { type: 'failed'; job: number; message: string }

/** The model refused or failed on these inputs: final for the run. */
export class ModelError extends Error {
  override name = 'ModelError'
}

/**
 * The model thread could not start or died (a broken deployment, out of memory): not the run's
 * fault, so not final. The worker throws it and the bus delivers the run again (bounded by the
 * bus's retry limit and the outbox's deliveries).
 */
export class ModelThreadError extends Error {
  override name = 'ModelThreadError'
}

/** The runner was stopped while the job ran: the run is neither done nor failed. */
export class RunnerStopped extends Error {
  override name = 'RunnerStopped'
}

export type { ModelRequest }

export type ModelRunner = {
  /** Runs one request; `onProgress` gets 0..1 during a Monte Carlo run. */
  run(request: ModelRequest, onProgress?: (progress: number) => void): Promise<RunRows>
  stop(): Promise<void>
}

type Pending = { id: number; resolve: (rows: RunRows) => void; reject: (error: Error) => void; onProgress?: (progress: number) => void }

const THREAD_ENTRY = threadEntry('server/services/scenarios/model-thread.ts')

export function createModelRunner(log: Logger): ModelRunner {
  let worker: Worker | null = null
  let pending: Pending | null = null
  let queue: Promise<unknown> = Promise.resolve()
  let nextId = 1
  let stopped = false

  const settle = (fn: (p: Pending) => void) => {
    const p = pending
    pending = null
    if (p) fn(p)
  }

  function thread(): Worker {
    if (worker) return worker
    const started = performance.now()
    // execArgv empty: the entry registers tsx itself (an inherited `--import tsx` would load it twice).
    const created = new Worker(THREAD_ENTRY.filename, { argv: THREAD_ENTRY.argv, execArgv: [] })
    created.on('message', (message: ThreadMessage) => {
      if (message.type === 'ready') {
        log.debug({ ms: Math.round(performance.now() - started) }, 'scenario model thread ready')
        return
      }
      if (!pending || message.job !== pending.id) return
      if (message.type === 'progress') pending.onProgress?.(message.progress)
      else if (message.type === 'done') settle((p) => p.resolve(message.rows))
      else settle((p) => p.reject(new ModelError(message.message)))
    })
    created.on('error', (error) => {
      log.warn({ err: error }, 'scenario model thread failed')
      settle((p) => p.reject(stopped ? new RunnerStopped('the scenario worker stopped') : new ModelThreadError(`the model thread failed: ${error.message}`)))
    })
    created.on('exit', (code) => {
      if (worker === created) worker = null
      settle((p) => p.reject(stopped ? new RunnerStopped('the scenario worker stopped') : new ModelThreadError(`the model thread exited (code ${code}) during the run`)))
    })
    worker = created
    return created
  }

  function runOne(request: ModelRequest, onProgress?: (progress: number) => void): Promise<RunRows> {
    if (stopped) return Promise.reject(new RunnerStopped('the scenario worker stopped'))
    const id = nextId++
    return new Promise<RunRows>((resolve, reject) => {
      pending = { id, resolve, reject, onProgress }
      const job: ModelJob = {
        canonical: request.canonical,
        mode: request.mode,
        draws: request.draws ?? null,
        seed: request.seed ?? null,
        fuel: request.fuel ?? null,
        shapes: request.shapes ?? null,
        forward: request.forward ?? null,
        id,
      }
      thread().postMessage(job)
    })
  }

  return {
    run(request, onProgress) {
      // One job at a time: a second caller waits for the first.
      const result = queue.then(() => runOne(request, onProgress))
      queue = result.catch(() => undefined)
      return result
    },
    async stop() {
      stopped = true
      const current = worker
      worker = null
      if (current) await current.terminate()
      settle((p) => p.reject(new RunnerStopped('the scenario worker stopped')))
    },
  }
}

/**
 * A runner that computes in the calling thread, blocking its event loop for the run: for one-off
 * work before anything else runs (the demo's base run at first start), never for a serving process.
 */
export function createInlineModelRunner(): ModelRunner {
  return {
    async run(request, onProgress) {
      try {
        return computeRunRows(request, onProgress)
      } catch (error) {
        throw new ModelError(error instanceof Error ? error.message : String(error))
      }
    },
    async stop() {},
  }
}
