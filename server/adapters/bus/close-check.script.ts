/**
 * Run by the contract test "closes cleanly" in a child process:
 *   node --import tsx close-check.script.ts in-process
 *   node --import tsx close-check.script.ts kafka 127.0.0.1:9092[,...]
 * Publishes 25 messages, consumes them, calls bus.close() and then does nothing: the process must
 * exit by itself. If something is still open 8 s later, it prints what and exits with code 3.
 */
import { pino } from 'pino'
import { createInProcessBus } from './in-process.ts'
import { createKafkaBus } from './kafka.ts'

const [kind, brokers] = process.argv.slice(2)
const log = pino({ level: 'warn' }, pino.destination(2))
const bus =
  kind === 'kafka'
    ? createKafkaBus({ brokers: (brokers ?? '').split(','), clientId: 'close-check', log, consumer: { sessionTimeout: 3_000, maxWaitTimeInMs: 100 } })
    : createInProcessBus({ log })

const topic = `close-check.${process.pid}.${Date.now()}`
let received = 0
await bus.subscribe({ topic, groupId: 'close-check', fromBeginning: true, handler: async (batch) => void (received += batch.messages.length) })
await bus.publish(topic, Array.from({ length: 25 }, (_, i) => ({ key: `k${i % 3}`, value: String(i) })))
const deadline = Date.now() + 15_000
while (received < 25 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
console.log(`received ${received}`)
await bus.close()
console.log('closed')
setTimeout(() => {
  console.log(`handles still open 8 s after close(): ${process.getActiveResourcesInfo().join(', ')}`)
  process.exit(3)
}, 8_000).unref()
