import { describe, expect, it } from 'vitest'
import { addLocalDays, formatInZone, startOfLocalDay, timeTicks, zoneLabel, zoneOffsetMinutes } from './time.ts'

describe('time', () => {
  it('formats in the market clock with a 24-hour clock', () => {
    const t = '2025-11-25T19:05:00Z'
    expect(formatInZone(t, 'Etc/GMT+5')).toBe('2025-11-25 14:05')
    expect(formatInZone(t, 'America/Los_Angeles', 'short')).toBe('Nov 25 11:05')
    expect(formatInZone(t, 'Etc/GMT+5', 'date')).toBe('2025-11-25')
    expect(formatInZone('2025-11-26T04:30:00Z', 'Etc/GMT+5', 'time')).toBe('23:30')
    expect(formatInZone('not a date', 'UTC')).toBe('—')
  })

  it('labels zones: EST for MISO fixed clock, PST/PDT for CAISO', () => {
    expect(zoneLabel('Etc/GMT+5')).toBe('EST')
    expect(zoneLabel('America/Los_Angeles', '2025-01-15T12:00:00Z')).toBe('PST')
    expect(zoneLabel('America/Los_Angeles', '2025-07-15T12:00:00Z')).toBe('PDT')
  })

  it('finds local midnight and steps local days across DST', () => {
    expect(zoneOffsetMinutes(new Date('2025-11-25T12:00:00Z'), 'Etc/GMT+5')).toBe(-300)
    expect(startOfLocalDay(new Date('2025-11-25T03:00:00Z'), 'Etc/GMT+5').toISOString()).toBe('2025-11-24T05:00:00.000Z')
    // 2025-03-09 is 23 hours long in Los Angeles, 2025-11-02 25 hours.
    const march9 = startOfLocalDay(new Date('2025-03-09T20:00:00Z'), 'America/Los_Angeles')
    expect(march9.toISOString()).toBe('2025-03-09T08:00:00.000Z')
    expect(addLocalDays(march9, 1, 'America/Los_Angeles').toISOString()).toBe('2025-03-10T07:00:00.000Z')
    const nov2 = startOfLocalDay(new Date('2025-11-02T20:00:00Z'), 'America/Los_Angeles')
    expect(addLocalDays(nov2, 1, 'America/Los_Angeles').getTime() - nov2.getTime()).toBe(25 * 3_600_000)
    expect(addLocalDays(nov2, -1, 'America/Los_Angeles').toISOString()).toBe('2025-11-01T07:00:00.000Z')
  })

  it('puts axis ticks on local midnights for long ranges and local hours for short ones', () => {
    const from = Date.parse('2025-11-18T19:00:00Z')
    const to = Date.parse('2025-11-25T19:00:00Z')
    const days = timeTicks(from, to, 'Etc/GMT+5')
    expect(days.map((t) => formatInZone(t, 'Etc/GMT+5', 'time'))).toEqual(Array(7).fill('00:00'))
    const hours = timeTicks(to - 24 * 3_600_000, to, 'Etc/GMT+5', 9)
    expect(hours.length).toBeLessThanOrEqual(9)
    expect(hours.every((t) => Number(formatInZone(t, 'Etc/GMT+5', 'time').slice(0, 2)) % 3 === 0)).toBe(true)
  })
})
