import type { SeriesSourceDefinition } from '../types.ts'
import {
  DATAHUB_HH_DAILY_SOURCE,
  EIA_HH_DAILY_SOURCE,
  EIA_HH_MONTHLY_SOURCE,
  parseDatahubHenryHubDaily,
  parseEiaHenryHubDaily,
  parseEiaHenryHubMonthly,
} from './henry-hub.ts'

/**
 * The gas series this package reads. Only Henry Hub has a public publisher file: prices at the
 * other hubs of GAS_HUBS (ICE, NGI, Platts) are licensed, and EIA's ICE next-day workbooks stop
 * in 2017 (see fixtures/gas/README.md).
 */
export const GAS_SERIES_SOURCES = {
  [EIA_HH_MONTHLY_SOURCE]: {
    description: 'EIA RNGWHHDm.xls (eia.gov/dnav/ng/hist_xls/RNGWHHDm.xls): Henry Hub spot, monthly average, month of EIA\'s date (the 15th), $/MMBtu',
    product: 'GAS',
    verified: 'served',
    parse: parseEiaHenryHubMonthly,
  },
  [EIA_HH_DAILY_SOURCE]: {
    description: 'EIA RNGWHHDd.xls (eia.gov/dnav/ng/hist_xls/RNGWHHDd.xls): Henry Hub spot, daily, trading days, EIA\'s date as UTC midnight, $/MMBtu',
    product: 'GAS',
    verified: 'documented',
    parse: parseEiaHenryHubDaily,
  },
  [DATAHUB_HH_DAILY_SOURCE]: {
    description: 'datasets/natural-gas data/daily.csv (Date,Price; from EIA RNGWHHDd.xls): Henry Hub spot, daily, date as UTC midnight, $/MMBtu',
    product: 'GAS',
    verified: 'derived',
    parse: parseDatahubHenryHubDaily,
  },
} as const satisfies Record<string, SeriesSourceDefinition>

export type GasSeriesSourceId = keyof typeof GAS_SERIES_SOURCES
