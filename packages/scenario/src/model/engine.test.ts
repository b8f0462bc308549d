import { monthHours, monthIndex } from '@carbon/curves'
import { describe, expect, it } from 'vitest'
import { MODEL_FIRST_MONTH, MODEL_LAST_MONTH, SCENARIO_HUBS, SCENARIO_MARKETS, TECHNOLOGIES } from '../types.ts'
import { MARKET_BASES } from './base/index.ts'
import { ENGINE_VERSION, runScenarioWith } from './engine.ts'
import { baseAssumptions, market, mean, resultDigest, syntheticContext, withChange, withSet } from './test-support.ts'

const ctx = syntheticContext('2024-12', 3)
const base = baseAssumptions()
const baseRun = runScenarioWith(ctx, base)
const at = (m: string) => monthIndex(m) - monthIndex(MODEL_FIRST_MONTH)

/** Every hub's on-peak and off-peak series of a market. */
function series(result: ReturnType<typeof runScenarioWith>, name: string): Float64Array[] {
  return market(result, name).hubs.flatMap((h) => [h.onpeak, h.offpeak])
}

/**
 * `higher` above `lower` from month `from` on: the mean by more than `minGain`, and month by month
 * in at least 90 % of months (storage shifting reacts to the whole stack, so a block's average can
 * move against the change in an odd month; the hour-level tests in dispatch.test.ts are strict).
 */
function expectRaised(higher: Float64Array[], lower: Float64Array[], from: number, minGain: number) {
  higher.forEach((h, i) => {
    const l = lower[i]!
    let up = 0
    for (let k = from; k < h.length; k++) if (h[k]! >= l[k]! - 1e-9) up++
    expect(up / (h.length - from)).toBeGreaterThanOrEqual(0.9)
    expect(mean(h, from) - mean(l, from)).toBeGreaterThan(minGain)
  })
}

describe('runScenario output', () => {
  it('covers every market, hub and month with finite numbers', () => {
    expect(baseRun.engine).toBe(ENGINE_VERSION)
    expect(baseRun.months[0]).toBe(MODEL_FIRST_MONTH)
    expect(baseRun.months.at(-1)).toBe(MODEL_LAST_MONTH)
    expect(baseRun.months).toHaveLength(312)
    expect(baseRun.markets.map((m) => m.market)).toEqual([...SCENARIO_MARKETS])
    for (const m of baseRun.markets) {
      expect(m.hubs.map((h) => h.hub)).toEqual([...SCENARIO_HUBS[m.market]])
      const arrays = [...m.hubs.flatMap((h) => [h.onpeak, h.offpeak]), m.loadMwh, m.peakMw, m.reserveMargin, m.gasPrice, m.carbonPrice]
      for (const t of TECHNOLOGIES) arrays.push(m.capacityMw[t], m.generationMwh[t])
      for (const a of arrays) {
        expect(a).toHaveLength(312)
        expect(a.every(Number.isFinite)).toBe(true)
      }
      for (const h of m.hubs) expect(Math.min(...h.onpeak, ...h.offpeak)).toBeGreaterThanOrEqual(0)
    }
  })

  it('serves the load: generation plus imports covers energy, storage discharge included', () => {
    const miso = market(baseRun, 'MISO')
    const k = at('2030-07')
    const generated = TECHNOLOGIES.reduce((s, t) => s + miso.generationMwh[t][k]!, 0)
    // imports are not a technology: generation is below load by at most the import capacity x hours
    expect(generated).toBeLessThanOrEqual(miso.loadMwh[k]! * 1.05)
    expect(generated).toBeGreaterThan(miso.loadMwh[k]! * 0.85)
  })

  it("runs CAISO's gas CHP as must-take, reported as gas CT generation, never above the gas CT fleet", () => {
    const chpMw = MARKET_BASES.CAISO.gasChpMustRunMw
    expect(chpMw).toBe(2_000)
    expect(MARKET_BASES.MISO.gasChpMustRunMw).toBe(0)
    const hours = (m: string) => monthHours('CAISO', m).onpeak + monthHours('CAISO', m).offpeak
    const caiso = market(baseRun, 'CAISO')
    // gas CT generates at least the CHP in every hour of every month
    for (const k of [at('2025-04'), at('2030-07'), at('2045-01')]) {
      expect(caiso.generationMwh.gas_ct[k]!).toBeGreaterThanOrEqual(chpMw * hours(baseRun.months[k]!) - 1e-6)
    }
    // retire every gas CT MW: no CHP left to run, and the stack loses it (prices rise)
    const gone = runScenarioWith(ctx, withChange(base, { kind: 'retire', technology: 'gas_ct', mw: 20_000, market: 'CAISO', at: '2027-01' }))
    const k = at('2030-07')
    expect(market(gone, 'CAISO').capacityMw.gas_ct[k]).toBe(0)
    expect(market(gone, 'CAISO').generationMwh.gas_ct[k]).toBe(0)
    expect(market(gone, 'CAISO').hubs[0]!.offpeak[k]!).toBeGreaterThan(caiso.hubs[0]!.offpeak[k]!)
  })

  it('applies the scenario: gas path, CAISO carbon, growth and builds', () => {
    const caiso = market(baseRun, 'CAISO')
    const miso = market(baseRun, 'MISO')
    // base: fuel.gas = 3.40 from 2026-08 escalate 2 %/yr (the synthetic history ends 2024-12 at 3.00)
    expect(miso.gasPrice[at('2024-12') + 1]).toBe(3.0) // 2025-01: no set in force yet -> the last historical price
    expect(miso.gasPrice[at('2026-08')]).toBeCloseTo(3.4, 12)
    expect(miso.gasPrice[at('2027-08')]).toBeCloseTo(3.4 * 1.02, 12)
    expect(caiso.carbonPrice[at('2025-01')]).toBe(30)
    expect(caiso.carbonPrice[at('2026-01')]).toBeCloseTo(31.5, 9)
    expect(miso.carbonPrice[at('2030-01')]).toBe(0)
    // 1 %/yr growth compounding monthly: 2035-01 load is 1.01^10 x 2025-01 load (same calendar month)
    expect(miso.loadMwh[at('2035-01')]! / miso.loadMwh[at('2025-01')]!).toBeCloseTo(Math.pow(1.01, 10), 9)
    // builds: MISO solar +6000 MW each June 2025..2030
    expect(miso.capacityMw.solar[at('2025-06')]! - miso.capacityMw.solar[at('2025-05')]!).toBe(6000)
    // announced retirements: Diablo Canyon
    expect(caiso.capacityMw.nuclear[at('2029-10')]).toBe(2280)
    expect(caiso.capacityMw.nuclear[at('2030-09')]).toBe(0)
  })
})

describe('direction', () => {
  it('more gas cost raises prices in every market', () => {
    const high = runScenarioWith(ctx, withSet(base, { target: 'fuel.gas', value: 6.8, unit: '$/MMBtu', from: '2026-08', escalate: 0.02 }))
    for (const m of SCENARIO_MARKETS) expectRaised(series(high, m), series(baseRun, m), at('2026-08'), 3)
  })

  it('more carbon cost raises prices (MISO: a carbon price where there was none; CAISO: a higher one)', () => {
    const carbon = runScenarioWith(ctx, withSet(base, { target: 'policy.carbon', value: 50, unit: '$/t', from: '2030-01', escalate: null }))
    expectRaised(series(carbon, 'MISO'), series(baseRun, 'MISO'), at('2030-01'), 5)
    // policy.carbon.CAISO overrides policy.carbon in CAISO: unchanged there
    expect(resultDigest({ ...carbon, markets: [market(carbon, 'CAISO')] })).toBe(resultDigest({ ...baseRun, markets: [market(baseRun, 'CAISO')] }))
    const caiso = runScenarioWith(ctx, withSet(base, { target: 'policy.carbon.CAISO', value: 120, unit: '$/t', from: '2025-01', escalate: 0.05 }))
    expectRaised(series(caiso, 'CAISO'), series(baseRun, 'CAISO'), 0, 5)
  })

  it('retirements raise prices', () => {
    const retired = runScenarioWith(ctx, withChange(base, { kind: 'retire', technology: 'coal', mw: 10_000, market: 'MISO', at: '2027-01' }))
    expectRaised(series(retired, 'MISO'), series(baseRun, 'MISO'), at('2027-01'), 1)
    const gas = runScenarioWith(ctx, withChange(base, { kind: 'retire', technology: 'gas_cc', mw: 6_000, market: 'CAISO', at: '2027-01' }))
    expectRaised(series(gas, 'CAISO'), series(baseRun, 'CAISO'), at('2027-01'), 1)
  })

  it('added solar lowers on-peak prices where solar is on the margin (CAISO midday)', () => {
    const solar = runScenarioWith(ctx, withChange(base, { kind: 'build', technology: 'solar', mw: 15_000, market: 'CAISO', at: '2027-01' }))
    const from = at('2027-01')
    const after = market(solar, 'CAISO').hubs.map((h) => h.onpeak)
    const before = market(baseRun, 'CAISO').hubs.map((h) => h.onpeak)
    expectRaised(before, after, from, 1)
    // and MISO, which did not change, is untouched
    expect(resultDigest({ ...solar, markets: [market(solar, 'MISO')] })).toBe(resultDigest({ ...baseRun, markets: [market(baseRun, 'MISO')] }))
  })
})

describe('determinism', () => {
  it('the same run twice gives identical bytes', () => {
    const again = runScenarioWith(syntheticContext('2024-12', 3), baseAssumptions())
    expect(resultDigest(again)).toBe(resultDigest(baseRun))
  })

  it('a different input gives different bytes', () => {
    const other = runScenarioWith(ctx, withSet(base, { target: 'macro.inflation', value: 0.03, unit: '%/yr', from: null, escalate: null }))
    expect(resultDigest(other)).not.toBe(resultDigest(baseRun))
  })
})

describe('options', () => {
  it('scales gas and load by the given monthly multipliers', () => {
    const gas = new Float64Array(312).fill(1.5)
    const load = new Float64Array(312).fill(1.02)
    const scaled = runScenarioWith(ctx, base, { gas, load })
    const m = market(scaled, 'MISO')
    const b = market(baseRun, 'MISO')
    expect(m.gasPrice[100]).toBeCloseTo(b.gasPrice[100]! * 1.5, 12)
    expect(m.loadMwh[100]).toBeCloseTo(b.loadMwh[100]! * 1.02, 6)
  })

  it('refuses multipliers of the wrong length or value, naming them', () => {
    expect(() => runScenarioWith(ctx, base, { gas: new Float64Array(12).fill(1) })).toThrow(/options\.gas: expected 312 monthly multipliers \(2025-01\.\.2050-12\), found 12/)
    const load = new Float64Array(312).fill(1)
    load[5] = -1
    expect(() => runScenarioWith(ctx, base, { load })).toThrow(/options\.load\[5\] \(2025-06\): expected a positive finite multiplier, found -1/)
  })
})
