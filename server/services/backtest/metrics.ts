import { zonedParts } from '@carbon/schemas'
import { MAPE_GATE_PERCENT, type BacktestRow, type MapeSummary } from './schemas.ts'

/** The UTC instant of local midnight starting `month` (`YYYY-MM`) in `timeZone`. */
export function monthStartUtc(month: string, timeZone: string): Date {
  const [year, m] = month.split('-').map(Number) as [number, number]
  const wall = Date.UTC(year, m - 1, 1)
  let guess = wall
  // Two corrections reach the offset in force at that wall time (midnight is never skipped by DST in these zones).
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(new Date(guess), timeZone)
    const shown = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute))
    guess += wall - shown
  }
  return new Date(guess)
}

/** MAPE (percent) over the rows that count (an `ape`), and the verdict of the gate. */
export function mapeOf(rows: readonly Pick<BacktestRow, 'ape'>[]): MapeSummary {
  const errors = rows.flatMap((r) => (r.ape === null ? [] : [r.ape]))
  if (errors.length === 0) return { mape: null, count: 0, passes: null }
  const mape = errors.reduce((s, e) => s + e, 0) / errors.length
  return { mape, count: errors.length, passes: mape <= MAPE_GATE_PERCENT }
}
