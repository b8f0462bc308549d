import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import {
  isoneBeginDateMs,
  isoneHourEndingStart,
  parseIsoneDaLmpCsv,
  parseIsoneWsDaHourlyLmp,
  parseIsoneWsHourlyLmp,
  parseIsoneWsRtHourlyLmp,
} from './isone.ts'

const DA_FILE = 'isone/isone_ws_hourlylmp_da_final_day_20260923_loc4000.json'
const RT_FILE = 'isone/isone_ws_hourlylmp_rt_final_day_20261101_loc4000_DOCUMENTED_LAYOUT.json'
const CSV_FILE = 'isone/isone_WW_DALMP_ISO_20261101_DOCUMENTED_LAYOUT.csv'
const da = readFixture(DA_FILE)
const rt = readFixture(RT_FILE)
const csv = readFixture(CSV_FILE)

type WsRow = { BeginDate: string; Location: Record<string, string>; LmpTotal: unknown; EnergyComponent: unknown; CongestionComponent: unknown; LossComponent: unknown }
const rowsOf = (text: string) => (JSON.parse(text) as { HourlyLmps: { HourlyLmp: WsRow[] } }).HourlyLmps.HourlyLmp
const answer = (rows: unknown) => JSON.stringify({ HourlyLmps: { HourlyLmp: rows } })

/** Every hour start (UTC ms) from `fromUtc` for `hours` hours. */
const hourly = (fromUtc: string, hours: number) => Array.from({ length: hours }, (_, i) => new Date(Date.parse(fromUtc) + i * 3_600_000).toISOString())

/** The BeginDate ISO-NE writes for an instant: Eastern local time with its offset (found with Intl, not the parser). */
function beginDate(ms: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/New_York',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value])
  ) as Record<string, string>
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.000${parts.timeZoneName!.replace('GMT', '')}`
}

describe('ISO-NE Web Services hourlylmp/da/final (real file, 2026-09-23, Internal Hub)', () => {
  const result = parseIsoneWsDaHourlyLmp(da, DA_FILE)

  it('reads 24 hours of .H.INTERNAL_HUB with the documented values', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(24)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records[0]).toEqual({
      market: 'ISONE',
      node: '.H.INTERNAL_HUB',
      run: 'DA',
      intervalStart: '2026-09-23T04:00:00.000Z', // 00:00 EDT
      intervalEnd: '2026-09-23T05:00:00.000Z',
      lmp: 31.5,
      energy: 31.28,
      congestion: 0,
      loss: 0.22,
      ghg: null,
      source: 'isone.ws.da_hourly_lmp',
      publishedAt: null,
    })
    expect(result.records.find((r) => r.intervalStart === '2026-09-23T15:00:00.000Z')).toMatchObject({ lmp: 26.42, energy: 26.29, loss: 0.13 }) // 11:00 EDT
    expect(result.records.map((r) => r.intervalStart)).toEqual(hourly('2026-09-23T04:00:00Z', 24))
    expect(result.records.at(-1)?.intervalEnd).toBe('2026-09-24T04:00:00.000Z')
  })

  it('catalogues the location type', () => {
    expect((result as { nodes?: unknown }).nodes).toEqual([{ name: '.H.INTERNAL_HUB', type: 'hub' }])
  })

  it('accepts a one-element list collapsed into an object', () => {
    const one = JSON.stringify({ HourlyLmps: { HourlyLmp: rowsOf(da)[3] } })
    expect(parseIsoneWsDaHourlyLmp(one, DA_FILE).records).toEqual([result.records[3]])
  })

  it('reports bad rows by their position and keeps the rest', () => {
    const rows: unknown[] = rowsOf(da)
    ;(rows[1] as WsRow).LmpTotal = 'n/a'
    delete (rows[4] as Partial<WsRow>).LossComponent
    ;(rows[6] as WsRow).BeginDate = '2026-09-23 06:00'
    ;(rows[7] as WsRow).BeginDate = '2026-09-23T07:00:00.000-05:00' // EST in September: not Eastern time then
    ;(rows[9] as WsRow).Location = { '@LocId': '4000', '@LocType': 'HUB', $: '' }
    ;(rows[10] as WsRow).Location = { '@LocId': '4000', '@LocType': 'TRADING HUB', $: '.H.INTERNAL_HUB' }
    rows[12] = 'x'
    rows.push({ ...(rows[0] as WsRow) }) // same hour, same prices: dropped
    rows.push({ ...(rows[0] as WsRow), LmpTotal: 99 }) // same hour, other prices: issue
    const parsed = parseIsoneWsDaHourlyLmp(answer(rows), DA_FILE)
    expect(parsed.errors).toEqual([
      { file: DA_FILE, line: 2, field: 'LmpTotal', value: 'n/a', reason: 'not a number' },
      { file: DA_FILE, line: 5, field: 'LossComponent', value: '', reason: 'missing' },
      { file: DA_FILE, line: 7, field: 'BeginDate', value: '2026-09-23 06:00', reason: 'not YYYY-MM-DDTHH:MM:SS.sss-HH:MM' },
      {
        file: DA_FILE,
        line: 8,
        field: 'BeginDate',
        value: '2026-09-23T07:00:00.000-05:00',
        reason: 'not a real Eastern time (date, or offset not in force then)',
      },
      { file: DA_FILE, line: 10, field: 'Location.$', value: '', reason: 'node name is empty' },
      { file: DA_FILE, line: 11, field: 'Location.@LocType', value: 'TRADING HUB', reason: expect.stringContaining('unknown location type (price kept') },
      { file: DA_FILE, line: 13, field: 'HourlyLmp', value: 'x', reason: 'not an object' },
      {
        file: DA_FILE,
        line: 26,
        field: 'LmpTotal',
        value: '99',
        reason: 'second row for .H.INTERNAL_HUB at 2026-09-23T04:00:00.000Z with other prices (line 1 kept)',
      },
    ])
    expect(parsed.records).toHaveLength(24 - 6)
    expect(parsed.records[0]?.lmp).toBe(31.5)
    expect(parsed.records.find((r) => r.intervalStart === '2026-09-23T14:00:00.000Z')?.lmp).toBe(27.34) // the unknown-type row is kept
  })

  it('throws on a changed envelope, no data, HTML and empty bodies, naming the file', () => {
    const renamed = da.replace('"HourlyLmps"', '"HourlyLMPs"')
    const error = thrown(() => parseIsoneWsDaHourlyLmp(renamed, DA_FILE))
    expect(error).toMatchObject({ file: DA_FILE, line: 1, field: 'HourlyLmps', reason: 'expected {"HourlyLmps":{"HourlyLmp":[...]}}' })
    expect(error.message).toContain(DA_FILE)
    expect(thrown(() => parseIsoneWsDaHourlyLmp(da.replace('"HourlyLmp":', '"Lmp":'), DA_FILE))).toMatchObject({
      field: 'HourlyLmps',
      reason: 'no hourly LMPs in the answer (no data for this day and location)',
    })
    expect(thrown(() => parseIsoneWsDaHourlyLmp('{"HourlyLmps":""}', DA_FILE)).reason).toMatch(/no hourly LMPs/)
    expect(thrown(() => parseIsoneWsDaHourlyLmp('{"HourlyLmps":{"HourlyLmp":"x"}}', DA_FILE))).toMatchObject({ field: 'HourlyLmps.HourlyLmp' })
    const html = '<!DOCTYPE html><html><head><title>401 Unauthorized</title></head><body></body></html>'
    expect(thrown(() => parseIsoneWsDaHourlyLmp(html, DA_FILE))).toMatchObject({ file: DA_FILE, field: '(file)', reason: expect.stringMatching(/HTML page/) })
    expect(thrown(() => parseIsoneWsDaHourlyLmp('', DA_FILE))).toMatchObject({ file: DA_FILE, reason: 'empty file' })
    expect(thrown(() => parseIsoneWsDaHourlyLmp(da.slice(0, 500), DA_FILE))).toMatchObject({ field: '(json)' })
  })
})

describe('ISO-NE Web Services on DST-change days', () => {
  it('fall-back day (documented-layout RT sample, 2026-11-01): 25 hours, the two 01:00 told apart by their offset', () => {
    const result = parseIsoneWsRtHourlyLmp(rt, RT_FILE)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(25)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records.map((r) => r.intervalStart)).toEqual(hourly('2026-11-01T04:00:00Z', 25))
    const rows = rowsOf(rt)
    expect(rows[1]?.BeginDate).toBe('2026-11-01T01:00:00.000-04:00')
    expect(rows[2]?.BeginDate).toBe('2026-11-01T01:00:00.000-05:00')
    expect(result.records[1]).toMatchObject({ intervalStart: '2026-11-01T05:00:00.000Z', lmp: 32.11, run: 'RTH', source: 'isone.ws.rt_hourly_lmp' })
    expect(result.records[2]).toMatchObject({ intervalStart: '2026-11-01T06:00:00.000Z', intervalEnd: '2026-11-01T07:00:00.000Z', lmp: 34 })
    expect(result.records.at(-1)?.intervalEnd).toBe('2026-11-02T05:00:00.000Z')
  })

  it('spring day (2026-03-08): 23 hours, 02:00 does not exist', () => {
    const start = Date.parse('2026-03-08T05:00:00Z')
    const rows = Array.from({ length: 23 }, (_, i) => ({
      BeginDate: beginDate(start + i * 3_600_000),
      Location: { '@LocId': '4001', '@LocType': 'LOAD ZONE', $: '.Z.MAINE' },
      LmpTotal: 40 + i,
      EnergyComponent: 39 + i,
      CongestionComponent: 0.5,
      LossComponent: 0.5,
    }))
    expect(rows.map((r) => r.BeginDate.slice(11, 13))).toEqual(['00', '01', ...Array.from({ length: 21 }, (_, i) => String(i + 3).padStart(2, '0'))])
    const result = parseIsoneWsHourlyLmp(answer(rows), 'spring.json', 'da')
    expect(result.errors).toEqual([])
    expect(result.nodes).toEqual([{ name: '.Z.MAINE', type: 'zone' }])
    expect(result.records.map((r) => r.intervalStart)).toEqual(hourly('2026-03-08T05:00:00Z', 23))
    expect(result.records[2]).toMatchObject({ intervalStart: '2026-03-08T07:00:00.000Z', lmp: 42 }) // 03:00 EDT
    expect(result.records.at(-1)?.intervalEnd).toBe('2026-03-09T04:00:00.000Z')
  })

  it('reads BeginDate offsets only where Eastern time had them', () => {
    expect(isoneBeginDateMs('2026-11-01T01:00:00.000-04:00')).toBe(Date.parse('2026-11-01T05:00:00Z'))
    expect(isoneBeginDateMs('2026-11-01T01:00:00.000-05:00')).toBe(Date.parse('2026-11-01T06:00:00Z'))
    expect(isoneBeginDateMs('2026-11-01T01:00:00-05:00')).toBe(Date.parse('2026-11-01T06:00:00Z'))
    expect(isoneBeginDateMs('2026-03-08T02:00:00.000-05:00')).toBeNull() // is 03:00 EDT
    expect(isoneBeginDateMs('2026-03-08T02:00:00.000-04:00')).toBeNull() // never happened
    expect(isoneBeginDateMs('2026-07-01T00:00:00.000Z')).toBeNull()
    expect(isoneBeginDateMs('2026-02-30T00:00:00.000-05:00')).toBeNull()
  })
})

describe('ISO-NE CSV WW_DALMP_ISO (documented layout, fall-back day 2026-11-01)', () => {
  const result = parseIsoneDaLmpCsv(csv, CSV_FILE)

  it('reads 25 hours for each of two locations, 02 and 02X told apart', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(50)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.nodes).toEqual([
      { name: '.H.INTERNAL_HUB', type: 'hub' },
      { name: '.Z.MAINE', type: 'zone' },
    ])
    const hub = result.records.filter((r) => r.node === '.H.INTERNAL_HUB')
    expect(hub.map((r) => r.intervalStart)).toEqual(hourly('2026-11-01T04:00:00Z', 25))
    expect(hub[0]).toEqual({
      market: 'ISONE',
      node: '.H.INTERNAL_HUB',
      run: 'DA',
      intervalStart: '2026-11-01T04:00:00.000Z',
      intervalEnd: '2026-11-01T05:00:00.000Z',
      lmp: 40.2,
      energy: 40,
      congestion: 0,
      loss: 0.2,
      ghg: null,
      source: 'isone.csv.da_lmp',
      publishedAt: null,
    })
    expect(hub[1]).toMatchObject({ intervalStart: '2026-11-01T05:00:00.000Z', lmp: 39.88 }) // HE 02: 01:00 EDT
    expect(hub[2]).toMatchObject({ intervalStart: '2026-11-01T06:00:00.000Z', lmp: 38.94 }) // HE 02X: 01:00 EST
    expect(result.records.find((r) => r.node === '.Z.MAINE')).toMatchObject({ lmp: 39.25, loss: -0.75 })
  })

  it('maps hour ending to instants on both DST changes', () => {
    expect(isoneHourEndingStart('11/01/2026', '02')).toBe(Date.parse('2026-11-01T05:00:00Z'))
    expect(isoneHourEndingStart('11/01/2026', '02X')).toBe(Date.parse('2026-11-01T06:00:00Z'))
    expect(isoneHourEndingStart('11/01/2026', '24')).toBe(Date.parse('2026-11-02T04:00:00Z'))
    expect(isoneHourEndingStart('03/08/2026', '02')).toBe(Date.parse('2026-03-08T06:00:00Z'))
    expect(isoneHourEndingStart('03/08/2026', '03')).toBe('hour ending 03 does not exist on 03/08/2026 (clocks skip 02:00-03:00)')
    expect(isoneHourEndingStart('03/08/2026', '04')).toBe(Date.parse('2026-03-08T07:00:00Z'))
    expect(isoneHourEndingStart('09/23/2026', '02X')).toBe('hour ending 02X on 09/23/2026, a day without a repeated hour')
    expect(isoneHourEndingStart('09/23/2026', '25')).toBe('not an hour ending 01-24 (or 02X)')
  })

  it('reports bad rows by physical line and keeps the rest', () => {
    const lines = csv.trimEnd().split('\n')
    lines[6] = lines[6]!.replace(',40.2,', ',N/A,')
    lines[7] = lines[7]!.replace('"01"', '"02X"').replace('11/01/2026', '09/23/2026')
    lines[8] = lines[8]!.split(',').slice(0, 7).join(',')
    lines[9] = lines[9]!.replace('"LOAD ZONE"', '"NEW TYPE"')
    lines.push('"X","?"')
    const parsed = parseIsoneDaLmpCsv(lines.join('\n'), CSV_FILE)
    expect(parsed.errors).toEqual([
      { file: CSV_FILE, line: 7, field: 'Locational Marginal Price', value: 'N/A', reason: 'not a number' },
      { file: CSV_FILE, line: 8, field: 'Hour Ending', value: '02X', reason: 'hour ending 02X on 09/23/2026, a day without a repeated hour' },
      { file: CSV_FILE, line: 9, field: 'Energy Component', value: '', reason: 'row has 7 of 10 columns (truncated?)' },
      { file: CSV_FILE, line: 10, field: 'Location Type', value: 'NEW TYPE', reason: expect.stringContaining('unknown location type') },
      { file: CSV_FILE, line: 57, field: 'record type', value: 'X', reason: 'unknown record type (expected C, H, D or T)' },
    ])
    expect(parsed.records).toHaveLength(47)
  })

  it('throws on "No data exists for this period.", another report, a changed header, HTML and empty bodies', () => {
    const noData = thrown(() => parseIsoneDaLmpCsv('No data exists for this period.', 'WW_DALMP_ISO_20150806.csv'))
    expect(noData).toMatchObject({ file: 'WW_DALMP_ISO_20150806.csv', line: 1, field: '(file)', value: 'No data exists for this period.' })
    expect(noData.reason).toMatch(/^no data for this period/)
    expect(noData.message).toContain('WW_DALMP_ISO_20150806.csv')
    expect(thrown(() => parseIsoneDaLmpCsv(csv.replace('Day-Ahead Energy Market', 'Real-Time Energy Market'), CSV_FILE))).toMatchObject({ line: 1, field: 'C' })
    expect(thrown(() => parseIsoneDaLmpCsv(csv.replace('"Energy Component","Congestion', '"Congestion Component","Energy'), CSV_FILE))).toMatchObject({
      line: 5,
      field: 'Energy Component',
      value: 'Congestion Component',
    })
    const noHeader = csv.split('\n').filter((line) => !line.startsWith('"H"')).join('\n')
    expect(thrown(() => parseIsoneDaLmpCsv(noHeader, CSV_FILE))).toMatchObject({ line: 5, field: 'H', reason: 'data before the "H" header line' })
    expect(thrown(() => parseIsoneDaLmpCsv('<html><body>Access denied</body></html>', CSV_FILE)).reason).toMatch(/HTML page/)
    expect(thrown(() => parseIsoneDaLmpCsv('\r\n', CSV_FILE)).reason).toBe('empty file')
  })
})
