import { monthHours } from '@carbon/curves'
import { zonedParts } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { expectedMonthlyPrice, ZoneOffsets } from './expectation.ts'
import { DEFAULT_DEMO_SEED } from './generate.ts'
import { sampledMonthlyPrice } from './testing.ts'

const OTHER_SEEDS = Array.from({ length: 12 }, (_, i) => 7001 + i)

describe('the generator expected day-ahead price', () => {
  it('is within 3 % of the mean of the real generator over twelve seeds other than the demo seed', () => {
    expect(OTHER_SEEDS).not.toContain(DEFAULT_DEMO_SEED)
    const cases = [
      ['MISO', 'INDIANA.HUB', '2026-11'],
      ['MISO', 'MINN.HUB', '2027-07'],
      ['CAISO', 'TH_SP15_GEN-APND', '2027-04'],
    ] as const
    for (const [market, node, month] of cases) {
      const expected = expectedMonthlyPrice(market, node, month)
      const sampled = sampledMonthlyPrice(market, node, month, OTHER_SEEDS)
      for (const block of ['onpeak', 'offpeak'] as const) {
        const error = Math.abs(expected[block] / sampled[block] - 1)
        expect(error, `${node} ${month} ${block}: expected ${expected[block]}, sampled ${sampled[block]}`).toBeLessThan(0.03)
      }
    }
  })

  it('averages over exactly the on-peak and off-peak hours of the month (NERC rule, DST and holiday months)', () => {
    for (const market of ['MISO', 'CAISO'] as const) {
      for (const month of ['2027-03', '2027-07', '2027-11', '2027-12']) {
        const { hours } = expectedMonthlyPrice(market, market === 'MISO' ? 'ILLINOIS.HUB' : 'TH_NP15_GEN-APND', month)
        const want = monthHours(market, month)
        expect(hours, `${market} ${month}`).toEqual({ onpeak: want.onpeak, offpeak: want.offpeak })
      }
    }
  })

  it('tells the hubs apart by their basis, and rejects a node the demo does not have', () => {
    const indiana = expectedMonthlyPrice('MISO', 'INDIANA.HUB', '2027-01')
    const minn = expectedMonthlyPrice('MISO', 'MINN.HUB', '2027-01')
    // MINN.HUB carries negative congestion (load -0.4, wind -1.0), INDIANA.HUB positive.
    expect(minn.offpeak).toBeLessThan(indiana.offpeak)
    expect(() => expectedMonthlyPrice('MISO', 'NOWHERE.HUB', '2027-01')).toThrow(/NOWHERE.HUB is not a demo node of MISO/)
  })

  it('zone offsets asked per week and day equal the offsets asked every hour, across both DST changes', () => {
    for (const timeZone of ['America/Chicago', 'America/Los_Angeles', 'America/New_York']) {
      const offsets = new ZoneOffsets(timeZone)
      for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2028, 0, 1); t += 3_600_000) {
        const p = zonedParts(new Date(t), timeZone)
        const exact = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour)) - t
        if (offsets.at(t + 1_800_000) !== exact) expect(offsets.at(t + 1_800_000), `${timeZone} ${new Date(t).toISOString()}`).toBe(exact)
      }
    }
  })
})
