import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, SOURCES, type SourceId } from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { describe, expect, it } from 'vitest'
import { pjmCatalogue, pjmIntervals } from '../markets/pjm.ts'
import { newComponents, PriceModel } from '../prices.ts'
import { breakPjmPage, easternDayStart, eptText, fixed6, type PjmFeed, pjmPage, type PjmPageRequest, pjmPrices, pjmRowFields } from './pjm.ts'

const model = new PriceModel({ seed: 254, misoNodes: 40, caisoNodes: 40 })
/** The real names (77) and a few generated buses. */
const CATALOGUE = pjmCatalogue(model, 90)
const FEEDS: PjmFeed[] = ['da_hrl_lmps', 'rt_hrl_lmps', 'rt_fivemin_hrl_lmps', 'rt_unverified_fivemin_lmps']
const fixture = (name: string) => readFileSync(new URL(`pjm/${name}`, FIXTURE_DIR), 'utf8')
const DA_FULL = JSON.parse(fixture('pjm_dataminer2_da_hrl_lmps_20260609_DOCUMENTED_LAYOUT.json'))
const RT_FULL = JSON.parse(fixture('pjm_dataminer2_rt_hrl_lmps_20260610_DOCUMENTED_LAYOUT.json'))
const DA_ZONES = JSON.parse(fixture('pjm_dataminer2_da_hrl_lmps_type-ZONE_20260609.json'))
/** Long after every day used here: everything is posted, except that the unverified feed keeps 15 days. */
const LATER = Date.parse('2026-12-01T00:00:00Z')
const wall = (y: number, m: number, d: number, h = 0, mi = 0) => Date.UTC(y, m - 1, d, h, mi)

/** The request of the whole EPT day `y-m-d` (every row on one page). */
function dayRequest(feed: PjmFeed, y: number, m: number, d: number, now = LATER, fields = pjmRowFields(feed)): PjmPageRequest {
  const intervals = pjmIntervals(feed, wall(y, m, d), wall(y, m, d, 23, 59), now)
  return {
    feed,
    intervals,
    pnodes: CATALOGUE.pnodes,
    startRow: 1,
    rowCount: 50_000,
    fields,
    filters: [{ datetime_beginning_ept: 'x' }],
    links: { self: 'https://sim/self', next: null, metadata: 'https://sim/metadata' },
  }
}
const parse = (feed: PjmFeed, text: string) => SOURCES[`pjm.${feed}` as SourceId].parse(text, `${feed}.json`)

/** Every record equals the model's value of its node and interval, in millionths. */
const BY_NAME = new Map(CATALOGUE.pnodes.map((p) => [p.name, p]))
function expectModelValues(feed: PjmFeed, records: readonly PriceRecord[]) {
  const c = newComponents()
  // One expectation for thousands of records: the first that differs, if any.
  const wrong = records.find((r) => {
    pjmPrices(model, feed, BY_NAME.get(r.node)!.node, Date.parse(r.intervalStart), c)
    const units = [r.lmp, r.energy!, r.congestion!, r.loss!].map((x) => Math.round(x * 1e6))
    return units.join() !== [c.lmp, c.energy, c.congestion, c.loss].join()
  })
  expect(wrong).toBeUndefined()
}

describe('PJM Data Miner 2 pages', () => {
  it.each([
    ['2026-03-08 (23 hours)', 2026, 3, 8, 23],
    ['2026-06-09', 2026, 6, 9, 24],
    ['2026-11-01 (25 hours)', 2026, 11, 1, 25],
  ])('EPT day %s: every pnode and interval of every feed, the model values, no issue', (_, y, m, d, hours) => {
    for (const feed of FEEDS) {
      const now = feed === 'rt_unverified_fivemin_lmps' ? easternDayStart({ y, m, d }) + 30 * 3_600_000 : LATER
      const text = pjmPage(model, dayRequest(feed, y, m, d, now))
      const result = parse(feed, text)
      expect(result.errors).toEqual([])
      const per = feed.includes('fivemin') ? hours * 12 : hours
      expect(result.records).toHaveLength(CATALOGUE.pnodes.length * per)
      const starts = [...new Set(result.records.map((r) => Date.parse(r.intervalStart)))].sort((a, b) => a - b)
      expect(starts).toHaveLength(per)
      expect(starts[0]).toBe(easternDayStart({ y, m, d }))
      expect(starts.at(-1)! + (feed.includes('fivemin') ? 300_000 : 3_600_000)).toBe(easternDayStart({ y, m, d: d + 1 }))
      expectModelValues(feed, result.records)
      expect(result.nodes).toHaveLength(CATALOGUE.pnodes.length)
    }
  })

  it('writes the documented row layout: same fields in the same order as the samples, six decimals, one current version', () => {
    const da = JSON.parse(pjmPage(model, dayRequest('da_hrl_lmps', 2026, 6, 9)))
    expect(Object.keys(da)).toEqual(Object.keys(DA_FULL))
    expect(Object.keys(da.items[0])).toEqual(Object.keys(DA_FULL.items[0]))
    expect(Object.keys(da.searchSpecification)).toEqual(Object.keys(DA_FULL.searchSpecification))
    expect(da.links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'metadata'])
    const rt = JSON.parse(pjmPage(model, dayRequest('rt_hrl_lmps', 2026, 6, 10)))
    expect(Object.keys(rt.items[0])).toEqual(Object.keys(RT_FULL.items[0]))
    expect(rt.items[0]).toMatchObject({ datetime_beginning_utc: '2026-06-10T04:00:00', datetime_beginning_ept: '2026-06-10T00:00:00', row_is_current: true, version_nbr: 1 })
    // the zones' ids and types as recorded, first by pnode_id
    expect(da.items.slice(0, 2).map((i: Record<string, unknown>) => [i.pnode_id, i.pnode_name, i.type, i.voltage, i.zone])).toEqual([
      [1, 'PJM-RTO', 'ZONE', null, null],
      [3, 'MID-ATL/APS', 'ZONE', null, null],
    ])
    const text = pjmPage(model, dayRequest('da_hrl_lmps', 2026, 6, 9))
    const prices = [...text.matchAll(/"(?:system_energy_price|total_lmp|congestion_price|marginal_loss_price)_da":([^,}]+)/g)].map((m) => m[1]!)
    expect(prices.length).toBe(4 * CATALOGUE.pnodes.length * 24)
    expect(prices.every((p) => /^-?\d+\.\d{6}$/.test(p))).toBe(true)
    expect(text).not.toMatch(/\r|\n/)
  })

  it('answers only the fields asked for, in the order asked, like the recorded zone answer', () => {
    const fields = DA_ZONES.searchSpecification.fields as string[]
    const text = pjmPage(model, dayRequest('da_hrl_lmps', 2026, 6, 9, LATER, fields))
    const page = JSON.parse(text)
    expect(Object.keys(page.items[0])).toEqual(Object.keys(DA_ZONES.items[0]))
    expect(page.searchSpecification.fields).toEqual(fields)
    const result = parse('da_hrl_lmps', text)
    expect(result.errors).toEqual([])
    expect(result.records.every((r) => r.energy === null && r.congestion === null && r.loss === null)).toBe(true)
  })

  it('pages by StartRow and RowCount: the pages together are the whole result, each row once', () => {
    const whole = parse('rt_fivemin_hrl_lmps', pjmPage(model, dayRequest('rt_fivemin_hrl_lmps', 2026, 6, 9))).records
    const request = dayRequest('rt_fivemin_hrl_lmps', 2026, 6, 9)
    const total = request.intervals.length * request.pnodes.length
    const pages: PriceRecord[] = []
    for (let startRow = 1; startRow <= total; startRow += 5000) {
      const page = JSON.parse(pjmPage(model, { ...request, startRow, rowCount: 5000 }))
      expect(page).toMatchObject({ totalRows: total, searchSpecification: { startRow, rowCount: 5000 } })
      expect(page.items.length).toBe(Math.min(5000, total - startRow + 1))
      pages.push(...parse('rt_fivemin_hrl_lmps', JSON.stringify(page)).records)
    }
    expect(pages).toEqual(whole)
  })

  it('lists the unverified feed latest interval first, the others oldest first, pnodes by id', () => {
    const now = Date.parse('2026-06-10T19:18:00Z')
    const request = { ...dayRequest('rt_unverified_fivemin_lmps', 2026, 6, 10, now) }
    request.intervals = pjmIntervals('rt_unverified_fivemin_lmps', wall(2026, 6, 10, 14, 40), wall(2026, 6, 10, 15, 15), now)
    const items = JSON.parse(pjmPage(model, request)).items as { datetime_beginning_utc: string; pnode_id: number }[]
    // posted 3 minutes after each interval ends: 15:10-15:15 EDT is not out at 15:18
    expect([...new Set(items.map((i) => i.datetime_beginning_utc))]).toEqual(['19:10', '19:05', '19:00', '18:55', '18:50', '18:45', '18:40'].map((t) => `2026-06-10T${t}:00`))
    expect(items.slice(0, CATALOGUE.pnodes.length).map((i) => i.pnode_id)).toEqual(CATALOGUE.pnodes.map((p) => p.id))
    const da = JSON.parse(pjmPage(model, dayRequest('da_hrl_lmps', 2026, 6, 9))).items as { datetime_beginning_utc: string }[]
    expect(da[0]!.datetime_beginning_utc).toBe('2026-06-09T04:00:00')
  })

  it('writes the repeated autumn hour twice on the Eastern clock, and no 02:xx in spring', () => {
    const autumn = JSON.parse(pjmPage(model, dayRequest('da_hrl_lmps', 2026, 11, 1))).items as { datetime_beginning_utc: string; datetime_beginning_ept: string; pnode_name: string }[]
    const rto = autumn.filter((i) => i.pnode_name === 'PJM-RTO')
    expect(rto.slice(0, 4).map((i) => [i.datetime_beginning_utc, i.datetime_beginning_ept])).toEqual([
      ['2026-11-01T04:00:00', '2026-11-01T00:00:00'],
      ['2026-11-01T05:00:00', '2026-11-01T01:00:00'],
      ['2026-11-01T06:00:00', '2026-11-01T01:00:00'],
      ['2026-11-01T07:00:00', '2026-11-01T02:00:00'],
    ])
    const spring = JSON.parse(pjmPage(model, dayRequest('da_hrl_lmps', 2026, 3, 8))).items as { datetime_beginning_ept: string }[]
    expect(spring.some((i) => i.datetime_beginning_ept.startsWith('2026-03-08T02'))).toBe(false)
    expect(eptText(Date.parse('2026-03-08T07:00:00Z'))).toBe('2026-03-08T03:00:00')
  })

  it('formats millionths with six decimals', () => {
    expect([fixed6(25_120_000), fixed6(-412_233), fixed6(0), fixed6(1), fixed6(-1_000_000), fixed6(1_070_330_000)]).toEqual([
      '25.120000',
      '-0.412233',
      '0.000000',
      '0.000001',
      '-1.000000',
      '1070.330000',
    ])
  })

  it('breaks a page the way a failure mode says', () => {
    const text = pjmPage(model, dayRequest('da_hrl_lmps', 2026, 6, 9))
    expect(() => parse('da_hrl_lmps', breakPjmPage(text, 'da_hrl_lmps', 'changed-header')!)).toThrow(/total_lmp_da/)
    expect(parse('da_hrl_lmps', breakPjmPage(text, 'da_hrl_lmps', 'non-numeric')!).errors).toEqual([
      { file: 'da_hrl_lmps.json', line: 1, field: 'total_lmp_da', value: 'N/A', reason: 'not a number' },
    ])
    const repeated = breakPjmPage(text, 'da_hrl_lmps', 'duplicate-edges')!
    expect(JSON.parse(repeated).items).toHaveLength(CATALOGUE.pnodes.length * 24 + 10)
    expect(parse('da_hrl_lmps', repeated)).toMatchObject({ errors: [], records: { length: CATALOGUE.pnodes.length * 24 } })
    expect(breakPjmPage(text, 'da_hrl_lmps', 'unknown-node')).toBeNull()
  })
})

describe('PJM catalogue', () => {
  it('holds every real name of the samples and ~11,000 pnodes at full size, in PJM naming style, ids stable per name', () => {
    const full = pjmCatalogue(model, 11_000)
    expect(full.pnodes).toHaveLength(11_000)
    const names = new Set(full.pnodes.map((p) => p.name))
    expect(names.size).toBe(11_000)
    expect(new Set(full.pnodes.map((p) => p.id)).size).toBe(11_000)
    const recorded = [DA_ZONES, DA_FULL, RT_FULL].flatMap((page) => page.items.map((i: { pnode_name: string }) => i.pnode_name))
    for (const name of recorded) expect(names.has(name)).toBe(true)
    for (const item of DA_ZONES.items as { pnode_name: string; pnode_id: number }[]) expect(full.byId.get(item.pnode_id)?.name).toBe(item.pnode_name)
    for (const hub of ['WESTERN HUB', 'EASTERN HUB', 'AEP-DAYTON HUB', 'N ILLINOIS HUB', 'DOMINION HUB', 'AEP GEN HUB', 'ATSI GEN HUB', 'CHICAGO GEN HUB', 'CHICAGO HUB', 'NEW JERSEY HUB', 'OHIO HUB', 'WEST INT HUB'])
      expect(full.pnodes.find((p) => p.name === hub)?.type).toBe('HUB')
    expect(full.pnodes.find((p) => p.name === 'WESTERN HUB')?.id).toBe(51288)
    expect(full.pnodes.find((p) => p.name === 'MISO')).toMatchObject({ type: 'INTERFACE', id: 40523629 })
    expect(full.pnodes.find((p) => p.name === 'AECO_RESID_AGG')).toMatchObject({ type: 'AGGREGATE', id: 1269364670, zone: 'AECO' })
    const buses = full.pnodes.filter((p) => p.type === 'GEN' || p.type === 'LOAD' || p.type === 'EHV')
    expect(buses.length).toBeGreaterThan(10_000)
    for (const bus of buses) {
      expect(bus.name).toMatch(/^[A-Z]{1,8} \d{1,3} KV [A-Z0-9]+$/)
      expect(bus.name).toBe(`${bus.name.split(' ')[0]} ${bus.voltage} ${bus.equipment}`)
    }
    expect(names.has('BRUNNERI 13 KV GEN1')).toBe(true)
    // ids do not depend on the catalogue's size
    for (const p of CATALOGUE.pnodes) expect(full.byId.get(p.id)?.name).toBe(p.name)
    expect(pjmCatalogue(model, 11_000)).toBe(full)
  })
})
