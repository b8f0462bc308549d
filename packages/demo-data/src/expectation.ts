/**
 * What the demo generator is expected to print: the mean, over its random draws, of a demo node's
 * day-ahead LMP averaged over a month's on-peak or off-peak hours. The demo's forward quotes are a
 * forecast of this generator, so they start from here; no seed's realized path is ever read.
 *
 * Method (exact, not sampled). A day-ahead hour of generate.ts is, per node,
 *   lmp = energy x (1 + lossFactor) + load x c0 + other x c1 (+ ghgBasis x ghg for CAISO)
 * plus zero-mean noise (multiplicative 2 % / 10 %, additive 0.30 and 0.15, cents rounding). Every
 * term of MarketClock.expected is linear in one of the market day's draws (level, sun, the two
 * constraints, the GHG price) and those draws are independent of each other, so the expectation of
 * an hour is MarketClock.expected evaluated on the "mean day": each draw replaced by its mean. The
 * calendar facts of a day (day of year, weekend or NERC holiday) come from the clock itself.
 *
 * The draws' distributions are those of MarketClock.day (model.ts): level = exp(0.13 Z) x heat,
 * heat = 1.4 + 0.5 U on a heat-wave day (chance 0.06 x summerness), sun = 0.85 + 0.15 Z clamped to
 * [0.45, 1.2], load constraint = max(0, 4 + 5 Z) x (0.6 + 0.6 summerness), the other constraint
 * the market's own `drawOther` and GHG = 0.5 + U. Scarcity spikes and negative floors touch real
 * time only. These numbers are repeated here (model.ts does not export them): if model.ts changes
 * them by more than a little, expectation.test.ts, which compares with the mean of the real
 * generator over other seeds, fails.
 */
import { addMonths, type MonthKey } from '@carbon/curves'
import { MARKETS, nercHolidays, zonedParts, type MarketDefinition } from '@carbon/schemas'
import { DAY, HOUR, MINUTE, MarketClock, type DemoMarket, type MarketDay } from './model.ts'
import { NODE_BASIS } from './nodes.ts'

export type BlockPrices = { onpeak: number; offpeak: number }
/** Expected prices of a month with the hours each block averages over. */
export type ExpectedMonth = BlockPrices & { hours: BlockPrices }

const summerness = (doy: number) => Math.max(0, Math.cos((2 * Math.PI * (doy - 200)) / 365.25))

/** Nodes and weights of E[f(Z)], Z standard normal: the trapezoid rule over [-7, 7] in steps of 0.02. */
const NORMAL_STEP = 0.02
const NORMAL_NODES = Array.from({ length: 701 }, (_, i) => (i - 350) * NORMAL_STEP)
const NORMAL_WEIGHTS = NORMAL_NODES.map(
  (z, i) => ((i === 0 || i === 700 ? 0.5 : 1) * NORMAL_STEP * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI),
)

/** E[f(Z)] for a standard normal Z. */
function expectNormal(f: (z: number) => number): number {
  let sum = 0
  for (let i = 0; i < NORMAL_NODES.length; i++) sum += NORMAL_WEIGHTS[i]! * f(NORMAL_NODES[i]!)
  return sum
}

const MEAN_LOGNORMAL_LEVEL = Math.exp(0.5 * 0.13 ** 2)
const MEAN_SUN = expectNormal((z) => Math.min(1.2, Math.max(0.45, 0.85 + 0.15 * z)))
const MEAN_LOAD_DRAW = expectNormal((z) => Math.max(0, 4 + 5 * z))

/** Wall clock minus UTC of `ms`'s whole hour in `timeZone`, in ms, straight from Intl. */
function exactOffset(ms: number, timeZone: string): number {
  const hour = Math.floor(ms / HOUR) * HOUR
  const p = zonedParts(new Date(hour), timeZone)
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour)) - hour
}

const WEEK = 7 * DAY

/**
 * Offsets of a time zone by UTC hour, asking Intl at the ends of each UTC week (and of each day
 * of a week with a change) instead of every hour: US zones change their offset twice a year,
 * months apart, so a week or day whose first and last hours agree has that offset throughout.
 */
export class ZoneOffsets {
  private readonly weeks = new Map<number, number | null>()
  private readonly days = new Map<number, number | null>()
  constructor(readonly timeZone: string) {}

  /** Wall clock minus UTC at the whole hour of `ms`, in ms (what MarketClock.wall adds). */
  at(ms: number): number {
    const week = this.constant(this.weeks, Math.floor(ms / WEEK), WEEK)
    if (week !== null) return week
    return this.constant(this.days, Math.floor(ms / DAY), DAY) ?? exactOffset(ms, this.timeZone)
  }

  /** The offset of span `index` (of `length` ms) when its first and last hours agree, else null. */
  private constant(cache: Map<number, number | null>, index: number, length: number): number | null {
    let offset = cache.get(index)
    if (offset === undefined) {
      const first = exactOffset(index * length, this.timeZone)
      offset = first === exactOffset(index * length + length - HOUR, this.timeZone) ? first : null
      cache.set(index, offset)
    }
    return offset
  }
}

/** Whether the day-ahead hour starting at `ms` is on-peak: packages/schemas isOnPeak, with cached offsets. */
function onPeak(def: MarketDefinition, offsets: ZoneOffsets, ms: number): boolean {
  const local = new Date(ms + offsets.at(ms))
  const hourEnding = local.getUTCHours() + 1
  if (hourEnding < def.peakHourEndingFrom || hourEnding > def.peakHourEndingTo) return false
  if (!def.peakDays.includes(((local.getUTCDay() + 6) % 7) + 1)) return false
  return !holidays(local.getUTCFullYear()).has(local.toISOString().slice(0, 10))
}

const holidayCache = new Map<number, Set<string>>()
function holidays(year: number): Set<string> {
  let set = holidayCache.get(year)
  if (!set) holidayCache.set(year, (set = new Set(nercHolidays(year))))
  return set
}

/** A clock whose market days are the mean days: every random draw at its expectation. */
class MeanDayClock extends MarketClock {
  private readonly meanDays = new Map<number, MarketDay>()
  private readonly meanOther = new Map<number, number>()
  private readonly zoneOffsets = new ZoneOffsets(this.model.timeZone)

  /** MarketClock.wall, with the offsets asked per day rather than per hour. */
  override wall(ms: number): number {
    return ms + this.zoneOffsets.at(ms)
  }

  override day(localDay: number): MarketDay {
    const cached = this.meanDays.get(localDay)
    if (cached) return cached
    // The drawn day of any seed carries the calendar facts (doy, light load); its draws are replaced.
    const drawn = super.day(localDay)
    const s = summerness(drawn.doy)
    const mean: MarketDay = {
      ...drawn,
      level: MEAN_LOGNORMAL_LEVEL * (1 + 0.06 * s * (1.4 + 0.5 * 0.5 - 1)),
      sun: MEAN_SUN,
      loadConstraint: MEAN_LOAD_DRAW * (0.6 + 0.6 * s),
      otherConstraint: this.meanOtherConstraint(drawn.doy),
      ghg: 1,
      spikes: [],
      floor: null,
    }
    this.meanDays.set(localDay, mean)
    return mean
  }

  private meanOtherConstraint(doy: number): number {
    let value = this.meanOther.get(doy)
    if (value === undefined) {
      value = expectNormal((z) => this.model.drawOther(z, doy))
      this.meanOther.set(doy, value)
    }
    return value
  }
}

/** Expected system terms summed over a block's hours of a month. */
type BlockSums = { hours: number; energy: number; c0: number; c1: number; ghg: number }
type MonthSums = Record<'onpeak' | 'offpeak', BlockSums>

const clocks = new Map<DemoMarket, MeanDayClock>()
const peakOffsets = new Map<DemoMarket, ZoneOffsets>()
const monthCache = new Map<string, MonthSums>()

function meanClock(market: DemoMarket): MeanDayClock {
  let clock = clocks.get(market)
  if (!clock) clocks.set(market, (clock = new MeanDayClock(market, 0)))
  return clock
}

/** The UTC instant of local midnight starting `month` in `timeZone` (no US DST change happens at midnight). */
function monthStartMs(month: MonthKey, timeZone: string): number {
  const noon = Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1, 12)
  const p = zonedParts(new Date(noon), timeZone)
  const offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - noon
  return Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1) - offset
}

function monthSums(market: DemoMarket, month: MonthKey): MonthSums {
  const key = `${market}:${month}`
  const cached = monthCache.get(key)
  if (cached) return cached
  const clock = meanClock(market)
  const def = MARKETS[market]
  const timeZone = def.peakTimeZone
  let offsets = peakOffsets.get(market)
  if (!offsets) peakOffsets.set(market, (offsets = new ZoneOffsets(timeZone)))
  const sums: MonthSums = {
    onpeak: { hours: 0, energy: 0, c0: 0, c1: 0, ghg: 0 },
    offpeak: { hours: 0, energy: 0, c0: 0, c1: 0, ghg: 0 },
  }
  const end = monthStartMs(addMonths(month, 1), timeZone)
  // Day-ahead hour [t, t + 1 h) is priced at its middle, as generate.ts does.
  for (let t = monthStartMs(month, timeZone); t < end; t += HOUR) {
    const ex = clock.expected(t + 30 * MINUTE)
    const block = sums[onPeak(def, offsets, t) ? 'onpeak' : 'offpeak']
    block.hours++
    block.energy += ex.energy
    block.c0 += ex.c0
    block.c1 += ex.c1
    block.ghg += ex.ghg
  }
  monthCache.set(key, sums)
  return sums
}

/**
 * The generator's expected day-ahead LMP of a demo node averaged over the on-peak and off-peak
 * hours of a month (the NERC rule in the market's peak time zone, as the backtest splits them).
 * Deterministic and cached per market and month; independent of any seed.
 */
export function expectedMonthlyPrice(market: DemoMarket, node: string, month: MonthKey): ExpectedMonth {
  const basis = NODE_BASIS.get(`${market}:${node}`)
  if (!basis) throw new RangeError(`expectedMonthlyPrice: ${node} is not a demo node of ${market}`)
  const sums = monthSums(market, month)
  const ghgBasis = market === 'CAISO' ? basis.ghg : 0
  const average = (s: BlockSums) =>
    (s.energy * (1 + basis.lossFactor) + basis.load * s.c0 + basis.other * s.c1 + ghgBasis * s.ghg) / s.hours
  return {
    onpeak: average(sums.onpeak),
    offpeak: average(sums.offpeak),
    hours: { onpeak: sums.onpeak.hours, offpeak: sums.offpeak.hours },
  }
}
