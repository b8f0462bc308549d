import { addMonths, contractMonths, monthHours, monthRange, monthsBetween, parseContract, quarterOf, type MonthKey, type QuoteInput } from '@carbon/curves'
import type { DemoMarket } from './model.ts'
import { expectedMonthlyPrice } from './expectation.ts'
import { hashInts, mulberry32 } from './random.ts'

/**
 * Demo forward quotes: what a broker screen shows for a hub on a trade date, shaped like the real
 * thing. Per as-of date and block (on-peak, off-peak): months for the first 18 delivery months,
 * then quarters through the third calendar year after the as-of year, then calendar strips to ten
 * years out.
 *
 * The quotes are a forecast of the demo's own price generator, so the forwards agree with the
 * spot history the demo shows. The prices are hours-weighted averages of a hidden monthly curve:
 * - near months (1..12 after the as-of month): the generator's expected day-ahead LMP of the hub
 *   over the month's on-peak or off-peak hours, the mean over its random draws (expectation.ts),
 *   never the realized path of the demo seed, which the backtest judges the curve against;
 * - the long end: the generator has no trend, so a later month is the same calendar month of the
 *   near year (its expected seasonal shape and level) x 2.5 %/year escalation counted from month
 *   12. Month 13 is month 1 escalated by one month's worth, so the long end joins the near months
 *   without a break. (The market seasonal shape of @carbon/curves is not used: the generator's
 *   seasons differ from it by as much as ~19 % (CAISO June on-peak), a step after the near year.)
 * On top, the same for every month, a trade-date level drift (+-2 %), a small risk premium that
 * fades with tenor (+1 % at the front) and a little month-to-month noise (+-0.75 %), all seeded by
 * the hub and dates: the same hub and as-of date give the same quotes. Rounded to the cent; the
 * contracts of one set never overlap, so rounding keeps every set consistent and the solver must
 * reprice each exactly.
 */

/** A demo curve: its hub (a demo node) and the seed of its quote noise. */
export type DemoCurveHub = { market: DemoMarket; node: string; seed: number }

export const DEMO_CURVE_HUBS: readonly DemoCurveHub[] = [
  { market: 'MISO', node: 'INDIANA.HUB', seed: 11 },
  { market: 'MISO', node: 'ILLINOIS.HUB', seed: 12 },
  { market: 'CAISO', node: 'TH_SP15_GEN-APND', seed: 13 },
  { market: 'CAISO', node: 'TH_NP15_GEN-APND', seed: 14 },
]

const BLOCKS = ['onpeak', 'offpeak'] as const
type CurveBlock = (typeof BLOCKS)[number]

/** The contracts quoted on a trade date: 18 months, quarters, then Cal strips to ten years out. */
export function demoContracts(asOf: string): string[] {
  const first = addMonths(asOf.slice(0, 7), 1)
  const months = monthRange(first, addMonths(first, 17))
  let next = addMonths(first, 18)
  // Months until a quarter starts, so quarters line up with the calendar.
  while ((Number(next.slice(5, 7)) - 1) % 3 !== 0) {
    months.push(next)
    next = addMonths(next, 1)
  }
  const asOfYear = Number(asOf.slice(0, 4))
  const quarters: string[] = []
  for (; Number(next.slice(0, 4)) <= asOfYear + 3; next = addMonths(next, 3)) {
    quarters.push(quarterOf(next))
  }
  const calendars: string[] = []
  for (let year = Number(next.slice(0, 4)); year <= asOfYear + 10; year++) calendars.push(`Cal-${year}`)
  return [...months, ...quarters, ...calendars]
}

function daysSinceEpoch(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000)
}

/** Months after the as-of month priced at the generator's expectation; later months repeat them, escalated. */
const NEAR_MONTHS = 12
const ESCALATION = 1.025
/** Extra premium of the front of the curve, fading with tenor (years). */
const FRONT_PREMIUM = 0.01

/**
 * The hidden monthly curve of a hub, before drift, premium and noise: the generator's expected
 * price for the near year, then the same calendar month of the near year escalated.
 */
function basePrice(hub: DemoCurveHub, block: CurveBlock, asOf: string, month: MonthKey): number {
  const k = monthsBetween(asOf.slice(0, 7), month)
  if (k <= NEAR_MONTHS) return expectedMonthlyPrice(hub.market, hub.node, month)[block]
  const sameMonthNearYear = addMonths(month, -12 * Math.ceil((k - NEAR_MONTHS) / 12))
  return expectedMonthlyPrice(hub.market, hub.node, sameMonthNearYear)[block] * ESCALATION ** ((k - NEAR_MONTHS) / 12)
}

/** The hidden monthly price of a hub and block on a trade date. */
function hiddenPrice(hub: DemoCurveHub, block: CurveBlock, asOf: string, month: MonthKey): number {
  // The level moves with the trade date (a few percent between month ends), the same for every month.
  const drift = 1 + 0.04 * (mulberry32(hashInts(hub.seed, daysSinceEpoch(asOf)))() - 0.5)
  // Near months carry a little extra risk premium that fades with tenor.
  const tenor = Math.max(0, (Date.parse(`${month}-01T00:00:00Z`) - Date.parse(`${asOf}T00:00:00Z`)) / (365.25 * 86_400_000))
  const premium = 1 + FRONT_PREMIUM * Math.exp(-tenor / 1.5)
  const noise = 1 + 0.015 * (mulberry32(hashInts(hub.seed, Number(month.slice(0, 4)), Number(month.slice(5, 7)), block === 'onpeak' ? 1 : 2))() - 0.5)
  return basePrice(hub, block, asOf, month) * drift * premium * noise
}

/** The demo quote set of a hub on a trade date (YYYY-MM-DD), on-peak and off-peak. */
export function demoQuotes(hub: DemoCurveHub, asOf: string): QuoteInput[] {
  const quotes: QuoteInput[] = []
  for (const code of demoContracts(asOf)) {
    const contract = parseContract(code)
    for (const block of BLOCKS) {
      let weighted = 0
      let hours = 0
      for (const month of contractMonths(contract)) {
        const h = monthHours(hub.market, month)[block]
        weighted += h * hiddenPrice(hub, block, asOf, month)
        hours += h
      }
      quotes.push({ contract: code, block, price: Math.round((weighted / hours) * 100) / 100 })
    }
  }
  return quotes
}

/** The last weekday on or before a date (YYYY-MM-DD). */
function lastWeekday(date: Date): Date {
  const d = new Date(date)
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() - 1)
  return d
}

/**
 * The demo trade dates before `end`: the last weekday of each of the three previous months and
 * the last weekday before `end` (newest last).
 */
export function demoAsOfDates(end: Date): string[] {
  const dates = new Set<string>()
  for (let back = 3; back >= 1; back--) {
    const monthEnd = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - back + 1, 0))
    dates.add(lastWeekday(monthEnd).toISOString().slice(0, 10))
  }
  const yesterday = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate() - 1))
  dates.add(lastWeekday(yesterday).toISOString().slice(0, 10))
  return [...dates].sort()
}
