import { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { readFixture, thrown } from '../test-helpers.ts'
import {
  parsePjm,
  parsePjmDaHrlLmps,
  parsePjmRtFiveminHrlLmps,
  parsePjmRtHrlLmps,
  parsePjmRtUnverifiedFiveminLmps,
  pjmUtcMs,
  readPjmPage,
} from './pjm.ts'

const DA_FILE = 'pjm/pjm_dataminer2_da_hrl_lmps_type-ZONE_20260609.json'
const RT5_FILE = 'pjm/pjm_dataminer2_rt_unverified_fivemin_lmps_zones_20260610_1440-1515EPT.json'
const DA_FULL_FILE = 'pjm/pjm_dataminer2_da_hrl_lmps_20260609_DOCUMENTED_LAYOUT.json'
const RTH_FILE = 'pjm/pjm_dataminer2_rt_hrl_lmps_20260610_DOCUMENTED_LAYOUT.json'
const RT5V_FILE = 'pjm/pjm_dataminer2_rt_fivemin_hrl_lmps_20260610_page1_DOCUMENTED_LAYOUT.json'
const da = readFixture(DA_FILE)
const rt5 = readFixture(RT5_FILE)

type Doc = { links: unknown[]; items: Record<string, unknown>[]; searchSpecification: Record<string, unknown>; totalRows: number }
const docOf = (text: string) => JSON.parse(text) as Doc
const find = (records: PriceRecord[], node: string, start: string) =>
  records.filter((r) => r.node === node && r.intervalStart === start)

const HOUR_MS = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()
/** `datetime_beginning_utc` as PJM writes it: UTC without offset or milliseconds. */
const pjmUtc = (ms: number) => iso(ms).slice(0, 19)
const eastern = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})
/** `datetime_beginning_ept`: the Eastern prevailing wall clock of an instant, no offset. */
const pjmEpt = (ms: number) => {
  const p = Object.fromEntries(eastern.formatToParts(new Date(ms)).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`
}

describe('PJM da_hrl_lmps, restricted Fields (real answer)', () => {
  const result = parsePjmDaHrlLmps(da, DA_FILE)

  it('reads all 552 rows of 23 zones x 24 hours', () => {
    expect(docOf(da).totalRows).toBe(552)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(552)
    for (const record of result.records) PriceRecord.parse(record)
    const nodes = new Set(result.records.map((r) => r.node))
    expect(nodes.size).toBe(23)
    for (const node of nodes) expect(result.records.filter((r) => r.node === node)).toHaveLength(24)
  })

  it('gives the published LMPs at their UTC hours, without components', () => {
    expect(find(result.records, 'PJM-RTO', '2026-06-09T04:00:00.000Z')).toEqual([
      {
        market: 'PJM',
        node: 'PJM-RTO',
        run: 'DA',
        intervalStart: '2026-06-09T04:00:00.000Z',
        intervalEnd: '2026-06-09T05:00:00.000Z',
        lmp: 31.862345,
        energy: null,
        congestion: null,
        loss: null,
        ghg: null,
        source: 'pjm.da_hrl_lmps',
        publishedAt: null,
      },
    ])
    expect(find(result.records, 'PJM-RTO', '2026-06-09T21:00:00.000Z').map((r) => r.lmp)).toEqual([86.373442])
    expect(find(result.records, 'DOM', '2026-06-09T21:00:00.000Z').map((r) => r.lmp)).toEqual([177.644907])
  })

  it('covers the EPT operating day 2026-06-09: 04:00Z (00:00 EDT) to 2026-06-10T03:00Z', () => {
    const starts = [...new Set(result.records.map((r) => r.intervalStart))].sort()
    expect(starts).toHaveLength(24)
    expect(starts[0]).toBe('2026-06-09T04:00:00.000Z')
    expect(starts[23]).toBe('2026-06-10T03:00:00.000Z')
  })

  it('returns the catalogue from `type`: 23 ZONE pnodes as zones', () => {
    expect(result.nodes).toHaveLength(23)
    expect(new Set(result.nodes?.map((n) => n.type))).toEqual(new Set(['zone']))
    expect(result.nodes?.slice(0, 3)).toEqual([
      { name: 'PJM-RTO', type: 'zone' },
      { name: 'MID-ATL/APS', type: 'zone' },
      { name: 'AECO', type: 'zone' },
    ])
  })

  it('reads the paging of the answer', () => {
    const page = readPjmPage(da, DA_FILE)
    expect(page.totalRows).toBe(552)
    expect(page.rows).toHaveLength(552)
    expect(page.next).toBeUndefined() // one page holds the whole result
    expect(page).toMatchObject({ startRow: 1, rowCount: 600 })
    expect(page.fields).toEqual(['datetime_beginning_utc', 'pnode_id', 'pnode_name', 'type', 'total_lmp_da'])
  })
})

describe('PJM rt_unverified_fivemin_lmps (real answer)', () => {
  const result = parsePjmRtUnverifiedFiveminLmps(rt5, RT5_FILE)

  it('reads 154 rows: 7 intervals x 22 pnodes, listed latest first', () => {
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(154)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records[0]?.intervalStart).toBe('2026-06-10T19:10:00.000Z') // file order kept
    const starts = [...new Set(result.records.map((r) => r.intervalStart))].sort()
    expect(starts).toEqual(['18:40', '18:45', '18:50', '18:55', '19:00', '19:05', '19:10'].map((t) => `2026-06-10T${t}:00.000Z`))
    expect(new Set(result.records.map((r) => r.node)).size).toBe(22)
    expect(result.records.some((r) => r.node === 'MID-ATL/APS')).toBe(false) // requested, not served
  })

  it('gives 5-minute RT5 records from total_lmp_rt', () => {
    expect(find(result.records, 'PJM-RTO', '2026-06-10T19:10:00.000Z')).toEqual([
      {
        market: 'PJM',
        node: 'PJM-RTO',
        run: 'RT5',
        intervalStart: '2026-06-10T19:10:00.000Z',
        intervalEnd: '2026-06-10T19:15:00.000Z',
        lmp: 545.53,
        energy: null,
        congestion: null,
        loss: null,
        ghg: null,
        source: 'pjm.rt_unverified_fivemin_lmps',
        publishedAt: null,
      },
    ])
    expect(find(result.records, 'PJM-RTO', '2026-06-10T18:40:00.000Z').map((r) => r.lmp)).toEqual([564.17])
    expect(find(result.records, 'BGE', '2026-06-10T19:10:00.000Z').map((r) => r.lmp)).toEqual([1070.33])
  })

  it('has no catalogue: the answer carries no type', () => {
    expect(result.nodes).toBeUndefined()
  })
})

describe('PJM full row layout (documented-layout samples)', () => {
  it('da_hrl_lmps: fills energy, congestion and loss from the component fields', () => {
    const result = parsePjmDaHrlLmps(readFixture(DA_FULL_FILE), DA_FULL_FILE)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(8)
    for (const record of result.records) PriceRecord.parse(record)
    expect(result.records[0]).toEqual({
      market: 'PJM',
      node: 'PJM-RTO',
      run: 'DA',
      intervalStart: '2026-06-09T04:00:00.000Z',
      intervalEnd: '2026-06-09T05:00:00.000Z',
      lmp: 25.590345,
      energy: 25.12,
      congestion: 0.152311,
      loss: 0.318034,
      ghg: null,
      source: 'pjm.da_hrl_lmps',
      publishedAt: null,
    })
    for (const r of result.records) expect(r.energy! + r.congestion! + r.loss!).toBeCloseTo(r.lmp, 9)
    expect(result.nodes).toEqual([
      { name: 'PJM-RTO', type: 'zone' },
      { name: 'WESTERN HUB', type: 'hub' },
      { name: 'MISO', type: 'interface' },
      { name: 'AECO_RESID_AGG', type: 'zone' },
    ])
  })

  it('rt_hrl_lmps: hourly RTH records; a superseded version is an issue, the current one a record', () => {
    const result = parsePjmRtHrlLmps(readFixture(RTH_FILE), RTH_FILE)
    expect(result.errors).toEqual([
      {
        file: RTH_FILE,
        line: 6,
        field: 'row_is_current',
        value: 'false',
        reason: 'superseded version (version_nbr 1): not the current price',
      },
    ])
    expect(result.records).toHaveLength(6)
    for (const record of result.records) PriceRecord.parse(record)
    expect(find(result.records, 'WESTERN HUB', '2026-06-10T19:00:00.000Z')).toEqual([
      {
        market: 'PJM',
        node: 'WESTERN HUB',
        run: 'RTH',
        intervalStart: '2026-06-10T19:00:00.000Z',
        intervalEnd: '2026-06-10T20:00:00.000Z',
        lmp: 636.5509,
        energy: 611.2,
        congestion: 15.3309,
        loss: 10.02,
        ghg: null,
        source: 'pjm.rt_hrl_lmps',
        publishedAt: null,
      },
    ])
  })

  it('rt_fivemin_hrl_lmps: verified 5-minute RT5 records, and the next page link', () => {
    const text = readFixture(RT5V_FILE)
    const result = parsePjmRtFiveminHrlLmps(text, RT5V_FILE)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(9)
    for (const record of result.records) PriceRecord.parse(record)
    expect(find(result.records, 'BGE', '2026-06-10T18:45:00.000Z')).toEqual([
      {
        market: 'PJM',
        node: 'BGE',
        run: 'RT5',
        intervalStart: '2026-06-10T18:45:00.000Z',
        intervalEnd: '2026-06-10T18:50:00.000Z',
        lmp: 1013.75,
        energy: 528.44,
        congestion: 470.2,
        loss: 15.11,
        ghg: null,
        source: 'pjm.rt_fivemin_hrl_lmps',
        publishedAt: null,
      },
    ])
    const page = readPjmPage(text, RT5V_FILE)
    expect(page).toMatchObject({ totalRows: 12, startRow: 1, rowCount: 9 })
    expect(page.rows).toHaveLength(9)
    expect(page.next).toMatch(/^https:\/\/api\.pjm\.com\/api\/v1\/rt_fivemin_hrl_lmps\?RowCount=9&Order=Asc&StartRow=10&/)
  })

  it('reads a component published as null as null, and the same answer for another feed as unusable', () => {
    const doc = docOf(readFixture(DA_FULL_FILE))
    doc.items[0]!.congestion_price_da = null
    const result = parsePjmDaHrlLmps(JSON.stringify(doc), DA_FULL_FILE)
    expect(result.errors).toEqual([])
    expect(result.records[0]).toMatchObject({ lmp: 25.590345, energy: 25.12, congestion: null, loss: 0.318034 })
    expect(thrown(() => parsePjmRtHrlLmps(readFixture(DA_FULL_FILE), DA_FULL_FILE))).toMatchObject({
      field: 'searchSpecification.fields',
      reason: expect.stringContaining('"total_lmp_rt" was not asked for'),
    })
  })
})

describe('PJM versions and duplicate rows', () => {
  const base = docOf(readFixture(DA_FULL_FILE))
  const rto = base.items[0]!
  const page = (items: Record<string, unknown>[]) => JSON.stringify({ ...base, items, totalRows: items.length })

  it('keeps the higher version_nbr of two current rows, in either order, and reports the other', () => {
    const v2 = { ...rto, version_nbr: 2, total_lmp_da: 26, congestion_price_da: 0.561966 }
    for (const [items, keptLine, lowLine] of [
      [[rto, v2], 2, 1],
      [[v2, rto], 1, 2],
    ] as const) {
      const result = parsePjmDaHrlLmps(page([...items]), DA_FULL_FILE)
      expect(result.records).toHaveLength(1)
      expect(result.records[0]).toMatchObject({ lmp: 26, congestion: 0.561966 })
      expect(result.errors).toEqual([
        {
          file: DA_FULL_FILE,
          line: lowLine,
          field: 'version_nbr',
          value: '1',
          reason: `superseded version: version_nbr 2 of this node and interval on line ${keptLine} kept`,
        },
      ])
    }
  })

  it('drops an identical repeat silently and reports a conflicting row without versions', () => {
    const bare = { datetime_beginning_utc: rto.datetime_beginning_utc, pnode_id: 1, pnode_name: 'PJM-RTO', total_lmp_da: 25.590345 }
    const result = parsePjmDaHrlLmps(page([bare, { ...bare }, { ...bare, total_lmp_da: 30 }]), DA_FULL_FILE)
    expect(result.records).toHaveLength(1)
    expect(result.records[0]?.lmp).toBe(25.590345)
    expect(result.errors).toEqual([
      {
        file: DA_FULL_FILE,
        line: 3,
        field: 'pnode_name',
        value: 'PJM-RTO',
        reason: 'second row for this node and interval with other prices (line 1 kept)',
      },
    ])
  })

  it('refuses one name for two pnodes, and one node listed with two types', () => {
    const other = { ...rto, pnode_id: 99, datetime_beginning_utc: '2026-06-09T05:00:00', datetime_beginning_ept: '2026-06-09T01:00:00' }
    const retyped = { ...rto, type: 'HUB', datetime_beginning_utc: '2026-06-09T06:00:00', datetime_beginning_ept: '2026-06-09T02:00:00' }
    const result = parsePjmDaHrlLmps(page([rto, other, retyped]), DA_FULL_FILE)
    expect(result.records).toHaveLength(1)
    expect(result.errors).toEqual([
      {
        file: DA_FULL_FILE,
        line: 2,
        field: 'pnode_id',
        value: '99',
        reason: 'pnode_name "PJM-RTO" is pnode_id 1 on line 1: a name must name one pnode',
      },
      { file: DA_FULL_FILE, line: 3, field: 'type', value: 'HUB', reason: '"PJM-RTO" was listed as ZONE on line 1' },
    ])
  })
})

describe('PJM across daylight-saving changes (rows in the real answers\' layout)', () => {
  const template = docOf(da).items[0]!
  /** A da_hrl_lmps page of PJM-RTO for each hour from `first` (UTC ms), as the real answer writes rows. */
  const hours = (first: number, count: number, withEpt: boolean) =>
    JSON.stringify({
      ...docOf(da),
      items: Array.from({ length: count }, (_, i) => ({
        ...template,
        datetime_beginning_utc: pjmUtc(first + i * HOUR_MS),
        ...(withEpt ? { datetime_beginning_ept: pjmEpt(first + i * HOUR_MS) } : {}),
        total_lmp_da: 20 + i,
      })),
      totalRows: count,
    })

  it('fall-back day 2026-11-01: 25 distinct hours, the two 01:00 EPT hours at 05:00Z and 06:00Z', () => {
    const first = Date.parse('2026-11-01T04:00:00Z') // 00:00 EDT
    for (const withEpt of [false, true]) {
      const result = parsePjmDaHrlLmps(hours(first, 25, withEpt), DA_FILE)
      expect(result.errors).toEqual([])
      expect(result.records).toHaveLength(25)
      const starts = result.records.map((r) => r.intervalStart)
      expect(new Set(starts).size).toBe(25)
      expect(starts[0]).toBe('2026-11-01T04:00:00.000Z')
      expect(starts[24]).toBe('2026-11-02T04:00:00.000Z') // 23:00 EST
      expect(result.records[24]?.intervalEnd).toBe('2026-11-02T05:00:00.000Z') // midnight EST
      for (const r of result.records) expect(Date.parse(r.intervalEnd) - Date.parse(r.intervalStart)).toBe(HOUR_MS)
      expect(result.records.slice(1, 3).map((r) => [r.intervalStart, r.lmp])).toEqual([
        ['2026-11-01T05:00:00.000Z', 21],
        ['2026-11-01T06:00:00.000Z', 22],
      ])
    }
    const doc = docOf(hours(first, 25, true))
    expect(doc.items[1]?.datetime_beginning_ept).toBe('2026-11-01T01:00:00') // EDT
    expect(doc.items[2]?.datetime_beginning_ept).toBe('2026-11-01T01:00:00') // EST
    expect(doc.items[24]?.datetime_beginning_ept).toBe('2026-11-01T23:00:00')
  })

  it('spring day 2026-03-08: 23 hours, 02:00 EPT skipped', () => {
    const first = Date.parse('2026-03-08T05:00:00Z') // 00:00 EST
    const result = parsePjmDaHrlLmps(hours(first, 23, true), DA_FILE)
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => r.intervalStart).slice(0, 3)).toEqual([
      '2026-03-08T05:00:00.000Z',
      '2026-03-08T06:00:00.000Z',
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
    ])
    expect(result.records[22]?.intervalStart).toBe('2026-03-09T03:00:00.000Z') // 23:00 EDT
    const eptOf = docOf(hours(first, 23, true)).items.map((i) => i.datetime_beginning_ept)
    expect(eptOf.slice(1, 3)).toEqual(['2026-03-08T01:00:00', '2026-03-08T03:00:00'])
  })

  it('reports a datetime_beginning_ept that is not the UTC instant (or never happened)', () => {
    const doc = docOf(hours(Date.parse('2026-03-08T05:00:00Z'), 3, true))
    doc.items[1]!.datetime_beginning_ept = '2026-03-08T02:00:00' // the skipped hour
    doc.items[2]!.datetime_beginning_ept = '2026-03-08T02:00:00'
    doc.items[0]!.datetime_beginning_ept = '2026-03-08T05:00:00' // the UTC clock, not EPT
    const result = parsePjmDaHrlLmps(JSON.stringify(doc), DA_FILE)
    expect(result.records).toEqual([])
    expect(result.errors.map((e) => [e.line, e.field, e.value, e.reason])).toEqual([
      [1, 'datetime_beginning_ept', '2026-03-08T05:00:00', 'is not 2026-03-08T05:00:00 UTC in Eastern prevailing time'],
      [2, 'datetime_beginning_ept', '2026-03-08T02:00:00', 'is not 2026-03-08T06:00:00 UTC in Eastern prevailing time'],
      [3, 'datetime_beginning_ept', '2026-03-08T02:00:00', 'is not 2026-03-08T07:00:00 UTC in Eastern prevailing time'],
    ])
  })

  it('five-minute intervals run on through the fall-back change (unverified feed layout)', () => {
    const row = docOf(rt5).items[0]!
    const first = Date.parse('2026-11-01T05:50:00Z') // 01:50 EDT
    const items = Array.from({ length: 5 }, (_, i) => ({ ...row, datetime_beginning_utc: pjmUtc(first + i * 300_000) }))
    const result = parsePjmRtUnverifiedFiveminLmps(JSON.stringify({ ...docOf(rt5), items, totalRows: 5 }), RT5_FILE)
    expect(result.errors).toEqual([])
    expect(result.records.map((r) => `${r.intervalStart.slice(11, 16)}-${r.intervalEnd.slice(11, 16)}`)).toEqual([
      '05:50-05:55',
      '05:55-06:00',
      '06:00-06:05', // 01:00 EST, the second 01:00
      '06:05-06:10',
      '06:10-06:15',
    ])
  })

  it('reads datetime_beginning_utc strictly', () => {
    expect(pjmUtcMs('2026-06-09T04:00:00')).toBe(Date.parse('2026-06-09T04:00:00Z'))
    expect(pjmUtcMs('2026-06-09T04:00:00Z')).toBe(Date.parse('2026-06-09T04:00:00Z'))
    expect(pjmUtcMs('2026-06-09T04:00:00-04:00')).toBeNull()
    expect(pjmUtcMs('2026-06-09 04:00')).toBeNull()
    expect(pjmUtcMs('2026-02-30T04:00:00')).toBeNull()
  })
})

describe('PJM bad rows and bad answers', () => {
  it('reports bad rows by their position in items and keeps the rest', () => {
    const doc = docOf(da)
    doc.items[2]!.total_lmp_da = 'n/a'
    delete doc.items[4]!.datetime_beginning_utc
    doc.items[6]!.datetime_beginning_utc = '2026-06-09T04:30:00'
    doc.items[8]!.type = 'SUBSTATION'
    doc.items[10]!.pnode_name = ' '
    doc.items[12]!.total_lmp_da = null
    const result = parsePjmDaHrlLmps(JSON.stringify(doc), DA_FILE)
    expect(result.errors).toEqual([
      { file: DA_FILE, line: 3, field: 'total_lmp_da', value: 'n/a', reason: 'not a number' },
      { file: DA_FILE, line: 5, field: 'datetime_beginning_utc', value: '', reason: 'missing' },
      { file: DA_FILE, line: 7, field: 'datetime_beginning_utc', value: '2026-06-09T04:30:00', reason: 'not the start of an hour interval' },
      {
        file: DA_FILE,
        line: 9,
        field: 'type',
        value: 'SUBSTATION',
        reason: expect.stringMatching(/^unknown pnode type \(expected HUB, ZONE, /),
      },
      { file: DA_FILE, line: 11, field: 'pnode_name', value: ' ', reason: 'node name is empty' },
      { file: DA_FILE, line: 13, field: 'total_lmp_da', value: '', reason: 'missing' },
    ])
    expect(result.records).toHaveLength(552 - 6)
  })

  it('throws on an HTML page, an empty body, broken JSON and API error documents', () => {
    const html = '<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head></html>'
    const e1 = thrown(() => parsePjmDaHrlLmps(html, DA_FILE))
    expect(e1.message).toContain(DA_FILE)
    expect(e1.reason).toMatch(/HTML page/)
    const e2 = thrown(() => parsePjmDaHrlLmps('', DA_FILE))
    expect(e2.message).toContain(DA_FILE)
    expect(e2.reason).toBe('empty file')
    expect(thrown(() => parsePjmDaHrlLmps(da.slice(0, 500), DA_FILE))).toMatchObject({ field: '(json)' })
    const denied = '{ "statusCode": 401, "message": "Access denied due to invalid subscription key." }'
    expect(thrown(() => parsePjmDaHrlLmps(denied, DA_FILE))).toMatchObject({
      field: 'items',
      reason: expect.stringContaining('publisher says "Access denied due to invalid subscription key."'),
    })
    const noTotal = JSON.stringify({ ...docOf(da), totalRows: undefined })
    expect(thrown(() => parsePjmDaHrlLmps(noTotal, DA_FILE))).toMatchObject({ field: 'totalRows' })
  })

  it('throws when a needed field is renamed or was not asked for', () => {
    const renamed = da.replaceAll('"total_lmp_da":', '"total_lmp":')
    const e = thrown(() => parsePjmDaHrlLmps(renamed.replace('"total_lmp_da"]', '"total_lmp"]'), DA_FILE))
    expect(e).toMatchObject({ file: DA_FILE, line: 1, field: 'searchSpecification.fields' })
    expect(e.message).toContain(`${DA_FILE} line 1, searchSpecification.fields: fields changed: "total_lmp_da" was not asked for`)
    // without a fields list, the rows themselves tell
    const unlisted = JSON.stringify({ ...docOf(renamed), searchSpecification: {} })
    expect(thrown(() => parsePjmDaHrlLmps(unlisted, DA_FILE))).toMatchObject({
      field: 'total_lmp_da',
      reason: 'items changed: none has "total_lmp_da" (needed: datetime_beginning_utc, pnode_name, total_lmp_da)',
    })
    // the real-time answer is not a day-ahead one
    expect(thrown(() => parsePjmDaHrlLmps(rt5, RT5_FILE))).toMatchObject({ field: 'searchSpecification.fields' })
  })

  it('reads an empty page as no records', () => {
    const empty = JSON.stringify({ ...docOf(da), items: [], totalRows: 0 })
    expect(parsePjm(empty, DA_FILE, 'da_hrl_lmps')).toEqual({ records: [], errors: [] })
  })
})
