import { TECHNOLOGIES, type Bands, type ScenarioResult } from '@carbon/scenario'
import type { SummaryRow } from './schemas.ts'

/**
 * A model run as the rows ClickHouse stores (migrations/clickhouse/0006_scenario_results.sql), in a
 * fixed order (market, hub, block, month; market, technology, month): the same run gives the same
 * rows, value for value. Pure, so the worker thread builds them and a test can build them again.
 */

/** scenario_prices: run_id is added at insert. month is the first day, `YYYY-MM-01`. */
export type PriceTuple = [market: string, hub: string, block: string, month: string, price: number, p10: number, p50: number, p90: number]
/** scenario_mix: technology `_system` carries load (generation_mwh), peak (capacity_mw) and the reserve margin. */
export type MixTuple = [market: string, technology: string, month: string, capacityMw: number, generationMwh: number, reserveMargin: number]

export type RunRows = { prices: PriceTuple[]; mix: MixTuple[] }

/** The technology name of the rows that carry a market's load, peak and reserve margin. */
export const SYSTEM_TECHNOLOGY = '_system'
const BLOCKS = ['onpeak', 'offpeak'] as const

/** ClickHouse cannot store NaN meaningfully for a reader: a non-finite model value is an engine bug, refused loudly. */
function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new Error(`the model produced a non-finite ${what} (${String(value)})`)
  return value
}

/** The rows of a run: prices (with the Monte Carlo bands when given, else p10 = p50 = p90 = price) and the mix. */
export function resultRows(result: ScenarioResult, bands: Bands | null): RunRows {
  const days = result.months.map((m) => `${m}-01`)
  const prices: PriceTuple[] = []
  const mix: MixTuple[] = []
  for (const market of result.markets) {
    const marketBands = bands?.markets.find((b) => b.market === market.market)
    for (const hub of market.hubs) {
      for (const block of BLOCKS) {
        const series = hub[block]
        const band = marketBands?.hubs.find((h) => h.hub === hub.hub && h.block === block)
        if (bands && !band) throw new Error(`the Monte Carlo bands lack ${market.market} ${hub.hub} ${block}`)
        for (let i = 0; i < days.length; i++) {
          const what = `${market.market} ${hub.hub} ${block} ${result.months[i]} price`
          const price = finite(series[i]!, what)
          prices.push([
            market.market,
            hub.hub,
            block,
            days[i]!,
            price,
            band ? finite(band.p10[i]!, `${what} p10`) : price,
            band ? finite(band.p50[i]!, `${what} p50`) : price,
            band ? finite(band.p90[i]!, `${what} p90`) : price,
          ])
        }
      }
    }
    for (let i = 0; i < days.length; i++) {
      mix.push([market.market, SYSTEM_TECHNOLOGY, days[i]!, finite(market.peakMw[i]!, 'peak'), finite(market.loadMwh[i]!, 'load'), finite(market.reserveMargin[i]!, 'reserve margin')])
    }
    for (const technology of TECHNOLOGIES) {
      const capacity = market.capacityMw[technology]
      const generation = market.generationMwh[technology]
      for (let i = 0; i < days.length; i++) {
        mix.push([market.market, technology, days[i]!, finite(capacity[i]!, `${technology} capacity`), finite(generation[i]!, `${technology} generation`), 0])
      }
    }
  }
  // ClickHouse returns rows in key order: the stored and the computed order agree.
  mix.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0))
  prices.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0))
  return { prices, mix }
}

/** The summary a run row keeps for lists: per market, hub and block the mean monthly price 2030-01..2035-12. */
export function summarizePrices(prices: PriceTuple[]): SummaryRow[] {
  const sums = new Map<string, { market: string; hub: string; block: string; sum: number; n: number }>()
  for (const [market, hub, block, month, price] of prices) {
    if (month < '2030-01-01' || month > '2035-12-01') continue
    const key = `${market}|${hub}|${block}`
    const entry = sums.get(key) ?? { market, hub, block, sum: 0, n: 0 }
    entry.sum += price
    entry.n++
    sums.set(key, entry)
  }
  return [...sums.values()].map((e) => ({ market: e.market, hub: e.hub, block: e.block, avg2030to2035: Math.round((e.sum / e.n) * 10_000) / 10_000 }))
}
