/**
 * The main North American natural gas trading hubs, as data: the series id their daily price is
 * stored under, their name as traded, the name EIA's ICE next-day workbooks give them, where they
 * are, the power market whose gas-fired plants they price, and what a price there is quoted in.
 *
 * Henry Hub (Erath, Louisiana; NYMEX futures delivery point) is the reference every other hub's
 * basis is taken against. Names in EIA's ICE files (`ice_ng_*.xls`/`ice_natgas-*.xlsx`,
 * https://www.eia.gov/electricity/wholesale/, column "Price hub") are spelled as those files spell
 * them: "Henry", "Algonquin Citygates", "TETCO-M3", "Chicago Citygates", "Malin",
 * "PG&E - Citygate", "Socal-Ehrenberg", "Socal-Citygate" (the eight EIA pairs with power hubs);
 * other hubs are not in those files (`eiaIceName: null`).
 */
import type { MarketId, SeriesId } from '@carbon/schemas'

export type GasHub = {
  /** The series id of the hub's price (`HENRY_HUB`); basis series append `_HH`. */
  id: SeriesId
  /** The hub's name as the trade writes it (record attribute `hub`). */
  name: string
  /** The hub's name in the "Price hub" column of EIA's ICE next-day gas workbooks, null when absent there. */
  eiaIceName: string | null
  /** Where the hub is: area and state or province. */
  region: string
  /** The power market whose gas-fired plants buy at this hub, null where no market of ours is priced by it. */
  market: MarketId | null
  /** The currency and energy unit a price is quoted in (AECO trades in Canadian dollars per gigajoule). */
  currency: 'USD' | 'CAD'
  energyUnit: 'MMBtu' | 'GJ'
  /** true for Henry Hub alone: the price basis is measured against. */
  reference: boolean
}

const usd = { currency: 'USD', energyUnit: 'MMBtu' } as const

/** The reference hub's series id. */
export const REFERENCE_HUB = 'HENRY_HUB'

export const GAS_HUBS: readonly GasHub[] = [
  // Henry Hub prices the whole continent; EIA pairs "Henry" with ERCOT North only for want of a Texas hub in its set.
  { id: 'HENRY_HUB', name: 'Henry Hub', eiaIceName: 'Henry', region: 'Gulf Coast, Louisiana', market: null, ...usd, reference: true },
  { id: 'ALGONQUIN_CITYGATES', name: 'Algonquin Citygates', eiaIceName: 'Algonquin Citygates', region: 'New England, Massachusetts', market: 'ISONE', ...usd, reference: false },
  { id: 'TRANSCO_Z6_NY', name: 'Transco Zone 6 NY', eiaIceName: null, region: 'New York City, New York', market: 'NYISO', ...usd, reference: false },
  { id: 'TETCO_M3', name: 'Tetco M3', eiaIceName: 'TETCO-M3', region: 'Mid-Atlantic, Pennsylvania and New Jersey', market: 'PJM', ...usd, reference: false },
  // Renamed from Dominion South (EIA, Today in Energy); same point.
  { id: 'EASTERN_GAS_SOUTH', name: 'Eastern Gas South', eiaIceName: null, region: 'Appalachia, Pennsylvania', market: 'PJM', ...usd, reference: false },
  // EIA pairs Chicago Citygates with its Midwest power hub (MISO Indiana); Chicago itself is in PJM's ComEd zone.
  { id: 'CHICAGO_CITYGATES', name: 'Chicago Citygates', eiaIceName: 'Chicago Citygates', region: 'Midwest, Illinois', market: 'MISO', ...usd, reference: false },
  { id: 'WAHA', name: 'Waha', eiaIceName: null, region: 'Permian Basin, West Texas', market: 'ERCOT', ...usd, reference: false },
  { id: 'KATY', name: 'Katy', eiaIceName: null, region: 'Gulf Coast, Texas (west of Houston)', market: 'ERCOT', ...usd, reference: false },
  { id: 'HOUSTON_SHIP_CHANNEL', name: 'Houston Ship Channel', eiaIceName: null, region: 'Gulf Coast, Texas (Port of Houston)', market: 'ERCOT', ...usd, reference: false },
  { id: 'NGPL_TXOK', name: 'NGPL TX-OK', eiaIceName: null, region: 'Mid-Continent, Texas and Oklahoma', market: 'SPP', ...usd, reference: false },
  { id: 'SOCAL_CITYGATE', name: 'SoCal Citygate', eiaIceName: 'Socal-Citygate', region: 'Southern California (Los Angeles Basin)', market: 'CAISO', ...usd, reference: false },
  // EIA pairs SoCal Border (Ehrenberg) with Palo Verde, a Southwest hub outside our markets.
  { id: 'SOCAL_EHRENBERG', name: 'SoCal Border (Ehrenberg)', eiaIceName: 'Socal-Ehrenberg', region: 'California-Arizona border', market: null, ...usd, reference: false },
  { id: 'PGE_CITYGATE', name: 'PG&E Citygate', eiaIceName: 'PG&E - Citygate', region: 'Northern California', market: 'CAISO', ...usd, reference: false },
  // Malin, Opal and Sumas price the Pacific Northwest and the Rockies, which have no market of ours (EIA pairs Malin with Mid-C).
  { id: 'MALIN', name: 'Malin', eiaIceName: 'Malin', region: 'Oregon-California border', market: null, ...usd, reference: false },
  { id: 'OPAL', name: 'Opal', eiaIceName: null, region: 'Rockies, Wyoming', market: null, ...usd, reference: false },
  { id: 'SUMAS', name: 'Sumas', eiaIceName: null, region: 'Pacific Northwest, Washington-British Columbia border', market: null, ...usd, reference: false },
  { id: 'AECO', name: 'AECO', eiaIceName: null, region: 'Alberta (NOVA system)', market: 'AESO', currency: 'CAD', energyUnit: 'GJ', reference: false },
]

/** The hub of a series id; throws for an id that is not a hub of {@link GAS_HUBS}. */
export function gasHub(id: string): GasHub {
  const hub = GAS_HUBS.find((h) => h.id === id)
  if (!hub) throw new Error(`not a gas hub: ${id} (see GAS_HUBS)`)
  return hub
}
