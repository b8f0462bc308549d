import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, ParseError, SOURCES } from '@carbon/connectors'
import { describe, expect, it } from 'vitest'
import { SPP_DA_PUBLISHED_AT_WALL_MS, SPP_RTBM_PUBLISHED_AFTER_END_MS } from '../../../connectors/src/fetch/spp.ts'
import { PriceModel } from '../prices.ts'
import { createSppRoutes, DEFAULT_SPP_NODE_COUNT, sppCatalogue, SPP_SCHEDULE, SPP_UNKNOWN_NODE } from './spp.ts'
import type { MarketRoute, SimAnswer, SimContext } from './types.ts'

const model = new PriceModel({ seed: 254, misoNodes: 40, caisoNodes: 40 })
const ms = (iso: string) => Date.parse(iso)
const cdt = (naive: string) => ms(`${naive}-05:00`)
const cst = (naive: string) => ms(`${naive}-06:00`)
const fixtureRows = (name: string) => readFileSync(new URL(`spp/${name}`, FIXTURE_DIR), 'latin1').trimEnd().split('\n').slice(1).map((r) => r.split(','))

type Answer = SimAnswer & { published: boolean }
async function ask(routes: readonly MarketRoute[], url: string, now: number): Promise<{ route: MarketRoute; answer: Answer } | null> {
  const u = new URL(url, 'http://sim')
  const context: SimContext = { model, now, seed: 254 }
  for (const route of routes) {
    const answer = await route.answer({ path: u.pathname, params: u.searchParams, headers: {} }, context)
    if (answer) return { route, answer }
  }
  return null
}
const DA = '/spp/file-browser-api/download/da-lmp-by-settlement-location?path='
const RTBM = '/spp/file-browser-api/download/rtbm-lmp-by-location?path='

describe('SPP catalogue', () => {
  it('holds every settlement location of the real files with its Pnode and BAA', () => {
    const catalogue = sppCatalogue(254)
    expect(catalogue.locations).toHaveLength(DEFAULT_SPP_NODE_COUNT)
    const byName = new Map(catalogue.locations.map((l) => [l.name, l]))
    for (const [, , name, pnode] of fixtureRows('spp_rtbm_lmp_sl_202503310840.csv')) expect(byName.get(name!)).toMatchObject({ pnode, baa: 'SPP' })
    for (const [, , baa, name, pnode] of fixtureRows('spp_da_lmp_sl_20260923_9col_REDUCED_hubs.csv')) expect(byName.get(name!)).toMatchObject({ pnode, baa })
    expect(catalogue.byName.get('SPPNORTH_HUB')?.type).toBe('hub')
    expect(catalogue.byName.get('GRDA_HUBSA')?.type).toBe('generator')
    const generated = catalogue.locations.slice().filter((l) => !/^(AESO|AVA|AVRN|CSWS_HUB)$/.test(l.name) && l.baa === 'SWPW')
    expect(generated.length).toBeGreaterThan(5)
    expect(catalogue.locations.map((l) => l.name)).toEqual([...catalogue.locations.map((l) => l.name)].sort())
  })

  it('keeps the hubs and the DA fixture names in a small catalogue; same names for a seed', () => {
    const small = sppCatalogue(254, 25)
    expect(small.locations).toHaveLength(25)
    for (const name of ['SPPNORTH_HUB', 'SPPSOUTH_HUB', 'AEC', 'CSWS_HUB', 'AESO', 'AVA', 'AVRN']) expect(small.byName.has(name)).toBe(true)
    expect(sppCatalogue(254, 1400).locations.map((l) => l.name)).toEqual(sppCatalogue(254, 1400).locations.map((l) => l.name))
    expect(sppCatalogue(9, 1400).locations.map((l) => l.name)).not.toEqual(sppCatalogue(254, 1400).locations.map((l) => l.name))
    for (const l of sppCatalogue(254, 1400).locations.filter((x) => x.name.includes('.') && x.pnode.endsWith('_RA')).slice(-50))
      expect(l.pnode).toMatch(/^[A-Z0-9_.]+_RA$/)
  })
})

describe('SPP portal routes', () => {
  const routes = createSppRoutes({ nodes: 25 })

  it('keep the connector schedule', () => {
    expect(SPP_SCHEDULE.daPublishedAtWallMs).toBe(SPP_DA_PUBLISHED_AT_WALL_MS)
    expect(SPP_SCHEDULE.rtbmPublishedAfterEndMs).toBe(SPP_RTBM_PUBLISHED_AFTER_END_MS)
  })

  it('serve a DA day from D-1 14:00 Central, 404 before and for paths that name no file', async () => {
    const path = `${DA}/2026/09/By_Day/DA-LMP-SL-202609230100.csv`
    const early = await ask(routes, path, cdt('2026-09-22T13:59:59'))
    expect(early!.route.feed).toBe('spp.da_lmp_sl')
    expect(early!.answer).toMatchObject({ status: 404, published: false })
    const served = await ask(routes, path, cdt('2026-09-22T14:00:00'))
    expect(served!.answer).toMatchObject({ status: 200, type: 'text/csv', published: true })
    expect(served!.answer.headers!['Content-Disposition']).toBe('attachment; filename="DA-LMP-SL-202609230100.csv"')
    const result = SOURCES['spp.da_lmp_sl'].parse(served!.answer.body as string, 'DA-LMP-SL-202609230100.csv')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(25 * 24)
    // Percent-encoded paths (as some clients send them) name the same file.
    expect((await ask(routes, `${DA}%2F2026%2F09%2FBy_Day%2FDA-LMP-SL-202609230100.csv`, cdt('2026-09-22T14:00:00')))!.answer.status).toBe(200)
    for (const bad of ['/2026/10/By_Day/DA-LMP-SL-202609230100.csv', '/2026/02/By_Day/DA-LMP-SL-202602300100.csv', '/2026/09/By_Day/DA-LMP-SL-20260923.csv', ''])
      expect((await ask(routes, `${DA}${bad}`, cdt('2026-12-01T00:00:00')))!.answer.status).toBe(404)
    expect(await ask(routes, '/spp/file-browser-api/download/other?path=/x.csv', cdt('2026-12-01T00:00:00'))).toBeNull()
  })

  it('serve an RTBM interval two minutes after it ends, the d files of the repeated hour, nothing in the spring gap', async () => {
    const path = `${RTBM}/2026/09/By_Interval/23/RTBM-LMP-SL-202609231200.csv`
    expect((await ask(routes, path, cdt('2026-09-23T12:01:59')))!.answer.status).toBe(404)
    const served = await ask(routes, path, cdt('2026-09-23T12:02:00'))
    expect(served!.route.feed).toBe('spp.rtbm_lmp_sl')
    const records = SOURCES['spp.rtbm_lmp_sl'].parse(served!.answer.body as string, 'x.csv').records
    expect(records).toHaveLength(25)
    expect(records[0]!.intervalEnd).toBe('2026-09-23T17:00:00.000Z')
    const later = cdt('2025-11-03T00:00:00')
    const first = await ask(routes, `${RTBM}/2025/11/By_Interval/02/RTBM-LMP-SL-202511020105.csv`, later)
    const second = await ask(routes, `${RTBM}/2025/11/By_Interval/02/RTBM-LMP-SL-202511020105d.csv`, later)
    const endOf = (a: Answer) => SOURCES['spp.rtbm_lmp_sl'].parse(a.body as string, 'x.csv').records[0]!.intervalEnd
    expect([endOf(first!.answer), endOf(second!.answer)]).toEqual(['2025-11-02T06:05:00.000Z', '2025-11-02T07:05:00.000Z'])
    expect(endOf((await ask(routes, `${RTBM}/2025/11/By_Interval/02/RTBM-LMP-SL-202511020200d.csv`, later))!.answer)).toBe('2025-11-02T08:00:00.000Z')
    // Not a file: a d outside the repeated hour, a time in the spring gap, the wrong folder.
    for (const bad of [
      '/2025/11/By_Interval/02/RTBM-LMP-SL-202511020205d.csv',
      '/2026/03/By_Interval/08/RTBM-LMP-SL-202603080300.csv',
      '/2026/09/By_Interval/24/RTBM-LMP-SL-202609231200.csv',
      '/2026/09/By_Interval/23/RTBM-LMP-SL-202609230000.csv',
      '/2026/09/By_Interval/23/RTBM-LMP-SL-202609231203.csv',
    ])
      expect((await ask(routes, `${RTBM}${bad}`, later + 400 * 86_400_000))!.answer.status).toBe(404)
    expect((await ask(routes, `${RTBM}/2026/03/By_Interval/08/RTBM-LMP-SL-202603080200.csv`, cst('2026-03-09T00:00:00')))!.answer.status).toBe(200)
  })

  it('serve the interval ending at midnight from the folder of the day it belongs to', async () => {
    const answer = await ask(routes, `${RTBM}/2026/09/By_Interval/23/RTBM-LMP-SL-202609240000.csv`, cdt('2026-09-24T00:02:00'))
    expect(answer!.answer.status).toBe(200)
    expect(SOURCES['spp.rtbm_lmp_sl'].parse(answer!.answer.body as string, 'x.csv').records[0]!.intervalEnd).toBe('2026-09-24T05:00:00.000Z')
    expect((await ask(routes, `${RTBM}/2026/09/By_Interval/24/RTBM-LMP-SL-202609240000.csv`, cdt('2026-09-25T00:00:00')))!.answer.status).toBe(404)
  })

  it('break a file the way a failure mode says', async () => {
    const served = await ask(routes, `${DA}/2026/09/By_Day/DA-LMP-SL-202609230100.csv`, cdt('2026-09-22T15:00:00'))
    const context: SimContext = { model, now: cdt('2026-09-22T15:00:00'), seed: 254 }
    const parse = (mode: 'changed-header' | 'non-numeric' | 'unknown-node') =>
      SOURCES['spp.da_lmp_sl'].parse(served!.route.breakAnswer!(served!.answer, mode, context)!.body as string, 'x.csv')
    expect(() => parse('changed-header')).toThrow(ParseError)
    expect(parse('non-numeric').errors).toEqual([expect.objectContaining({ field: 'LMP', value: 'N/A', reason: 'not a number' })])
    const unknown = parse('unknown-node')
    expect(unknown.errors).toEqual([])
    expect(unknown.records.filter((r) => r.node === SPP_UNKNOWN_NODE.name)).toHaveLength(24)
    expect(served!.route.breakAnswer!(served!.answer, 'duplicate-edges', context)).toBeNull()
  })
})
