import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import { parseSppDaLmpSl, parseSppLmpSl, parseSppRtbmLmpSl, SPP_LMP_SL_HEADER_8, sppNodeType, type SppResult } from './spp.ts'

const DA_9 = 'spp/spp_da_lmp_sl_20260923_9col_REDUCED_hubs.csv'
const RTBM_8 = 'spp/spp_rtbm_lmp_sl_202503310840.csv'
const DA_FALL_BACK = 'spp/spp_da_lmp_sl_20251102_8col_DOCUMENTED_LAYOUT.csv'
const DA_SPRING = 'spp/spp_da_lmp_sl_20260308_8col_DOCUMENTED_LAYOUT.csv'
const RTBM_9 = 'spp/spp_rtbm_lmp_sl_202609231200_9col_DOCUMENTED_LAYOUT.csv'

const da9 = readFixture(DA_9)
const rtbm8 = readFixture(RTBM_8)

const isoAt = (ms: number) => new Date(ms).toISOString()
const at = (result: SppResult, node: string, intervalStart: string) =>
  result.records.find((r) => r.node === node && r.intervalStart === intervalStart)
const startsOf = (result: SppResult, node: string) => result.records.filter((r) => r.node === node).map((r) => r.intervalStart)
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
/** A 9-column file as the 8-column layout (BAA dropped). */
const without8 = (text: string) =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : line.split(',').filter((_, i) => i !== 2).join(',')))
    .join('\n')
/** An 8-column file as the 9-column layout (BAA `SPP` inserted). */
const withBaa = (text: string) =>
  text
    .split('\n')
    .map((line, i) => (line === '' ? line : line.split(',').flatMap((cell, j) => (j === 2 ? [i === 0 ? 'BAA' : 'SPP', cell] : [cell])).join(',')))
    .join('\n')
/** LMP = MEC + MCC + MLC to the 4 decimals SPP prints. */
const addsUp = (r: PriceRecord) => Math.round((r.energy! + r.congestion! + r.loss!) * 1e4) / 1e4 === r.lmp
/** The Central wall clock of an instant as SPP writes it (`MM/DD/YYYY HH:MM:SS`), from Intl, not from the parser. */
const central = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Chicago',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})
const sppCentral = (ms: number) => central.format(ms).replace(',', '')
const sppUtc = (ms: number) => isoAt(ms).replace(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2}).*$/, '$2/$3/$1 $4')

describe('SPP DA LMP by settlement location, 9 columns (real file)', () => {
  const result = parseSppDaLmpSl(da9, DA_9)

  it('reads every row: 57 records, 7 locations, the hubs for all 24 hours', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(57)
    for (const record of result.records) PriceRecord.parse(record)
    expect(new Set(result.records.map((r) => `${r.market} ${r.run} ${r.source}`))).toEqual(new Set(['SPP DA spp.da_lmp_sl']))
    // Hours ending 01:00 .. 24:00 CDT (UTC-5) of 2026-09-23: starts 05:00Z .. next day 04:00Z.
    const hours = Array.from({ length: 24 }, (_, h) => isoAt(Date.UTC(2026, 8, 23, 5 + h)))
    expect(startsOf(result, 'SPPNORTH_HUB')).toEqual(hours)
    expect(startsOf(result, 'SPPSOUTH_HUB')).toEqual(hours)
    expect(result.nodes).toEqual([
      { name: 'AEC', type: 'generator' },
      { name: 'AESO', type: 'generator' },
      { name: 'AVA', type: 'generator' },
      { name: 'AVRN', type: 'generator' },
      { name: 'CSWS_HUB', type: 'hub' },
      { name: 'SPPNORTH_HUB', type: 'hub' },
      { name: 'SPPSOUTH_HUB', type: 'hub' },
    ])
  })

  it('gives the documented values with their components', () => {
    expect(at(result, 'SPPNORTH_HUB', '2026-09-23T05:00:00.000Z')).toEqual({
      market: 'SPP',
      node: 'SPPNORTH_HUB',
      run: 'DA',
      intervalStart: '2026-09-23T05:00:00.000Z', // Interval 09/23/2026 01:00:00, GMT end 06:00:00
      intervalEnd: '2026-09-23T06:00:00.000Z',
      lmp: 15.8983,
      energy: 18.507,
      congestion: -1.4197,
      loss: -1.189,
      ghg: null,
      source: 'spp.da_lmp_sl',
      publishedAt: null,
    })
    expect(at(result, 'SPPSOUTH_HUB', '2026-09-23T21:00:00.000Z')?.lmp).toBe(70.4688) // Interval 17:00:00
    expect(at(result, 'SPPNORTH_HUB', '2026-09-23T21:00:00.000Z')).toMatchObject({ lmp: 28.912, congestion: -17.2046, energy: 49.4549 })
    expect(at(result, 'AVA', '2026-09-23T05:00:00.000Z')?.lmp).toBe(19.804) // BAA SWPW
  })

  it('has LMP = MEC + MCC + MLC on every row', () => {
    expect(result.records.filter((r) => !addsUp(r))).toEqual([])
  })

  it('reads the same rows in the 8-column layout (no BAA), quoted, and with CRLF', () => {
    expect(parseSppDaLmpSl(without8(da9), DA_9)).toEqual(result)
    expect(parseSppDaLmpSl(quoted(da9), DA_9)).toEqual(result)
    expect(parseSppDaLmpSl(da9.replace(/\n/g, '\r\n'), DA_9)).toEqual(result)
  })
})

describe('SPP RTBM LMP by settlement location', () => {
  const result = parseSppRtbmLmpSl(rtbm8, RTBM_8)

  it('reads the real 8-column file: 1,234 locations, one 5-minute interval', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(1_234)
    expect(result.nodes).toHaveLength(1_234)
    for (const record of result.records) PriceRecord.parse(record)
    // Interval 03/31/2025 08:40:00 CDT = GMT 13:40:00, the end of 13:35-13:40Z.
    expect(new Set(result.records.map((r) => `${r.intervalStart} ${r.intervalEnd} ${r.run} ${r.source}`))).toEqual(
      new Set(['2025-03-31T13:35:00.000Z 2025-03-31T13:40:00.000Z RT5 spp.rtbm_lmp_sl'])
    )
    expect(result.records.filter((r) => !addsUp(r))).toEqual([])
  })

  it('refuses the rows of a second interval: an RTBM file holds one (a day-ahead file is not one)', () => {
    const day = parseSppRtbmLmpSl(readFixture('spp/spp_da_lmp_sl_20260923_9col_REDUCED_hubs.csv'), 'DA-as-RTBM.csv')
    const ends = new Set(day.records.map((r) => r.intervalEnd))
    expect(ends.size).toBe(1)
    expect(day.errors.length).toBe(57 - day.records.length)
    expect(day.errors[0]).toMatchObject({ field: 'GMTIntervalEnd', reason: expect.stringMatching(/^a second interval in a one-interval RTBM LMP by settlement location file \(the first ends /) })
  })

  it('gives the documented values', () => {
    expect(result.records.find((r) => r.node === 'SPPNORTH_HUB')).toEqual({
      market: 'SPP',
      node: 'SPPNORTH_HUB',
      run: 'RT5',
      intervalStart: '2025-03-31T13:35:00.000Z',
      intervalEnd: '2025-03-31T13:40:00.000Z',
      lmp: 36.0854,
      energy: 290.0588,
      congestion: -250.1463,
      loss: -3.8271,
      ghg: null,
      source: 'spp.rtbm_lmp_sl',
      publishedAt: null,
    })
    expect(result.records.find((r) => r.node === 'SPPSOUTH_HUB')?.lmp).toBe(30.6668)
  })

  it('types the names ending _HUB as hubs, everything else as generator', () => {
    expect(result.nodes.filter((n) => n.type === 'hub').map((n) => n.name)).toEqual([
      'GRDA_HUB',
      'HAST_TNSK_HUB',
      'KCPL_GMOC_HUB',
      'SPPNORTH_HUB',
      'SPPSOUTH_HUB',
    ])
    expect([sppNodeType('GRDA_HUBSA'), sppNodeType('AEC')]).toEqual(['generator', 'generator'])
  })

  it('reads the 9-column layout with BAA (documented layout)', () => {
    const nine = parseSppRtbmLmpSl(readFixture(RTBM_9), RTBM_9)
    expect(nine.errors).toEqual([])
    expect(nine.records.map((r) => [r.node, r.lmp])).toEqual([
      ['AEC', 25.2194],
      ['AESO', 27.4675],
      ['AVA', 27.4688],
      ['SPPNORTH_HUB', 22.8913],
      ['SPPSOUTH_HUB', 25.028],
    ])
    expect(nine.records[2]).toEqual({
      market: 'SPP',
      node: 'AVA',
      run: 'RT5',
      intervalStart: '2026-09-23T16:55:00.000Z', // ends 12:00:00 CDT = 17:00:00 GMT
      intervalEnd: '2026-09-23T17:00:00.000Z',
      lmp: 27.4688,
      energy: 27.25,
      congestion: -0.0024,
      loss: 0.2212,
      ghg: null,
      source: 'spp.rtbm_lmp_sl',
      publishedAt: null,
    })
    expect(parseSppRtbmLmpSl(without8(readFixture(RTBM_9)), RTBM_9)).toEqual(nine)
  })

  it('reads the same rows quoted and with CRLF', () => {
    expect(parseSppRtbmLmpSl(quoted(rtbm8), RTBM_8)).toEqual(result)
    expect(parseSppRtbmLmpSl(rtbm8.replace(/\n/g, '\r\n'), RTBM_8)).toEqual(result)
  })
})

describe('SPP across the clock changes', () => {
  it('gives the fall-back day 25 distinct hours from GMTIntervalEnd (Interval 02:00:00 twice)', () => {
    const text = readFixture(DA_FALL_BACK)
    const result = parseSppDaLmpSl(text, DA_FALL_BACK)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(50)
    const hours = Array.from({ length: 25 }, (_, h) => isoAt(Date.UTC(2025, 10, 2, 5 + h))) // 00:00 CDT .. 23:00 CST
    expect(startsOf(result, 'SPPNORTH_HUB')).toEqual(hours)
    expect(startsOf(result, 'SPPSOUTH_HUB')).toEqual(hours)
    expect(new Set(result.records.map((r) => r.intervalStart)).size).toBe(25)
    // MEC counts the hours (21 .. 45): the two hours labelled 02:00:00 are the 2nd and the 3rd.
    expect(result.records.filter((r) => r.node === 'SPPNORTH_HUB').map((r) => r.energy)).toEqual(hours.map((_, n) => 21 + n))
    expect(text.split('\n').filter((line) => line.startsWith('11/02/2025 02:00:00,')).map((line) => line.split(',')[1])).toEqual([
      '11/02/2025 07:00:00',
      '11/02/2025 07:00:00',
      '11/02/2025 08:00:00',
      '11/02/2025 08:00:00',
    ])
    for (const record of result.records) PriceRecord.parse(record)
    // The 9-column layout of the same day.
    expect(parseSppDaLmpSl(withBaa(text), DA_FALL_BACK)).toEqual(result)
  })

  it('gives the spring day 23 hours (no Interval 02:00:00)', () => {
    const text = readFixture(DA_SPRING)
    const result = parseSppDaLmpSl(text, DA_SPRING)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(46)
    expect(startsOf(result, 'SPPSOUTH_HUB')).toEqual(Array.from({ length: 23 }, (_, h) => isoAt(Date.UTC(2026, 2, 8, 6 + h))))
    // Interval 03/08/2026 03:00:00 is the hour [01:00 CST, 03:00 CDT) = 07:00Z-08:00Z.
    expect(at(result, 'SPPNORTH_HUB', '2026-03-08T07:00:00.000Z')).toMatchObject({ energy: 22, intervalEnd: '2026-03-08T08:00:00.000Z' })
    expect(parseSppDaLmpSl(withBaa(text), DA_SPRING)).toEqual(result)
  })

  it('reads 5-minute RTBM intervals across both changes, labels from the Central clock', () => {
    const header = rtbm8.slice(0, rtbm8.indexOf('\n'))
    // One file per interval, as SPP publishes them: 06:00Z-08:00Z (fall) and 07:00Z-09:00Z (spring).
    const fileOf = (end: number, i: number) => `${header}\n${sppCentral(end)},${sppUtc(end)},SPPNORTH_HUB,SPPNORTH_H,${i + 1},0,0,${i + 1}\n`
    for (const [firstEnd, label] of [
      [Date.UTC(2025, 10, 2, 6, 5), 'fall back'],
      [Date.UTC(2026, 2, 8, 7, 5), 'spring'],
    ] as const) {
      const ends = Array.from({ length: 24 }, (_, i) => firstEnd + i * 5 * 60_000)
      const results = ends.map((end, i) => parseSppRtbmLmpSl(fileOf(end, i), `rtbm-${label}-${i}.csv`))
      expect(results.flatMap((r) => r.errors)).toEqual([])
      expect(results.flatMap((r) => r.records.map((x) => x.intervalEnd))).toEqual(ends.map(isoAt))
      expect(results.flatMap((r) => r.records.map((x) => x.intervalStart))).toEqual(ends.map((end) => isoAt(end - 5 * 60_000)))
    }
    // The two 01:05:00 labels of the fall-back day are 06:05Z and 07:05Z.
    expect(sppCentral(Date.UTC(2025, 10, 2, 6, 5))).toBe(sppCentral(Date.UTC(2025, 10, 2, 7, 5)))
  })

  it('reports an Interval that disagrees with GMTIntervalEnd and keeps the other rows', () => {
    const shifted = parseSppDaLmpSl(withCell(da9, 7, 0, '09/23/2026 02:00:00'), DA_9)
    expect(shifted.errors).toEqual([
      {
        file: DA_9,
        line: 7,
        field: 'Interval',
        value: '09/23/2026 02:00:00',
        reason: 'does not match GMTIntervalEnd 09/23/2026 06:00:00 (UTC), which is 09/23/2026 01:00:00 Central',
      },
    ])
    expect(shifted.records).toHaveLength(56)

    // At the instant the clock goes back (07:00Z) both readings, 02:00 CDT and 01:00 CST, are taken; 03:00 is not.
    const fallBack = readFixture(DA_FALL_BACK)
    expect(parseSppDaLmpSl(withCell(fallBack, 4, 0, '11/02/2025 01:00:00'), DA_FALL_BACK).errors).toEqual([])
    const wrong = parseSppDaLmpSl(withCell(fallBack, 4, 0, '11/02/2025 03:00:00'), DA_FALL_BACK)
    expect(wrong.errors).toEqual([
      {
        file: DA_FALL_BACK,
        line: 4,
        field: 'Interval',
        value: '11/02/2025 03:00:00',
        reason: 'does not match GMTIntervalEnd 11/02/2025 07:00:00 (UTC), which is 11/02/2025 02:00:00 or 11/02/2025 01:00:00 Central',
      },
    ])
    // The standard-time hour after it is 02:00 only: 01:00:00 with GMT 08:00 is a disagreement.
    expect(parseSppDaLmpSl(withCell(fallBack, 6, 0, '11/02/2025 01:00:00'), DA_FALL_BACK).errors.map((e) => e.reason)).toEqual([
      'does not match GMTIntervalEnd 11/02/2025 08:00:00 (UTC), which is 11/02/2025 02:00:00 Central',
    ])
  })
})

describe('SPP bad files and bad rows', () => {
  it('throws on a header of neither layout, naming file, line, field and value', () => {
    const renamed = thrown(() => parseSppDaLmpSl(da9.replace(',LMP,', ',Price,'), DA_9))
    expect([renamed.file, renamed.line, renamed.field, renamed.value]).toEqual([DA_9, 1, 'LMP', 'Price'])
    expect(renamed.message).toBe(
      `${DA_9} line 1, LMP: header changed: expected SPP DA LMP by settlement location 9-column (with BAA) columns "Interval,GMTIntervalEnd,BAA,Settlement Location,Pnode,LMP,MLC,MCC,MEC" (found "Price")`
    )
    const eight = thrown(() => parseSppRtbmLmpSl(rtbm8.replace('Settlement Location', 'SettlementLocation'), RTBM_8))
    expect([eight.field, eight.value]).toEqual(['Settlement Location', 'SettlementLocation'])
    expect(eight.message).toContain(`expected SPP RTBM LMP by settlement location 8-column columns "${SPP_LMP_SL_HEADER_8.join(',')}"`)
    const extra = thrown(() => parseSppDaLmpSl(da9.replace(',MEC\n', ',MEC,MGHG\n'), DA_9))
    expect([extra.field, extra.value]).toEqual(['column 10', 'MGHG'])
    const reordered = thrown(() => parseSppDaLmpSl(da9.replace('LMP,MLC,MCC,MEC', 'LMP,MEC,MCC,MLC'), DA_9))
    expect([reordered.field, reordered.value]).toEqual(['MLC', 'MEC'])
  })

  it('throws on an HTML page and on an empty body', () => {
    const html = '<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>portal.spp.org</body></html>'
    for (const product of ['da_lmp_sl', 'rtbm_lmp_sl'] as const) {
      const page = thrown(() => parseSppLmpSl(html, 'DA-LMP-SL-202609230100.csv', product))
      expect(page.message).toMatch(/^DA-LMP-SL-202609230100\.csv line 1, \(file\): an HTML page instead of data/)
      expect(thrown(() => parseSppLmpSl('', 'empty.csv', product)).message).toBe('empty.csv line 1, (file): empty file (found "")')
    }
  })

  it('reports bad rows with line, field and value and keeps the rest', () => {
    let text = da9
    text = withCell(text, 2, 5, 'x')
    text = withCell(text, 3, 7, '')
    text = withCell(text, 4, 0, '09/23/2026 1:00')
    text = withCell(text, 5, 1, '2026-09-23T06:00:00Z')
    text = withCell(text, 6, 3, '')
    text = withLine(text, 7, (line) => line.slice(0, line.lastIndexOf(','))) // truncated
    text = withLine(text, 8, (line) => `${line},1.0`)
    text = withCell(text, 9, 1, '09/23/2026 07:30:00')
    text = withCell(text, 10, 8, 'NaN')
    text = `${text}09/23/2026 02:00:00,09/23/2026 07:00:00,SPP,SPPNORTH_HUB,SPPNORTH_H,99.0000,0,0,99.0000\n`
    const result = parseSppDaLmpSl(text, DA_9)
    expect(result.errors).toEqual([
      { file: DA_9, line: 2, field: 'LMP', value: 'x', reason: 'not a number' },
      { file: DA_9, line: 3, field: 'MCC', value: '', reason: 'not a number' },
      { file: DA_9, line: 4, field: 'Interval', value: '09/23/2026 1:00', reason: 'not a MM/DD/YYYY HH:MM:SS time' },
      { file: DA_9, line: 5, field: 'GMTIntervalEnd', value: '2026-09-23T06:00:00Z', reason: 'not a MM/DD/YYYY HH:MM:SS time' },
      { file: DA_9, line: 6, field: 'Settlement Location', value: '', reason: 'node name is empty' },
      { file: DA_9, line: 7, field: 'MEC', value: '', reason: 'row has 8 of 9 columns (truncated?)' },
      { file: DA_9, line: 8, field: 'column 10', value: '1.0', reason: 'row has more than 9 columns' },
      { file: DA_9, line: 9, field: 'GMTIntervalEnd', value: '09/23/2026 07:30:00', reason: 'not the end of a 60-minute interval' },
      { file: DA_9, line: 10, field: 'MEC', value: 'NaN', reason: 'not a number' },
      {
        file: DA_9,
        line: 59,
        field: 'Settlement Location',
        value: 'SPPNORTH_HUB',
        reason: 'second price for SPPNORTH_HUB at 2026-09-23T06:00:00.000Z (line 11: LMP 13.5433 kept)',
      },
    ])
    expect(result.records).toHaveLength(57 - 9)
    expect(at(result, 'SPPNORTH_HUB', '2026-09-23T06:00:00.000Z')?.lmp).toBe(13.5433)
    expect(parseSppDaLmpSl(quoted(text), DA_9)).toEqual(result)
  })

  it('checks the interval length of each product', () => {
    // A 5-minute end is not the end of an hour: the RTBM file given to the DA parser.
    const asDa = parseSppDaLmpSl(rtbm8, RTBM_8)
    expect(asDa.records).toEqual([])
    expect(asDa.errors).toHaveLength(1_234)
    expect(asDa.errors[0]).toEqual({
      file: RTBM_8,
      line: 2,
      field: 'GMTIntervalEnd',
      value: '03/31/2025 13:40:00',
      reason: 'not the end of a 60-minute interval',
    })
    // An hourly file read as RTBM is read (an hour end is a 5-minute end) with 5-minute intervals.
    const asRt = parseSppRtbmLmpSl(da9, DA_9)
    expect(asRt.records[0]).toMatchObject({ run: 'RT5', intervalStart: '2026-09-23T05:55:00.000Z', intervalEnd: '2026-09-23T06:00:00.000Z' })
  })
})
