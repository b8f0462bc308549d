import { describe, expect, it } from 'vitest'
import { mapeOf, monthStartUtc } from './metrics.ts'

describe('monthStartUtc', () => {
  it.each([
    ['2026-01', 'America/New_York', '2026-01-01T05:00:00.000Z'],
    ['2026-04', 'America/New_York', '2026-04-01T04:00:00.000Z'],
    ['2026-11', 'America/New_York', '2026-11-01T04:00:00.000Z'], // DST ends at 02:00 that day: midnight is still EDT
    ['2026-12', 'America/Los_Angeles', '2026-12-01T08:00:00.000Z'],
    ['2026-07', 'America/Los_Angeles', '2026-07-01T07:00:00.000Z'],
    ['2027-03', 'Etc/GMT+5', '2027-03-01T05:00:00.000Z'],
  ])('%s starts in %s at %s', (month, zone, iso) => {
    expect(monthStartUtc(month, zone).toISOString()).toBe(iso)
  })
})

describe('mapeOf', () => {
  it('averages the rows that count and judges the 12 % gate', () => {
    expect(mapeOf([{ ape: 10 }, { ape: null }, { ape: 14 }])).toEqual({ mape: 12, count: 2, passes: true })
    expect(mapeOf([{ ape: 12.5 }])).toEqual({ mape: 12.5, count: 1, passes: false })
    expect(mapeOf([{ ape: null }])).toEqual({ mape: null, count: 0, passes: null })
  })
})
