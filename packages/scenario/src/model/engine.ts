/**
 * The fundamentals model: per market and month, load and supply from the base data and the
 * scenario's paths, dispatched over the month's representative hours (frames.ts), priced at the
 * marginal offer plus a scarcity adder, averaged per NERC block (hours-weighted), and carried to
 * each hub by its factor and adder. Deterministic: fixed loops in fixed order, no clock, no
 * randomness, no iteration over unordered collections.
 */
import { monthIndex, monthRange } from '@carbon/curves'
import {
  MODEL_FIRST_MONTH,
  MODEL_LAST_MONTH,
  SCENARIO_MARKETS,
  TECHNOLOGIES,
  type Assumptions,
  type MarketResult,
  type MonthKey,
  type ScenarioMarket,
  type ScenarioResult,
  type Technology,
} from '../types.ts'
import type { MarketBase } from './base/types.ts'
import { accumulateDispatch, buildStack, clearPrice, shapeHydro, shiftStorage, type Offer, type ScarcityCurve } from './dispatch.ts'
import { forwardLookup, type ForwardGasCurve, type ForwardLookup } from './forward-gas.ts'
import { monthFrame, REP_DAYS as REP_DAYS_IMPORTED } from './frames.ts'
import { allSetsFor, compoundIndex, setsFor, valuePath, type Path } from './paths.ts'
import { HOURS as HOURS_PER_DAY } from './profiles.ts'

/** Local copies of imported constants: hot loops read a local, not a module binding. */
const HOURS = HOURS_PER_DAY
const REP_DAYS = REP_DAYS_IMPORTED

export const ENGINE_VERSION = 'carbon-fundamentals/1.0.0'

/** Every month of a run, MODEL_FIRST_MONTH..MODEL_LAST_MONTH. */
export const MODEL_MONTHS: readonly MonthKey[] = Object.freeze(monthRange(MODEL_FIRST_MONTH, MODEL_LAST_MONTH))

/** Monthly Henry Hub history, $/MMBtu, months ascending: the bundled EIA RNGWHHDm workbook or a stored series (fuel-history.ts). */
export type FuelHistory = { release: string | null; months: readonly { month: MonthKey; price: number }[] }

/** What a run needs besides the scenario: base data, the gas history, the forward gas curve (if any) and the version ids. */
export type ModelContext = {
  bases: Record<ScenarioMarket, MarketBase>
  history: FuelHistory
  historyByMonth: ReadonlyMap<MonthKey, number>
  /** Last month of the history; months up to it use the history for gas. */
  historyLast: MonthKey | null
  /**
   * The Henry Hub forward curve `set fuel.gas = forward` follows (forward-gas.ts), null for none; its
   * price of any month (null for none). Read only where a scenario's forward set is in force.
   */
  forward: ForwardGasCurve | null
  forwardPrice: ForwardLookup | null
  baseDataVersion: string
}

/** Optional per-month multipliers over MODEL_MONTHS (Monte Carlo draws, sensitivities). */
export type RunOptions = { gas?: Float64Array; load?: Float64Array }

/** Everything the dispatch reads for one market, per month (paths over `months`). */
export type MarketInputs = {
  months: readonly MonthKey[]
  /** Henry Hub $/MMBtu and the regional basis to it. */
  gas: Path
  basis: Path
  coal: Path
  uranium: Path
  /** $/t CO2. */
  carbon: Path
  vom: Record<Technology, Path>
  scarcityCap: Path
  reserveTarget: Path
  energyMwh: Path
  peakMw: Path
  capacityMw: Record<Technology, Path>
  hydroCf: Path
}

export function createModelContext(
  bases: Record<ScenarioMarket, MarketBase>,
  history: FuelHistory,
  baseDataVersion: string,
  forward: ForwardGasCurve | null = null,
): ModelContext {
  const historyByMonth = new Map<MonthKey, number>()
  let historyLast: MonthKey | null = null
  for (const m of history.months) {
    historyByMonth.set(m.month, m.price)
    if (historyLast === null || monthIndex(m.month) > monthIndex(historyLast)) historyLast = m.month
  }
  return { bases, history, historyByMonth, historyLast, forward, forwardPrice: forwardLookup(forward), baseDataVersion }
}

function perTechnology(make: (t: Technology) => Path): Record<Technology, Path> {
  const out = {} as Record<Technology, Path>
  for (const t of TECHNOLOGIES) out[t] = make(t)
  return out
}

/**
 * Installed capacity per month: end of the base year + builds - retirements (scenario and announced), at least 0.
 * Exported for the fleet check (fleet.ts), which reads the same capacity at one month.
 */
export function capacityPaths(base: MarketBase, assumptions: Assumptions, months: readonly MonthKey[]): Record<Technology, Path> {
  const start = base.startCapacityMw
  const first = monthIndex(months[0]!)
  const steps: { technology: Technology; mw: number; at: number }[] = []
  for (const r of base.retirements) steps.push({ technology: r.technology, mw: -r.mw, at: monthIndex(r.at) })
  for (const c of assumptions.changes) {
    if (c.market === base.market) steps.push({ technology: c.technology, mw: c.kind === 'build' ? c.mw : -c.mw, at: monthIndex(c.at) })
  }
  return perTechnology((t) => {
    const out = new Float64Array(months.length)
    const mine = steps.filter((s) => s.technology === t)
    for (let k = 0; k < months.length; k++) {
      let mw = start[t]
      for (const s of mine) if (s.at <= first + k) mw += s.mw
      out[k] = Math.max(0, mw)
    }
    return out
  })
}

/**
 * Gas, per month: the EIA history for months it covers; else the scenario's `fuel.gas` set in
 * force: a number (escalated), or `forward`, the forward curve's price of the month (forward-gas.ts
 * `forwardLookup`, its last month held beyond it); else the last historical price, flat. A forward
 * set on a context without a curve is an Error: the run would silently price gas otherwise.
 */
function gasPath(ctx: ModelContext, assumptions: Assumptions, months: readonly MonthKey[], multiplier?: Float64Array): Path {
  const lastPrice = ctx.historyLast ? ctx.historyByMonth.get(ctx.historyLast)! : 3
  const sets = allSetsFor(assumptions, 'fuel.gas')
  const forward = sets.find((s) => s.value === null)
  if (forward && !ctx.forwardPrice) {
    throw new Error(`fuel.gas = forward (set by "${forward.scenario}") needs the run's Henry Hub forward curve, and this run has none`)
  }
  const curve = ctx.forwardPrice
  const out = valuePath(sets, months, () => lastPrice, null, curve && ((k) => curve(months[k]!)))
  for (let k = 0; k < months.length; k++) {
    const h = ctx.historyByMonth.get(months[k]!)
    if (h !== undefined) out[k] = h
    if (multiplier) out[k] = out[k]! * multiplier[k]!
  }
  return out
}

/** The scenario's paths for one market over MODEL_MONTHS. */
export function scenarioInputs(ctx: ModelContext, base: MarketBase, assumptions: Assumptions, options: RunOptions = {}): MarketInputs {
  const months = MODEL_MONTHS
  const M = base.market
  const d = base.defaults
  const year = base.years[base.baseYear]!
  const inflation = compoundIndex(valuePath(setsFor(assumptions, 'macro.inflation'), months, () => d.inflation))
  const globalCarbon = valuePath(setsFor(assumptions, 'policy.carbon'), months, () => d.carbon)
  const growthIndex = compoundIndex(valuePath(setsFor(assumptions, `load.${M}.growth`), months, () => d.growth))
  const peakSets = setsFor(assumptions, `load.${M}.peak`)
  const first = monthIndex(months[0]!)
  const shareSum = base.load.monthlyEnergyShare.reduce((a, b) => a + b, 0)
  const energyMwh = new Float64Array(months.length)
  const peakMw = new Float64Array(months.length)
  for (let k = 0; k < months.length; k++) {
    const m0 = (first + k) % 12
    let scale = growthIndex[k]!
    // load.M.peak = P* from F: the annual peak is P* at F and grows on from there
    let override: number | null = null
    for (const s of peakSets) {
      const from = monthIndex(s.from ?? MODEL_FIRST_MONTH)
      if (from <= first + k) override = s.value / (year.peakMw * growthAt(growthIndex, from - first))
    }
    if (override !== null) scale *= override
    const drawn = options.load ? options.load[k]! : 1
    energyMwh[k] = ((year.energyMwh * base.load.monthlyEnergyShare[m0]!) / shareSum) * scale * drawn
    peakMw[k] = year.peakMw * base.load.monthlyPeakRatio[m0]! * scale * drawn
  }
  const hydroCf = new Float64Array(months.length)
  for (let k = 0; k < months.length; k++) hydroCf[k] = year.hydroCf[(first + k) % 12]!
  return {
    months,
    gas: gasPath(ctx, assumptions, months, options.gas),
    basis: valuePath(setsFor(assumptions, `fuel.gas.basis.${M}`), months, () => d.gasBasis),
    coal: valuePath(setsFor(assumptions, 'fuel.coal'), months, () => d.coal),
    uranium: valuePath(setsFor(assumptions, 'fuel.uranium'), months, () => d.uranium),
    carbon: valuePath(setsFor(assumptions, `policy.carbon.${M}`), months, (k) => globalCarbon[k]!),
    vom: perTechnology((t) => valuePath(setsFor(assumptions, `power.${M}.${t}.vom`), months, (k) => d.vom[t] * inflation[k]!, inflation)),
    scarcityCap: valuePath(setsFor(assumptions, `power.${M}.scarcity_cap`), months, (k) => d.scarcityCap * inflation[k]!, inflation),
    reserveTarget: valuePath(setsFor(assumptions, `power.${M}.reserve_target`), months, () => d.reserveTarget),
    energyMwh,
    peakMw,
    capacityMw: capacityPaths(base, assumptions, months),
    hydroCf,
  }
}

/** Growth index at offset k from the first month (1 before it). */
function growthAt(index: Path, k: number): number {
  return k < 0 ? 1 : index[Math.min(k, index.length - 1)]!
}

/** Gas CHP run as must-take in month k: the base data's MW, at most the installed gas_ct capacity. */
export function chpMustRunMw(base: MarketBase, inputs: MarketInputs, k: number): number {
  return Math.min(base.gasChpMustRunMw, inputs.capacityMw.gas_ct[k]!)
}

/** The supply offers of one month (nuclear, thermal tranches, imports) with their marginal costs. */
export function monthOffers(base: MarketBase, inputs: MarketInputs, k: number, m0: number): Offer[] {
  const cap = (t: Technology) => inputs.capacityMw[t][k]!
  const gasDelivered = inputs.gas[k]! + inputs.basis[k]!
  const carbon = inputs.carbon[k]!
  const markup = 1 + base.offerMarkup
  const offers: Offer[] = [
    {
      technology: 'nuclear',
      mw: cap('nuclear') * base.availability.nuclear[m0]!,
      cost: inputs.uranium[k]! * base.nuclearHeatRate + inputs.vom.nuclear[k]!,
    },
  ]
  const chp = chpMustRunMw(base, inputs, k)
  for (const tr of base.tranches) {
    const isGas = tr.technology !== 'coal'
    const offered = tr.technology === 'gas_ct' ? cap('gas_ct') - chp : cap(tr.technology)
    const fuel = isGas ? gasDelivered : inputs.coal[k]!
    const co2 = isGas ? base.co2PerMmbtu.gas : base.co2PerMmbtu.coal
    offers.push({
      technology: tr.technology,
      mw: offered * tr.share * base.availability[tr.technology][m0]!,
      cost: (tr.heatRate * (fuel + carbon * co2) + inputs.vom[tr.technology][k]!) * markup,
    })
  }
  for (const im of base.imports) {
    const cost = im.kind === 'fixed' ? im.price : (im.heatRate * gasDelivered + im.adder) * markup
    offers.push({ technology: null, mw: im.mw * im.monthlyAvailability[m0]!, cost: cost + carbon * im.co2 })
  }
  return offers
}

type Scratch = {
  net: Float64Array
  charge: Float64Array
  discharge: Float64Array
  hydro: Float64Array
  load: Float64Array
  gen: Float64Array
}

function scratch(): Scratch {
  return {
    net: new Float64Array(HOURS),
    charge: new Float64Array(HOURS),
    discharge: new Float64Array(HOURS),
    hydro: new Float64Array(HOURS),
    load: new Float64Array(HOURS),
    gen: new Float64Array(TECHNOLOGIES.length),
  }
}

const T = Object.fromEntries(TECHNOLOGIES.map((t, i) => [t, i])) as Record<Technology, number>

/** Dispatch one market over its inputs' months: prices per hub and block, generation, margins. */
export function dispatchMarket(base: MarketBase, inputs: MarketInputs): MarketResult {
  const n = inputs.months.length
  const onSys = new Float64Array(n)
  const offSys = new Float64Array(n)
  const reserveMargin = new Float64Array(n)
  const generation = perTechnology(() => new Float64Array(n))
  const s = scratch()
  for (let k = 0; k < n; k++) {
    const frame = monthFrame(base, inputs.months[k]!)
    const m0 = frame.m0
    const stack = buildStack(monthOffers(base, inputs, k, m0))
    const vom = inputs.vom
    const curve: ScarcityCurve = {
      cap: inputs.scarcityCap[k]!,
      target: inputs.reserveTarget[k]!,
      exponent: base.scarcityExponent,
      floor: Math.min(vom.solar[k]!, vom.wind[k]!),
    }
    const solarMw = inputs.capacityMw.solar[k]!
    const windMw = inputs.capacityMw.wind[k]!
    const hydroMw = inputs.capacityMw.hydro[k]!
    const storageMw = inputs.capacityMw.storage[k]!
    const hydroFlat = hydroMw * inputs.hydroCf[k]! * (1 - base.hydroFlexShare)
    const hydroFlexPower = Math.max(0, hydroMw - hydroFlat)
    const hydroFlexEnergy = hydroMw * inputs.hydroCf[k]! * base.hydroFlexShare * HOURS
    const storageEnergy = storageMw * base.storage.durationHours
    const chpMw = chpMustRunMw(base, inputs, k)
    const mustRunMw = base.otherMustRunMw + chpMw
    const energy = inputs.energyMwh[k]!
    s.gen.fill(0)
    let onSum = 0
    let offSum = 0
    const priceAt = (residual: number, hour: number) => clearPrice(stack, residual, s.load[hour]!, curve)
    for (let d = 0; d < REP_DAYS; d++) {
      const r0 = d * HOURS
      for (let h = 0; h < HOURS; h++) {
        s.load[h] = energy * frame.loadPerMwh[r0 + h]!
        s.net[h] = s.load[h]! - solarMw * frame.solar[h]! - windMw * frame.wind[h]! - hydroFlat - mustRunMw
      }
      shapeHydro(s.net, hydroFlexPower, hydroFlexEnergy, s.hydro)
      for (let h = 0; h < HOURS; h++) s.net[h] = s.net[h]! - s.hydro[h]!
      shiftStorage(s.net, storageMw, storageEnergy, base.storage.efficiency, priceAt, s.charge, s.discharge)
      for (let h = 0; h < HOURS; h++) {
        const r = r0 + h
        const w = frame.weight[r]!
        const residual = s.net[h]! + s.charge[h]! - s.discharge[h]!
        const price = clearPrice(stack, residual, s.load[h]!, curve)
        if (frame.onpeak[r]) onSum += price * w
        else offSum += price * w
        accumulateDispatch(stack, residual, w, s.gen)
        const solar = solarMw * frame.solar[h]!
        const wind = windMw * frame.wind[h]!
        const variable = solar + wind
        const used = residual < 0 && variable > 0 ? Math.max(0, 1 + residual / variable) : 1
        s.gen[T.solar] = s.gen[T.solar]! + solar * used * w
        s.gen[T.wind] = s.gen[T.wind]! + wind * used * w
        s.gen[T.hydro] = s.gen[T.hydro]! + (hydroFlat + s.hydro[h]!) * w
        s.gen[T.storage] = s.gen[T.storage]! + s.discharge[h]! * w
        s.gen[T.gas_ct] = s.gen[T.gas_ct]! + chpMw * w
      }
    }
    onSys[k] = onSum / frame.onpeakHours
    offSys[k] = offSum / frame.offpeakHours
    for (const t of TECHNOLOGIES) generation[t][k] = s.gen[T[t]]!
    const ph = frame.peakRep % HOURS
    const peak = inputs.peakMw[k]!
    const available = stack.totalMw + storageMw + hydroMw + mustRunMw + solarMw * frame.solar[ph]! + windMw * frame.wind[ph]!
    reserveMargin[k] = (available - peak) / peak
  }
  return {
    market: base.market,
    hubs: base.hubs.map((hub) => ({
      hub: hub.hub,
      onpeak: onSys.map((p) => p * hub.onpeak + hub.adder),
      offpeak: offSys.map((p) => p * hub.offpeak + hub.adder),
    })),
    loadMwh: Float64Array.from(inputs.energyMwh),
    peakMw: Float64Array.from(inputs.peakMw),
    capacityMw: perTechnology((t) => Float64Array.from(inputs.capacityMw[t])),
    generationMwh: generation,
    reserveMargin,
    gasPrice: Float64Array.from(inputs.gas),
    carbonPrice: Float64Array.from(inputs.carbon),
  }
}

/** A full run of every market over MODEL_MONTHS. */
export function runScenarioWith(ctx: ModelContext, assumptions: Assumptions, options: RunOptions = {}): ScenarioResult {
  checkOptions(options)
  return {
    engine: ENGINE_VERSION,
    baseData: ctx.baseDataVersion,
    months: [...MODEL_MONTHS],
    markets: SCENARIO_MARKETS.map((m) => dispatchMarket(ctx.bases[m], scenarioInputs(ctx, ctx.bases[m], assumptions, options))),
  }
}

function checkOptions(options: RunOptions): void {
  for (const key of ['gas', 'load'] as const) {
    const a = options[key]
    if (!a) continue
    if (a.length !== MODEL_MONTHS.length) throw new RangeError(`options.${key}: expected ${MODEL_MONTHS.length} monthly multipliers (${MODEL_FIRST_MONTH}..${MODEL_LAST_MONTH}), found ${a.length}`)
    for (let k = 0; k < a.length; k++) {
      if (!Number.isFinite(a[k]!) || a[k]! <= 0) throw new RangeError(`options.${key}[${k}] (${MODEL_MONTHS[k]}): expected a positive finite multiplier, found ${a[k]}`)
    }
  }
}
