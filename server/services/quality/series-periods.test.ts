import { describe, expect, it } from 'vitest'
import { SERIES_WINDOW_PERIODS, SERIES_WINDOW_SPAN_MS, enteredPeriods, expectedPeriods, gapRuns, presenceOf } from './series-periods.ts'

const at = (iso: string) => Date.parse(iso)
const isos = (ms: number[]) => ms.map((t) => new Date(t).toISOString())

describe('expected periods of a series window', () => {
  it('daily: weekdays only, from the first stored day, at most the window', () => {
    // Friday 2026-11-27 back to Wednesday 2026-11-18: the weekend of 11-21/22 is not expected.
    expect(isos(expectedPeriods('day', at('2026-11-18T00:00:00Z'), at('2026-11-27T00:00:00Z')))).toEqual([
      '2026-11-18T00:00:00.000Z',
      '2026-11-19T00:00:00.000Z',
      '2026-11-20T00:00:00.000Z',
      '2026-11-23T00:00:00.000Z',
      '2026-11-24T00:00:00.000Z',
      '2026-11-25T00:00:00.000Z',
      '2026-11-26T00:00:00.000Z',
      '2026-11-27T00:00:00.000Z',
    ])
    // A long history: the last 92 weekdays only.
    const window = expectedPeriods('day', at('2020-01-01T00:00:00Z'), at('2026-11-27T00:00:00Z'))
    expect(window).toHaveLength(92)
    expect(window.at(-1)).toBe(at('2026-11-27T00:00:00Z'))
  })

  it("weekly: the series' own 7-day grid back from its newest week", () => {
    // LNG weeks start on Thursdays (the week ends the Wednesday after).
    expect(isos(expectedPeriods('week', at('2026-08-27T00:00:00Z'), at('2026-09-17T00:00:00Z')))).toEqual([
      '2026-08-27T00:00:00.000Z',
      '2026-09-03T00:00:00.000Z',
      '2026-09-10T00:00:00.000Z',
      '2026-09-17T00:00:00.000Z',
    ])
    expect(expectedPeriods('week', at('2000-01-06T00:00:00Z'), at('2026-09-17T00:00:00Z'))).toHaveLength(26)
  })

  it('monthly: calendar months; hourly: every hour', () => {
    expect(isos(expectedPeriods('month', at('2025-11-01T00:00:00Z'), at('2026-02-01T00:00:00Z')))).toEqual([
      '2025-11-01T00:00:00.000Z',
      '2025-12-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ])
    expect(expectedPeriods('month', at('1997-01-01T00:00:00Z'), at('2026-07-01T00:00:00Z'))).toHaveLength(24)
    expect(expectedPeriods('hour', at('2023-01-01T01:00:00Z'), at('2023-01-01T04:00:00Z'))).toHaveLength(4)
    expect(expectedPeriods('hour', at('2023-01-01T00:00:00Z'), at('2023-01-09T00:00:00Z'))).toHaveLength(168)
  })
})

describe('gaps and presence', () => {
  it('groups missing periods into runs; a Friday and the Monday after are one run with their dates', () => {
    const expected = expectedPeriods('day', at('2026-11-18T00:00:00Z'), at('2026-11-27T00:00:00Z'))
    const present = new Set(expected.filter((t) => ![at('2026-11-20T00:00:00Z'), at('2026-11-23T00:00:00Z'), at('2026-11-26T00:00:00Z')].includes(t)))
    expect(gapRuns('day', expected, present)).toEqual([
      { from: at('2026-11-20T00:00:00Z'), to: at('2026-11-23T00:00:00Z'), periods: 2, dates: ['2026-11-20', '2026-11-23'] },
      { from: at('2026-11-26T00:00:00Z'), to: at('2026-11-26T00:00:00Z'), periods: 1, dates: ['2026-11-26'] },
    ])
    expect(presenceOf(expected, present)).toBe('11001101')
  })

  it('names no dates for other frequencies, and finds no gap in a whole window', () => {
    const expected = expectedPeriods('hour', at('2023-01-01T00:00:00Z'), at('2023-01-01T05:00:00Z'))
    expect(gapRuns('hour', expected, new Set(expected))).toEqual([])
    expect(gapRuns('hour', expected, new Set(expected.slice(0, 4)))).toEqual([{ from: at('2023-01-01T04:00:00Z'), to: at('2023-01-01T05:00:00Z'), periods: 2, dates: null }])
  })
})

describe("the span a series' window is read over", () => {
  it('covers every expected period of a full window, whatever day the newest period falls on', () => {
    // The query reads `newest - SERIES_WINDOW_SPAN_MS[frequency]` on; a window reaching further
    // back would count its oldest periods missing though they are stored.
    const newest = [...Array(14).keys()].map((d) => at('2026-11-16T00:00:00Z') + d * 86_400_000)
    for (const frequency of ['hour', 'day', 'week'] as const) {
      for (const last of newest) {
        const window = expectedPeriods(frequency, 0, last)
        expect(window, `${frequency} ending ${new Date(last).toISOString()}`).toHaveLength(SERIES_WINDOW_PERIODS[frequency])
        expect(last - window[0]!, `${frequency} ending ${new Date(last).toISOString()}`).toBeLessThanOrEqual(SERIES_WINDOW_SPAN_MS[frequency])
      }
    }
    for (let m = 0; m < 12; m++) {
      const last = Date.UTC(2026, m, 1)
      const window = expectedPeriods('month', 0, last)
      expect(last - window[0]!).toBeLessThanOrEqual(SERIES_WINDOW_SPAN_MS.month)
    }
    // 92 weekdays ending on a Monday reach back 129 days: far more than 92 calendar days.
    expect(at('2026-11-30T00:00:00Z') - expectedPeriods('day', 0, at('2026-11-30T00:00:00Z'))[0]!).toBe(129 * 86_400_000)
  })
})

describe('entered series (REC quotes)', () => {
  it('expect the periods they hold in the window: no weekday calendar, no gap', () => {
    const quotes = [at('2026-09-01T00:00:00Z'), at('2026-09-15T00:00:00Z'), at('2026-10-01T00:00:00Z')]
    const expected = enteredPeriods('day', quotes, at('2026-10-01T00:00:00Z'))
    expect(isos(expected)).toEqual(['2026-09-01T00:00:00.000Z', '2026-09-15T00:00:00.000Z', '2026-10-01T00:00:00.000Z'])
    expect(gapRuns('day', expected, new Set(quotes))).toEqual([])
    expect(presenceOf(expected, new Set(quotes))).toBe('111')
  })

  it('keep to the span of their frequency and to its number of periods, the newest ones', () => {
    // A quote from the year before is outside the daily span; a weekend quote counts like any other.
    const quotes = [at('2025-10-01T00:00:00Z'), at('2026-09-05T00:00:00Z'), at('2026-10-01T00:00:00Z')]
    expect(isos(enteredPeriods('day', quotes, at('2026-10-01T00:00:00Z')))).toEqual(['2026-09-05T00:00:00.000Z', '2026-10-01T00:00:00.000Z'])
    const daily = [...Array(120).keys()].map((d) => at('2026-06-01T00:00:00Z') + d * 86_400_000)
    const window = enteredPeriods('day', daily, daily.at(-1)!)
    expect(window).toHaveLength(SERIES_WINDOW_PERIODS.day)
    expect(window.at(-1)).toBe(daily.at(-1))
  })
})
