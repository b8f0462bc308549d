import { dayStartUtc } from '@carbon/schemas'
import { MAPE_GATE_PERCENT, type BacktestRow, type MapeSummary } from './schemas.ts'

/** The UTC instant of local midnight starting `month` (`YYYY-MM`) in `timeZone`. */
export function monthStartUtc(month: string, timeZone: string): Date {
  return dayStartUtc(`${month}-01`, timeZone)
}

/** MAPE (percent) over the rows that count (an `ape`), and the verdict of the gate. */
export function mapeOf(rows: readonly Pick<BacktestRow, 'ape'>[]): MapeSummary {
  const errors = rows.flatMap((r) => (r.ape === null ? [] : [r.ape]))
  if (errors.length === 0) return { mape: null, count: 0, passes: null }
  const mape = errors.reduce((s, e) => s + e, 0) / errors.length
  return { mape, count: errors.length, passes: mape <= MAPE_GATE_PERCENT }
}
