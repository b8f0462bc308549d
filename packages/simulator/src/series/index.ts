/**
 * Every route of the series publishers (EIA's website and API, CARB), in the order the server
 * tries them: EIA-860M's folder before the rest of EIA's website, which answers 404 for every
 * other path under /eia/electricity/.
 */
import { createCarbRoute } from './carb.ts'
import { createEia860Route } from './eia860.ts'
import { createEiaApiRoute, type EiaApiOptions } from './eia-api.ts'
import { createEiaWwwRoute } from './eia-www.ts'
import type { SeriesRoute } from './types.ts'

export type SeriesRoutesOptions = { eiaApi?: EiaApiOptions }

export function createSeriesRoutes(options: SeriesRoutesOptions = {}): SeriesRoute[] {
  return [createEia860Route(), createEiaWwwRoute(), createEiaApiRoute(options.eiaApi), createCarbRoute()]
}

export type { SeriesRoute } from './types.ts'
export type { EiaApiOptions } from './eia-api.ts'
