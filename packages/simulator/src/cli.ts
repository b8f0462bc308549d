/**
 * Runs the publisher simulator: `npx tsx packages/simulator/src/cli.ts --port 4100`.
 *
 *   --port N          port (default 4100; 0 for an ephemeral one)
 *   --host H          address to bind (default 127.0.0.1)
 *   --seed N          seed of catalogues and prices (default 254, the demo's)
 *   --now ISO         fix the simulated clock (default: the wall clock)
 *   --throttle MODE   OASIS throttling: off | http-429 | html-200 | alternate (default off)
 *   --no-fixtures     do not serve the recorded files
 */
import { parseArgs } from 'node:util'
import { createPublisherSimulator, type ThrottleMode } from './server.ts'

const THROTTLE_MODES: readonly ThrottleMode[] = ['off', 'http-429', 'html-200', 'alternate']

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4100' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string' },
    now: { type: 'string' },
    throttle: { type: 'string', default: 'off' },
    'no-fixtures': { type: 'boolean', default: false },
  },
})

const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port: not a port number: ${values.port}`)
const seed = values.seed === undefined ? undefined : Number(values.seed)
if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`--seed: not an integer: ${values.seed}`)
const now = values.now === undefined ? undefined : new Date(values.now)
if (now && Number.isNaN(now.getTime())) throw new Error(`--now: not a date: ${values.now}`)
const throttle = values.throttle as ThrottleMode
if (!THROTTLE_MODES.includes(throttle)) throw new Error(`--throttle: one of ${THROTTLE_MODES.join(', ')}`)

const simulator = await createPublisherSimulator({
  port,
  host: values.host,
  seed,
  fixturesDir: values['no-fixtures'] ? null : undefined,
  throttle: { mode: throttle },
})
if (now) simulator.setNow(now)
console.log(`publisher simulator listening at ${simulator.url}`)

const stop = () => {
  simulator.close().then(
    () => process.exit(0),
    () => process.exit(1)
  )
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
