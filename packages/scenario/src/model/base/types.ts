/**
 * The shape of a market's base data: every number the model reads that does not come from a
 * scenario. One module per market (miso.ts, caiso.ts) fills it; SOURCES.md names the publication
 * and year of each number. Arrays of 12 are by calendar month (index 0 = January).
 */
import type { ScenarioMarket, Technology } from '../../types.ts'
import type { MeasuredMonth } from '../load-shapes.ts'

/** Thermal technologies split into heat-rate tranches. */
export type TrancheTechnology = 'gas_cc' | 'gas_ct' | 'coal'

/** A slice of a thermal technology's fleet: `share` of its capacity at `heatRate` MMBtu/MWh. */
export type TrancheSpec = { technology: TrancheTechnology; share: number; heatRate: number }

/**
 * Imports as price-responsive supply (not a technology: they are not in the capacity/generation
 * output). `fixed` is offered at `price` $/MWh; `gas` at heatRate x delivered gas + `adder`.
 * Both carry `co2` t/MWh (the carbon price applies to imports where the market prices carbon).
 */
export type ImportSpec =
  | { name: string; kind: 'fixed'; mw: number; price: number; co2: number; monthlyAvailability: readonly number[] }
  | { name: string; kind: 'gas'; mw: number; heatRate: number; adder: number; co2: number; monthlyAvailability: readonly number[] }

/** Hub price = system price x factor (per block) + adder. */
export type HubSpec = { hub: string; onpeak: number; offpeak: number; adder: number }

/** What differs by historical year (the base year and the backcast years). */
export type YearData = {
  /** Annual energy (MWh) and annual peak (MW) of the market's load. */
  energyMwh: number
  peakMw: number
  /** Capacity by technology in service on average during the year, MW (what a backcast dispatches). */
  capacityMw: Record<Technology, number>
  /** Regional gas basis to Henry Hub per month, $/MMBtu. */
  gasBasis: readonly number[]
  /** Delivered coal $/MMBtu, carbon $/t (annual averages). */
  coal: number
  carbon: number
  /** Hydro capacity factor per month for that year's water. */
  hydroCf: readonly number[]
}

/** Defaults for every target the base scenario may leave unset. */
export type TargetDefaults = {
  gasBasis: number
  coal: number
  oil: number
  uranium: number
  carbon: number
  growth: number
  inflation: number
  scarcityCap: number
  reserveTarget: number
  vom: Record<Technology, number>
}

export type LoadShapeSpec = {
  /** Share of annual energy in each month (normalized to 1 when used). */
  monthlyEnergyShare: readonly number[]
  /** Month's peak / annual peak. */
  monthlyPeakRatio: readonly number[]
  /** 0 (winter shape) .. 1 (summer shape) per month. */
  summerWeight: readonly number[]
  /** Heights of the shape's Gaussian bumps (relative to a flat 1). */
  morning: number
  evening: number
  afternoon: number
  night: number
  /** Midday dip from behind-the-meter solar (x the solar profile). */
  btmSolar: number
  /** Off-peak-day (weekend, holiday) load relative to a peak day. */
  offDayFactor: number
  /** Hours from the market's local time to its peak time zone (MISO: Central -> Eastern = +1). */
  tzShift: number
}

export type MarketBase = {
  market: ScenarioMarket
  /** The year whose load (and, for hydro, water) the forward run starts from. */
  baseYear: number
  /** Installed capacity at the end of the base year: where the forward run's capacity starts. */
  startCapacityMw: Record<Technology, number>
  years: Record<number, YearData>
  load: LoadShapeSpec
  /**
   * Measured representative days (EIA-930 demand, load-shapes.ts) for the calendar months they
   * cover, in place of `load`'s shape; never in the built-in tables, only in a run's context.
   */
  measuredLoad?: readonly MeasuredMonth[]
  solar: { latitude: number; cf: readonly number[] }
  wind: { cf: readonly number[]; diurnalAmplitude: number; peakHour: number }
  /** Share of hydro energy that is shaped to the net-load peak (the rest runs flat). */
  hydroFlexShare: number
  /** Available fraction of installed thermal capacity by month (maintenance seasons, forced outages). */
  availability: Record<'gas_cc' | 'gas_ct' | 'coal' | 'nuclear', readonly number[]>
  tranches: readonly TrancheSpec[]
  nuclearHeatRate: number
  /** CO2 per MMBtu burned, t. */
  co2PerMmbtu: { gas: number; coal: number; oil: number }
  storage: { durationHours: number; efficiency: number }
  /** Must-take supply outside the technologies (geothermal, biomass, small QFs), MW, flat. */
  otherMustRunMw: number
  /**
   * Gas-fired CHP (qualifying facilities) that runs to its thermal host's schedule, not to price:
   * MW of the installed gas_ct capacity taken out of the offers and run flat as must-take (at most
   * the month's gas_ct capacity), reported as gas_ct generation.
   */
  gasChpMustRunMw: number
  imports: readonly ImportSpec[]
  /** Announced retirements (applied to every scenario), MW at month. */
  retirements: readonly { technology: Technology; mw: number; at: string; note: string }[]
  hubs: readonly HubSpec[]
  defaults: TargetDefaults
  /**
   * Markup on the marginal cost of fossil offers (thermal tranches, gas-indexed imports): start-up
   * and no-load costs recovered through offers, and real-time volatility the representative hours
   * smooth away. A calibrated parameter (docs/decisions/013-scenario-model.md).
   */
  offerMarkup: number
  /** Scarcity curve exponent (adder = cap x ((target - margin) / target)^exponent). */
  scarcityExponent: number
}
