import { describe, expect, it } from 'vitest'
import { nearestVintage, type RecQuote } from './prices.ts'

const quote = (className: string, vintage: number, value: number): RecQuote => ({
  series: `REC.NJ.${className}.${vintage}`,
  class: className,
  vintage,
  value,
  asOf: '2026-10-01',
})

describe('the REC quote a period is valued at: the vintage nearest it', () => {
  const quotes = [quote('SOLAR', 2024, 180), quote('SOLAR', 2026, 192.5), quote('SOLAR', 2028, 205), quote('CLASS_I', 2027, 31.25)]

  it.each([
    ["the period's own vintage", 'SOLAR', 2026, 'REC.NJ.SOLAR.2026'],
    ['two equally near: the earlier (retirable against the period)', 'SOLAR', 2027, 'REC.NJ.SOLAR.2026'],
    ['the nearest later vintage when no earlier one is as near', 'SOLAR', 2029, 'REC.NJ.SOLAR.2028'],
    ['an old period takes the oldest quoted vintage', 'SOLAR', 2020, 'REC.NJ.SOLAR.2024'],
    ['only quotes of the class count', 'CLASS_I', 2031, 'REC.NJ.CLASS_I.2027'],
  ])('%s', (_, className, period, series) => {
    expect(nearestVintage(quotes, className, period)?.series).toBe(series)
  })

  it('no quote of the class: none', () => {
    expect(nearestVintage(quotes, 'CLASS_II', 2027)).toBeNull()
    expect(nearestVintage([], 'SOLAR', 2027)).toBeNull()
  })

  it('does not depend on the order the quotes come in', () => {
    expect(nearestVintage([...quotes].reverse(), 'SOLAR', 2027)?.series).toBe('REC.NJ.SOLAR.2026')
  })
})
