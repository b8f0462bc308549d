import { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE } from '@carbon/connectors'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { seriesHealth } from '../quality/series-health.ts'
import { getSeriesHistory, listSeries } from '../series/index.ts'
import { DEMO_SERIES_FILES, hasSeries, seedDemoSeries } from './series.ts'

/*
 * The demo's series on the platform `carbon serve` opens (scratch PostgreSQL, embedded chDB): every
 * demo file stored by its reader, the EIA-860M sample among them, so the MISO and CAISO market
 * pages have capacity at first start (read back through the series service their loaders call),
 * and the Data health page sees the capacity dataset as a monthly one on EIA-860M's schedule. A
 * reader refusing rows a file is not known to hold refused stops the load, naming the file.
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

describe('demo series', () => {
  it('stores every demo file, the EIA-860M sample among them', async () => {
    expect(DEMO_SERIES_FILES.map((f) => f.file)).toContain(EIA860M_SAMPLE_FIXTURE)
    expect(seeded.files).toBe(DEMO_SERIES_FILES.length)
    expect(await hasSeries(bed.platform)).toBe(true)
  })

  it('gives MISO\'s market page its capacity per technology: nameplate and summer MW, generators, September 2026', async () => {
    const { series } = await listSeries(ch(), { product: 'GRID', market: 'MISO' })
    const miso = capacity(series)
    expect([...new Set(miso.map((s) => s.series))].sort()).toEqual([
      'MISO.CAPACITY.CONVENTIONAL_STEAM_COAL',
      'MISO.CAPACITY.NATURAL_GAS_FIRED_COMBINED_CYCLE',
      'MISO.CAPACITY.NUCLEAR',
      'MISO.CAPACITY.ONSHORE_WIND_TURBINE',
      'MISO.CAPACITY.SOLAR_PHOTOVOLTAIC',
    ])
    for (const s of miso) {
      expect(s).toMatchObject({ frequency: 'month', first: '2026-09-01T00:00:00.000Z', last: '2026-09-01T00:00:00.000Z' })
      expect(['nameplate_capacity', 'summer_capacity', 'generators']).toContain(s.measure)
    }
    expect(miso).toHaveLength(15)
    const gas = await getSeriesHistory(ch(), {
      product: 'GRID',
      market: 'MISO',
      series: 'MISO.CAPACITY.NATURAL_GAS_FIRED_COMBINED_CYCLE',
      measure: 'summer_capacity',
      from: '2026-01-01T00:00:00Z',
      to: '2027-01-01T00:00:00Z',
    })
    expect(gas).toMatchObject({ unit: 'MW', frequency: 'month' })
    expect(gas.values.map((v) => [v.periodStart, v.value, v.source, v.attributes.fuel])).toEqual([['2026-09-01T00:00:00.000Z', 735, 'eia.860m.generators', 'gas']])
  })

  it('gives CAISO\'s its capacity too, a WEIM member\'s with it', async () => {
    const { series } = await listSeries(ch(), { product: 'GRID', market: 'CAISO' })
    const nameplate = capacity(series).filter((s) => s.measure === 'nameplate_capacity')
    expect(nameplate.map((s) => [s.series, s.lastValue]).sort()).toEqual([
      ['CISO.CAPACITY.BATTERIES', 200],
      ['CISO.CAPACITY.NATURAL_GAS_FIRED_COMBINED_CYCLE', 550.5],
      ['CISO.CAPACITY.SOLAR_PHOTOVOLTAIC', 150],
      ['PACW.CAPACITY.CONVENTIONAL_HYDROELECTRIC', 40],
    ])
    expect(nameplate.find((s) => s.series.startsWith('PACW.'))?.attributes).toMatchObject({ respondent: 'PACW', via: 'WEIM' })
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
    expect(onTime!.series).toHaveLength(27) // MISO 5 and CAISO 4 technologies, three measures each
    for (const s of onTime!.series) expect(s).toMatchObject({ frequency: 'month', expectedPeriods: 1, receivedPeriods: 1, missingPeriods: 0, presence: '1', late: false })
    const late = (await health('2026-11-29T12:00:00Z')).datasets.find((d) => d.dataset === 'eia.860m.generators')
    expect(late).toMatchObject({ status: 'late', schedule: { expectedThrough: '2026-11-01T00:00:00.000Z', late: true, lateSeries: 27 } })
  })

  it('stops at a file whose reader refuses rows it is not known to hold refused, naming it', async () => {
    const strict = [{ source: 'eia.860m.generators' as const, dir: EIA860_FIXTURE_DIR, file: EIA860M_SAMPLE_FIXTURE }]
    await expect(seedDemoSeries(bed.platform, strict)).rejects.toThrow(
      `demo series ${EIA860M_SAMPLE_FIXTURE}: 2 rows refused where 0 are expected, the first: no balancing authority code: 1 generator, 10 MW nameplate of Petroleum Liquids refused`,
    )
  })
})
