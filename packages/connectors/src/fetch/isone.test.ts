import { describe, expect, it } from 'vitest'
import { SOURCES } from '../sources.ts'
import {
  easternDayStart,
  ISONE_DATASETS,
  ISONE_DEFAULT_LOCATIONS,
  ISONE_MIN_SPACING_MS,
  ISONE_RATE_GROUP,
  isonePublishedUntil,
} from './isone.ts'
import type { ConnectorConfig, Window } from './types.ts'
import { PUBLISHER_URLS } from './urls.ts'

const USER = 'ops@254carbon.example'
const PASSWORD = 's3cret-Pa55:word'
const BASE = 'https://webservices.iso-ne.com/api/v1.1'
const config: ConnectorConfig = { urls: PUBLISHER_URLS, caisoNodes: 'ALL', isoneCredentials: { username: USER, password: PASSWORD } }
const ms = (iso: string) => Date.parse(iso)
const win = (start: string, end: string): Window => ({ start: ms(start), end: ms(end) })
const DA = ISONE_DATASETS['isone.ws.da_hourly_lmp']
const RT = ISONE_DATASETS['isone.ws.rt_hourly_lmp']
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`

describe('ISO-NE Web Services datasets', () => {
  it('are keyed by their source ids, hourly, backfillable, and need ISO Express credentials', () => {
    expect(Object.keys(ISONE_DATASETS).sort()).toEqual(['isone.ws.da_hourly_lmp', 'isone.ws.rt_hourly_lmp'])
    for (const [id, d] of Object.entries(ISONE_DATASETS)) {
      expect(d.id).toBe(id)
      expect([d.market, d.run]).toEqual([SOURCES[d.id].market, SOURCES[d.id].run])
      expect(d).toMatchObject({ market: 'ISONE', cadenceMs: 3_600_000, intervalMs: 3_600_000, backfill: true })
      expect(d.available(config)).toBe(true)
      expect(d.available({ ...config, isoneCredentials: undefined })).toBe(false)
      expect(d.available({ ...config, isoneCredentials: { username: '', password: PASSWORD } })).toBe(false)
      expect(d.available({ ...config, isoneCredentials: { username: USER, password: '' } })).toBe(false)
      expect(() => d.plan(win('2026-07-14T04:00:00Z', '2026-07-15T04:00:00Z'), { ...config, isoneCredentials: undefined }, 0)).toThrow(/credentials/)
    }
    expect([DA.run, RT.run]).toEqual(['DA', 'RTH'])
    expect(ISONE_MIN_SPACING_MS).toEqual({ 'isone.ws': 1000 })
    expect(ISONE_DEFAULT_LOCATIONS).toEqual([4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007, 4008])
  })

  it('finds the start of Eastern prevailing-time days across both clock changes', () => {
    expect(easternDayStart(ms('2026-07-14T03:59:00Z'))).toBe(ms('2026-07-13T04:00:00Z'))
    expect(easternDayStart(ms('2026-07-14T04:00:00Z'))).toBe(ms('2026-07-14T04:00:00Z'))
    expect(easternDayStart(ms('2026-03-08T12:00:00Z'))).toBe(ms('2026-03-08T05:00:00Z')) // EST midnight, 23-hour day
    expect(easternDayStart(ms('2026-03-09T03:59:00Z'))).toBe(ms('2026-03-08T05:00:00Z'))
    expect(easternDayStart(ms('2026-11-02T04:59:00Z'))).toBe(ms('2026-11-01T04:00:00Z')) // EDT midnight, 25-hour day
    expect(easternDayStart(ms('2026-11-02T05:00:00Z'))).toBe(ms('2026-11-02T05:00:00Z'))
  })

  it('publish day-ahead day D at D-1 13:30 EPT, through the end of D', () => {
    // summer (EDT, UTC-4): 13:30 EDT = 17:30Z
    expect(DA.publishedUntil(ms('2026-07-13T17:29:59Z'))).toBe(ms('2026-07-14T04:00:00Z'))
    expect(DA.publishedUntil(ms('2026-07-13T17:30:00Z'))).toBe(ms('2026-07-15T04:00:00Z'))
    // winter (EST, UTC-5): 13:30 EST = 18:30Z
    expect(DA.publishedUntil(ms('2026-01-13T18:29:00Z'))).toBe(ms('2026-01-14T05:00:00Z'))
    expect(DA.publishedUntil(ms('2026-01-13T18:30:00Z'))).toBe(ms('2026-01-15T05:00:00Z'))
    // the 23-hour day 03-08 is out on 03-07 at 13:30 EST; it ends at 03-09 00:00 EDT
    expect(DA.publishedUntil(ms('2026-03-07T18:30:00Z'))).toBe(ms('2026-03-09T04:00:00Z'))
    // on the spring day itself, 13:30 is EDT: 17:30Z publishes 03-09
    expect(DA.publishedUntil(ms('2026-03-08T17:29:00Z'))).toBe(ms('2026-03-09T04:00:00Z'))
    expect(DA.publishedUntil(ms('2026-03-08T17:30:00Z'))).toBe(ms('2026-03-10T04:00:00Z'))
    // the 25-hour day 11-01 is out on 10-31 at 13:30 EDT; it ends at 11-02 00:00 EST
    expect(DA.publishedUntil(ms('2026-10-31T17:30:00Z'))).toBe(ms('2026-11-02T05:00:00Z'))
    expect(DA.publishedUntil(ms('2026-11-01T18:29:00Z'))).toBe(ms('2026-11-02T05:00:00Z'))
    expect(DA.publishedUntil(ms('2026-11-01T18:30:00Z'))).toBe(ms('2026-11-03T05:00:00Z'))
  })

  it('publish final real-time day D at D+2 00:00 EPT (the assumption)', () => {
    expect(RT.publishedUntil(ms('2026-07-16T03:59:59Z'))).toBe(ms('2026-07-14T04:00:00Z'))
    expect(RT.publishedUntil(ms('2026-07-16T04:00:00Z'))).toBe(ms('2026-07-15T04:00:00Z'))
    // the 25-hour day 11-01 is out at 11-03 00:00 EST and ends at 11-02 05:00Z
    expect(RT.publishedUntil(ms('2026-11-03T04:59:00Z'))).toBe(ms('2026-11-01T04:00:00Z'))
    expect(RT.publishedUntil(ms('2026-11-03T05:00:00Z'))).toBe(ms('2026-11-02T05:00:00Z'))
    expect(isonePublishedUntil('rt', ms('2026-03-10T04:00:00Z'))).toBe(ms('2026-03-09T04:00:00Z'))
  })

  it('plan one request per location per EPT day, credentials in the Authorization header only', () => {
    const requests = DA.plan(win('2026-07-14T04:00:00Z', '2026-07-15T04:00:00Z'), config, 0)
    expect(requests).toHaveLength(9)
    expect(requests[0]).toEqual({
      dataset: 'isone.ws.da_hourly_lmp',
      url: `${BASE}/hourlylmp/da/final/day/20260714/location/4000.json`,
      headers: { Authorization: AUTH, Accept: 'application/json' },
      window: win('2026-07-14T04:00:00Z', '2026-07-15T04:00:00Z'),
      file: '20260714_isone_ws_da_hourlylmp_loc4000.json',
      rateGroup: ISONE_RATE_GROUP,
      notFoundMeansNotPublished: true,
    })
    expect(requests.map((r) => r.url.slice(BASE.length))).toEqual(ISONE_DEFAULT_LOCATIONS.map((id) => `/hourlylmp/da/final/day/20260714/location/${id}.json`))
    expect(new Set(requests.map((r) => r.file)).size).toBe(9)
    const encoded = Buffer.from(`${USER}:${PASSWORD}`).toString('base64')
    for (const r of [...requests, ...RT.plan(win('2026-07-14T04:00:00Z', '2026-07-16T04:00:00Z'), config, 0)]) {
      for (const secret of [USER, PASSWORD, encoded, encodeURIComponent(PASSWORD)]) {
        expect(r.url).not.toContain(secret)
        expect(r.file).not.toContain(secret)
      }
    }
  })

  it('plan whole EPT days of 23 and 25 hours, and every day a window touches', () => {
    const spring = RT.plan(win('2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'), { ...config, isoneLocations: [4000] }, 0)
    expect(spring.map((r) => [r.url.slice(BASE.length), r.window])).toEqual([
      ['/hourlylmp/rt/final/day/20260308/location/4000.json', win('2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')],
    ])
    expect(spring[0]!.window.end - spring[0]!.window.start).toBe(23 * 3_600_000)
    const fall = RT.plan(win('2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z'), { ...config, isoneLocations: [4000] }, 0)
    expect(fall.map((r) => r.file)).toEqual(['20261101_isone_ws_rt_hourlylmp_loc4000.json'])
    expect(fall[0]!.window.end - fall[0]!.window.start).toBe(25 * 3_600_000)
    // 2026-11-01 23:30 EST .. 2026-11-02 00:30 EST: both days
    const touching = DA.plan(win('2026-11-02T04:30:00Z', '2026-11-02T05:30:00Z'), { ...config, isoneLocations: [4001, 4004] }, 0)
    expect(touching.map((r) => r.file)).toEqual([
      '20261101_isone_ws_da_hourlylmp_loc4001.json',
      '20261101_isone_ws_da_hourlylmp_loc4004.json',
      '20261102_isone_ws_da_hourlylmp_loc4001.json',
      '20261102_isone_ws_da_hourlylmp_loc4004.json',
    ])
    expect(DA.plan({ start: ms('2026-11-02T05:00:00Z'), end: ms('2026-11-02T05:00:00Z') }, config, 0)).toEqual([])
  })

  it('use the configured base URL and check location ids', () => {
    const sim = { ...config, urls: { ...PUBLISHER_URLS, isoneWebServices: 'http://127.0.0.1:9/isone/api/v1.1/' }, isoneLocations: [4000, 4000, 4008] }
    expect(DA.plan(win('2026-07-14T04:00:00Z', '2026-07-15T04:00:00Z'), sim, 0).map((r) => r.url)).toEqual([
      'http://127.0.0.1:9/isone/api/v1.1/hourlylmp/da/final/day/20260714/location/4000.json',
      'http://127.0.0.1:9/isone/api/v1.1/hourlylmp/da/final/day/20260714/location/4008.json',
    ])
    expect(() => DA.plan(win('2026-07-14T04:00:00Z', '2026-07-15T04:00:00Z'), { ...config, isoneLocations: [4000.5] }, 0)).toThrow(RangeError)
    expect(() => DA.plan(win('2026-07-14T04:00:00Z', '2026-07-15T04:00:00Z'), { ...config, isoneLocations: [-1] }, 0)).toThrow(RangeError)
  })
})
