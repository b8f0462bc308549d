import { monthRange } from '@carbon/curves'
import { describe, expect, it } from 'vitest'
import type { SetAssumption } from '../types.ts'
import { runScenarioWith, scenarioInputs } from './engine.ts'
import { compoundIndex, valuePath } from './paths.ts'
import { baseAssumptions, market, syntheticContext, withSet } from './test-support.ts'

const months = monthRange('2025-01', '2027-12')
const set = (value: number, from: string | null, escalate: number | null): SetAssumption => ({ target: 'x', value, unit: '$/MWh', from, escalate, scenario: 's' })

describe('valuePath', () => {
  it('uses the fallback before the first set, then each set from its month', () => {
    const p = valuePath([set(5, '2025-06', null), set(7, '2026-01', null)], months, () => 1)
    expect(p[4]).toBe(1) // 2025-05
    expect(p[5]).toBe(5) // 2025-06
    expect(p[11]).toBe(5)
    expect(p[12]).toBe(7) // 2026-01
    expect(p[35]).toBe(7)
  })

  it('compounds escalate monthly after from; a set without from applies from the first month', () => {
    const p = valuePath([set(10, null, 0.12)], months, () => 0)
    expect(p[0]).toBe(10)
    expect(p[12]).toBeCloseTo(11.2, 12)
    expect(p[6]).toBeCloseTo(10 * Math.pow(1.12, 0.5), 12)
  })

  it('escalates sets without escalate by inflation from their own month', () => {
    const inflation = compoundIndex(new Float64Array(months.length).fill(0.03))
    const p = valuePath([set(4, '2026-01', null)], months, (k) => 2 * inflation[k]!, inflation)
    expect(p[0]).toBeCloseTo(2 * Math.pow(1.03, 1 / 12), 12)
    expect(p[12]).toBe(4)
    expect(p[24]).toBeCloseTo(4 * 1.03, 12)
    // an explicit escalate wins over inflation
    const q = valuePath([set(4, '2026-01', 0)], months, () => 0, inflation)
    expect(q[24]).toBe(4)
  })
})

describe('scenario targets reach the model', () => {
  const ctx = syntheticContext('2024-12', 3)
  const base = baseAssumptions()

  it('load.M.peak scales the month peak and energy from its month; growth continues after', () => {
    const a = withSet(base, { target: 'load.MISO.peak', value: 150_000, unit: 'MW', from: '2030-01', escalate: null })
    const before = scenarioInputs(ctx, ctx.bases.MISO, base)
    const after = scenarioInputs(ctx, ctx.bases.MISO, a)
    const jul2030 = 66 // 2030-07
    const annualPeak = after.peakMw[jul2030]! / ctx.bases.MISO.load.monthlyPeakRatio[6]!
    // 150,000 MW at 2030-01, grown 1 %/yr for 6 months
    expect(annualPeak).toBeCloseTo(150_000 * Math.pow(1.01, 6 / 12), 3)
    expect(after.energyMwh[jul2030]! / before.energyMwh[jul2030]!).toBeCloseTo(after.peakMw[jul2030]! / before.peakMw[jul2030]!, 12)
    expect(after.peakMw[59]).toBe(before.peakMw[59]) // 2029-12 untouched
  })

  it('VOM, scarcity cap and reserve target change prices in their market only', () => {
    const run = runScenarioWith(ctx, base)
    const vom = runScenarioWith(ctx, withSet(base, { target: 'power.MISO.gas_cc.vom', value: 20, unit: '$/MWh', from: '2026-01', escalate: 0 }))
    expect(market(vom, 'MISO').hubs[0]!.onpeak[24]!).toBeGreaterThan(market(run, 'MISO').hubs[0]!.onpeak[24]!)
    expect(Array.from(market(vom, 'CAISO').hubs[0]!.onpeak)).toEqual(Array.from(market(run, 'CAISO').hubs[0]!.onpeak))
    const tight = runScenarioWith(ctx, withSet(base, { target: 'power.CAISO.reserve_target', value: 0.6, unit: '%', from: null, escalate: null }))
    expect(market(tight, 'CAISO').hubs[0]!.offpeak.reduce((s, x) => s + x, 0)).toBeGreaterThan(market(run, 'CAISO').hubs[0]!.offpeak.reduce((s, x) => s + x, 0))
  })
})
