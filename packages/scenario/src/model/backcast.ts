/**
 * Backcast: the model run for a past year with that year's monthly Henry Hub prices (EIA file),
 * regional basis, coal and carbon prices, installed capacity, load and hydro from the base data's
 * `years` table, and base-data defaults for the rest (base-year money, no escalation).
 */
import { monthHours, monthRange } from '@carbon/curves'
import { SCENARIO_MARKETS, TECHNOLOGIES, type MonthKey, type ScenarioMarket, type Technology } from '../types.ts'
import type { MarketBase } from './base/types.ts'
import { dispatchMarket, type MarketInputs, type ModelContext } from './engine.ts'

/** Hours-weighted annual averages, $/MWh; atc = (onpeak x on-peak hours + offpeak x off-peak hours) / all hours. */
export type BackcastRow = { market: ScenarioMarket; hub: string; onpeak: number; offpeak: number; atc: number }

/** The `hub` of a market's row priced before hub factors (what a market-wide composite is compared with). */
export const SYSTEM_HUB = 'system'

function flat(n: number, v: number): Float64Array {
  return new Float64Array(n).fill(v)
}

/** The inputs of a past year for one market; throws when the base data or the gas history lacks it. */
export function backcastInputs(ctx: ModelContext, base: MarketBase, year: number): MarketInputs {
  const data = base.years[year]
  if (!data) throw new RangeError(`backcast ${year}: no base data for ${base.market} in ${year} (years: ${Object.keys(base.years).join(', ')})`)
  const months: MonthKey[] = monthRange(`${year}-01`, `${year}-12`)
  const gas = new Float64Array(12)
  for (let i = 0; i < 12; i++) {
    const price = ctx.historyByMonth.get(months[i]!)
    if (price === undefined) throw new RangeError(`backcast ${year}: the Henry Hub history has no price for ${months[i]}`)
    gas[i] = price
  }
  const shareSum = base.load.monthlyEnergyShare.reduce((a, b) => a + b, 0)
  const d = base.defaults
  const capacityMw = {} as Record<Technology, Float64Array>
  const vom = {} as Record<Technology, Float64Array>
  for (const t of TECHNOLOGIES) {
    capacityMw[t] = flat(12, data.capacityMw[t])
    vom[t] = flat(12, d.vom[t])
  }
  return {
    months,
    gas,
    basis: Float64Array.from(data.gasBasis),
    coal: flat(12, data.coal),
    uranium: flat(12, d.uranium),
    carbon: flat(12, data.carbon),
    vom,
    scarcityCap: flat(12, d.scarcityCap),
    reserveTarget: flat(12, d.reserveTarget),
    energyMwh: Float64Array.from(base.load.monthlyEnergyShare, (s) => (data.energyMwh * s) / shareSum),
    peakMw: Float64Array.from(base.load.monthlyPeakRatio, (r) => data.peakMw * r),
    capacityMw,
    hydroCf: Float64Array.from(data.hydroCf),
  }
}

/**
 * Hours-weighted annual averages of each hub's on-peak and off-peak prices for a past year, per
 * market its hubs (base-data order) then its SYSTEM_HUB row (the price before hub factors).
 */
export function backcastWith(ctx: ModelContext, year: number): BackcastRow[] {
  const rows: BackcastRow[] = []
  for (const market of SCENARIO_MARKETS) {
    const base = ctx.bases[market]
    const inputs = backcastInputs(ctx, base, year)
    const result = dispatchMarket(base, inputs)
    const hours = inputs.months.map((m) => ({ on: onpeakHours(base, m), off: offpeakHours(base, m) }))
    for (const hub of result.hubs) rows.push(annualRow(market, hub.hub, hub.onpeak, hub.offpeak, hours))
    const spec = base.hubs[0]!
    const unfactor = (p: Float64Array, factor: number) => p.map((v) => (v - spec.adder) / factor)
    const first = result.hubs[0]!
    rows.push(annualRow(market, SYSTEM_HUB, unfactor(first.onpeak, spec.onpeak), unfactor(first.offpeak, spec.offpeak), hours))
  }
  return rows
}

function annualRow(market: ScenarioMarket, hub: string, onpeak: ArrayLike<number>, offpeak: ArrayLike<number>, hours: readonly { on: number; off: number }[]): BackcastRow {
  let on = 0
  let off = 0
  let onH = 0
  let offH = 0
  for (let i = 0; i < hours.length; i++) {
    on += onpeak[i]! * hours[i]!.on
    off += offpeak[i]! * hours[i]!.off
    onH += hours[i]!.on
    offH += hours[i]!.off
  }
  return { market, hub, onpeak: on / onH, offpeak: off / offH, atc: (on + off) / (onH + offH) }
}

function onpeakHours(base: MarketBase, m: MonthKey): number {
  return monthHours(base.market, m).onpeak
}
function offpeakHours(base: MarketBase, m: MonthKey): number {
  return monthHours(base.market, m).offpeak
}
