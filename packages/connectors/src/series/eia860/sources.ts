import type { SeriesSourceDefinition } from '../types.ts'
import { EIA860M_GENERATORS_SOURCE, parseEia860mGenerators } from './generators.ts'

/** The EIA-860M capacity source this package reads (printed by `npx carbon parse --help`). */
export const EIA860_SERIES_SOURCES = {
  [EIA860M_GENERATORS_SOURCE]: {
    description:
      'EIA-860M monthly generator inventory (www.eia.gov/electricity/data/eia860m/xls/{month}_generator{year}.xlsx), sheet "Operating": operable (OP, SB, OA, OS) nameplate and net summer MW and generator count per balancing authority and technology, as of the month in the file name',
    product: 'GRID',
    verified: 'documented',
    spansMarkets: true,
    inventory: true,
    parse: (bytes, file) => parseEia860mGenerators(bytes, file),
  },
} as const satisfies Record<string, SeriesSourceDefinition>

export type Eia860SeriesSourceId = keyof typeof EIA860_SERIES_SOURCES
