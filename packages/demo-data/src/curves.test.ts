import { addMonths, buildCurve, normalizeQuotes, repriceQuote } from '@carbon/curves'
import { describe, expect, it } from 'vitest'
import { DEMO_CURVE_HUBS, demoAsOfDates, demoContracts, demoQuotes, type DemoCurveHub } from './curves.ts'
import { expectedMonthlyPrice } from './expectation.ts'
import { DEFAULT_DEMO_SEED } from './generate.ts'
import { sampledMonthlyPrice } from './testing.ts'

const hubOf = (node: string): DemoCurveHub => DEMO_CURVE_HUBS.find((h) => h.node === node)!

function monthQuote(hub: DemoCurveHub, asOf: string, month: string, block: 'onpeak' | 'offpeak'): number {
  return demoQuotes(hub, asOf).find((q) => q.contract === month && q.block === block)!.price
}

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

  it('quotes the near months within 5 % of what the generator printed on average over twelve seeds other than the demo seed', () => {
    const seeds = Array.from({ length: 12 }, (_, i) => 9001 + i)
    expect(seeds).not.toContain(DEFAULT_DEMO_SEED)
    const cases = [
      [hubOf('INDIANA.HUB'), '2026-10-30', '2026-11'],
      [hubOf('TH_NP15_GEN-APND'), '2026-11-25', '2027-07'],
    ] as const
    for (const [hub, asOf, month] of cases) {
      const sampled = sampledMonthlyPrice(hub.market, hub.node, month, seeds)
      for (const block of ['onpeak', 'offpeak'] as const) {
        const quote = monthQuote(hub, asOf, month, block)
        expect(Math.abs(quote / sampled[block] - 1), `${hub.node} ${month} ${block}: quote ${quote}, sampled ${sampled[block]}`).toBeLessThan(0.05)
      }
    }
  })

  it('prices months 1..12 at the expected price times drift, premium and noise (within -3 %..+4 %), every hub and date', () => {
    for (const hub of DEMO_CURVE_HUBS) {
      for (const asOf of demoAsOfDates(new Date('2026-11-26T10:00:00Z'))) {
        const quotes = demoQuotes(hub, asOf)
        for (let k = 1; k <= 12; k++) {
          const month = addMonths(asOf.slice(0, 7), k)
          const expected = expectedMonthlyPrice(hub.market, hub.node, month)
          for (const block of ['onpeak', 'offpeak'] as const) {
            const quote = quotes.find((q) => q.contract === month && q.block === block)!.price
            // drift +-2 %, premium 0..+1 %, noise +-0.75 %: a factor in [0.9727, 1.0379], and cents.
            const ratio = quote / expected[block]
            expect(ratio, `${hub.node} ${asOf} ${month} ${block}`).toBeGreaterThan(0.97)
            expect(ratio, `${hub.node} ${asOf} ${month} ${block}`).toBeLessThan(1.04)
          }
        }
      }
    }
  })

  it('continues the near year into the long end without a break: a month a year later is its near-year twin escalated, within 2.5 %', () => {
    for (const hub of DEMO_CURVE_HUBS) {
      const quotes = demoQuotes(hub, '2026-11-25')
      for (let k = 1; k <= 6; k++) {
        const month = addMonths('2026-11', k)
        for (const block of ['onpeak', 'offpeak'] as const) {
          const near = quotes.find((q) => q.contract === month && q.block === block)!.price
          const later = quotes.find((q) => q.contract === addMonths(month, 12) && q.block === block)!.price
          // Escalation 2.5 %/year from month 12; apart from it: the front premium's fade (< 1 %) and the two months' noise (+-0.75 % each).
          expect(Math.abs(later / near - 1.025 ** (k / 12)), `${hub.node} ${month} ${block}`).toBeLessThan(0.025)
        }
      }
    }
  })
})
