/** Every route of the series publishers (EIA's website and API, CARB), in the order the server tries them. */
import { createCarbRoute } from './carb.ts'
import { createEiaApiRoute, type EiaApiOptions } from './eia-api.ts'
import { createEiaWwwRoute } from './eia-www.ts'
import type { SeriesRoute } from './types.ts'

export type SeriesRoutesOptions = { eiaApi?: EiaApiOptions }

export function createSeriesRoutes(options: SeriesRoutesOptions = {}): SeriesRoute[] {
  return [createEiaWwwRoute(), createEiaApiRoute(options.eiaApi), createCarbRoute()]
}

export type { SeriesRoute } from './types.ts'
export type { EiaApiOptions } from './eia-api.ts'
