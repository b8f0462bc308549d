import { buildCurve, normalizeQuotes, repriceQuote } from '@carbon/curves'
import { describe, expect, it } from 'vitest'
import { DEMO_CURVE_HUBS, demoAsOfDates, demoContracts, demoQuotes } from './curves.ts'

describe('demo forward quotes', () => {
  it('quote months for 18 months, then quarters through the third year after the as-of year, then Cal strips to ten years out', () => {
    const contracts = demoContracts('2026-11-25')
    expect(contracts.slice(0, 18)).toEqual([
      '2026-12', '2027-01', '2027-02', '2027-03', '2027-04', '2027-05', '2027-06', '2027-07', '2027-08',
      '2027-09', '2027-10', '2027-11', '2027-12', '2028-01', '2028-02', '2028-03', '2028-04', '2028-05',
    ])
    // 2028-06 completes Q2, so quarters start with 2028-Q3.
    expect(contracts[18]).toBe('2028-06')
    expect(contracts.slice(19, 25)).toEqual(['2028-Q3', '2028-Q4', '2029-Q1', '2029-Q2', '2029-Q3', '2029-Q4'])
    expect(contracts.slice(25)).toEqual(['Cal-2030', 'Cal-2031', 'Cal-2032', 'Cal-2033', 'Cal-2034', 'Cal-2035', 'Cal-2036'])
  })

  it('trade dates: the last weekday of the three previous months and the last weekday before the end', () => {
    expect(demoAsOfDates(new Date('2026-11-26T10:00:00Z'))).toEqual(['2026-08-31', '2026-09-30', '2026-10-30', '2026-11-25'])
    expect(demoAsOfDates(new Date('2026-11-30T10:00:00Z')).at(-1)).toBe('2026-11-27')
  })

  it('every demo set of every hub builds to 2050-12 and is repriced within 1e-9, on-peak above off-peak', () => {
    for (const hub of DEMO_CURVE_HUBS) {
      for (const asOf of demoAsOfDates(new Date('2026-11-26T10:00:00Z'))) {
        const quotes = normalizeQuotes(demoQuotes(hub, asOf))
        expect(quotes.length).toBeGreaterThan(60)
        const build = buildCurve({ market: hub.market, quotes, asOf })
        expect(build.lastMonth).toBe('2050-12')
        for (const quote of quotes) {
          expect(Math.abs(repriceQuote(build, quote) - quote.price), `${hub.node} ${asOf} ${quote.contract.code} ${quote.block}`).toBeLessThan(1e-9)
        }
        const calOn = quotes.find((q) => q.contract.code === 'Cal-2030' && q.block === 'onpeak')!
        const calOff = quotes.find((q) => q.contract.code === 'Cal-2030' && q.block === 'offpeak')!
        expect(calOn.price).toBeGreaterThan(calOff.price)
      }
    }
  })

  it('is deterministic: the same hub and date give the same quotes', () => {
    const hub = DEMO_CURVE_HUBS[0]!
    expect(demoQuotes(hub, '2026-10-30')).toEqual(demoQuotes(hub, '2026-10-30'))
    expect(demoQuotes(hub, '2026-10-30')).not.toEqual(demoQuotes(hub, '2026-09-30'))
  })
})
