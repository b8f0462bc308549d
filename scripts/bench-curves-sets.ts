/**
 * The quote sets of `npm run bench:curves` (scripts/bench-curves.ts and its worker threads):
 *   demo       the demo quote sets of the four demo hubs (packages/demo-data): per block 18 months,
 *              quarters, Cal strips to ten years out, mids only, never overlapping (so no redundancy);
 *   bands      the same sets with bid/ask on every quote past the first six months: a half-spread of
 *              0.5 % of the price on months, 1 % on quarters, 1.5 % on Cal strips (the solver treats
 *              a quote with bid and ask as a band bid <= a.x <= ask, the front six months as equalities);
 *   redundant  the demo set plus, per block, the quarters made of the first 12 quoted months priced at
 *              the exact hours-weighted average of their three months, and a second copy of the first
 *              Cal strip at the same price: consistent redundant quotes the solver must find and drop.
 * Trade dates: weekdays going back from 2026-11-25, the four hubs on each.
 */
import { contractMonths, monthHours, normalizeQuotes, parseContract, type BuildCurveInput, type QuoteInput } from '@carbon/curves'
import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'

export const QUOTE_SETS = ['demo', 'bands', 'redundant'] as const
export type QuoteSet = (typeof QUOTE_SETS)[number]

/** Weekdays going back from `end`, newest first. */
export function tradeDates(count: number, end = '2026-11-25'): string[] {
  const dates: string[] = []
  const day = new Date(`${end}T00:00:00Z`)
  while (dates.length < count) {
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) dates.push(day.toISOString().slice(0, 10))
    day.setUTCDate(day.getUTCDate() - 1)
  }
  return dates
}

/** Half-spread as a fraction of the price, by contract kind. */
const HALF_SPREAD = { month: 0.005, quarter: 0.01, calendar: 0.015, strip: 0.01 } as const
/** Quotes of this many front months stay mids (equalities) in the band set. */
const LIQUID_FRONT_MONTHS = 6

function withBands(quotes: QuoteInput[]): QuoteInput[] {
  let months = 0
  return quotes.map((q) => {
    const contract = parseContract(q.contract)
    if (contract.kind === 'month' && ++months <= 2 * LIQUID_FRONT_MONTHS) return q
    const half = HALF_SPREAD[contract.kind] * Math.abs(q.price)
    return { ...q, bid: q.price - half, ask: q.price + half }
  })
}

/** The hours-weighted average of quoted month prices over `months` (exactly what those months imply). */
function impliedPrice(quotes: QuoteInput[], market: BuildCurveInput['market'], block: 'onpeak' | 'offpeak', months: string[]): number {
  let weighted = 0
  let hours = 0
  for (const month of months) {
    const price = quotes.find((q) => q.contract === month && q.block === block)!.price
    const h = monthHours(market, month)[block]
    weighted += h * price
    hours += h
  }
  return weighted / hours
}

function withRedundancy(quotes: QuoteInput[], market: BuildCurveInput['market']): QuoteInput[] {
  const quotedMonths = new Set(quotes.filter((q) => parseContract(q.contract).kind === 'month').map((q) => q.contract))
  const extra: QuoteInput[] = []
  const firstMonths = [...quotedMonths].sort().slice(0, 12)
  for (const month of firstMonths) {
    if (!/-(01|04|07|10)$/.test(month)) continue
    const quarter = `${month.slice(0, 4)}-Q${(Number(month.slice(5, 7)) + 2) / 3}`
    const months = contractMonths(parseContract(quarter))
    if (!months.every((m) => quotedMonths.has(m))) continue
    for (const block of ['onpeak', 'offpeak'] as const) extra.push({ contract: quarter, block, price: impliedPrice(quotes, market, block, months) })
  }
  const cal = quotes.find((q) => parseContract(q.contract).kind === 'calendar')
  if (cal !== undefined) for (const q of quotes.filter((other) => other.contract === cal.contract)) extra.push({ ...q })
  return [...quotes, ...extra]
}

/** Curve `index` of a set: hub index % 4 on trade date index / 4. */
export function curveInput(set: QuoteSet, index: number, dates: readonly string[]): BuildCurveInput {
  const hub = DEMO_CURVE_HUBS[index % DEMO_CURVE_HUBS.length]!
  const asOf = dates[Math.floor(index / DEMO_CURVE_HUBS.length)]!
  const demo = demoQuotes(hub, asOf)
  const quotes = set === 'demo' ? demo : set === 'bands' ? withBands(demo) : withRedundancy(demo, hub.market)
  return { market: hub.market, asOf, quotes: normalizeQuotes(quotes) }
}

/** Curves from..to - 1 of a set. */
export function curveInputs(set: QuoteSet, from: number, to: number): BuildCurveInput[] {
  const dates = tradeDates(Math.ceil(to / DEMO_CURVE_HUBS.length))
  const out: BuildCurveInput[] = []
  for (let i = from; i < to; i++) out.push(curveInput(set, i, dates))
  return out
}
