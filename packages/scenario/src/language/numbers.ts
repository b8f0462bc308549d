/**
 * Numbers of the language: written as decimals (`5.50`, `-0.25`, `.5`, `+2`; no exponent, no
 * thousands separator), printed in the canonical form as the shortest decimal that reads back to the
 * same double (JavaScript's shortest round trip), without exponent, trailing zeros or `-0`.
 * Percentages (`%/yr`, `%`) are held as fractions (2 %/yr -> 0.02) and printed as the shortest
 * percentage that divides back to the same fraction.
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/

/** True when `text` is a number as the language writes them. */
export function isNumberText(text: string): boolean {
  return DECIMAL.test(text)
}

/** The value of a number token, or undefined when it is not one (or not finite: too many digits). */
export function parseNumberText(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined
  const value = Number(text)
  return Number.isFinite(value) ? value : undefined
}

/** `1e21` -> `1000000000000000000000`, `1.5e-7` -> `0.00000015`: the digits of JavaScript's shortest form, without exponent. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`)
  if (value === 0) return '0'
  const shortest = String(value)
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest)
  if (!match) return shortest
  const [, sign, whole, fraction = '', exponentText] = match
  const digits = whole! + fraction
  const point = whole!.length + Number(exponentText)
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

/** The percentage as written for a fraction read from it (`percent / 100`). */
export function fractionFromPercent(percent: number): number {
  return percent / 100
}

/** The double just above (`up`) or below `x`. */
function nextDouble(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const bits = view.getBigUint64(0)
  view.setBigUint64(0, x > 0 === up ? bits + 1n : bits - 1n)
  return view.getFloat64(0)
}

/**
 * The shortest percentage text whose value divided by 100 is exactly `fraction`: among the doubles
 * next to `fraction * 100` (the product may be off by a rounding step), the one with the shortest
 * printed form that maps back. 0.07 -> `7` (though 0.07 * 100 is 7.000000000000001). Every fraction
 * read from a percentage (`Number(text) / 100`) has one.
 */
export function formatPercent(fraction: number): string {
  const product = fraction * 100
  const candidates = [product]
  let below = product
  let above = product
  for (let i = 0; i < 4; i++) {
    below = nextDouble(below, false)
    above = nextDouble(above, true)
    candidates.push(below, above)
  }
  let best: string | undefined
  for (const candidate of candidates) {
    if (!Number.isFinite(candidate)) continue
    const text = formatNumber(candidate)
    if (fractionFromPercent(Number(text)) !== fraction) continue
    if (best === undefined || text.length < best.length) best = text
  }
  // A fraction no percentage divides to exactly (possible only for Assumptions built by hand, never
  // for parsed ones) prints as its nearest percentage.
  if (best === undefined) return formatNumber(product)
  return best
}
