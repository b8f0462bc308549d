/**
 * The publisher simulator of `npm run bench:stream`, in a process of its own (scripts/bench-stream.ts
 * spawns it with an IPC channel). In production MISO's and CAISO's web servers are outside the
 * platform; run in the bench's own process, the simulator's work (generating the full-size CAISO
 * OASIS CSV and zipping it, one synchronous block of ~140 ms per tick) would land on the measured
 * server's event loop and CPU.
 *
 * Messages to the parent: ready {url, nodes: {miso, caiso}} once listening, ack {id} per setNow,
 * error {message} before exiting non-zero.
 * Messages from the parent: setNow {id, ms} (fixes the simulated clock, answered by ack {id}),
 * close (closes the simulator, exits 0). Exits when the IPC channel disconnects (the parent died).
 */
import { createPublisherSimulator, type PublisherSimulator } from '@carbon/simulator'

type ParentMessage = { type: 'setNow'; id: number; ms: number } | { type: 'close' }
type ChildMessage =
  | { type: 'ready'; url: string; nodes: { miso: number; caiso: number } }
  | { type: 'ack'; id: number }
  | { type: 'error'; message: string }

/** How long closing may take before the process exits anyway. */
const CLOSE_TIMEOUT_MS = 2_000

let simulator: PublisherSimulator | null = null
let exiting = false

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve()
    process.send(message, undefined, undefined, () => resolve())
  })
}

/** Closes the simulator (if started) and exits with `code`, whatever closing does. */
async function closeAndExit(code: number): Promise<never> {
  if (!exiting) {
    exiting = true
    setTimeout(() => process.exit(code), CLOSE_TIMEOUT_MS).unref()
    await simulator?.close().catch(() => undefined)
  }
  process.exit(code)
}

/** Reports `error` to the parent and exits non-zero. */
async function fail(error: unknown): Promise<never> {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
  await send({ type: 'error', message: `publisher simulator process: ${message}` })
  return closeAndExit(1)
}

function setNow(message: Extract<ParentMessage, { type: 'setNow' }>) {
  if (!simulator) throw new Error('setNow before the simulator started')
  simulator.setNow(new Date(message.ms))
  void send({ type: 'ack', id: message.id })
}

function onMessage(message: ParentMessage) {
  try {
    if (message.type === 'setNow') setNow(message)
    else if (message.type === 'close') void closeAndExit(0)
  } catch (error) {
    void fail(error)
  }
}

async function start() {
  if (!process.send) throw new Error('no IPC channel: spawn this with stdio [..., "ipc"] (scripts/bench-stream.ts does)')
  simulator = await createPublisherSimulator({ fixturesDir: null })
  await send({ type: 'ready', url: simulator.url, nodes: { miso: simulator.model.miso.nodes.length, caiso: simulator.model.caiso.nodes.length } })
}

process.on('message', onMessage)
process.on('disconnect', () => void closeAndExit(0))
process.on('uncaughtException', (error) => void fail(error))
process.on('unhandledRejection', (error) => void fail(error))
start().catch(fail)
