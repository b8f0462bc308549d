import { STREAM_STAGES, streamStatus, type StreamStage, type StreamStatus } from '#server/metrics.ts'
import { requireUser } from './auth.server.ts'

/** What each latency stage measures, as the page explains it. */
export const STAGE_INFO: Record<StreamStage, { label: string; detail: string }> = {
  publisher_to_ingest: {
    label: 'Publisher → ingest',
    detail: 'From the publication time a publisher states to our ingest publishing the price on the bus (only feeds that state one).',
  },
  ingest_to_fanout: {
    label: 'Ingest → fan-out',
    detail: 'From the ingest publishing the price to this web process receiving it from the bus.',
  },
  fanout_to_send: {
    label: 'Fan-out → send',
    detail: 'From this web process receiving the price to the event holding it leaving the subscriber’s stream (waiting in its queue included).',
  },
  ingest_to_send: {
    label: 'Ingest → send (end to end)',
    detail: 'From the ingest publishing the price to it leaving for the subscriber: the server’s whole share, read against the quality gate.',
  },
}

export type StatusView = StreamStatus & {
  stages: { stage: StreamStage; label: string; detail: string }[]
  /** True when no stage has an observation in the window. */
  empty: boolean
}

/**
 * The Status page's data: the live stream of THIS web process (each replica has its own), from
 * the metrics module's rolling window and gauges. No market data, so no entitlement check and
 * no audit row; a signed-in user is required like every hub page.
 */
export async function loadStatus(request: Request): Promise<StatusView> {
  await requireUser(request)
  const status = streamStatus()
  return {
    ...status,
    stages: STREAM_STAGES.map((stage) => ({ stage, ...STAGE_INFO[stage] })),
    empty: STREAM_STAGES.every((stage) => status.latency.stages[stage] === null),
  }
}
