import { cellAt, readExcelWorkbook, SERIES_SOURCES, sheetNamed, shownCell, technologyFuel, type Eia860mSampleGenerator } from '@carbon/connectors'
import { demoInventoryGenerators, demoInventoryWorkbook } from '@carbon/demo-data/capacity'
import type { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import type { SimAnswer, SimContext } from '../markets/types.ts'
import { PriceModel } from '../prices.ts'
import { createEia860mWorkbooks, createEia860Route, eia860mBuildOut, eia860mLatestMonth, eia860mMonthGenerators } from './eia860.ts'
import { createSeriesRoutes } from './index.ts'

const model = new PriceModel({ seed: 254, misoNodes: 10, caisoNodes: 10 })
const at = (iso: string): SimContext => ({ model, now: Date.parse(iso), seed: 254 })
const route = createEia860Route()
const XLS = '/eia/electricity/data/eia860m/xls/'
const ARCHIVE = '/eia/electricity/data/eia860m/archive/xls/'
const get = (path: string, context = at('2026-12-07T12:00:00Z')): SimAnswer | null => route.answer({ path, params: new URLSearchParams(), headers: {} }, context)
const bodyOf = (a: SimAnswer | null) => {
  if (!a) throw new Error('no answer')
  return new Uint8Array(Buffer.from(typeof a.body === 'string' ? a.body : a.body))
}
const read = (bytes: Uint8Array, file: string) => SERIES_SOURCES['eia.860m.generators'].parse(bytes, file)
const value = (records: SeriesRecord[], series: string, measure = 'nameplate_capacity') => records.find((r) => r.series === series && r.measure === measure)?.value
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

/** The demo's September generators, the base of every month the demo does not store. */
const september = demoInventoryGenerators('2026-09')
const roundMw = (mw: number) => Math.round(mw * 1000) / 1000
const scaled = (mw: number, factor: number) => Math.round(mw * factor * 10) / 10
/** What the reader should sum for one balancing authority and technology, from the generators themselves (scaled by `factor` when built out). */
function expectedMw(ba: string, technology: string, factor: number, field: 'nameplateMw' | 'summerMw' = 'nameplateMw'): number {
  const builtOut = ['solar', 'wind', 'storage'].includes(technologyFuel(technology))
  const rows = september.filter((g) => g.ba === ba && g.technology === technology)
  if (rows.length === 0) throw new Error(`no ${ba} ${technology} generator in the demo's September`)
  return roundMw(rows.reduce((sum, g) => sum + (builtOut ? scaled(g[field], factor) : g[field]), 0))
}
const countOf = (generators: readonly Eia860mSampleGenerator[], ba: string, technology: string) => generators.filter((g) => g.ba === ba && g.technology === technology).length
/** Cell A2 of the workbook's Operating sheet: its title. */
const titleOf = (bytes: Uint8Array, file: string) => shownCell(cellAt(sheetNamed(readExcelWorkbook(bytes, file), 'Operating', file), 2, 0))

describe('EIA-860M on the simulator: release and folders', () => {
  it('puts out month M on the 24th of M+1, 10:00 Eastern', () => {
    expect(eia860mLatestMonth(Date.parse('2026-09-24T13:59:59Z'))).toBe('2026-07')
    expect(eia860mLatestMonth(Date.parse('2026-09-24T14:00:00Z'))).toBe('2026-08')
    expect(eia860mLatestMonth(Date.parse('2026-12-24T15:00:00Z'))).toBe('2026-11') // EST
    expect(eia860mLatestMonth(Date.parse('2027-01-05T00:00:00Z'))).toBe('2026-11')
  })

  it('serves the latest month under xls/ and every earlier one under archive/xls/, with its release as Last-Modified', () => {
    // 2026-12-07: October 2026 is the latest out.
    const latest = get(`${XLS}october_generator2026.xlsx`)
    expect(latest).toMatchObject({ status: 200, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', headers: { 'Last-Modified': 'Tue, 24 Nov 2026 15:00:00 GMT' } })
    expect(get(`${ARCHIVE}september_generator2026.xlsx`)).toMatchObject({ status: 200, headers: { 'Last-Modified': 'Sat, 24 Oct 2026 14:00:00 GMT' } })
    expect(get(`${ARCHIVE}july_generator2015.xlsx`)).toMatchObject({ status: 200 })
  })

  it('answers EIA\'s landing page (HTTP 200 HTML) for a month not out, a month in the other folder, before July 2015 and any other name', () => {
    for (const path of [
      `${XLS}november_generator2026.xlsx`,
      `${ARCHIVE}october_generator2026.xlsx`,
      `${XLS}september_generator2026.xlsx`,
      `${ARCHIVE}june_generator2015.xlsx`,
      `${ARCHIVE}smarch_generator2020.xlsx`,
      `${XLS}October_generator2026.xlsx`,
      '/eia/electricity/data/eia860m/',
    ]) {
      const answer = get(path)
      expect(answer, path).toMatchObject({ status: 200, type: 'text/html; charset=UTF-8' })
      expect(Buffer.from(bodyOf(answer)).toString(), path).toContain('<a href="/electricity/data/eia860m/xls/october_generator2026.xlsx">2026-10</a>')
    }
    expect(get('/eia/electricity/wholesale/xls/ice_natgas-2017.xlsx')).toBeNull()
  })

  it('comes before EIA\'s other website files, which answer 404 under /eia/electricity/', () => {
    const routes = createSeriesRoutes()
    const first = routes.find((r) => r.answer({ path: `${XLS}october_generator2026.xlsx`, params: new URLSearchParams(), headers: {} }, at('2026-12-07T12:00:00Z')))
    expect(first?.sources).toEqual(['eia.860m.generators'])
  })
})

describe('EIA-860M workbooks on the simulator', () => {
  it('the months the demo stores are the demo\'s workbooks byte for byte', () => {
    expect(same(bodyOf(get(`${ARCHIVE}september_generator2026.xlsx`)), demoInventoryWorkbook('2026-09'))).toBe(true)
    expect(same(bodyOf(get(`${ARCHIVE}august_generator2026.xlsx`)), demoInventoryWorkbook('2026-08'))).toBe(true)
  })

  it('another month is the demo\'s September with its title and 0.5 % a month of solar, wind and storage build-out, read by the real reader refusing nothing', () => {
    const bytes = bodyOf(get(`${ARCHIVE}march_generator2026.xlsx`))
    const march = read(bytes, 'march_generator2026.xlsx')
    const demo = read(demoInventoryWorkbook('2026-09'), 'september_generator2026.xlsx')
    // The demo's inventory keeps only balancing authorities the reader maps (the fixture's SOCO and blank code are left out).
    expect(demo.errors).toEqual([])
    expect(march.errors).toEqual([])
    expect(march.records.map((r) => `${r.series} ${r.measure}`).sort()).toEqual(demo.records.map((r) => `${r.series} ${r.measure}`).sort())
    expect(new Set(march.records.map((r) => r.periodStart))).toEqual(new Set(['2026-03-01T00:00:00.000Z']))
    const factor = eia860mBuildOut('2026-09', '2026-03')
    expect(factor).toBeCloseTo(0.97)
    // Six months before September: solar, wind, storage (batteries and pumped storage) at 97 %, each generator to 0.1 MW; the rest as in September.
    expect(value(march.records, 'MISO.CAPACITY.SOLAR_PHOTOVOLTAIC')).toBe(expectedMw('MISO', 'Solar Photovoltaic', factor))
    expect(value(march.records, 'MISO.CAPACITY.ONSHORE_WIND_TURBINE', 'summer_capacity')).toBe(expectedMw('MISO', 'Onshore Wind Turbine', factor, 'summerMw'))
    expect(value(march.records, 'CISO.CAPACITY.BATTERIES')).toBe(expectedMw('CISO', 'Batteries', factor))
    expect(value(march.records, 'CISO.CAPACITY.HYDROELECTRIC_PUMPED_STORAGE')).toBe(expectedMw('CISO', 'Hydroelectric Pumped Storage', factor))
    expect(value(march.records, 'ERCO.CAPACITY.ONSHORE_WIND_TURBINE')).toBe(expectedMw('ERCO', 'Onshore Wind Turbine', factor))
    expect(value(march.records, 'MISO.CAPACITY.NUCLEAR')).toBe(expectedMw('MISO', 'Nuclear', factor))
    expect(value(march.records, 'MISO.CAPACITY.NUCLEAR')).toBe(value(demo.records, 'MISO.CAPACITY.NUCLEAR'))
    expect(value(march.records, 'MISO.CAPACITY.CONVENTIONAL_STEAM_COAL', 'summer_capacity')).toBe(value(demo.records, 'MISO.CAPACITY.CONVENTIONAL_STEAM_COAL', 'summer_capacity'))
    expect(value(march.records, 'MISO.CAPACITY.SOLAR_PHOTOVOLTAIC')).toBeLessThan(value(demo.records, 'MISO.CAPACITY.SOLAR_PHOTOVOLTAIC')!)
    // A full-scale fleet, every generator counted: hundreds of MISO solar units, not the fixture's one.
    expect(value(march.records, 'MISO.CAPACITY.SOLAR_PHOTOVOLTAIC', 'generators')).toBe(countOf(september, 'MISO', 'Solar Photovoltaic'))
    expect(countOf(september, 'MISO', 'Solar Photovoltaic')).toBeGreaterThan(50)
    expect(titleOf(bytes, 'march_generator2026.xlsx')).toContain('Form EIA-860), March 2026 (254Carbon SIMULATOR')
    expect(titleOf(demoInventoryWorkbook('2026-09'), 'september_generator2026.xlsx')).toContain('September 2026')
  })

  it('scales nameplate, summer and winter of solar, wind and storage only, each to 0.1 MW', () => {
    const october = eia860mMonthGenerators(september, '2026-09', '2026-10')
    expect(october).toHaveLength(september.length)
    const pv = september.findIndex((g) => g.ba === 'MISO' && g.technology === 'Solar Photovoltaic')
    const nuclear = september.findIndex((g) => g.ba === 'MISO' && g.technology === 'Nuclear')
    const { nameplateMw, summerMw, winterMw } = september[pv]!
    expect(october[pv]).toEqual({ ...september[pv], nameplateMw: scaled(nameplateMw, 1.005), summerMw: scaled(summerMw, 1.005), winterMw: scaled(winterMw, 1.005) })
    expect(october[pv]!.summerMw).not.toBe(summerMw)
    expect(october[nuclear]).toEqual(september[nuclear])
  })

  it('is the same for the same month on every build, and differs from month to month', () => {
    const [one, two] = [createEia860mWorkbooks(), createEia860mWorkbooks()]
    expect(same(one.of('2025-01'), two.of('2025-01'))).toBe(true)
    const solar = (month: string, name: string) => value(read(one.of(month), name).records, 'CISO.CAPACITY.SOLAR_PHOTOVOLTAIC')
    const months: [string, string][] = [
      ['2025-01', 'january_generator2025.xlsx'],
      ['2025-02', 'february_generator2025.xlsx'],
      ['2027-09', 'september_generator2027.xlsx'],
    ]
    expect(months.map(([month, name]) => solar(month, name))).toEqual(months.map(([month]) => expectedMw('CISO', 'Solar Photovoltaic', eia860mBuildOut('2026-09', month))))
    expect(new Set(months.map(([month, name]) => solar(month, name))).size).toBe(3)
    expect(same(one.of('2025-01'), one.of('2025-02'))).toBe(false)
    // Never under a quarter of September, however far back.
    expect(eia860mBuildOut('2026-09', '2015-07')).toBeCloseTo(0.33)
    expect(eia860mBuildOut('2026-09', '2001-01')).toBe(0.25)
  })
})
