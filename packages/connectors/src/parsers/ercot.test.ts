import { readFileSync } from 'node:fs'
import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { FIXTURE_DIR } from '../fixtures.ts'
import { unpackPayload } from '../payload.ts'
import { readFixture, thrown } from '../test-helpers.ts'
import { ERCOT_DAM_SPP_HEADER, ercotDamNodeType, parseErcotDamSpp, parseErcotRtSpp, type ErcotResult } from './ercot.ts'

const DAM_ZIP = 'ercot/ercot_np4-190_dam_spp_20260612_DAMSPNP4190_csv.zip'
const DAM_ENTRY = 'cdr.00012331.0000000000000000.20260611.125132.DAMSPNP4190.csv'
const DAM_EXCERPT = 'ercot/ercot_np4-190_dam_spp_20260612_EXCERPT_hubs_loadzones.csv'
const DAM_FALL_BACK = 'ercot/ercot_np4-190_dam_spp_20251102_fall_back_DOCUMENTED_LAYOUT.csv'
const RT_ZIP = 'ercot/ercot_np6-905_rt_spp_20260611_1330_SPPHLZNP6905_csv.zip'
const RT_ENTRY = 'cdr.00012301.0000000000000000.20260611.133201.SPPHLZNP6905_20260611_1330.csv'
const RT_CSV = 'ercot/ercot_np6-905_rt_spp_20260611_HE14_int2.csv'

const readBytes = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURE_DIR)))
const excerpt = readFixture(DAM_EXCERPT)
const rtCsv = readFixture(RT_CSV)

const HOUR = 3_600_000
const isoAt = (ms: number) => new Date(ms).toISOString()
const at = (result: ErcotResult, node: string, intervalStart: string) =>
  result.records.find((r) => r.node === node && r.intervalStart === intervalStart)
const startsOf = (result: ErcotResult, node: string) => result.records.filter((r) => r.node === node).map((r) => r.intervalStart)
/** The text with line `n` (1-based) edited. */
const withLine = (text: string, n: number, edit: (line: string) => string) =>
  text
    .split('\n')
    .map((line, i) => (i === n - 1 ? edit(line) : line))
    .join('\n')
/** Cell `column` of line `n` replaced. */
const withCell = (text: string, n: number, column: number, value: string) =>
  withLine(text, n, (line) => line.split(',').map((cell, i) => (i === column ? value : cell)).join(','))
/** Every data cell quoted: the same content, read by splitCsvLine instead of in place. */
const quoted = (text: string) =>
  text
    .split('\n')
    .map((line, i) => (i === 0 || line === '' ? line : line.split(',').map((cell) => `"${cell}"`).join(',')))
    .join('\n')

describe('ERCOT DAM settlement point prices (NP4-190-CD)', () => {
  const [doc, ...others] = unpackPayload(readBytes(DAM_ZIP), DAM_ZIP)
  const whole = parseErcotDamSpp(doc!.text, doc!.file)
  const part = parseErcotDamSpp(excerpt, DAM_EXCERPT)

  it('reads the whole zip: 26,664 rows, 1,111 points x 24 hours, no issue', () => {
    expect(others).toEqual([])
    expect(doc!.file).toBe(`${DAM_ZIP}!${DAM_ENTRY}`)
    expect(whole.errors).toEqual([])
    expect(whole.records).toHaveLength(26_664)
    expect(whole.nodes).toHaveLength(1_111)
    for (const record of whole.records) PriceRecord.parse(record)
    expect(new Set(whole.records.map((r) => `${r.run} ${r.source} ${r.market}`))).toEqual(new Set(['DA ercot.dam_spp ERCOT']))
    // 24 hours of 2026-06-12 CDT (UTC-5): 05:00Z .. next day 04:00Z, for every point.
    const hours = Array.from({ length: 24 }, (_, h) => isoAt(Date.UTC(2026, 5, 12, 5 + h)))
    expect(startsOf(whole, 'HB_NORTH')).toEqual(hours)
    expect(startsOf(whole, 'ZIER_SLR_ALL')).toEqual(hours)
  })

  it('gives the documented prices at their UTC hours', () => {
    expect(at(whole, 'HB_NORTH', '2026-06-12T09:00:00.000Z')).toEqual({
      market: 'ERCOT',
      node: 'HB_NORTH',
      run: 'DA',
      intervalStart: '2026-06-12T09:00:00.000Z', // hour ending 05:00 CDT
      intervalEnd: '2026-06-12T10:00:00.000Z',
      lmp: 32.84,
      energy: null,
      congestion: null,
      loss: null,
      ghg: null,
      source: 'ercot.dam_spp',
      publishedAt: null,
    })
    expect(at(whole, 'HB_HOUSTON', '2026-06-12T22:00:00.000Z')?.lmp).toBe(36.74) // HE 18:00
    expect(at(whole, 'HB_HUBAVG', '2026-06-13T04:00:00.000Z')).toMatchObject({ lmp: 29.78, intervalEnd: '2026-06-13T05:00:00.000Z' }) // HE 24:00
    // The first and last rows of the file (leading-space prices).
    expect(at(whole, '7RNCHSLR_ALL', '2026-06-12T05:00:00.000Z')?.lmp).toBe(35.06)
    expect(at(whole, 'ZIER_SLR_ALL', '2026-06-13T04:00:00.000Z')?.lmp).toBe(31.08)
  })

  it('types the points: HB_* hubs, LZ_* and DC ties zones, the rest resource nodes', () => {
    const count = (type: string) => whole.nodes.filter((n) => n.type === type).length
    expect([count('hub'), count('zone'), count('generator')]).toEqual([7, 12, 1_092])
    expect(whole.nodes.filter((n) => n.type === 'hub').map((n) => n.name)).toEqual([
      'HB_BUSAVG',
      'HB_HOUSTON',
      'HB_HUBAVG',
      'HB_NORTH',
      'HB_PAN',
      'HB_SOUTH',
      'HB_WEST',
    ])
    expect(whole.nodes.filter((n) => n.type === 'zone' && !n.name.startsWith('LZ_')).map((n) => n.name)).toEqual(['DC_E', 'DC_L', 'DC_N', 'DC_R'])
    expect(ercotDamNodeType('DC_SOLAR_RN')).toBe('generator')
  })

  it('types every point as the real-time file (which names the types) does', () => {
    const rt = parseErcotRtSpp(rtCsv, RT_CSV)
    const rtTypes = new Map(rt.nodes.map((n) => [n.name, n.type]))
    for (const node of whole.nodes) expect([node.name, rtTypes.get(node.name)]).toEqual([node.name, node.type])
  })

  it('gives every record a one-hour interval', () => {
    for (const r of whole.records) expect(Date.parse(r.intervalEnd) - Date.parse(r.intervalStart)).toBe(HOUR)
  })

  it('reads the excerpt to the same records as the zip', () => {
    expect(part.errors).toEqual([])
    expect(part.records).toHaveLength(360)
    expect(part.nodes.map((n) => n.name)).toHaveLength(15)
    const fromZip = whole.records.filter((r) => r.node.startsWith('HB_') || r.node.startsWith('LZ_'))
    expect(part.records).toEqual(fromZip)
  })

  it('reads quoted cells (the split path) and CRLF line ends to the same result', () => {
    expect(parseErcotDamSpp(quoted(excerpt), DAM_EXCERPT)).toEqual(part)
    expect(parseErcotDamSpp(excerpt.replace(/\n/g, '\r\n'), DAM_EXCERPT)).toEqual(part)
  })
})

describe('ERCOT DAM across the clock changes', () => {
  it('tells the two hours ending 02:00 of the fall-back day apart by DSTFlag (documented layout)', () => {
    const text = readFixture(DAM_FALL_BACK)
    const result = parseErcotDamSpp(text, DAM_FALL_BACK)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(75)
    // 25 hours, one hour apart, 2025-11-02 00:00 CDT (05:00Z) .. 23:00 CST (2025-11-03T05:00Z).
    const hours = Array.from({ length: 25 }, (_, h) => isoAt(Date.UTC(2025, 10, 2, 5 + h)))
    for (const node of ['7RNCHSLR_ALL', 'HB_NORTH', 'LZ_HOUSTON']) expect(startsOf(result, node)).toEqual(hours)
    // The invented prices count the hours in time order: 31.25 for the first .. 55.25 for the 25th.
    expect(result.records.filter((r) => r.node === 'HB_NORTH').map((r) => r.lmp)).toEqual(hours.map((_, n) => 31.25 + n))
    expect(at(result, 'HB_NORTH', '2025-11-02T06:00:00.000Z')).toMatchObject({ lmp: 32.25, intervalEnd: '2025-11-02T07:00:00.000Z' }) // HE 02:00 N: 01:00 CDT
    expect(at(result, 'HB_NORTH', '2025-11-02T07:00:00.000Z')).toMatchObject({ lmp: 33.25, intervalEnd: '2025-11-02T08:00:00.000Z' }) // HE 02:00 Y: 01:00 CST
    expect(at(result, 'HB_NORTH', '2025-11-02T08:00:00.000Z')?.lmp).toBe(34.25) // HE 03:00: 02:00 CST
    for (const record of result.records) PriceRecord.parse(record)

    // Row order does not decide: the Y rows first give the same records.
    const lines = text.trimEnd().split('\n')
    const yFirst = [lines[0], ...lines.slice(7, 10), ...lines.slice(4, 7), ...lines.slice(1, 4), ...lines.slice(10)].join('\n')
    expect(parseErcotDamSpp(yFirst, DAM_FALL_BACK).records).toEqual(result.records)
  })

  it('builds a 25-hour fall-back day from the real file (2026-11-01)', () => {
    const lines = excerpt.trimEnd().split('\n').map((line) => line.replace('06/12/2026', '11/01/2026'))
    const repeat = lines.filter((line) => line.includes(',02:00,')).map((line) => line.replace(/,N$/, ',Y').replace(/, (\d+)\.(\d+)/, ', 1$1.$2'))
    const result = parseErcotDamSpp([...lines, ...repeat].join('\n'), 'fall-back.csv')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(15 * 25)
    const starts = startsOf(result, 'HB_NORTH')
    expect(starts).toEqual(Array.from({ length: 25 }, (_, h) => isoAt(Date.UTC(2026, 10, 1, 5 + h))))
    const first = at(result, 'HB_NORTH', '2026-11-01T06:00:00.000Z')!.lmp
    expect(at(result, 'HB_NORTH', '2026-11-01T07:00:00.000Z')!.lmp).toBe(100 + first) // the Y copy, price + 100
  })

  it('reads a 23-hour spring day without hour ending 03:00, and reports a row that names it', () => {
    const lines = excerpt.trimEnd().split('\n').map((line) => line.replace('06/12/2026', '03/08/2026'))
    const spring = lines.filter((line) => !line.includes(',03:00,')).join('\n')
    const result = parseErcotDamSpp(spring, 'spring.csv')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(15 * 23)
    // 00:00 CST (06:00Z), 01:00 CST (07:00Z), then 03:00 CDT (08:00Z) .. 23:00 CDT (04:00Z).
    expect(startsOf(result, 'HB_NORTH')).toEqual(Array.from({ length: 23 }, (_, h) => isoAt(Date.UTC(2026, 2, 8, 6 + h))))
    const he02 = lines.find((line) => line.startsWith('03/08/2026,02:00,HB_NORTH,'))!
    const he04 = lines.find((line) => line.startsWith('03/08/2026,04:00,HB_NORTH,'))!
    expect(at(result, 'HB_NORTH', '2026-03-08T07:00:00.000Z')!.lmp).toBe(Number(he02.split(',')[3]))
    expect(at(result, 'HB_NORTH', '2026-03-08T08:00:00.000Z')!.lmp).toBe(Number(he04.split(',')[3]))

    const withGap = parseErcotDamSpp(lines.join('\n'), 'spring.csv')
    expect(withGap.records).toEqual(result.records)
    expect(withGap.errors).toHaveLength(15)
    expect(withGap.errors[0]).toEqual({
      file: 'spring.csv',
      line: 32,
      field: 'HourEnding',
      value: '03:00',
      reason: 'names an interval starting 2026-03-08 02:00 Central, which does not exist (spring-forward gap)',
    })
  })

  it('reports a DSTFlag Y on an hour that is not repeated', () => {
    const result = parseErcotDamSpp(withCell(excerpt, 2, 4, 'Y'), DAM_EXCERPT)
    expect(result.errors).toEqual([
      {
        file: DAM_EXCERPT,
        line: 2,
        field: 'DSTFlag',
        value: 'Y',
        reason: 'DSTFlag Y marks the repeated hour of the fall-back day, but 2026-06-12 00:00 Central is not repeated',
      },
    ])
    expect(result.records).toHaveLength(359)
  })
})

describe('ERCOT real-time settlement point prices (NP6-905-CD)', () => {
  const [doc, ...others] = unpackPayload(readBytes(RT_ZIP), RT_ZIP)
  const fromZip = parseErcotRtSpp(doc!.text, doc!.file)
  const result = parseErcotRtSpp(rtCsv, RT_CSV)

  it('reads every row of the zip and of the CSV, one 15-minute interval', () => {
    expect(others).toEqual([])
    expect(doc!.file).toBe(`${RT_ZIP}!${RT_ENTRY}`)
    expect(doc!.text).toBe(rtCsv)
    expect(fromZip.errors).toEqual([])
    expect(fromZip.records).toHaveLength(1_123)
    expect(result).toEqual(fromZip)
    for (const record of result.records) PriceRecord.parse(record)
    // Hour ending 14, quarter 2 of 2026-06-11: 13:15-13:30 CDT.
    expect(new Set(result.records.map((r) => `${r.intervalStart} ${r.intervalEnd} ${r.run} ${r.source}`))).toEqual(
      new Set(['2026-06-11T18:15:00.000Z 2026-06-11T18:30:00.000Z RT15 ercot.rt_spp'])
    )
  })

  it('gives the documented prices', () => {
    expect(at(result, 'HB_NORTH', '2026-06-11T18:15:00.000Z')).toEqual({
      market: 'ERCOT',
      node: 'HB_NORTH',
      run: 'RT15',
      intervalStart: '2026-06-11T18:15:00.000Z',
      intervalEnd: '2026-06-11T18:30:00.000Z',
      lmp: 21.73,
      energy: null,
      congestion: null,
      loss: null,
      ghg: null,
      source: 'ercot.rt_spp',
      publishedAt: null,
    })
    const lmp = (node: string) => result.records.find((r) => r.node === node)?.lmp
    expect([lmp('HB_HOUSTON'), lmp('HB_HUBAVG'), lmp('LZ_WEST'), lmp('LZ_WEST_EW')]).toEqual([34.53, 17.3, -3.15, -3.15])
  })

  it('keeps both load-zone prices: LZ under the name, LZEW as <name>_EW', () => {
    const lmp = (node: string) => result.records.find((r) => r.node === node)?.lmp
    expect([lmp('LZ_LCRA'), lmp('LZ_LCRA_EW')]).toEqual([22.65, 22.66]) // the one zone where they differ
    expect([lmp('DC_E'), lmp('DC_E_EW')]).toEqual([21.3, 21.3])
    const ew = result.nodes.filter((n) => n.name.endsWith('_EW'))
    expect(ew.map((n) => n.name)).toEqual([
      'DC_E_EW',
      'DC_L_EW',
      'DC_N_EW',
      'DC_R_EW',
      'LZ_AEN_EW',
      'LZ_CPS_EW',
      'LZ_HOUSTON_EW',
      'LZ_LCRA_EW',
      'LZ_NORTH_EW',
      'LZ_RAYBN_EW',
      'LZ_SOUTH_EW',
      'LZ_WEST_EW',
    ])
    expect(new Set(ew.map((n) => n.type))).toEqual(new Set(['zone']))
    expect(result.nodes).toHaveLength(1_123)
  })

  it('maps settlement point types to node types', () => {
    const count = (type: string) => result.nodes.filter((n) => n.type === type).length
    expect([count('hub'), count('zone'), count('generator')]).toEqual([7, 24, 1_092])
    const type = (name: string) => result.nodes.find((n) => n.name === name)?.type
    expect([type('HB_BUSAVG'), type('HB_HUBAVG'), type('LZ_WEST'), type('DC_E'), type('AMOCO_PUN1'), type('7RNCHSLR_ALL')]).toEqual([
      'hub',
      'hub',
      'zone',
      'zone',
      'generator',
      'generator',
    ])
  })

  it('reads quoted cells (the split path) and CRLF line ends to the same result', () => {
    expect(parseErcotRtSpp(quoted(rtCsv), RT_CSV)).toEqual(result)
    expect(parseErcotRtSpp(rtCsv.replace(/\n/g, '\r\n'), RT_CSV)).toEqual(result)
  })
})

describe('ERCOT real-time across the clock changes', () => {
  const header = rtCsv.slice(0, rtCsv.indexOf('\n'))
  /** HB_NORTH rows in the real file's layout; the price is the row's position, 1-based. */
  const day = (date: string, quarters: [hour: number, quarter: number, flag: string][]) =>
    [header, ...quarters.map(([h, q, flag], i) => `${date},${h},${q},HB_NORTH,HU,${i + 1},${flag}`)].join('\n') + '\n'
  const allQuarters = (hours: number[]) => hours.flatMap((h) => [1, 2, 3, 4].map((q) => [h, q, 'N'] as [number, number, string]))

  it('gives the fall-back day 100 quarters, hour ending 2 twice (N daylight, Y standard)', () => {
    const quarters = allQuarters(Array.from({ length: 24 }, (_, i) => i + 1))
    quarters.splice(8, 0, [2, 1, 'Y'], [2, 2, 'Y'], [2, 3, 'Y'], [2, 4, 'Y'])
    const result = parseErcotRtSpp(day('11/01/2026', quarters), 'rt-fall-back.csv')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(100)
    const start = Date.UTC(2026, 10, 1, 5)
    expect(result.records.map((r) => r.intervalStart)).toEqual(Array.from({ length: 100 }, (_, i) => isoAt(start + i * 15 * 60_000)))
    expect(result.records.map((r) => r.lmp)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1)) // file order = time order
    expect(at(result, 'HB_NORTH', '2026-11-01T06:45:00.000Z')?.lmp).toBe(8) // hour 2 quarter 4, N: 01:45 CDT
    expect(at(result, 'HB_NORTH', '2026-11-01T07:00:00.000Z')?.lmp).toBe(9) // hour 2 quarter 1, Y: 01:00 CST
  })

  it('gives the spring day 92 quarters and reports hour ending 3', () => {
    const quarters = allQuarters([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24])
    const result = parseErcotRtSpp(day('03/08/2026', quarters), 'rt-spring.csv')
    expect(result.records).toHaveLength(92)
    expect(result.errors.map((e) => [e.line, e.field, e.value])).toEqual([
      [10, 'DeliveryHour', '3'],
      [11, 'DeliveryHour', '3'],
      [12, 'DeliveryHour', '3'],
      [13, 'DeliveryHour', '3'],
    ])
    expect(result.errors[1]!.reason).toBe('names an interval starting 2026-03-08 02:15 Central, which does not exist (spring-forward gap)')
    const start = Date.UTC(2026, 2, 8, 6)
    expect(result.records.map((r) => r.intervalStart)).toEqual(Array.from({ length: 92 }, (_, i) => isoAt(start + i * 15 * 60_000)))
    expect(at(result, 'HB_NORTH', '2026-03-08T08:00:00.000Z')?.lmp).toBe(13) // hour ending 4 quarter 1: 03:00 CDT
  })
})

describe('ERCOT bad files and bad rows', () => {
  it('throws on a changed header, naming file, line, field and value', () => {
    const renamed = thrown(() => parseErcotDamSpp(excerpt.replace('SettlementPointPrice', 'SettlementPointPrices'), DAM_EXCERPT))
    expect([renamed.file, renamed.line, renamed.field, renamed.value]).toEqual([DAM_EXCERPT, 1, 'SettlementPointPrice', 'SettlementPointPrices'])
    expect(renamed.message).toBe(
      `${DAM_EXCERPT} line 1, SettlementPointPrice: header changed: expected NP4-190-CD DAM settlement point price columns "${ERCOT_DAM_SPP_HEADER.join(',')}" (found "SettlementPointPrices")`
    )
    const noFlag = thrown(() => parseErcotDamSpp(excerpt.replace(',DSTFlag\n', '\n'), DAM_EXCERPT))
    expect([noFlag.field, noFlag.value]).toEqual(['DSTFlag', ''])
    // The RT header given to the DAM parser, and the other way round.
    expect(thrown(() => parseErcotDamSpp(rtCsv, RT_CSV)).field).toBe('HourEnding')
    const swapped = thrown(() => parseErcotRtSpp(excerpt, DAM_EXCERPT))
    expect([swapped.field, swapped.value]).toEqual(['DeliveryHour', 'HourEnding'])
    expect(swapped.message).toContain('NP6-905-CD real-time settlement point price columns')
    const extra = thrown(() => parseErcotRtSpp(rtCsv.replace(',DSTFlag\n', ',DSTFlag,RepeatedHourFlag\n'), RT_CSV))
    expect([extra.field, extra.value]).toEqual(['column 8', 'RepeatedHourFlag'])
  })

  it('throws on an HTML page and on an empty body', () => {
    const html = '<!DOCTYPE html>\n<html><head><title>ERCOT - Service Unavailable</title></head><body>Try again later</body></html>\n'
    for (const parse of [parseErcotDamSpp, parseErcotRtSpp]) {
      const page = thrown(() => parse(html, 'answer.csv'))
      expect(page.message).toMatch(/^answer\.csv line 1, \(file\): an HTML page instead of data/)
      const empty = thrown(() => parse(' \r\n', 'empty.csv'))
      expect(empty.message).toBe('empty.csv line 1, (file): empty file (found " \\r\\n")')
    }
  })

  it('reports bad DAM rows with line, field and value and keeps the rest', () => {
    let text = excerpt
    text = withCell(text, 2, 3, ' N/A')
    text = withCell(text, 3, 0, '2026-06-12')
    text = withCell(text, 4, 1, '25:00')
    text = withCell(text, 5, 4, 'X')
    text = withCell(text, 6, 2, ' ')
    text = withLine(text, 7, (line) => line.slice(0, line.lastIndexOf(','))) // truncated
    text = withLine(text, 8, (line) => `${line},extra`)
    text = `${text}06/12/2026,01:00,LZ_AEN, 99.99,N\n`
    const result = parseErcotDamSpp(text, DAM_EXCERPT)
    expect(result.errors).toEqual([
      { file: DAM_EXCERPT, line: 2, field: 'SettlementPointPrice', value: 'N/A', reason: 'not a number' },
      { file: DAM_EXCERPT, line: 3, field: 'DeliveryDate', value: '2026-06-12', reason: 'not a MM/DD/YYYY date' },
      { file: DAM_EXCERPT, line: 4, field: 'HourEnding', value: '25:00', reason: 'not an hour ending 01:00..24:00' },
      { file: DAM_EXCERPT, line: 5, field: 'DSTFlag', value: 'X', reason: 'expected N or Y' },
      { file: DAM_EXCERPT, line: 6, field: 'SettlementPoint', value: '', reason: 'node name is empty' },
      { file: DAM_EXCERPT, line: 7, field: 'DSTFlag', value: '', reason: 'row has 4 of 5 columns (truncated?)' },
      { file: DAM_EXCERPT, line: 8, field: 'column 6', value: 'extra', reason: 'row has more than 5 columns' },
      {
        file: DAM_EXCERPT,
        line: 362,
        field: 'SettlementPointPrice',
        value: '99.99',
        reason: 'second price for LZ_AEN at 2026-06-12T05:00:00.000Z (line 9: 35.07 kept)',
      },
    ])
    expect(result.records).toHaveLength(360 - 7)
    expect(at(result, 'LZ_AEN', '2026-06-12T05:00:00.000Z')?.lmp).toBe(35.07)
    // The same issues through the split path.
    expect(parseErcotDamSpp(quoted(text), DAM_EXCERPT)).toEqual(result)
  })

  it('reports bad real-time rows with line, field and value and keeps the rest', () => {
    let text = rtCsv
    text = withCell(text, 2, 4, 'XX')
    text = withCell(text, 3, 1, '0')
    text = withCell(text, 4, 2, '5')
    text = withCell(text, 5, 5, '')
    text = withCell(text, 6, 6, 'true')
    text = `${text}06/11/2026,14,2,HB_NORTH,HU,21.74,N\n06/11/2026,14,2,LZ_WEST,RN,1,N\n`
    const result = parseErcotRtSpp(text, RT_CSV)
    expect(result.errors).toEqual([
      {
        file: RT_CSV,
        line: 2,
        field: 'SettlementPointType',
        value: 'XX',
        reason: 'unknown settlement point type (expected HU, AH, SH, LZ, LZEW, LZ_DC, LZ_DCEW, RN, PCCRN, LCCRN, PUN)',
      },
      { file: RT_CSV, line: 3, field: 'DeliveryHour', value: '0', reason: 'not an hour ending 1..24' },
      { file: RT_CSV, line: 4, field: 'DeliveryInterval', value: '5', reason: 'not a quarter 1..4' },
      { file: RT_CSV, line: 5, field: 'SettlementPointPrice', value: '', reason: 'not a number' },
      { file: RT_CSV, line: 6, field: 'DSTFlag', value: 'true', reason: 'expected N or Y' },
      {
        file: RT_CSV,
        line: 1125,
        field: 'SettlementPointPrice',
        value: '21.74',
        reason: 'second price for HB_NORTH at 2026-06-11T18:15:00.000Z (line 465: 21.73 kept)',
      },
      { file: RT_CSV, line: 1126, field: 'SettlementPointType', value: 'RN', reason: 'LZ_WEST was listed as LZ on line 632' },
    ])
    expect(result.records).toHaveLength(1_123 - 5)
    expect(parseErcotRtSpp(quoted(text), RT_CSV)).toEqual(result)
  })
})

describe('ERCOT MIS document list', () => {
  it('lists the DAM zip first, with its size', () => {
    const list = JSON.parse(readFixture('ercot/ercot_mis_IceDocListJsonWS_reportTypeId12331_20260611.json')) as {
      ListDocsByRptTypeRes: { DocumentList: { Document: { DocID: string; ContentSize: string; FriendlyName: string } }[] }
    }
    const documents = list.ListDocsByRptTypeRes.DocumentList.map((d) => d.Document)
    expect(documents).toHaveLength(64)
    expect(documents[0]).toMatchObject({ DocID: '1237449739', ContentSize: '172055', FriendlyName: 'DAMSPNP4190_csv' })
    expect(readBytes(DAM_ZIP).length).toBe(172_055)
  })
})
