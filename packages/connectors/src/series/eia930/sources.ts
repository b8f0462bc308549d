import type { SeriesSourceDefinition } from '../types.ts'
import { parseEia930FuelTypeData, parseEia930RegionData } from './rto.ts'

/** The EIA-930 fundamentals this package reads (printed by `npx carbon parse --help`). */
export const EIA930_SERIES_SOURCES = {
  'eia.930.region_data': {
    description:
      'EIA-930 hourly demand, demand forecast, net generation, interchange by balancing authority (EIA API v2 /v2/electricity/rto/region-data/data/, JSON, frequency=hourly): UTC, hour ending, MWh',
    product: 'GRID',
    verified: 'served',
    parse: parseEia930RegionData,
  },
  'eia.930.fuel_type_data': {
    description:
      'EIA-930 hourly net generation by balancing authority and energy source (EIA API v2 /v2/electricity/rto/fuel-type-data/data/, JSON, frequency=hourly): UTC, hour ending, MWh',
    product: 'GRID',
    verified: 'served',
    parse: parseEia930FuelTypeData,
  },
} as const satisfies Record<string, SeriesSourceDefinition>

export type Eia930SeriesSourceId = keyof typeof EIA930_SERIES_SOURCES
