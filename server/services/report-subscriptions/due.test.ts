import { describe, expect, it } from 'vitest'
import { candidateReportDates, dueReportDates } from './due.ts'

const MISO = 'Etc/GMT+5'

describe('candidateReportDates', () => {
  const createdAt = new Date('2026-07-01T12:00:00Z')
  it.each([
    // [now, lastReportDate, expected]
    ['2026-07-15T04:59:00Z', null, ['2026-07-11', '2026-07-12', '2026-07-13']], // 14 July not ended in EST yet (23:59 on the 14th is 04:59Z on the 15th)
    ['2026-07-15T05:00:00Z', null, ['2026-07-12', '2026-07-13', '2026-07-14']], // ended: capped to the 3 latest
    ['2026-07-15T05:00:00Z', '2026-07-13', ['2026-07-14']],
    ['2026-07-15T05:00:00Z', '2026-07-14', []],
    ['2026-07-02T05:00:00Z', null, ['2026-07-01']], // never before the creation day
    ['2026-07-01T20:00:00Z', null, []],
  ])('at %s after %s: %j', (now, last, expected) => {
    expect(candidateReportDates({ now: new Date(now), timeZone: MISO, createdAt, lastReportDate: last })).toEqual(expected)
  })

  it('keeps only days whose next day has day-ahead prices', () => {
    expect(dueReportDates(['2026-07-12', '2026-07-13', '2026-07-14'], new Set(['2026-07-13', '2026-07-15']))).toEqual(['2026-07-12', '2026-07-14'])
    expect(dueReportDates(['2026-07-14'], new Set(['2026-07-14']))).toEqual([])
  })
})
