import { parentPort, workerData } from 'node:worker_threads'
import { createPublisherSimulator, type PublisherSimulatorOptions } from '@carbon/simulator'

/**
 * The embedded publisher simulator in a worker thread of its own (started by ingest.ts). It stands
 * in for MISO's and CAISO's web servers: generating and zipping a full-size answer (about 140 ms
 * for a CAISO interval) is not the web process's work, so it never holds up that process's event
 * loop. Answers `ready` with its URL (or `failed`); on `close` it closes its server and answers
 * `closed`.
 */
/** The simulator's options that can cross to a thread (no functions). */
export type SimulatorThreadOptions = Omit<PublisherSimulatorOptions, 'now' | 'onRequest'>
export type SimulatorThreadMessage = { type: 'ready'; url: string } | { type: 'failed'; message: string } | { type: 'closed' }

const port = parentPort
if (!port) throw new Error('simulator-thread.ts runs as a worker thread (started by ingest.ts)')

const post = (message: SimulatorThreadMessage) => port.postMessage(message)

try {
  const simulator = await createPublisherSimulator(workerData as SimulatorThreadOptions)
  port.on('message', (message: { type: 'close' }) => {
    if (message.type !== 'close') return
    void simulator.close().finally(() => {
      post({ type: 'closed' })
      port.close()
    })
  })
  post({ type: 'ready', url: simulator.url })
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
  port.close()
}
