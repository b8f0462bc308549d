import { describe, expect, it } from 'vitest'
import { NYISO_DA_PUBLISHED, NYISO_DAILY_CSV_DAYS, NYISO_DATASETS, NYISO_MIN_SPACING_MS, NYISO_RATE_GROUP, nyisoDailyFrom, nyisoDaPublishedAt } from './nyiso.ts'
import { PUBLISHER_URLS } from './urls.ts'
import type { ConnectorConfig } from './types.ts'

const BASE = 'http://mis.nyiso.com/public'
const config: ConnectorConfig = { urls: { ...PUBLISHER_URLS, nyisoMis: BASE }, caisoNodes: 'ALL' }
const at = (text: string) => Date.parse(text)
const HOUR = 3_600_000
const DA = NYISO_DATASETS['nyiso.damlbmp_zone']
const RT = NYISO_DATASETS['nyiso.realtime_zone']

describe('NYISO MIS datasets', () => {
  it('are keyed by their source ids, need no credentials and share the 1 s rate group', () => {
    expect(Object.keys(NYISO_DATASETS).sort()).toEqual(['nyiso.damlbmp_zone', 'nyiso.realtime_zone'])
    for (const [id, definition] of Object.entries(NYISO_DATASETS)) {
      expect(definition.id).toBe(id)
      expect(definition).toMatchObject({ market: 'NYISO', backfill: true })
      expect(definition.available(config)).toBe(true)
      expect(definition.nextPage).toBeUndefined()
      expect(definition.locate).toBeUndefined()
    }
    expect([DA.run, RT.run]).toEqual(['DA', 'RT5'])
    expect([DA.intervalMs, RT.intervalMs]).toEqual([HOUR, 300_000])
    expect([DA.cadenceMs, RT.cadenceMs]).toEqual([HOUR, 300_000])
    expect(NYISO_MIN_SPACING_MS).toEqual({ [NYISO_RATE_GROUP]: 1000 })
    expect(NYISO_DA_PUBLISHED).toEqual({ daysBefore: 1, hour: 11 })
  })

  it('publish day-ahead day D at D-1 11:00 EPT, around both clock changes', () => {
    expect(nyisoDaPublishedAt(at('2026-09-23T00:00-04:00'))).toBe(at('2026-09-22T11:00-04:00'))
    expect(DA.publishedUntil(at('2026-09-22T10:59-04:00'))).toBe(at('2026-09-23T00:00-04:00'))
    expect(DA.publishedUntil(at('2026-09-22T11:00-04:00'))).toBe(at('2026-09-24T00:00-04:00'))
    // the 23-hour day: published 03-07 11:00 EST; the day after it on the change day at 11:00 EDT
    expect(nyisoDaPublishedAt(at('2026-03-08T00:00-05:00'))).toBe(at('2026-03-07T11:00-05:00'))
    expect(nyisoDaPublishedAt(at('2026-03-09T00:00-04:00'))).toBe(at('2026-03-08T11:00-04:00'))
    // the 25-hour day: published 10-31 11:00 EDT; the next at 11:00 EST on the change day
    expect(DA.publishedUntil(at('2026-10-31T11:00-04:00'))).toBe(at('2026-11-02T00:00-05:00'))
    expect(nyisoDaPublishedAt(at('2026-11-02T00:00-05:00'))).toBe(at('2026-11-01T11:00-05:00'))
  })

  it('publish a real-time interval once it has ended', () => {
    expect(RT.publishedUntil(at('2026-09-23T14:04:59-04:00'))).toBe(at('2026-09-23T14:00-04:00'))
    expect(RT.publishedUntil(at('2026-09-23T14:05-04:00'))).toBe(at('2026-09-23T14:05-04:00'))
  })

  it('plan one daily CSV per EPT day at the MIS URL, a 404 meaning not yet', () => {
    const now = at('2026-09-23T12:00-04:00')
    const requests = DA.plan({ start: at('2026-09-22T00:00-04:00'), end: at('2026-09-24T00:00-04:00') }, config, now)
    expect(requests).toEqual([
      {
        dataset: 'nyiso.damlbmp_zone',
        url: `${BASE}/csv/damlbmp/20260922damlbmp_zone.csv`,
        headers: { Accept: expect.stringContaining('text/csv') },
        window: { start: at('2026-09-22T00:00-04:00'), end: at('2026-09-23T00:00-04:00') },
        file: '20260922damlbmp_zone.csv',
        rateGroup: 'nyiso.mis',
        notFoundMeansNotPublished: true,
      },
      expect.objectContaining({ url: `${BASE}/csv/damlbmp/20260923damlbmp_zone.csv`, file: '20260923damlbmp_zone.csv' }),
    ])
    const rt = RT.plan({ start: at('2026-09-23T00:00-04:00'), end: at('2026-09-23T12:00-04:00') }, { ...config, urls: { ...config.urls, nyisoMis: `${BASE}/` } }, now)
    expect(rt).toEqual([
      expect.objectContaining({
        url: `${BASE}/csv/realtime/20260923realtime_zone.csv`,
        // today's file so far: named for the part asked for
        file: '20260923realtime_zone_20260923T0400_20260923T1600.csv',
        window: { start: at('2026-09-23T00:00-04:00'), end: at('2026-09-23T12:00-04:00') },
        notFoundMeansNotPublished: true,
      }),
    ])
  })

  it('plan the 23- and 25-hour days as one file each', () => {
    const spring = RT.plan({ start: at('2026-03-08T00:00-05:00'), end: at('2026-03-09T00:00-04:00') }, config, at('2026-03-09T12:00-04:00'))
    expect(spring.map((r) => [r.file, r.window.end - r.window.start])).toEqual([['20260308realtime_zone.csv', 23 * HOUR]])
    const autumn = DA.plan({ start: at('2026-11-01T00:00-04:00'), end: at('2026-11-02T00:00-05:00') }, config, at('2026-11-01T12:00-05:00'))
    expect(autumn.map((r) => [r.url, r.window.end - r.window.start])).toEqual([[`${BASE}/csv/damlbmp/20261101damlbmp_zone.csv`, 25 * HOUR]])
    // a window across the change is cut at the EPT midnights
    const cut = RT.plan({ start: at('2026-10-31T23:00-04:00'), end: at('2026-11-01T01:30-05:00') }, config, at('2026-11-01T03:00-05:00'))
    expect(cut.map((r) => [r.file, r.window])).toEqual([
      ['20261031realtime_zone_20261101T0300_20261101T0400.csv', { start: at('2026-10-31T23:00-04:00'), end: at('2026-11-01T00:00-04:00') }],
      ['20261101realtime_zone_20261101T0400_20261101T0630.csv', { start: at('2026-11-01T00:00-04:00'), end: at('2026-11-01T01:30-05:00') }],
    ])
  })

  it('plan the days before the daily files from the monthly zips, one request per month', () => {
    const now = at('2026-08-20T12:00-04:00')
    expect(nyisoDailyFrom(now)).toBe(at(`2026-08-${20 - NYISO_DAILY_CSV_DAYS + 1}T00:00-04:00`))
    const requests = DA.plan({ start: at('2026-06-30T00:00-04:00'), end: at('2026-08-16T00:00-04:00') }, config, now)
    expect(requests.map((r) => [r.url, r.file, r.window])).toEqual([
      [`${BASE}/csv/damlbmp/20260601damlbmp_zone_csv.zip`, '20260601damlbmp_zone_csv.zip', { start: at('2026-06-30T00:00-04:00'), end: at('2026-07-01T00:00-04:00') }],
      [`${BASE}/csv/damlbmp/20260701damlbmp_zone_csv.zip`, '20260701damlbmp_zone_csv.zip', { start: at('2026-07-01T00:00-04:00'), end: at('2026-08-01T00:00-04:00') }],
      [`${BASE}/csv/damlbmp/20260801damlbmp_zone_csv.zip`, '20260801damlbmp_zone_csv.zip', { start: at('2026-08-01T00:00-04:00'), end: at('2026-08-14T00:00-04:00') }],
      [`${BASE}/csv/damlbmp/20260814damlbmp_zone.csv`, '20260814damlbmp_zone.csv', { start: at('2026-08-14T00:00-04:00'), end: at('2026-08-15T00:00-04:00') }],
      [`${BASE}/csv/damlbmp/20260815damlbmp_zone.csv`, '20260815damlbmp_zone.csv', { start: at('2026-08-15T00:00-04:00'), end: at('2026-08-16T00:00-04:00') }],
    ])
    expect(requests.slice(0, 3).every((r) => r.headers?.Accept?.includes('application/zip') && r.notFoundMeansNotPublished)).toBe(true)
    const rt = RT.plan({ start: at('2026-03-05T10:00-05:00'), end: at('2026-03-06T00:00-05:00') }, config, now)
    expect(rt.map((r) => [r.url, r.window])).toEqual([
      [`${BASE}/csv/realtime/20260301realtime_zone_csv.zip`, { start: at('2026-03-05T10:00-05:00'), end: at('2026-03-06T00:00-05:00') }],
    ])
  })

  it('plan a future day too: its 404 is the not-published answer', () => {
    const requests = DA.plan({ start: at('2026-09-25T00:00-04:00'), end: at('2026-09-26T00:00-04:00') }, config, at('2026-09-23T12:00-04:00'))
    expect(requests.map((r) => [r.file, r.notFoundMeansNotPublished])).toEqual([['20260925damlbmp_zone.csv', true]])
    expect(DA.plan({ start: 5, end: 5 }, config, 0)).toEqual([])
  })
})
