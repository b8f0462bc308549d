import type { SeriesSourceDefinition } from '../types.ts'
import { parseWngsrLngPrices } from './wngsr-lng.ts'

/** The LNG series sources this package reads (printed by `npx carbon parse --help`). */
export const LNG_SERIES_SOURCES = {
  'eia.ng.wngsr_lng_prices': {
    description:
      'EIA WNGSR supplement LNG bullet (eia.gov/naturalgas/weekly/supplement/content/bullets_lng_2.html, HTML prose): TTF and JKM weekly averages, week ending the date given (year from the text, else from the YYYY-MM-DD fetch date in the file name), $/MMBtu nominal',
    product: 'LNG',
    verified: 'served',
    parse: parseWngsrLngPrices,
  },
} as const satisfies Record<string, SeriesSourceDefinition>

export type LngSeriesSourceId = keyof typeof LNG_SERIES_SOURCES
