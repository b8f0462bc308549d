/**
 * The grid behind the simulator's EIA-930 answers: hourly demand, its day-ahead forecast, net
 * generation, total interchange and net generation by energy source, for any respondent and hour,
 * computed from (seed, respondent, hour) alone so every window and page agrees.
 *
 * The shape is plausible, not fitted: demand follows the respondent's local clock (a standard
 * offset, no DST) with a morning and a larger evening peak, a summer-heavy season with a smaller
 * winter bump, 8% less on weekends, and 1.5% noise; the forecast misses by about 2.5%; interchange
 * is a share of demand (the respondent's usual export or import) and net generation is demand plus
 * interchange (EIA: TI = NG - D). By energy source, net generation is split by the respondent's mix,
 * solar following the local sun, wind varying by day, hydro leaning to the evening, batteries
 * discharging in the evening peak. Levels are of the right size for each respondent (PACW about
 * 2,600 MWh an hour, as the served fixture), all MWh, integers (EIA writes them as strings).
 */
import { balancingAuthority, EIA930_BALANCING_AUTHORITIES } from '@carbon/connectors'
import { hash32, hashString, normalOf } from '../random.ts'
import { DAY, HOUR } from '../time.ts'

/** One respondent: average demand (MWh in an hour), standard UTC offset (h), usual interchange share, energy mix. */
export type Eia930Profile = { demand: number; utcOffset: number; interchange: number; mix: Readonly<Record<string, number>> }

export const EIA930_FUEL_NAMES: Readonly<Record<string, string>> = {
  COL: 'Coal',
  NG: 'Natural Gas',
  NUC: 'Nuclear',
  OIL: 'Petroleum',
  OTH: 'Other',
  SUN: 'Solar',
  WAT: 'Hydro',
  WND: 'Wind',
  BAT: 'Battery storage',
}

/** Region-data types and their `type-name` as EIA writes it. */
export const EIA930_TYPE_NAMES: Readonly<Record<string, string>> = {
  D: 'Demand',
  DF: 'Day-ahead demand forecast',
  NG: 'Net generation',
  TI: 'Total interchange',
}

export const EIA930_PROFILES: Readonly<Record<string, Eia930Profile>> = {
  CISO: { demand: 26_000, utcOffset: -8, interchange: -0.2, mix: { NG: 0.38, SUN: 0.24, WND: 0.08, WAT: 0.1, NUC: 0.09, BAT: 0.03, OTH: 0.08 } },
  MISO: { demand: 75_000, utcOffset: -6, interchange: 0.01, mix: { COL: 0.36, NG: 0.29, NUC: 0.15, WND: 0.16, SUN: 0.02, WAT: 0.01, OTH: 0.01 } },
  PJM: { demand: 90_000, utcOffset: -5, interchange: 0.03, mix: { NG: 0.45, NUC: 0.33, COL: 0.14, WND: 0.04, SUN: 0.02, WAT: 0.01, OTH: 0.01 } },
  ERCO: { demand: 50_000, utcOffset: -6, interchange: 0, mix: { NG: 0.44, WND: 0.24, SUN: 0.12, COL: 0.13, NUC: 0.07 } },
  SWPP: { demand: 33_000, utcOffset: -6, interchange: 0.05, mix: { WND: 0.38, NG: 0.24, COL: 0.3, NUC: 0.05, WAT: 0.03 } },
  NYIS: { demand: 17_000, utcOffset: -5, interchange: -0.1, mix: { NG: 0.45, NUC: 0.22, WAT: 0.25, WND: 0.05, OTH: 0.03 } },
  ISNE: { demand: 13_500, utcOffset: -5, interchange: -0.15, mix: { NG: 0.55, NUC: 0.25, WAT: 0.06, WND: 0.04, SUN: 0.04, OTH: 0.06 } },
  PACW: { demand: 2_600, utcOffset: -8, interchange: -0.05, mix: { WAT: 0.5, WND: 0.2, NG: 0.2, SUN: 0.05, OTH: 0.05 } },
}

/** A respondent's profile: its own, or one drawn from its code (the WEIM members: 1,500..6,000 MWh, Mountain or Pacific). */
export function eia930Profile(respondent: string): Eia930Profile | null {
  if (Object.hasOwn(EIA930_PROFILES, respondent)) return EIA930_PROFILES[respondent]!
  if (!balancingAuthority(respondent)) return null
  const h = hashString(respondent)
  return {
    demand: 1_500 + (h % 4_500),
    utcOffset: h % 2 === 0 ? -7 : -8,
    interchange: ((h >>> 8) % 21) / 100 - 0.1,
    mix: { NG: 0.4, COL: 0.15, WAT: 0.2, WND: 0.12, SUN: 0.1, OTH: 0.03 },
  }
}

/** Every respondent the simulator answers for: those of the balancing authority map. */
export const EIA930_RESPONDENTS: readonly string[] = Object.keys(EIA930_BALANCING_AUTHORITIES)

const gauss = (x: number, centre: number, width: number) => Math.exp(-((x - centre) ** 2) / (2 * width * width))

/** Local hour (mid-hour, 0..24) and day facts of the hour ending at `hourEnd`. */
function localHour(hourEnd: number, profile: Eia930Profile) {
  const mid = hourEnd - HOUR / 2 + profile.utcOffset * HOUR
  const date = new Date(mid)
  const hour = date.getUTCHours() + date.getUTCMinutes() / 60
  const weekday = date.getUTCDay()
  const dayOfYear = (mid - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY
  return { hour, weekend: weekday === 0 || weekday === 6, dayOfYear, day: Math.floor(mid / DAY) }
}

/** A normal draw for one respondent, hour (or day) and purpose. */
const noise = (seed: number, respondent: string, slot: number, purpose: number) => normalOf(hash32(seed, hashString(respondent), slot, purpose))

/** Region-data values of the hour ending at `hourEnd`: D, DF, NG, TI (MWh, integers). */
export function eia930RegionValues(seed: number, respondent: string, hourEnd: number): Record<'D' | 'DF' | 'NG' | 'TI', number> | null {
  const profile = eia930Profile(respondent)
  if (!profile) return null
  const { hour, weekend, dayOfYear } = localHour(hourEnd, profile)
  const slot = Math.floor(hourEnd / HOUR)
  const daily = 0.78 + 0.1 * gauss(hour, 9, 2.5) + 0.2 * gauss(hour, 18.5, 3) + 0.2 * gauss(hour - 24, 18.5, 3)
  const season = 1 + 0.1 * Math.cos((2 * Math.PI * (dayOfYear - 200)) / 365.25) + 0.05 * Math.cos((4 * Math.PI * (dayOfYear - 20)) / 365.25)
  const demand = Math.round(profile.demand * daily * season * (weekend ? 0.92 : 1) * (1 + 0.015 * noise(seed, respondent, slot, 1)))
  const forecast = Math.round(demand * (1 + 0.025 * noise(seed, respondent, slot, 2)))
  const interchange = Math.round(demand * (profile.interchange + 0.03 * noise(seed, respondent, slot, 3)))
  return { D: demand, DF: forecast, NG: demand + interchange, TI: interchange }
}

/** How each energy source leans over the day (a factor on its share of the mix). */
function fuelShape(fuel: string, hour: number, windOfDay: number): number {
  switch (fuel) {
    case 'SUN':
      return 2.2 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 12))
    case 'WND':
      return Math.max(0.05, 1 + 0.35 * windOfDay + 0.15 * Math.sin((2 * Math.PI * hour) / 24))
    case 'WAT':
      return 0.8 + 0.4 * gauss(hour, 18, 4)
    case 'BAT':
      return 3 * gauss(hour, 19, 2)
    default:
      return 1
  }
}

/** Net generation by energy source of the hour ending at `hourEnd` (MWh, integers), in the respondent's mix order. */
export function eia930FuelValues(seed: number, respondent: string, hourEnd: number): Array<[string, number]> | null {
  const profile = eia930Profile(respondent)
  const region = eia930RegionValues(seed, respondent, hourEnd)
  if (!profile || !region) return null
  const { hour, day } = localHour(hourEnd, profile)
  const windOfDay = noise(seed, respondent, day, 4)
  const weights = Object.entries(profile.mix).map(([fuel, share]) => [fuel, share * fuelShape(fuel, hour, windOfDay)] as const)
  const total = weights.reduce((sum, [, w]) => sum + w, 0)
  return weights.map(([fuel, w]) => [fuel, Math.round((region.NG * w) / total)])
}
