/**
 * The one place report numbers become text. The data functions round every figure once
 * (`round`); the HTML pages and the PDFs print them through these helpers, so both show the
 * same strings. Pure (no server imports): the hub's components may import it.
 */

/** Shown for a figure the data does not have (no RT price that day, no earlier curve, ...). */
export const MISSING = 'n/a'

/** A number rounded half away from zero to `decimals` places (2 for $/MWh). */
export function round(value: number, decimals = 2): number {
  const factor = 10 ** decimals
  const rounded = Math.sign(value) * Math.round(Math.abs(value) * factor + Number.EPSILON * factor) / factor
  return Object.is(rounded, -0) ? 0 : rounded
}

/** round() for a value that may be missing. */
export function roundOrNull(value: number | null | undefined, decimals = 2): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : round(value, decimals)
}

const grouped = new Map<number, Intl.NumberFormat>()
function numberFormat(decimals: number): Intl.NumberFormat {
  let f = grouped.get(decimals)
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true })
    grouped.set(decimals, f)
  }
  return f
}

/** A price in $/MWh with two decimals (`42.17`, `-3.05`, `1,204.50`), or n/a. */
export function formatPrice(value: number | null): string {
  return value === null ? MISSING : numberFormat(2).format(value)
}

/** A change with its sign (`+1.25`, `-0.40`, `0.00`), or n/a. */
export function formatChange(value: number | null): string {
  if (value === null) return MISSING
  const text = numberFormat(2).format(value)
  return value > 0 ? `+${text}` : text
}

/** A share in percent with one decimal (`99.8 %`), or n/a. */
export function formatPercent(value: number | null): string {
  return value === null ? MISSING : `${numberFormat(1).format(value)} %`
}

/** A quantity with a fixed number of decimals and thousands separators. */
export function formatNumber(value: number | null, decimals = 0): string {
  return value === null ? MISSING : numberFormat(decimals).format(value)
}

/** `2026-07-14` as `Tue 14 Jul 2026` (the date itself, no time zone involved). */
export function formatDay(date: string): string {
  const d = new Date(`${date}T12:00:00Z`)
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(d)
}

/** An instant as `2026-07-14 13:05 UTC`. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}
