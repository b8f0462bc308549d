/**
 * For tests: what the real generator printed, averaged over seeds, to check a forecast of it
 * against (nothing here is used by the demo itself).
 */
import type { MonthKey } from '@carbon/curves'
import { isOnPeak, MARKETS, type MarketId } from '@carbon/schemas'
import { generateDemoPrices } from './generate.ts'

/** Mean over `seeds` of a node's realized DA on-peak and off-peak averages of a month, from the real generator. */
export function sampledMonthlyPrice(market: MarketId, node: string, month: MonthKey, seeds: readonly number[]) {
  const [year, mon] = month.split('-').map(Number) as [number, number]
  const localMonth = new Intl.DateTimeFormat('en-CA', { timeZone: MARKETS[market].peakTimeZone, year: 'numeric', month: '2-digit' })
  let onpeak = 0
  let offpeak = 0
  for (const seed of seeds) {
    const sums = { on: 0, nOn: 0, off: 0, nOff: 0 }
    for (const batch of generateDemoPrices({ end: new Date(Date.UTC(year, mon, 2)), days: 35, seed, nodes: [node], runs: ['DA'] })) {
      for (const record of batch) {
        const start = new Date(record.intervalStart)
        if (localMonth.format(start).slice(0, 7) !== month) continue
        if (isOnPeak(market, start)) {
          sums.on += record.lmp
          sums.nOn++
        } else {
          sums.off += record.lmp
          sums.nOff++
        }
      }
    }
    onpeak += sums.on / sums.nOn / seeds.length
    offpeak += sums.off / sums.nOff / seeds.length
  }
  return { onpeak, offpeak }
}

