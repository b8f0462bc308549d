import { describe, expect, it } from 'vitest'
import { SeriesRecord, datePeriod, entitlementKey } from './series-record.ts'

const henryHub = {
  product: 'GAS',
  market: null,
  series: 'HENRY_HUB',
  measure: 'price',
  frequency: 'month',
  periodStart: '2024-01-01T00:00:00.000Z',
  periodEnd: '2024-02-01T00:00:00.000Z',
  value: 3.18,
  unit: '$/MMBtu',
  attributes: { hub: 'Henry Hub' },
  source: 'eia.ng.rngwhhd_monthly',
  publishedAt: null,
} as const

describe('SeriesRecord', () => {
  it('accepts a Henry Hub month', () => {
    expect(SeriesRecord.parse(henryHub)).toEqual(henryHub)
  })

  it.each([
    ['series', 'henry hub'],
    ['unit', '$/MMbtu'],
    ['value', Number.NaN],
    ['product', 'OIL'],
    ['periodStart', '2024-01-01'],
  ])('refuses %s = %j', (field, value) => {
    const result = SeriesRecord.safeParse({ ...henryHub, [field]: value })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual([field])
  })
})

describe('datePeriod', () => {
  it('a day is the date', () => {
    expect(datePeriod('2024-01-12', 'day')).toEqual({
      periodStart: '2024-01-12T00:00:00.000Z',
      periodEnd: '2024-01-13T00:00:00.000Z',
    })
  })
  it('a week ends on its date (EIA: the week ending Wednesday runs from Thursday)', () => {
    expect(datePeriod('2026-09-23', 'week')).toEqual({
      periodStart: '2026-09-17T00:00:00.000Z',
      periodEnd: '2026-09-24T00:00:00.000Z',
    })
  })
  it('a month is the calendar month of any of its dates', () => {
    expect(datePeriod('2024-02-15', 'month')).toEqual({
      periodStart: '2024-02-01T00:00:00.000Z',
      periodEnd: '2024-03-01T00:00:00.000Z',
    })
    expect(datePeriod('2024-12-15', 'month').periodEnd).toBe('2025-01-01T00:00:00.000Z')
  })
  it('refuses what is not a date', () => {
    expect(() => datePeriod('2024-13-40', 'day')).toThrow('not a date: 2024-13-40')
  })
})

describe('entitlementKey', () => {
  it('a commodity is entitled through its product, a GRID series through its market', () => {
    expect(entitlementKey({ product: 'LNG', market: null })).toBe('LNG')
    expect(entitlementKey({ product: 'GRID', market: 'CAISO' })).toBe('CAISO')
    expect(() => entitlementKey({ product: 'GRID', market: null })).toThrow('needs the market')
  })
})
