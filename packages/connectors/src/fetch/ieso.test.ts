import { describe, expect, it } from 'vitest'
import { SOURCES } from '../sources.ts'
import { IESO_DA_PUBLISHED_BEFORE_MS, IESO_DATASETS, IESO_MIN_SPACING_MS, iesoDayStart } from './ieso.ts'
import type { ConnectorConfig, Window } from './types.ts'
import { PUBLISHER_URLS } from './urls.ts'

const BASE = 'https://reports-public.ieso.ca/public'
const config: ConnectorConfig = { urls: PUBLISHER_URLS, caisoNodes: 'ALL' }
const ms = (iso: string) => Date.parse(iso)
const est = (naive: string) => Date.parse(`${naive}-05:00`)
const win = (start: string, end: string): Window => ({ start: ms(start), end: ms(end) })
const DA = IESO_DATASETS['ieso.da_ontario_zonal']
const RT = IESO_DATASETS['ieso.rt_ontario_zonal']
const HOUR = 3_600_000

describe('IESO public report datasets', () => {
  it('are keyed by their source ids and need no credentials', () => {
    expect(Object.keys(IESO_DATASETS).sort()).toEqual(['ieso.da_ontario_zonal', 'ieso.rt_ontario_zonal'])
    for (const [id, d] of Object.entries(IESO_DATASETS)) {
      expect(d.id).toBe(id)
      expect([d.market, d.run]).toEqual([SOURCES[d.id].market, SOURCES[d.id].run])
      expect(d.available(config)).toBe(true)
      expect(d.backfill).toBe(true)
    }
    expect([DA.run, DA.cadenceMs, DA.intervalMs]).toEqual(['DA', HOUR, HOUR])
    expect([RT.run, RT.cadenceMs, RT.intervalMs]).toEqual(['RT5', 300_000, 300_000])
    expect(IESO_MIN_SPACING_MS).toEqual({ 'ieso.reports': 1000 })
  })

  it('keep EST all year: a delivery date is [05:00Z, 05:00Z) in July as in January', () => {
    expect(iesoDayStart(ms('2026-07-14T04:59:00Z'))).toBe(ms('2026-07-13T05:00:00Z'))
    expect(iesoDayStart(ms('2026-07-14T05:00:00Z'))).toBe(ms('2026-07-14T05:00:00Z'))
    expect(iesoDayStart(ms('2026-01-14T05:00:00Z'))).toBe(ms('2026-01-14T05:00:00Z'))
  })

  it('publish day-ahead date D at D-1 12:30 EST, through the end of D', () => {
    expect(IESO_DA_PUBLISHED_BEFORE_MS).toBe(11.5 * HOUR)
    expect(DA.publishedUntil(est('2026-05-27T12:29:59'))).toBe(est('2026-05-28T00:00:00'))
    expect(DA.publishedUntil(est('2026-05-27T12:30:00'))).toBe(est('2026-05-29T00:00:00'))
    // no daylight saving: the same in winter and on the change days
    expect(DA.publishedUntil(est('2026-01-13T12:30:00'))).toBe(est('2026-01-15T00:00:00'))
    expect(DA.publishedUntil(est('2026-03-07T12:30:00'))).toBe(est('2026-03-09T00:00:00'))
    expect(DA.publishedUntil(est('2026-10-31T12:29:00'))).toBe(est('2026-11-01T00:00:00'))
  })

  it('publish a real-time interval once it has ended', () => {
    expect(RT.publishedUntil(est('2026-08-25T17:37:57'))).toBe(est('2026-08-25T17:35:00'))
    expect(RT.publishedUntil(est('2026-08-25T17:40:00'))).toBe(est('2026-08-25T17:40:00'))
  })

  it('plan one day-ahead file per EST date', () => {
    const requests = DA.plan(win('2026-05-28T04:00:00Z', '2026-05-29T05:00:01Z'), config, 0)
    expect(requests[1]).toEqual({
      dataset: 'ieso.da_ontario_zonal',
      url: `${BASE}/DAHourlyOntarioZonalPrice/PUB_DAHourlyOntarioZonalPrice_20260528.xml`,
      headers: { Accept: 'application/xml, text/xml;q=0.9, */*;q=0.1' },
      window: { start: est('2026-05-28T00:00:00'), end: est('2026-05-29T00:00:00') },
      file: 'PUB_DAHourlyOntarioZonalPrice_20260528.xml',
      rateGroup: 'ieso.reports',
      notFoundMeansNotPublished: true,
    })
    expect(requests.map((r) => r.file)).toEqual([
      'PUB_DAHourlyOntarioZonalPrice_20260527.xml', // 04:00Z is 23:00 EST on 05-27
      'PUB_DAHourlyOntarioZonalPrice_20260528.xml',
      'PUB_DAHourlyOntarioZonalPrice_20260529.xml',
    ])
    expect(DA.plan({ start: est('2026-05-28T06:00:00'), end: est('2026-05-28T06:00:00') }, config, 0)).toEqual([])
  })

  it('plan one real-time file per delivery hour, HH = hour ending 01..24 EST', () => {
    const hour18 = RT.plan({ start: est('2026-08-25T17:00:00'), end: est('2026-08-25T17:35:00') }, config, 0)
    expect(hour18).toEqual([
      {
        dataset: 'ieso.rt_ontario_zonal',
        url: `${BASE}/RealtimeOntarioZonalPrice/PUB_RealtimeOntarioZonalPrice_2026082518.xml`,
        headers: { Accept: 'application/xml, text/xml;q=0.9, */*;q=0.1' },
        window: { start: est('2026-08-25T17:00:00'), end: est('2026-08-25T18:00:00') },
        file: 'PUB_RealtimeOntarioZonalPrice_2026082518.xml',
        rateGroup: 'ieso.reports',
        notFoundMeansNotPublished: true,
      },
    ])
    const midnight = RT.plan({ start: est('2026-08-25T23:55:00'), end: est('2026-08-26T00:05:00') }, config, 0)
    expect(midnight.map((r) => r.file)).toEqual(['PUB_RealtimeOntarioZonalPrice_2026082524.xml', 'PUB_RealtimeOntarioZonalPrice_2026082601.xml'])
  })

  it.each([
    ['2026-03-08', '2026-03-08T05:00:00Z'],
    ['2026-11-01', '2026-11-01T05:00:00Z'],
  ])('plan 24 real-time hours on the clock-change date %s (EST all year)', (date, start) => {
    const requests = RT.plan({ start: ms(start), end: ms(start) + 24 * HOUR }, config, 0)
    const ymd = date.replaceAll('-', '')
    expect(requests.map((r) => r.file)).toEqual(Array.from({ length: 24 }, (_, i) => `PUB_RealtimeOntarioZonalPrice_${ymd}${String(i + 1).padStart(2, '0')}.xml`))
    expect(requests.map((r) => r.window.start)).toEqual(Array.from({ length: 24 }, (_, i) => ms(start) + i * HOUR))
    const day = DA.plan({ start: ms(start), end: ms(start) + 24 * HOUR }, config, 0)
    expect(day.map((r) => [r.file, r.window.end - r.window.start])).toEqual([[`PUB_DAHourlyOntarioZonalPrice_${ymd}.xml`, 24 * HOUR]])
  })

  it('use the configured base URL', () => {
    const sim = { ...config, urls: { ...PUBLISHER_URLS, iesoReports: 'http://127.0.0.1:9/ieso/public/' } }
    expect(DA.plan(win('2026-05-28T05:00:00Z', '2026-05-29T05:00:00Z'), sim, 0).map((r) => r.url)).toEqual([
      'http://127.0.0.1:9/ieso/public/DAHourlyOntarioZonalPrice/PUB_DAHourlyOntarioZonalPrice_20260528.xml',
    ])
  })
})
