import type { Logger } from 'pino'
import { TOPICS, type Bus } from '../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../adapters/clickhouse/client.ts'
import type { Database } from '../adapters/postgres/schema/index.ts'
import { timeJob } from '../metrics.ts'
import { createModelRunner, executeRun, startRunRelay, type ModelRunner, type RunRelayOptions } from '../services/scenarios/index.ts'
import { subscribeJobRequests } from './requests.ts'

/**
 * The scenario worker: `scenarios.run` -> packages/scenario's model (in a worker thread, so the
 * event loop stays free) -> ClickHouse `scenario_prices` + `scenario_mix`, the run's Postgres row
 * (running with progress, then done with a summary or failed with the reason) and progress events on
 * `jobs.progress`. A sidecar Deployment in production (`carbon scenario-worker`), inside the web
 * process on the embedded default.
 *
 * Each message is `{"id": "<scenario_runs row id>"}` keyed by run id. The handler is idempotent
 * (executeRun leaves a finished run alone), so at-least-once delivery at most runs a run twice, with
 * the same rows. A message that is not a run request, or names a run that does not exist, goes to
 * `scenarios.dlq` with the reason; a run the model cannot run is failed (never thrown: it would fail
 * again); a store outage throws and the bus redelivers.
 *
 * Beside the consumer runs the outbox relay (services/scenarios/outbox.ts): runs whose publication
 * failed or was cut off are published, stranded ones republished (bounded, then failed).
 */

export const SCENARIO_WORKER_GROUP = 'scenario-worker'

export type ScenarioWorker = { stop(): Promise<void> }

export async function startScenarioWorker(deps: {
  bus: Bus
  db: Database
  ch: ClickHouseHandle
  log: Logger
  groupId?: string
  /** The model runner (default: a worker thread of this process's own). */
  model?: ModelRunner
  /** The outbox relay's settings, or false to run none (a test drives relayRunsOnce itself). */
  relay?: Partial<RunRelayOptions> | false
}): Promise<ScenarioWorker> {
  const log = deps.log.child({ worker: 'scenario-worker' })
  const model = deps.model ?? createModelRunner(log)
  const subscription = await subscribeJobRequests({
    bus: deps.bus,
    log,
    topic: TOPICS.scenariosRun,
    deadLetterTopic: TOPICS.scenariosDlq,
    groupId: deps.groupId ?? SCENARIO_WORKER_GROUP,
    what: 'a scenario run',
    execute: (id) => timeJob('scenario_run', () => executeRun({ db: deps.db, ch: deps.ch, bus: deps.bus, log, model }, id)),
    unknown: (id) => `unknown scenario run ${id}: no scenario run has this id`,
  })
  const relay = deps.relay === false ? null : startRunRelay({ db: deps.db, bus: deps.bus, log }, deps.relay)
  log.info('scenario worker listening on scenarios.run')
  return {
    async stop() {
      await relay?.stop()
      // The model first: a run in flight ends (not failed, not committed) and is delivered again at the next start.
      if (!deps.model) await model.stop()
      await subscription.stop()
    },
  }
}
