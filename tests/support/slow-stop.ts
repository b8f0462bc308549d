// A process whose graceful stop never finishes, run through the real stopOnSignals: the shutdown
// test sends it two SIGTERMs to prove the second one exits at once (143), whatever the stop does.
import pino from 'pino'
import { stopOnSignals } from '../../server/cli/shutdown.ts'

const log = pino()
stopOnSignals(log, () => new Promise<void>(() => {}), { timeoutMs: 60_000 })
setInterval(() => {}, 1_000)
process.stdout.write('ready\n')
