import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, SOURCES } from '@carbon/connectors'
import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { AESO_POOL, AESO_SCHEDULE, aesoCatalogue, aesoHours, aesoPoolPrice, mountainHours } from '../markets/aeso.ts'
import { newComponents, PriceModel } from '../prices.ts'
import { type AesoHour, aesoMpt, aesoPoolPriceJson, aesoTimestamp } from './aeso.ts'

const FIXTURE = 'aeso/aeso_poolprice_api_v1.1_20261101_DOCUMENTED_LAYOUT.json'
const HOUR = 3_600_000
const ms = (iso: string) => Date.parse(iso)
const cents = (text: string) => (text === '' ? null : Math.round(Number(text) * 100))
type Row = { begin_datetime_utc: string; pool_price: string; forecast_pool_price: string; rolling_30day_avg: string }

describe('AESO pool price writer', () => {
  it('writes the documented layout byte for byte from its own values', () => {
    const text = readFileSync(new URL(FIXTURE, FIXTURE_DIR), 'utf8')
    const rows = (JSON.parse(text) as { return: { 'Pool Price Report': Row[] } }).return['Pool Price Report']
    const hours: AesoHour[] = rows.map((r) => ({
      start: ms(`${r.begin_datetime_utc.replace(' ', 'T')}:00Z`),
      poolPrice: cents(r.pool_price),
      forecast: cents(r.forecast_pool_price)!,
      rolling30: cents(r.rolling_30day_avg),
    }))
    expect(aesoPoolPriceJson(hours, ms('2026-11-02T07:10:12.345Z'))).toBe(text)
  })

  it('writes times in UTC and Mountain prevailing time', () => {
    expect(aesoMpt(ms('2026-11-01T07:00:00Z'))).toBe('2026-11-01 01:00')
    expect(aesoMpt(ms('2026-11-01T08:00:00Z'))).toBe('2026-11-01 01:00')
    expect(aesoMpt(ms('2026-03-08T09:00:00Z'))).toBe('2026-03-08 03:00')
    expect(aesoTimestamp(ms('2026-11-02T07:10:02.005Z'))).toBe('2026-11-02 07:10:02.005+0000')
  })
})

describe('AESO answers from the price model', () => {
  const model = new PriceModel({ seed: 254, misoNodes: 10, caisoNodes: 10 })
  const catalogue = aesoCatalogue(254)
  const node = catalogue.byName.get(AESO_POOL)!

  it.each([
    ['2026-03-08', 23],
    ['2026-07-14', 24],
    ['2026-11-01', 25],
  ])('a settled day %s parses cleanly into %i hours equal to the model', (date, count) => {
    const starts = mountainHours(date, date)
    expect(starts).toHaveLength(count)
    const now = starts[count - 1]! + 5 * HOUR
    const text = aesoPoolPriceJson(aesoHours(model, catalogue, starts, now), now)
    const result = SOURCES['aeso.pool_price'].parse(text, `${date}.json`)
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => Date.parse(r.intervalStart))).toEqual(starts)
    const c = newComponents()
    for (const record of result.records) {
      PriceRecord.parse(record)
      model.realTimeMean('AESO', node, Date.parse(record.intervalStart), 12, c)
      expect(record.lmp).toBe(Math.min(999.99, Math.max(0, c.lmp / 100)))
      expect(record.lmp).toBe(aesoPoolPrice(model, catalogue, Date.parse(record.intervalStart)) / 100)
      expect(record).toMatchObject({ node: 'POOL', run: 'RTH', energy: null, congestion: null, loss: null })
    }
  })

  it('lists the hours not settled yet with an empty pool price and a forecast, up to the forecast horizon', () => {
    const starts = mountainHours('2026-07-14', '2026-07-14')
    const now = ms('2026-07-14T16:20:00Z') // 10:20 MDT: 10 hours settled, 10:00 in progress
    const hours = aesoHours(model, catalogue, starts, now)
    expect(hours).toHaveLength(10 + 1 + AESO_SCHEDULE.forecastHoursAhead)
    expect(hours.filter((h) => h.poolPrice === null).map((h) => h.start)).toEqual(
      Array.from({ length: 1 + AESO_SCHEDULE.forecastHoursAhead }, (_, i) => ms('2026-07-14T16:00:00Z') + i * HOUR)
    )
    expect(hours.every((h) => h.forecast >= 0 && (h.poolPrice === null) === (h.rolling30 === null))).toBe(true)
    const text = aesoPoolPriceJson(hours, now)
    expect(text).toContain('"pool_price": "",')
    const result = SOURCES['aeso.pool_price'].parse(text, '20260714.json')
    expect(result.records).toHaveLength(10)
    expect(result.errors).toEqual([])
    expect(result.pending).toBe(1 + AESO_SCHEDULE.forecastHoursAhead)
    expect(aesoHours(model, catalogue, mountainHours('2026-07-15', '2026-07-15'), now)).toEqual([])
  })

  it('gives each settled hour the mean of the 720 settled pool prices ending with it', () => {
    const start = ms('2026-07-14T12:00:00Z')
    const [hour] = aesoHours(model, catalogue, [start], start + 2 * HOUR)
    let sum = 0
    for (let i = 0; i < 720; i++) sum += aesoPoolPrice(model, catalogue, start - i * HOUR)
    expect(hour!.rolling30).toBe(Math.round(sum / 720))
    expect(hour!.poolPrice).toBe(aesoPoolPrice(model, catalogue, start))
  })
})
