import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import { aesoWallMs, parseAesoPoolPrice } from './aeso.ts'

const FILE = 'aeso/aeso_poolprice_api_v1.1_20261101_DOCUMENTED_LAYOUT.json'
const sample = readFixture(FILE)

type Row = Record<string, unknown>
const rowsOf = (text: string) => (JSON.parse(text) as { return: { 'Pool Price Report': Row[] } }).return['Pool Price Report']
const answer = (rows: unknown) => JSON.stringify({ timestamp: '2026-03-09 07:00:00.000+0000', responseCode: '200', return: { 'Pool Price Report': rows } })
const hourly = (fromUtc: string, hours: number) => Array.from({ length: hours }, (_, i) => new Date(Date.parse(fromUtc) + i * 3_600_000).toISOString())

/** `YYYY-MM-DD HH:MM` of an instant in a zone (found with Intl, not the parser). */
function stamp(ms: number, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value])
  ) as Record<string, string>
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

describe('AESO Pool Price Report API (documented layout, 2026-11-01 MPT: fall-back day)', () => {
  const result = parseAesoPoolPrice(sample, FILE)

  it('reads 25 settled hours, the two MPT 01:00 told apart by UTC', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(25)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records.map((r) => r.intervalStart)).toEqual(hourly('2026-11-01T06:00:00Z', 25)) // 00:00 MDT ..
    expect(result.records.at(-1)?.intervalEnd).toBe('2026-11-02T07:00:00.000Z') // .. 24:00 MST
    expect(result.records[0]).toEqual({
      market: 'AESO',
      node: 'POOL',
      run: 'RTH',
      intervalStart: '2026-11-01T06:00:00.000Z',
      intervalEnd: '2026-11-01T07:00:00.000Z',
      lmp: 28.5,
      energy: null,
      congestion: null,
      loss: null,
      ghg: null,
      source: 'aeso.pool_price',
      publishedAt: null,
    })
    const rows = rowsOf(sample)
    expect([rows[1]?.begin_datetime_mpt, rows[2]?.begin_datetime_mpt]).toEqual(['2026-11-01 01:00', '2026-11-01 01:00'])
    expect(result.records[1]).toMatchObject({ intervalStart: '2026-11-01T07:00:00.000Z', lmp: 26.12 }) // 01:00 MDT
    expect(result.records[2]).toMatchObject({ intervalStart: '2026-11-01T08:00:00.000Z', lmp: 25.03 }) // 01:00 MST
    expect(result.records[17]).toMatchObject({ intervalStart: '2026-11-01T23:00:00.000Z', lmp: 142.66 })
  })

  it('reads the spring day (2026-03-08 MPT): 23 hours, no 02:00', () => {
    const start = Date.parse('2026-03-08T07:00:00Z') // 00:00 MST
    const rows = Array.from({ length: 23 }, (_, i) => ({
      begin_datetime_utc: stamp(start + i * 3_600_000, 'UTC'),
      begin_datetime_mpt: stamp(start + i * 3_600_000, 'America/Edmonton'),
      pool_price: (30 + i).toFixed(2),
      forecast_pool_price: (31 + i).toFixed(2),
      rolling_30day_avg: '55.10',
    }))
    expect(rows.map((r) => r.begin_datetime_mpt.slice(11, 13))).not.toContain('02')
    const result = parseAesoPoolPrice(answer(rows), 'spring.json')
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => r.intervalStart)).toEqual(hourly('2026-03-08T07:00:00Z', 23))
    expect(result.records[2]).toMatchObject({ intervalStart: '2026-03-08T09:00:00.000Z', lmp: 32 }) // 03:00 MDT
    expect(result.records.at(-1)?.intervalEnd).toBe('2026-03-09T06:00:00.000Z')
  })

  it('counts hours not settled yet as pending, reports an MPT that disagrees with UTC and bad rows, keeping the rest', () => {
    const rows: unknown[] = rowsOf(sample)
    ;(rows[0] as Row).begin_datetime_mpt = '2026-11-01 01:00' // is 06:00 UTC = 00:00 MDT
    ;(rows[3] as Row).begin_datetime_utc = '2026-11-01T09:00:00Z'
    ;(rows[4] as Row).pool_price = 'abc'
    ;(rows[5] as Row).begin_datetime_utc = '2026-11-01 11:30'
    ;(rows[5] as Row).begin_datetime_mpt = '2026-11-01 04:30'
    delete (rows[6] as Row).begin_datetime_mpt
    rows[7] = null
    ;(rows[23] as Row).pool_price = '' // forecast only
    ;(rows[24] as Row).pool_price = null // forecast only
    rows.push({ ...(rows[10] as Row) }) // the same hour again, same price: dropped
    rows.push({ ...(rows[10] as Row), pool_price: '1.00' })
    const parsed = parseAesoPoolPrice(answer(rows), FILE)
    expect(parsed.errors).toEqual([
      { file: FILE, line: 1, field: 'begin_datetime_mpt', value: '2026-11-01 01:00', reason: 'is not 2026-11-01 06:00 UTC in Alberta time (America/Edmonton)' },
      { file: FILE, line: 4, field: 'begin_datetime_utc', value: '2026-11-01T09:00:00Z', reason: 'not YYYY-MM-DD HH:MM' },
      { file: FILE, line: 5, field: 'pool_price', value: 'abc', reason: 'not a number' },
      { file: FILE, line: 6, field: 'begin_datetime_utc', value: '2026-11-01 11:30', reason: 'not the start of an hour' },
      { file: FILE, line: 7, field: 'begin_datetime_mpt', value: '', reason: 'missing' },
      { file: FILE, line: 8, field: 'Pool Price Report', value: 'null', reason: 'not an object' },
      {
        file: FILE,
        line: 27,
        field: 'begin_datetime_utc',
        value: '2026-11-01 16:00',
        reason: 'hour listed twice with another pool_price (line 11: 42.18 kept)',
      },
    ])
    expect(parsed.records).toHaveLength(25 - 8)
    expect(parsed.pending).toBe(2)
  })

  it('reads begin times strictly', () => {
    expect(aesoWallMs('2026-11-01 07:00')).toBe(Date.parse('2026-11-01T07:00:00Z'))
    expect(aesoWallMs('2026-11-01 07:00:00')).toBe(Date.parse('2026-11-01T07:00:00Z'))
    expect(aesoWallMs('2026-11-01 24:00')).toBeNull()
    expect(aesoWallMs('2026-11-01T07:00')).toBeNull()
  })

  it('throws on a changed envelope, a publisher error, no hours, HTML and empty bodies, naming the file', () => {
    const renamed = thrown(() => parseAesoPoolPrice(sample.replace('"Pool Price Report"', '"Pool Price"'), FILE))
    expect(renamed).toMatchObject({ file: FILE, line: 1, field: 'return', reason: 'expected {"return":{"Pool Price Report":[...]}}' })
    expect(renamed.message).toContain(FILE)
    expect(thrown(() => parseAesoPoolPrice('{"timestamp":"2026-11-02 07:10:12.345+0000","responseCode":"401","message":"Invalid API key"}', FILE))).toMatchObject({
      field: 'responseCode',
      value: '401',
      reason: 'publisher error 401: Invalid API key',
    })
    expect(thrown(() => parseAesoPoolPrice('{"return":{"Pool Price Report":{}}}', FILE))).toMatchObject({ field: 'return.Pool Price Report', reason: 'expected a list of hours' })
    expect(thrown(() => parseAesoPoolPrice(answer([]), FILE)).reason).toBe('no hours in the answer (no data for these dates)')
    expect(thrown(() => parseAesoPoolPrice('<html><head><title>503 Service Unavailable</title></head></html>', FILE)).reason).toMatch(/HTML page/)
    expect(thrown(() => parseAesoPoolPrice('', FILE))).toMatchObject({ file: FILE, reason: 'empty file' })
    expect(thrown(() => parseAesoPoolPrice(sample.slice(0, 200), FILE))).toMatchObject({ field: '(json)' })
  })
})
