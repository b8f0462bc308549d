import { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE } from '@carbon/connectors'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { seriesHealth } from '../quality/series-health.ts'
import { baseScenarioText } from '../scenarios/engine.ts'
import { fleetCheck, fleetSubjectOfText } from '../scenarios/fleet-check.ts'
import type { MarketId, SeriesMeasure } from '@carbon/schemas'
import { getSeriesHistory, listSeries } from '../series/index.ts'
import { DEMO_SERIES_FILES, hasSeries, seedDemoSeries } from './series.ts'

/*
 * The demo's series on the platform `carbon serve` opens (scratch PostgreSQL, embedded chDB): every
 * demo file stored by its reader, the generated EIA-860M inventories of August and September 2026
 * among them (capacity.ts), so the market pages have capacity at first start (read back through the
 * series service their loaders call) of the size of the real fleets, the fleet check of the base
 * scenario finds only the designed gaps, and the Data health page sees the capacity dataset as a
 * monthly one on EIA-860M's schedule. A reader refusing rows a file is not known to hold refused
 * stops the load, naming the file.
 */
let bed: TestPlatform
let seeded: { files: number; records: number }

beforeAll(async () => {
  bed = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-demo-series-' })
  expect(await hasSeries(bed.platform)).toBe(false)
  seeded = await seedDemoSeries(bed.platform)
}, 120_000)

afterAll(async () => {
  await bed?.close()
})

const ch = () => bed.platform.ch
const capacity = <T extends { series: string }>(series: T[]) => series.filter((s) => s.series.includes('.CAPACITY.'))
const history = (market: MarketId, series: string, measure: SeriesMeasure) =>
  getSeriesHistory(ch(), { product: 'GRID', market, series, measure, from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' })

/** MISO's technologies in the demo inventory, net summer MW in September: the model's, split as EIA writes them, and what it has none of. */
const MISO_SUMMER_MW = [
  ['MISO.CAPACITY.BATTERIES', 2400],
  ['MISO.CAPACITY.CONVENTIONAL_HYDROELECTRIC', 1700],
  ['MISO.CAPACITY.CONVENTIONAL_STEAM_COAL', 39500],
  ['MISO.CAPACITY.HYDROELECTRIC_PUMPED_STORAGE', 2100],
  ['MISO.CAPACITY.LANDFILL_GAS', 420],
  ['MISO.CAPACITY.NATURAL_GAS_FIRED_COMBINED_CYCLE', 50000],
  ['MISO.CAPACITY.NATURAL_GAS_FIRED_COMBUSTION_TURBINE', 22814],
  ['MISO.CAPACITY.NATURAL_GAS_INTERNAL_COMBUSTION_ENGINE', 1677.5],
  ['MISO.CAPACITY.NATURAL_GAS_STEAM_TURBINE', 9058.5],
  ['MISO.CAPACITY.NUCLEAR', 12000],
  ['MISO.CAPACITY.ONSHORE_WIND_TURBINE', 35300],
  ['MISO.CAPACITY.PETROLEUM_LIQUIDS', 1150],
  ['MISO.CAPACITY.SOLAR_PHOTOVOLTAIC', 24000],
  ['MISO.CAPACITY.WOOD_WOOD_WASTE_BIOMASS', 310],
]

describe('demo series', () => {
  it('stores every demo file, the generated EIA-860M inventories of August and September among them', async () => {
    const files = DEMO_SERIES_FILES.map((f) => f.file)
    expect(files).toContain('august_generator2026.xlsx')
    expect(files).toContain('september_generator2026.xlsx')
    expect(files).not.toContain(EIA860M_SAMPLE_FIXTURE)
    expect(seeded.files).toBe(DEMO_SERIES_FILES.length)
    expect(await hasSeries(bed.platform)).toBe(true)
  })

  it("gives MISO's market page its capacity per technology at the scale of the real fleet: nameplate and summer MW, generators, August and September 2026", async () => {
    const { series } = await listSeries(ch(), { product: 'GRID', market: 'MISO' })
    const miso = capacity(series)
    for (const s of miso) {
      expect(s).toMatchObject({ frequency: 'month', first: '2026-08-01T00:00:00.000Z', last: '2026-09-01T00:00:00.000Z' })
      expect(['nameplate_capacity', 'summer_capacity', 'generators']).toContain(s.measure)
    }
    expect(miso).toHaveLength(42)
    const summer = miso.filter((s) => s.measure === 'summer_capacity').map((s) => [s.series, s.lastValue])
    expect(summer.sort()).toEqual(MISO_SUMMER_MW)
    const gas = await history('MISO', 'MISO.CAPACITY.NATURAL_GAS_FIRED_COMBINED_CYCLE', 'summer_capacity')
    expect(gas).toMatchObject({ unit: 'MW', frequency: 'month' })
    expect(gas.values.map((v) => [v.periodStart, v.value, v.source, v.attributes.fuel])).toEqual([
      ['2026-08-01T00:00:00.000Z', 50000, 'eia.860m.generators', 'gas'],
      ['2026-09-01T00:00:00.000Z', 50000, 'eia.860m.generators', 'gas'],
    ])
    // Units of realistic size: about 600 MW per combined cycle.
    const units = miso.find((s) => s.series === 'MISO.CAPACITY.NATURAL_GAS_FIRED_COMBINED_CYCLE' && s.measure === 'generators')
    expect(units?.lastValue).toBe(83)
  })

  it("shows September's solar and battery additions against August", async () => {
    const values = async (market: MarketId, series: string) => (await history(market, series, 'generators')).values.map((v) => v.value)
    expect(await values('MISO', 'MISO.CAPACITY.SOLAR_PHOTOVOLTAIC')).toEqual([157, 160])
    expect(await values('MISO', 'MISO.CAPACITY.BATTERIES')).toEqual([22, 24])
    expect(await values('CAISO', 'CISO.CAPACITY.SOLAR_PHOTOVOLTAIC')).toEqual([171, 175])
    expect(await values('CAISO', 'CISO.CAPACITY.BATTERIES')).toEqual([143, 146])
    expect(await values('MISO', 'MISO.CAPACITY.CONVENTIONAL_STEAM_COAL')).toEqual([66, 66])
    const solar = (await history('CAISO', 'CISO.CAPACITY.SOLAR_PHOTOVOLTAIC', 'summer_capacity')).values.map((v) => v.value)
    expect(solar).toEqual([25608.7, 26210])
  })

  it("gives CAISO's its capacity too, a WEIM member's with it, and keeps ERCOT's and PJM's", async () => {
    const { series } = await listSeries(ch(), { product: 'GRID', market: 'CAISO' })
    const summer = capacity(series).filter((s) => s.measure === 'summer_capacity')
    expect(summer.map((s) => [s.series, s.lastValue]).sort()).toEqual([
      ['CISO.CAPACITY.BATTERIES', 14600],
      ['CISO.CAPACITY.CONVENTIONAL_HYDROELECTRIC', 7500],
      ['CISO.CAPACITY.GEOTHERMAL', 1480],
      ['CISO.CAPACITY.HYDROELECTRIC_PUMPED_STORAGE', 1400],
      ['CISO.CAPACITY.LANDFILL_GAS', 260],
      ['CISO.CAPACITY.NATURAL_GAS_FIRED_COMBINED_CYCLE', 15500],
      ['CISO.CAPACITY.NATURAL_GAS_FIRED_COMBUSTION_TURBINE', 8025],
      ['CISO.CAPACITY.NATURAL_GAS_INTERNAL_COMBUSTION_ENGINE', 1605],
      ['CISO.CAPACITY.NATURAL_GAS_STEAM_TURBINE', 1070],
      ['CISO.CAPACITY.NUCLEAR', 2280],
      ['CISO.CAPACITY.ONSHORE_WIND_TURBINE', 8800],
      ['CISO.CAPACITY.PETROLEUM_LIQUIDS', 140],
      ['CISO.CAPACITY.SOLAR_PHOTOVOLTAIC', 26210],
      ['CISO.CAPACITY.SOLAR_THERMAL_WITHOUT_ENERGY_STORAGE', 390],
      ['CISO.CAPACITY.WOOD_WOOD_WASTE_BIOMASS', 520],
      ['PACW.CAPACITY.CONVENTIONAL_HYDROELECTRIC', 38],
    ])
    expect(summer.find((s) => s.series.startsWith('PACW.'))?.attributes).toMatchObject({ respondent: 'PACW', via: 'WEIM' })
    const other = async (market: MarketId) => capacity((await listSeries(ch(), { product: 'GRID', market })).series).filter((s) => s.measure === 'summer_capacity').map((s) => [s.series, s.lastValue])
    expect((await other('ERCOT')).sort()).toEqual([
      ['ERCO.CAPACITY.NATURAL_GAS_FIRED_COMBUSTION_TURBINE', 80.5],
      ['ERCO.CAPACITY.ONSHORE_WIND_TURBINE', 348.2],
    ])
    expect(await other('PJM')).toEqual([['PJM.CAPACITY.NUCLEAR', 1150]])
  })

  it("the fleet check of the base scenario against the stored inventory finds only the designed gaps, and lists apart what the model has none of", async () => {
    const checked = await fleetCheck(ch(), ['MISO', 'CAISO'], fleetSubjectOfText(baseScenarioText(), []))
    const [miso, caiso] = checked.markets
    expect(miso).toMatchObject({ market: 'MISO', respondent: 'MISO', check: { month: '2026-09', at: '2026-10' } })
    expect(miso!.check!.statements).toEqual(['build wind 800 MW in MISO at 2026-10', 'retire gas_ct 450 MW in MISO at 2026-10', 'retire coal 1200 MW in MISO at 2026-10'])
    expect(miso!.check!.rows.find((r) => r.technology === 'coal')).toMatchObject({ modelMw: 40700, summerMw: 39500, gapMw: -1200 })
    expect(miso!.check!.notModelled.map((t) => [t.technology, t.summerMw])).toEqual([
      ['Landfill Gas', 420],
      ['Petroleum Liquids', 1150],
      ['Wood/Wood Waste Biomass', 310],
    ])
    expect(caiso).toMatchObject({ market: 'CAISO', respondent: 'CISO', check: { month: '2026-09', at: '2026-10' } })
    expect(caiso!.check!.statements).toEqual(['build solar 1100 MW in CAISO at 2026-10', 'retire storage 1500 MW in CAISO at 2026-10', 'retire gas_ct 300 MW in CAISO at 2026-10'])
    expect(caiso!.check!.rows.find((r) => r.technology === 'storage')).toMatchObject({ modelMw: 17500, summerMw: 16000, gapMw: -1500 })
    expect(caiso!.check!.notModelled.map((t) => t.technology)).toEqual(['Geothermal', 'Landfill Gas', 'Petroleum Liquids', 'Wood/Wood Waste Biomass'])
  })

  it('Data health sees the capacity as a monthly dataset on EIA-860M\'s schedule: whole, on time until November\'s inventory is due', async () => {
    const health = (now: string) => seriesHealth(ch(), bed.platform.pg.db, { products: [], markets: ['MISO', 'CAISO'], now: new Date(now) })
    const onTime = (await health('2026-10-29T12:00:00Z')).datasets.find((d) => d.dataset === 'eia.860m.generators')
    expect(onTime).toMatchObject({
      product: 'GRID',
      status: 'ok',
      lastPeriodEnd: '2026-10-01T00:00:00.000Z',
      schedule: { scheduleOf: 'eia.860m.generators', cadenceHours: 6, expectedThrough: '2026-10-01T00:00:00.000Z', late: false, lateSeries: 0 },
    })
    expect(onTime!.series).toHaveLength(90) // MISO 14 and CAISO 16 technologies (PACW's one among them), three measures each
    for (const s of onTime!.series) expect(s).toMatchObject({ frequency: 'month', expectedPeriods: 2, receivedPeriods: 2, missingPeriods: 0, presence: '11', late: false })
    const late = (await health('2026-11-29T12:00:00Z')).datasets.find((d) => d.dataset === 'eia.860m.generators')
    expect(late).toMatchObject({ status: 'late', schedule: { expectedThrough: '2026-11-01T00:00:00.000Z', late: true, lateSeries: 90 } })
  })

  it('stops at a file whose reader refuses rows it is not known to hold refused, naming it', async () => {
    const strict = [{ source: 'eia.860m.generators' as const, dir: EIA860_FIXTURE_DIR, file: EIA860M_SAMPLE_FIXTURE }]
    await expect(seedDemoSeries(bed.platform, strict)).rejects.toThrow(
      `demo series ${EIA860M_SAMPLE_FIXTURE}: 2 rows refused where 0 are expected, the first: no balancing authority code: 1 generator, 10 MW nameplate of Petroleum Liquids refused`,
    )
  })
})
