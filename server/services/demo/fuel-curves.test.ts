import { buildFuelCurve, monthRange, normalizeFuelQuotes } from '@carbon/curves'
import { describe, expect, it } from 'vitest'
import { demoFuelQuotes } from './fuel-curves.ts'

describe('demoFuelQuotes', () => {
  it.each([
    ['HENRY_HUB', 'gas', '2026-12-04'],
    ['HENRY_HUB', 'gas', '2026-06-30'],
    ['JKM-HH', 'lng_basis', '2026-12-04'],
    ['JKM-HH', 'lng_basis', '2027-03-31'],
  ] as const)('%s as of %s: contiguous months, quarters and Cals that build and reprice exactly', (curve, commodity, asOf) => {
    const quotes = normalizeFuelQuotes(demoFuelQuotes(curve, asOf))
    // Every delivery month from the month after asOf is quoted exactly once, for four years or more.
    const months = quotes.flatMap((q) => monthRange(q.contract.first, q.contract.last))
    expect(new Set(months).size).toBe(months.length)
    expect(months.length).toBeGreaterThanOrEqual(48)
    const build = buildFuelCurve({ curve, commodity, asOf, quotes })
    for (const q of build.quotes) expect(Math.abs(q.error), q.code).toBeLessThan(1e-9)
    expect(demoFuelQuotes(curve, asOf)).toEqual(demoFuelQuotes(curve, asOf))
  })

  it('Henry Hub prices winter above summer; JKM-HH stays a positive basis', () => {
    const hh = demoFuelQuotes('HENRY_HUB', '2026-12-04')
    expect(hh.find((q) => q.contract === '2027-01')!.price).toBeGreaterThan(hh.find((q) => q.contract === '2027-05')!.price)
    expect(demoFuelQuotes('JKM-HH', '2026-12-04').every((q) => q.price > 0)).toBe(true)
  })
})
