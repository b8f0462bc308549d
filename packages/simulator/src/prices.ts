/**
 * Prices of every catalogue node at any interval, from the demo price model
 * (@carbon/demo-data's generateDemoPrices):
 *
 * - the system energy price (MISO MEC, CAISO MCE) is the demo model's, the same at every node;
 * - demo nodes (the hubs, zones and interfaces the demo prices) keep the demo values exactly;
 * - any other node: congestion = w x (first parent's congestion) + v x (second parent's)
 *   + the node's own slow and fast noise; loss = loss factor x energy (+ noise in real time);
 *   CAISO GHG = g x the first parent's GHG.
 *
 * Values are whole units of the publisher's precision: MISO cents (it writes 2 decimals), CAISO
 * 1e-5 $/MWh (OASIS writes up to 5 decimals). The LMP is the exact sum of its components.
 * Every random draw is a hash of (seed, node, run, interval), so any window, in any order,
 * gives the same numbers, and the demo's own windows agree with ours (both are per UTC day).
 */
import { generateDemoPrices } from '@carbon/demo-data'
import type { MarketId } from '@carbon/schemas'
import { caisoCatalogue, type Catalogue, misoCatalogue, modelMarket, type SimNode } from './catalogue.ts'
import { hash32, normalOf, uniformOf } from './random.ts'
import { DAY, HOUR, MINUTE } from './time.ts'

export type SimRun = 'DA' | 'RT15' | 'RT5'

export const RUN_STEP_MS: Readonly<Record<SimRun, number>> = { DA: HOUR, RT15: 15 * MINUTE, RT5: 5 * MINUTE }
const PER_DAY: Readonly<Record<SimRun, number>> = { DA: 24, RT15: 96, RT5: 288 }
const RUN_CODE: Readonly<Record<SimRun, number>> = { DA: 1, RT15: 2, RT5: 3 }

/**
 * Whole units per $/MWh, the publisher's precision: MISO, ERCOT, NYISO, ISO-NE, IESO and AESO
 * publish cents, SPP four decimals, CAISO five, PJM six.
 */
export const UNIT: Readonly<Record<MarketId, number>> = {
  MISO: 100,
  CAISO: 100_000,
  PJM: 1_000_000,
  ERCOT: 100,
  SPP: 10_000,
  NYISO: 100,
  ISONE: 100,
  IESO: 100,
  AESO: 100,
}

/**
 * The price level of each market relative to the demo model it follows (MISO's for the markets
 * added after the pilot): typical annual averages of the last years against MISO's, in the
 * market's own currency (IESO and AESO in CAD). MISO and CAISO are their own model (1).
 */
export const LEVEL: Readonly<Record<MarketId, number>> = {
  MISO: 1,
  CAISO: 1,
  PJM: 1.12,
  ERCOT: 0.95,
  SPP: 0.85,
  NYISO: 1.3,
  ISONE: 1.45,
  IESO: 0.9,
  AESO: 1.6,
}

/** One node-interval's prices in whole units of {@link UNIT}; lmp = energy + congestion + loss + ghg. */
export type Components = { lmp: number; energy: number; congestion: number; loss: number; ghg: number }

export const newComponents = (): Components => ({ lmp: 0, energy: 0, congestion: 0, loss: 0, ghg: 0 })

/** The demo model's values of one market, run and UTC day, in cents. */
type SystemDay = { energy: Int32Array; congestion: Int32Array; loss: Int32Array; ghg: Int32Array }

const CACHE_DAYS = 96
const cents = (x: number | null) => Math.round((x ?? 0) * 100) + 0

export type PriceModelOptions = { seed: number; misoNodes?: number; caisoNodes?: number }

/** Deterministic prices for the full-size catalogues of both markets. */
export class PriceModel {
  readonly seed: number
  readonly miso: Catalogue
  readonly caiso: Catalogue
  private readonly days = new Map<string, SystemDay>()

  constructor(options: PriceModelOptions) {
    this.seed = options.seed
    this.miso = misoCatalogue(options.seed, options.misoNodes)
    this.caiso = caisoCatalogue(options.seed, options.caisoNodes)
  }

  /** The catalogue of MISO or CAISO (the other markets' catalogues are their modules', see laterCatalogue). */
  catalogue(market: 'MISO' | 'CAISO'): Catalogue {
    return market === 'MISO' ? this.miso : this.caiso
  }

  /** The demo model's system and demo-node values for a UTC day (cached, a few dozen days). */
  private system(market: 'MISO' | 'CAISO', run: SimRun, day: number): SystemDay {
    const key = `${market}|${run}|${day}`
    const hit = this.days.get(key)
    if (hit) {
      this.days.delete(key)
      this.days.set(key, hit)
      return hit
    }
    const catalogue = this.catalogue(market)
    const per = PER_DAY[run]
    const n = catalogue.demoNames.length
    const out: SystemDay = {
      energy: new Int32Array(per),
      congestion: new Int32Array(n * per),
      loss: new Int32Array(n * per),
      ghg: new Int32Array(n * per),
    }
    const batches = generateDemoPrices({
      end: new Date((day + 1) * DAY),
      days: 1,
      seed: this.seed,
      nodes: catalogue.demoNames,
      runs: [run],
    })
    for (const batch of batches) {
      const first = batch[0]
      if (!first || first.market !== market) continue
      const i = catalogue.demoNames.indexOf(first.node)
      if (i < 0 || batch.length !== per) throw new Error(`demo model: unexpected batch for ${first.node} ${run}`)
      batch.forEach((record, k) => {
        out.energy[k] = cents(record.energy)
        out.congestion[i * per + k] = cents(record.congestion)
        out.loss[i * per + k] = cents(record.loss)
        out.ghg[i * per + k] = cents(record.ghg)
      })
    }
    this.days.set(key, out)
    if (this.days.size > CACHE_DAYS) this.days.delete(this.days.keys().next().value!)
    return out
  }

  /**
   * The prices of `node` for the `run` interval starting at `start` (ms, on the run's grid),
   * written into `out` in whole units of the market.
   */
  values(market: MarketId, run: SimRun, node: SimNode, start: number, out: Components): Components {
    const source = modelMarket(market)
    // MISO's model has no fifteen-minute run: a later market's quarter is the mean of its three five-minute prices.
    if (run === 'RT15' && source !== market && source === 'MISO') return this.realTimeMean(market, node, start, 3, out)
    const day = Math.floor(start / DAY)
    const per = PER_DAY[run]
    const k = Math.floor((start - day * DAY) / RUN_STEP_MS[run])
    const sys = this.system(source, run, day)
    const level = LEVEL[market]
    const scale = (UNIT[market] / 100) * level
    const energy = level === 1 ? sys.energy[k]! * scale : Math.round(sys.energy[k]! * scale) + 0
    if (node.demo >= 0) {
      const at = node.demo * per + k
      out.energy = energy
      out.congestion = sys.congestion[at]! * scale
      out.loss = sys.loss[at]! * scale
      out.ghg = market === 'CAISO' ? sys.ghg[at]! * scale : 0
    } else {
      const realTime = run !== 'DA'
      // Real-time runs share the node's slow noise (the fifteen-minute market clears near the five-minute one).
      const slowCode = realTime ? 10 : 11
      const hour = Math.floor(start / HOUR)
      const f = (start - hour * HOUR) / HOUR
      const blend = (1 - Math.cos(Math.PI * f)) / 2
      const slow =
        normalOf(hash32(this.seed, node.key, slowCode, hour)) * (1 - blend) +
        normalOf(hash32(this.seed, node.key, slowCode, hour + 1)) * blend
      const interval = Math.floor(start / RUN_STEP_MS[run])
      const white = normalOf(hash32(this.seed, node.key, RUN_CODE[run], interval))
      const white2 = normalOf(hash32(this.seed, node.key, RUN_CODE[run] + 20, interval))
      const parents = node.w * sys.congestion[node.p * per + k]! + node.v * sys.congestion[node.q * per + k]!
      const congestion = (parents / 100) * level + node.s * (0.8 * slow + (realTime ? 0.5 : 0.15) * white)
      const loss = (node.lf * energy) / UNIT[market] + (realTime ? 0.03 * white2 : 0)
      const unit = UNIT[market]
      out.energy = energy
      out.congestion = Math.round(congestion * unit) + 0
      out.loss = Math.round(loss * unit) + 0
      out.ghg = market === 'CAISO' ? Math.round(node.g * sys.ghg[node.p * per + k]! * scale) + 0 : 0
    }
    out.lmp = out.energy + out.congestion + out.loss + out.ghg
    return out
  }

  /**
   * The mean of `count` consecutive five-minute prices of a node from `start`, component by
   * component, in whole units: a later market's fifteen-minute price (3) or hourly real-time
   * price (12: PJM's and ISO-NE's hourly LMPs, Alberta's pool price).
   */
  realTimeMean(market: MarketId, node: SimNode, start: number, count: number, out: Components): Components {
    const five = newComponents()
    let energy = 0
    let congestion = 0
    let loss = 0
    let ghg = 0
    for (let i = 0; i < count; i++) {
      this.values(market, 'RT5', node, start + i * 5 * MINUTE, five)
      energy += five.energy
      congestion += five.congestion
      loss += five.loss
      ghg += five.ghg
    }
    out.energy = Math.round(energy / count) + 0
    out.congestion = Math.round(congestion / count) + 0
    out.loss = Math.round(loss / count) + 0
    out.ghg = Math.round(ghg / count) + 0
    out.lmp = out.energy + out.congestion + out.loss + out.ghg
    return out
  }

  /**
   * MISO's hourly real-time LMP of a node (the `rt_lmp_prelim`/`rt_lmp_final` files): the mean of
   * the hour's twelve five-minute values, component by component, in cents. The final file
   * revises about one node-hour in a hundred (congestion moved by a few cents to a dollar).
   */
  misoHourly(node: SimNode, hourStart: number, final: boolean, out: Components): Components {
    const five = newComponents()
    let energy = 0
    let congestion = 0
    let loss = 0
    for (let i = 0; i < 12; i++) {
      this.values('MISO', 'RT5', node, hourStart + i * 5 * MINUTE, five)
      energy += five.energy
      congestion += five.congestion
      loss += five.loss
    }
    out.energy = Math.round(energy / 12) + 0
    out.congestion = Math.round(congestion / 12) + 0
    out.loss = Math.round(loss / 12) + 0
    out.ghg = 0
    if (final) {
      const h = hash32(this.seed, node.key, 40, hourStart / HOUR)
      if (uniformOf(h) < 0.01) out.congestion += Math.round(normalOf(hash32(h, 41)) * 40) || 7
    }
    out.lmp = out.energy + out.congestion + out.loss
    return out
  }

  /**
   * MISO's real-time ex-ante price of a node for a five-minute interval: the dispatch forecast
   * before the interval. Same congestion as ex post, a system energy price off by a few percent
   * (the two 2026-10-02 fixtures: ex-ante energy 32.74, ex-post 34.50 at MS.HUB), losses scaled.
   */
  misoExAnte(node: SimNode, start: number, out: Components): Components {
    this.values('MISO', 'RT5', node, start, out)
    const interval = Math.floor(start / (5 * MINUTE))
    const ratio = 1 + 0.035 * normalOf(hash32(this.seed, 0x65a, interval))
    const energy = Math.round(out.energy * ratio) + 0
    out.loss = out.energy === 0 ? out.loss : Math.round((out.loss * energy) / out.energy) + 0
    out.energy = energy
    out.lmp = out.energy + out.congestion + out.loss
    return out
  }
}
