import { SOURCES, type SourceId } from '@carbon/connectors'
import { generateDemoPrices } from '@carbon/demo-data'
import { strFromU8, unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { UNKNOWN_NODE_NAMES, unknownNode } from '../failures.ts'
import { PriceModel, type SimRun } from '../prices.ts'
import { pacificDayStart } from '../time.ts'
import { zipBytes } from '../zip.ts'
import { OASIS_QUERIES, oasisCsv, oasisErrorXml, oasisIntervals } from './caiso-oasis.ts'

const model = new PriceModel({ seed: 254 })
const SOURCE = { PRC_LMP: 'caiso.oasis.prc_lmp', PRC_INTVL_LMP: 'caiso.oasis.prc_intvl_lmp', PRC_RTPD_LMP: 'caiso.oasis.prc_rtpd_lmp' } as const
const pick = (...names: string[]) => names.map((n) => model.caiso.byName.get(n)!)
const SAMPLE = [...pick('TH_SP15_GEN-APND', 'DLAP_VEA-APND'), ...model.caiso.nodes.filter((n) => n.demo < 0).slice(0, 3)]
const tradeDate = (y: number, m: number, d: number) => ({ start: pacificDayStart({ y, m, d }), end: pacificDayStart({ y, m, d: d + 1 }) })
const csvOf = (query: keyof typeof OASIS_QUERIES, run: SimRun, window: { start: number; end: number }, nodes = SAMPLE) =>
  [...oasisCsv(model, { query, intervals: oasisIntervals(run, window.start, window.end), nodes })].join('')
const parse = (query: keyof typeof OASIS_QUERIES, text: string) => SOURCES[SOURCE[query] as SourceId].parse(text, `${query}.csv`)
const perNode = (records: { node: string }[]) => {
  const counts = new Map<string, number>()
  for (const r of records) counts.set(r.node, (counts.get(r.node) ?? 0) + 1)
  return counts
}

describe('CAISO OASIS CSV', () => {
  it.each([
    ['2026-03-08 (23 hours)', 2026, 3, 8, 276, 92, 23],
    ['2026-07-14', 2026, 7, 14, 288, 96, 24],
    ['2026-11-01 (25 hours)', 2026, 11, 1, 300, 100, 25],
  ])('trade date %s: every interval of every node, for all three queries', (_, y, m, d, five, fifteen, hours) => {
    const window = tradeDate(y, m, d)
    for (const [query, run, count] of [
      ['PRC_INTVL_LMP', 'RT5', five],
      ['PRC_RTPD_LMP', 'RT15', fifteen],
      ['PRC_LMP', 'DA', hours],
    ] as const) {
      const text = csvOf(query, run, window)
      const result = parse(query, text)
      expect(result.errors).toEqual([])
      expect([...perNode(result.records).values()]).toEqual(SAMPLE.map(() => count))
      // Five rows per node-interval plus the header and the final newline.
      expect(text.split('\n')).toHaveLength(SAMPLE.length * count * 5 + 2)
      for (const r of result.records) expect(r.lmp).toBeCloseTo(r.energy! + r.congestion! + r.loss! + r.ghg!, 9)
    }
  })

  it('writes the header, GMT times, the Pacific trade date and OPR_HR / OPR_INTERVAL as OASIS does', () => {
    const window = tradeDate(2026, 11, 1)
    const rtm = csvOf('PRC_INTVL_LMP', 'RT5', window, pick('TH_NP15_GEN-APND')).split('\n')
    expect(rtm[0]).toBe(OASIS_QUERIES.PRC_INTVL_LMP.header.join(','))
    expect(rtm[1]).toMatch(
      /^2026-11-01T07:00:00-00:00,2026-11-01T07:05:00-00:00,2026-11-01,01,TH_NP15_GEN-APND,TH_NP15_GEN-APND,TH_NP15_GEN-APND,RTM,LMP,LMP_PRC,TH_NP15_GEN-APND,ALL_APNODES,0,-?\d+(\.\d+)?,1,1$/
    )
    // The repeated 01:00 hour of the autumn change is OPR_HR 02 and 03; the day's last hour is 25.
    expect(rtm.some((line) => line.startsWith('2026-11-01T09:00:00-00:00,2026-11-01T09:05:00-00:00,2026-11-01,03,'))).toBe(true)
    expect(rtm.some((line) => line.startsWith('2026-11-02T07:55:00-00:00,2026-11-02T08:00:00-00:00,2026-11-01,25,'))).toBe(true)
    expect(new Set(rtm.slice(1, -1).map((line) => line.split(',')[8]))).toEqual(new Set(['LMP', 'MCE', 'MCC', 'MCL', 'MGHG']))
    const dam = csvOf('PRC_LMP', 'DA', tradeDate(2026, 7, 14), pick('TH_SP15_GEN-APND')).split('\n')
    expect(dam[0]).toBe(OASIS_QUERIES.PRC_LMP.header.join(','))
    expect(dam[1]).toMatch(/^2026-07-14T07:00:00-00:00,2026-07-14T08:00:00-00:00,2026-07-14,1,0,TH_SP15_GEN-APND,.*,DAM,LMP,LMP_PRC,.*,ALL_APNODES,0,-?[\d.]+,1$/)
    expect(dam.join('\n')).not.toContain('\r')
  })

  it('is unsorted: nodes shuffled, each node grouped by LMP_TYPE', () => {
    const lines = csvOf('PRC_LMP', 'DA', tradeDate(2026, 7, 14)).trimEnd().split('\n').slice(1)
    const nodes = [...new Set(lines.map((l) => l.split(',')[6]!))]
    expect(nodes).not.toEqual([...nodes].sort())
    const types = lines.map((l) => l.split(',')[9])
    expect(types.slice(0, 24).every((t) => t === 'LMP')).toBe(true)
    expect(types[24]).toBe('MCC')
  })

  it('gives the demo nodes the demo model values', () => {
    const window = tradeDate(2026, 7, 14)
    const mine = parse('PRC_RTPD_LMP', csvOf('PRC_RTPD_LMP', 'RT15', window)).records.filter((r) => r.node === 'DLAP_VEA-APND')
    const [demo] = generateDemoPrices({ end: new Date(window.end), days: 1, seed: 254, nodes: ['DLAP_VEA-APND'], runs: ['RT15'] })
    expect(mine.map((r) => [r.intervalStart, r.lmp, r.energy, r.congestion, r.loss, r.ghg])).toEqual(
      demo!.map((r) => [r.intervalStart, r.lmp, r.energy, r.congestion, r.loss, r.ghg])
    )
  })

  it('a window agrees with the trade date it is cut from', () => {
    const day = parse('PRC_INTVL_LMP', csvOf('PRC_INTVL_LMP', 'RT5', tradeDate(2026, 7, 14))).records
    const start = Date.parse('2026-07-14T18:00:00Z')
    const hour = parse('PRC_INTVL_LMP', csvOf('PRC_INTVL_LMP', 'RT5', { start, end: start + 3_600_000 })).records
    expect(hour).toHaveLength(SAMPLE.length * 12)
    const byKey = new Map(day.map((r) => [`${r.node}|${r.intervalStart}`, r]))
    for (const r of hour) expect(byKey.get(`${r.node}|${r.intervalStart}`)).toEqual(r)
  })

  it('repeats the edge intervals with the same values, and can add a never-seen node', () => {
    const intervals = oasisIntervals('RT5', Date.parse('2026-07-14T18:00:00Z'), Date.parse('2026-07-14T19:00:00Z'))
    const text = [
      ...oasisCsv(
        model,
        { query: 'PRC_INTVL_LMP', intervals, nodes: SAMPLE },
        { duplicateEdges: true, extraNodes: [unknownNode('CAISO', 254)] }
      ),
    ].join('')
    const result = parse('PRC_INTVL_LMP', text)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength((SAMPLE.length + 1) * 12)
    expect(text.trimEnd().split('\n')).toHaveLength(1 + (SAMPLE.length + 1) * (12 + 2) * 5)
    expect(result.records.some((r) => r.node === UNKNOWN_NODE_NAMES.CAISO)).toBe(true)
  })

  it('a full-day DAM zip of every APnode, streamed (size and time logged)', async () => {
    const window = tradeDate(2026, 7, 14)
    const t0 = performance.now()
    let csvBytes = 0
    const chunks = function* () {
      for (const chunk of oasisCsv(model, { query: 'PRC_LMP', intervals: oasisIntervals('DA', window.start, window.end), nodes: model.caiso.nodes })) {
        csvBytes += chunk.length
        yield chunk
      }
    }
    const zip = await zipBytes([{ name: 'PRC_LMP.csv', chunks: chunks() }])
    const ms = performance.now() - t0
    console.log(
      `CAISO DAM zip, full day, ${model.caiso.nodes.length} APnodes x 24 h x 5 LMP types: CSV ${csvBytes} bytes, zip ${zip.length} bytes, ${ms.toFixed(0)} ms`
    )
    const files = unzipSync(zip)
    const text = strFromU8(files['PRC_LMP.csv']!)
    expect(text.length).toBe(csvBytes)
    const result = parse('PRC_LMP', text)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(model.caiso.nodes.length * 24)
  }, 60_000)
})

describe('OASIS error document', () => {
  it('is what the connectors read as a publisher error', () => {
    const xml = oasisErrorXml(1004, 'The date range of the request exceeds the allowed maximum', Date.parse('2026-07-14T20:00:00Z'))
    expect(() => SOURCES['caiso.oasis.prc_lmp'].parse(xml, 'INVALID_REQUEST.xml')).toThrow(/publisher error 1004/)
  })
})


