import type { Logger } from 'pino'
import { z } from 'zod'
import { TOPICS, type Bus } from '../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../adapters/clickhouse/client.ts'
import type { Database } from '../adapters/postgres/schema/index.ts'
import { timeJob } from '../metrics.ts'
import { runBuild, startBuildRelay, type RelayOptions } from '../services/curves/index.ts'
import { deadLetterRequest, decodeRequest } from './requests.ts'

/**
 * The curve solver: `curves.build` -> packages/curves -> ClickHouse `curve_points` + the build's
 * row in Postgres. A sidecar Deployment in production (`carbon solver`), inside the web process on
 * the embedded default.
 *
 * Each message is `{"buildId": "<uuid>"}` keyed by curve id (so one curve's builds are solved in
 * order). The handler is idempotent (runBuild leaves a finished build alone), so at-least-once
 * delivery at most solves a build twice. A message that is not a build request, or names a build
 * that does not exist, is published to `curves.dlq` with the reason and skipped; a build the solver
 * cannot solve is marked failed (never thrown: it would fail again); only a store outage throws, and
 * the bus redelivers.
 *
 * Beside the consumer runs the outbox relay (services/curves/outbox.ts): it publishes builds whose
 * publication failed or was cut off, and republishes stranded ones (bounded, then failed), so no
 * build stays queued forever.
 */

export const CURVE_SOLVER_GROUP = 'curve-solver'

const DEAD_LETTER = { sourceTopic: TOPICS.curvesBuild, deadLetterTopic: TOPICS.curvesDlq }

const BuildMessage = z.object({ buildId: z.uuid() })

export type CurveSolver = { stop(): Promise<void> }

export async function startCurveSolver(deps: {
  bus: Bus
  db: Database
  ch: ClickHouseHandle
  log: Logger
  groupId?: string
  /** The outbox relay's settings, or false to run none (a test drives relayOnce itself). */
  relay?: Partial<RelayOptions> | false
}): Promise<CurveSolver> {
  const log = deps.log.child({ worker: 'curve-solver' })
  const subscription = await deps.bus.subscribe({
    topic: TOPICS.curvesBuild,
    groupId: deps.groupId ?? CURVE_SOLVER_GROUP,
    fromBeginning: true,
    maxBatchSize: 20,
    handler: async (batch) => {
      for (const message of batch.messages) {
        const decoded = decodeRequest(message, BuildMessage, 'a build request')
        if ('reason' in decoded) {
          log.warn({ offset: message.offset, reason: decoded.reason }, 'curve build request dead-lettered')
          await deadLetterRequest(deps.bus, message, DEAD_LETTER, decoded.reason)
          continue
        }
        const row = await timeJob('curve_build', () => runBuild({ db: deps.db, ch: deps.ch, log }, decoded.buildId))
        if (!row) {
          const reason = `unknown build ${decoded.buildId}: no curve build has this id`
          log.warn({ offset: message.offset, buildId: decoded.buildId }, 'curve build request for an unknown build dead-lettered')
          await deadLetterRequest(deps.bus, message, DEAD_LETTER, reason)
        }
      }
    },
  })
  const relay = deps.relay === false ? null : startBuildRelay({ db: deps.db, bus: deps.bus, log }, deps.relay)
  log.info('curve solver listening on curves.build')
  return {
    async stop() {
      await relay?.stop()
      await subscription.stop()
    },
  }
}
