import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import { estDateTimeMs, IESO_NODE, parseIesoDaOntarioZonal, parseIesoRtOntarioZonal } from './ieso.ts'

const DA_FILE = 'ieso/ieso_PUB_DAHourlyOntarioZonalPrice_20260528.xml'
const RT2_FILE = 'ieso/ieso_PUB_RealtimeOntarioZonalPrice_2026082518_r2_DOCUMENTED_LAYOUT.xml'
const RT1_FILE = 'ieso/ieso_PUB_RealtimeOntarioZonalPrice_2025082001_r1_DOCUMENTED_LAYOUT.xml'
const da = readFixture(DA_FILE)
const rt2 = readFixture(RT2_FILE)
const rt1 = readFixture(RT1_FILE)

const every = (fromUtc: string, count: number, minutes: number) =>
  Array.from({ length: count }, (_, i) => new Date(Date.parse(fromUtc) + i * minutes * 60_000).toISOString())

/** The fixture with its `n`-th (1-based) HourlyPriceComponents element changed by `edit`. */
function editHour(text: string, n: number, edit: (block: string) => string): string {
  let count = 0
  return text.replace(/<HourlyPriceComponents>[\s\S]*?<\/HourlyPriceComponents>/g, (block) => (++count === n ? edit(block) : block))
}

describe('IESO DAHourlyOntarioZonalPrice (real file, delivery 2026-05-28)', () => {
  const result = parseIesoDaOntarioZonal(da, DA_FILE)

  it('reads 24 EST hours with the documented values', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(24)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records.map((r) => r.intervalStart)).toEqual(every('2026-05-28T05:00:00Z', 24, 60)) // hour 1 = 00:00-01:00 EST
    expect(result.records[17]).toEqual({
      market: 'IESO',
      node: 'ONTARIO',
      run: 'DA',
      intervalStart: '2026-05-28T22:00:00.000Z', // hour ending 18 = 17:00-18:00 EST
      intervalEnd: '2026-05-28T23:00:00.000Z',
      lmp: 47.59,
      energy: 43.7, // 47.59 - (-0.33) - 4.22
      congestion: 4.22,
      loss: -0.33,
      ghg: null,
      source: 'ieso.da_ontario_zonal',
      publishedAt: '2026-05-27T17:31:16.000Z', // CreatedAt 12:31:16 read as EST
    })
    expect(result.records[4]).toMatchObject({ intervalStart: '2026-05-28T09:00:00.000Z', lmp: 16.39 })
    expect(result.records[23]).toMatchObject({ intervalStart: '2026-05-29T04:00:00.000Z', intervalEnd: '2026-05-29T05:00:00.000Z', lmp: 26.01 })
    expect(new Set(result.records.map((r) => r.node))).toEqual(new Set([IESO_NODE]))
  })

  it.each([
    ['2026-03-08', '2026-03-08T05:00:00Z'], // Eastern clocks spring forward; IESO market time does not
    ['2026-11-01', '2026-11-01T05:00:00Z'], // Eastern clocks fall back; still 24 EST hours
  ])('a delivery date of %s still gives 24 EST hours from %s', (date, first) => {
    const shifted = parseIesoDaOntarioZonal(da.replace('<DeliveryDate>2026-05-28<', `<DeliveryDate>${date}<`), DA_FILE)
    expect(shifted.errors).toEqual([])
    expect(shifted.records.map((r) => r.intervalStart)).toEqual(every(first, 24, 60))
    expect(shifted.records.at(-1)?.intervalEnd).toBe(new Date(Date.parse(first) + 24 * 3_600_000).toISOString())
  })

  it('refuses a 23- or 25-hour day', () => {
    const extra = da.replace('</DocBody>', '<HourlyPriceComponents><PricingHour>25</PricingHour><ZonalPrice>1</ZonalPrice><LossPriceCapped>0</LossPriceCapped><CongestionPriceCapped>0</CongestionPriceCapped><Flag>DSO-RD</Flag></HourlyPriceComponents>\n</DocBody>')
    expect(thrown(() => parseIesoDaOntarioZonal(extra, DA_FILE))).toMatchObject({
      file: DA_FILE,
      line: 182,
      field: 'HourlyPriceComponents',
      value: '25',
      reason: 'expected 24 hourly prices (IESO market time is EST all year: no 23- or 25-hour day), found 25',
    })
    const short = editHour(da, 3, () => '')
    expect(thrown(() => parseIesoDaOntarioZonal(short, DA_FILE))).toMatchObject({ field: 'HourlyPriceComponents', value: '23' })
  })

  it('reports bad hours by their position and keeps the rest', () => {
    let bad = editHour(da, 2, (b) => b.replace('<ZonalPrice>14.32</ZonalPrice>', '<ZonalPrice>n/a</ZonalPrice>'))
    bad = editHour(bad, 3, (b) => b.replace('<PricingHour>3</PricingHour>', '<PricingHour>25</PricingHour>'))
    bad = editHour(bad, 4, (b) => b.replace('<PricingHour>4</PricingHour>', '<PricingHour>1</PricingHour>'))
    bad = editHour(bad, 5, (b) => b.replace(/<LossPriceCapped>[^<]*<\/LossPriceCapped>/, ''))
    bad = editHour(bad, 6, (b) => b.replace(/<ZonalPrice>[^<]*</, '<ZonalPrice><').replace(/<LossPriceCapped>[^<]*</, '<LossPriceCapped><').replace(/<CongestionPriceCapped>[^<]*</, '<CongestionPriceCapped><'))
    bad = editHour(bad, 7, (b) => b.replace(/<CongestionPriceCapped>[^<]*</, '<CongestionPriceCapped><'))
    const parsed = parseIesoDaOntarioZonal(bad, DA_FILE)
    expect(parsed.errors).toEqual([
      { file: DA_FILE, line: 2, field: 'ZonalPrice', value: 'n/a', reason: 'not a number' },
      { file: DA_FILE, line: 3, field: 'PricingHour', value: '25', reason: 'not an hour ending 1-24' },
      { file: DA_FILE, line: 4, field: 'PricingHour', value: '1', reason: 'hour 1 listed twice (element 1 kept)' },
      { file: DA_FILE, line: 5, field: 'LossPriceCapped', value: '', reason: 'missing' },
      { file: DA_FILE, line: 6, field: 'ZonalPrice', value: '', reason: 'empty (the day-ahead report prices every hour)' },
      { file: DA_FILE, line: 7, field: 'CongestionPriceCapped', value: '', reason: 'empty' },
    ])
    expect(parsed.records).toHaveLength(18)
    expect(parsed.records[0]?.lmp).toBe(17.76)
  })

  it('throws on another report, a changed header, HTML, non-XML, broken XML and empty bodies, naming the file', () => {
    const title = thrown(() => parseIesoDaOntarioZonal(da.replace('Day Ahead Hourly Ontario Zonal Energy Price Report', 'Predispatch Hourly Ontario Zonal Energy Price Report'), DA_FILE))
    expect(title).toMatchObject({ file: DA_FILE, line: 5, field: 'DocHeader/DocTitle', value: 'Predispatch Hourly Ontario Zonal Energy Price Report' })
    expect(title.message).toContain(DA_FILE)
    expect(thrown(() => parseIesoDaOntarioZonal(da.replace('docID="DAHourlyOntarioZonalPrice"', 'docID="PredispHourlyOntarioZonalPrice"'), DA_FILE))).toMatchObject({
      line: 3,
      field: 'Document/@docID',
      value: 'PredispHourlyOntarioZonalPrice',
    })
    expect(thrown(() => parseIesoDaOntarioZonal(da.replace('xmlns="http://www.ieso.ca/schema"', 'xmlns="http://www.ieso.ca/schema/v2"'), DA_FILE))).toMatchObject({ field: 'Document' })
    expect(thrown(() => parseIesoDaOntarioZonal(da.replace('<CreatedAt>2026-05-27T12:31:16</CreatedAt>', '<CreatedAt>27/05/2026 12:31</CreatedAt>'), DA_FILE))).toMatchObject({
      line: 10,
      field: 'DocHeader/CreatedAt',
    })
    expect(thrown(() => parseIesoDaOntarioZonal(da.replace('<DeliveryDate>2026-05-28</DeliveryDate>', '<DeliveryDate>2026-02-30</DeliveryDate>'), DA_FILE))).toMatchObject({
      line: 13,
      field: 'DocBody/DeliveryDate',
      value: '2026-02-30',
    })
    expect(thrown(() => parseIesoDaOntarioZonal(rt2, RT2_FILE))).toMatchObject({ field: 'Document/@docID', value: 'RealtimeOntarioZonalPrice' })
    const html = '\n<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>The requested URL was not found</body></html>'
    expect(thrown(() => parseIesoDaOntarioZonal(html, DA_FILE))).toMatchObject({ file: DA_FILE, line: 2, field: '(file)', reason: expect.stringMatching(/HTML page/) })
    expect(thrown(() => parseIesoDaOntarioZonal('Service Unavailable', DA_FILE))).toMatchObject({ reason: 'not an XML document' })
    expect(thrown(() => parseIesoDaOntarioZonal(da.slice(0, 3000), DA_FILE))).toMatchObject({ field: '(xml)', reason: expect.stringMatching(/^not well-formed XML/) })
    expect(thrown(() => parseIesoDaOntarioZonal('', DA_FILE))).toMatchObject({ file: DA_FILE, line: 1, reason: 'empty file' })
    expect(thrown(() => parseIesoDaOntarioZonal('\uFEFF \n', DA_FILE)).reason).toBe('empty file')
  })

  it('reads CreatedAt as EST', () => {
    expect(estDateTimeMs('2026-05-27T12:31:16')).toBe(Date.parse('2026-05-27T17:31:16Z'))
    expect(estDateTimeMs('2026-01-15T00:00:00')).toBe(Date.parse('2026-01-15T05:00:00Z'))
    expect(estDateTimeMs('2026-05-27 12:31:16')).toBeNull()
  })
})

describe('IESO RealtimeOntarioZonalPrice, schema r2 (documented layout, 2026-08-25 hour 18)', () => {
  const result = parseIesoRtOntarioZonal(rt2, RT2_FILE)

  it('reads twelve five-minute intervals of hour ending 18 EST', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(12)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records.map((r) => r.intervalStart)).toEqual(every('2026-08-25T22:00:00Z', 12, 5)) // 17:00 EST
    expect(result.records[0]).toEqual({
      market: 'IESO',
      node: 'ONTARIO',
      run: 'RT5',
      intervalStart: '2026-08-25T22:00:00.000Z',
      intervalEnd: '2026-08-25T22:05:00.000Z',
      lmp: 41.52,
      energy: 40.7, // 41.52 - (-0.41) - 1.23
      congestion: 1.23,
      loss: -0.41,
      ghg: null,
      source: 'ieso.rt_ontario_zonal',
      publishedAt: '2026-08-25T23:00:41.000Z',
    })
    expect(result.records[11]).toMatchObject({ intervalStart: '2026-08-25T22:55:00.000Z', intervalEnd: '2026-08-25T23:00:00.000Z', lmp: 44.91 })
  })

  it.each([
    ['2026-11-01', '2', '2026-11-01T06:00:00Z'], // 01:00 EST: not repeated in market time
    ['2026-03-08', '3', '2026-03-08T07:00:00Z'], // 02:00 EST: exists in market time
  ])('delivery date %s hour %s starts at %s on a DST-change day', (date, hour, first) => {
    const shifted = rt2.replace('<DeliveryDate>2026-08-25<', `<DeliveryDate>${date}<`).replace('<DeliveryHour>18<', `<DeliveryHour>${hour}<`)
    expect(parseIesoRtOntarioZonal(shifted, RT2_FILE).records.map((r) => r.intervalStart)).toEqual(every(first, 12, 5))
  })

  it('counts intervals not published yet as pending, reports bad intervals, keeping the rest', () => {
    let count = 0
    const edited = rt2.replace(/<ZonalPrice>[\s\S]*?<\/ZonalPrice>/g, (block) => {
      count++
      if (count >= 10) return block.replace(/<(LmpCap|LossPriceCap|CongPriceCap)>[^<]*<\/\1>/g, '<$1></$1>') // the "latest" file's future slots
      if (count === 2) return block.replace('<Interval>2</Interval>', '<Interval>13</Interval>')
      if (count === 3) return block.replace('<Interval>3</Interval>', '<Interval>1</Interval>')
      if (count === 4) return block.replace(/<LmpCap>[^<]*</, '<LmpCap>-<')
      return block
    })
    const parsed = parseIesoRtOntarioZonal(edited, RT2_FILE)
    expect(parsed.errors).toEqual([
      { file: RT2_FILE, line: 2, field: 'Interval', value: '13', reason: 'not an interval 1-12' },
      { file: RT2_FILE, line: 3, field: 'Interval', value: '1', reason: 'interval 1 listed twice (element 1 kept)' },
      { file: RT2_FILE, line: 4, field: 'LmpCap', value: '-', reason: 'not a number' },
    ])
    // Intervals 10-12 are listed empty (not run yet): pending, not issues.
    expect(parsed.pending).toBe(3)
    expect(parsed.records.map((r) => r.intervalStart)).toEqual(['2026-08-25T22:00:00.000Z', ...every('2026-08-25T22:20:00Z', 5, 5)])
  })

  it('throws on a changed body, a bad delivery hour, HTML and empty bodies', () => {
    const renamed = rt2.replace(/<(\/?)ZonalPrice>/g, '<$1IntervalPrice>')
    expect(thrown(() => parseIesoRtOntarioZonal(renamed, RT2_FILE))).toMatchObject({
      file: RT2_FILE,
      line: 11,
      field: 'DocBody',
      reason: 'expected ZonalPrice elements (schema r2) or RealTimePriceComponents (schema r1)',
    })
    expect(thrown(() => parseIesoRtOntarioZonal(rt2.replace('<DeliveryHour>18<', '<DeliveryHour>25<'), RT2_FILE))).toMatchObject({
      line: 13,
      field: 'DocBody/DeliveryHour',
      value: '25',
    })
    const thirteen = rt2.replace('<AveragePrice>', '<ZonalPrice><Interval>13</Interval><LmpCap>1</LmpCap><LossPriceCap>0</LossPriceCap><CongPriceCap>0</CongPriceCap></ZonalPrice>\n<AveragePrice>')
    expect(thrown(() => parseIesoRtOntarioZonal(thirteen, RT2_FILE))).toMatchObject({ line: 98, field: 'ZonalPrice', value: '13', reason: 'expected at most 12 five-minute intervals, found 13' })
    expect(thrown(() => parseIesoRtOntarioZonal(da, DA_FILE))).toMatchObject({ field: 'Document/@docID', value: 'DAHourlyOntarioZonalPrice' })
    expect(thrown(() => parseIesoRtOntarioZonal('<html><body>Bad gateway</body></html>', RT2_FILE)).reason).toMatch(/HTML page/)
    expect(thrown(() => parseIesoRtOntarioZonal('', RT2_FILE)).reason).toBe('empty file')
  })
})

describe('IESO RealtimeOntarioZonalPrice, schema r1 (documented layout, "For 2025-08-20 - Hour 1")', () => {
  it('reads the three component blocks into twelve intervals of 00:00-01:00 EST', () => {
    const result = parseIesoRtOntarioZonal(rt1, RT1_FILE)
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => r.intervalStart)).toEqual(every('2025-08-20T05:00:00Z', 12, 5))
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records[0]).toMatchObject({ lmp: 28.94, loss: 0.11, congestion: 0, energy: 28.83, publishedAt: '2025-08-20T06:00:37.000Z' })
    expect(result.records[11]).toMatchObject({ intervalEnd: '2025-08-20T06:00:00.000Z', lmp: 25.85 })
  })

  it('counts empty intervals as pending and throws on a missing component or a changed DeliveryDate', () => {
    const empty = rt1.replace('<Interval12>25.85</Interval12>', '<Interval12></Interval12>').replace('<Interval12>0.07</Interval12>', '<Interval12/>').replace(/<Interval12>0\.00<\/Interval12>/, '<Interval12></Interval12>')
    const parsed = parseIesoRtOntarioZonal(empty, RT1_FILE)
    expect(parsed.errors).toEqual([])
    expect(parsed.pending).toBe(1)
    expect(parsed.records).toHaveLength(11)
    expect(thrown(() => parseIesoRtOntarioZonal(rt1.replace('Energy Loss Price', 'Loss Price'), RT1_FILE))).toMatchObject({
      field: 'RealTimePriceComponents/OntarioZonalPrice',
      value: 'Energy Loss Price',
    })
    expect(thrown(() => parseIesoRtOntarioZonal(rt1.replace('For 2025-08-20 - Hour 1', '2025-08-20'), RT1_FILE))).toMatchObject({
      line: 9,
      field: 'DocBody/DeliveryDate',
      value: '2025-08-20',
    })
  })
})
