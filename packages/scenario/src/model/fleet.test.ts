import { EIA860M_TECHNOLOGY_FUELS } from '@carbon/connectors'
import { monthIndex } from '@carbon/curves'
import { describe, expect, it } from 'vitest'
import { BASE_SCENARIO_TEXT } from '../base.ts'
import { checkScenario, parseScenario } from '../language/index.ts'
import { MODEL_FIRST_MONTH, TECHNOLOGIES, type Assumptions, type ScenarioMarket, type Technology } from '../types.ts'
import { MARKET_BASES } from './base/index.ts'
import type { MarketBase } from './base/types.ts'
import { runScenarioWith } from './engine.ts'
import {
  baseFleetAt,
  checkFleet,
  fleetAt,
  fleetGap,
  gapStatement,
  inventoryFleet,
  modelTechnologyOf,
  statementMonth,
  type FleetMw,
  type InventoryTechnology,
} from './fleet.ts'
import { baseAssumptions, market, syntheticContext, withChange } from './test-support.ts'

const fleet = (mw: Partial<FleetMw>): FleetMw => ({ solar: 0, wind: 0, storage: 0, gas_cc: 0, gas_ct: 0, coal: 0, nuclear: 0, hydro: 0, ...mw })

/** The demo's MISO and CAISO inventory (the EIA-860M sample fixture, 2026-09) as the store holds it, plus an oil unit. */
const MISO_ROWS: InventoryTechnology[] = [
  { technology: 'Conventional Steam Coal', nameplateMw: 650, summerMw: 610 },
  { technology: 'Natural Gas Fired Combined Cycle', nameplateMw: 780, summerMw: 735 },
  { technology: 'Nuclear', nameplateMw: 1100, summerMw: 1080 },
  { technology: 'Onshore Wind Turbine', nameplateMw: 300, summerMw: 298 },
  { technology: 'Solar Photovoltaic', nameplateMw: 120, summerMw: 119 },
  { technology: 'Petroleum Liquids', nameplateMw: 12, summerMw: 11.5 },
]
const CISO_ROWS: InventoryTechnology[] = [
  { technology: 'Batteries', nameplateMw: 200, summerMw: 200 },
  { technology: 'Natural Gas Fired Combined Cycle', nameplateMw: 550.5, summerMw: 520 },
  { technology: 'Solar Photovoltaic', nameplateMw: 150, summerMw: 147.5 },
]

/** A scenario extending base with `lines` added, resolved as the editor and the server resolve it (the parent looked up as a parsed document). */
function withStatements(lines: readonly string[]): Assumptions {
  const text = ['scenario "Fleet checked" extends "base"', ...lines, ''].join('\n')
  const base = parseScenario(BASE_SCENARIO_TEXT, 'base').document
  const checked = checkScenario(text, 'fleet-checked', (name) => (name === 'base' ? base : undefined))
  expect(checked.diagnostics).toEqual([])
  return checked.assumptions!
}

describe('EIA-860M technologies -> model technologies', () => {
  it.each<[string, Technology | null]>([
    ['Natural Gas Fired Combined Cycle', 'gas_cc'],
    ['Natural Gas Fired Combustion Turbine', 'gas_ct'],
    ['Natural Gas Steam Turbine', 'gas_ct'],
    ['Natural Gas Internal Combustion Engine', 'gas_ct'],
    ['Natural Gas with Compressed Air Storage', 'gas_ct'],
    ['Other Natural Gas', 'gas_ct'],
    ['Conventional Steam Coal', 'coal'],
    ['Coal Integrated Gasification Combined Cycle', 'coal'],
    ['Nuclear', 'nuclear'],
    ['Conventional Hydroelectric', 'hydro'],
    ['Hydrokinetic', 'hydro'],
    ['Onshore Wind Turbine', 'wind'],
    ['Offshore Wind Turbine', 'wind'],
    ['Solar Photovoltaic', 'solar'],
    ['Solar Thermal without Energy Storage', 'solar'],
    ['Batteries', 'storage'],
    ['Flywheels', 'storage'],
    ['Hydroelectric Pumped Storage', 'storage'],
    ['  natural  gas fired COMBINED cycle ', 'gas_cc'],
    ['Petroleum Liquids', null],
    ['Petroleum Coke', null],
    ['Wood/Wood Waste Biomass', null],
    ['Geothermal', null],
    ['Landfill Gas', null],
    ['All Other', null],
    ['', null],
  ])('%j -> %s', (words, technology) => {
    expect(modelTechnologyOf(words)).toBe(technology)
  })

  it("agrees with the reader's fuel groups (packages/connectors): gas to gas_cc or gas_ct, oil and other outside the model", () => {
    const expected: Record<string, readonly (Technology | null)[]> = {
      gas: ['gas_cc', 'gas_ct'],
      coal: ['coal'],
      nuclear: ['nuclear'],
      hydro: ['hydro'],
      wind: ['wind'],
      solar: ['solar'],
      storage: ['storage'],
      oil: [null],
      other: [null],
    }
    for (const [words, fuel] of Object.entries(EIA860M_TECHNOLOGY_FUELS)) expect(expected[fuel], words).toContain(modelTechnologyOf(words))
  })
})

describe('baseFleetAt: start capacity and announced retirements up to the month', () => {
  const start = (m: ScenarioMarket) => MARKET_BASES[m].startCapacityMw
  it.each<[ScenarioMarket, string, Partial<FleetMw>]>([
    ['MISO', '2025-01', {}],
    ['MISO', '2025-05', {}],
    ['MISO', '2025-06', { coal: 45_000 - 1_800 }],
    ['MISO', '2026-10', { coal: 45_000 - 1_800 - 2_500 }],
    ['MISO', '2030-06', { coal: 45_000 - 1_800 - 2_500 - 3_000 - 4_000 - 3_000 - 4_500, gas_ct: 33_000 - 2_000 }],
    ['CAISO', '2026-12', {}],
    ['CAISO', '2027-01', { gas_ct: 11_000 - 2_800 }],
    ['CAISO', '2029-11', { gas_ct: 8_200, nuclear: 2_280 - 1_120 }],
    ['CAISO', '2030-09', { gas_ct: 8_200, nuclear: 0 }],
    ['CAISO', '2050-12', { gas_ct: 8_200, nuclear: 0 }],
  ])('%s %s', (m, month, changed) => {
    expect(baseFleetAt(m, month)).toEqual({ ...start(m), ...changed })
  })

  it('never goes below 0 MW', () => {
    const bases: Record<ScenarioMarket, MarketBase> = {
      ...MARKET_BASES,
      CAISO: { ...MARKET_BASES.CAISO, retirements: [{ technology: 'coal', mw: 500, at: '2026-01', note: 'more than there is' }] },
    }
    expect(baseFleetAt('CAISO', '2026-01', bases).coal).toBe(0)
  })

  it('is the capacity the engine dispatches: a run of the base scenario holds fleetAt of its assumptions in every month checked', () => {
    const assumptions = baseAssumptions()
    const run = runScenarioWith(syntheticContext('2024-12', 3), assumptions)
    for (const m of ['MISO', 'CAISO'] as const) {
      for (const month of ['2025-01', '2026-06', '2026-10', '2030-09', '2050-12']) {
        const k = monthIndex(month) - monthIndex(MODEL_FIRST_MONTH)
        const engine = Object.fromEntries(TECHNOLOGIES.map((t) => [t, market(run, m).capacityMw[t][k]]))
        expect(fleetAt(m, month, assumptions), `${m} ${month}`).toEqual(engine)
      }
    }
  })

  it("fleetAt adds a scenario's statements of the market from their month", () => {
    const assumptions = withChange(baseAssumptions(), { kind: 'retire', technology: 'coal', mw: 700, market: 'MISO', at: '2026-10' })
    expect(fleetAt('MISO', '2026-09', assumptions).coal - baseFleetAt('MISO', '2026-09').coal).toBe(0)
    expect(fleetAt('MISO', '2026-10', assumptions).coal).toBe(45_000 - 1_800 - 2_500 - 700)
    expect(fleetAt('CAISO', '2026-10', assumptions)).toEqual(fleetAt('CAISO', '2026-10', baseAssumptions()))
  })

  it.each(['2026-9', '2026-13', 'September 2026'])('refuses the month %j, naming it', (month) => {
    expect(() => baseFleetAt('MISO', month)).toThrow(new RangeError(`fleet month: expected a month YYYY-MM, found ${JSON.stringify(month)}`))
  })
})

describe('statementMonth', () => {
  it.each([
    ['2026-09', '2026-10'],
    ['2026-12', '2027-01'],
    ['2024-12', '2025-01'],
    ['2019-03', MODEL_FIRST_MONTH],
    ['2050-11', '2050-12'],
  ])('%s -> %s', (month, at) => expect(statementMonth(month)).toBe(at))

  it('refuses an inventory whose statements would fall after the model, and a month that is none', () => {
    expect(() => statementMonth('2050-12')).toThrow("inventory month 2050-12: its statements would take effect in 2051-01, after the model's last month 2050-12")
    expect(() => statementMonth('2026')).toThrow('inventory month: expected a month YYYY-MM, found "2026"')
  })
})

describe('inventoryFleet', () => {
  it('sums net summer and nameplate MW per model technology and keeps the rest apart', () => {
    const gasCt = [
      { technology: 'Natural Gas Fired Combustion Turbine', nameplateMw: 90, summerMw: 80.5 },
      { technology: 'Natural Gas Steam Turbine', nameplateMw: 400.25, summerMw: 390.1 },
    ]
    const inventory = inventoryFleet('2026-09', [...MISO_ROWS, ...gasCt, { technology: 'Petroleum Liquids', nameplateMw: 3, summerMw: 2.5 }])
    expect(inventory).toEqual({
      month: '2026-09',
      summerMw: fleet({ coal: 610, gas_cc: 735, gas_ct: 470.6, nuclear: 1080, wind: 298, solar: 119 }),
      nameplateMw: fleet({ coal: 650, gas_cc: 780, gas_ct: 490.25, nuclear: 1100, wind: 300, solar: 120 }),
      notModelled: [{ technology: 'Petroleum Liquids', nameplateMw: 15, summerMw: 14 }],
    })
  })

  it.each([
    [{ technology: 'Nuclear', nameplateMw: 1100, summerMw: Number.NaN }, 'inventory 2026-09, Nuclear: summerMw is not a number of MW (found NaN)'],
    [{ technology: 'Batteries', nameplateMw: Number.POSITIVE_INFINITY, summerMw: 1 }, 'inventory 2026-09, Batteries: nameplateMw is not a number of MW (found Infinity)'],
  ])('refuses %j', (row, message) => {
    expect(() => inventoryFleet('2026-09', [row])).toThrow(new RangeError(message))
  })
})

describe('gapStatement', () => {
  it.each<[number, number | undefined, string | null]>([
    [0, undefined, null],
    [0.4, undefined, null],
    [-0.99, undefined, null],
    [1, undefined, 'build wind 1 MW in MISO at 2026-10'],
    [1.4, undefined, 'build wind 1 MW in MISO at 2026-10'],
    [-1.5, undefined, 'retire wind 2 MW in MISO at 2026-10'],
    [-31_202, undefined, 'retire wind 31202 MW in MISO at 2026-10'],
    [40, 50, null],
    [60, 50, 'build wind 60 MW in MISO at 2026-10'],
  ])('gap %d MW, threshold %s -> %j', (gap, threshold, statement) => {
    expect(gapStatement('MISO', 'wind', gap, '2026-10', threshold)).toBe(statement)
  })
})

describe('fleetGap and checkFleet', () => {
  it('compares net summer MW with the model, shows nameplate, and lists what is outside the model', () => {
    const gap = fleetGap('CAISO', fleet({ storage: 150, gas_cc: 520.4, solar: 200 }), inventoryFleet('2026-09', CISO_ROWS))
    expect(gap.month).toBe('2026-09')
    expect(gap.at).toBe('2026-10')
    expect(gap.rows.map((r) => [r.technology, r.modelMw, r.inventoryMw, r.nameplateMw, r.gapMw, r.statement])).toEqual([
      ['solar', 200, 147.5, 150, -52.5, 'retire solar 53 MW in CAISO at 2026-10'],
      ['wind', 0, 0, 0, 0, null],
      ['storage', 150, 200, 200, 50, 'build storage 50 MW in CAISO at 2026-10'],
      ['gas_cc', 520.4, 520, 550.5, -0.4, null],
      ['gas_ct', 0, 0, 0, 0, null],
      ['coal', 0, 0, 0, 0, null],
      ['nuclear', 0, 0, 0, 0, null],
      ['hydro', 0, 0, 0, 0, null],
    ])
    expect(gap.statements).toEqual(['retire solar 53 MW in CAISO at 2026-10', 'build storage 50 MW in CAISO at 2026-10'])
    expect(gap.notModelled).toEqual([])
  })

  it("checks the base data by default: every technology the sample inventory lacks is retired, MISO's oil listed apart", () => {
    const gap = checkFleet('MISO', inventoryFleet('2026-09', MISO_ROWS))
    expect(gap.statements).toEqual([
      'retire solar 11881 MW in MISO at 2026-10',
      'retire wind 31202 MW in MISO at 2026-10',
      'retire storage 2700 MW in MISO at 2026-10',
      'retire gas_cc 49265 MW in MISO at 2026-10',
      'retire gas_ct 33000 MW in MISO at 2026-10',
      'retire coal 40090 MW in MISO at 2026-10',
      'retire nuclear 10920 MW in MISO at 2026-10',
      'retire hydro 1700 MW in MISO at 2026-10',
    ])
    expect(gap.notModelled).toEqual([{ technology: 'Petroleum Liquids', nameplateMw: 12, summerMw: 11.5 }])
  })

  it("compares a scenario's fleet in the statement month: the base scenario's builds of 2025-06 and 2026-06 count", () => {
    const gap = checkFleet('MISO', inventoryFleet('2026-09', MISO_ROWS), baseAssumptions())
    const solar = gap.rows.find((r) => r.technology === 'solar')!
    expect(solar.modelMw).toBe(12_000 + 6_000 + 6_000)
    expect(solar.statement).toBe(`retire solar ${24_000 - 119} MW in MISO at 2026-10`)
  })

  it.each<[ScenarioMarket, InventoryTechnology[]]>([
    ['MISO', MISO_ROWS],
    ['CAISO', CISO_ROWS],
  ])('%s: a scenario extending base with the statements parses, and its fleet is then the inventory (no statement left)', (m, rows) => {
    const inventory = inventoryFleet('2026-09', rows)
    const before = checkFleet(m, inventory, baseAssumptions())
    expect(before.statements.length).toBeGreaterThan(0)
    const after = checkFleet(m, inventory, withStatements(before.statements))
    expect(after.statements).toEqual([])
    for (const row of after.rows) expect(Math.abs(row.gapMw), row.technology).toBeLessThanOrEqual(0.5)
    // The other market is untouched.
    const other: ScenarioMarket = m === 'MISO' ? 'CAISO' : 'MISO'
    expect(fleetAt(other, '2026-10', withStatements(before.statements))).toEqual(fleetAt(other, '2026-10', baseAssumptions()))
  })
})
