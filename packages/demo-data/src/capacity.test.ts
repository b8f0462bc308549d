import {
  cellAt,
  EIA860M_SAMPLE_GENERATORS,
  EIA860M_SAMPLE_HEADINGS,
  readExcelWorkbook,
  SERIES_SOURCES,
  sheetNamed,
  shownCell,
  type Eia860mSampleGenerator,
} from '@carbon/connectors'
import { checkFleet, inventoryFleet, type InventoryTechnology, type ScenarioMarket } from '@carbon/scenario'
import type { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import {
  baseScenarioAssumptions,
  baseScenarioFleet,
  DEMO_FLEET_GAPS,
  demoFleetTargets,
  demoGenerators,
  demoInventoryFile,
  demoInventoryGenerators,
  demoInventoryWorkbook,
  DEMO_INVENTORY_MONTH,
  splitUnits,
  type DemoInventoryMonth,
} from './capacity.ts'

/*
 * The demo's EIA-860M inventory, read by the real reader: per market the base scenario's fleet but
 * for the designed gaps, so the fleet check (the scenario package's own checkFleet, on what the
 * reader makes of the workbook) suggests exactly the designed statements; units of realistic sizes
 * and ratings; August without September's solar and battery additions. (That the server's fleet
 * check resolves the same base fleet: server/services/demo/capacity.test.ts.)
 */

/** What the reader makes of a month's workbook, read once per month. */
const reads = new Map<DemoInventoryMonth, ReturnType<(typeof SERIES_SOURCES)['eia.860m.generators']['parse']>>()
function read(month: DemoInventoryMonth) {
  if (!reads.has(month)) reads.set(month, SERIES_SOURCES['eia.860m.generators'].parse(demoInventoryWorkbook(month), demoInventoryFile(month)))
  return reads.get(month)!
}

/** What the fleet check reads of a balancing authority's records: EIA technology, summer and nameplate MW. */
function inventoryOf(records: readonly SeriesRecord[], respondent: string): InventoryTechnology[] {
  const rows = new Map<string, InventoryTechnology>()
  for (const r of records.filter((x) => x.attributes.respondent === respondent)) {
    const row = rows.get(r.series) ?? { technology: r.attributes.technology!, summerMw: 0, nameplateMw: 0 }
    if (r.measure === 'summer_capacity') row.summerMw = r.value
    if (r.measure === 'nameplate_capacity') row.nameplateMw = r.value
    rows.set(r.series, row)
  }
  return [...rows.values()]
}

const ownOf = (gs: readonly Eia860mSampleGenerator[]) => gs.filter((g) => g.ba === 'MISO' || g.ba === 'CISO')
const mw = (gs: readonly Eia860mSampleGenerator[]) => Math.round(gs.reduce((sum, g) => sum + g.summerMw, 0) * 10) / 10

describe('splitUnits', () => {
  it('splits a total into units of about the size asked, in tenths of a MW, summing exactly', () => {
    const units = splitUnits(39_500, 600, 'MISO|coal')
    expect(units).toHaveLength(66)
    expect(Math.round(units.reduce((a, b) => a + b, 0) * 10)).toBe(395_000)
    for (const u of units) {
      expect(Math.abs(u * 10 - Math.round(u * 10))).toBeLessThan(1e-9)
      expect(u).toBeGreaterThan(600 * 0.8)
      expect(u).toBeLessThan(600 * 1.2)
    }
    expect(splitUnits(39_500, 600, 'MISO|coal')).toEqual(units)
    expect(splitUnits(39_500, 600, 'other seed')).not.toEqual(units)
  })

  it('gives one unit for a total below the unit size, none for 0, and refuses a negative total naming it', () => {
    expect(splitUnits(42.5, 600, 'x')).toEqual([42.5])
    expect(splitUnits(0, 600, 'x')).toEqual([])
    expect(() => splitUnits(-5, 600, 'CAISO|Batteries')).toThrow('demo capacity CAISO|Batteries: not a capacity to split (-5 MW)')
  })
})

describe('the demo EIA-860M inventory', () => {
  it.each([
    ['MISO', 'MISO', ['build wind 800 MW in MISO at 2026-10', 'retire gas_ct 450 MW in MISO at 2026-10', 'retire coal 1200 MW in MISO at 2026-10']],
    ['CAISO', 'CISO', ['build solar 1100 MW in CAISO at 2026-10', 'retire storage 1500 MW in CAISO at 2026-10', 'retire gas_ct 300 MW in CAISO at 2026-10']],
  ] as const)("%s: the reader's September inventory is the base scenario's fleet but for the designed gaps", (market: ScenarioMarket, respondent, statements) => {
    const { records, errors } = read(DEMO_INVENTORY_MONTH)
    expect(errors).toEqual([])
    const gap = checkFleet(market, inventoryFleet(DEMO_INVENTORY_MONTH, inventoryOf(records, respondent)), baseScenarioAssumptions())
    expect(gap.statements).toEqual(statements)
    const model = baseScenarioFleet(market)
    for (const row of gap.rows) {
      expect(row.modelMw, row.technology).toBe(model[row.technology])
      expect(row.gapMw, row.technology).toBe(DEMO_FLEET_GAPS[market][row.technology] ?? 0)
      // Nameplate a few % above net summer.
      if (row.inventoryMw > 0) expect(row.nameplateMw / row.inventoryMw, row.technology).toBeGreaterThan(1.005)
      if (row.inventoryMw > 0) expect(row.nameplateMw / row.inventoryMw, row.technology).toBeLessThan(1.1)
    }
    expect(demoFleetTargets(market).coal).toBe(model.coal + (DEMO_FLEET_GAPS[market].coal ?? 0))
  })

  it("lists apart, at small sizes, the technologies the model has none of", () => {
    const { records } = read(DEMO_INVENTORY_MONTH)
    const apart = (respondent: string) =>
      inventoryFleet(DEMO_INVENTORY_MONTH, inventoryOf(records, respondent)).notModelled.map((t) => [t.technology, t.summerMw])
    expect(apart('MISO')).toEqual([
      ['Landfill Gas', 420],
      ['Petroleum Liquids', 1150],
      ['Wood/Wood Waste Biomass', 310],
    ])
    expect(apart('CISO')).toEqual([
      ['Geothermal', 1480],
      ['Landfill Gas', 260],
      ['Petroleum Liquids', 140],
      ['Wood/Wood Waste Biomass', 520],
    ])
  })

  it('splits each technology into units of realistic sizes, invented, named "Demo ...", each plant/generator once', () => {
    const own = demoGenerators()
    expect(own.length).toBeGreaterThan(1000)
    expect(new Set(own.map((g) => `${g.plantId}/${g.generatorId}`)).size).toBe(own.length)
    const plantNames = new Map<string, Set<number>>()
    for (const g of own) plantNames.set(g.plantName, (plantNames.get(g.plantName) ?? new Set()).add(g.plantId))
    expect([...plantNames].filter(([, ids]) => ids.size > 1)).toEqual([])
    for (const g of own) {
      expect(g.plantName.startsWith('Demo ') && g.entityName.startsWith('Demo '), g.plantName).toBe(true)
      expect(g.nameplateMw).toBeGreaterThanOrEqual(g.summerMw)
    }
    const sizes = (technology: string, ba = 'MISO') => own.filter((g) => g.ba === ba && g.technology === technology).map((g) => g.summerMw)
    const within = (values: number[], low: number, high: number) => values.every((v) => v >= low && v <= high) && values.length > 0
    expect(within(sizes('Natural Gas Fired Combined Cycle'), 480, 720)).toBe(true)
    expect(within(sizes('Natural Gas Fired Combustion Turbine'), 120, 180)).toBe(true)
    expect(within(sizes('Nuclear'), 880, 1320)).toBe(true)
    expect(within(sizes('Conventional Steam Coal'), 480, 720)).toBe(true)
    expect(within(sizes('Onshore Wind Turbine', 'CISO'), 120, 180)).toBe(true)
    expect(within(sizes('Solar Photovoltaic', 'CISO'), 120, 180)).toBe(true)
    expect(within(sizes('Batteries', 'CISO'), 80, 120)).toBe(true)
    expect(within(sizes('Conventional Hydroelectric', 'CISO'), 40, 60)).toBe(true)
    // CAISO's nuclear is two units, as Diablo Canyon is.
    expect(sizes('Nuclear', 'CISO')).toHaveLength(2)
  })

  it("keeps the fixture's generators of PACW, ERCO and PJM, and refuses nothing", () => {
    const september = demoInventoryGenerators('2026-09')
    expect(september.filter((g) => g.ba !== 'MISO' && g.ba !== 'CISO')).toEqual(EIA860M_SAMPLE_GENERATORS.filter((g) => ['PACW', 'ERCO', 'PJM'].includes(g.ba)))
    const { records, errors } = read('2026-08')
    expect(errors).toEqual([])
    expect([...new Set(records.map((r) => r.market))].sort()).toEqual(['CAISO', 'ERCOT', 'MISO', 'PJM'])
  })

  it('August is September without the solar and battery units that came online in September', () => {
    const [august, september] = [ownOf(demoInventoryGenerators('2026-08')), ownOf(demoInventoryGenerators('2026-09'))]
    const key = (g: Eia860mSampleGenerator) => `${g.plantId}/${g.generatorId}`
    const augustKeys = new Set(august.map(key))
    const added = september.filter((g) => !augustKeys.has(key(g)))
    expect(august.every((g) => september.some((s) => key(s) === key(g)))).toBe(true)
    expect(added.map((g) => `${g.ba} ${g.technology}`)).toEqual([
      ...Array<string>(3).fill('MISO Solar Photovoltaic'),
      ...Array<string>(2).fill('MISO Batteries'),
      ...Array<string>(4).fill('CISO Solar Photovoltaic'),
      ...Array<string>(3).fill('CISO Batteries'),
    ])
    expect(mw(added.filter((g) => g.ba === 'MISO'))).toBeGreaterThan(500)
    expect(mw(added.filter((g) => g.ba === 'CISO'))).toBeGreaterThan(700)
    const inventory = (month: DemoInventoryMonth) => inventoryFleet(month, inventoryOf(read(month).records, 'CISO')).summerMw
    expect(Math.round(inventory('2026-09').solar - inventory('2026-08').solar)).toBe(Math.round(mw(added.filter((g) => g.ba === 'CISO' && g.technology === 'Solar Photovoltaic'))))
  })

  it("writes the same bytes every time: the title naming the month, September's additions operating since 9/2026", () => {
    const september = demoInventoryWorkbook('2026-09')
    expect(demoInventoryWorkbook('2026-09')).toEqual(september)
    expect(demoInventoryFile('2026-09')).toBe('september_generator2026.xlsx')
    const sheet = sheetNamed(readExcelWorkbook(september, 'september_generator2026.xlsx'), 'Operating', 'september_generator2026.xlsx')
    const text = (row: number, column: number) => shownCell(cellAt(sheet, row, column))
    expect(text(2, 0)).toContain('September 2026 (254Carbon DEMO, invented generators)')
    const generators = demoInventoryGenerators('2026-09')
    const added = demoGenerators().filter((g) => g.online === '2026-09')
    const [plantId, plantName, generatorId, county, month, year] = ['Plant ID', 'Plant Name', 'Generator ID', 'County', 'Operating Month', 'Operating Year'].map((h) =>
      EIA860M_SAMPLE_HEADINGS.indexOf(h as (typeof EIA860M_SAMPLE_HEADINGS)[number]),
    ) as [number, number, number, number, number, number]
    const rows = generators.map((_, i) => i + 4)
    const on = rows.filter((row) => added.some((g) => String(g.plantId) === text(row, plantId) && g.generatorId === text(row, generatorId)))
    expect(on).toHaveLength(added.length)
    for (const row of on) expect([text(row, month), text(row, year)], text(row, plantName)).toEqual(['9', '2026'])
    expect([text(4, county), text(4, month), text(4, year)]).toEqual(['Demo County', '1', '2020'])
    expect(text(generators.length + 3, plantName)).toBe('Sample Susquehanna Nuclear')
  })
})
