/**
 * Merit-order clearing of one hour, storage shifting and hydro shaping over a representative day.
 * Pure functions over plain arrays so they can be tested on hand-built stacks.
 */
import { TECHNOLOGIES, type Technology } from '../types.ts'
import { HOURS as HOURS_PER_DAY } from './profiles.ts'

/** Local copies of imported constants: hot loops read a local, not a module binding. */
const HOURS = HOURS_PER_DAY

/** One block of supply: `mw` available at `cost` $/MWh; technology null = imports. */
export type Offer = { technology: Technology | null; mw: number; cost: number }

/** Offers sorted by cost (ties by their order in the input), as parallel arrays. */
export type Stack = {
  n: number
  cost: Float64Array
  mw: Float64Array
  /** Index into TECHNOLOGIES, -1 for imports. */
  tech: Int8Array
  totalMw: number
}

/** Scarcity pricing: adder = cap x ((target - margin) / target)^exponent while the hour's margin is below target. */
export type ScarcityCurve = { cap: number; target: number; exponent: number; floor: number }

/** Sort offers into a stack. Insertion sort on (cost, input index): deterministic, and n is small. */
export function buildStack(offers: readonly Offer[]): Stack {
  const n = offers.length
  const order = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let j = i
    while (j > 0 && offers[order[j - 1]!]!.cost > offers[i]!.cost) {
      order[j] = order[j - 1]!
      j--
    }
    order[j] = i
  }
  const stack: Stack = { n, cost: new Float64Array(n), mw: new Float64Array(n), tech: new Int8Array(n), totalMw: 0 }
  let total = 0
  for (let k = 0; k < n; k++) {
    const o = offers[order[k]!]!
    stack.cost[k] = o.cost
    stack.mw[k] = Math.max(0, o.mw)
    stack.tech[k] = o.technology === null ? -1 : TECHNOLOGIES.indexOf(o.technology)
    total += stack.mw[k]!
  }
  stack.totalMw = total
  return stack
}

/** The scarcity adder at a margin (fraction of load still available above the hour's residual demand). */
export function scarcityAdder(margin: number, curve: ScarcityCurve): number {
  if (margin >= curve.target) return 0
  if (margin <= 0) return curve.cap
  return curve.cap * Math.pow((curve.target - margin) / curve.target, curve.exponent)
}

/**
 * Price of an hour whose load is `load` MW and whose residual demand on the stack (load less
 * must-take supply, plus storage charging, less storage and hydro discharge) is `residual` MW:
 * the cost of the marginal offer plus the scarcity adder, at most the cap; the cap when load is
 * unserved; the floor when must-take supply covers the load.
 */
export function clearPrice(stack: Stack, residual: number, load: number, curve: ScarcityCurve): number {
  if (residual <= 0) return curve.floor
  if (residual > stack.totalMw) return curve.cap
  let cum = 0
  let cost = curve.floor
  for (let k = 0; k < stack.n; k++) {
    cum += stack.mw[k]!
    cost = stack.cost[k]!
    if (residual <= cum) break
  }
  const margin = load > 0 ? (stack.totalMw - residual) / load : 1
  return Math.min(curve.cap, cost + scarcityAdder(margin, curve))
}

/** Adds each offer's dispatch (MW x hours) at `residual` to `out` per technology index (imports skipped). */
export function accumulateDispatch(stack: Stack, residual: number, hours: number, out: Float64Array): void {
  let left = residual
  for (let k = 0; k < stack.n && left > 0; k++) {
    const take = Math.min(left, stack.mw[k]!)
    left -= take
    const t = stack.tech[k]!
    if (t >= 0) out[t] = out[t]! + take * hours
  }
}

/** Steps the daily energy of storage and hydro is placed in (finer = flatter, slower). */
export const ENERGY_STEPS = 16

/**
 * Storage over one representative day (treated as a cycle, like a daily schedule repeated):
 * move the energy in ENERGY_STEPS steps; each step discharges into the hour with the highest
 * residual load (load less must-take supply and moves so far) and charges in the hour with the
 * lowest, so the top of the day is levelled down and the bottom levelled up. Limits: power per
 * hour (discharge and charge), discharge per day <= energyMwh, charge = discharge / efficiency,
 * no hour both charges and discharges, never discharge below zero residual, and never so much
 * that the two hours cross. A step is taken only when it pays, judged at the middle of the move
 * (the average price along it): price(high - s/2) x efficiency > price(low + s/(2 efficiency)) +
 * $0.01, trying the step and its half. Writes charge and discharge MW per hour.
 */
export function shiftStorage(
  net: Float64Array,
  powerMw: number,
  energyMwh: number,
  efficiency: number,
  priceAt: (residual: number, hour: number) => number,
  charge: Float64Array,
  discharge: Float64Array,
): void {
  charge.fill(0)
  discharge.fill(0)
  if (powerMw <= 0 || energyMwh <= 0) return
  const chunk = energyMwh / ENERGY_STEPS
  const residual = RESIDUAL
  residual.set(net)
  let left = energyMwh
  while (left > 1e-9) {
    let hi = -1
    let lo = -1
    let rHi = -Infinity
    let rLo = Infinity
    for (let h = 0; h < HOURS; h++) {
      const r = residual[h]!
      if (r > rHi && charge[h] === 0 && discharge[h]! < powerMw) {
        hi = h
        rHi = r
      }
      if (r < rLo && discharge[h] === 0 && charge[h]! < powerMw) {
        lo = h
        rLo = r
      }
    }
    if (hi < 0 || lo < 0 || hi === lo) return
    let step = Math.min(chunk, left, powerMw - discharge[hi]!, (powerMw - charge[lo]!) * efficiency, rHi, (rHi - rLo) / (1 + 1 / efficiency))
    if (step <= 1e-9) return
    if (!(priceAt(rHi - step / 2, hi) * efficiency > priceAt(rLo + step / (2 * efficiency), lo) + 0.01)) {
      step /= 2
      if (!(priceAt(rHi - step / 2, hi) * efficiency > priceAt(rLo + step / (2 * efficiency), lo) + 0.01)) return
    }
    discharge[hi] = discharge[hi]! + step
    charge[lo] = charge[lo]! + step / efficiency
    residual[hi] = rHi - step
    residual[lo] = rLo + step / efficiency
    left -= step
  }
}

const RESIDUAL = new Float64Array(HOURS)

/**
 * Flexible hydro: its daily energy in ENERGY_STEPS steps, each into the hour with the highest
 * residual load (levelling the top of the day), at most `powerMw` an hour, never below zero residual.
 */
export function shapeHydro(net: Float64Array, powerMw: number, energyMwh: number, out: Float64Array): void {
  out.fill(0)
  if (powerMw <= 0 || energyMwh <= 0) return
  const chunk = energyMwh / ENERGY_STEPS
  let left = energyMwh
  while (left > 1e-9) {
    let hi = -1
    for (let h = 0; h < HOURS; h++) {
      if (out[h]! < powerMw && (hi < 0 || net[h]! - out[h]! > net[hi]! - out[hi]!)) hi = h
    }
    if (hi < 0) return
    const step = Math.min(chunk, left, powerMw - out[hi]!, net[hi]! - out[hi]!)
    if (step <= 1e-9) return
    out[hi] = out[hi]! + step
    left -= step
  }
}
