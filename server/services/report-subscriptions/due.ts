import { addDays, dateIn, PRODUCTS } from '@carbon/schemas'

/**
 * When a scheduled report is due (pure date arithmetic, no store): the report of operating day D
 * is due once day D has ended in the market's clock and the market's day-ahead prices for D+1 are
 * stored. A subscription catches up at most MAX_MISSED_DAYS days (the scheduler was down, the
 * day-ahead publication was late) and never reports on a day before the one it was created on.
 *
 * The fuels report (gas, LNG and environmental products) has no market and no day-ahead run: its
 * report of day D is due once D has ended on every product's clock (FUELS_TIME_ZONE), with no data
 * to wait for, because each of its sections shows its latest value on or before D with that value's
 * own date (its products publish daily, weekly and monthly, days after the fact).
 */

/**
 * The clock a fuels report's days end on: the westernmost of its products' clocks (LCFS, CARB's
 * Pacific time), so day D has ended for every product when it has ended there.
 */
export const FUELS_TIME_ZONE = PRODUCTS.LCFS.timeZone

/** At most this many past days are rendered for one subscription in one pass (the latest ones). */
export const MAX_MISSED_DAYS = 3

/**
 * The operating days a subscription may report on now, oldest first, before the day-ahead check:
 * the days that have ended on the market's clock, after the subscription's last rendered day, not
 * before its creation day, and at most the MAX_MISSED_DAYS latest.
 */
export function candidateReportDates(options: { now: Date; timeZone: string; createdAt: Date; lastReportDate: string | null }): string[] {
  const lastEnded = addDays(dateIn(options.now, options.timeZone), -1)
  let first = addDays(lastEnded, -(MAX_MISSED_DAYS - 1))
  const created = dateIn(options.createdAt, options.timeZone)
  if (created > first) first = created
  if (options.lastReportDate && addDays(options.lastReportDate, 1) > first) first = addDays(options.lastReportDate, 1)
  const out: string[] = []
  for (let day = first; day <= lastEnded; day = addDays(day, 1)) out.push(day)
  return out
}

/** The candidate days whose next day has day-ahead prices stored (`daDays`: market-clock dates with DA prices). */
export function dueReportDates(candidates: readonly string[], daDays: ReadonlySet<string>): string[] {
  return candidates.filter((day) => daDays.has(addDays(day, 1)))
}
