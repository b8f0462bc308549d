import { readFileSync } from 'node:fs'
import { SeriesRecord, datePeriod } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import {
  BASIS_SOURCE,
  SeriesMismatchError,
  basisSeries,
  basisSeriesId,
  decimalDifference,
  decimalMean,
  decimalPlaces,
  weeklyAverages,
  type MismatchCode,
} from './basis.ts'
import { DATAHUB_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR } from './gas/fixtures.ts'
import { parseDatahubHenryHubDaily } from './gas/henry-hub.ts'

/** A price record of `series` for the period of `date` (`day` unless said). */
function price(series: string, date: string, value: number, extra: Partial<SeriesRecord> = {}): SeriesRecord {
  const frequency = extra.frequency ?? 'day'
  return {
    product: 'GAS',
    market: null,
    series,
    measure: 'price',
    frequency,
    ...(frequency === 'hour' ? { periodStart: `${date}T00:00:00.000Z`, periodEnd: `${date}T01:00:00.000Z` } : datePeriod(date, frequency)),
    value,
    unit: '$/MMBtu',
    attributes: {},
    source: `test.${series.toLowerCase()}`,
    publishedAt: null,
    ...extra,
  }
}

function mismatch(fn: () => unknown): SeriesMismatchError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(SeriesMismatchError)
    return error as SeriesMismatchError
  }
  throw new Error('expected a SeriesMismatchError')
}

const henryDaily = parseDatahubHenryHubDaily(new Uint8Array(readFileSync(new URL(DATAHUB_HENRY_HUB_DAILY_FIXTURE, GAS_FIXTURE_DIR))), DATAHUB_HENRY_HUB_DAILY_FIXTURE).records

describe('exact decimal arithmetic', () => {
  it.each([
    [2.56, 2],
    [13.2, 1],
    [3, 0],
    [-0.69, 2],
    [1e-7, 7],
    [1.5e-7, 8],
    [1e21, 0],
    [0.30000000000000004, 8], // float noise: read to MAX_PLACES
  ])('%s has %i decimal places', (value, places) => {
    expect(decimalPlaces(value)).toBe(places)
  })

  it.each([
    [3.25, 2.56, 0.69],
    [2.56, 3.25, -0.69],
    [13.2, 2.565, 10.635],
    [1.72, 1.72, 0],
    [0.1, 0.3, -0.2],
    [26.41, 2.925, 23.485],
    [1e-7, 0, 1e-7],
    [0.30000000000000004, 0.1, 0.2],
  ])('%s - %s = %s exactly', (a, b, difference) => {
    expect(Object.is(decimalDifference(a, b), difference)).toBe(true)
  })

  it('is what plain floating point gets wrong', () => {
    expect(13.2 - 2.56).not.toBe(10.64)
    expect(decimalDifference(13.2, 2.56)).toBe(10.64)
    expect(3.15 - 2.86).not.toBe(0.29)
    expect(decimalDifference(3.15, 2.86)).toBe(0.29)
  })

  it.each([
    [[3.15, 13.2, 3.25, 2.86], 5.615],
    [[2.83, 2.75, 2.72, 3.25, 3.25], 2.96],
    [[1, 1, 2], 1.3333],
    [[2, 2, 1], 1.6667],
    [[-1, -1, -2], -1.3333],
    [[0.0001, 0.0002], 0.0002], // 0.00015: half away from zero
    [[-0.0001, -0.0002], -0.0002],
    [[0.00005, 0], 0.00003], // five places in, five places out
    [[2.565, 2.56], 2.5625],
  ])('the mean of %j is %s', (values, mean) => {
    expect(decimalMean(values)).toBe(mean)
  })

  it('refuses the mean of nothing', () => {
    expect(() => decimalMean([])).toThrow('the mean of no values')
  })
})

describe('basisSeries', () => {
  it('takes hub - reference for each period both have, exactly, as <HUB>_HH', () => {
    const hub = [price('ALGONQUIN_CITYGATES', '2024-01-16', 3.25), price('ALGONQUIN_CITYGATES', '2024-01-12', 13.2)]
    const reference = [price('HENRY_HUB', '2024-01-12', 2.565), price('HENRY_HUB', '2024-01-16', 2.56)]
    const { records, unmatched } = basisSeries(hub, reference)
    expect(unmatched).toEqual([])
    expect(records.map((r) => [r.periodStart.slice(0, 10), r.value])).toEqual([
      ['2024-01-12', 10.635],
      ['2024-01-16', 0.69],
    ])
    expect(records[1]).toEqual({
      product: 'GAS',
      market: null,
      series: 'ALGONQUIN_CITYGATES_HH',
      measure: 'price',
      frequency: 'day',
      periodStart: '2024-01-16T00:00:00.000Z',
      periodEnd: '2024-01-17T00:00:00.000Z',
      value: 0.69,
      unit: '$/MMBtu',
      attributes: { leg: 'ALGONQUIN_CITYGATES', reference: 'HENRY_HUB', legSource: 'test.algonquin_citygates', referenceSource: 'test.henry_hub' },
      source: BASIS_SOURCE,
      publishedAt: null,
    })
    for (const record of records) expect(SeriesRecord.parse(record)).toEqual(record)
  })

  it('reports the periods only one side has, in period order, and drops none', () => {
    const hub = [price('WAHA', '2024-01-02', -1.5), price('WAHA', '2024-01-04', 0.35), price('WAHA', '2024-01-05', 1.1)]
    const reference = [price('HENRY_HUB', '2024-01-03', 2.57), price('HENRY_HUB', '2024-01-04', 2.83), price('HENRY_HUB', '2024-01-08', 2.72)]
    const { records, unmatched } = basisSeries(hub, reference)
    expect(records.map((r) => [r.series, r.periodStart.slice(0, 10), r.value])).toEqual([['WAHA_HH', '2024-01-04', -2.48]])
    expect(unmatched.map((u) => [u.side, u.series, u.periodStart.slice(0, 10)])).toEqual([
      ['hub', 'WAHA', '2024-01-02'],
      ['reference', 'HENRY_HUB', '2024-01-03'],
      ['hub', 'WAHA', '2024-01-05'],
      ['reference', 'HENRY_HUB', '2024-01-08'],
    ])
    expect(records.length * 2 + unmatched.length).toBe(hub.length + reference.length)
  })

  it('with one side empty, every period of the other is unmatched', () => {
    const { records, unmatched } = basisSeries([], henryDaily.slice(0, 3))
    expect(records).toEqual([])
    expect(unmatched.map((u) => u.side)).toEqual(['reference', 'reference', 'reference'])
  })

  it('is published when the later leg is, and unknown when either is', () => {
    const at = (iso: string | null) => ({ publishedAt: iso })
    const [known] = basisSeries([price('MALIN', '2024-01-02', 3, at('2024-01-03T15:00:00.000Z'))], [price('HENRY_HUB', '2024-01-02', 2.56, at('2024-01-03T21:30:00.000Z'))]).records
    expect(known?.publishedAt).toBe('2024-01-03T21:30:00.000Z')
    const [unknown] = basisSeries([price('MALIN', '2024-01-02', 3, at('2024-01-03T15:00:00.000Z'))], [price('HENRY_HUB', '2024-01-02', 2.56)]).records
    expect(unknown?.publishedAt).toBeNull()
  })

  it.each([
    ['HENRY_HUB', 'HH'],
    ['TTF', 'TTF'],
  ])('names a basis to %s with %s', (reference, suffix) => {
    expect(basisSeriesId('JKM', reference)).toBe(`JKM_${suffix}`)
  })

  const refusals: [string, SeriesRecord[], SeriesRecord[], MismatchCode, string][] = [
    ['units differ', [price('PGE_CITYGATE', '2024-01-02', 3)], [price('HENRY_HUB', '2024-01-02', 2.56, { unit: '$/MWh' })], 'unit', 'cannot take HENRY_HUB from PGE_CITYGATE: units differ ($/MMBtu vs $/MWh)'],
    [
      'frequencies differ',
      [price('PGE_CITYGATE', '2024-01-01', 3)],
      [price('HENRY_HUB', '2024-01-15', 3.18, { frequency: 'month' })],
      'frequency',
      'cannot take HENRY_HUB from PGE_CITYGATE: frequencies differ (day vs month)',
    ],
    ['measures differ', [price('PGE_CITYGATE', '2024-01-02', 3)], [price('HENRY_HUB', '2024-01-02', 2, { measure: 'volume' })], 'measure', 'cannot take HENRY_HUB from PGE_CITYGATE: measures differ (price vs volume)'],
    ['a side mixes series', [price('PGE_CITYGATE', '2024-01-02', 3), price('MALIN', '2024-01-03', 3)], [price('HENRY_HUB', '2024-01-02', 2.56)], 'series', 'the hub records mix series: PGE_CITYGATE, MALIN'],
    ['a side mixes units', [price('PGE_CITYGATE', '2024-01-02', 3)], [price('HENRY_HUB', '2024-01-02', 2.56), price('HENRY_HUB', '2024-01-03', 9, { unit: '$/MWh' })], 'unit', 'the reference records mix units: $/MMBtu, $/MWh'],
    [
      'a side repeats a period',
      [price('PGE_CITYGATE', '2024-01-02', 3), price('PGE_CITYGATE', '2024-01-02', 3.1)],
      [price('HENRY_HUB', '2024-01-02', 2.56)],
      'period',
      'the hub records repeat the period starting 2024-01-02T00:00:00.000Z (PGE_CITYGATE)',
    ],
  ]
  it.each(refusals)('refuses when %s', (_, hub, reference, code, message) => {
    const error = mismatch(() => basisSeries(hub, reference))
    expect(error.code).toBe(code)
    expect(error.message).toBe(message)
  })
})

describe('weeklyAverages', () => {
  const wednesdayWeeks = weeklyAverages(henryDaily, 'wednesday')
  const week = (ending: string) => wednesdayWeeks.find((w) => w.weekEnding === ending)

  it('averages Thursday..Wednesday weeks of the Henry Hub daily fixture, with the days each used', () => {
    expect(wednesdayWeeks.map((w) => [w.weekEnding, w.days, w.record.value]).slice(0, 3)).toEqual([
      ['2024-01-03', 2, 2.565],
      ['2024-01-10', 5, 2.96],
      ['2024-01-17', 4, 5.615], // Monday 15: Martin Luther King Jr. Day; the cold-snap 13.2 on Friday 12
    ])
    expect(week('2024-06-19')).toMatchObject({ days: 4, record: { value: 2.615 } }) // Wednesday 19: Juneteenth
    expect(week('2024-04-03')).toMatchObject({ days: 4, record: { value: 1.6725 } }) // Friday 29 March: Good Friday
    expect(week('2024-06-26')).toMatchObject({ days: 5, record: { value: 2.494 } })
    expect(wednesdayWeeks.reduce((n, w) => n + w.days, 0)).toBe(henryDaily.length)
  })

  it('marks the weeks the data does not cover whole', () => {
    expect(wednesdayWeeks.filter((w) => !w.complete).map((w) => [w.weekEnding, w.days])).toEqual([
      ['2024-01-03', 2], // from Thursday 2023-12-28; the data starts Tuesday 2024-01-02
      ['2024-07-03', 2], // to Wednesday 2024-07-03; the data ends Friday 2024-06-28
    ])
    expect(week('2024-01-17')?.complete).toBe(true) // short for a holiday, not for want of data
  })

  it('makes week records: the week ending its date, the daily series id, attributes saying how', () => {
    expect(week('2024-01-17')?.record).toEqual({
      product: 'GAS',
      market: null,
      series: 'HENRY_HUB',
      measure: 'price',
      frequency: 'week',
      periodStart: '2024-01-11T00:00:00.000Z',
      periodEnd: '2024-01-18T00:00:00.000Z',
      value: 5.615,
      unit: '$/MMBtu',
      attributes: { hub: 'Henry Hub', statistic: 'weekly average', weekEnding: '2024-01-17', days: '4', dailySource: 'datahub.ng.hh_spot_daily' },
      source: 'derived.weekly_average',
      publishedAt: null,
    })
    for (const { record } of wednesdayWeeks) expect(SeriesRecord.parse(record)).toEqual(record)
  })

  it.each([
    ['friday', '2024-01-12', '2024-01-06T00:00:00.000Z', 5, 5.114],
    ['sunday', '2024-01-14', '2024-01-08T00:00:00.000Z', 5, 5.114],
    ['monday', '2024-01-15', '2024-01-09T00:00:00.000Z', 4, 5.7125],
  ] as const)('weeks ending %s: the week ending %s starts %s, %i days, %s', (weekday, ending, start, days, value) => {
    const found = weeklyAverages(henryDaily, weekday).find((w) => w.weekEnding === ending)
    expect(found).toMatchObject({ days, record: { periodStart: start, value } })
  })

  it('does not depend on the order of the daily records', () => {
    expect(weeklyAverages([...henryDaily].reverse(), 'wednesday')).toEqual(wednesdayWeeks)
  })

  it('gives LNG basis: weekly JKM and TTF minus the Henry Hub average of the same week ending Wednesday', () => {
    // EIA's LNG bullet of 2026-09-24: week ending Wednesday 2026-09-23, JKM 26.41 and TTF 25.15.
    // The Henry Hub days are illustrative: four trading days, the Wednesday not yet published.
    const henry = [
      ['2026-09-17', 2.9],
      ['2026-09-18', 2.97],
      ['2026-09-21', 2.93],
      ['2026-09-22', 2.9],
    ].map(([date, value]) => price('HENRY_HUB', date as string, value as number))
    const [henryWeek] = weeklyAverages(henry, 'wednesday')
    expect(henryWeek).toMatchObject({ weekEnding: '2026-09-23', days: 4, record: { value: 2.925 } })
    const lng = (series: string, value: number) => price(series, '2026-09-23', value, { product: 'LNG', frequency: 'week' })
    const jkm = basisSeries([lng('JKM', 26.41)], [henryWeek!.record])
    const ttf = basisSeries([lng('TTF', 25.15)], [henryWeek!.record])
    expect(jkm.records).toMatchObject([{ product: 'LNG', series: 'JKM_HH', frequency: 'week', periodStart: '2026-09-17T00:00:00.000Z', value: 23.485 }])
    expect(ttf.records.map((r) => r.value)).toEqual([22.225])
    expect([...jkm.unmatched, ...ttf.unmatched]).toEqual([])
  })

  it('gives nothing for no days', () => {
    expect(weeklyAverages([], 'wednesday')).toEqual([])
  })

  const refusals: [string, SeriesRecord[], MismatchCode][] = [
    ['monthly records', [price('HENRY_HUB', '2024-01-15', 3.18, { frequency: 'month' })], 'frequency'],
    ['mixed units', [price('HENRY_HUB', '2024-01-02', 2.56), price('HENRY_HUB', '2024-01-03', 9, { unit: '$/MWh' })], 'unit'],
    ['mixed series', [price('HENRY_HUB', '2024-01-02', 2.56), price('WAHA', '2024-01-03', 1)], 'series'],
    ['a repeated day', [price('HENRY_HUB', '2024-01-02', 2.56), price('HENRY_HUB', '2024-01-02', 2.57)], 'period'],
  ]
  it.each(refusals)('refuses %s', (_, daily, code) => {
    expect(mismatch(() => weeklyAverages(daily, 'wednesday')).code).toBe(code)
  })
})
