import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import { nyisoWallClockMs, parseNyisoDamLbmpZone, parseNyisoRealtimeZone } from './nyiso.ts'

const DAM_FILE = 'nyiso/nyiso_damlbmp_zone_20260923.csv'
const RT_FILE = 'nyiso/20260923realtime_zone_DOCUMENTED_LAYOUT.csv'
const RT_FALL_FILE = 'nyiso/20261101realtime_zone_fall-back_DOCUMENTED_LAYOUT.csv'
const dam = readFixture(DAM_FILE)
const rt = readFixture(RT_FILE)
const rtFall = readFixture(RT_FALL_FILE)

const find = (records: PriceRecord[], node: string, start: string) => records.filter((r) => r.node === node && r.intervalStart === start)
const HOUR_MS = 3_600_000
const FIVE_MS = 300_000
const pad = (n: number) => String(n).padStart(2, '0')

/** The real day-ahead file's 24 blocks of 15 rows (one block per hour), without the time stamp. */
const damLines = dam.split('\r\n')
const damHeader = damLines[0] as string
const damBlocks = Array.from({ length: 24 }, (_, h) => damLines.slice(1 + 15 * h, 16 + 15 * h).map((line) => line.slice('09/23/2026 00:00'.length)))
/** A day-ahead file in the real file's layout: block `sources[i]` of the real file, stamped `date hours[i]:00`. */
const damFile = (date: string, hours: number[], sources: number[]) =>
  [damHeader, ...hours.flatMap((h, i) => (damBlocks[sources[i] as number] as string[]).map((rest) => `${date} ${pad(h)}:00${rest}`)), ''].join('\r\n')

describe('NYISO damlbmp_zone (real file)', () => {
  const result = parseNyisoDamLbmpZone(dam, DAM_FILE)

  it('reads 15 names x 24 hours from the CRLF file', () => {
    expect(dam).toContain('\r\n')
    expect(damLines).toHaveLength(362) // header, 360 rows, '' after the last CRLF
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(360)
    for (const record of result.records) PriceRecord.parse(record)
    for (const name of new Set(result.records.map((r) => r.node))) expect(result.records.filter((r) => r.node === name)).toHaveLength(24)
  })

  it('reads hour-beginning Eastern stamps: 00:00 EDT is 04:00Z, 23:00 EDT is 03:00Z next day', () => {
    const starts = [...new Set(result.records.map((r) => r.intervalStart))].sort()
    expect(starts).toHaveLength(24)
    expect(starts[0]).toBe('2026-09-23T04:00:00.000Z')
    expect(starts[23]).toBe('2026-09-24T03:00:00.000Z')
    expect(find(result.records, 'N.Y.C.', '2026-09-23T08:00:00.000Z').map((r) => r.lmp)).toEqual([30.8]) // 04:00 EDT
    expect(find(result.records, 'N.Y.C.', '2026-09-23T22:00:00.000Z').map((r) => r.lmp)).toEqual([52.32]) // 18:00 EDT
  })

  it('stores congestion in the canonical sign: WEST 18:00, MCC 2.08 is congestion -2.08', () => {
    expect(find(result.records, 'WEST', '2026-09-23T22:00:00.000Z')).toEqual([
      {
        market: 'NYISO',
        node: 'WEST',
        run: 'DA',
        intervalStart: '2026-09-23T22:00:00.000Z',
        intervalEnd: '2026-09-23T23:00:00.000Z',
        lmp: 42.45,
        energy: 49.26, // 42.45 - (-4.73) - (-2.08)
        congestion: -2.08,
        loss: -4.73,
        ghg: null,
        source: 'nyiso.damlbmp_zone',
        publishedAt: null,
      },
    ])
    for (const r of result.records) expect(r.energy! + r.congestion! + r.loss!).toBeCloseTo(r.lmp, 9)
  })

  it('gives one system energy price per hour (within rounding): the sign reading is right', () => {
    const byHour = new Map<string, PriceRecord[]>()
    for (const r of result.records) byHour.set(r.intervalStart, [...(byHour.get(r.intervalStart) ?? []), r])
    expect(byHour.size).toBe(24)
    const spread = (values: number[]) => Math.max(...values) - Math.min(...values)
    let right = 0
    let wrong = 0
    for (const records of byHour.values()) {
      right = Math.max(right, spread(records.map((r) => r.energy!)))
      // read with the other sign (energy = LBMP - losses - MCC), an hour's "energy" would differ by zone
      wrong = Math.max(wrong, spread(records.map((r) => r.lmp - r.loss! + r.congestion!)))
    }
    expect(right).toBeLessThanOrEqual(0.0200001) // cents rounding of three published numbers
    expect(wrong).toBeCloseTo(19.24, 6)
  })

  it('returns the 11 zones and the 4 external proxy buses', () => {
    const types = Object.fromEntries((result.nodes ?? []).map((n) => [n.name, n.type]))
    expect(result.nodes).toHaveLength(15)
    expect(types).toEqual({
      CAPITL: 'zone',
      CENTRL: 'zone',
      DUNWOD: 'zone',
      GENESE: 'zone',
      'H Q': 'interface',
      'HUD VL': 'zone',
      LONGIL: 'zone',
      'MHK VL': 'zone',
      MILLWD: 'zone',
      'N.Y.C.': 'zone',
      NORTH: 'zone',
      NPX: 'interface',
      'O H': 'interface',
      PJM: 'interface',
      WEST: 'zone',
    })
  })

  it('reads LF line endings the same way', () => {
    expect(parseNyisoDamLbmpZone(dam.replaceAll('\r\n', '\n'), DAM_FILE)).toEqual(result)
  })
})

describe('NYISO damlbmp_zone across daylight-saving changes (built from the real rows)', () => {
  const real = parseNyisoDamLbmpZone(dam, DAM_FILE).records
  const capitl = (start: string) => find(real, 'CAPITL', start)[0]?.lmp

  it('fall-back day 2026-11-01: 25 hours, the repeated 01:00 by row order, EDT 05:00Z then EST 06:00Z', () => {
    const hours = [0, 1, 1, ...Array.from({ length: 22 }, (_, i) => i + 2)]
    const text = damFile('11/01/2026', hours, [...Array.from({ length: 24 }, (_, i) => i), 0])
    expect(text.split('\r\n').filter((l) => l.startsWith('11/01/2026 01:00,CAPITL'))).toHaveLength(2)
    const result = parseNyisoDamLbmpZone(text, '20261101damlbmp_zone.csv')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(25 * 15)
    const capitlRecords = result.records.filter((r) => r.node === 'CAPITL')
    expect(new Set(capitlRecords.map((r) => r.intervalStart)).size).toBe(25)
    expect(capitlRecords[0]?.intervalStart).toBe('2026-11-01T04:00:00.000Z') // 00:00 EDT
    expect(capitlRecords[24]).toMatchObject({ intervalStart: '2026-11-02T04:00:00.000Z', intervalEnd: '2026-11-02T05:00:00.000Z' }) // 23:00 EST
    // the first 01:00 rows carry the real 01:00 block, the second the real 02:00 block
    expect(capitlRecords.slice(1, 3)).toMatchObject([
      { intervalStart: '2026-11-01T05:00:00.000Z', intervalEnd: '2026-11-01T06:00:00.000Z', lmp: 31.05 },
      { intervalStart: '2026-11-01T06:00:00.000Z', intervalEnd: '2026-11-01T07:00:00.000Z', lmp: capitl('2026-09-23T06:00:00.000Z') },
    ])
    for (let i = 1; i < 25; i++) expect(capitlRecords[i]?.intervalStart).toBe(capitlRecords[i - 1]?.intervalEnd)
  })

  it('a third 01:00 row for a zone on the fall-back day is an issue', () => {
    const text = damFile('11/01/2026', [0, 1, 1, 1], [0, 1, 2, 3])
    const result = parseNyisoDamLbmpZone(text, 'x.csv')
    expect(result.records).toHaveLength(3 * 15)
    expect(result.errors).toHaveLength(15)
    expect(result.errors[0]).toEqual({
      file: 'x.csv',
      line: 47,
      field: 'Time Stamp',
      value: '11/01/2026 01:00',
      reason: 'third row for CAPITL at this time of the repeated hour (only its daylight and standard occurrences exist)',
    })
  })

  it('spring day 2026-03-08: 23 hours, and a row stamped 02:00 is an issue', () => {
    const hours = [0, 1, ...Array.from({ length: 21 }, (_, i) => i + 3)]
    const text = damFile('03/08/2026', hours, Array.from({ length: 23 }, (_, i) => i))
    const result = parseNyisoDamLbmpZone(text, '20260308damlbmp_zone.csv')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(23 * 15)
    const west = result.records.filter((r) => r.node === 'WEST')
    expect(west.map((r) => r.intervalStart).slice(0, 3)).toEqual([
      '2026-03-08T05:00:00.000Z', // 00:00 EST
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
    ])
    expect(west[22]?.intervalStart).toBe('2026-03-09T03:00:00.000Z') // 23:00 EDT
    for (let i = 1; i < 23; i++) expect(west[i]?.intervalStart).toBe(west[i - 1]?.intervalEnd)

    const gap = damFile('03/08/2026', [1, 2, 3], [1, 2, 3])
    const withGap = parseNyisoDamLbmpZone(gap, 'gap.csv')
    expect(withGap.records).toHaveLength(30)
    expect(withGap.errors).toHaveLength(15)
    expect(withGap.errors[0]).toEqual({
      file: 'gap.csv',
      line: 17,
      field: 'Time Stamp',
      value: '03/08/2026 02:00',
      reason: 'no such time in Eastern prevailing time (the hour skipped when clocks spring forward)',
    })
  })
})

describe('NYISO realtime_zone (documented-layout samples)', () => {
  it('reads quoted, interval-ending stamps from 00:05 to the next day 00:00', () => {
    expect(rt.split('\r\n')[0]).toBe(
      '"Time Stamp","Name","PTID","LBMP ($/MWHr)","Marginal Cost Losses ($/MWHr)","Marginal Cost Congestion ($/MWHr)"'
    )
    const result = parseNyisoRealtimeZone(rt, RT_FILE)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(16)
    for (const record of result.records) PriceRecord.parse(record)
    expect(find(result.records, 'N.Y.C.', '2026-09-23T04:00:00.000Z')).toEqual([
      {
        market: 'NYISO',
        node: 'N.Y.C.',
        run: 'RT5',
        intervalStart: '2026-09-23T04:00:00.000Z', // "09/23/2026 00:05:00" ends the first interval
        intervalEnd: '2026-09-23T04:05:00.000Z',
        lmp: 35.4,
        energy: 33.41,
        congestion: 0.04, // MCC -0.04
        loss: 1.95,
        ghg: null,
        source: 'nyiso.realtime_zone',
        publishedAt: null,
      },
    ])
    // "09/24/2026 00:00:00" ends the day's last interval
    expect(find(result.records, 'WEST', '2026-09-24T03:55:00.000Z')).toMatchObject([
      { intervalEnd: '2026-09-24T04:00:00.000Z', lmp: 25.57, loss: -3.05, congestion: -1.26, energy: 29.88 },
    ])
    expect(result.nodes).toEqual([
      { name: 'CAPITL', type: 'zone' },
      { name: 'H Q', type: 'interface' },
      { name: 'N.Y.C.', type: 'zone' },
      { name: 'WEST', type: 'zone' },
    ])
  })

  it('fall-back day sample: the repeated 01:00-01:55 stamps by row order, 27 contiguous intervals per zone', () => {
    const result = parseNyisoRealtimeZone(rtFall, RT_FALL_FILE)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(54)
    const capitl = result.records.filter((r) => r.node === 'CAPITL')
    expect(capitl).toHaveLength(27)
    expect(capitl[0]).toMatchObject({ intervalStart: '2026-11-01T04:50:00.000Z', intervalEnd: '2026-11-01T04:55:00.000Z' }) // 00:55 EDT
    for (let i = 1; i < 27; i++) expect(capitl[i]?.intervalStart).toBe(capitl[i - 1]?.intervalEnd)
    expect(capitl[26]?.intervalEnd).toBe('2026-11-01T07:05:00.000Z') // 02:05 EST
    // the two rows stamped "11/01/2026 01:00:00": first EDT (ends 05:00Z), then EST (ends 06:00Z)
    expect([capitl[1], capitl[13]]).toMatchObject([
      { intervalEnd: '2026-11-01T05:00:00.000Z', lmp: 31.1 },
      { intervalEnd: '2026-11-01T06:00:00.000Z', lmp: 32.3 },
    ])
  })

  /** A real-time file of CAPITL in the sample's layout, one row per interval-ending stamp. */
  const rtDay = (stamps: string[]) =>
    [rt.split('\r\n')[0], ...stamps.map((s, i) => `"${s}","CAPITL",61757,${(30 + i / 100).toFixed(2)},1.00,0.00`), ''].join('\r\n')
  /** The wall-clock stamps 00:05 .. 24:00 (written as the next day's 00:00:00) of a day. */
  const wallStamps = (date: string, next: string, keep: (minute: number) => boolean) => {
    const out: string[] = []
    for (let m = 5; m <= 1440; m += 5) if (keep(m)) out.push(m === 1440 ? `${next} 00:00:00` : `${date} ${pad(Math.floor(m / 60))}:${pad(m % 60)}:00`)
    return out
  }

  it('a whole fall-back day: 300 intervals, 04:00Z to 05:00Z the next day', () => {
    const stamps = wallStamps('11/01/2026', '11/02/2026', () => true)
    const repeated = stamps.filter((s) => s.includes(' 01:'))
    stamps.splice(stamps.indexOf('11/01/2026 02:00:00'), 0, ...repeated)
    const result = parseNyisoRealtimeZone(rtDay(stamps), 'fall.csv')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(300)
    expect(result.records[0]?.intervalStart).toBe('2026-11-01T04:00:00.000Z')
    expect(result.records[299]?.intervalEnd).toBe('2026-11-02T05:00:00.000Z')
    for (let i = 1; i < 300; i++) expect(Date.parse(result.records[i]!.intervalStart)).toBe(Date.parse(result.records[i - 1]!.intervalStart) + FIVE_MS)
  })

  it('a whole spring day: 276 intervals; a stamp in 02:00-02:55 is an issue', () => {
    const stamps = wallStamps('03/08/2026', '03/09/2026', (m) => m < 120 || m >= 180)
    const result = parseNyisoRealtimeZone(rtDay(stamps), 'spring.csv')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(276)
    expect(result.records[0]?.intervalStart).toBe('2026-03-08T05:00:00.000Z')
    expect(result.records.map((r) => r.intervalEnd).slice(22, 24)).toEqual(['2026-03-08T06:55:00.000Z', '2026-03-08T07:00:00.000Z']) // 01:55 EST, 03:00 EDT
    expect(result.records[275]?.intervalEnd).toBe('2026-03-09T04:00:00.000Z')
    for (let i = 1; i < 276; i++) expect(result.records[i]?.intervalStart).toBe(result.records[i - 1]?.intervalEnd)

    const gap = parseNyisoRealtimeZone(rtDay(['03/08/2026 01:55:00', '03/08/2026 02:30:00', '03/08/2026 03:00:00']), 'gap.csv')
    expect(gap.records).toHaveLength(2)
    expect(gap.errors).toEqual([
      {
        file: 'gap.csv',
        line: 3,
        field: 'Time Stamp',
        value: '03/08/2026 02:30:00',
        reason: 'no such time in Eastern prevailing time (the hour skipped when clocks spring forward)',
      },
    ])
  })
})

describe('NYISO bad rows and bad files', () => {
  it('reports bad rows with line, field and value, and keeps the rest', () => {
    const lines = dam.split('\r\n')
    const edit = (n: number, f: (line: string) => string) => {
      lines[n - 1] = f(lines[n - 1] as string)
    }
    edit(2, (l) => l.replace(',34.97,', ',N/A,'))
    edit(3, (l) => l.slice(0, l.lastIndexOf(',')))
    edit(4, (l) => l.replace('09/23/2026 00:00', '09/23/2026 24:00'))
    edit(5, (l) => l.replace('09/23/2026 00:00', '09/23/2026 00:30'))
    edit(7, (l) => l.slice(0, l.lastIndexOf(',') + 1))
    edit(21, (l) => l.replace(',61844,', ',61999,'))
    lines.splice(361, 0, '09/23/2026 00:00,LONGIL,61762,99.00,2.60,0.00', lines[8] as string) // conflicting and identical repeats
    const result = parseNyisoDamLbmpZone(lines.join('\r\n'), DAM_FILE)
    expect(lines[20]).toMatch(/^09\/23\/2026 01:00,H Q,61999,/)
    expect(result.errors).toEqual([
      { file: DAM_FILE, line: 2, field: 'LBMP ($/MWHr)', value: 'N/A', reason: 'not a number' },
      { file: DAM_FILE, line: 3, field: 'Marginal Cost Congestion ($/MWHr)', value: '', reason: 'row has 5 of 6 columns (truncated?)' },
      { file: DAM_FILE, line: 4, field: 'Time Stamp', value: '09/23/2026 24:00', reason: 'not a MM/DD/YYYY HH:MM time' },
      { file: DAM_FILE, line: 5, field: 'Time Stamp', value: '09/23/2026 00:30', reason: 'not on the hour (stamps are hour beginning)' },
      { file: DAM_FILE, line: 7, field: 'Marginal Cost Congestion ($/MWHr)', value: '', reason: 'not a number' },
      { file: DAM_FILE, line: 21, field: 'PTID', value: '61999', reason: 'H Q has PTID 61844 on line 6' },
      { file: DAM_FILE, line: 362, field: 'Name', value: 'LONGIL', reason: 'second row for this zone and interval with other prices (line 8 kept)' },
    ])
    expect(result.records).toHaveLength(360 - 6)
  })

  it('reads a real-time stamp with the wrong format or off the 5-minute grid as an issue', () => {
    const bad = rt.replace('"09/23/2026 00:10:00","CAPITL"', '"09/23/2026 00:10","CAPITL"').replace('"09/23/2026 00:10:00","H Q"', '"09/23/2026 00:12:00","H Q"')
    const result = parseNyisoRealtimeZone(bad, RT_FILE)
    expect(result.errors).toEqual([
      { file: RT_FILE, line: 6, field: 'Time Stamp', value: '09/23/2026 00:10', reason: 'not a MM/DD/YYYY HH:MM:SS time' },
      { file: RT_FILE, line: 7, field: 'Time Stamp', value: '09/23/2026 00:12:00', reason: 'not on a 5-minute boundary (stamps are interval ending)' },
    ])
    expect(result.records).toHaveLength(14)
  })

  it('throws on a changed header, naming the file, line, column and what was found', () => {
    const swapped = dam.replace(
      'Marginal Cost Losses ($/MWHr),Marginal Cost Congestion ($/MWHr)',
      'Marginal Cost Congestion ($/MWHr),Marginal Cost Losses ($/MWHr)'
    )
    const e = thrown(() => parseNyisoDamLbmpZone(swapped, DAM_FILE))
    expect(e).toMatchObject({ file: DAM_FILE, line: 1, field: 'Marginal Cost Losses ($/MWHr)', value: 'Marginal Cost Congestion ($/MWHr)' })
    expect(e.message).toMatch(/^nyiso\/nyiso_damlbmp_zone_20260923\.csv line 1, Marginal Cost Losses \(\$\/MWHr\): header changed/)
    // the pre-2016 truncated congestion header is not today's format either
    const old = rt.replace('"Marginal Cost Congestion ($/MWHr)"', '"Marginal Cost Congestion ($/MWH"')
    expect(thrown(() => parseNyisoRealtimeZone(old, RT_FILE))).toMatchObject({ field: 'Marginal Cost Congestion ($/MWHr)', value: 'Marginal Cost Congestion ($/MWH' })
    const extra = dam.replace('($/MWHr)\r\n', '($/MWHr),Zone\r\n')
    expect(thrown(() => parseNyisoDamLbmpZone(extra, DAM_FILE))).toMatchObject({ field: 'column 7', value: 'Zone' })
  })

  it('throws on an HTML error page and an empty body', () => {
    const html = '\r\n<html><head><title>NYISO - Page Not Found</title></head><body>404</body></html>'
    const e1 = thrown(() => parseNyisoRealtimeZone(html, RT_FILE))
    expect(e1).toMatchObject({ file: RT_FILE, line: 2, field: '(file)' })
    expect(e1.reason).toMatch(/HTML page/)
    const e2 = thrown(() => parseNyisoDamLbmpZone('', DAM_FILE))
    expect(e2.message).toContain(DAM_FILE)
    expect(e2.reason).toBe('empty file')
    expect(thrown(() => parseNyisoDamLbmpZone('\r\n \r\n', DAM_FILE)).reason).toBe('empty file')
  })

  it('reads stamps strictly', () => {
    expect(nyisoWallClockMs('09/23/2026 18:00')).toBe(Date.UTC(2026, 8, 23, 18))
    expect(nyisoWallClockMs('09/24/2026 00:00:00', true)).toBe(Date.UTC(2026, 8, 24))
    expect(nyisoWallClockMs('09/23/2026 18:00:00')).toBeNull()
    expect(nyisoWallClockMs('9/23/2026 18:00')).toBeNull()
    expect(nyisoWallClockMs('02/30/2026 18:00')).toBeNull()
    expect(HOUR_MS).toBe(12 * FIVE_MS)
  })
})
