/** Every route of the markets added after the pilot, in the order the server tries them. */
import type { MarketRoute } from './types.ts'

export const MARKET_ROUTES: readonly MarketRoute[] = []
