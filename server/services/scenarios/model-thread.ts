import { parentPort } from 'node:worker_threads'
import type { ModelJob, ThreadMessage } from './compute.ts'
import { computeRunRows } from './model-job.ts'

/**
 * Inside the model's worker thread (started by compute.ts): one job at a time, answered with its
 * rows or the model's error message. The model's synchronous work never blocks the process's event
 * loop here, and Monte Carlo progress reaches the main thread while the draws run.
 */

const port = parentPort
if (!port) throw new Error('model-thread.ts runs as a worker thread (started by compute.ts)')

/** Progress messages at most this often (the main thread throttles its writes again). */
const PROGRESS_EVERY_MS = 100

function post(message: ThreadMessage) {
  port!.postMessage(message)
}

port.on('message', (job: ModelJob) => {
  let last = 0
  const onProgress = (progress: number) => {
    const now = performance.now()
    if (now - last < PROGRESS_EVERY_MS) return
    last = now
    post({ type: 'progress', job: job.id, progress })
  }
  try {
    post({ type: 'done', job: job.id, rows: computeRunRows(job, onProgress) })
  } catch (error) {
    post({ type: 'failed', job: job.id, message: error instanceof Error ? error.message : String(error) })
  }
})
post({ type: 'ready' })
