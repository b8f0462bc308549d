/**
 * One worker thread of the batch in `npm run bench:curves` (scripts/bench-curves.ts): prepares its
 * share of the demo quote sets (curves from..to - 1), says it is ready, and on "go" builds every
 * curve with buildCurve and reports how long that took and how many it built. Measures only.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { buildCurve } from '@carbon/curves'
import { curveInputs, type QuoteSet } from './bench-curves-sets.ts'

type Job = { set: QuoteSet; from: number; to: number }

const job = workerData as Job
const port = parentPort!
const inputs = curveInputs(job.set, job.from, job.to)
// Warm-up on a few curves so the JIT has compiled the builder, as the single-thread run has.
for (const input of inputs.slice(0, 50)) buildCurve(input)
port.postMessage({ ready: true })
port.once('message', () => {
  const started = performance.now()
  let sink = 0
  for (const input of inputs) sink += buildCurve(input).months.length
  port.postMessage({ ms: performance.now() - started, curves: inputs.length, sink })
})
