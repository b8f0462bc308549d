/**
 * Deterministic demo price history for every demo node: MISO day-ahead hourly and real-time
 * 5-minute, CAISO day-ahead hourly, real-time 15-minute and 5-minute.
 *
 * Per market, one system energy price (the same at every node of an interval, as MISO's MEC and
 * CAISO's MCE are) and two congestion drivers; per node, congestion = its exposure to the two
 * drivers plus noise, loss = its loss factor x energy, and for CAISO a small GHG component.
 * Real time follows the day-ahead shape with slow and fast noise, rare scarcity spikes
 * (150..1,000 $/MWh added for 5-30 minutes, energy capped at 1,000) and negative stretches (MISO windy nights, CAISO
 * midday curtailment). Components are whole cents and the LMP is their exact sum:
 * lmp = energy + congestion + loss + (ghg ?? 0), which is OASIS's LMP = MCE + MCC + MCL + MGHG
 * (ghg is null for MISO, so there lmp = energy + congestion + loss).
 */
import type { MarketId, PriceRecord } from '@carbon/schemas'
import { DAY, HOUR, MINUTE, MarketClock, type DemoMarket } from './model.ts'
import { DEMO_NODES, NODE_BASIS, type DemoNode } from './nodes.ts'
import { dayKnots, hashInts, hashString, rng, smooth } from './random.ts'

export const DEMO_SOURCE = 'demo.generated'
export const DEFAULT_DEMO_SEED = 254

export type DemoRun = 'DA' | 'RT15' | 'RT5'

/** The runs generated for each market (MISO's hourly real-time RTH is not generated). */
export const DEMO_RUNS: Readonly<Record<DemoMarket, readonly DemoRun[]>> = { MISO: ['DA', 'RT5'], CAISO: ['DA', 'RT15', 'RT5'] }

const STEP_MINUTES: Record<DemoRun, number> = { DA: 60, RT15: 15, RT5: 5 }
const RUN_CODE: Record<DemoRun, number> = { DA: 1, RT15: 2, RT5: 3 }
/** Scarcity spikes stop at the offer cap (1,000 $/MWh system energy). */
const SPIKE_CAP = 1000

export type DemoOptions = {
  /** End of the history; each run ends at its last interval boundary at or before it. */
  end: Date
  /** Whole days of history per run. */
  days: number
  /** Same seed, same records. */
  seed?: number
  /** Only these node names (default: every demo node). */
  nodes?: readonly string[]
  /** Only these runs (default: every run of each market). */
  runs?: readonly DemoRun[]
}

/** System-wide series of one run over whole UTC days: energy in cents, drivers and GHG in $/MWh. */
type Series = { energy: Float64Array; c0: Float64Array; c1: Float64Array; ghg: Float64Array }

/** Where each run's window sits on a grid of whole UTC days [firstDay, firstDay + dayCount). */
type Grid = {
  firstDay: number
  dayCount: number
  runs: Record<DemoRun, { from: number; count: number; iso: string[] }>
}

function grid(end: Date, days: number): Grid {
  const endMs = end.getTime()
  const windows = (['DA', 'RT15', 'RT5'] as const).map((run) => {
    const step = STEP_MINUTES[run] * MINUTE
    const to = Math.floor(endMs / step) * step
    return { run, step, from: to - days * DAY, to }
  })
  const firstDay = Math.floor(Math.min(...windows.map((w) => w.from)) / DAY)
  const lastDay = Math.floor((Math.max(...windows.map((w) => w.to)) - 1) / DAY)
  const runs = {} as Grid['runs']
  for (const { run, step, from } of windows) {
    const count = (days * DAY) / step
    // count + 1 boundaries: interval k runs from iso[k] to iso[k + 1]
    const iso = Array.from({ length: count + 1 }, (_, k) => new Date(from + k * step).toISOString())
    runs[run] = { from: (from - firstDay * DAY) / step, count, iso }
  }
  return { firstDay, dayCount: lastDay - firstDay + 1, runs }
}

function series(length: number): Series {
  return {
    energy: new Float64Array(length),
    c0: new Float64Array(length),
    c1: new Float64Array(length),
    ghg: new Float64Array(length),
  }
}

/** The market's system prices for each of its runs over the grid's whole days. */
function systemSeries(clock: MarketClock, market: MarketId, seed: number, g: Grid): Partial<Record<DemoRun, Series>> {
  const code = clock.model.code
  const da = series(g.dayCount * 24)
  const rt5 = series(g.dayCount * 288)
  for (let d = 0; d < g.dayCount; d++) {
    const day = g.firstDay + d
    const dayStart = day * DAY

    const daNoise = rng(hashInts(seed, code, 2, day))
    for (let h = 0; h < 24; h++) {
      const k = d * 24 + h
      const ex = clock.expected(dayStart + h * HOUR + 30 * MINUTE)
      da.energy[k] = Math.round((ex.energy * (1 + 0.02 * daNoise.normal()) + 0.3 * daNoise.normal()) * 100)
      da.c0[k] = ex.c0 * (1 + 0.1 * daNoise.normal())
      da.c1[k] = ex.c1 * (1 + 0.1 * daNoise.normal())
      da.ghg[k] = ex.ghg
    }

    const { knots: slowEnergy, stream: noise } = dayKnots((n) => hashInts(seed, code, 3, n), day)
    const slowC0 = dayKnots((n) => hashInts(seed, code, 4, n), day).knots
    const slowC1 = dayKnots((n) => hashInts(seed, code, 5, n), day).knots
    for (let i = 0; i < 288; i++) {
      const k = d * 288 + i
      const hours = i / 12
      const ex = clock.expected(dayStart + i * 5 * MINUTE + 150_000)
      let energy = ex.energy * (1 + 0.07 * smooth(slowEnergy, hours) + 0.025 * noise.normal()) + 0.6 * noise.normal()
      for (const spike of ex.day.spikes)
        if (ex.minute >= spike.from && ex.minute < spike.to) energy = Math.min(energy + spike.add, SPIKE_CAP)
      const floor = ex.day.floor
      if (floor && ex.minute >= floor.from && ex.minute < floor.to) energy = Math.min(energy, floor.price + 0.5 * noise.normal())
      rt5.energy[k] = Math.round(energy * 100)
      rt5.c0[k] = ex.c0 * (1 + 0.3 * smooth(slowC0, hours))
      rt5.c1[k] = ex.c1 * (1 + 0.3 * smooth(slowC1, hours))
      rt5.ghg[k] = ex.ghg
    }
  }
  if (market === 'MISO') return { DA: da, RT5: rt5 }

  // The fifteen-minute market clears near the mean of its three five-minute intervals.
  const rt15 = series(g.dayCount * 96)
  for (let d = 0; d < g.dayCount; d++) {
    const noise = rng(hashInts(seed, code, 6, g.firstDay + d))
    for (let j = 0; j < 96; j++) {
      const k = d * 96 + j
      const a = 3 * k
      const mean = (s: Float64Array) => ((s[a] ?? 0) + (s[a + 1] ?? 0) + (s[a + 2] ?? 0)) / 3
      rt15.energy[k] = Math.round(mean(rt5.energy) + 40 * noise.normal())
      rt15.c0[k] = mean(rt5.c0)
      rt15.c1[k] = mean(rt5.c1)
      rt15.ghg[k] = mean(rt5.ghg)
    }
  }
  return { DA: da, RT15: rt15, RT5: rt5 }
}

/** One node's records of one run over its window. */
function nodeRecords(node: DemoNode, run: DemoRun, system: Series, g: Grid, seed: number): PriceRecord[] {
  const basis = NODE_BASIS.get(`${node.market}:${node.name}`)
  if (!basis) throw new Error(`no basis for demo node ${node.market}:${node.name}`)
  const { from, count, iso } = g.runs[run]
  const perDay = 1440 / STEP_MINUTES[run]
  const nodeKey = hashString(`${node.market}:${node.name}`)
  const code = RUN_CODE[run]
  const realTime = run !== 'DA'
  const caiso = node.market === 'CAISO'
  const spread = 0.3 + 0.4 * (Math.abs(basis.load) + Math.abs(basis.other))
  const out: PriceRecord[] = new Array(count)

  const firstDay = Math.floor(from / perDay)
  const lastDay = Math.floor((from + count - 1) / perDay)
  for (let d = firstDay; d <= lastDay; d++) {
    const day = g.firstDay + d
    // Whole days are drawn even where the window cuts them, so a value never depends on the window.
    const noise = rng(hashInts(seed, nodeKey, code, day))
    const slow = realTime ? dayKnots((n) => hashInts(seed, nodeKey, code + 10, n), day).knots : null
    // A local congestion event: rare, real-time 5-minute only.
    const eventHit = run === 'RT5' && noise.uniform() < 0.02
    const eventAt = Math.floor(noise.uniform() * perDay)
    const eventEnd = eventAt + 1 + Math.floor(noise.uniform() * 3)
    const eventSize = noise.uniform() < 0.6 ? 50 + 350 * noise.uniform() : -(20 + 80 * noise.uniform())
    for (let i = 0; i < perDay; i++) {
      const n1 = noise.normal()
      const n2 = noise.normal()
      const k = d * perDay + i
      const j = k - from
      if (j < 0 || j >= count) continue
      let congestion = basis.load * (system.c0[k] ?? 0) + basis.other * (system.c1[k] ?? 0)
      congestion += slow ? spread * smooth(slow, (24 * i) / perDay) + 0.25 * n1 : 0.15 * n1
      if (eventHit && i >= eventAt && i < eventEnd) congestion += eventSize
      const energy = system.energy[k] ?? 0
      const c = Math.round(congestion * 100) || 0
      const l = Math.round(basis.lossFactor * energy + (realTime ? 3 * n2 : 0)) || 0
      const ghg = caiso ? Math.round(basis.ghg * (system.ghg[k] ?? 0) * 100) || 0 : 0
      out[j] = {
        market: node.market,
        node: node.name,
        run,
        intervalStart: iso[j]!,
        intervalEnd: iso[j + 1]!,
        lmp: (energy + c + l + ghg) / 100,
        energy: energy / 100,
        congestion: c / 100,
        loss: l / 100,
        ghg: caiso ? ghg / 100 : null,
        source: DEMO_SOURCE,
        publishedAt: null,
      }
    }
  }
  return out
}

/**
 * Demo price history: `days` whole days per run ending at `end`, one batch per node and run
 * (MISO nodes first, then CAISO; DEMO_NODES order; runs as in DEMO_RUNS). The same options
 * give the same records, and overlapping windows agree where they overlap.
 */
export function* generateDemoPrices(options: DemoOptions): Generator<PriceRecord[]> {
  const { end, days, seed = DEFAULT_DEMO_SEED } = options
  if (!(end instanceof Date) || Number.isNaN(end.getTime())) throw new RangeError('generateDemoPrices: end must be a valid Date')
  if (!Number.isInteger(days) || days < 0)
    throw new RangeError(`generateDemoPrices: days must be a whole number >= 0, got ${days}`)
  if (!Number.isFinite(seed)) throw new RangeError(`generateDemoPrices: seed must be a finite number, got ${seed}`)
  if (days === 0) return
  const g = grid(end, days)
  for (const market of ['MISO', 'CAISO'] as const) {
    const nodes = DEMO_NODES.filter((n) => n.market === market && (!options.nodes || options.nodes.includes(n.name)))
    const runs = DEMO_RUNS[market].filter((run) => !options.runs || options.runs.includes(run))
    if (nodes.length === 0 || runs.length === 0) continue
    const system = systemSeries(new MarketClock(market, seed), market, seed, g)
    for (const node of nodes)
      for (const run of runs) {
        const s = system[run]
        if (s) yield nodeRecords(node, run, s, g, seed)
      }
  }
}
