/**
 * The default prior of a curve build: the shape the curve takes where quotes say nothing.
 *
 * Why a placeholder: the prior should come from the scenario engine (fundamental long-term price paths
 * per market and block). Until it supplies them, a build needs *some* documented, deterministic prior
 * so the long end of the curve (past the last quoted month, out to 2050) and the within-strip shape
 * (how a Cal or quarter price spreads over its months) are reasonable rather than arbitrary.
 *
 * What it does: price(month) = level x shape[calendar month] x (1 + annualEscalation)^(years from levelMonth).
 * - `shape` is a fixed monthly seasonal profile per market and block (12 numbers), hand-set from the
 *   usual pattern of each market, normalized so its hours-weighted annual mean is 1 (reference year
 *   REFERENCE_YEAR); a Cal strip priced at P therefore spreads to months averaging P.
 *   MISO on-peak: summer peak Jul/Aug, winter bump Jan/Feb (gas and load), shoulder lows Apr/May and Oct.
 *   CAISO on-peak: summer/early-autumn peak Jul-Sep (cooling load, net-peak after sunset), spring solar
 *   dip Apr/May (midday solar oversupply and hydro runoff); off-peak hours are gas-set and flatter.
 *   PJM, NYISO, ISO-NE: summer peak and a winter peak that grows going north-east (pipeline-constrained
 *   gas sets winter prices; ISO-NE's Jan/Feb exceed its summer). ERCOT: a sharp Jul/Aug scarcity peak,
 *   mild winters. SPP: spring wind lows Mar-May, summer peak. IESO: flat (hydro and nuclear), mild
 *   summer and winter bumps. AESO: summer heat and winter cold peaks of an energy-only market.
 * - escalation is a constant annual rate (default 2.5 %, roughly inflation), continuous in months.
 * The level comes from the quotes (see build.ts); the prior only fixes shape and drift.
 */
import type { MarketId } from '@carbon/schemas'
import { monthHours, monthIndex, monthRange, monthsBetween, type Block, type MonthKey } from './calendar.ts'

/** Year whose hours weight the normalization of the shapes (any typical non-leap year would do). */
export const REFERENCE_YEAR = 2030

/** Default annual escalation of the prior. */
export const DEFAULT_ANNUAL_ESCALATION = 0.025

/**
 * On-peak to off-peak price ratio used only when the quotes price one block but never the other (or
 * only ATC): typical recent forward spreads, MISO about 1.35, CAISO about 1.25.
 */
export const DEFAULT_PEAK_RATIO: Record<MarketId, number> = {
  MISO: 1.35,
  CAISO: 1.25,
  PJM: 1.35,
  ERCOT: 1.5,
  SPP: 1.4,
  NYISO: 1.3,
  ISONE: 1.25,
  IESO: 1.4,
  AESO: 1.6,
}

type TwelveNumbers = readonly number[]

/** Raw relative shapes, Jan..Dec, before normalization. */
const RAW_SHAPES: Record<MarketId, { onpeak: TwelveNumbers; offpeak: TwelveNumbers }> = {
  MISO: {
    onpeak: [1.1, 1.06, 0.93, 0.86, 0.88, 1.02, 1.3, 1.25, 0.98, 0.86, 0.9, 1.02],
    offpeak: [1.12, 1.08, 0.95, 0.88, 0.87, 0.95, 1.12, 1.1, 0.95, 0.9, 0.98, 1.08],
  },
  CAISO: {
    onpeak: [1.02, 0.95, 0.8, 0.68, 0.72, 0.9, 1.22, 1.35, 1.28, 1.05, 0.98, 1.05],
    offpeak: [1.08, 1.02, 0.9, 0.82, 0.82, 0.9, 1.1, 1.18, 1.12, 1.02, 1.0, 1.06],
  },
  PJM: {
    onpeak: [1.2, 1.12, 0.9, 0.84, 0.86, 1.0, 1.28, 1.22, 0.95, 0.86, 0.92, 1.08],
    offpeak: [1.2, 1.12, 0.95, 0.86, 0.85, 0.93, 1.1, 1.06, 0.92, 0.88, 0.98, 1.12],
  },
  ERCOT: {
    onpeak: [0.85, 0.88, 0.82, 0.85, 0.95, 1.15, 1.45, 1.6, 1.15, 0.9, 0.82, 0.85],
    offpeak: [0.95, 0.98, 0.9, 0.9, 0.95, 1.05, 1.18, 1.22, 1.05, 0.95, 0.92, 0.95],
  },
  SPP: {
    onpeak: [1.0, 0.98, 0.82, 0.75, 0.82, 1.0, 1.3, 1.32, 1.0, 0.85, 0.88, 0.98],
    offpeak: [1.05, 1.0, 0.85, 0.78, 0.82, 0.95, 1.12, 1.12, 0.95, 0.88, 0.95, 1.05],
  },
  NYISO: {
    onpeak: [1.35, 1.25, 0.95, 0.82, 0.82, 0.95, 1.2, 1.15, 0.9, 0.82, 0.9, 1.15],
    offpeak: [1.4, 1.3, 0.98, 0.85, 0.82, 0.9, 1.05, 1.0, 0.88, 0.85, 0.98, 1.2],
  },
  ISONE: {
    onpeak: [1.6, 1.45, 1.0, 0.8, 0.78, 0.85, 1.05, 1.0, 0.82, 0.8, 0.95, 1.3],
    offpeak: [1.65, 1.5, 1.02, 0.8, 0.76, 0.8, 0.95, 0.92, 0.8, 0.82, 1.0, 1.35],
  },
  IESO: {
    onpeak: [1.1, 1.05, 0.95, 0.88, 0.88, 1.0, 1.15, 1.12, 0.95, 0.9, 0.98, 1.06],
    offpeak: [1.12, 1.05, 0.92, 0.82, 0.8, 0.92, 1.08, 1.05, 0.92, 0.9, 1.0, 1.1],
  },
  AESO: {
    onpeak: [1.15, 1.05, 0.85, 0.8, 0.85, 1.0, 1.25, 1.2, 1.0, 0.9, 0.95, 1.1],
    offpeak: [1.1, 1.0, 0.88, 0.85, 0.85, 0.95, 1.1, 1.08, 0.95, 0.92, 1.0, 1.08],
  },
}

function referenceHours(market: MarketId): { onpeak: number; offpeak: number }[] {
  return monthRange(`${REFERENCE_YEAR}-01`, `${REFERENCE_YEAR}-12`).map((m) => monthHours(market, m))
}

function normalize(raw: TwelveNumbers, weights: number[]): number[] {
  let weighted = 0
  let total = 0
  raw.forEach((v, i) => {
    weighted += v * weights[i]!
    total += weights[i]!
  })
  return raw.map((v) => v / (weighted / total))
}

const shapeCache = new Map<string, readonly number[]>()

/**
 * The 12 monthly shape factors (index 0 = January) of a market and block, hours-weighted mean 1 over
 * REFERENCE_YEAR. ATC is the hours-weighted mix of the on-peak and off-peak shapes.
 */
export function seasonalShape(market: MarketId, block: Block): readonly number[] {
  const key = `${market}:${block}`
  const cached = shapeCache.get(key)
  if (cached) return cached
  const hours = referenceHours(market)
  let shape: number[]
  if (block === 'atc') {
    const on = seasonalShape(market, 'onpeak')
    const off = seasonalShape(market, 'offpeak')
    shape = hours.map((h, i) => (h.onpeak * on[i]! + h.offpeak * off[i]!) / (h.onpeak + h.offpeak))
  } else {
    shape = normalize(
      RAW_SHAPES[market][block],
      hours.map((h) => h[block]),
    )
  }
  const frozen = Object.freeze(shape)
  shapeCache.set(key, frozen)
  return frozen
}

/** Twelve ones: the shape of a prior with no seasonality. */
export const FLAT_SHAPE: readonly number[] = Object.freeze(Array<number>(12).fill(1))

/** Options of escalationPrior. */
export type EscalationPriorOptions = {
  market: MarketId
  block: Block
  months: readonly MonthKey[]
  /** Price level at `levelMonth` before seasonality ($/MWh, the annual-mean level). */
  level: number
  levelMonth: MonthKey
  annualEscalation?: number
  /** 'seasonal' (default): the market's shape; 'flat': no seasonality. */
  shape?: 'seasonal' | 'flat'
}

/**
 * The default prior for `months`: level x shape[calendar month] x (1 + annualEscalation)^(years from
 * levelMonth), years counted in months / 12 (so the prior escalates smoothly, not in annual steps).
 */
export function escalationPrior(options: EscalationPriorOptions): Float64Array {
  const { market, block, months, level, levelMonth } = options
  const growth = 1 + (options.annualEscalation ?? DEFAULT_ANNUAL_ESCALATION)
  const shape = options.shape === 'flat' ? FLAT_SHAPE : seasonalShape(market, block)
  const out = new Float64Array(months.length)
  months.forEach((m, i) => {
    out[i] = level * shape[monthIndex(m) % 12]! * growth ** (monthsBetween(levelMonth, m) / 12)
  })
  return out
}
