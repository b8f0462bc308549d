import { TOPICS } from '../../adapters/bus/index.ts'
import { exportJobs } from '../../adapters/postgres/schema/index.ts'
import { createOutbox, type OutboxRelayOptions, type Relay } from '../outbox/relay.ts'

/**
 * The export job outbox, the same relay as the curve builds' and scenario runs'
 * (services/outbox/relay.ts): a job's row is its own outbox entry, put on `exports.run` as `{id}`
 * keyed by the job id (so a republished job reaches the same partition, after the first delivery).
 *
 * A job is stranded 30 minutes after its last publication without a (re)start: a large export
 * (tens of millions of rows) runs for minutes; a second delivery of a job still running waits
 * behind the first on its partition and finds it finished.
 */

/** The message on `exports.run`: the export_jobs row id. */
export type ExportRunMessage = { id: string }

export const EXPORT_RELAY_DEFAULTS: OutboxRelayOptions = { intervalMs: 5_000, strandedAfterMs: 1_800_000, maxDeliveries: 5, batchSize: 100 }

export type ExportRelay = Relay

const exportOutbox = createOutbox<ExportRunMessage>({
  table: exportJobs,
  key: exportJobs.id,
  topic: TOPICS.exportsRun,
  message: (id) => ({ id }),
  defaults: EXPORT_RELAY_DEFAULTS,
  exhausted: (maxDeliveries) => `not exported after ${maxDeliveries} deliveries to ${TOPICS.exportsRun}: the export worker did not finish it`,
  log: {
    idsField: 'exports',
    publishFailed: 'export publish failed: left in the outbox for the relay',
    relayed: 'export relay: published stranded exports',
    passFailed: 'export relay pass failed; retrying',
  },
})

export const { publish: publishExport, relayOnce: relayExportsOnce, startRelay: startExportRelay } = exportOutbox
