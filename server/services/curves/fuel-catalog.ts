import { GAS_HUBS } from '@carbon/connectors'
import type { FuelCommodity } from '@carbon/curves'

/** The products fuel curves are entitled under (data keys, docs/decisions/023). */
export type FuelProduct = 'GAS' | 'LNG'

/** One fuel curve of the catalogue: the product it is entitled under, its name within it, what it prices and in what. */
export type FuelCurveDefinition = { product: FuelProduct; curve: string; name: string; commodity: FuelCommodity; unit: string }

/** The unit of a gas hub's curve: what its prices are quoted in (AECO trades in CAD per GJ). */
function gasUnit(hub: (typeof GAS_HUBS)[number]): string {
  return `${hub.currency}/${hub.energyUnit}`
}

/**
 * The fuel curves (issue 18): one gas curve per hub of GAS_HUBS (Henry Hub first) under GAS, and
 * the LNG basis curves JKM - Henry Hub and TTF - Henry Hub under LNG. A fuel curve exists only here:
 * unlike a power hub, no build creates one.
 */
export const FUEL_CURVES: readonly FuelCurveDefinition[] = [
  ...[...GAS_HUBS]
    .sort((a, b) => Number(b.reference) - Number(a.reference))
    .map((hub) => ({ product: 'GAS' as const, curve: hub.id, name: `${hub.name} gas`, commodity: 'gas' as const, unit: gasUnit(hub) })),
  { product: 'LNG', curve: 'JKM-HH', name: 'JKM - Henry Hub basis', commodity: 'lng_basis', unit: 'USD/MMBtu' },
  { product: 'LNG', curve: 'TTF-HH', name: 'TTF - Henry Hub basis', commodity: 'lng_basis', unit: 'USD/MMBtu' },
]

/** The curves table's id of a fuel curve: `GAS:HENRY_HUB`, `LNG:JKM-HH`. */
export function fuelCurveId(product: FuelProduct, curve: string): string {
  return `${product}:${curve}`
}

/** The catalogue's definition of a curve, or undefined. */
export function fuelCurveDefinition(product: FuelProduct, curve: string): FuelCurveDefinition | undefined {
  return FUEL_CURVES.find((c) => c.product === product && c.curve === curve)
}
