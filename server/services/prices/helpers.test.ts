import type { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { RowBinaryWriter } from '../../adapters/clickhouse/row-binary.ts'
import { MAX_HISTORY_POINTS } from './schemas.ts'
import {
  keepLastPerKey,
  localDate,
  maxHistoryBuckets,
  msToIso,
  PRICE_COLUMNS,
  toClickHouseTime,
  toNumberOrNull,
  writePriceRow,
} from './helpers.ts'

const record: PriceRecord = {
  market: 'MISO',
  node: 'ILLINOIS.HUB',
  run: 'RT5',
  intervalStart: '2026-06-10T14:05:00Z',
  intervalEnd: '2026-06-10T14:10:00Z',
  lmp: 31.25,
  energy: 30,
  congestion: 0.75,
  loss: 0.5,
  ghg: null,
  source: 'miso:rt5',
  publishedAt: '2026-06-10T14:11:30.123456Z',
}

describe('toClickHouseTime', () => {
  it('writes UTC DateTime64(3) text from ISO strings with any offset and from Dates', () => {
    expect(toClickHouseTime('2026-06-10T14:05:00Z')).toBe('2026-06-10 14:05:00.000')
    expect(toClickHouseTime('2026-06-10T09:05:00-05:00')).toBe('2026-06-10 14:05:00.000')
    expect(toClickHouseTime('2026-06-10T14:05:00.987654Z')).toBe('2026-06-10 14:05:00.987')
    expect(toClickHouseTime('2026-06-10T14:05:00.5Z')).toBe('2026-06-10 14:05:00.500')
    expect(toClickHouseTime(new Date(Date.UTC(2026, 0, 1)))).toBe('2026-01-01 00:00:00.000')
  })

  it('refuses what is not a timestamp', () => {
    expect(() => toClickHouseTime('yesterday')).toThrow(RangeError)
  })
})

describe('msToIso / toNumberOrNull', () => {
  it('accept numbers (chDB) and quoted 64-bit integers (HTTP)', () => {
    expect(msToIso(1781100300000)).toBe('2026-06-10T14:05:00.000Z')
    expect(msToIso('1781100300000')).toBe('2026-06-10T14:05:00.000Z')
    expect(toNumberOrNull('42')).toBe(42)
    expect(toNumberOrNull(null)).toBeNull()
  })
})

/** A RowBinary row of PRICE_COLUMNS read back, times as milliseconds since the epoch. */
function readPriceRow(bytes: Buffer): Record<(typeof PRICE_COLUMNS)[number], string | number | null> {
  let at = 0
  const text = () => {
    const length = bytes[at++]!
    return bytes.toString('utf8', at, (at += length))
  }
  const int64 = () => Number(bytes.readBigInt64LE((at += 8) - 8))
  const float = () => bytes.readDoubleLE((at += 8) - 8)
  const nullable = <T,>(read: () => T) => (bytes[at++] === 1 ? null : read())
  const row = {
    market: text(),
    node: text(),
    run: text(),
    interval_start: int64(),
    interval_end: int64(),
    interval_minutes: bytes.readUInt16LE((at += 2) - 2),
    lmp: float(),
    energy: nullable(float),
    congestion: nullable(float),
    loss: nullable(float),
    ghg: nullable(float),
    source: text(),
    published_at: nullable(int64),
  }
  expect(at).toBe(bytes.length)
  return row
}

const written = (r: PriceRecord) => {
  const writer = new RowBinaryWriter()
  writePriceRow(writer, r)
  return writer.bytes()
}

describe('writePriceRow', () => {
  it('writes a record as the table columns, in PRICE_COLUMNS order, with its interval length', () => {
    const row = readPriceRow(written(record))
    expect(Object.keys(row)).toEqual([...PRICE_COLUMNS])
    expect(row).toEqual({
      market: 'MISO',
      node: 'ILLINOIS.HUB',
      run: 'RT5',
      interval_start: Date.parse('2026-06-10T14:05:00.000Z'),
      interval_end: Date.parse('2026-06-10T14:10:00.000Z'),
      interval_minutes: 5,
      lmp: 31.25,
      energy: 30,
      congestion: 0.75,
      loss: 0.5,
      ghg: null,
      source: 'miso:rt5',
      published_at: Date.parse('2026-06-10T14:11:30.123Z'),
    })
    expect(readPriceRow(written({ ...record, publishedAt: null })).published_at).toBeNull()
  })

  it('refuses an interval that does not end after it starts, or is too long for UInt16 minutes', () => {
    expect(() => written({ ...record, intervalEnd: record.intervalStart })).toThrow(RangeError)
    expect(() => written({ ...record, intervalEnd: '2026-06-10T14:00:00Z' })).toThrow(RangeError)
    expect(() => written({ ...record, intervalEnd: '2026-09-10T14:00:00Z' })).toThrow(RangeError)
  })
})

describe('keepLastPerKey', () => {
  it('keeps the last copy of each interval in first-seen order', () => {
    const b = { ...record, intervalStart: '2026-06-10T14:10:00Z', intervalEnd: '2026-06-10T14:15:00Z' }
    const a2 = { ...record, lmp: 99 }
    const otherRun = { ...record, run: 'DA' as const }
    expect(keepLastPerKey([record, b, a2, otherRun])).toEqual([a2, b, otherRun])
  })

  it('knows one instant written two ways as one interval', () => {
    const sameStart = { ...record, intervalStart: record.intervalStart.replace('Z', '.000Z'), lmp: 99 }
    expect(keepLastPerKey([record, sameStart])).toEqual([sameStart])
  })
})

describe('localDate', () => {
  it('gives the calendar date in the zone', () => {
    expect(localDate(new Date('2026-06-11T04:59:00Z'), 'Etc/GMT+5')).toBe('2026-06-10')
    expect(localDate(new Date('2026-06-11T05:00:00Z'), 'Etc/GMT+5')).toBe('2026-06-11')
    expect(localDate(new Date('2026-03-08T07:59:00Z'), 'America/Los_Angeles')).toBe('2026-03-07')
  })
})

describe('maxHistoryBuckets', () => {
  const d = (s: string) => new Date(s)
  it('counts run intervals for raw', () => {
    expect(maxHistoryBuckets('raw', 'RT5', d('2026-06-10T00:00:00Z'), d('2026-06-11T00:00:00Z'), 'UTC')).toBe(288)
    expect(maxHistoryBuckets('raw', 'DA', d('2026-06-10T00:00:00Z'), d('2026-06-10T00:30:00Z'), 'UTC')).toBe(1)
  })

  it('lets a (leap) year of 5-minute intervals through and refuses two', () => {
    const year = maxHistoryBuckets('raw', 'RT5', d('2028-01-01T00:00:00Z'), d('2029-01-01T00:00:00Z'), 'UTC')
    expect(year).toBe(366 * 288)
    expect(year).toBeLessThanOrEqual(MAX_HISTORY_POINTS)
    expect(maxHistoryBuckets('raw', 'RT5', d('2026-01-01T00:00:00Z'), d('2028-01-01T00:00:00Z'), 'UTC')).toBeGreaterThan(
      MAX_HISTORY_POINTS,
    )
  })

  it('counts the UTC hours touched for hourly', () => {
    expect(maxHistoryBuckets('hourly', 'RT5', d('2026-06-10T00:00:00Z'), d('2026-06-10T02:00:00Z'), 'UTC')).toBe(2)
    expect(maxHistoryBuckets('hourly', 'RT5', d('2026-06-10T00:30:00Z'), d('2026-06-10T02:10:00Z'), 'UTC')).toBe(3)
  })

  it('counts the local days touched for daily, DST days included', () => {
    const la = 'America/Los_Angeles'
    expect(maxHistoryBuckets('daily', 'DA', d('2026-03-08T08:00:00Z'), d('2026-03-09T07:00:00Z'), la)).toBe(1)
    expect(maxHistoryBuckets('daily', 'DA', d('2026-03-08T08:00:00Z'), d('2026-03-09T08:00:00Z'), la)).toBe(2)
    expect(maxHistoryBuckets('daily', 'DA', d('2026-11-01T07:00:00Z'), d('2026-11-02T08:00:00Z'), la)).toBe(1)
    expect(maxHistoryBuckets('daily', 'DA', d('2026-01-01T05:00:00Z'), d('2027-01-01T05:00:00Z'), 'Etc/GMT+5')).toBe(365)
  })

  it('is 0 for an empty or reversed range', () => {
    expect(maxHistoryBuckets('hourly', 'DA', d('2026-06-10T00:00:00Z'), d('2026-06-10T00:00:00Z'), 'UTC')).toBe(0)
  })
})
