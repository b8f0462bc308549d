/**
 * Numbers the way each publisher writes them, from whole units (no float formatting, so no
 * `0.30000000000000004` and no `-0`):
 *
 *   MISO DA market report   cents -> `.92`, `-.94`, `29.9`, `29`, `0`   (no leading zero, trailing zeros dropped)
 *   MISO RT report and API  cents -> `0.92`, `-0.08`, `16.30`, `0.00`   (always two decimals)
 *   CAISO OASIS             1e-5  -> `55.5152`, `48.61367`, `-3.1`, `0` (up to five decimals, trailing zeros dropped)
 */

function split(units: number, per: number): { sign: string; int: number; frac: number } {
  const abs = Math.abs(units)
  return { sign: units < 0 ? '-' : '', int: Math.floor(abs / per), frac: abs % per }
}

/** MISO day-ahead report style: `.92`, `-.94`, `29.9`, `29`, `0`. */
export function misoDaNumber(cents: number): string {
  if (cents === 0) return '0'
  const { sign, int, frac } = split(cents, 100)
  const whole = int === 0 ? '' : String(int)
  if (frac === 0) return `${sign}${whole}`
  const digits = String(frac).padStart(2, '0')
  return `${sign}${whole}.${digits.endsWith('0') ? digits[0] : digits}`
}

/** MISO real-time report and API style: two decimals, `0.92`, `-0.08`, `0.00`. */
export function fixed2(cents: number): string {
  const { sign, int, frac } = split(cents, 100)
  return `${cents === 0 ? '' : sign}${int}.${String(frac).padStart(2, '0')}`
}

/** CAISO OASIS style: up to five decimals, trailing zeros dropped. */
export function caisoNumber(units: number): string {
  if (units === 0) return '0'
  const { sign, int, frac } = split(units, 100_000)
  if (frac === 0) return `${sign}${int}`
  return `${sign}${int}.${String(frac).padStart(5, '0').replace(/0+$/, '')}`
}
