/** Every route of the markets added after the pilot, in the order the server tries them. */
import { AESO_ROUTES } from './aeso.ts'
import { ERCOT_ROUTES } from './ercot.ts'
import { IESO_ROUTES } from './ieso.ts'
import { ISONE_ROUTES } from './isone.ts'
import { NYISO_ROUTES } from './nyiso.ts'
import { PJM_ROUTES } from './pjm.ts'
import { SPP_ROUTES } from './spp.ts'
import type { MarketRoute } from './types.ts'

export const MARKET_ROUTES: readonly MarketRoute[] = [
  ...PJM_ROUTES,
  ...ERCOT_ROUTES,
  ...SPP_ROUTES,
  ...NYISO_ROUTES,
  ...ISONE_ROUTES,
  ...IESO_ROUTES,
  ...AESO_ROUTES,
]
