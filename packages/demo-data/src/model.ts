/**
 * The price model behind the demo: what a market's system energy price and its two congestion
 * drivers are expected to be at an instant, from the local hour, the weekday, the season and the
 * market day's random draws (level, sun, wind, scarcity events). Real-time noise and the node
 * basis are added on top in generate.ts.
 */
import { nercHolidays } from '@carbon/schemas'
import { hashInts, rng } from './random.ts'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** A scarcity spike added to the real-time energy price, in local minutes of the day [from, to). */
type Spike = { from: number; to: number; add: number }
/** A stretch where real-time energy falls to a negative price (MISO: windy night; CAISO: midday curtailment). */
type Floor = { from: number; to: number; price: number }

export type MarketDay = {
  doy: number
  lightLoad: boolean
  level: number
  sun: number
  loadConstraint: number
  otherConstraint: number
  ghg: number
  spikes: Spike[]
  floor: Floor | null
}

type MarketModel = {
  code: number
  /** Prevailing local time that load (and the sun) follow. */
  timeZone: string
  base: number
  /** Daily shape at each local hour h:00 (weekday, before season and sun). */
  anchors: readonly number[]
  semiannual: number
  summerExtra: number
  /** How much a hot summer stretches the daily shape (afternoon and evening peaks). */
  summerSwing: number
  spikeChance: (doy: number) => number
  drawOther: (n: number, doy: number) => number
  drawFloor: (u: () => number, doy: number) => Floor | null
  /** Profile of the second congestion driver over the local day (0..1). */
  otherProfile: (x: number) => number
  /** How deep the sun cuts the midday price (0 for MISO). */
  sunDepth: (doy: number) => number
}

const summerness = (doy: number) => Math.max(0, Math.cos((2 * Math.PI * (doy - 200)) / 365.25))
const springness = (doy: number) => Math.max(0, Math.cos((2 * Math.PI * (doy - 110)) / 365.25)) ** 2
/** Midday solar output over the local day, 0 at night, 1 around 12:45. */
const sunProfile = (x: number) => (x > 6 && x < 19.5 ? Math.sin((Math.PI * (x - 6)) / 13.5) ** 1.5 : 0)
/** The load-driven constraint binds in the afternoon and evening. */
const loadProfile = (x: number) => (x > 8 && x < 23 ? Math.sin((Math.PI * (x - 8)) / 15) : 0)

/** The markets the demo price model describes (the pilot's); other markets get no demo prices. */
export type DemoMarket = 'MISO' | 'CAISO'

const MODELS: Record<DemoMarket, MarketModel> = {
  MISO: {
    code: 1,
    timeZone: 'America/Chicago',
    base: 34,
    // overnight low, morning ramp, flat midday, evening peak around 18:00
    anchors: [
      0.8, 0.74, 0.71, 0.7, 0.72, 0.79, 0.9, 1, 1.04, 1.05, 1.06, 1.07, 1.08, 1.1, 1.14, 1.2, 1.28, 1.35, 1.38, 1.32, 1.2, 1.06,
      0.95, 0.86,
    ],
    semiannual: 0.22,
    summerExtra: 0.08,
    summerSwing: 0.5,
    spikeChance: (doy) => 0.1 + 0.15 * summerness(doy),
    // wind: strongest outside summer
    drawOther: (n, doy) => Math.max(0, 6 + 9 * n) * (1.2 - 0.6 * summerness(doy)),
    drawFloor: (u) => {
      const hit = u() < 0.04
      const from = 60 + Math.floor(u() * 36) * 5
      const length = 30 + Math.floor(u() * 30) * 5
      const price = -(5 + 25 * u())
      return hit ? { from, to: from + length, price } : null
    },
    otherProfile: (x) => 0.5 + 0.5 * Math.cos((2 * Math.PI * (x - 3)) / 24),
    sunDepth: () => 0,
  },
  CAISO: {
    code: 2,
    timeZone: 'America/Los_Angeles',
    base: 46,
    // net of everything but solar: small morning peak, steep evening ramp to 19:00
    anchors: [
      0.95, 0.9, 0.87, 0.86, 0.88, 0.95, 1.08, 1.18, 1.15, 1.1, 1.08, 1.07, 1.07, 1.08, 1.1, 1.15, 1.25, 1.45, 1.62, 1.6, 1.45,
      1.28, 1.12, 1.02,
    ],
    semiannual: 0.18,
    summerExtra: 0.1,
    summerSwing: 0.2,
    spikeChance: (doy) => 0.12 + 0.1 * summerness(doy),
    drawOther: (n, doy) => Math.max(0, 2 + 3 * n) * (0.6 + 0.6 * springness(doy)),
    drawFloor: (u, doy) => {
      const hit = u() < 0.1 + 0.3 * springness(doy)
      const from = 9 * 60 + 30 + Math.floor(u() * 36) * 5
      const length = 30 + Math.floor(u() * 30) * 5
      const price = -(2 + 23 * u())
      return hit ? { from, to: from + length, price } : null
    },
    otherProfile: sunProfile,
    // the duck: deepest in spring, shallowest in autumn and winter
    sunDepth: (doy) => 0.85 * (0.92 + 0.22 * Math.cos((2 * Math.PI * (doy - 110)) / 365.25)),
  },
}

/** Seasonal level: highest in summer, high in winter, low in spring and autumn. */
function season(model: MarketModel, doy: number): number {
  return (
    1 +
    model.semiannual * Math.cos((4 * Math.PI * (doy - 20)) / 365.25) +
    model.summerExtra * Math.cos((2 * Math.PI * (doy - 200)) / 365.25)
  )
}

function anchorAt(anchors: readonly number[], x: number): number {
  const h = Math.floor(x) % 24
  const f = x - Math.floor(x)
  return (anchors[h] ?? 1) * (1 - f) + (anchors[(h + 1) % 24] ?? 1) * f
}

/**
 * One market's model, bound to a seed: `expected(ms)` for any instant, plus the local clock.
 * Market days (local dates) are drawn once and cached.
 */
export class MarketClock {
  readonly model: MarketModel
  private readonly seed: number
  private readonly offsets = new Map<number, number>()
  private readonly days = new Map<number, MarketDay>()
  private readonly holidays = new Map<number, Set<string>>()
  private readonly parts: Intl.DateTimeFormat

  constructor(market: DemoMarket, seed: number) {
    this.model = MODELS[market]
    this.seed = seed
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: this.model.timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
    })
  }

  /** Local wall-clock time of `ms`, as ms (read the result with getUTC* methods). */
  wall(ms: number): number {
    const hour = Math.floor(ms / HOUR)
    let offset = this.offsets.get(hour)
    if (offset === undefined) {
      const p: Record<string, number> = {}
      for (const part of this.parts.formatToParts(hour * HOUR)) p[part.type] = Number(part.value)
      offset = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!) - hour * HOUR
      this.offsets.set(hour, offset)
    }
    return ms + offset
  }

  /** The random draws of one local market day; the same for a seed however the day is reached. */
  day(localDay: number): MarketDay {
    const cached = this.days.get(localDay)
    if (cached) return cached
    const date = new Date(localDay * DAY)
    const year = date.getUTCFullYear()
    const doy = Math.floor((localDay * DAY - Date.UTC(year, 0, 1)) / DAY) + 1
    let holidays = this.holidays.get(year)
    if (!holidays) this.holidays.set(year, (holidays = new Set(nercHolidays(year))))
    const weekday = date.getUTCDay()

    const r = rng(hashInts(this.seed, this.model.code, 1, localDay))
    const u = r.uniform
    // Every draw below happens on every day, in this order, whatever the branches decide.
    const heatWave = u() < 0.06 * summerness(doy)
    const heatSize = u()
    const heat = heatWave ? 1.4 + 0.5 * heatSize : 1
    const level = Math.exp(0.13 * r.normal()) * heat
    const sun = Math.min(1.2, Math.max(0.45, 0.85 + 0.15 * r.normal()))
    const loadConstraint = Math.max(0, 4 + 5 * r.normal()) * (0.6 + 0.6 * summerness(doy))
    const otherConstraint = this.model.drawOther(r.normal(), doy)
    const ghg = 0.5 + u()
    const spikes: Spike[] = []
    const spikeDay = u() < this.model.spikeChance(doy)
    const count = u() < 0.3 ? 2 : 1
    for (let i = 0; i < 2; i++) {
      const morning = u() < 0.25
      const from = morning ? 6 * 60 + Math.floor(u() * 36) * 5 : 14 * 60 + Math.floor(u() * 84) * 5
      const to = from + (1 + Math.floor(u() * 6)) * 5
      const add = 150 + 850 * u() ** 2
      if (spikeDay && i < count) spikes.push({ from, to, add })
    }
    const floor = this.model.drawFloor(u, doy)

    const day: MarketDay = {
      doy,
      lightLoad: weekday === 0 || weekday === 6 || holidays.has(date.toISOString().slice(0, 10)),
      level,
      sun,
      loadConstraint,
      otherConstraint,
      ghg,
      spikes,
      floor,
    }
    this.days.set(localDay, day)
    return day
  }

  /** The expected system energy price and congestion drivers at `ms`, before real-time noise. */
  expected(ms: number): { energy: number; c0: number; c1: number; ghg: number; day: MarketDay; minute: number } {
    const wall = this.wall(ms)
    const localDay = Math.floor(wall / DAY)
    const minute = (wall - localDay * DAY) / MINUTE
    const x = minute / 60
    const day = this.day(localDay)
    const m = this.model
    const amplitude = (day.lightLoad ? 0.7 : 1) * (1 + m.summerSwing * summerness(day.doy))
    const shape =
      (day.lightLoad ? 0.9 : 1) * (1 + (anchorAt(m.anchors, x) - 1) * amplitude) - m.sunDepth(day.doy) * day.sun * sunProfile(x)
    return {
      energy: m.base * season(m, day.doy) * day.level * shape,
      c0: day.loadConstraint * loadProfile(x),
      c1: day.otherConstraint * m.otherProfile(x),
      ghg: day.ghg * (0.6 + 0.4 * loadProfile(x)),
      day,
      minute,
    }
  }
}
