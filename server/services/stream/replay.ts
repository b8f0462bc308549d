import type { MarketRun } from '@carbon/schemas'
import { queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import type { Cursor } from './cursor.ts'
import type { StreamFilter, StreamPrice } from './types.ts'

/**
 * What a reconnecting client missed, from the store: the arrivals log `price_arrivals` (written by
 * the prices consumer with each record's bus partition and offset) after the client's cursor and
 * before `until` (where the fan-out's in-memory ring takes over), in bus order, each offset once
 * (a redelivered batch is logged twice).
 */
const REPLAY_SQL = `
SELECT market, node, run,
       toUnixTimestamp64Milli(interval_start) AS start_ms, toUnixTimestamp64Milli(interval_end) AS end_ms,
       lmp, energy, congestion, loss, ghg, source,
       if(isNull(published_at), NULL, toUnixTimestamp64Milli(published_at)) AS published_ms,
       toUnixTimestamp64Milli(ingested_at) AS ingested_ms,
       bus_partition, toString(bus_offset) AS offset_text
FROM price_arrivals
WHERE market = {market:String}
  AND bus_partition = {partition:UInt16}
  AND bus_offset > {after:UInt64}
  AND bus_offset < {until:UInt64}
  AND ({allRuns:UInt8} = 1 OR run IN {runs:Array(String)})
  AND ({allNodes:UInt8} = 1 OR node IN {nodes:Array(String)})
ORDER BY bus_offset
LIMIT 1 BY bus_offset
LIMIT {limit:UInt32}`

const MAX_OFFSET_SQL = `SELECT toString(max(bus_offset)) AS max FROM price_arrivals WHERE bus_partition = {partition:UInt16}`

type Row = {
  market: string
  node: string
  run: string
  start_ms: number | string
  end_ms: number | string
  lmp: number
  energy: number | null
  congestion: number | null
  loss: number | null
  ghg: number | null
  source: string
  published_ms: number | string | null
  ingested_ms: number | string
  bus_partition: number
  offset_text: string
}

const iso = (ms: number | string) => new Date(Number(ms)).toISOString()

function toPrice(row: Row, receivedAt: string): StreamPrice {
  return {
    market: row.market as StreamPrice['market'],
    node: row.node,
    run: row.run as MarketRun,
    intervalStart: iso(row.start_ms),
    intervalEnd: iso(row.end_ms),
    lmp: row.lmp,
    energy: row.energy,
    congestion: row.congestion,
    loss: row.loss,
    ghg: row.ghg,
    source: row.source,
    publishedAt: row.published_ms === null ? null : iso(row.published_ms),
    ingestedAt: iso(row.ingested_ms),
    receivedAt,
    partition: Number(row.bus_partition),
    offset: Number(row.offset_text),
  }
}

/** The highest offset of `partition` the store holds (0 when none). */
export async function storedUntil(ch: ClickHouseHandle, partition: number): Promise<number> {
  const rows = await queryRows<{ max: string }>(ch, 'stream.stored_until', MAX_OFFSET_SQL, { partition })
  return Number(rows[0]?.max ?? 0)
}

/**
 * Stored prices after `cursor` (per partition it names) and before `until[partition]` (no bound
 * where absent), at most `limit` in all; `truncated` when there were more.
 */
export async function replayFromStore(
  ch: ClickHouseHandle,
  filter: StreamFilter,
  cursor: Cursor,
  until: ReadonlyMap<number, number>,
  limit: number,
): Promise<{ prices: StreamPrice[]; truncated: boolean }> {
  const receivedAt = new Date().toISOString()
  const prices: StreamPrice[] = []
  for (const [partition, after] of cursor) {
    const left = limit + 1 - prices.length
    if (left <= 0) break
    const rows = await queryRows<Row>(ch, 'stream.replay', REPLAY_SQL, {
      market: filter.market,
      partition,
      after,
      until: until.get(partition) ?? Number.MAX_SAFE_INTEGER,
      allRuns: filter.runs ? 0 : 1,
      runs: filter.runs ? [...filter.runs] : [],
      allNodes: filter.nodes ? 0 : 1,
      nodes: filter.nodes ? [...filter.nodes] : [],
      limit: left,
    })
    for (const row of rows) prices.push(toPrice(row, receivedAt))
  }
  const truncated = prices.length > limit
  return { prices: truncated ? prices.slice(0, limit) : prices, truncated }
}
