import { describe, expect, it } from 'vitest'
import { monthHours, monthRange } from './calendar.ts'
import { escalationPrior, REFERENCE_YEAR, seasonalShape } from './prior.ts'

function hoursWeightedMean(market: 'MISO' | 'CAISO', block: 'onpeak' | 'offpeak' | 'atc', year: number): number {
  const shape = seasonalShape(market, block)
  let sum = 0
  let hours = 0
  monthRange(`${year}-01`, `${year}-12`).forEach((m, i) => {
    const h = monthHours(market, m)[block]
    sum += h * shape[i]!
    hours += h
  })
  return sum / hours
}

describe('seasonalShape', () => {
  it('has an hours-weighted annual mean of 1 (exactly in the reference year, closely in others)', () => {
    for (const market of ['MISO', 'CAISO'] as const) {
      for (const block of ['onpeak', 'offpeak', 'atc'] as const) {
        expect(seasonalShape(market, block)).toHaveLength(12)
        expect(hoursWeightedMean(market, block, REFERENCE_YEAR)).toBeCloseTo(1, 12)
        for (const year of [2027, 2028, 2045]) expect(Math.abs(hoursWeightedMean(market, block, year) - 1)).toBeLessThan(0.01)
      }
    }
  })

  it('has the documented seasonal features', () => {
    const miso = seasonalShape('MISO', 'onpeak')
    const max = Math.max(...miso)
    expect([miso[6], miso[7]]).toContain(max) // Jul/Aug peak
    expect(miso[0]!).toBeGreaterThan(miso[2]!) // winter bump over March
    for (const low of [3, 4, 9]) expect(miso[low]!).toBeLessThan(1) // Apr, May, Oct lows
    const caiso = seasonalShape('CAISO', 'onpeak')
    expect(Math.min(...caiso)).toBe(caiso[3]) // April solar dip
    expect(caiso[4]!).toBeLessThan(0.8)
    for (const summer of [6, 7, 8]) expect(caiso[summer]!).toBeGreaterThan(1.1)
  })
})

describe('escalationPrior', () => {
  it('is level x shape x (1 + esc)^(years from levelMonth)', () => {
    const months = ['2027-07', '2028-07', '2029-01']
    const prior = escalationPrior({ market: 'MISO', block: 'onpeak', months, level: 50, levelMonth: '2027-07', annualEscalation: 0.03 })
    const shape = seasonalShape('MISO', 'onpeak')
    expect(prior[0]).toBeCloseTo(50 * shape[6]!, 12)
    expect(prior[1]).toBeCloseTo(50 * shape[6]! * 1.03, 12)
    expect(prior[2]).toBeCloseTo(50 * shape[0]! * 1.03 ** 1.5, 12)
  })

  it('defaults to 2.5 % escalation; flat shape has no seasonality', () => {
    const prior = escalationPrior({ market: 'CAISO', block: 'offpeak', months: ['2030-04', '2031-04'], level: 40, levelMonth: '2030-04', shape: 'flat' })
    expect(Array.from(prior)).toEqual([40, 40 * 1.025])
  })
})
