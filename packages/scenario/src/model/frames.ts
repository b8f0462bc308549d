/**
 * Representative hours of a month: 24 hours x 2 day classes (the market's peak days, and its
 * off-peak days: weekends, Sundays for CAISO's 6x16, NERC holidays) x 3 load levels drawn from the
 * within-month spread of daily load (90 %, 100 %, 110 % of the class's mean day, weighted 1/4, 1/2,
 * 1/4). Each representative hour carries the number of real hours it stands for: the class's day
 * count x the level's weight, with off-peak weights scaled so on-peak and off-peak hours equal
 * `monthHours` exactly (DST months, holidays). The day shapes are the base data's measured ones
 * for the months it has them (EIA-930 demand, load-shapes.ts), else profiles.ts `loadShape`.
 * Independent of any scenario: built once per base-data object and cached.
 */
import { monthHours, monthIndex } from '@carbon/curves'
import { MARKETS } from '@carbon/schemas'
import type { MonthKey } from '../types.ts'
import type { MarketBase } from './base/types.ts'
import { HOURS, loadShape, solarLocalClock, solarProfile, windProfile } from './profiles.ts'

export const LEVEL_FACTORS = [0.9, 1, 1.1] as const
export const LEVEL_WEIGHTS = [0.25, 0.5, 0.25] as const
/** Representative days: class-major (peak day levels 0..2, then off day levels 0..2). */
export const REP_DAYS = 2 * LEVEL_FACTORS.length
export const REP_HOURS = REP_DAYS * HOURS

export type MonthFrame = {
  month: MonthKey
  /** Calendar month 0..11. */
  m0: number
  /** Real hours each representative hour stands for (sum = every hour of the month). */
  weight: Float64Array
  /** 1 where the representative hour is on-peak. */
  onpeak: Uint8Array
  /** Load MW at each representative hour per MWh of monthly energy (sum of weight x loadPerMwh = 1). */
  loadPerMwh: Float64Array
  /** Output per MW installed by hour of day (same for every representative day). */
  solar: Float64Array
  wind: Float64Array
  onpeakHours: number
  offpeakHours: number
  /** Representative hour with the highest load (for the reserve margin). */
  peakRep: number
}

/** Per base-data object (so a modified copy never reads another's frames), per month. */
const cache = new WeakMap<MarketBase, Map<MonthKey, MonthFrame>>()

function buildFrame(base: MarketBase, month: MonthKey): MonthFrame {
  const def = MARKETS[base.market]
  const i = monthIndex(month)
  const m0 = i % 12
  const year = Math.floor(i / 12)
  const days = new Date(Date.UTC(year, m0 + 1, 0)).getUTCDate()
  const hours = monthHours(base.market, month)
  const peakPerDay = def.peakHourEndingTo - def.peakHourEndingFrom + 1
  const peakDays = hours.onpeak / peakPerDay
  const classDays = [peakDays, days - peakDays]
  const solar = solarProfile(base, m0)
  const wind = windProfile(base, m0)
  const solarLocal = solarLocalClock(base, m0)
  const measured = base.measuredLoad?.find((m) => m.month === m0 + 1)
  const shapes = measured
    ? [Float64Array.from(measured.peak), Float64Array.from(measured.off)]
    : [loadShape(base.load, solarLocal, m0, false), loadShape(base.load, solarLocal, m0, true)]

  const weight = new Float64Array(REP_HOURS)
  const onpeak = new Uint8Array(REP_HOURS)
  const load = new Float64Array(REP_HOURS)
  let rawOff = 0
  for (let c = 0; c < 2; c++) {
    for (let l = 0; l < LEVEL_FACTORS.length; l++) {
      const d = c * LEVEL_FACTORS.length + l
      for (let h = 0; h < HOURS; h++) {
        const r = d * HOURS + h
        weight[r] = classDays[c]! * LEVEL_WEIGHTS[l]!
        onpeak[r] = c === 0 && h + 1 >= def.peakHourEndingFrom && h + 1 <= def.peakHourEndingTo ? 1 : 0
        if (!onpeak[r]) rawOff += weight[r]!
        load[r] = shapes[c]![h]! * LEVEL_FACTORS[l]!
      }
    }
  }
  const offScale = rawOff > 0 ? hours.offpeak / rawOff : 0
  let energy = 0
  let peakRep = 0
  for (let r = 0; r < REP_HOURS; r++) {
    if (!onpeak[r]) weight[r] = weight[r]! * offScale
    energy += weight[r]! * load[r]!
    if (load[r]! > load[peakRep]!) peakRep = r
  }
  for (let r = 0; r < REP_HOURS; r++) load[r] = load[r]! / energy
  return { month, m0, weight, onpeak, loadPerMwh: load, solar, wind, onpeakHours: hours.onpeak, offpeakHours: hours.offpeak, peakRep }
}

/** The month's representative hours for a market (cached; do not mutate). */
export function monthFrame(base: MarketBase, month: MonthKey): MonthFrame {
  let frames = cache.get(base)
  if (!frames) {
    frames = new Map()
    cache.set(base, frames)
  }
  let frame = frames.get(month)
  if (!frame) {
    frame = buildFrame(base, month)
    frames.set(month, frame)
  }
  return frame
}
