import { TOPICS } from '../../adapters/bus/index.ts'
import { curveBuilds } from '../../adapters/postgres/schema/index.ts'
import { createOutbox, type OutboxRelayOptions, type Relay } from '../outbox/relay.ts'

/**
 * The curve build outbox (services/outbox/relay.ts): a build's Postgres row is its own outbox
 * entry, put on curves.build as `{buildId}` keyed by curve (one curve's builds are solved in order).
 *
 * The relay (startBuildRelay, run beside every solver) publishes what nobody published and
 * republishes a build still queued or running `strandedAfterMs` after its last publication without
 * progress (the message was lost with an embedded bus, the solver died mid-build): at most
 * `maxDeliveries` times, then the build is failed with the reason, so no build stays queued forever.
 */

/** The message on `curves.build`. */
export type CurveBuildMessage = { buildId: string }

export type RelayOptions = OutboxRelayOptions

export const RELAY_DEFAULTS: RelayOptions = { intervalMs: 5_000, strandedAfterMs: 60_000, maxDeliveries: 5, batchSize: 100 }

export type BuildRelay = Relay

const buildOutbox = createOutbox<CurveBuildMessage>({
  table: curveBuilds,
  key: curveBuilds.curveId,
  topic: TOPICS.curvesBuild,
  message: (buildId) => ({ buildId }),
  defaults: RELAY_DEFAULTS,
  exhausted: (maxDeliveries) => `not solved after ${maxDeliveries} deliveries to ${TOPICS.curvesBuild}: the solver did not finish it (request the build again)`,
  log: {
    idsField: 'builds',
    publishFailed: 'curve build publish failed: left in the outbox for the relay',
    relayed: 'curve build relay: published stranded builds',
    passFailed: 'curve build relay pass failed; retrying',
  },
})

/**
 * publishBuild: publishes one just-stored build unless the relay already did. Never throws for a
 * bus failure: the build stays in the outbox (queued, unpublished) and the relay delivers it later.
 * relayOnce: one relay pass (fails exhausted builds, then publishes the unpublished and the stranded
 * ones). startBuildRelay: relayOnce now and then every `intervalMs` until stopped.
 */
export const { publish: publishBuild, relayOnce, startRelay: startBuildRelay } = buildOutbox
