import { describe, expect, it } from 'vitest'
import { monthHours, monthRange, type MonthKey } from './calendar.ts'
import { CurveInputError } from './errors.ts'
import { curveView, toCalendarYears, toMonths, toQuarters, type CurvePoint } from './views.ts'

function point(month: MonthKey, onpeak: number, offpeak: number): CurvePoint {
  const hours = monthHours('MISO', month)
  return { month, onpeak, offpeak, atc: (hours.onpeak * onpeak + hours.offpeak * offpeak) / hours.atc, hours }
}

const curve = (first: MonthKey, last: MonthKey) => monthRange(first, last).map((m, i) => point(m, 50 + i, 30 + i / 2))

describe('toQuarters', () => {
  it('hours-weights the three months of a quarter (worked by hand for MISO 2027-Q1)', () => {
    // MISO 2027 hours: Jan on 320 / off 424 (Jan 1 is a Friday holiday: 21 - 1 = 20 peak days),
    // Feb on 320 / off 352, Mar on 368 / off 375 (DST start).
    const points = [point('2027-01', 60, 40), point('2027-02', 70, 45), point('2027-03', 50, 30)]
    expect(points.map((p) => [p.hours.onpeak, p.hours.offpeak])).toEqual([
      [320, 424],
      [320, 352],
      [368, 375],
    ])
    const [q1] = toQuarters(points)
    // on-peak = (320 x 60 + 320 x 70 + 368 x 50) / (320 + 320 + 368) = (19200 + 22400 + 18400) / 1008 = 60000 / 1008
    expect(q1!.onpeak).toBeCloseTo(60000 / 1008, 12)
    // off-peak = (424 x 40 + 352 x 45 + 375 x 30) / (424 + 352 + 375) = (16960 + 15840 + 11250) / 1151 = 44050 / 1151
    expect(q1!.offpeak).toBeCloseTo(44050 / 1151, 12)
    // ATC = (60000 + 44050) / (1008 + 1151) = 104050 / 2159
    expect(q1!.atc).toBeCloseTo(104050 / 2159, 12)
    expect(q1).toMatchObject({ period: '2027-Q1', first: '2027-01', last: '2027-03', months: 3, hours: { onpeak: 1008, offpeak: 1151, atc: 2159 } })
  })

  it('a partial quarter aggregates only its months and says how many', () => {
    const rows = toQuarters(curve('2027-02', '2027-07'))
    expect(rows.map((r) => [r.period, r.first, r.last, r.months])).toEqual([
      ['2027-Q1', '2027-02', '2027-03', 2],
      ['2027-Q2', '2027-04', '2027-06', 3],
      ['2027-Q3', '2027-07', '2027-07', 1],
    ])
  })

  it('sorts its input and rejects duplicate months', () => {
    const points = curve('2027-01', '2027-06')
    expect(toQuarters([...points].reverse())).toEqual(toQuarters(points))
    expect(() => toQuarters([...points, points[0]!])).toThrow(CurveInputError)
  })
})

describe('toCalendarYears', () => {
  it('keeps total hours and hours-weighted value (sum of quarters = year)', () => {
    const points = curve('2027-01', '2028-12')
    const years = toCalendarYears(points)
    expect(years.map((r) => r.period)).toEqual(['Cal-2027', 'Cal-2028'])
    const quarters = toQuarters(points).slice(0, 4)
    const onHours = quarters.reduce((s, q) => s + q.hours.onpeak, 0)
    const onValue = quarters.reduce((s, q) => s + q.hours.onpeak * q.onpeak, 0)
    expect(years[0]!.hours.onpeak).toBe(onHours)
    expect(years[0]!.onpeak).toBeCloseTo(onValue / onHours, 10)
    const atcValue = quarters.reduce((s, q) => s + q.hours.atc * q.atc, 0)
    expect(years[0]!.atc).toBeCloseTo(atcValue / years[0]!.hours.atc, 10)
    expect(years[0]!.hours.atc).toBe(8760)
  })
})

describe('curveView', () => {
  const points = curve('2026-11', '2050-12')

  it('monthly returns one row per month; months before asOf are dropped', () => {
    const rows = curveView(points, 'monthly', '2027-01-15')
    expect(rows[0]).toMatchObject({ period: '2027-01', months: 1, onpeak: points[2]!.onpeak })
    expect(rows).toHaveLength(points.length - 2)
    expect(toMonths(points)).toHaveLength(points.length)
  })

  it('quarterly and annual', () => {
    expect(curveView(points, 'quarterly', '2026-10-31')[0]).toMatchObject({ period: '2026-Q4', months: 2 })
    const annual = curveView(points, 'annual', '2026-10-31')
    expect(annual[0]).toMatchObject({ period: 'Cal-2026', months: 2 })
    expect(annual.at(-1)).toMatchObject({ period: 'Cal-2050', months: 12 })
  })

  it('standard: quarters for ten calendar years from the first month, then calendar years', () => {
    const rows = curveView(points, 'standard', '2026-10-31')
    const periods = rows.map((r) => r.period)
    expect(periods[0]).toBe('2026-Q4')
    expect(rows[0]!.months).toBe(2)
    expect(periods).toContain('2035-Q4')
    expect(periods).not.toContain('Cal-2035')
    expect(periods[periods.indexOf('2035-Q4') + 1]).toBe('Cal-2036')
    expect(periods.at(-1)).toBe('Cal-2050')
    expect(rows.length).toBe(1 + 9 * 4 + 15) // 2026-Q4, 2027-2035 quarters, Cal-2036..Cal-2050
    expect(rows.reduce((s, r) => s + r.months, 0)).toBe(points.length)
    expect(curveView([], 'standard', '2026-10-31')).toEqual([])
  })
})
