import type { SeriesSourceDefinition } from '../types.ts'
import { parseRecPricesCsv, REC_PRICES_CSV_SOURCE } from './rec-prices-csv.ts'

/** The REC series sources this package reads (printed by `npx carbon parse --help`). */
export const REC_SERIES_SOURCES = {
  [REC_PRICES_CSV_SOURCE]: {
    description:
      'REC price quotes entered by users (our CSV layout: date,state,program,class,vintage,price,bid,ask,source_note; no publisher series exists): one quote per row, daily by quote date (no clock), $/MWh nominal, series REC.<STATE>.<CLASS>.<VINTAGE>',
    product: 'REC',
    verified: 'documented',
    parse: parseRecPricesCsv,
  },
} as const satisfies Record<string, SeriesSourceDefinition>

export type RecSeriesSourceId = keyof typeof REC_SERIES_SOURCES
