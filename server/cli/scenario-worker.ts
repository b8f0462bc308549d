import type { Env } from '../env.ts'
import { AppError } from '../errors.ts'
import type { Logger } from '../logger.ts'
import { openPlatform } from '../platform.ts'
import { startScenarioWorker } from '../workers/scenario-worker.ts'
import { acquireDataLock } from './commands.ts'
import { stdout } from './output.ts'
import { stopOnSignals } from './shutdown.ts'

/**
 * `carbon scenario-worker`: the scenario worker sidecar (server/workers/scenario-worker.ts) as its
 * own process, as `carbon solver` runs the curve solver: it reads Kafka (`scenarios.run`), so on
 * the in-process bus it is refused (`carbon serve` runs the worker itself there). Runs until
 * SIGINT/SIGTERM, then stops the worker (a run in flight goes back to the outbox) and the stores.
 */
export async function runScenarioWorkerCommand(env: Env, log: Logger): Promise<number> {
  if (env.embedded.bus) {
    throw new AppError(
      'BAD_REQUEST',
      'the scenario worker sidecar reads Kafka: set KAFKA_BROKERS (on the embedded default `carbon serve` runs the scenario worker itself)',
    )
  }
  const release = acquireDataLock(env)
  let platform
  try {
    platform = await openPlatform(env, log, { checkSchema: true })
  } catch (error) {
    release()
    throw error
  }
  const opened = platform
  const worker = await startScenarioWorker({ bus: opened.bus, db: opened.pg.db, ch: opened.ch, log })
  stopOnSignals(log, async () => {
    await worker.stop()
    await opened.close()
    release()
  })
  await stdout().write('scenario worker running: scenarios.run -> scenario results (Ctrl-C stops)\n')
  return -1
}
