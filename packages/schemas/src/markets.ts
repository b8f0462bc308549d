import type { MarketId, MarketRun } from './price-record.ts'

/**
 * Each market's own conventions. `timeZone` is the market's clock for trade days (MISO and IESO
 * publish in fixed EST all year, the others in their prevailing local time). The peak definition
 * is what the traded forward products use: hours ending `peakHourEndingFrom..peakHourEndingTo` in
 * `peakTimeZone`, on `peakDays` (ISO weekdays, 1 = Monday), excluding NERC holidays. Eastern
 * markets use the NERC/PJM-West 5x16 (HE 8-23 Eastern), ERCOT and SPP the 5x16 of Central time
 * (HE 7-22), CAISO its 6x16 (HE 7-22 Pacific, Monday-Saturday), Alberta its 6x16 (HE 8-23 Mountain,
 * Monday-Saturday), IESO its on-peak of HE 8-23 Eastern Standard Time on weekdays.
 */
export type MarketDefinition = {
  id: MarketId
  /** How the hub writes the id (ISONE is "ISO-NE"). */
  label: string
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
    label: 'MISO',
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
    label: 'CAISO',
    name: 'California ISO',
    timeZone: 'America/Los_Angeles',
    runs: ['DA', 'RT5', 'RT15'],
    peakTimeZone: 'America/Los_Angeles',
    peakHourEndingFrom: 7,
    peakHourEndingTo: 22,
    peakDays: [1, 2, 3, 4, 5, 6],
  },
  PJM: {
    id: 'PJM',
    label: 'PJM',
    name: 'PJM Interconnection',
    timeZone: 'America/New_York',
    runs: ['DA', 'RT5', 'RTH'],
    peakTimeZone: 'America/New_York',
    peakHourEndingFrom: 8,
    peakHourEndingTo: 23,
    peakDays: [1, 2, 3, 4, 5],
  },
  ERCOT: {
    id: 'ERCOT',
    label: 'ERCOT',
    name: 'Electric Reliability Council of Texas',
    timeZone: 'America/Chicago',
    runs: ['DA', 'RT15'],
    peakTimeZone: 'America/Chicago',
    peakHourEndingFrom: 7,
    peakHourEndingTo: 22,
    peakDays: [1, 2, 3, 4, 5],
  },
  SPP: {
    id: 'SPP',
    label: 'SPP',
    name: 'Southwest Power Pool',
    timeZone: 'America/Chicago',
    runs: ['DA', 'RT5'],
    peakTimeZone: 'America/Chicago',
    peakHourEndingFrom: 7,
    peakHourEndingTo: 22,
    peakDays: [1, 2, 3, 4, 5],
  },
  NYISO: {
    id: 'NYISO',
    label: 'NYISO',
    name: 'New York ISO',
    timeZone: 'America/New_York',
    runs: ['DA', 'RT5'],
    peakTimeZone: 'America/New_York',
    peakHourEndingFrom: 8,
    peakHourEndingTo: 23,
    peakDays: [1, 2, 3, 4, 5],
  },
  ISONE: {
    id: 'ISONE',
    label: 'ISO-NE',
    name: 'ISO New England',
    timeZone: 'America/New_York',
    runs: ['DA', 'RTH'],
    peakTimeZone: 'America/New_York',
    peakHourEndingFrom: 8,
    peakHourEndingTo: 23,
    peakDays: [1, 2, 3, 4, 5],
  },
  IESO: {
    id: 'IESO',
    label: 'IESO',
    name: 'Ontario IESO',
    timeZone: 'Etc/GMT+5',
    runs: ['DA', 'RT5'],
    peakTimeZone: 'Etc/GMT+5',
    peakHourEndingFrom: 8,
    peakHourEndingTo: 23,
    peakDays: [1, 2, 3, 4, 5],
  },
  AESO: {
    id: 'AESO',
    label: 'AESO',
    name: 'Alberta Electric System Operator',
    timeZone: 'America/Edmonton',
    runs: ['RTH'],
    peakTimeZone: 'America/Edmonton',
    peakHourEndingFrom: 8,
    peakHourEndingTo: 23,
    peakDays: [1, 2, 3, 4, 5, 6],
  },
}
