import { describe, expect, it } from 'vitest'
import { SOURCES } from '../sources.ts'
import { AESO_DATASETS, AESO_KEY_HEADER, AESO_MIN_SPACING_MS, mountainDayStart } from './aeso.ts'
import type { ConnectorConfig, Window } from './types.ts'
import { PUBLISHER_URLS } from './urls.ts'

const KEY = 'aeso-k3y-0123456789abcdef'
const BASE = 'https://apimgw.aeso.ca/public'
const config: ConnectorConfig = { urls: PUBLISHER_URLS, caisoNodes: 'ALL', aesoKey: KEY }
const ms = (iso: string) => Date.parse(iso)
const win = (start: string, end: string): Window => ({ start: ms(start), end: ms(end) })
const POOL = AESO_DATASETS['aeso.pool_price']
const HOUR = 3_600_000

describe('AESO pool price dataset', () => {
  it('is keyed by its source id, hourly, and needs an API key', () => {
    expect(Object.keys(AESO_DATASETS)).toEqual(['aeso.pool_price'])
    expect(POOL).toMatchObject({ id: 'aeso.pool_price', market: 'AESO', run: 'RTH', cadenceMs: HOUR, intervalMs: HOUR, backfill: true })
    expect([POOL.market, POOL.run]).toEqual([SOURCES['aeso.pool_price'].market, SOURCES['aeso.pool_price'].run])
    expect(POOL.available(config)).toBe(true)
    expect(POOL.available({ ...config, aesoKey: undefined })).toBe(false)
    expect(POOL.available({ ...config, aesoKey: '' })).toBe(false)
    expect(() => POOL.plan(win('2026-11-01T06:00:00Z', '2026-11-02T07:00:00Z'), { ...config, aesoKey: undefined }, 0)).toThrow(/API key/)
    expect(AESO_MIN_SPACING_MS).toEqual({ 'aeso.api': 1000 })
  })

  it('publishes an hour once it has ended (settled)', () => {
    expect(POOL.publishedUntil(ms('2026-11-01T16:59:59Z'))).toBe(ms('2026-11-01T16:00:00Z'))
    expect(POOL.publishedUntil(ms('2026-11-01T17:00:00Z'))).toBe(ms('2026-11-01T17:00:00Z'))
  })

  it('finds Alberta day starts across both clock changes', () => {
    expect(mountainDayStart(ms('2026-07-14T05:59:00Z'))).toBe(ms('2026-07-13T06:00:00Z')) // MDT, UTC-6
    expect(mountainDayStart(ms('2026-01-14T07:00:00Z'))).toBe(ms('2026-01-14T07:00:00Z')) // MST, UTC-7
    expect(mountainDayStart(ms('2026-03-09T05:59:00Z'))).toBe(ms('2026-03-08T07:00:00Z'))
    expect(mountainDayStart(ms('2026-11-02T06:59:00Z'))).toBe(ms('2026-11-01T06:00:00Z'))
  })

  it('plans one request per Mountain-time day, the key in the API-KEY header only', () => {
    const requests = POOL.plan(win('2026-07-14T06:00:00Z', '2026-07-15T06:00:00Z'), config, 0)
    expect(requests).toEqual([
      {
        dataset: 'aeso.pool_price',
        url: `${BASE}/poolprice-api/v1.1/price/poolPrice?startDate=2026-07-14&endDate=2026-07-14`,
        headers: { [AESO_KEY_HEADER]: KEY, Accept: 'application/json' },
        window: win('2026-07-14T06:00:00Z', '2026-07-15T06:00:00Z'),
        file: '20260714_aeso_pool_price.json',
        rateGroup: 'aeso.api',
        notFoundMeansNotPublished: true,
      },
    ])
    expect(AESO_KEY_HEADER).toBe('API-KEY')
    for (const r of POOL.plan(win('2026-07-01T06:00:00Z', '2026-07-15T06:00:00Z'), config, 0)) {
      expect(r.url).not.toContain(KEY)
      expect(r.file).not.toContain(KEY)
    }
  })

  it('plans days of 23 and 25 hours on the clock-change days', () => {
    const spring = POOL.plan(win('2026-03-08T07:00:00Z', '2026-03-09T06:00:00Z'), config, 0)
    expect(spring.map((r) => [r.url.slice(BASE.length), r.window])).toEqual([
      ['/poolprice-api/v1.1/price/poolPrice?startDate=2026-03-08&endDate=2026-03-08', win('2026-03-08T07:00:00Z', '2026-03-09T06:00:00Z')],
    ])
    expect(spring[0]!.window.end - spring[0]!.window.start).toBe(23 * HOUR)
    const fall = POOL.plan(win('2026-11-01T06:00:00Z', '2026-11-02T07:00:00Z'), config, 0)
    expect(fall.map((r) => r.file)).toEqual(['20261101_aeso_pool_price.json'])
    expect(fall[0]!.window.end - fall[0]!.window.start).toBe(25 * HOUR)
    // 23:30 MST on 11-01 .. 00:30 on 11-02: both days
    expect(POOL.plan(win('2026-11-02T06:30:00Z', '2026-11-02T07:30:00Z'), config, 0).map((r) => r.file)).toEqual([
      '20261101_aeso_pool_price.json',
      '20261102_aeso_pool_price.json',
    ])
    expect(POOL.plan({ start: ms('2026-11-02T09:00:00Z'), end: ms('2026-11-02T09:00:00Z') }, config, 0)).toEqual([])
  })

  it('uses the configured base URL', () => {
    const sim = { ...config, urls: { ...PUBLISHER_URLS, aesoApi: 'http://127.0.0.1:9/aeso/public/' } }
    expect(POOL.plan(win('2026-07-14T06:00:00Z', '2026-07-15T06:00:00Z'), sim, 0).map((r) => r.url)).toEqual([
      'http://127.0.0.1:9/aeso/public/poolprice-api/v1.1/price/poolPrice?startDate=2026-07-14&endDate=2026-07-14',
    ])
  })
})
