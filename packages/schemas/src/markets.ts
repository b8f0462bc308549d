import type { MarketId, MarketRun } from './price-record.ts'

/**
 * Each market's own conventions. `timeZone` is the market's clock for trade days (MISO publishes
 * in fixed EST, CAISO in Pacific prevailing time). The peak definition is what the traded forward
 * products use: hours ending `peakHourEndingFrom..peakHourEndingTo` in `peakTimeZone` prevailing
 * time, on `peakDays` (ISO weekdays, 1 = Monday), excluding NERC holidays.
 */
export type MarketDefinition = {
  id: MarketId
  name: string
  timeZone: string
  runs: readonly MarketRun[]
  peakTimeZone: string
  peakHourEndingFrom: number
  peakHourEndingTo: number
  peakDays: readonly number[]
}

export const MARKETS: Record<MarketId, MarketDefinition> = {
  MISO: {
    id: 'MISO',
    name: 'Midcontinent ISO',
    timeZone: 'Etc/GMT+5',
    runs: ['DA', 'RT5', 'RTH'],
    peakTimeZone: 'America/New_York',
    peakHourEndingFrom: 8,
    peakHourEndingTo: 23,
    peakDays: [1, 2, 3, 4, 5],
  },
  CAISO: {
    id: 'CAISO',
    name: 'California ISO',
    timeZone: 'America/Los_Angeles',
    runs: ['DA', 'RT5', 'RT15'],
    peakTimeZone: 'America/Los_Angeles',
    peakHourEndingFrom: 7,
    peakHourEndingTo: 22,
    peakDays: [1, 2, 3, 4, 5, 6],
  },
}
