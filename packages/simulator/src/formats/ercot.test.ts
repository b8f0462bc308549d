import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, type ParseResult, simulatorUrls, SOURCES, unpackPayload } from '@carbon/connectors'
import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readErcotDocumentList, ERCOT_DATASETS } from '../../../connectors/src/fetch/ercot.ts'
import { ercotCatalogue, ercotListing } from '../markets/ercot.ts'
import { PriceModel } from '../prices.ts'
import {
  centralDayOf,
  ERCOT_DAM_HEADER,
  ERCOT_RT_HEADER,
  ercotCsvName,
  ercotDamCsv,
  ercotDamPrice,
  ercotDocListJson,
  ercotPrice,
  ercotRtCsv,
  ercotRtPrice,
} from './ercot.ts'

const model = new PriceModel({ seed: 254, misoNodes: 40, caisoNodes: 40 })
const small = ercotCatalogue(254, 60)
const ms = (iso: string) => Date.parse(iso)
const cdt = (naive: string) => ms(`${naive}-05:00`)
const cst = (naive: string) => ms(`${naive}-06:00`)
const HOUR = 3_600_000
const QUARTER = 900_000
const fixtureText = (name: string) => readFileSync(new URL(`ercot/${name}`, FIXTURE_DIR), 'latin1')
const fixtureZipText = (name: string) => unpackPayload(new Uint8Array(readFileSync(new URL(`ercot/${name}`, FIXTURE_DIR))), name)[0]!.text

function clean(result: ParseResult, count: number) {
  expect(result.errors).toEqual([])
  expect(result.records).toHaveLength(count)
  for (const record of result.records.slice(0, 5)) expect(PriceRecord.parse(record)).toEqual(record)
  return result.records
}
const dam = (dayIso: string, catalogue = small) => ercotDamCsv(model, catalogue.points, Date.parse(`${dayIso}T00:00:00Z`))
const parseDam = (text: string) => SOURCES['ercot.dam_spp'].parse(text, 'dam.csv')
const parseRt = (text: string) => SOURCES['ercot.rt_spp'].parse(text, 'rt.csv')
const ewCount = (catalogue = small) => catalogue.points.filter((p) => p.ew).length

describe('ERCOT prices as MIS writes them', () => {
  it('writes dollars with up to two decimals, trailing zeros dropped', () => {
    expect([3506, 3510, 3500, 1, -98, -230, -5, 0, 123456].map(ercotPrice)).toEqual(['35.06', '35.1', '35', '0.01', '-0.98', '-2.3', '-0.05', '0', '1234.56'])
  })

  it('DAM: the real header and byte conventions', () => {
    const text = dam('2026-06-12')
    const real = fixtureZipText('ercot_np4-190_dam_spp_20260612_DAMSPNP4190_csv.zip')
    expect(text.split('\n')[0]).toBe(real.split('\n')[0])
    expect(text.split('\n')[0]).toBe(ERCOT_DAM_HEADER)
    expect(text).not.toContain('\r')
    expect(text).not.toContain('"')
    expect(text.endsWith('N\n')).toBe(true)
    const rows = text.trimEnd().split('\n').slice(1)
    // `06/12/2026,01:00,HB_NORTH, 35.06,N` as in the real file: the leading space, no trailing zeros.
    expect(rows.every((row) => /^06\/12\/2026,(0[1-9]|1\d|2[0-4]):00,[A-Z0-9_]+, -?\d+(\.\d?[1-9])?,N$/.test(row))).toBe(true)
    // Hour by hour, points by name (byte order), as the real file.
    expect(rows.slice(0, small.points.length).map((r) => r.split(',')[2])).toEqual(small.points.map((p) => p.name))
    expect([...small.points.map((p) => p.name)].sort()).toEqual(small.points.map((p) => p.name))
    expect(rows[small.points.length]!.startsWith('06/12/2026,02:00,')).toBe(true)
  })

  it('DAM: parses cleanly to the model price of every point and hour', () => {
    const records = clean(parseDam(dam('2026-06-12')), small.points.length * 24)
    const byName = new Map(small.points.map((p) => [p.name, p]))
    for (const record of records) {
      const point = byName.get(record.node)!
      expect(record.lmp).toBe(ercotDamPrice(model, point, ms(record.intervalStart)) / 100)
      expect(ms(record.intervalEnd) - ms(record.intervalStart)).toBe(HOUR)
      expect(record).toMatchObject({ run: 'DA', energy: null, congestion: null, loss: null })
    }
    expect(records.some((r) => r.node === 'HB_NORTH' && r.intervalStart === '2026-06-12T09:00:00.000Z')).toBe(true)
    expect(new Set(records.map((r) => r.intervalStart)).size).toBe(24)
    expect(Math.min(...records.map((r) => ms(r.intervalStart)))).toBe(cdt('2026-06-12T00:00:00'))
  })

  it('DAM: 25 hours on the fall-back day, hour ending 02:00 first N then Y; 23 in spring without hour ending 03:00', () => {
    const fall = dam('2025-11-02')
    const he02 = fall.split('\n').filter((row) => row.startsWith('11/02/2025,02:00,HB_NORTH,'))
    expect(he02.map((row) => row.slice(-1))).toEqual(['N', 'Y'])
    // The documented layout (fixtures) has the same rows in the same places.
    const documented = fixtureText('ercot_np4-190_dam_spp_20251102_fall_back_DOCUMENTED_LAYOUT.csv').split('\n')
    const keys = (rows: string[]) => rows.filter((r) => r.includes(',HB_NORTH,')).map((r) => `${r.split(',')[1]},${r.split(',')[4]}`)
    expect(keys(fall.split('\n'))).toEqual(keys(documented))
    const fallRecords = clean(parseDam(fall), small.points.length * 25)
    const starts = [...new Set(fallRecords.map((r) => ms(r.intervalStart)))].sort((a, b) => a - b)
    expect(starts).toEqual(Array.from({ length: 25 }, (_, i) => cdt('2025-11-02T00:00:00') + i * HOUR))
    const spring = dam('2026-03-08')
    expect(spring).not.toContain('03/08/2026,03:00,')
    expect(spring).not.toMatch(/,Y\n/)
    const springRecords = clean(parseDam(spring), small.points.length * 23)
    expect(new Set(springRecords.map((r) => r.intervalStart)).size).toBe(23)
    expect(springRecords.find((r) => r.node === 'HB_NORTH' && r.intervalStart === '2026-03-08T08:00:00.000Z')).toBeDefined()
  })

  it('DAM: full size, 1,111 points x 24 hours as the real file', () => {
    const full = ercotCatalogue(254)
    const result = parseDam(ercotDamCsv(model, full.points, Date.UTC(2026, 5, 12)))
    clean(result, 26_664)
    expect(result.nodes.filter((n) => n.type === 'hub')).toHaveLength(7)
    expect(result.nodes.filter((n) => n.type === 'zone')).toHaveLength(12)
  })

  it('RT: the real header; one quarter; load zones twice, with their energy-weighted price', () => {
    const start = cdt('2026-06-11T13:15:00')
    const text = ercotRtCsv(model, small.points, start)
    const real = fixtureText('ercot_np6-905_rt_spp_20260611_HE14_int2.csv')
    expect(text.split('\n')[0]).toBe(real.split('\n')[0])
    expect(text.split('\n')[0]).toBe(ERCOT_RT_HEADER)
    const rows = text.trimEnd().split('\n').slice(1)
    expect(rows.every((row) => /^06\/11\/2026,14,2,[A-Z0-9_]+,(HU|AH|SH|LZ|LZEW|LZ_DC|LZ_DCEW|RN|PCCRN|LCCRN|PUN),-?\d+(\.\d?[1-9])?,N$/.test(row))).toBe(true)
    expect(rows.filter((r) => r.includes(',LZ_WEST,')).map((r) => r.split(',')[4]).sort()).toEqual(['LZ', 'LZEW'])
    expect(rows.filter((r) => r.includes(',DC_E,')).map((r) => r.split(',')[4]).sort()).toEqual(['LZ_DC', 'LZ_DCEW'])
    const records = clean(parseRt(text), small.points.length + ewCount())
    const byName = new Map(small.points.map((p) => [p.name, p]))
    for (const record of records) {
      const ew = record.node.endsWith('_EW')
      const point = byName.get(ew ? record.node.slice(0, -3) : record.node)!
      expect(record.lmp).toBe(ercotRtPrice(model, point, start, ew) / 100)
      expect(record).toMatchObject({ run: 'RT15', intervalStart: '2026-06-11T18:15:00.000Z', intervalEnd: '2026-06-11T18:30:00.000Z' })
    }
  })

  it('RT: an energy-weighted price differs from the plain one now and then, by cents', () => {
    const zone = small.points.find((p) => p.name === 'LZ_LCRA')!
    let differ = 0
    for (let q = 0; q < 400; q++) {
      const start = cdt('2026-06-11T00:00:00') + q * QUARTER
      const delta = ercotRtPrice(model, zone, start, true) - ercotRtPrice(model, zone, start)
      expect(Math.abs(delta)).toBeLessThanOrEqual(3)
      if (delta !== 0) differ++
    }
    expect(differ).toBeGreaterThan(20)
    expect(differ).toBeLessThan(120)
  })

  it('RT: the repeated quarter of the fall-back day is flagged Y; the last quarter of a day is hour 24 interval 4', () => {
    const first = ercotRtCsv(model, small.points, cdt('2025-11-02T01:15:00'))
    const repeat = ercotRtCsv(model, small.points, cst('2025-11-02T01:15:00'))
    expect(first.split('\n')[1]).toMatch(/^11\/02\/2025,2,2,.*,N$/)
    expect(repeat.split('\n')[1]).toMatch(/^11\/02\/2025,2,2,.*,Y$/)
    expect(clean(parseRt(repeat), small.points.length + ewCount())[0]!.intervalStart).toBe('2025-11-02T07:15:00.000Z')
    expect(clean(parseRt(first), small.points.length + ewCount())[0]!.intervalStart).toBe('2025-11-02T06:15:00.000Z')
    const last = ercotRtCsv(model, small.points, cdt('2026-06-11T23:45:00'))
    expect(last.split('\n')[1]).toMatch(/^06\/11\/2026,24,4,/)
    // Spring: 01:45 CST is hour 2, then 03:00 CDT is hour 4.
    expect(ercotRtCsv(model, small.points, cst('2026-03-08T01:45:00')).split('\n')[1]).toMatch(/^03\/08\/2026,2,4,/)
    expect(ercotRtCsv(model, small.points, cdt('2026-03-08T03:00:00')).split('\n')[1]).toMatch(/^03\/08\/2026,4,1,/)
  })

  it('names the CSV in the zip as MIS does', () => {
    const [csv] = ercotListing('dam', cdt('2026-06-11T13:00:00'), small)
    expect(ercotCsvName(csv!)).toBe('cdr.00012331.0000000000000000.20260611.125100.DAMSPNP4190.csv')
    const [rt] = ercotListing('rt', cdt('2026-06-11T13:33:00'), small)
    expect(ercotCsvName(rt!)).toBe('cdr.00012301.0000000000000000.20260611.133200.SPPHLZNP6905_20260611_1330.csv')
  })

  it('lists documents with the real list fields, which the connector reads back', () => {
    const now = cdt('2026-06-11T13:00:00')
    const docs = ercotListing('dam', now, small)
    const text = ercotDocListJson(docs)
    const real = JSON.parse(fixtureText('ercot_mis_IceDocListJsonWS_reportTypeId12331_20260611.json'))
    const ours = JSON.parse(text)
    expect(Object.keys(ours.ListDocsByRptTypeRes.DocumentList[0].Document)).toEqual(Object.keys(real.ListDocsByRptTypeRes.DocumentList[0].Document))
    // 32 days of postings, csv and xml, newest first: as many as the real list of that day.
    expect(docs).toHaveLength(real.ListDocsByRptTypeRes.DocumentList.length)
    expect(ours.ListDocsByRptTypeRes.DocumentList[0].Document).toMatchObject({
      FriendlyName: 'DAMSPNP4190_csv',
      PublishDate: '2026-06-11T12:51:00-05:00',
      ExpiredDate: '2026-07-12T23:59:59-05:00',
      ReportTypeID: '12331',
      ConstructedName: expect.stringMatching(/^cdr\.00012331\.0000000000000000\.20260611\.125101\d{3}\.DAMSPNP4190_csv\.zip$/),
    })
    expect(ours.ListDocsByRptTypeRes.DocumentList.at(-1).Document.PublishDate).toBe('2026-05-11T12:51:00-05:00')
    const read = readErcotDocumentList(text, 'list.json')
    expect(read.map((d) => d.publishedAt)).toEqual([...read.map((d) => d.publishedAt)].sort((a, b) => b! - a!))
    const request = ERCOT_DATASETS['ercot.dam_spp'].plan({ start: cdt('2026-06-12T00:00:00'), end: cdt('2026-06-13T00:00:00') }, { urls: simulatorUrls('http://sim'), caisoNodes: 'ALL' }, now)[0]!
    const located = ERCOT_DATASETS['ercot.dam_spp'].locate!({ request, status: 200, contentType: '', bytes: new TextEncoder().encode(text), fetchedAt: 0, lastModified: null, attempts: 1 })
    expect(located).toHaveLength(1)
    expect(located[0]!.url).toBe(`http://sim/ercot/misdownload/servlets/mirDownload?doclookupId=${docs[0]!.docId}`)
    expect(centralDayOf(located[0]!.window.start)).toBe(Date.UTC(2026, 5, 12))
  })
})
