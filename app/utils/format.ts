/** Number formatting for prices: fixed decimals, thousands separators, a real minus sign. */

const fixed2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const fixed0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

const MINUS = '\u2212'

/** "1,234.50", "−12.00"; an em dash for a missing value. */
export function formatPrice(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—'
  const text = fixed2.format(Math.abs(value))
  return value < 0 && text !== '0.00' ? `${MINUS}${text}` : text
}

/** A change with an explicit sign: "+1.25", "−0.40", "0.00". */
export function formatChange(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '—'
  const text = fixed2.format(Math.abs(value))
  if (text === '0.00') return text
  return `${value < 0 ? MINUS : '+'}${text}`
}

export function formatInteger(value: number): string {
  return fixed0.format(value)
}

/** Direction of a change, with a small dead band so 0.004 shows as flat. */
export function changeDirection(value: number | null | undefined): 'up' | 'down' | 'flat' | 'none' {
  if (value == null || !Number.isFinite(value)) return 'none'
  if (value >= 0.005) return 'up'
  if (value <= -0.005) return 'down'
  return 'flat'
}

const plain2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false })

/**
 * Plain machine-readable number for CSV: two decimals rounded exactly as formatPrice rounds
 * (Intl, not toFixed, which rounds 39.995 down), ASCII minus, empty when missing.
 */
export function csvNumber(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return ''
  const text = plain2.format(value)
  return text === '-0.00' ? '0.00' : text
}
