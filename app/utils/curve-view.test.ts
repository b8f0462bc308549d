import { parseQuotesCsv } from '@carbon/curves'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  blockSpans,
  chartSeries,
  curveCsv,
  curveCsvFilename,
  curveCsvHref,
  curveHref,
  curveSearch,
  isIsoDate,
  monthEndMs,
  monthStartMs,
  parseCurveQuery,
  periodRows,
  quoteSegments,
  quotesCsv,
  yearTicks,
  type CurvePointLike,
  type CurveQuoteLike,
} from './curve-view.ts'

const point = (period: string, first: string, last: string, onpeak: number, offpeak: number, atc: number): CurvePointLike => ({
  period,
  first,
  last,
  onpeak,
  offpeak,
  atc,
  hours: { onpeak: 336, offpeak: 408, atc: 744 },
})

const quote = (contract: string, block: CurveQuoteLike['block'], price: number, first: string, last: string, extra: Partial<CurveQuoteLike> = {}): CurveQuoteLike => ({
  contract,
  block,
  price,
  bid: null,
  ask: null,
  first,
  last,
  repriced: price,
  ...extra,
})

const parse = (search: string) => parseCurveQuery(new URLSearchParams(search))

describe('curve page query', () => {
  it('defaults to the latest as-of date, the standard view, on-peak and no comparison', () => {
    expect(parse('')).toEqual({ ok: true, query: { asOf: null, granularity: 'standard', block: 'onpeak', compare: null } })
    expect(parse('asOf=&granularity=&block=&compare=')).toEqual(parse(''))
  })

  it('reads every field and drops a comparison with the shown date itself', () => {
    expect(parse('asOf=2026-10-30&granularity=monthly&block=atc&compare=2026-09-30')).toEqual({
      ok: true,
      query: { asOf: '2026-10-30', granularity: 'monthly', block: 'atc', compare: '2026-09-30' },
    })
    expect(parse('asOf=2026-10-30&compare=2026-10-30')).toMatchObject({ ok: true, query: { compare: null } })
  })

  it('names the field of an unknown value', () => {
    expect(parse('granularity=weekly')).toEqual({ ok: false, message: 'granularity: expected one of standard, monthly, quarterly, annual' })
    expect(parse('block=peak')).toMatchObject({ ok: false, message: expect.stringMatching(/^block:/) })
    expect(parse('asOf=2026-02-30')).toMatchObject({ ok: false, message: expect.stringMatching(/^asOf:/) })
    expect(parse('compare=yesterday')).toMatchObject({ ok: false, message: expect.stringMatching(/^compare:/) })
  })

  it('knows real dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true)
    expect(isIsoDate('2027-02-29')).toBe(false)
    expect(isIsoDate('2027-2-01')).toBe(false)
  })

  it('writes links without the defaults, and parses them back', () => {
    expect(curveSearch({})).toBe('')
    expect(curveSearch({ granularity: 'standard', block: 'onpeak', asOf: null })).toBe('')
    const search = curveSearch({ asOf: '2026-10-30', granularity: 'annual', block: 'offpeak', compare: '2026-08-31' })
    expect(search).toBe('?asOf=2026-10-30&granularity=annual&block=offpeak&compare=2026-08-31')
    expect(parse(search.slice(1))).toEqual({ ok: true, query: { asOf: '2026-10-30', granularity: 'annual', block: 'offpeak', compare: '2026-08-31' } })
    expect(curveHref('CAISO', 'TH_SP15_GEN-APND')).toBe('/curves/CAISO/TH_SP15_GEN-APND')
    expect(curveCsvHref('MISO', 'INDIANA.HUB', '?granularity=monthly')).toBe('/curves/MISO/INDIANA.HUB/csv?granularity=monthly')
  })
})

describe('curve CSV', () => {
  it('has the header, one row per period, prices to the cent and hours', () => {
    const csv = curveCsv([point('2027-Q1', '2027-01', '2027-03', 61.234, 40.005, 49.5), point('Cal-2050', '2050-01', '2050-12', 120, -1.004, 60)])
    expect(csv.split('\r\n')).toEqual([
      'period,first,last,onpeak,offpeak,atc,hours_onpeak,hours_offpeak',
      '2027-Q1,2027-01,2027-03,61.23,40.01,49.50,336,408',
      'Cal-2050,2050-01,2050-12,120.00,-1.00,60.00,336,408',
      '',
    ])
  })

  it('names the file after the build and view', () => {
    expect(curveCsvFilename({ market: 'MISO', node: 'INDIANA.HUB', asOf: '2026-10-30', version: 3 }, 'standard')).toBe(
      'MISO_INDIANA.HUB_curve_2026-10-30_v3_standard.csv',
    )
    expect(curveCsvFilename({ market: 'CAISO', node: 'A B/"C"', asOf: '2026-10-30', version: 1 }, 'monthly')).toBe(
      'CAISO_A_B__C__curve_2026-10-30_v1_monthly.csv',
    )
  })

  it('writes the quotes as the quote CSV the build form reads back', () => {
    const quotes = [quote('2027-01', 'onpeak', 61.2, '2027-01', '2027-01'), quote('Cal-2030', 'offpeak', 44, '2030-01', '2030-12')]
    expect(quotesCsv(quotes)).toBe('contract,block,price\n2027-01,onpeak,61.2\nCal-2030,offpeak,44\n')
    const banded = [quotes[0]!, { ...quotes[1]!, bid: 43.5, ask: 44.25 }]
    expect(quotesCsv(banded)).toBe('contract,block,price,bid,ask\n2027-01,onpeak,61.2,,\nCal-2030,offpeak,44,43.5,44.25\n')
  })

  it('round-trips any prices, bids and asks through the quote parser exactly', () => {
    // -0 is written as 0, which is the same price.
    const price = fc.double({ min: -500, max: 5000, noNaN: true, noDefaultInfinity: true }).map((p) => (Object.is(p, -0) ? 0 : p))
    fc.assert(
      fc.property(fc.array(fc.tuple(price, fc.option(fc.nat(100)), fc.option(fc.nat(100))), { minLength: 1, maxLength: 8 }), (rows) => {
        const quotes = rows.map(([p, below, above], i) =>
          quote(`20${30 + i}-Q2`, i % 2 ? 'offpeak' : 'onpeak', p, '2030-04', '2030-06', {
            bid: below === null ? null : p - below,
            ask: above === null ? null : p + above,
          }),
        )
        const parsed = parseQuotesCsv(quotesCsv(quotes))
        expect(parsed.map((q) => [q.contract.code, q.block, q.price, q.bid, q.ask])).toEqual(quotes.map((q) => [q.contract, q.block, q.price, q.bid, q.ask]))
      }),
    )
  })
})

describe('curve chart', () => {
  const points = [point('2027-Q1', '2027-01', '2027-03', 60, 40, 50), point('2027-Q2', '2027-04', '2027-06', 55, 35, 45), point('Cal-2028', '2028-01', '2028-12', 58, 38, 48)]

  it('knows where months start and end', () => {
    expect(new Date(monthStartMs('2027-03')).toISOString()).toBe('2027-03-01T00:00:00.000Z')
    expect(new Date(monthEndMs('2027-12')).toISOString()).toBe('2028-01-01T00:00:00.000Z')
  })

  it('steps through the periods of the chosen block and closes the last one at its end', () => {
    const series = chartSeries(blockSpans(points, 'offpeak'))
    expect(series.map((p) => [new Date(p.t).toISOString().slice(0, 7), p.value, p.compare, p.period])).toEqual([
      ['2027-01', 40, null, '2027-Q1'],
      ['2027-04', 35, null, '2027-Q2'],
      ['2027-07', null, null, null], // no period delivers 2027-07..12: a gap, not a made-up price
      ['2028-01', 38, null, 'Cal-2028'],
      ['2029-01', 38, null, 'Cal-2028'],
    ])
  })

  it('samples a compared build at every boundary of both', () => {
    const other = [
      { first: '2027-02', last: '2027-03', value: 70 },
      { first: '2027-04', last: '2027-06', value: 65 },
    ]
    const series = chartSeries(blockSpans(points.slice(0, 2), 'onpeak'), other)
    expect(series.map((p) => [new Date(p.t).toISOString().slice(0, 7), p.value, p.compare])).toEqual([
      ['2027-01', 60, null],
      ['2027-02', 60, 70],
      ['2027-04', 55, 65],
      ['2027-07', 55, 65],
    ])
  })

  it('draws the quotes of the chosen block over their delivery months', () => {
    const quotes = [
      quote('Cal-2028', 'onpeak', 58, '2028-01', '2028-12'),
      quote('2027-01', 'onpeak', 61, '2027-01', '2027-01', { repriced: 61.0000001 }),
      quote('2027-01', 'offpeak', 41, '2027-01', '2027-01'),
    ]
    expect(quoteSegments(quotes, 'onpeak')).toEqual([
      { contract: '2027-01', price: 61, repriced: 61.0000001, x1: Date.UTC(2027, 0, 1), x2: Date.UTC(2027, 1, 1) },
      { contract: 'Cal-2028', price: 58, repriced: 58, x1: Date.UTC(2028, 0, 1), x2: Date.UTC(2029, 0, 1) },
    ])
    expect(quoteSegments(quotes, 'atc')).toEqual([])
  })

  it('ticks January firsts, thinned to fit', () => {
    const years = (ticks: number[]) => ticks.map((t) => new Date(t).getUTCFullYear())
    expect(years(yearTicks(Date.UTC(2026, 10, 1), Date.UTC(2051, 0, 1), 10))).toEqual([2030, 2035, 2040, 2045, 2050])
    expect(years(yearTicks(Date.UTC(2027, 0, 1), Date.UTC(2031, 0, 1), 10))).toEqual([2027, 2028, 2029, 2030, 2031])
    expect(years(yearTicks(Date.UTC(2026, 10, 1), Date.UTC(2051, 0, 1), 13))).toEqual([2028, 2030, 2032, 2034, 2036, 2038, 2040, 2042, 2044, 2046, 2048, 2050])
  })
})

describe('periods table', () => {
  it('shows the change only where the comparison covers the same months', () => {
    const points = [point('2026-Q4', '2026-12', '2026-12', 60, 40, 50), point('2027-Q1', '2027-01', '2027-03', 55, 35, 45)]
    const rows = periodRows(points, [
      { period: '2026-Q4', first: '2026-11', last: '2026-12', change: { onpeak: 1, offpeak: 1, atc: 1 } },
      { period: '2027-Q1', first: '2027-01', last: '2027-03', change: { onpeak: -2, offpeak: 0.5, atc: -0.75 } },
    ])
    expect(rows.map((r) => [r.period, r.change])).toEqual([
      ['2026-Q4', null],
      ['2027-Q1', { onpeak: -2, offpeak: 0.5, atc: -0.75 }],
    ])
    expect(periodRows(points).every((r) => r.change === null)).toBe(true)
  })
})
