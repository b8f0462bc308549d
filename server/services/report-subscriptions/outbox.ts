import { TOPICS } from '../../adapters/bus/index.ts'
import { reportOutputs } from '../../adapters/postgres/schema/index.ts'
import { createOutbox, type OutboxRelayOptions, type Relay } from '../outbox/relay.ts'
import type { ReportRenderMessage } from './schemas.ts'

/**
 * The scheduled-report outbox, the same relay as the curve builds' and the scenario runs'
 * (services/outbox/relay.ts): a report_outputs row is its own outbox entry, put on reports.render
 * as `{id}` keyed by the row id. The relay (startReportRelay, inside the report renderer)
 * publishes what nobody published and republishes a report still queued or running
 * `strandedAfterMs` after its last publication without progress (a lost message, a renderer that
 * died mid-report): at most `maxDeliveries` times, then the report is failed with the reason.
 */

export type ReportRelayOptions = OutboxRelayOptions

/** A report renders in seconds: stranded after 2 minutes without a (re)start. */
export const REPORT_RELAY_DEFAULTS: ReportRelayOptions = { intervalMs: 5_000, strandedAfterMs: 120_000, maxDeliveries: 5, batchSize: 100 }

export type ReportRelay = Relay

const reportOutbox = createOutbox<ReportRenderMessage>({
  table: reportOutputs,
  key: reportOutputs.id,
  topic: TOPICS.reportsRender,
  message: (id) => ({ id }),
  defaults: REPORT_RELAY_DEFAULTS,
  exhausted: (maxDeliveries) => `not rendered after ${maxDeliveries} deliveries to ${TOPICS.reportsRender}: the report renderer did not finish it`,
  log: {
    idsField: 'reports',
    publishFailed: 'report publish failed: left in the outbox for the relay',
    relayed: 'report relay: published stranded reports',
    passFailed: 'report relay pass failed; retrying',
  },
})

/**
 * publishReport: publishes one just-stored report row unless the relay already did (never throws
 * for a bus failure). relayReportsOnce: one relay pass. startReportRelay: relayReportsOnce now and
 * then every `intervalMs` until stopped.
 */
export const { publish: publishReport, relayOnce: relayReportsOnce, startRelay: startReportRelay } = reportOutbox
