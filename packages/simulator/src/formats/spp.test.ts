import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, type ParseResult, SOURCES } from '@carbon/connectors'
import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { sppRtbmPath as connectorRtbmPath } from '../../../connectors/src/fetch/spp.ts'
import { sppCatalogue } from '../markets/spp.ts'
import { newComponents, PriceModel } from '../prices.ts'
import { SPP_HEADER, sppCsv, sppDaEnds, sppDaPath, sppIntervalLabel, sppNumber, sppRtbmEndOf, sppRtbmPath, sppRtbmStamp, sppTime } from './spp.ts'

const model = new PriceModel({ seed: 254, misoNodes: 40, caisoNodes: 40 })
const small = sppCatalogue(254, 40)
const ms = (iso: string) => Date.parse(iso)
const cdt = (naive: string) => ms(`${naive}-05:00`)
const cst = (naive: string) => ms(`${naive}-06:00`)
const HOUR = 3_600_000
const FIVE = 300_000
const fixture = (name: string) => readFileSync(new URL(`spp/${name}`, FIXTURE_DIR), 'latin1')
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`)
const da = (iso: string) => sppCsv(model, small.locations, 'DA', sppDaEnds(day(iso)))

function clean(result: ParseResult, count: number) {
  expect(result.errors).toEqual([])
  expect(result.records).toHaveLength(count)
  for (const record of result.records.slice(0, 5)) expect(PriceRecord.parse(record)).toEqual(record)
  return result.records
}
/** Decimal text as whole 1e-4 units (exact, no float). */
const units = (text: string) => {
  const [whole, frac = ''] = text.replace('-', '').split('.')
  const value = Number(whole) * 10_000 + Number(frac.padEnd(4, '0'))
  return text.startsWith('-') ? -value : value
}

describe('SPP LMP by settlement location as the portal writes it', () => {
  it('writes four decimals', () => {
    expect([158983, -23, 0, -11890, 700000, 5].map(sppNumber)).toEqual(['15.8983', '-0.0023', '0.0000', '-1.1890', '70.0000', '0.0005'])
    expect(sppTime(Date.UTC(2026, 8, 24, 0, 0, 0))).toBe('09/24/2026 00:00:00')
  })

  it('DA: the real 9-column header; LF; LMP = MEC + MCC + MLC to the digit on every row', () => {
    const text = da('2026-09-23')
    expect(text.split('\n')[0]).toBe(fixture('spp_da_lmp_sl_20260923_9col_REDUCED_hubs.csv').split('\n')[0])
    expect(text.split('\n')[0]).toBe(SPP_HEADER)
    expect(text).not.toContain('\r')
    expect(text).not.toContain('"')
    expect(text.endsWith('\n')).toBe(true)
    const rows = text.trimEnd().split('\n').slice(1)
    expect(rows).toHaveLength(small.locations.length * 24)
    for (const row of rows) {
      const cells = row.split(',')
      expect(cells).toHaveLength(9)
      expect(cells.slice(5).every((c) => /^-?\d+\.\d{4}$/.test(c))).toBe(true)
      const [lmp, mlc, mcc, mec] = cells.slice(5).map(units) as [number, number, number, number]
      expect(lmp).toBe(mec + mcc + mlc)
    }
    // The first and last hours, as the real file of that day labels them; rows by hour, then location.
    expect(rows[0]!.startsWith('09/23/2026 01:00:00,09/23/2026 06:00:00,')).toBe(true)
    expect(rows.at(-1)!.startsWith('09/24/2026 00:00:00,09/24/2026 05:00:00,')).toBe(true)
    expect(rows.slice(0, small.locations.length).map((r) => r.split(',')[3])).toEqual(small.locations.map((l) => l.name))
    expect(rows.filter((r) => r.includes(',SWPW,AESO,AESO,'))).toHaveLength(24)
  })

  it('DA: parses cleanly to the model components of every location and hour', () => {
    const records = clean(SOURCES['spp.da_lmp_sl'].parse(da('2026-09-23'), 'DA-LMP-SL-202609230100.csv'), small.locations.length * 24)
    const byName = new Map(small.locations.map((l) => [l.name, l]))
    const v = newComponents()
    for (const record of records) {
      model.values('SPP', 'DA', byName.get(record.node)!.node, ms(record.intervalStart), v)
      expect([record.lmp, record.energy, record.congestion, record.loss]).toEqual([v.lmp / 1e4, v.energy / 1e4, v.congestion / 1e4, v.loss / 1e4])
      expect(record.run).toBe('DA')
    }
    const starts = [...new Set(records.map((r) => ms(r.intervalStart)))].sort((a, b) => a - b)
    expect(starts).toEqual(Array.from({ length: 24 }, (_, i) => cdt('2026-09-23T00:00:00') + i * HOUR))
  })

  it('DA: 25 and 23 hours on the clock-change days, labelled as SPP labels them', () => {
    const pairs = (text: string) =>
      text
        .split('\n')
        .filter((r) => r.includes(',SPPNORTH_HUB,'))
        .map((r) => r.split(',').slice(0, 2).join(','))
    // Same Interval and GMTIntervalEnd pairs as the documented layouts of those days (after SPP's own files).
    expect(pairs(da('2025-11-02'))).toEqual(pairs(fixture('spp_da_lmp_sl_20251102_8col_DOCUMENTED_LAYOUT.csv')))
    expect(pairs(da('2026-03-08'))).toEqual(pairs(fixture('spp_da_lmp_sl_20260308_8col_DOCUMENTED_LAYOUT.csv')))
    expect(pairs(da('2025-11-02'))).toHaveLength(25)
    expect(pairs(da('2026-03-08'))).toHaveLength(23)
    clean(SOURCES['spp.da_lmp_sl'].parse(da('2025-11-02'), 'fall.csv'), small.locations.length * 25)
    clean(SOURCES['spp.da_lmp_sl'].parse(da('2026-03-08'), 'spring.csv'), small.locations.length * 23)
    expect(sppTime(sppIntervalLabel(ms('2025-11-02T07:00:00Z')))).toBe('11/02/2025 02:00:00')
    expect(sppTime(sppIntervalLabel(ms('2026-03-08T08:00:00Z')))).toBe('03/08/2026 03:00:00')
  })

  it('RTBM: one interval per file, parsed to the model five-minute components', () => {
    const end = cdt('2026-09-23T12:00:00')
    const text = sppCsv(model, small.locations, 'RT5', [end])
    expect(text.split('\n')[0]).toBe(SPP_HEADER)
    expect(text.split('\n')[1]!.startsWith('09/23/2026 12:00:00,09/23/2026 17:00:00,')).toBe(true)
    const records = clean(SOURCES['spp.rtbm_lmp_sl'].parse(text, 'RTBM-LMP-SL-202609231200.csv'), small.locations.length)
    const v = newComponents()
    for (const record of records) {
      model.values('SPP', 'RT5', small.byName.get(record.node)!, end - FIVE, v)
      expect([record.lmp, record.energy, record.congestion, record.loss]).toEqual([v.lmp / 1e4, v.energy / 1e4, v.congestion / 1e4, v.loss / 1e4])
      expect(record).toMatchObject({ run: 'RT5', intervalStart: '2026-09-23T16:55:00.000Z', intervalEnd: '2026-09-23T17:00:00.000Z' })
    }
  })

  it('RTBM: names every interval as the connector plans it, and reads each name back to its interval', () => {
    const days = [
      [cdt('2025-11-01T23:00:00'), cst('2025-11-03T01:00:00')],
      [cst('2026-03-07T23:00:00'), cdt('2026-03-09T01:00:00')],
      [cdt('2026-06-30T22:00:00'), cdt('2026-07-01T02:00:00')],
    ] as const
    for (const [from, to] of days)
      for (let end = from + FIVE; end <= to; end += FIVE) {
        const path = sppRtbmPath(end)
        expect(path).toBe(connectorRtbmPath(end))
        const stamp = sppRtbmStamp(end)
        expect(sppRtbmEndOf(stamp.slice(0, 12), stamp.endsWith('d'))).toBe(end)
      }
    expect(sppRtbmPath(ms('2025-11-02T07:05:00Z'))).toBe('/2025/11/By_Interval/02/RTBM-LMP-SL-202511020105d.csv')
    expect(sppRtbmEndOf('202603080300', false)).toBeNull() // inside the spring gap
    expect(sppRtbmEndOf('202603080205', false)).toBeNull()
    expect(sppRtbmEndOf('202606011200', true)).toBeNull() // no second pass outside the fall-back hour
    expect(sppDaPath(day('2026-09-23'))).toBe('/2026/09/By_Day/DA-LMP-SL-202609230100.csv')
  })

  it('RTBM: the repeated fall-back intervals carry the same labels, told apart by GMTIntervalEnd', () => {
    const first = sppCsv(model, small.locations, 'RT5', [ms('2025-11-02T06:05:00Z')]).split('\n')[1]!
    const second = sppCsv(model, small.locations, 'RT5', [ms('2025-11-02T07:05:00Z')]).split('\n')[1]!
    expect(first.slice(0, 40)).toBe('11/02/2025 01:05:00,11/02/2025 06:05:00,')
    expect(second.slice(0, 40)).toBe('11/02/2025 01:05:00,11/02/2025 07:05:00,')
  })
})
