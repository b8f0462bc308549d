import { isOnPeak, MARKETS, PriceRecord, RUN_INTERVAL_MINUTES } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { DEMO_RUNS, DEMO_SOURCE, generateDemoPrices } from './generate.ts'
import { DEMO_NODES } from './nodes.ts'
import { mulberry32 } from './random.ts'

const END = new Date('2026-07-20T12:34:56.789Z')
const all = (options: Parameters<typeof generateDemoPrices>[0]) => [...generateDemoPrices(options)]
const batchOf = (batches: PriceRecord[][], node: string, run: string) => {
  const batch = batches.find((b) => b[0]?.node === node && b[0]?.run === run)
  if (!batch) throw new Error(`no batch for ${node} ${run}`)
  return batch
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const localHour = (timeZone: string) => {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' })
  return (iso: string) => Number(f.format(new Date(iso)))
}

describe('mulberry32', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const xs = Array.from({ length: 10_000 }, () => a())
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()))
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...xs)).toBeLessThan(1)
    expect(mean(xs)).toBeCloseTo(0.5, 1)
    expect(mulberry32(43)()).not.toBe(mulberry32(42)())
  })
})

describe('generateDemoPrices: shape of the output', () => {
  const days = 3
  const batches = all({ end: END, days, seed: 1 })

  it('yields one batch per demo node and run of its market (no RTH), MISO first', () => {
    const expected = DEMO_NODES.flatMap((n) =>
      MARKETS[n.market].runs.filter((r) => r !== 'RTH').map((run) => `${n.market}:${n.name}:${run}`)
    )
    expect(batches.map((b) => `${b[0]!.market}:${b[0]!.node}:${b[0]!.run}`).sort()).toEqual(expected.sort())
    const markets = batches.map((b) => b[0]!.market)
    expect(markets.lastIndexOf('MISO')).toBeLessThan(markets.indexOf('CAISO'))
    expect(DEMO_RUNS).toEqual({ MISO: ['DA', 'RT5'], CAISO: ['DA', 'RT15', 'RT5'] })
  })

  it('has days x intervals-per-day records per node and run, contiguous and ending at the last boundary before end', () => {
    for (const batch of batches) {
      const { run } = batch[0]!
      const step = RUN_INTERVAL_MINUTES[run] * 60_000
      expect(batch).toHaveLength((days * 1440) / RUN_INTERVAL_MINUTES[run])
      const last = Math.floor(END.getTime() / step) * step
      expect(Date.parse(batch.at(-1)!.intervalEnd)).toBe(last)
      expect(Date.parse(batch[0]!.intervalStart)).toBe(last - days * 86_400_000)
      const gaps = batch.filter(
        (r, i) =>
          (i > 0 && r.intervalStart !== batch[i - 1]!.intervalEnd) ||
          Date.parse(r.intervalEnd) - Date.parse(r.intervalStart) !== step
      )
      expect(gaps).toEqual([])
    }
  })

  it('makes valid price records', () => {
    const records = batches.flat()
    for (let i = 0; i < records.length; i += 7) expect(PriceRecord.parse(records[i])).toEqual(records[i])
    expect(new Set(records.map((r) => r.source))).toEqual(new Set([DEMO_SOURCE]))
  })

  it('writes whole cents that add up: lmp = energy + congestion + loss + ghg (CAISO) exactly', () => {
    const cents = (x: number | null) => x !== null && Math.abs(x * 100 - Math.round(x * 100)) < 1e-6
    const wrong = batches.flat().filter((r) => {
      const ghg = r.market === 'CAISO' ? r.ghg : 0
      if (ghg === null || ghg < 0 || (r.market === 'MISO' && r.ghg !== null)) return true
      if (![r.lmp, r.energy, r.congestion, r.loss, ghg].every(cents)) return true
      return Math.abs(r.energy! + r.congestion! + r.loss! + ghg - r.lmp) >= 1e-9
    })
    expect(wrong).toEqual([])
    // CAISO's GHG component is small but there
    const ghg = batches
      .flat()
      .filter((r) => r.market === 'CAISO')
      .map((r) => r.ghg!)
    expect(mean(ghg)).toBeGreaterThan(0.05)
    expect(Math.max(...ghg)).toBeLessThan(3)
  })

  it('gives every node of a market the same system energy in an interval, and each its own basis', () => {
    const first = (node: string) => batchOf(batches, node, 'RT5')[100]!
    expect(first('INDIANA.HUB').energy).toBe(first('MINN.HUB').energy)
    expect(first('INDIANA.HUB').lmp).not.toBe(first('MINN.HUB').lmp)
    expect(first('TH_SP15_GEN-APND').energy).toBe(first('DLAP_SDGE-APND').energy)
  })

  it('yields nothing for 0 days and rejects bad options', () => {
    expect(all({ end: END, days: 0 })).toEqual([])
    expect(() => all({ end: END, days: 1.5 })).toThrow(RangeError)
    expect(() => all({ end: END, days: -1 })).toThrow(RangeError)
    expect(() => all({ end: new Date('nope'), days: 1 })).toThrow(RangeError)
  })
})

describe('generateDemoPrices: determinism', () => {
  it('gives identical batches for the same seed and different ones for another seed', () => {
    const a = all({ end: END, days: 2, seed: 11 })
    const b = all({ end: END, days: 2, seed: 11 })
    const c = all({ end: END, days: 2, seed: 12 })
    expect(b[0]).toEqual(a[0])
    expect(b.at(-1)).toEqual(a.at(-1))
    expect(c[0]!.map((r) => r.lmp)).not.toEqual(a[0]!.map((r) => r.lmp))
    expect(c.at(-1)!.map((r) => r.lmp)).not.toEqual(a.at(-1)!.map((r) => r.lmp))
  })

  it('agrees with itself where two windows overlap', () => {
    const short = all({ end: END, days: 2, seed: 5 })
    const long = all({ end: new Date(END.getTime() + 86_400_000), days: 4, seed: 5 })
    for (const [node, run] of [
      ['MINN.HUB', 'RT5'],
      ['DLAP_SCE-APND', 'RT15'],
      ['TH_NP15_GEN-APND', 'DA'],
    ] as const) {
      const s = batchOf(short, node, run)
      const byStart = new Map(batchOf(long, node, run).map((r) => [r.intervalStart, r]))
      for (const r of s) expect(byStart.get(r.intervalStart)).toEqual(r)
    }
  })
  it('filters by node and run, giving the same records as the full generation', () => {
    const full = all({ end: END, days: 2, seed: 5 })
    const only = all({ end: END, days: 2, seed: 5, nodes: ['INDIANA.HUB', 'TH_SP15_GEN-APND'], runs: ['RT5'] })
    expect(only.map((b) => `${b[0]!.node}:${b[0]!.run}`)).toEqual(['INDIANA.HUB:RT5', 'TH_SP15_GEN-APND:RT5'])
    expect(only[0]).toEqual(batchOf(full, 'INDIANA.HUB', 'RT5'))
  })
})

describe('generateDemoPrices: realistic shapes', () => {
  const month = all({ end: new Date('2026-08-01T00:00:00Z'), days: 31, seed: 3 })

  it('prices on-peak hours above off-peak hours at a hub', () => {
    for (const run of ['DA', 'RT5']) {
      const batch = batchOf(month, 'INDIANA.HUB', run)
      const on = batch.filter((r) => isOnPeak('MISO', new Date(r.intervalStart))).map((r) => r.lmp)
      const off = batch.filter((r) => !isOnPeak('MISO', new Date(r.intervalStart))).map((r) => r.lmp)
      expect(mean(on)).toBeGreaterThan(mean(off) * 1.2)
    }
  })

  it('prices weekdays above weekends (MISO day-ahead)', () => {
    const batch = batchOf(month, 'ILLINOIS.HUB', 'DA')
    const weekday = (r: PriceRecord) => new Date(Date.parse(r.intervalStart) - 6 * 3_600_000).getUTCDay()
    const weekend = batch.filter((r) => [0, 6].includes(weekday(r))).map((r) => r.lmp)
    const workday = batch.filter((r) => ![0, 6].includes(weekday(r))).map((r) => r.lmp)
    expect(mean(workday)).toBeGreaterThan(mean(weekend))
  })

  it('draws the CAISO duck: midday real-time below the evening peak', () => {
    const hour = localHour('America/Los_Angeles')
    for (const run of ['RT5', 'RT15', 'DA']) {
      const batch = batchOf(month, 'TH_SP15_GEN-APND', run)
      const midday = batch.filter((r) => hour(r.intervalStart) >= 10 && hour(r.intervalStart) < 15).map((r) => r.lmp)
      const evening = batch.filter((r) => hour(r.intervalStart) >= 18 && hour(r.intervalStart) < 21).map((r) => r.lmp)
      expect(mean(midday) * 2).toBeLessThan(mean(evening))
    }
  })

  it('is higher in summer and winter than in spring', () => {
    const level = (end: string) =>
      mean(batchOf(all({ end: new Date(end), days: 14, seed: 3 }), 'INDIANA.HUB', 'DA').map((r) => r.lmp))
    const spring = level('2026-04-20T00:00:00Z')
    expect(level('2026-07-25T00:00:00Z')).toBeGreaterThan(spring * 1.3)
    expect(level('2027-01-25T00:00:00Z')).toBeGreaterThan(spring * 1.2)
  })

  it('keeps real time noisier than day-ahead but around it', () => {
    const da = batchOf(month, 'INDIANA.HUB', 'DA')
    const rt = batchOf(month, 'INDIANA.HUB', 'RT5')
    const hourly = da.map((_, h) => mean(rt.slice(h * 12, h * 12 + 12).map((r) => r.lmp)))
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    // typical hour: real time within 15% of day-ahead
    expect(median(hourly.map((x, h) => Math.abs(x - da[h]!.lmp) / Math.abs(da[h]!.lmp)))).toBeLessThan(0.15)
    const step = (xs: number[]) => median(xs.slice(1).map((x, i) => Math.abs(x - xs[i]!)))
    // five-minute moves are larger than the smooth hourly day-ahead path would give per five minutes
    expect(step(rt.map((r) => r.lmp))).toBeGreaterThan(step(da.map((r) => r.lmp)) / 12)
  })
})

describe('generateDemoPrices: 90 days', () => {
  it('makes ~620k records, with rare spikes and a few negative prices', { timeout: 30_000 }, () => {
    let count = 0
    const stats = new Map<string, { n: number; spikes: number; negative: number; max: number }>()
    for (const batch of generateDemoPrices({ end: END, days: 90, seed: 1 })) {
      count += batch.length
      const { market, run } = batch[0]!
      const key = `${market}:${run}`
      const s = stats.get(key) ?? { n: 0, spikes: 0, negative: 0, max: -Infinity }
      for (const r of batch) {
        s.n++
        if (r.lmp > 200) s.spikes++
        if (r.lmp < 0) s.negative++
        if (r.lmp > s.max) s.max = r.lmp
      }
      stats.set(key, s)
    }
    expect(count).toBe(90 * (13 * (24 + 288) + 7 * (24 + 96 + 288)))

    for (const market of ['MISO', 'CAISO']) {
      const rt = stats.get(`${market}:RT5`)!
      expect(rt.spikes).toBeGreaterThan(0)
      expect(rt.spikes / rt.n).toBeLessThan(0.01)
      expect(rt.max).toBeGreaterThan(400)
      expect(rt.max).toBeLessThan(1100)
      expect(rt.negative).toBeGreaterThan(0)
      expect(rt.negative / rt.n).toBeLessThan(0.05)
      const da = stats.get(`${market}:DA`)!
      expect(da.max).toBeLessThan(400) // day-ahead does not spike
    }
  })
})
