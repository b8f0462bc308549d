import { TOPICS } from '../../adapters/bus/index.ts'
import { scenarioRuns } from '../../adapters/postgres/schema/index.ts'
import { createOutbox, type OutboxRelayOptions, type Relay } from '../outbox/relay.ts'

/**
 * The scenario run outbox, the same relay as the curve builds' (services/outbox/relay.ts): a run's
 * Postgres row is its own outbox entry, put on scenarios.run as `{id}` (the row id) keyed by the
 * run id.
 *
 * The relay (startRunRelay, beside every scenario worker) publishes what nobody published and
 * republishes a run still queued or running `strandedAfterMs` after its last publication without
 * progress (a lost message, a worker that died mid-run): at most `maxDeliveries` times, then the run
 * is failed with the reason, so no run stays queued forever. "Without progress" means neither
 * published nor started within `strandedAfterMs`: the default (10 minutes) is well above the
 * longest Monte Carlo run a request may ask for (MAX_DRAWS).
 */

/** The message on `scenarios.run`: the scenario_runs row id. */
export type ScenarioRunMessage = { id: string }

export type RunRelayOptions = OutboxRelayOptions

/** A 1,000-draw Monte Carlo run takes up to a minute: a run is stranded after 10 minutes without a (re)start. */
export const RUN_RELAY_DEFAULTS: RunRelayOptions = { intervalMs: 5_000, strandedAfterMs: 600_000, maxDeliveries: 5, batchSize: 100 }

export type RunRelay = Relay

const runOutbox = createOutbox<ScenarioRunMessage>({
  table: scenarioRuns,
  key: scenarioRuns.runId,
  topic: TOPICS.scenariosRun,
  message: (id) => ({ id }),
  defaults: RUN_RELAY_DEFAULTS,
  exhausted: (maxDeliveries) => `not run after ${maxDeliveries} deliveries to ${TOPICS.scenariosRun}: the scenario worker did not finish it`,
  log: {
    idsField: 'runs',
    publishFailed: 'scenario run publish failed: left in the outbox for the relay',
    relayed: 'scenario run relay: published stranded runs',
    passFailed: 'scenario run relay pass failed; retrying',
  },
})

/**
 * publishRun: publishes one just-stored run unless the relay already did; never throws for a bus
 * failure (the relay delivers it later). relayRunsOnce: one relay pass (fails exhausted runs, then
 * publishes the unpublished and the stranded ones). startRunRelay: relayRunsOnce now and then every
 * `intervalMs` until stopped.
 */
export const { publish: publishRun, relayOnce: relayRunsOnce, startRelay: startRunRelay } = runOutbox
