import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { SOURCES } from '../sources.ts'
import { thrown } from '../test-helpers.ts'
import { misoDxTimeMs, parseMisoDx, readMisoDxPage } from './miso-dx.ts'

const DA_FILE = '20260714_dx_da_expost_lmp_p1.json'
const RT_FILE = '20260714_dx_rt_expost_lmp_5min_p2.json'

const daRecord = (he: number, node: string, lmp: unknown, mcc: unknown, mec: unknown, mlc: unknown) => ({
  interval: String(he),
  timeInterval: {
    resolution: 'hourly',
    start: `2026-07-14 ${String(he - 1).padStart(2, '0')}:00:00.000`,
    end: he === 24 ? '2026-07-15 00:00:00.000' : `2026-07-14 ${String(he).padStart(2, '0')}:00:00.000`,
    value: String(he),
  },
  node,
  lmp,
  mcc,
  mec,
  mlc,
})
const page = (data: unknown[], page: Partial<Record<string, unknown>> = {}) =>
  JSON.stringify({ data, page: { pageNumber: 1, pageSize: 1000, totalElements: data.length, totalPages: 1, lastPage: true, ...page } })

const DA_PAGE = page([
  daRecord(1, 'ALTW.WELLS1', 21.6, 0.02, 20.94, 0.64),
  daRecord(1, 'INDIANA.HUB', 24.3, -0.52, 20.94, 3.88),
  daRecord(24, 'ALTW.WELLS1', 30, 0, 29.5, 0.5),
])

const rtRecord = (start: string, end: string, node: string, lmp: unknown) => ({
  timeInterval: { resolution: '5min', start, end, value: start },
  preliminaryFinal: 'Preliminary',
  node,
  lmp,
  mcc: 1.25,
  mec: 30.1,
  mlc: -0.35,
})

describe('MISO Data Exchange LMP pages', () => {
  it('reads a day-ahead page into canonical records: naive EST times, mec as energy', () => {
    const result = parseMisoDx(DA_PAGE, DA_FILE, 'da_expost_lmp')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(3)
    for (const record of result.records) expect(PriceRecord.parse(record)).toEqual(record)
    expect(result.records[0]).toEqual({
      market: 'MISO',
      node: 'ALTW.WELLS1',
      run: 'DA',
      intervalStart: '2026-07-14T05:00:00.000Z',
      intervalEnd: '2026-07-14T06:00:00.000Z',
      lmp: 21.6,
      energy: 20.94,
      congestion: 0.02,
      loss: 0.64,
      ghg: null,
      source: 'miso.dx.da_expost_lmp',
      publishedAt: null,
    })
    // HE 24 ends at the next day's midnight EST
    expect(result.records[2]).toMatchObject({ intervalStart: '2026-07-15T04:00:00.000Z', intervalEnd: '2026-07-15T05:00:00.000Z' })
  })

  it('reads real-time 5-minute pages as RT5 and numeric strings as numbers', () => {
    const text = page([
      rtRecord('2026-07-14 16:50:00.000', '2026-07-14 16:55:00.000', 'MS.HUB', '31.00'),
      rtRecord('2026-07-14T16:55:00', '2026-07-14T17:00:00', 'MS.HUB', 31),
    ])
    const result = SOURCES['miso.dx.rt_expost_lmp_5min'].parse(text, RT_FILE)
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => [r.intervalStart, r.intervalEnd, r.run, r.source, r.lmp])).toEqual([
      ['2026-07-14T21:50:00.000Z', '2026-07-14T21:55:00.000Z', 'RT5', 'miso.dx.rt_expost_lmp_5min', 31],
      ['2026-07-14T21:55:00.000Z', '2026-07-14T22:00:00.000Z', 'RT5', 'miso.dx.rt_expost_lmp_5min', 31],
    ])
  })

  it('ignores daylight saving: MISO is EST (UTC-5) on every day of the year', () => {
    // Summer and winter alike are +5 h; 02:30 on the US spring-forward day (2026-03-08) does not
    // exist in Eastern prevailing time but is an ordinary EST hour; 01:30 on the fall-back day is not ambiguous.
    expect(misoDxTimeMs('2026-07-14 00:00:00.000')).toBe(Date.parse('2026-07-14T05:00:00Z'))
    expect(misoDxTimeMs('2026-01-14 00:00:00.000')).toBe(Date.parse('2026-01-14T05:00:00Z'))
    expect(misoDxTimeMs('2026-03-08 02:30:00.000')).toBe(Date.parse('2026-03-08T07:30:00Z'))
    expect(misoDxTimeMs('2026-11-01 01:30:00.000')).toBe(Date.parse('2026-11-01T06:30:00Z'))
    const springDay = page(
      Array.from({ length: 24 }, (_, h) => ({
        ...daRecord(h + 1, 'MINN.HUB', 20 + h, 0, 20 + h, 0),
        timeInterval: {
          resolution: 'hourly',
          start: `2026-03-08 ${String(h).padStart(2, '0')}:00:00.000`,
          end: h === 23 ? '2026-03-09 00:00:00.000' : `2026-03-08 ${String(h + 1).padStart(2, '0')}:00:00.000`,
        },
      }))
    )
    const result = parseMisoDx(springDay, DA_FILE, 'da_expost_lmp')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(24)
    expect(result.records.map((r) => Date.parse(r.intervalStart) - Date.parse('2026-03-08T05:00:00Z'))).toEqual(
      Array.from({ length: 24 }, (_, h) => h * 3_600_000)
    )
  })

  it('reads times with an explicit offset with that offset, and rejects impossible ones', () => {
    expect(misoDxTimeMs('2026-07-14T00:00:00-05:00')).toBe(Date.parse('2026-07-14T05:00:00Z'))
    expect(misoDxTimeMs('2026-07-14T00:00:00-04:00')).toBe(Date.parse('2026-07-14T04:00:00Z'))
    expect(misoDxTimeMs('2026-07-14T05:00:00Z')).toBe(Date.parse('2026-07-14T05:00:00Z'))
    expect(misoDxTimeMs('2026-07-14 24:00:00.000')).toBeNull()
    expect(misoDxTimeMs('2026-02-30 00:00:00.000')).toBeNull()
    expect(misoDxTimeMs('14-Jul-2026 00:00')).toBeNull()
  })

  it('reports bad records by their 1-based position in data and keeps the rest', () => {
    const data: unknown[] = [
      daRecord(1, 'ALTW.WELLS1', 21.6, 0.02, 20.94, 0.64),
      daRecord(2, 'ALTW.WELLS1', 'N/A', 0.02, 20.94, 0.64),
      daRecord(3, '', 21.6, 0.02, 20.94, 0.64),
      { ...daRecord(4, 'ALTW.WELLS1', 21.6, 0.02, 20.94, 0.64), timeInterval: { resolution: 'hourly', start: '07/14/2026 03:00', end: '' } },
      { ...daRecord(5, 'ALTW.WELLS1', 21.6, 0.02, 20.94, 0.64), mec: undefined },
      { ...daRecord(6, 'ALTW.WELLS1', 21.6, 0.02, 20.94, 0.64), timeInterval: { start: '2026-07-14 05:00:00.000', end: '2026-07-14 05:05:00.000' } },
      { ...daRecord(7, 'ALTW.WELLS1', 21.6, 0.02, 20.94, 0.64), timeInterval: { ...daRecord(7, 'X', 0, 0, 0, 0).timeInterval, resolution: '5min' } },
      'ALTW.WELLS1',
      daRecord(1, 'ALTW.WELLS1', 21.6, 0.02, 20.94, 0.64), // identical repeat: dropped silently
      daRecord(1, 'ALTW.WELLS1', 40, 0.02, 20.94, 0.64), // conflicting repeat
    ]
    const result = parseMisoDx(page(data), DA_FILE, 'da_expost_lmp')
    expect(result.errors).toEqual([
      { file: DA_FILE, line: 2, field: 'lmp', value: 'N/A', reason: 'not a number' },
      { file: DA_FILE, line: 3, field: 'node', value: '', reason: 'node name is empty' },
      { file: DA_FILE, line: 4, field: 'timeInterval.start', value: '07/14/2026 03:00', reason: 'not a YYYY-MM-DD HH:MM:SS.mmm time (EST)' },
      { file: DA_FILE, line: 5, field: 'mec', value: '', reason: 'missing' },
      { file: DA_FILE, line: 6, field: 'timeInterval.end', value: '2026-07-14 05:05:00.000', reason: 'interval is 5 minutes, expected 60' },
      { file: DA_FILE, line: 7, field: 'timeInterval.resolution', value: '5min', reason: 'expected "hourly"' },
      { file: DA_FILE, line: 8, field: 'data', value: 'ALTW.WELLS1', reason: 'record is not an object' },
      { file: DA_FILE, line: 10, field: 'node', value: 'ALTW.WELLS1', reason: expect.stringContaining('record 1 kept') },
    ])
    expect(result.records).toHaveLength(1)
    expect(result.records[0]?.lmp).toBe(21.6)
  })

  it('reads an empty last page as no records', () => {
    expect(parseMisoDx(page([], { totalElements: 0, totalPages: 0 }), DA_FILE, 'da_expost_lmp')).toEqual({ records: [], errors: [] })
  })

  it('throws on HTML, empty and broken bodies, gateway error documents and a changed envelope', () => {
    const html = '<!DOCTYPE html><html><head><title>503</title></head><body>Service Unavailable</body></html>'
    expect(thrown(() => parseMisoDx(html, DA_FILE, 'da_expost_lmp')).reason).toMatch(/HTML page/)
    expect(thrown(() => parseMisoDx('', DA_FILE, 'da_expost_lmp')).reason).toBe('empty file')
    expect(thrown(() => parseMisoDx('\n  ', DA_FILE, 'da_expost_lmp')).reason).toBe('empty file')
    expect(thrown(() => parseMisoDx(DA_PAGE.slice(0, 120), DA_FILE, 'da_expost_lmp'))).toMatchObject({ file: DA_FILE, field: '(json)' })
    const denied = '{"statusCode":401,"message":"Access denied due to missing subscription key."}'
    expect(thrown(() => parseMisoDx(denied, DA_FILE, 'da_expost_lmp'))).toMatchObject({
      field: 'data',
      reason: expect.stringContaining('Access denied'),
    })
    const renamedData = DA_PAGE.replace('"data":', '"items":')
    expect(thrown(() => parseMisoDx(renamedData, DA_FILE, 'da_expost_lmp'))).toMatchObject({ field: 'data' })
    const noPage = JSON.stringify({ data: [] })
    expect(thrown(() => parseMisoDx(noPage, DA_FILE, 'da_expost_lmp'))).toMatchObject({ field: 'page' })
    const badCount = page([], { totalPages: '3' })
    expect(thrown(() => parseMisoDx(badCount, DA_FILE, 'da_expost_lmp'))).toMatchObject({ field: 'page.totalPages', value: '3' })
    const badLast = page([], { lastPage: 'yes' })
    expect(thrown(() => parseMisoDx(badLast, DA_FILE, 'da_expost_lmp'))).toMatchObject({ field: 'page.lastPage' })
    // A field renamed in every record is a format change, not a page of bad rows.
    const renamedField = DA_PAGE.replaceAll('"mcc":', '"congestion":')
    expect(thrown(() => parseMisoDx(renamedField, DA_FILE, 'da_expost_lmp'))).toMatchObject({
      file: DA_FILE,
      field: 'mcc',
      reason: expect.stringContaining('records changed'),
    })
  })

  it('reads the paging metadata', () => {
    const text = page([daRecord(1, 'A.B', 1, 0, 1, 0)], { pageNumber: 2, pageSize: 1, totalElements: 3, totalPages: 3, lastPage: false })
    expect(readMisoDxPage(text, DA_FILE).page).toEqual({ pageNumber: 2, pageSize: 1, totalElements: 3, totalPages: 3, lastPage: false })
  })
})
