import { describe, expect, it } from 'vitest'
import {
  caisoPublishedUntil,
  DEFAULT_SCHEDULE,
  misoCurrentInterval,
  misoLatestRt5,
  misoReportAvailable,
  misoReportPublishedAt,
} from './schedule.ts'
import { oasisParam, pacificDayOf, pacificDayStart, parseOasisTime } from './time.ts'

const at = (iso: string) => Date.parse(iso)
const D = { y: 2026, m: 7, d: 14 }

describe('publication schedule (defaults)', () => {
  it('MISO reports: DA D-1 14:00 EST, prelim D+1 06:00 EST, final D+6 06:00 EST', () => {
    expect(new Date(misoReportPublishedAt(DEFAULT_SCHEDULE, 'da_expost_lmp', D)).toISOString()).toBe('2026-07-13T19:00:00.000Z')
    expect(new Date(misoReportPublishedAt(DEFAULT_SCHEDULE, 'rt_lmp_prelim', D)).toISOString()).toBe('2026-07-15T11:00:00.000Z')
    expect(new Date(misoReportPublishedAt(DEFAULT_SCHEDULE, 'rt_lmp_final', D)).toISOString()).toBe('2026-07-20T11:00:00.000Z')
    const available = (report: 'da_expost_lmp' | 'rt_lmp_prelim' | 'rt_lmp_final', iso: string) =>
      misoReportAvailable(DEFAULT_SCHEDULE, report, D, at(iso))
    expect(available('da_expost_lmp', '2026-07-13T18:59:59Z')).toBe(false)
    expect(available('da_expost_lmp', '2026-07-13T19:00:00Z')).toBe(true)
    expect(available('rt_lmp_prelim', '2026-07-15T10:59:00Z')).toBe(false)
    expect(available('rt_lmp_prelim', '2026-07-15T11:00:00Z')).toBe(true)
    // The preliminary file disappears when the final one comes.
    expect(available('rt_lmp_prelim', '2026-07-20T11:00:00Z')).toBe(false)
    expect(available('rt_lmp_final', '2026-07-20T11:00:00Z')).toBe(true)
    expect(misoReportAvailable({ ...DEFAULT_SCHEDULE, misoPrelimRemovedWithFinal: false }, 'rt_lmp_prelim', D, at('2026-08-01T00:00:00Z'))).toBe(true)
  })

  it('MISO five-minute: Current is the latest complete interval, ex ante the one in progress', () => {
    expect(new Date(misoLatestRt5(DEFAULT_SCHEDULE, at('2026-10-02T21:57:30Z'))).toISOString()).toBe('2026-10-02T21:50:00.000Z')
    expect(new Date(misoLatestRt5(DEFAULT_SCHEDULE, at('2026-10-02T21:55:00Z'))).toISOString()).toBe('2026-10-02T21:50:00.000Z')
    expect(new Date(misoLatestRt5({ ...DEFAULT_SCHEDULE, misoRt5Delay: 60_000 }, at('2026-10-02T21:55:30Z'))).toISOString()).toBe(
      '2026-10-02T21:45:00.000Z'
    )
    expect(new Date(misoCurrentInterval(at('2026-10-02T21:52:00Z'))).toISOString()).toBe('2026-10-02T21:50:00.000Z')
  })

  it('CAISO: DAM of D from D-1 13:00 Pacific; RTPD at interval start; RTM at interval end', () => {
    const dam = (iso: string) => new Date(caisoPublishedUntil(DEFAULT_SCHEDULE, 'DA', at(iso))).toISOString()
    // 2026-07-13 12:59 PDT: only trade dates up to 07-13; at 13:00 PDT 07-14 is out.
    expect(dam('2026-07-13T19:59:00Z')).toBe('2026-07-14T07:00:00.000Z')
    expect(dam('2026-07-13T20:00:00Z')).toBe('2026-07-15T07:00:00.000Z')
    const rtm = caisoPublishedUntil(DEFAULT_SCHEDULE, 'RT5', at('2026-07-14T18:10:00Z'))
    expect(at('2026-07-14T18:05:00Z') < rtm && at('2026-07-14T18:10:00Z') >= rtm).toBe(true)
    const rtpd = caisoPublishedUntil(DEFAULT_SCHEDULE, 'RT15', at('2026-07-14T18:15:00Z'))
    expect(at('2026-07-14T18:15:00Z') < rtpd && at('2026-07-14T18:30:00Z') >= rtpd).toBe(true)
  })
})

describe('time', () => {
  it('finds Pacific midnight across daylight saving changes', () => {
    expect(new Date(pacificDayStart({ y: 2026, m: 3, d: 8 })).toISOString()).toBe('2026-03-08T08:00:00.000Z')
    expect(new Date(pacificDayStart({ y: 2026, m: 3, d: 9 })).toISOString()).toBe('2026-03-09T07:00:00.000Z')
    expect(new Date(pacificDayStart({ y: 2026, m: 11, d: 1 })).toISOString()).toBe('2026-11-01T07:00:00.000Z')
    expect(new Date(pacificDayStart({ y: 2026, m: 11, d: 2 })).toISOString()).toBe('2026-11-02T08:00:00.000Z')
    expect(pacificDayOf(at('2026-11-02T07:59:00Z'))).toEqual({ y: 2026, m: 11, d: 1 })
  })

  it('reads and writes OASIS request times', () => {
    expect(parseOasisTime('20260714T07:00-0000')).toBe(at('2026-07-14T07:00:00Z'))
    expect(parseOasisTime('20260714T00:00-0700')).toBe(at('2026-07-14T07:00:00Z'))
    expect(parseOasisTime('20260231T00:00-0000')).toBeNull()
    expect(parseOasisTime('2026-07-14T07:00Z')).toBeNull()
    expect(oasisParam(at('2026-07-14T07:05:00Z'))).toBe('20260714T07:05-0000')
  })
})
