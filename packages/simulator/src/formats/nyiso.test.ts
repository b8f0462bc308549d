import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, SOURCES, unpackPayload } from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { nyisoZones } from '../markets/nyiso.ts'
import { newComponents, PriceModel } from '../prices.ts'
import { breakNyisoCsv, NYISO_ZONES, type NyisoFile, nyisoCsv, nyisoMonthZip, nyisoStamp } from './nyiso.ts'
import { easternDayStart } from './pjm.ts'

const model = new PriceModel({ seed: 254, misoNodes: 40, caisoNodes: 40 })
const ZONES = nyisoZones(model)
const fixture = (name: string) => readFileSync(new URL(`nyiso/${name}`, FIXTURE_DIR), 'utf8')
const DA_REAL = fixture('nyiso_damlbmp_zone_20260923.csv')
const RT_BUILT = fixture('20260923realtime_zone_DOCUMENTED_LAYOUT.csv')
const SOURCE = { damlbmp_zone: 'nyiso.damlbmp_zone', realtime_zone: 'nyiso.realtime_zone' } as const
const day = (y: number, m: number, d: number) => ({ start: easternDayStart({ y, m, d }), end: easternDayStart({ y, m, d: d + 1 }) })
const csvOf = (file: NyisoFile, w: { start: number; end: number }) => nyisoCsv(model, file, ZONES, w.start, w.end)
const parse = (file: NyisoFile, text: string) => SOURCES[SOURCE[file]].parse(text, `${file}.csv`)

/** Every record equals the model's value of its zone and interval, in cents, with the canonical congestion sign. */
function expectModelValues(file: NyisoFile, records: readonly PriceRecord[]) {
  const c = newComponents()
  for (const r of records) {
    const zone = ZONES.find((z) => z.name === r.node)!
    model.values('NYISO', file === 'damlbmp_zone' ? 'DA' : 'RT5', zone.node, Date.parse(r.intervalStart), c)
    expect([r.lmp, r.energy!, r.congestion!, r.loss!].map((x) => Math.round(x * 100))).toEqual([c.lmp, c.energy, c.congestion, c.loss])
  }
}

describe('NYISO zonal LBMP CSVs', () => {
  it.each([
    ['2026-03-08 (23 hours)', 2026, 3, 8, 23],
    ['2026-09-23', 2026, 9, 23, 24],
    ['2026-11-01 (25 hours)', 2026, 11, 1, 25],
  ])('EPT day %s: every zone and interval of both files, the model values, no issue', (_, y, m, d, hours) => {
    for (const [file, per] of [
      ['damlbmp_zone', hours],
      ['realtime_zone', hours * 12],
    ] as const) {
      const result = parse(file, csvOf(file, day(y, m, d)))
      expect(result.errors).toEqual([])
      expect(result.records).toHaveLength(15 * per)
      const starts = [...new Set(result.records.map((r) => Date.parse(r.intervalStart)))].sort((a, b) => a - b)
      expect(starts).toHaveLength(per)
      expect(starts[0]).toBe(day(y, m, d).start)
      expect(result.records.every((r) => Date.parse(r.intervalEnd) <= day(y, m, d).end)).toBe(true)
      expectModelValues(file, result.records)
      expect(result.nodes?.map((n) => n.name).sort()).toEqual(NYISO_ZONES.map(([name]) => name))
    }
  })

  it('writes the header, quoting, order, stamps and CRLF of the recorded day-ahead file and the documented real-time layout', () => {
    const da = csvOf('damlbmp_zone', day(2026, 9, 23))
    const real = DA_REAL.split('\r\n')
    const mine = da.split('\r\n')
    expect(mine[0]).toBe(real[0])
    expect(mine).toHaveLength(real.length)
    expect(da.endsWith('\r\n')).toBe(true)
    expect(da.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/)
    // same stamps, names, PTIDs and row order as the real file; only the prices are the model's
    const key = (line: string) => line.split(',').slice(0, 3).join(',')
    expect(mine.map(key)).toEqual(real.map(key))
    expect(mine.slice(1, -1).every((line) => /^[^,]+,[^,]+,\d+,-?\d+\.\d\d,-?\d+\.\d\d,-?\d+\.\d\d$/.test(line))).toBe(true)
    const rt = csvOf('realtime_zone', day(2026, 9, 23)).split('\r\n')
    expect(rt[0]).toBe(RT_BUILT.split('\r\n')[0])
    expect(rt[1]).toMatch(/^"09\/23\/2026 00:05:00","CAPITL",61757,-?\d+\.\d\d,-?\d+\.\d\d,-?\d+\.\d\d$/)
    expect(rt.at(-2)).toMatch(/^"09\/24\/2026 00:00:00","WEST",61752,/)
  })

  it('writes MCC with NYISO sign: LBMP = energy + losses - MCC', () => {
    const lines = csvOf('damlbmp_zone', day(2026, 9, 23)).split('\r\n').slice(1, -1)
    const c = newComponents()
    let nonZero = 0
    lines.forEach((line, i) => {
      const [, name, , lbmp, loss, mcc] = line.split(',')
      const zone = ZONES.find((z) => z.name === name)!
      model.values('NYISO', 'DA', zone.node, day(2026, 9, 23).start + Math.floor(i / 15) * 3_600_000, c)
      expect(Math.round(Number(mcc) * 100)).toBe(0 - c.congestion)
      expect(Math.round((Number(lbmp) - Number(loss) + Number(mcc)) * 100)).toBe(c.energy)
      if (c.congestion !== 0) nonZero++
    })
    expect(nonZero).toBeGreaterThan(0)
  })

  it('stamps the autumn day on the wall clock: the repeated hour twice per zone, daylight first', () => {
    const rt = csvOf('realtime_zone', day(2026, 11, 1)).split('\r\n').filter((l) => l.includes('"CAPITL"'))
    const stamps = rt.map((l) => l.slice(1, 20))
    expect(stamps).toHaveLength(300)
    expect(stamps.filter((s) => s === '11/01/2026 01:00:00')).toHaveLength(2)
    expect(stamps.filter((s) => s === '11/01/2026 02:00:00')).toHaveLength(1)
    expect(stamps.at(-1)).toBe('11/02/2026 00:00:00')
    const da = csvOf('damlbmp_zone', day(2026, 11, 1)).split('\r\n').filter((l) => l.includes(',CAPITL,'))
    expect(da.map((l) => l.slice(11, 16))).toEqual(['00:00', '01:00', '01:00', ...Array.from({ length: 22 }, (_, h) => `${String(h + 2).padStart(2, '0')}:00`)])
    const spring = csvOf('damlbmp_zone', day(2026, 3, 8)).split('\r\n').filter((l) => l.includes(',CAPITL,'))
    expect(spring.some((l) => l.slice(11, 13) === '02')).toBe(false)
    expect(nyisoStamp(Date.parse('2026-03-08T07:00:00Z'), true)).toBe('03/08/2026 03:00:00')
  })

  it('zips a month as daily CSVs that parse one by one', async () => {
    const days = [22, 23].map((d) => ({ date: `202609${d}`, ...day(2026, 9, d) }))
    const zip = await nyisoMonthZip(model, 'damlbmp_zone', ZONES, days, new Date('2026-09-30T00:00:00Z'))
    const docs = unpackPayload(zip, '20260901damlbmp_zone_csv.zip')
    expect(docs.map((d) => d.file)).toEqual(['20260901damlbmp_zone_csv.zip!20260922damlbmp_zone.csv', '20260901damlbmp_zone_csv.zip!20260923damlbmp_zone.csv'])
    expect(docs[1]!.text).toBe(csvOf('damlbmp_zone', day(2026, 9, 23)))
    const records = docs.flatMap((d) => parse('damlbmp_zone', d.text).records)
    expect(records).toHaveLength(2 * 24 * 15)
  })

  it('breaks a file the way a failure mode says', () => {
    const text = csvOf('realtime_zone', { start: day(2026, 9, 23).start, end: day(2026, 9, 23).start + 3_600_000 })
    expect(() => parse('realtime_zone', breakNyisoCsv(text, 'changed-header')!)).toThrow(/columns/)
    const bad = parse('realtime_zone', breakNyisoCsv(text, 'non-numeric')!)
    expect(bad.errors).toEqual([{ file: 'realtime_zone.csv', line: 2, field: 'LBMP ($/MWHr)', value: 'N/A', reason: 'not a number' }])
    expect(parse('realtime_zone', breakNyisoCsv(text, 'duplicate-edges')!)).toMatchObject({ errors: [], records: { length: 15 * 12 } })
    expect(breakNyisoCsv(text, 'unknown-node')).toBeNull()
  })
})
