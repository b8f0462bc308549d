import type { MarketId, MarketRun, PriceRecord } from '@carbon/schemas'

/** A price as the live stream carries it: the canonical record plus where and when it travelled. */
export type StreamPrice = PriceRecord & {
  /** When the ingest published it to the bus (ISO), null when unknown (a replayed record). */
  ingestedAt: string | null
  /** When this web process received it from the bus (ISO). */
  receivedAt: string
  partition: number
  offset: number
}

/** What a subscriber asked for, resolved: one market, optional runs and nodes (null = all). */
export type StreamFilter = {
  market: MarketId
  runs: ReadonlySet<MarketRun> | null
  nodes: ReadonlySet<string> | null
}

/**
 * One event of a subscription. `prices`: records in bus order; `skipped`: the client fell behind,
 * `skipped` intermediate updates were dropped and `prices` holds the latest value per node and
 * run; `reset`: the client missed more than can be replayed and should reload its snapshot;
 * `end`: the last event, the server ended the stream (`reason`: a StreamEndReason of guard.ts; its
 * id is where a reconnect resumes, which only `max_lifetime` invites).
 */
export type StreamEvent = {
  id: string
  type: 'prices' | 'skipped' | 'reset' | 'end'
  /** Shared between subscribers with the same filter: never mutate. */
  prices: readonly StreamPrice[]
  skipped?: number
  reason?: string
}

export function matches(filter: StreamFilter, record: Pick<PriceRecord, 'market' | 'run' | 'node'>): boolean {
  return (
    record.market === filter.market &&
    (filter.runs === null || filter.runs.has(record.run)) &&
    (filter.nodes === null || filter.nodes.has(record.node))
  )
}
