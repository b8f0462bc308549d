import type { SeriesSourceDefinition } from '../types.ts'
import { EIA_ICE_NEXT_DAY_GAS_SOURCE, parseEiaIceNextDayGas } from './next-day-gas.ts'

/** The ICE series sources this package reads (printed by `npx carbon parse --help`). */
export const ICE_SERIES_SOURCES = {
  [EIA_ICE_NEXT_DAY_GAS_SOURCE]: {
    description:
      'EIA ICE next-day gas workbook (eia.gov/electricity/wholesale, ice_natgas-YYYY .xlsx or .xls): daily by trade date (no clock; delivery dates as attributes), per hub weighted average, high and low $/MMBtu, volume MMBtu, trades count',
    product: 'GAS',
    verified: 'documented',
    parse: parseEiaIceNextDayGas,
  },
} as const satisfies Record<string, SeriesSourceDefinition>

export type IceSeriesSourceId = keyof typeof ICE_SERIES_SOURCES
