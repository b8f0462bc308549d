import { MarketId } from '@carbon/schemas'
import { getPlatform } from '#server/platform.ts'
import { entitledMarkets } from '#server/services/auth/entitlements.ts'
import type { Principal } from '#server/services/auth/types.ts'

/**
 * The markets a signed-in user's hub shows (entitled through the hub channel), in the hub's order
 * (MarketId's). The nav bar lists them; a market added later appears once an administrator grants it.
 */
export async function hubMarkets(principal: Principal): Promise<MarketId[]> {
  const platform = await getPlatform()
  const entitled = new Set(await entitledMarkets(platform.pg.db, principal, 'hub'))
  return MarketId.options.filter((m) => entitled.has(m))
}
