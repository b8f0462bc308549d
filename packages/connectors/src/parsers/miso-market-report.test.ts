import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import { parseMisoMarketReport } from './miso-market-report.ts'

const DA_FILE = 'miso_da_expost_lmp_20260714_hubs.csv'
const RT_FILE = 'miso_rt_lmp_final_20260926_hubs_interfaces.csv'
const da = readFixture(DA_FILE)
const rt = readFixture(RT_FILE)

const round4 = (x: number) => Math.round(x * 1e4) / 1e4
const meanLmp = (records: PriceRecord[], node: string) => {
  const lmps = records.filter((r) => r.node === node).map((r) => r.lmp)
  expect(lmps).toHaveLength(24)
  return round4(lmps.reduce((a, b) => a + b, 0) / lmps.length)
}
/** The text with line `n` (1-based) replaced. */
const withLine = (text: string, n: number, edit: (line: string) => string) =>
  text
    .split('\n')
    .map((line, i) => (i === n - 1 ? edit(line) : line))
    .join('\n')

describe('MISO day-ahead ex-post report', () => {
  const result = parseMisoMarketReport(da, DA_FILE, 'da_expost_lmp')

  it('reads every node and hour without issues', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(3 * 24)
    for (const record of result.records) PriceRecord.parse(record)
    expect(new Set(result.records.map((r) => r.run))).toEqual(new Set(['DA']))
    expect(new Set(result.records.map((r) => r.source))).toEqual(new Set(['miso.da_expost_lmp']))
  })

  it('reproduces the published INDIANA.HUB daily mean', () => {
    expect(meanLmp(result.records, 'INDIANA.HUB')).toBe(140.8904)
  })

  it('maps HE 1 of 07/14/2026 (EST) to 05:00 UTC and HE 24 to the next day 04:00 UTC', () => {
    const indiana = result.records.filter((r) => r.node === 'INDIANA.HUB')
    expect(indiana[0]).toMatchObject({ intervalStart: '2026-07-14T05:00:00.000Z', intervalEnd: '2026-07-14T06:00:00.000Z' })
    expect(indiana[23]).toMatchObject({ intervalStart: '2026-07-15T04:00:00.000Z', intervalEnd: '2026-07-15T05:00:00.000Z' })
  })

  it('merges LMP, MCC and MLC rows and derives energy = LMP - MCC - MLC', () => {
    const he1 = result.records.find((r) => r.node === 'INDIANA.HUB')
    expect(he1).toEqual({
      market: 'MISO',
      node: 'INDIANA.HUB',
      run: 'DA',
      intervalStart: '2026-07-14T05:00:00.000Z',
      intervalEnd: '2026-07-14T06:00:00.000Z',
      lmp: 37.82,
      energy: 34.62, // not 34.620000000000005
      congestion: 1.65,
      loss: 1.55,
      ghg: null,
      source: 'miso.da_expost_lmp',
      publishedAt: null,
    })
    // `.92` style numbers (DA files) are read: ILLINOIS.HUB HE 2 MCC is ".92", MLC "-.03".
    const illinois = result.records.filter((r) => r.node === 'ILLINOIS.HUB')[1]
    expect(illinois).toMatchObject({ lmp: 28.52, congestion: 0.92, loss: -0.03, energy: 27.63 })
  })

  it('returns the node catalogue', () => {
    expect(result.nodes).toEqual([
      { name: 'ILLINOIS.HUB', type: 'hub' },
      { name: 'INDIANA.HUB', type: 'hub' },
      { name: 'MICHIGAN.HUB', type: 'hub' },
    ])
  })

  it('reads CRLF line endings the same way', () => {
    expect(parseMisoMarketReport(da.replace(/\n/g, '\r\n'), DA_FILE, 'da_expost_lmp')).toEqual(result)
  })
})

describe('MISO real-time final report', () => {
  const result = parseMisoMarketReport(rt, RT_FILE, 'rt_lmp_final')

  it('reproduces the published hub means', () => {
    expect(result.errors).toEqual([])
    expect(meanLmp(result.records, 'INDIANA.HUB')).toBe(29.9404)
    expect(meanLmp(result.records, 'MINN.HUB')).toBe(27.0133)
  })

  it('gives hourly real-time records (RTH) from the unpadded date 9/26/2026', () => {
    expect(result.records).toHaveLength(22 * 24)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records[0]).toMatchObject({
      node: 'AECI',
      run: 'RTH',
      source: 'miso.rt_lmp_final',
      intervalStart: '2026-09-26T05:00:00.000Z',
      intervalEnd: '2026-09-26T06:00:00.000Z',
    })
  })

  it('components add up to the LMP', () => {
    for (const r of result.records) expect(r.energy! + r.congestion! + r.loss!).toBeCloseTo(r.lmp, 9)
  })

  it('maps Hub, Loadzone and Interface types', () => {
    const types = Object.fromEntries((result.nodes ?? []).map((n) => [n.name, n.type]))
    expect(types).toMatchObject({ 'INDIANA.HUB': 'hub', 'ALTE.ALTE': 'zone', 'CIN.PSI': 'zone', SWPP: 'interface' })
    expect(result.nodes).toHaveLength(22)
  })

  it('labels preliminary files with their own source', () => {
    const prelim = parseMisoMarketReport(rt, 'x_rt_lmp_prelim.csv', 'rt_lmp_prelim')
    expect(new Set(prelim.records.map((r) => r.source))).toEqual(new Set(['miso.rt_lmp_prelim']))
  })

  it('maps Gennode to generator', () => {
    const gen = rt
      .split('\n')
      .slice(0, 5)
      .concat('ALTE.KPOWER,Gennode,LMP,' + Array(24).fill('10.5').join(','))
      .join('\n')
    const parsed = parseMisoMarketReport(gen, 'gen.csv', 'rt_lmp_final')
    expect(parsed.nodes).toEqual([{ name: 'ALTE.KPOWER', type: 'generator' }])
    expect(parsed.records[0]).toMatchObject({ lmp: 10.5, energy: null, congestion: null, loss: null })
  })
})

describe('MISO report: bad rows are issues, the rest is read', () => {
  it('reports a truncated last row and still reads the others', () => {
    const cut = da.slice(0, da.lastIndexOf(',5.23')) // the file ends mid-way through MICHIGAN.HUB MLC
    const result = parseMisoMarketReport(cut, DA_FILE, 'da_expost_lmp')
    expect(result.errors).toEqual([
      { file: DA_FILE, line: 14, field: 'HE 24', value: '', reason: 'row has 26 of 27 columns (truncated?)' },
    ])
    expect(result.records).toHaveLength(72)
    const michigan = result.records.filter((r) => r.node === 'MICHIGAN.HUB')
    expect(michigan.every((r) => r.loss === null && r.energy === null && r.congestion === null)).toBe(true)
    expect(result.records.find((r) => r.node === 'INDIANA.HUB')?.loss).toBe(1.55)
  })

  it('reports a non-numeric value with line, field and value and drops only that hour', () => {
    // line 7 is INDIANA.HUB LMP; its HE 5 is "29"
    const bad = withLine(da, 7, (line) => line.replace(',28.85,29,', ',28.85,n/a,'))
    const result = parseMisoMarketReport(bad, DA_FILE, 'da_expost_lmp')
    expect(result.errors).toEqual([{ file: DA_FILE, line: 7, field: 'HE 5', value: 'n/a', reason: 'not a number' }])
    expect(result.records).toHaveLength(71)
    const indiana = result.records.filter((r) => r.node === 'INDIANA.HUB')
    expect(indiana.map((r) => r.intervalStart)).not.toContain('2026-07-14T09:00:00.000Z')
  })

  it('reports an empty cell as not a number', () => {
    const bad = withLine(da, 6, (line) => line.replace(',36.24,', ',,'))
    expect(parseMisoMarketReport(bad, DA_FILE, 'da_expost_lmp').errors).toMatchObject([{ line: 6, field: 'HE 1', value: '' }])
  })

  it('reports an unknown Type or Value', () => {
    const badType = withLine(da, 6, (line) => line.replace(',Hub,', ',Pnode,'))
    const result = parseMisoMarketReport(badType, DA_FILE, 'da_expost_lmp')
    // ILLINOIS.HUB lost its LMP row: its MCC/MLC rows give no record, and that is reported too
    expect(result.errors).toMatchObject([
      { file: DA_FILE, line: 6, field: 'Type', value: 'Pnode' },
      { file: DA_FILE, line: 9, field: 'Value', reason: 'no LMP row for ILLINOIS.HUB' },
    ])
    expect(result.records.filter((r) => r.node === 'ILLINOIS.HUB')).toEqual([])
    expect(result.records).toHaveLength(48)

    const badValue = withLine(da, 9, (line) => line.replace(',MCC,', ',MEC,'))
    expect(parseMisoMarketReport(badValue, DA_FILE, 'da_expost_lmp').errors).toMatchObject([
      { line: 9, field: 'Value', value: 'MEC' },
    ])
  })

  it('collapses an identical repeated row and reports a conflicting one', () => {
    const lines = da.trimEnd().split('\n')
    const repeat = [...lines, lines[6]!].join('\n')
    expect(parseMisoMarketReport(repeat, DA_FILE, 'da_expost_lmp')).toMatchObject({ errors: [], records: { length: 72 } })
    const conflict = [...lines, lines[6]!.replace(',37.82,', ',99,')].join('\n')
    const result = parseMisoMarketReport(conflict, DA_FILE, 'da_expost_lmp')
    expect(result.errors).toMatchObject([{ line: 15, field: 'Value', value: 'LMP' }])
    expect(result.records.find((r) => r.node === 'INDIANA.HUB')?.lmp).toBe(37.82)
  })
})

describe('MISO report: an unusable file is a ParseError', () => {
  it('names a changed header', () => {
    const error = thrown(() =>
      parseMisoMarketReport(
        withLine(da, 5, (l) => l.replace('HE 3,', 'HE03,')),
        DA_FILE,
        'da_expost_lmp'
      )
    )
    expect(error).toMatchObject({ file: DA_FILE, line: 5, field: 'HE 3', value: 'HE03' })
    expect(error.message).toContain('header changed')
    const extraHour = thrown(() =>
      parseMisoMarketReport(
        withLine(da, 5, (l) => `${l},HE 25`),
        DA_FILE,
        'da_expost_lmp'
      )
    )
    expect(extraHour).toMatchObject({ line: 5, field: 'column 28', value: 'HE 25' })
  })

  it('rejects an HTML page', () => {
    const html = '<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body>Please retry</body></html>'
    const error = thrown(() => parseMisoMarketReport(html, DA_FILE, 'da_expost_lmp'))
    expect(error).toMatchObject({ file: DA_FILE, line: 1, field: '(file)' })
    expect(error.reason).toMatch(/HTML page/)
  })

  it('rejects an empty file', () => {
    expect(thrown(() => parseMisoMarketReport('', DA_FILE, 'da_expost_lmp')).reason).toBe('empty file')
    expect(thrown(() => parseMisoMarketReport('\n\r\n  \n', DA_FILE, 'da_expost_lmp')).reason).toBe('empty file')
  })

  it('rejects the wrong report, a bad date and a changed time-zone note', () => {
    expect(thrown(() => parseMisoMarketReport(da, DA_FILE, 'rt_lmp_final'))).toMatchObject({ line: 1, field: 'title' })
    expect(
      thrown(() =>
        parseMisoMarketReport(
          withLine(da, 2, () => '2026-07-14'),
          DA_FILE,
          'da_expost_lmp'
        )
      )
    ).toMatchObject({
      line: 2,
      field: 'date',
      value: '2026-07-14',
    })
    expect(
      thrown(() =>
        parseMisoMarketReport(
          withLine(da, 2, () => '02/30/2026'),
          DA_FILE,
          'da_expost_lmp'
        )
      )
    ).toMatchObject({ line: 2 })
    const edt = withLine(da, 4, () => ',,,All Hours-Ending are Eastern Daylight Time (EDT)')
    expect(thrown(() => parseMisoMarketReport(edt, DA_FILE, 'da_expost_lmp'))).toMatchObject({ line: 4, field: 'preamble' })
  })
})
