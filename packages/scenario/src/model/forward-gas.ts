/**
 * The Henry Hub forward curve a run prices gas with where its scenario says so, given as data
 * (issue 18: forward gas curves "feed the scenario engine's fuel inputs").
 *
 * A scenario opts in explicitly: `set fuel.gas = forward [from YYYY-MM]` (types.ts SetAssumption,
 * value null). Per month the gas path is (engine.ts `gasPath`): the history where it has the month;
 * else the `fuel.gas` set in force that month, which is either a number (with its escalation) or
 * `forward`, the curve's price of that month (`forwardLookup`: beyond the curve's last month its
 * last price); else the last historical price, flat. A scenario without a `forward` set never
 * reads the curve, whatever the context holds. Monte Carlo draws scale whatever the path is.
 *
 * The curve is named by its content (`forwardGasId`: curve, as-of date, months and prices), and
 * that id enters the base-data version only when a run has a curve (index.ts `baseDataVersionOf`);
 * the server gives a run the curve only when its scenario uses `forward`, so every other run keeps
 * the id it had before forward curves. Which build the months came from (build id, version) is the
 * server's provenance, kept beside the curve in the run's lineage: two builds with the same months
 * give the same numbers, so the same id.
 */
import { monthIndex } from '@carbon/curves'
import type { MonthKey } from '../types.ts'
import { canonicalJson, sha256Hex, VERSION_HEX } from './versions.ts'

/** A forward gas curve as the model takes it: Henry Hub $/MMBtu per month, months ascending. */
export type ForwardGasCurve = {
  /** The curve it was read from (the server's curve id, e.g. `GAS:HENRY_HUB`). */
  curve: string
  /** The curve's as-of (trade) date, YYYY-MM-DD. */
  asOf: string
  months: readonly { month: MonthKey; price: number }[]
}

const MONTH_KEY = /^\d{4}-(0[1-9]|1[0-2])$/
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/

/** Throws a RangeError naming `where` and the field when the curve's name or as-of date is not one. */
function checkHeader(forward: ForwardGasCurve, where: string): void {
  if (typeof forward.curve !== 'string' || forward.curve.length === 0 || /[\r\n]/.test(forward.curve)) {
    throw new RangeError(`${where}: curve must be one non-empty line, got ${JSON.stringify(forward.curve)}`)
  }
  if (typeof forward.asOf !== 'string' || !DATE.test(forward.asOf)) throw new RangeError(`${where}: asOf ${JSON.stringify(forward.asOf)} is not a date (YYYY-MM-DD)`)
}

/**
 * Throws a RangeError naming the entry (index, month, value) when `forward` is not a curve the
 * model can take: a named curve, an as-of date, months `YYYY-MM` strictly ascending (no repeats),
 * prices finite ($/MMBtu; a hub's forward may in principle be below zero, so no lower bound).
 * `where` names the curve in the message.
 */
export function checkForwardGas(forward: ForwardGasCurve, where: string): void {
  checkHeader(forward, where)
  let previous: string | null = null
  forward.months.forEach(({ month, price }, i) => {
    if (!MONTH_KEY.test(month)) throw new RangeError(`${where}: months[${i}].month ${JSON.stringify(month)} is not a month (YYYY-MM)`)
    if (previous !== null && month <= previous) throw new RangeError(`${where}: months[${i}].month ${month} does not come after ${previous} (months ascending, each once)`)
    if (!Number.isFinite(price)) throw new RangeError(`${where}: months[${i}] (${month}) price ${price} is not a price ($/MMBtu, finite)`)
    previous = month
  })
}

/**
 * The content address of a forward curve: sha256 prefix (16 hex) of the canonical JSON of
 * `{"asOf":d,"curve":c,"months":[{"month":"YYYY-MM","price":p},...]}` (months in order).
 */
export function forwardGasId(forward: ForwardGasCurve): string {
  const content = { curve: forward.curve, asOf: forward.asOf, months: forward.months.map(({ month, price }) => ({ month, price })) }
  return sha256Hex(canonicalJson(content)).slice(0, VERSION_HEX)
}

/** The price a curve gives any month ($/MMBtu). */
export type ForwardLookup = (month: MonthKey) => number

/**
 * The curve as the gas path reads it; null for no curve (or one without a month). A month's price
 * is the curve's own month. A month after the curve's last takes the last month's price: the curve
 * says nothing further (a build quotes to 2050-12, so only a shorter curve given by hand gets
 * there), and holding its last month invents the least. A month before the curve's first takes
 * the first month's price: such a month lies between the history's last month and the curve's
 * prompt month (a history that ends months before the curve's as-of date), and the prompt month is
 * the market's nearest word on it. A month missing inside a curve takes the month before it.
 */
export function forwardLookup(forward: ForwardGasCurve | null): ForwardLookup | null {
  if (!forward || forward.months.length === 0) return null
  const first = monthIndex(forward.months[0]!.month)
  const prices = new Float64Array(monthIndex(forward.months.at(-1)!.month) - first + 1).fill(Number.NaN)
  for (const { month, price } of forward.months) prices[monthIndex(month) - first] = price
  for (let i = 1; i < prices.length; i++) if (Number.isNaN(prices[i]!)) prices[i] = prices[i - 1]!
  return (month) => prices[Math.min(Math.max(monthIndex(month) - first, 0), prices.length - 1)]!
}
