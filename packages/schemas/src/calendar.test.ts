import { describe, expect, it } from 'vitest'
import { addDays, dateIn, dayStartUtc, isOnPeak, nercHolidays } from './calendar.ts'

describe('nercHolidays', () => {
  it('lists the six NERC holidays of 2026', () => {
    expect(nercHolidays(2026)).toEqual(['2026-01-01', '2026-05-25', '2026-07-04', '2026-09-07', '2026-11-26', '2026-12-25'])
  })

  it('moves a Sunday holiday to Monday and leaves a Saturday one', () => {
    // 2027-07-04 is a Sunday; 2026-07-04 is a Saturday.
    expect(nercHolidays(2027)).toContain('2027-07-05')
    expect(nercHolidays(2026)).toContain('2026-07-04')
    // 2022-12-25 was a Sunday.
    expect(nercHolidays(2022)).toContain('2022-12-26')
  })
})

describe('isOnPeak', () => {
  it('MISO: hours ending 8-23 Eastern prevailing time, Monday to Friday', () => {
    // Tuesday 2026-07-14. HE8 EDT starts 07:00 EDT = 11:00Z.
    expect(isOnPeak('MISO', new Date('2026-07-14T11:00:00Z'))).toBe(true)
    expect(isOnPeak('MISO', new Date('2026-07-14T10:55:00Z'))).toBe(false)
    // HE23 EDT starts 22:00 EDT = 02:00Z next day; HE24 (23:00 EDT) is off-peak.
    expect(isOnPeak('MISO', new Date('2026-07-15T02:00:00Z'))).toBe(true)
    expect(isOnPeak('MISO', new Date('2026-07-15T03:00:00Z'))).toBe(false)
    // Saturday 2026-07-18 noon.
    expect(isOnPeak('MISO', new Date('2026-07-18T16:00:00Z'))).toBe(false)
  })

  it('CAISO: hours ending 7-22 Pacific prevailing time, Monday to Saturday', () => {
    // Saturday 2026-07-18 HE7 PDT starts 06:00 PDT = 13:00Z.
    expect(isOnPeak('CAISO', new Date('2026-07-18T13:00:00Z'))).toBe(true)
    expect(isOnPeak('CAISO', new Date('2026-07-18T12:00:00Z'))).toBe(false)
    // Sunday.
    expect(isOnPeak('CAISO', new Date('2026-07-19T18:00:00Z'))).toBe(false)
    // Winter (PST): HE7 starts 06:00 PST = 14:00Z on Tuesday 2026-12-01.
    expect(isOnPeak('CAISO', new Date('2026-12-01T14:00:00Z'))).toBe(true)
    expect(isOnPeak('CAISO', new Date('2026-12-01T13:00:00Z'))).toBe(false)
  })

  it('NERC holidays are off-peak all day', () => {
    // Thanksgiving 2026-11-26, a Thursday, noon Pacific.
    expect(isOnPeak('CAISO', new Date('2026-11-26T20:00:00Z'))).toBe(false)
    expect(isOnPeak('CAISO', new Date('2026-11-25T20:00:00Z'))).toBe(true)
  })
})

const MISO = 'Etc/GMT+5'
const CAISO = 'America/Los_Angeles'

describe('market clock days (addDays, dateIn, dayStartUtc)', () => {
  it.each([
    ['2026-07-14', MISO, '2026-07-14T05:00:00.000Z'],
    ['2026-01-14', MISO, '2026-01-14T05:00:00.000Z'],
    ['2026-07-14', CAISO, '2026-07-14T07:00:00.000Z'],
    ['2026-01-14', CAISO, '2026-01-14T08:00:00.000Z'],
    // DST starts (2026-03-08) and ends (2026-11-01) in California: midnight is before the switch.
    ['2026-03-08', CAISO, '2026-03-08T08:00:00.000Z'],
    ['2026-03-09', CAISO, '2026-03-09T07:00:00.000Z'],
    ['2026-11-01', CAISO, '2026-11-01T07:00:00.000Z'],
    ['2026-11-02', CAISO, '2026-11-02T08:00:00.000Z'],
  ])('%s starts in %s at %s', (date, zone, utc) => {
    expect(dayStartUtc(date, zone).toISOString()).toBe(utc)
    expect(dateIn(new Date(utc), zone)).toBe(date)
    expect(dateIn(new Date(Date.parse(utc) - 1), zone)).toBe(addDays(date, -1))
  })

  it('moves dates across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29')
    expect(() => addDays('14/07/2026', 1)).toThrow('not a date')
  })
})
