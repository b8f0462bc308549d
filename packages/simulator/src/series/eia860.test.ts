import { readFileSync } from 'node:fs'
import { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE, SERIES_SOURCES } from '@carbon/connectors'
import type { SeriesRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import type { SimAnswer, SimContext } from '../markets/types.ts'
import { PriceModel } from '../prices.ts'
import { createEia860mWorkbooks, createEia860Route, eia860mBuildOut, eia860mLatestMonth } from './eia860.ts'
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
const sample = () => new Uint8Array(readFileSync(new URL(EIA860M_SAMPLE_FIXTURE, EIA860_FIXTURE_DIR)))
const read = (bytes: Uint8Array, file: string) => SERIES_SOURCES['eia.860m.generators'].parse(bytes, file)
const value = (records: SeriesRecord[], series: string, measure = 'nameplate_capacity') => records.find((r) => r.series === series && r.measure === measure)?.value

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
  it('September 2026 is the documented sample byte for byte', () => {
    expect(Buffer.from(bodyOf(get(`${ARCHIVE}september_generator2026.xlsx`))).equals(Buffer.from(sample()))).toBe(true)
  })

  it('another month is the sample with its title and 0.5 % a month of solar, wind and storage build-out, read by the real reader', () => {
    const bytes = bodyOf(get(`${ARCHIVE}march_generator2026.xlsx`))
    const march = read(bytes, 'march_generator2026.xlsx')
    const september = read(sample(), 'september_generator2026.xlsx')
    expect(march.errors.map((e) => e.reason)).toEqual(september.errors.map((e) => e.reason))
    expect(march.records).toHaveLength(september.records.length)
    expect(new Set(march.records.map((r) => r.periodStart))).toEqual(new Set(['2026-03-01T00:00:00.000Z']))
    expect(eia860mBuildOut('2026-09', '2026-03')).toBeCloseTo(0.97)
    // Six months before the sample: solar, wind, storage at 97 %; the rest as in the sample.
    expect(value(march.records, 'MISO.CAPACITY.SOLAR_PHOTOVOLTAIC')).toBe(116.4)
    expect(value(march.records, 'MISO.CAPACITY.ONSHORE_WIND_TURBINE', 'summer_capacity')).toBe(289.1)
    expect(value(march.records, 'CISO.CAPACITY.BATTERIES')).toBe(194)
    expect(value(march.records, 'MISO.CAPACITY.NUCLEAR')).toBe(1100)
    expect(value(march.records, 'MISO.CAPACITY.SOLAR_PHOTOVOLTAIC', 'generators')).toBe(1)
    expect(new TextDecoder().decode(bytes)).not.toContain('September 2026')
  })

  it('is the same for the same month on every build, and differs from month to month', () => {
    const [one, two] = [createEia860mWorkbooks(), createEia860mWorkbooks()]
    expect(Buffer.from(one.of('2025-01')).equals(Buffer.from(two.of('2025-01')))).toBe(true)
    const solar = (month: string, name: string) => value(read(one.of(month), name).records, 'CISO.CAPACITY.SOLAR_PHOTOVOLTAIC')
    expect([solar('2025-01', 'january_generator2025.xlsx'), solar('2025-02', 'february_generator2025.xlsx'), solar('2027-09', 'september_generator2027.xlsx')]).toEqual([
      135, 135.8, 159,
    ])
    // Never under a quarter of the sample, however far back.
    expect(eia860mBuildOut('2026-09', '2015-07')).toBeCloseTo(0.33)
    expect(eia860mBuildOut('2026-09', '2001-01')).toBe(0.25)
  })
})
