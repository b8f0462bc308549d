/**
 * Hourly shapes of one representative day, 24 values indexed by hour-ending - 1 in the market's
 * peak time zone (prevailing time): load (relative), solar and wind output per MW installed.
 * Pure functions of the base data, so the model computes them once per market and month.
 */
import type { LoadShapeSpec, MarketBase } from './base/types.ts'

export const HOURS = 24

/** Mid-month day of year (1-based) of calendar month m0 (0 = January), non-leap year. */
const MID_MONTH_DAY = [15, 46, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349]

/** Months (0-based) on daylight saving time for most of their days: April..October. */
function dstShift(m0: number): number {
  return m0 >= 3 && m0 <= 9 ? 1 : 0
}

/** Move a profile given in local standard (solar) time to the peak zone's clock: out[h + shift] = p[h]. */
function shiftHours(p: Float64Array, shift: number): Float64Array {
  const out = new Float64Array(HOURS)
  for (let h = 0; h < HOURS; h++) out[(h + shift + HOURS) % HOURS] = p[h]!
  return out
}

/**
 * Clear-sky shape of solar output: cos(zenith)^1.2 at the middle of each hour (local solar time),
 * from the declination of the mid-month day, scaled so the day's mean equals the month's capacity
 * factor, capped at 1 MW per MW.
 */
export function solarProfile(base: MarketBase, m0: number): Float64Array {
  const lat = (base.solar.latitude * Math.PI) / 180
  const decl = ((23.44 * Math.PI) / 180) * Math.sin((2 * Math.PI * (284 + MID_MONTH_DAY[m0]!)) / 365)
  const raw = new Float64Array(HOURS)
  let sum = 0
  for (let h = 0; h < HOURS; h++) {
    const hourAngle = ((h + 0.5 - 12) * 15 * Math.PI) / 180
    const cosZ = Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle)
    const v = cosZ > 0 ? Math.pow(cosZ, 1.2) : 0
    raw[h] = v
    sum += v
  }
  const scale = (base.solar.cf[m0]! * HOURS) / sum
  for (let h = 0; h < HOURS; h++) raw[h] = Math.min(1, raw[h]! * scale)
  return shiftHours(raw, dstShift(m0) + base.load.tzShift)
}

/** Wind output per MW: the month's capacity factor with a cosine diurnal swing peaking at `peakHour` (local). */
export function windProfile(base: MarketBase, m0: number): Float64Array {
  const { cf, diurnalAmplitude, peakHour } = base.wind
  const out = new Float64Array(HOURS)
  for (let h = 0; h < HOURS; h++) {
    out[h] = Math.min(1, cf[m0]! * (1 + diurnalAmplitude * Math.cos((2 * Math.PI * (h - peakHour)) / HOURS)))
  }
  return shiftHours(out, dstShift(m0) + base.load.tzShift)
}

function bump(h: number, centre: number, width: number): number {
  const d = h - centre
  return Math.exp(-(d * d) / (2 * width * width))
}

/**
 * Relative load of a peak day (`offDay` false) or an off-peak day (weekend, holiday), local clock
 * time then moved to the peak zone: 1 + morning and evening bumps (winter), an afternoon bump
 * (summer, weighted by the month's summerWeight), minus a night trough and the behind-the-meter
 * solar dip. Off days are scaled by offDayFactor and lose most of the morning bump.
 */
export function loadShape(spec: LoadShapeSpec, solarLocal: Float64Array, m0: number, offDay: boolean): Float64Array {
  const s = spec.summerWeight[m0]!
  const out = new Float64Array(HOURS)
  for (let h = 0; h < HOURS; h++) {
    const t = h + 0.5
    const morning = spec.morning * (1 - 0.6 * s) * (offDay ? 0.4 : 1) * bump(t, 8, 1.8)
    const evening = spec.evening * (1 - 0.3 * s) * bump(t, 19, 2.2)
    const afternoon = spec.afternoon * s * bump(t, 16, 3)
    const night = spec.night * bump(t, 3.5, 2.5)
    const btm = spec.btmSolar * (solarLocal[h] ?? 0)
    out[h] = (1 + morning + evening + afternoon - night - btm) * (offDay ? spec.offDayFactor : 1)
  }
  return shiftHours(out, dstShift(m0) + spec.tzShift)
}

/** Solar per MW in local clock time (before the shift to the peak zone), for the BTM dip of the load shape. */
export function solarLocalClock(base: MarketBase, m0: number): Float64Array {
  return shiftHours(solarProfile(base, m0), -base.load.tzShift)
}
