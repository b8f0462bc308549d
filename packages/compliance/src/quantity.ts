/**
 * Exact arithmetic at the boundary. Certificates are whole units (one REC = 1 MWh, one LCFS
 * credit = 1 MT CO2e): holdings and retirements are integers, and everything computed from them
 * is integer arithmetic, exact in a double below 2^53. The two inputs that are not counts (a
 * deficit in MT, retail sales in MWh, a percentage) are read as decimals with a fixed number of
 * places into BigInt, multiplied exactly and rounded once to whole units by the program's rule:
 * 1,000,000 MWh x 2.21 % is 22,100 RECs, where floating point gives 22100.000000000004 and a
 * round-up would ask for 22,101. Prices are rounded to whole cents when read; values are
 * integer cents, reported as dollars (cents / 100).
 */

/** Places kept of a deficit (MT) or of retail sales (MWh): kilograms, kilowatt-hours. */
export const QUANTITY_DECIMALS = 3
/** Places kept of a percentage (`2.2125` is 2.2125 %). */
export const PERCENT_DECIMALS = 4

/** How an obligation computed from deficits or retail sales becomes whole certificates. */
export type ObligationRounding = 'up' | 'nearest'

/** Largest magnitude read as a decimal (well inside the doubles whose `toFixed` is plain digits). */
const MAX_DECIMAL = 1e15

/**
 * `value` as an integer count of 10^-`decimals`, or null when it has more places than that (or is
 * not finite, or too large). `2.21` with 4 places is 22100n: the double nearest 2.21 prints as
 * `2.2100` and reads back as itself, which a value with a fifth place would not.
 */
export function scaledDecimal(value: number, decimals: number): bigint | null {
  if (!Number.isFinite(value) || Math.abs(value) >= MAX_DECIMAL) return null
  const text = value.toFixed(decimals)
  if (Number(text) !== value) return null
  return BigInt(text.replace('.', ''))
}

/** Whether `value` has at most `decimals` places (see {@link scaledDecimal}). */
export function hasAtMostDecimals(value: number, decimals: number): boolean {
  return scaledDecimal(value, decimals) !== null
}

/** `numerator / denominator` (both >= 0, denominator > 0) rounded to an integer by `rounding`. */
export function divideRounded(numerator: bigint, denominator: bigint, rounding: ObligationRounding): bigint {
  if (rounding === 'up') return (numerator + denominator - 1n) / denominator
  return (2n * numerator + denominator) / (2n * denominator)
}

/** Whole units of a decimal quantity (a deficit in MT) rounded by `rounding`. */
export function wholeUnits(quantity: bigint, rounding: ObligationRounding): number {
  return Number(divideRounded(quantity, 10n ** BigInt(QUANTITY_DECIMALS), rounding))
}

/**
 * Whole units of `retail` (MWh, scaled by QUANTITY_DECIMALS) x `percent` (scaled by
 * PERCENT_DECIMALS, in percent), rounded once by `rounding`.
 */
export function unitsOfShare(retail: bigint, percent: bigint, rounding: ObligationRounding): number {
  const denominator = 10n ** BigInt(QUANTITY_DECIMALS + PERCENT_DECIMALS) * 100n
  return Number(divideRounded(retail * percent, denominator, rounding))
}

/**
 * A price in $/unit as whole cents, half a cent rounded up. The product by 100 is first cut to
 * 15 significant digits so binary noise does not decide the half: 1.005 x 100 is
 * 100.49999999999999 in floating point, but the price written was 1.005, so 101 cents.
 */
export function toCents(price: number): number {
  return Math.round(Number((price * 100).toPrecision(15)))
}

/** `units` x `cents` in dollars: the product exact (BigInt), then the nearest double of the cent amount. */
export function dollarsOf(units: number, cents: number): number {
  return Number(BigInt(units) * BigInt(cents)) / 100
}
