import { type ParseResult, SOURCES } from '@carbon/connectors'
import { generateDemoPrices } from '@carbon/demo-data'
import { PriceRecord } from '@carbon/schemas'
import { beforeAll, describe, expect, it } from 'vitest'
import { UNKNOWN_NODE_NAMES, unknownNode } from '../failures.ts'
import { PriceModel } from '../prices.ts'
import { DAY, misoDayStart } from '../time.ts'
import { misoExAnteJson, misoRefId, misoRt5Json } from './miso-api.ts'
import { misoReportCsv, misoReportFileName } from './miso-report.ts'

const model = new PriceModel({ seed: 254 })
const DATE = { y: 2026, m: 7, d: 14 }
const NODES = model.miso.nodes.length
const demoRecord = (node: string, run: 'DA' | 'RT5', start: number) => {
  const [batch] = generateDemoPrices({ end: new Date(start + DAY), days: 2, seed: 254, nodes: [node], runs: [run] })
  const record = batch?.find((r) => Date.parse(r.intervalStart) === start)
  if (!record) throw new Error(`no demo record for ${node} ${run} at ${new Date(start).toISOString()}`)
  return record
}
const expectClean = (result: ParseResult, count: number) => {
  expect(result.errors).toEqual([])
  expect(result.records).toHaveLength(count)
}

describe('MISO market reports', () => {
  const texts: Record<string, string> = {}
  beforeAll(() => {
    for (const report of ['da_expost_lmp', 'rt_lmp_final', 'rt_lmp_prelim'] as const) texts[report] = misoReportCsv(model, report, DATE)
  })

  it.each(['da_expost_lmp', 'rt_lmp_final', 'rt_lmp_prelim'] as const)('%s parses cleanly: every node x 24 hours', (report) => {
    const result = SOURCES[`miso.${report}`].parse(texts[report]!, misoReportFileName(DATE, report))
    expectClean(result, NODES * 24)
    expect(result.nodes).toHaveLength(NODES)
    expect(PriceRecord.parse(result.records[0])).toEqual(result.records[0])
    expect(new Set(result.records.map((r) => r.intervalStart)).size).toBe(24)
    expect(result.records.every((r) => Math.abs(r.lmp - r.energy! - r.congestion! - r.loss!) < 1e-9)).toBe(true)
  })

  it('follows the byte conventions of the recorded files', () => {
    const da = texts.da_expost_lmp!
    const rt = texts.rt_lmp_final!
    expect(da.split('\n').slice(0, 4)).toEqual([
      'Day Ahead Market ExPost LMPs',
      '07/14/2026',
      '',
      ',,,All Hours-Ending are Eastern Standard Time (EST)',
    ])
    expect(rt.split('\n').slice(0, 2)).toEqual(['Realtime Market LMPs', '7/14/2026'])
    for (const text of [da, rt]) {
      expect(text).not.toContain('\r')
      expect(text.endsWith('\n')).toBe(true)
      expect(text.split('\n')[4]).toBe(`Node,Type,Value,${Array.from({ length: 24 }, (_, h) => `HE ${h + 1}`).join(',')}`)
      // LMP rows of every node, then MCC, then MLC.
      const values = text.trimEnd().split('\n').slice(5).map((line) => line.split(',')[2])
      expect(values.indexOf('MCC')).toBe(NODES)
      expect(values.indexOf('MLC')).toBe(2 * NODES)
    }
    expect(da).toMatch(/,-?\.\d\d?[,\n]/) // `.92`
    expect(da).not.toMatch(/,-?0\.\d/)
    expect(rt).toMatch(/,-?0\.\d\d[,\n]/) // `0.92`
    expect(rt.split('\n')[5]!.split(',').slice(3).every((cell) => /^-?\d+\.\d\d$/.test(cell))).toBe(true)
  })

  it('gives a demo node the demo model values', () => {
    const result = SOURCES['miso.da_expost_lmp'].parse(texts.da_expost_lmp!, 'da.csv')
    const start = misoDayStart(DATE) + 17 * 3_600_000
    const mine = result.records.find((r) => r.node === 'INDIANA.HUB' && Date.parse(r.intervalStart) === start)
    const demo = demoRecord('INDIANA.HUB', 'DA', start)
    expect(mine).toMatchObject({ lmp: demo.lmp, energy: demo.energy, congestion: demo.congestion, loss: demo.loss })
  })

  it('the final report revises about one node-hour in a hundred of the preliminary one', () => {
    const prelim = SOURCES['miso.rt_lmp_prelim'].parse(texts.rt_lmp_prelim!, 'p.csv').records
    const final = SOURCES['miso.rt_lmp_final'].parse(texts.rt_lmp_final!, 'f.csv').records
    const changed = final.filter((r, i) => r.lmp !== prelim[i]!.lmp).length
    expect(changed).toBeGreaterThan(0)
    expect(changed / final.length).toBeLessThan(0.03)
  })

  it('is the same text for the same seed and date, another for another seed', () => {
    expect(misoReportCsv(model, 'da_expost_lmp', DATE)).toBe(texts.da_expost_lmp)
    expect(misoReportCsv(new PriceModel({ seed: 9 }), 'da_expost_lmp', DATE)).not.toBe(texts.da_expost_lmp)
  })

  it('can add a never-seen node and repeat edge rows without parse issues', () => {
    const text = misoReportCsv(model, 'da_expost_lmp', DATE, { extraNodes: [unknownNode('MISO', 254)], duplicateEdges: true })
    const result = SOURCES['miso.da_expost_lmp'].parse(text, 'x.csv')
    expectClean(result, (NODES + 1) * 24)
    expect(text.trimEnd().split('\n')).toHaveLength(5 + 3 * (NODES + 1) + 2)
    expect(result.records.some((r) => r.node === UNKNOWN_NODE_NAMES.MISO)).toBe(true)
  })
})

describe('MISO public API', () => {
  const start = misoDayStart({ y: 2026, m: 10, d: 2 }) + (16 * 60 + 50) * 60_000

  it('GetRealTimeFiveMinExPost: one interval of every CP node, numbers as two-decimal strings', () => {
    const t0 = performance.now()
    const json = [...misoRt5Json(model, [start])].join('')
    const ms = performance.now() - t0
    console.log(`MISO RT5 Current, full size: ${NODES} records, ${json.length} bytes, generated in ${ms.toFixed(1)} ms`)
    const result = SOURCES['miso.api.rt5_expost'].parse(json, 'Current.json')
    expectClean(result, NODES)
    const doc = JSON.parse(json) as { headers: string[]; data: string[][] }
    expect(doc.headers).toEqual(['INTERVAL', 'CPNODE', 'LMP', 'MLC', 'MCC'])
    expect(doc.data[0]![0]).toBe('2026-10-02T16:50:00')
    expect(doc.data.every((row) => row.slice(2).every((v) => /^-?\d+\.\d\d$/.test(v)))).toBe(true)
    expect(json.endsWith(']]}')).toBe(true)
    const ms_hub = result.records.find((r) => r.node === 'MS.HUB')
    const demo = demoRecord('MS.HUB', 'RT5', start)
    expect(ms_hub).toMatchObject({ lmp: demo.lmp, congestion: demo.congestion, loss: demo.loss, intervalStart: '2026-10-02T21:50:00.000Z' })
  })

  it('several intervals come interval by interval, in chunks, and a window agrees with its parts', () => {
    const intervals = [start - 300_000, start]
    const chunks = [...misoRt5Json(model, intervals)]
    expect(chunks.length).toBeGreaterThan(2)
    const both = SOURCES['miso.api.rt5_expost'].parse(chunks.join(''), 'Rolling.json')
    expectClean(both, 2 * NODES)
    const one = SOURCES['miso.api.rt5_expost'].parse([...misoRt5Json(model, [start])].join(''), 'Current.json')
    expect(both.records.slice(NODES)).toEqual(one.records)
  })

  it('GetExAnteLmp: the hubs of the recorded answer, RefId of the interval', () => {
    const json = misoExAnteJson(model, start)
    expect(json.startsWith('{"LMPData":{"RefId":"02-Oct-2026 - Interval 16:50 EST","ExAnteLMP":{"HourAndMin":"16:50","Hub":[')).toBe(true)
    const result = SOURCES['miso.api.exante'].parse(json, 'ExAnte.json')
    expectClean(result, 9)
    const post = SOURCES['miso.api.rt5_expost'].parse([...misoRt5Json(model, [start])].join(''), 'Current.json').records
    // Same congestion as ex post, a somewhat different energy price.
    const hub = result.records.find((r) => r.node === 'MS.HUB')!
    expect(hub.congestion).toBe(post.find((r) => r.node === 'MS.HUB')!.congestion)
    expect(misoRefId(misoDayStart({ y: 2026, m: 1, d: 5 }) + 9 * 3_600_000 + 5 * 60_000).refId).toBe('05-Jan-2026 - Interval 09:05 EST')
  })
})
