import { MARKETS, type MarketId } from '@carbon/schemas'
import { isOnPeak, zonedParts } from '@carbon/schemas/calendar'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addMonths, compareMonths, LAST_CURVE_MONTH, monthFromIndex, monthHours, monthIndex, monthRange, monthsBetween } from './calendar.ts'
import { CurveInputError } from './errors.ts'

/** Every UTC hour of the year, bucketed by its month in the peak time zone, counted through isOnPeak. */
function bruteForceYear(market: MarketId, year: number): Map<string, { onpeak: number; atc: number }> {
  const tz = MARKETS[market].peakTimeZone
  const out = new Map<string, { onpeak: number; atc: number }>()
  for (let t = Date.UTC(year - 1, 11, 31); t < Date.UTC(year + 1, 0, 2); t += 3_600_000) {
    const parts = zonedParts(new Date(t), tz)
    if (Number(parts.year) !== year) continue
    const key = `${parts.year}-${parts.month}`
    const row = out.get(key) ?? { onpeak: 0, atc: 0 }
    row.atc++
    if (isOnPeak(market, new Date(t))) row.onpeak++
    out.set(key, row)
  }
  return out
}

describe('month arithmetic', () => {
  it('adds, compares, ranges', () => {
    expect(addMonths('2027-11', 3)).toBe('2028-02')
    expect(addMonths('2027-01', -1)).toBe('2026-12')
    expect(addMonths('2027-05', 0)).toBe('2027-05')
    expect(compareMonths('2027-01', '2026-12')).toBeGreaterThan(0)
    expect(compareMonths('2027-01', '2027-01')).toBe(0)
    expect(monthRange('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02'])
    expect(monthRange('2027-02', '2027-01')).toEqual([])
    expect(monthsBetween('2026-12', LAST_CURVE_MONTH)).toBe(24 * 12)
  })

  it('monthFromIndex inverts monthIndex and addMonths composes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000 * 12, max: 2100 * 12 }), fc.integer({ min: -500, max: 500 }), (i, k) => {
        const m = monthFromIndex(i)
        expect(monthIndex(m)).toBe(i)
        expect(addMonths(addMonths(m, k), -k)).toBe(m)
        expect(monthsBetween(m, addMonths(m, k))).toBe(k)
      }),
    )
  })

  it('rejects malformed months', () => {
    expect(() => monthIndex('2027-13')).toThrow(CurveInputError)
    expect(() => monthIndex('2027-1')).toThrow(/YYYY-MM/)
  })
})

describe('monthHours', () => {
  it('agrees with an hour-by-hour isOnPeak count (both markets, several years incl. leap and Saturday holidays)', () => {
    for (const market of ['MISO', 'CAISO'] as const) {
      for (const year of [2026, 2027, 2028, 2033]) {
        const brute = bruteForceYear(market, year)
        for (const month of monthRange(`${year}-01`, `${year}-12`)) {
          const expected = brute.get(month)!
          expect(monthHours(market, month), `${market} ${month}`).toEqual({
            onpeak: expected.onpeak,
            offpeak: expected.atc - expected.onpeak,
            atc: expected.atc,
          })
        }
      }
    }
  })

  // 2027-03-01 is a Monday. 31 days = 4 full weeks + Mon, Tue, Wed.
  // DST starts Sunday 2027-03-14 (second Sunday): a 23-hour day, the lost hour (02:00) is off-peak.
  it('MISO 2027-03 (DST start)', () => {
    // weekdays = 4 x 5 + 3 (Mon, Tue, Wed) = 23; no NERC holiday in March; on-peak = 23 x 16 = 368
    // all hours = 31 x 24 - 1 = 743; off-peak = 743 - 368 = 375
    expect(monthHours('MISO', '2027-03')).toEqual({ onpeak: 368, offpeak: 375, atc: 743 })
  })

  it('CAISO 2027-03 (DST start, Saturdays on-peak)', () => {
    // Mon-Sat days = 4 x 6 + 3 (Mon, Tue, Wed) = 27; on-peak = 27 x 16 = 432
    // all hours = 31 x 24 - 1 = 743; off-peak = 743 - 432 = 311
    expect(monthHours('CAISO', '2027-03')).toEqual({ onpeak: 432, offpeak: 311, atc: 743 })
  })

  it('MISO 2027-11 (DST end + Thanksgiving)', () => {
    // 2027-11-01 is a Monday. 30 days = 4 weeks + Mon, Tue: weekdays = 4 x 5 + 2 = 22.
    // Thanksgiving Thu 2027-11-25 is off-peak: 21 peak days, on-peak = 21 x 16 = 336.
    // DST ends Sunday 2027-11-07: a 25-hour day. All hours = 30 x 24 + 1 = 721; off-peak = 721 - 336 = 385.
    expect(monthHours('MISO', '2027-11')).toEqual({ onpeak: 336, offpeak: 385, atc: 721 })
  })

  it('MISO 2027-07 (Independence Day on a Sunday, observed Monday the 5th)', () => {
    // 2027-07-01 is a Thursday. 31 days = 4 weeks + Thu, Fri, Sat: weekdays = 4 x 5 + 2 (Thu, Fri) = 22.
    // 2027-07-04 is a Sunday; nercHolidays moves a Sunday holiday to Monday 2027-07-05: 21 peak days.
    // on-peak = 21 x 16 = 336; all hours = 31 x 24 = 744; off-peak = 744 - 336 = 408
    expect(monthHours('MISO', '2027-07')).toEqual({ onpeak: 336, offpeak: 408, atc: 744 })
  })

  it('CAISO 2027-12 (Christmas on a Saturday, not moved, and Saturday is a CAISO peak day)', () => {
    // 2027-12-01 is a Wednesday. 31 days = 4 weeks + Wed, Thu, Fri: Mon-Sat days = 4 x 6 + 3 = 27.
    // Christmas Sat 2027-12-25 stays on Saturday (NERC moves only Sundays) and is off-peak: 26 peak days.
    // on-peak = 26 x 16 = 416; all hours = 31 x 24 = 744; off-peak = 744 - 416 = 328
    expect(monthHours('CAISO', '2027-12')).toEqual({ onpeak: 416, offpeak: 328, atc: 744 })
  })

  it('February of the leap year 2028', () => {
    // 2028-02-01 is a Tuesday. 29 days = 4 weeks + Tue.
    // MISO: weekdays = 4 x 5 + 1 = 21, on-peak = 21 x 16 = 336; all hours = 29 x 24 = 696; off-peak = 360
    expect(monthHours('MISO', '2028-02')).toEqual({ onpeak: 336, offpeak: 360, atc: 696 })
    // CAISO: Mon-Sat days = 4 x 6 + 1 = 25, on-peak = 25 x 16 = 400; off-peak = 696 - 400 = 296
    expect(monthHours('CAISO', '2028-02')).toEqual({ onpeak: 400, offpeak: 296, atc: 696 })
  })
})
