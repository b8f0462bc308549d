import { describe, expect, it } from 'vitest'
import { BASE_SCENARIO_TEXT } from '../base.ts'
import { SCENARIO_MARKETS } from '../types.ts'
import { CALIBRATION_TOLERANCE, CALIBRATION_YEAR, PUBLISHED_AVERAGES } from './calibration.ts'
import { BASE_DATA_VERSION, backcast, ENGINE_VERSION, FUEL_HISTORY_ID, modelContext, runScenario } from './index.ts'
import { baseAssumptions, market } from './test-support.ts'

// These tests read the real EIA Henry Hub workbook (packages/scenario/data) through the
// connectors' reader: the model's default context.

describe('backcast against published averages (calibration)', () => {
  const rows = backcast(CALIBRATION_YEAR)

  it.each(PUBLISHED_AVERAGES.map((p) => [p.hub, p] as const))('%s %s: model ATC within 15 % of the published average', (_hub, published) => {
    const row = rows.find((r) => r.market === published.market && r.hub === published.hub)
    expect(row).toBeDefined()
    const error = (row!.atc - published.price) / published.price
    expect(Math.abs(error), `model ${row!.atc.toFixed(2)} vs published ${published.price}`).toBeLessThanOrEqual(CALIBRATION_TOLERANCE)
  })

  it('reports every hub with on-peak, off-peak and their hours-weighted ATC', () => {
    expect(rows.map((r) => r.hub)).toEqual(['INDIANA.HUB', 'ILLINOIS.HUB', 'TH_SP15_GEN-APND', 'TH_NP15_GEN-APND'])
    for (const r of rows) {
      expect(r.atc).toBeGreaterThan(Math.min(r.onpeak, r.offpeak) - 1e-9)
      expect(r.atc).toBeLessThan(Math.max(r.onpeak, r.offpeak) + 1e-9)
    }
    // MISO's on-peak trades above its off-peak (thermal on the margin by day)
    const indiana = rows.find((r) => r.hub === 'INDIANA.HUB')!
    expect(indiana.onpeak).toBeGreaterThan(indiana.offpeak)
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
