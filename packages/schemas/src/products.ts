import { z } from 'zod'
import { MarketId } from './price-record.ts'
import { ENTITLED_PRODUCTS, type EntitledProduct } from './series-record.ts'

/**
 * The products beside power prices, entitled per channel like a market (docs/decisions/023).
 * `timeZone` is the clock their dates are read in (a gas day's trade date, CARB's reporting
 * month); `kind` groups them in the hub.
 */
export type ProductDefinition = {
  id: EntitledProduct
  label: string
  name: string
  kind: 'commodity' | 'environmental'
  timeZone: string
}

export const PRODUCTS: Record<EntitledProduct, ProductDefinition> = {
  GAS: { id: 'GAS', label: 'Gas', name: 'Natural gas hubs (Henry Hub and basis)', kind: 'commodity', timeZone: 'America/Chicago' },
  LNG: { id: 'LNG', label: 'LNG', name: 'LNG: JKM, TTF and basis to Henry Hub', kind: 'commodity', timeZone: 'America/New_York' },
  LCFS: { id: 'LCFS', label: 'LCFS', name: 'California Low Carbon Fuel Standard credits', kind: 'environmental', timeZone: 'America/Los_Angeles' },
  REC: { id: 'REC', label: 'RECs', name: 'Renewable energy certificates', kind: 'environmental', timeZone: 'America/New_York' },
}

/**
 * What data is entitled, ingested and dead-lettered under: a market or a product beside power
 * (GRID series go with their market). The Postgres `data_keys` table holds the same ids.
 */
export const DataKey = z.enum([...MarketId.options, ...ENTITLED_PRODUCTS])
export type DataKey = z.infer<typeof DataKey>

/** Whether a data key is a power market (else a product). */
export function isMarketKey(key: DataKey): key is MarketId {
  return (MarketId.options as readonly string[]).includes(key)
}
