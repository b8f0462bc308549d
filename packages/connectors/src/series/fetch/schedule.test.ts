import { describe, expect, it } from 'vitest'
import { isoWeekday, latestRelease, PACIFIC, EASTERN, type WeeklyRelease } from './schedule.ts'
import { iso, ms } from './test-helpers.ts'

const THURSDAY_1030_ET: WeeklyRelease = { weekday: 4, hour: 10, minute: 30, timeZone: EASTERN }

describe('latestRelease', () => {
  it('is the release at or before now, on the publisher clock (EDT: 14:30Z)', () => {
    expect(latestRelease(ms('2026-09-24T14:30:00Z'), THURSDAY_1030_ET)).toEqual({ at: ms('2026-09-24T14:30:00Z'), date: '2026-09-24' })
    expect(latestRelease(ms('2026-09-24T14:29:59Z'), THURSDAY_1030_ET)).toEqual({ at: ms('2026-09-17T14:30:00Z'), date: '2026-09-17' })
    expect(latestRelease(ms('2026-09-30T23:00:00Z'), THURSDAY_1030_ET).date).toBe('2026-09-24')
  })

  it('follows the clock change (EST: 15:30Z), and a date that is still the day before on the publisher clock', () => {
    expect(iso(latestRelease(ms('2026-12-03T15:30:00Z'), THURSDAY_1030_ET).at)).toBe('2026-12-03T15:30:00.000Z')
    expect(latestRelease(ms('2026-12-03T15:29:00Z'), THURSDAY_1030_ET).date).toBe('2026-11-26')
    // Friday 02:00Z is still Thursday evening in New York.
    expect(latestRelease(ms('2026-12-04T02:00:00Z'), THURSDAY_1030_ET).date).toBe('2026-12-03')
    const friday: WeeklyRelease = { weekday: 5, hour: 12, minute: 0, timeZone: PACIFIC }
    expect(iso(latestRelease(ms('2020-05-29T19:00:00Z'), friday).at)).toBe('2020-05-29T19:00:00.000Z')
    expect(latestRelease(ms('2020-05-29T18:59:59Z'), friday).date).toBe('2020-05-22')
  })

  it('isoWeekday counts Monday as 1 and Sunday as 7', () => {
    expect(['2026-12-07', '2026-12-09', '2026-12-13'].map(isoWeekday)).toEqual([1, 3, 7])
  })
})
