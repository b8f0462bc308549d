import { readFileSync } from 'node:fs'
import { FIXTURE_DIR, ParseError, SOURCES, unpackPayload } from '@carbon/connectors'
import { unzipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import {
  ERCOT_DAM_PUBLISHED_AT_WALL_MS,
  ERCOT_MIS_KEEPS_DAYS,
  ERCOT_RT_PUBLISHED_AFTER_END_MS,
} from '../../../connectors/src/fetch/ercot.ts'
import { PriceModel } from '../prices.ts'
import type { MarketRoute, SimAnswer, SimContext } from './types.ts'
import {
  createErcotRoutes,
  DEFAULT_ERCOT_NODE_COUNT,
  ercotCatalogue,
  ercotDocId,
  ercotListing,
  ERCOT_SCHEDULE,
  ERCOT_UNKNOWN_NODE,
} from './ercot.ts'

const model = new PriceModel({ seed: 254, misoNodes: 40, caisoNodes: 40 })
const ms = (iso: string) => Date.parse(iso)
const cdt = (naive: string) => ms(`${naive}-05:00`)
const fixtureBytes = (name: string) => new Uint8Array(readFileSync(new URL(`ercot/${name}`, FIXTURE_DIR)))
/** The real settlement points and their RT types (LZEW/LZ_DCEW rows give the `_EW` names). */
const realRt = () => {
  const [doc] = unpackPayload(fixtureBytes('ercot_np6-905_rt_spp_20260611_1330_SPPHLZNP6905_csv.zip'), 'rt.zip')
  return doc!.text.trimEnd().split('\n').slice(1).map((row) => row.split(','))
}

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
const bytesOf = (answer: Answer) => (typeof answer.body === 'string' ? new TextEncoder().encode(answer.body) : answer.body)

describe('ERCOT catalogue', () => {
  it('holds every real settlement point with its type, and the energy-weighted zones', () => {
    const catalogue = ercotCatalogue(254)
    expect(catalogue.points).toHaveLength(DEFAULT_ERCOT_NODE_COUNT)
    const byName = new Map(catalogue.points.map((p) => [p.name, p]))
    const rows = realRt()
    for (const [, , , name, code] of rows) {
      if (code === 'LZEW' || code === 'LZ_DCEW') expect(byName.get(name!)!.ew).not.toBeNull()
      else expect(byName.get(name!)?.code).toBe(code)
    }
    // The DAM file prices the same names.
    const [dam] = unpackPayload(fixtureBytes('ercot_np4-190_dam_spp_20260612_DAMSPNP4190_csv.zip'), 'dam.zip')
    const damNames = new Set(dam!.text.trimEnd().split('\n').slice(1).map((row) => row.split(',')[2]!))
    expect([...damNames].sort()).toEqual(catalogue.points.map((p) => p.name))
    expect(catalogue.nodes).toHaveLength(DEFAULT_ERCOT_NODE_COUNT + 12)
    expect(catalogue.byName.get('LZ_WEST_EW')?.type).toBe('zone')
    expect(catalogue.byName.get('HB_HUBAVG')?.type).toBe('hub')
    expect(catalogue.byName.get('DC_E')?.type).toBe('zone')
    expect(catalogue.byName.get('7RNCHSLR_ALL')?.type).toBe('generator')
  })

  it('grows with generated resource nodes in ERCOT style, shrinks to the aggregates and a spread, same for a seed', () => {
    const big = ercotCatalogue(254, 1200)
    expect(big.points).toHaveLength(1200)
    const real = new Set(ercotCatalogue(254).points.map((p) => p.name))
    const generated = big.points.filter((p) => !real.has(p.name))
    expect(generated).toHaveLength(89)
    for (const p of generated) {
      expect(p.name).toMatch(/^[A-Z]{5,8}_(RN|ALL|ESS_RN|UNIT\d|CC\d|CT\d|ST\d|PUN\d)$/)
      expect(['RN', 'PCCRN', 'LCCRN', 'PUN']).toContain(p.code)
    }
    expect(ercotCatalogue(254, 1200).points.map((p) => p.name)).toEqual(big.points.map((p) => p.name))
    expect(ercotCatalogue(7, 1200).points.map((p) => p.name)).not.toEqual(big.points.map((p) => p.name))
    const small = ercotCatalogue(254, 30)
    expect(small.points).toHaveLength(30)
    expect(small.points.filter((p) => ['HU', 'AH', 'SH', 'LZ', 'LZ_DC'].includes(p.code))).toHaveLength(19)
    expect(ercotCatalogue(254, 5).points).toHaveLength(19)
  })
})

describe('ERCOT MIS routes', () => {
  const routes = createErcotRoutes({ nodes: 40 })
  const catalogue = ercotCatalogue(254, 40)

  it('keep the connector schedule', () => {
    expect(ERCOT_SCHEDULE.damPublishedAtWallMs).toBe(ERCOT_DAM_PUBLISHED_AT_WALL_MS)
    expect(ERCOT_SCHEDULE.rtPublishedAfterEndMs).toBe(ERCOT_RT_PUBLISHED_AFTER_END_MS)
    expect(ERCOT_SCHEDULE.keepDays).toEqual({ dam: ERCOT_MIS_KEEPS_DAYS['ercot.dam_spp'], rt: ERCOT_MIS_KEEPS_DAYS['ercot.rt_spp'] })
  })

  it('list what is posted and not expired, newest first', async () => {
    const before = await ask(routes, '/ercot/misapp/servlets/IceDocListJsonWS?reportTypeId=12331', cdt('2026-06-11T12:50:59'))
    const after = await ask(routes, '/ercot/misapp/servlets/IceDocListJsonWS?reportTypeId=12331', cdt('2026-06-11T12:51:00'))
    const first = (a: Answer) => JSON.parse(a.body as string).ListDocsByRptTypeRes.DocumentList[0].Document
    expect(before!.route.feed).toBe('ercot.dam_spp')
    expect(first(before!.answer).PublishDate).toBe('2026-06-10T12:51:00-05:00')
    expect(first(after!.answer).PublishDate).toBe('2026-06-11T12:51:00-05:00')
    expect(after!.answer).toMatchObject({ status: 200, published: true, type: expect.stringContaining('application/json') })
    const rt = ercotListing('rt', cdt('2026-06-11T13:32:00'), catalogue)
    expect(rt[0]).toMatchObject({ end: cdt('2026-06-11T13:30:00'), xml: false })
    expect(rt[1]).toMatchObject({ end: cdt('2026-06-11T13:30:00'), xml: true })
    expect(rt.at(-1)!.publishedAt).toBeGreaterThanOrEqual(cdt('2026-06-08T00:00:00'))
    expect(ercotListing('rt', cdt('2026-06-11T13:31:59'), catalogue)[0]!.end).toBe(cdt('2026-06-11T13:15:00'))
    expect(await ask(routes, '/ercot/misapp/servlets/IceDocListJsonWS?reportTypeId=13060', cdt('2026-06-11T13:00:00'))).toBeNull()
  })

  it('serve a posted document as a zip holding the one CSV; 404 before, after expiry and for the XML variant', async () => {
    const day = Date.UTC(2026, 5, 12) / 86_400_000
    const url = (id: string) => `/ercot/misdownload/servlets/mirDownload?doclookupId=${id}`
    const served = await ask(routes, url(ercotDocId('dam', day, false)), cdt('2026-06-11T13:00:00'))
    expect(served!.route.feed).toBe('ercot.dam_spp')
    expect(served!.answer).toMatchObject({ status: 200, type: 'application/zip', published: true })
    expect(served!.answer.headers!['Content-Disposition']).toMatch(/^attachment; filename="cdr\.00012331\.0000000000000000\.20260611\.125101\d{3}\.DAMSPNP4190_csv\.zip"$/)
    const entries = Object.keys(unzipSync(bytesOf(served!.answer)))
    expect(entries).toEqual(['cdr.00012331.0000000000000000.20260611.125100.DAMSPNP4190.csv'])
    const [doc] = unpackPayload(bytesOf(served!.answer), 'dam.zip')
    const result = SOURCES['ercot.dam_spp'].parse(doc!.text, doc!.file)
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(40 * 24)
    const early = await ask(routes, url(ercotDocId('dam', day, false)), cdt('2026-06-11T12:50:00'))
    expect(early!.answer).toMatchObject({ status: 404, published: false })
    const expired = await ask(routes, url(ercotDocId('dam', day, false)), cdt('2026-07-13T00:00:01'))
    expect(expired!.answer).toMatchObject({ status: 404, published: false })
    expect((await ask(routes, url(ercotDocId('dam', day, false)), cdt('2026-07-12T23:59:59')))!.answer.status).toBe(200)
    expect((await ask(routes, url(ercotDocId('dam', day, true)), cdt('2026-06-11T13:00:00')))!.answer.status).toBe(404)
    const rtEnd = cdt('2026-06-11T13:30:00') / 900_000
    const rt = await ask(routes, url(ercotDocId('rt', rtEnd, false)), cdt('2026-06-11T13:32:00'))
    expect(rt!.route.feed).toBe('ercot.rt_spp')
    const [rtDoc] = unpackPayload(bytesOf(rt!.answer), 'rt.zip')
    expect(rtDoc!.file).toBe('rt.zip!cdr.00012301.0000000000000000.20260611.133200.SPPHLZNP6905_20260611_1330.csv')
    expect(SOURCES['ercot.rt_spp'].parse(rtDoc!.text, rtDoc!.file).records).toHaveLength(40 + 12)
    expect(await ask(routes, url('12345'), cdt('2026-06-11T13:00:00'))).toBeNull()
    expect(await ask(routes, '/ercot/other', cdt('2026-06-11T13:00:00'))).toBeNull()
  })

  it('break a document the way a failure mode says', async () => {
    const day = Date.UTC(2026, 5, 12) / 86_400_000
    const served = await ask(routes, `/ercot/misdownload/servlets/mirDownload?doclookupId=${ercotDocId('dam', day, false)}`, cdt('2026-06-11T13:00:00'))
    const context: SimContext = { model, now: cdt('2026-06-11T13:00:00'), seed: 254 }
    const parse = (mode: 'changed-header' | 'non-numeric' | 'unknown-node') => {
      const broken = served!.route.breakAnswer!(served!.answer, mode, context)!
      const [doc] = unpackPayload(bytesOf(broken as Answer), 'dam.zip')
      return SOURCES['ercot.dam_spp'].parse(doc!.text, doc!.file)
    }
    expect(() => parse('changed-header')).toThrow(ParseError)
    expect(parse('non-numeric').errors).toEqual([expect.objectContaining({ field: 'SettlementPointPrice', value: 'N/A', reason: 'not a number' })])
    const unknown = parse('unknown-node')
    expect(unknown.errors).toEqual([])
    expect(unknown.records.filter((r) => r.node === ERCOT_UNKNOWN_NODE)).toHaveLength(24)
    expect(served!.route.breakAnswer!(served!.answer, 'duplicate-edges', context)).toBeNull()
  })
})
