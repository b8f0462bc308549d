import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, SOURCES } from '@carbon/connectors'
import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { IESO_ZONE, iesoCatalogue, iesoDaHours, iesoDaPublishedAt, iesoDayStart, iesoRtIntervals } from '../markets/ieso.ts'
import { newComponents, PriceModel } from '../prices.ts'
import { type IesoPrices, iesoDaXml, iesoRtXml, iesoTime } from './ieso.ts'

const fixture = (name: string) => readFileSync(new URL(`ieso/${name}`, FIXTURE_DIR), 'utf8')
const REAL_DA = 'ieso_PUB_DAHourlyOntarioZonalPrice_20260528.xml'
const BUILT_RT = 'ieso_PUB_RealtimeOntarioZonalPrice_2026082518_r2_DOCUMENTED_LAYOUT.xml'
const est = (naive: string) => Date.parse(`${naive}-05:00`)
const cents = (text: string) => Math.round(Number(text) * 100)
const tag = (block: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(block)![1]!
const FIVE = 300_000
const HOUR = 3_600_000

describe('IESO report writers', () => {
  it('write the real day-ahead file byte for byte from its own values', () => {
    const text = fixture(REAL_DA)
    const hours: IesoPrices[] = [...text.matchAll(/<HourlyPriceComponents>[\s\S]*?<\/HourlyPriceComponents>/g)].map(([block]) => ({
      lmp: cents(tag(block, 'ZonalPrice')),
      loss: cents(tag(block, 'LossPriceCapped')),
      congestion: cents(tag(block, 'CongestionPriceCapped')),
    }))
    expect(hours).toHaveLength(24)
    expect(iesoDaXml({ deliveryDate: '2026-05-28', createdAt: est('2026-05-27T12:31:16'), hours })).toBe(text)
  })

  it('write the documented real-time r2 layout byte for byte, its average the mean of the intervals', () => {
    const text = fixture(BUILT_RT)
    const intervals: IesoPrices[] = [...text.matchAll(/<ZonalPrice>[\s\S]*?<\/ZonalPrice>/g)].map(([block]) => ({
      lmp: cents(tag(block, 'LmpCap')),
      loss: cents(tag(block, 'LossPriceCap')),
      congestion: cents(tag(block, 'CongPriceCap')),
    }))
    expect(iesoRtXml({ deliveryDate: '2026-08-25', deliveryHour: 18, createdAt: est('2026-08-25T18:00:41'), intervals })).toBe(text)
  })

  it('write CreatedAt in EST all year', () => {
    expect(iesoTime(Date.parse('2026-07-01T17:30:00Z'))).toBe('2026-07-01T12:30:00')
    expect(iesoTime(Date.parse('2026-01-01T17:30:00Z'))).toBe('2026-01-01T12:30:00')
  })
})

describe('IESO reports from the price model', () => {
  const model = new PriceModel({ seed: 254, misoNodes: 10, caisoNodes: 10 })
  const catalogue = iesoCatalogue(254)
  const node = catalogue.byName.get(IESO_ZONE)!

  it.each(['20260528', '20260308', '20261101'])('the day-ahead report of %s parses cleanly: 24 hours equal to the model (EST all year)', (ymd) => {
    const dayStart = iesoDayStart(ymd)!
    const createdAt = iesoDaPublishedAt(dayStart)
    const date = `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6)}`
    const text = iesoDaXml({ deliveryDate: date, createdAt, hours: iesoDaHours(model, catalogue, dayStart) })
    expect(text.split('\n').slice(0, 12)).toEqual(fixture(REAL_DA).split('\n').slice(0, 12).map((line) => line.replace('2026-05-27T12:31:16', iesoTime(createdAt))))
    const result = SOURCES['ieso.da_ontario_zonal'].parse(text, `PUB_DAHourlyOntarioZonalPrice_${ymd}.xml`)
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => Date.parse(r.intervalStart))).toEqual(Array.from({ length: 24 }, (_, i) => dayStart + i * HOUR))
    const c = newComponents()
    for (const record of result.records) {
      PriceRecord.parse(record)
      model.values('IESO', 'DA', node, Date.parse(record.intervalStart), c)
      expect([record.node, record.run, record.lmp, record.energy, record.congestion, record.loss]).toEqual(['ONTARIO', 'DA', c.lmp / 100, c.energy / 100, c.congestion / 100, c.loss / 100])
      expect(record.publishedAt).toBe(new Date(createdAt).toISOString())
    }
  })

  it('a real-time hour parses cleanly: 12 intervals equal to the model; a partial hour only its filled intervals', () => {
    const hourStart = est('2026-11-01T01:00:00') // hour ending 2, on the fall-back date: EST, no repeat
    const full = iesoRtXml({ deliveryDate: '2026-11-01', deliveryHour: 2, createdAt: hourStart + HOUR, intervals: iesoRtIntervals(model, catalogue, hourStart, 12) })
    const result = SOURCES['ieso.rt_ontario_zonal'].parse(full, 'PUB_RealtimeOntarioZonalPrice_2026110102.xml')
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => Date.parse(r.intervalStart))).toEqual(Array.from({ length: 12 }, (_, i) => hourStart + i * FIVE))
    const c = newComponents()
    for (const record of result.records) {
      model.values('IESO', 'RT5', node, Date.parse(record.intervalStart), c)
      expect([record.run, record.lmp, record.energy, record.congestion, record.loss]).toEqual(['RT5', c.lmp / 100, c.energy / 100, c.congestion / 100, c.loss / 100])
    }
    const partial = iesoRtXml({ deliveryDate: '2026-11-01', deliveryHour: 2, createdAt: hourStart + 7 * FIVE, intervals: iesoRtIntervals(model, catalogue, hourStart, 7) })
    expect(partial).toContain('<Interval>8</Interval>\n<Flag>DSO-RD</Flag>\n<LmpCap></LmpCap>\n<LossPriceCap></LossPriceCap>\n<CongPriceCap></CongPriceCap>')
    const some = SOURCES['ieso.rt_ontario_zonal'].parse(partial, 'PUB_RealtimeOntarioZonalPrice_2026110102.xml')
    expect(some.records.map((r) => r.lmp)).toEqual(result.records.slice(0, 7).map((r) => r.lmp))
    expect(some.errors).toEqual([])
    expect(some.pending).toBe(5)
  })
})
