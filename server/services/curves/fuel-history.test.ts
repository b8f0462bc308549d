import { fuelCurveView } from '@carbon/curves'
import { describe, expect, it } from 'vitest'
import { fuelCompareRows, fuelPeriodRows } from './fuel-history.ts'

/*
 * The fuel comparison's pure halves: rows by period (base minus other) and the periods table's join,
 * over views made by packages/curves fuelCurveView from monthly points.
 */

const months = (from: number, prices: number[], year = 2027) =>
  prices.map((price, i) => {
    const m = from + i
    const month = `${year + Math.floor((m - 1) / 12)}-${String(((m - 1) % 12) + 1).padStart(2, '0')}`
    return { month, price, days: new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate() }
  })

describe('fuelCompareRows', () => {
  it('gives base minus other per period, null sides where only one build has the period, in delivery order', () => {
    const base = fuelCurveView(months(2, [4.2, 4.0, 3.6]), 'monthly', '2027-02-01')
    const other = fuelCurveView(months(1, [5, 4.1, 3.9]), 'monthly', '2027-01-01')
    const rows = fuelCompareRows(base, other)
    expect(rows.map((r) => r.period)).toEqual(['2027-01', '2027-02', '2027-03', '2027-04'])
    expect(rows[0]).toMatchObject({ base: null, other: 5, change: null })
    expect(rows[1]!.change).toBeCloseTo(4.2 - 4.1, 12)
    expect(rows[2]!.change).toBeCloseTo(4.0 - 3.9, 12)
    expect(rows[3]).toMatchObject({ base: 3.6, other: null, change: null })
  })

  it('compares a negative basis as it is (the change of a basis that turns negative)', () => {
    const rows = fuelCompareRows(fuelCurveView(months(1, [-0.4]), 'monthly', '2027-01-01'), fuelCurveView(months(1, [0.35]), 'monthly', '2027-01-01'))
    expect(rows[0]!.change).toBeCloseTo(-0.75, 12)
  })
})

describe('fuelPeriodRows', () => {
  it('joins the change on periods of the same months only: a quarter the later as-of date cuts gets none', () => {
    const points = months(1, [4, 4, 4, 3, 3, 3])
    const shown = fuelCurveView(points, 'quarterly', '2027-01-10') // 2027-Q1 is January to March
    const compareFrom = '2027-02-01' // a comparison viewed from February: its 2027-Q1 is February and March
    const rows = fuelCompareRows(fuelCurveView(points, 'quarterly', compareFrom), fuelCurveView(months(1, [5, 5, 5, 2, 2, 2]), 'quarterly', compareFrom))
    const table = fuelPeriodRows(shown, rows)
    expect(table.map((r) => [r.period, r.first, r.compared, r.change])).toEqual([
      ['2027-Q1', '2027-01', null, null],
      ['2027-Q2', '2027-04', 2, 1],
    ])
    expect(table[1]).toMatchObject({ price: 3, months: 3, days: 91 })
  })

  it('without a comparison every period keeps its price with no change', () => {
    const shown = fuelCurveView(months(1, [4, 4, 4]), 'monthly', '2027-01-01')
    expect(fuelPeriodRows(shown, null).map((r) => [r.price, r.compared, r.change])).toEqual([
      [4, null, null],
      [4, null, null],
      [4, null, null],
    ])
  })
})
