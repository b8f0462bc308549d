import { describe, expect, it } from 'vitest'
import { BASE_SCENARIO_TEXT } from '../base.ts'
import { SCENARIO_MARKETS } from '../types.ts'
import { CALIBRATION_TOLERANCE, CALIBRATION_YEAR, compareWithPublished, PUBLISHED_AVERAGES, type CalibrationComparison } from './calibration.ts'
import { BASE_DATA_VERSION, backcast, ENGINE_VERSION, FUEL_HISTORY_ID, modelContext, runScenario, SYSTEM_HUB } from './index.ts'
import { baseAssumptions, market } from './test-support.ts'

// These tests read the real EIA Henry Hub workbook (packages/scenario/data) through the
// connectors' reader: the model's default context.

describe('backcast against published averages (calibration)', () => {
  const rows = backcast(CALIBRATION_YEAR)
  const comparisons = compareWithPublished(rows, CALIBRATION_YEAR)
  const gates = comparisons.filter((c) => c.published.use === 'gate')
  const label = (c: CalibrationComparison) => `${c.published.hub} ${c.published.block} ${c.published.price}`

  it('gates on SP15 on-peak and ATC, and Indiana and Illinois ATC (MISO day-ahead); reports the rest', () => {
    expect(gates.map(label)).toEqual(['INDIANA.HUB atc 31.37', 'ILLINOIS.HUB atc 27.59', 'TH_SP15_GEN-APND atc 38', 'TH_SP15_GEN-APND onpeak 31.01'])
    expect(comparisons.filter((c) => c.published.use === 'report').map(label)).toEqual([
      'INDIANA.HUB atc 31',
      'INDIANA.HUB onpeak 48.79',
      'TH_NP15_GEN-APND onpeak 47.71',
      'system atc 35.81',
    ])
    for (const c of comparisons) expect(c.published.source.length).toBeGreaterThan(40)
  })

  it.each(gates.map((c) => [label(c), c] as const))('%s: the model lands within 15 %', (_label, c) => {
    expect(Math.abs(c.error), `model ${c.model.toFixed(2)} vs published ${c.published.price}`).toBeLessThanOrEqual(CALIBRATION_TOLERANCE)
  })

  it('compares each figure with the row of its block, and names a figure the backcast has no row for', () => {
    const sp15 = rows.find((r) => r.hub === 'TH_SP15_GEN-APND')!
    const onpeak = comparisons.find((c) => c.published.hub === 'TH_SP15_GEN-APND' && c.published.block === 'onpeak')!
    expect(onpeak.model).toBe(sp15.onpeak)
    expect(onpeak.error).toBeCloseTo((sp15.onpeak - 31.01) / 31.01, 12)
    const missing = { ...PUBLISHED_AVERAGES[0]!, hub: 'NOWHERE.HUB' }
    expect(() => compareWithPublished(rows, CALIBRATION_YEAR, [missing])).toThrow(/calibration: the backcast has no row for MISO NOWHERE.HUB \(published atc 31.37 for 2024\)/)
  })

  it('reports every hub and each market before hub factors, with on-peak, off-peak and their hours-weighted ATC', () => {
    expect(rows.map((r) => r.hub)).toEqual(['INDIANA.HUB', 'ILLINOIS.HUB', SYSTEM_HUB, 'TH_SP15_GEN-APND', 'TH_NP15_GEN-APND', SYSTEM_HUB])
    for (const r of rows) {
      expect(r.atc).toBeGreaterThan(Math.min(r.onpeak, r.offpeak) - 1e-9)
      expect(r.atc).toBeLessThan(Math.max(r.onpeak, r.offpeak) + 1e-9)
    }
    // MISO's on-peak trades above its off-peak (thermal on the margin by day); CAISO's midday
    // solar pulls its on-peak below its off-peak
    const indiana = rows.find((r) => r.hub === 'INDIANA.HUB')!
    expect(indiana.onpeak).toBeGreaterThan(indiana.offpeak)
    const sp15 = rows.find((r) => r.hub === 'TH_SP15_GEN-APND')!
    expect(sp15.onpeak).toBeLessThan(sp15.offpeak)
    // the system row is the hub price with its factor taken out (Indiana: 1.03 on-peak)
    const misoSystem = rows.find((r) => r.market === 'MISO' && r.hub === SYSTEM_HUB)!
    expect(misoSystem.onpeak * 1.03).toBeCloseTo(indiana.onpeak, 9)
  })

  it('uses that year of the EIA file, and names a year it cannot run', () => {
    const ctx = modelContext()
    expect(ctx.historyByMonth.get('2024-01')).toBe(3.18)
    expect(ctx.historyByMonth.get('2024-02')).toBe(1.72)
    expect(() => backcast(2019)).toThrow(/backcast 2019: no base data for MISO in 2019 \(years: 2023, 2024\)/)
  })
})

describe('the default context', () => {
  it('prices gas from the EIA history through its last month, then from the scenario', () => {
    const result = runScenario(baseAssumptions())
    const miso = market(result, 'MISO')
    const at = (m: string) => result.months.indexOf(m)
    expect(miso.gasPrice[at('2025-01')]).toBe(4.13)
    expect(miso.gasPrice[at('2025-12')]).toBe(4.26)
    expect(miso.gasPrice[at('2026-07')]).toBe(2.89)
    expect(miso.gasPrice[at('2026-08')]).toBeCloseTo(3.4, 12)
    expect(result.engine).toBe(ENGINE_VERSION)
    expect(result.baseData).toBe(BASE_DATA_VERSION)
  })

  it('names its versions as sha256 prefixes', () => {
    expect(ENGINE_VERSION).toBe('carbon-fundamentals/1.0.0')
    expect(BASE_DATA_VERSION).toMatch(/^[0-9a-f]{16}$/)
    expect(FUEL_HISTORY_ID).toMatch(/^[0-9a-f]{16}$/)
    expect(FUEL_HISTORY_ID).not.toBe(BASE_DATA_VERSION)
    expect(modelContext().history.release).toBe('2026-08-19')
  })
})

describe('the base scenario', () => {
  it('parses without diagnostics and sets what SOURCES.md documents', () => {
    const a = baseAssumptions()
    expect(BASE_SCENARIO_TEXT.startsWith('# The base case')).toBe(true)
    expect(a.name).toBe('base')
    const targets = a.sets.map((s) => s.target)
    for (const t of ['fuel.gas', 'fuel.coal', 'policy.carbon.CAISO', 'macro.inflation', 'load.MISO.growth', 'load.CAISO.growth']) expect(targets).toContain(t)
    for (const m of SCENARIO_MARKETS) expect(a.changes.some((c) => c.market === m && c.kind === 'build')).toBe(true)
  })
})
