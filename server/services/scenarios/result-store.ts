import { encodeCompactRows, logIfSlow, queryRows, type ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { yieldToEventLoop } from '../../time-slice.ts'
import { SYSTEM_TECHNOLOGY, type MixTuple, type PriceTuple, type RunRows } from './rows.ts'
import type { MixRow, PriceRow, SystemRow } from './schemas.ts'

/**
 * Run results in ClickHouse (`scenario_prices`, `scenario_mix`, keyed by run id): written by the
 * worker in batches, read per market. A run is immutable and its rows are the same whoever computes
 * them, so a repeated insert (a redelivered message) is harmless: readers keep one row per key
 * (`LIMIT 1 BY`).
 */

/** Rows per insert: a Monte Carlo run's ~8,000 rows go in a few inserts, each a short stretch of the event loop. */
export const INSERT_BATCH_ROWS = 2_000


async function insertBatches(ch: ClickHouseHandle, table: string, columns: [string, ...string[]], values: unknown[][]): Promise<void> {
  for (let start = 0; start < values.length; start += INSERT_BATCH_ROWS) {
    const batch = values.slice(start, start + INSERT_BATCH_ROWS)
    const body = await encodeCompactRows(batch, (row) => row)
    const started = performance.now()
    await ch.insertEncoded(table, columns, body)
    logIfSlow(ch, `scenarios.${table}.insert`, started, { rows: batch.length })
    await yieldToEventLoop()
  }
}

/** Writes a run's rows (prices, then the mix), in batches of INSERT_BATCH_ROWS. */
export async function insertRunRows(ch: ClickHouseHandle, runId: string, rows: RunRows): Promise<void> {
  await insertBatches(
    ch,
    'scenario_prices',
    ['run_id', 'market', 'hub', 'block', 'month', 'price', 'p10', 'p50', 'p90'],
    rows.prices.map((r) => [runId, ...r]),
  )
  await insertBatches(
    ch,
    'scenario_mix',
    ['run_id', 'market', 'technology', 'month', 'capacity_mw', 'generation_mwh', 'reserve_margin'],
    rows.mix.map((r) => [runId, ...r]),
  )
}

type Range = { from?: string; to?: string }

const rangeParams = (range: Range) => ({ from: `${range.from ?? '1900-01'}-01`, to: `${range.to ?? '2299-12'}-01` })

const PRICES_SQL = `
SELECT market, hub, block, formatDateTime(month, '%Y-%m') AS month_key, price, p10, p50, p90
FROM scenario_prices
WHERE run_id = {runId:String} AND market IN {markets:Array(String)} AND month >= {from:Date} AND month <= {to:Date}
ORDER BY market, hub, block, month_key
LIMIT 1 BY market, hub, block, month_key`

const MIX_SQL = `
SELECT market, technology, formatDateTime(month, '%Y-%m') AS month_key, capacity_mw, generation_mwh, reserve_margin
FROM scenario_mix
WHERE run_id = {runId:String} AND market IN {markets:Array(String)} AND month >= {from:Date} AND month <= {to:Date}
ORDER BY market, technology, month_key
LIMIT 1 BY market, technology, month_key`

/** The stored price rows of a run for some markets, in key order. */
export async function readRunPrices(ch: ClickHouseHandle, runId: string, markets: readonly string[], range: Range = {}): Promise<PriceRow[]> {
  if (markets.length === 0) return []
  type PriceRecord = Omit<PriceRow, 'month'> & { month_key: string }
  const rows = await queryRows<PriceRecord>(ch, 'scenarios.prices', PRICES_SQL, { runId, markets: [...markets], ...rangeParams(range) })
  return rows.map((r) => ({ market: r.market, hub: r.hub, block: r.block, month: r.month_key, price: Number(r.price), p10: Number(r.p10), p50: Number(r.p50), p90: Number(r.p90) }))
}

type MixRecord = { market: string; technology: string; month_key: string; capacity_mw: number; generation_mwh: number; reserve_margin: number }

/** The stored mix of a run for some markets: technologies, and the system rows (load, peak, reserve margin). */
export async function readRunMix(ch: ClickHouseHandle, runId: string, markets: readonly string[], range: Range = {}): Promise<{ mix: MixRow[]; system: SystemRow[] }> {
  if (markets.length === 0) return { mix: [], system: [] }
  const rows = await queryRows<MixRecord>(ch, 'scenarios.mix', MIX_SQL, { runId, markets: [...markets], ...rangeParams(range) })
  const mix: MixRow[] = []
  const system: SystemRow[] = []
  for (const r of rows) {
    if (r.technology === SYSTEM_TECHNOLOGY) {
      system.push({ market: r.market, month: r.month_key, loadMwh: Number(r.generation_mwh), peakMw: Number(r.capacity_mw), reserveMargin: Number(r.reserve_margin) })
    } else {
      mix.push({ market: r.market, technology: r.technology, month: r.month_key, capacityMw: Number(r.capacity_mw), generationMwh: Number(r.generation_mwh) })
    }
  }
  return { mix, system }
}

/** Stored rows as the worker computed them (run id left out): for the reproducibility checks. */
export function storedAsTuples(prices: PriceRow[], mix: MixRow[], system: SystemRow[]): RunRows {
  const priceTuples: PriceTuple[] = prices.map((p) => [p.market, p.hub, p.block, `${p.month}-01`, p.price, p.p10, p.p50, p.p90])
  const mixTuples: MixTuple[] = [
    ...system.map((s): MixTuple => [s.market, SYSTEM_TECHNOLOGY, `${s.month}-01`, s.peakMw, s.loadMwh, s.reserveMargin]),
    ...mix.map((m): MixTuple => [m.market, m.technology, `${m.month}-01`, m.capacityMw, m.generationMwh, 0]),
  ]
  mixTuples.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0))
  return { prices: priceTuples, mix: mixTuples }
}
