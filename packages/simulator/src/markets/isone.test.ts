import { SOURCES } from '@carbon/connectors'
import { describe, expect, it } from 'vitest'
import { PriceModel } from '../prices.ts'
import {
  createIsoneRoutes,
  DEFAULT_ISONE_NODE_COUNT,
  ISONE_HUB_AND_ZONES,
  ISONE_NODE_TYPES,
  ISONE_ROUTES,
  isoneCatalogue,
  isonePublishedAt,
} from './isone.ts'
import type { MarketRoute, SimAnswer, SimContext, SimRequest } from './types.ts'


/** A route whose answers are synchronous (these are), for plain assertions. */
function sync(route: MarketRoute | undefined) {
  if (!route) throw new Error('missing route')
  return {
    answer(request: SimRequest, context: SimContext): (SimAnswer & { published: boolean }) | null {
      const answer = route.answer(request, context)
      if (answer instanceof Promise) throw new Error('expected a synchronous answer')
      return answer
    },
    breakAnswer: route.breakAnswer!,
  }
}

const ms = (iso: string) => Date.parse(iso)
const model = new PriceModel({ seed: 254, misoNodes: 10, caisoNodes: 10 })
const AUTH = { authorization: `Basic ${Buffer.from('user@example.test:pw').toString('base64')}` }
const request = (path: string, headers: Record<string, string> = AUTH): SimRequest => ({ path, params: new URLSearchParams(), headers })
const at = (iso: string): SimContext => ({ model, now: ms(iso), seed: 254 })
const [DA, RT] = createIsoneRoutes({ nodes: 40 }).map(sync) as [ReturnType<typeof sync>, ReturnType<typeof sync>]
const path = (market: 'da' | 'rt', day: string, id: number | string) => `/isone/api/v1.1/hourlylmp/${market}/final/day/${day}/location/${id}.json`

describe('ISO-NE catalogue', () => {
  it('is full size by default: the real locations plus generated network nodes, unique names and ids', () => {
    const catalogue = isoneCatalogue(254)
    expect(catalogue.nodes).toHaveLength(DEFAULT_ISONE_NODE_COUNT)
    expect(catalogue.locations.size).toBe(DEFAULT_ISONE_NODE_COUNT)
    expect(new Set(catalogue.nodes.map((n) => n.name)).size).toBe(DEFAULT_ISONE_NODE_COUNT)
    for (const location of ISONE_HUB_AND_ZONES) expect(catalogue.locations.get(location.id)).toEqual(location)
    expect(ISONE_HUB_AND_ZONES.map((l) => `${l.id} ${l.name} ${l.locType}`)).toEqual([
      '4000 .H.INTERNAL_HUB HUB',
      '4001 .Z.MAINE LOAD ZONE',
      '4002 .Z.NEWHAMPSHIRE LOAD ZONE',
      '4003 .Z.VERMONT LOAD ZONE',
      '4004 .Z.CONNECTICUT LOAD ZONE',
      '4005 .Z.RHODEISLAND LOAD ZONE',
      '4006 .Z.SEMASS LOAD ZONE',
      '4007 .Z.WCMASS LOAD ZONE',
      '4008 .Z.NEMASSBOST LOAD ZONE',
    ])
    expect(catalogue.locations.get(321)?.name).toBe('UN.FRNKLNSQ13.810CC')
    for (const [id, location] of catalogue.locations) {
      expect(location.id).toBe(id)
      expect(catalogue.byName.get(location.name)?.type).toBe(ISONE_NODE_TYPES[location.locType])
      if (location.locType === 'NETWORK NODE' && id !== 321) {
        expect(location.name).toMatch(/^(UN|LD)\.[A-Z ]{8}[0-9. ]{2,4}/)
        expect(id < 4000 || id >= 4100).toBe(true)
      }
      expect(location.name).toBe(location.name.trim())
    }
    const types = new Set([...catalogue.locations.values()].map((l) => l.locType))
    expect(types).toEqual(new Set(['HUB', 'LOAD ZONE', 'EXT. NODE', 'DRR AGGREGATION ZONE', 'NETWORK NODE']))
  })

  it('is the same for the same seed and keeps the real locations when asked for fewer', () => {
    const a = isoneCatalogue(7, 60)
    const b = isoneCatalogue(7, 60)
    expect([...a.locations.entries()]).toEqual([...b.locations.entries()])
    expect([...isoneCatalogue(8, 60).locations.keys()]).not.toEqual([...a.locations.keys()])
    expect(isoneCatalogue(7, 5).locations.size).toBeGreaterThanOrEqual(9 + 7)
  })
})

describe('ISO-NE routes', () => {
  it('publish day-ahead day D at D-1 13:30 EPT and the final real-time day at D+2 00:00 EPT', () => {
    expect(isonePublishedAt('da', '2026-09-23')).toBe(ms('2026-09-22T17:30:00Z'))
    expect(isonePublishedAt('da', '2026-03-09')).toBe(ms('2026-03-08T17:30:00Z')) // 13:30 EDT on the spring day
    expect(isonePublishedAt('da', '2026-03-08')).toBe(ms('2026-03-07T18:30:00Z'))
    expect(isonePublishedAt('da', '2026-11-02')).toBe(ms('2026-11-01T18:30:00Z')) // 13:30 EST on the fall-back day
    expect(isonePublishedAt('rt', '2026-11-01')).toBe(ms('2026-11-03T05:00:00Z'))
  })

  it('answer 401 with WWW-Authenticate: Basic without a user and password', () => {
    const url = path('da', '20260923', 4000)
    for (const headers of [{}, { authorization: 'Basic ' }, { authorization: `Basic ${Buffer.from('user:').toString('base64')}` }, { authorization: 'Bearer abc' }] as Record<string, string>[]) {
      const answer = DA.answer(request(url, headers), at('2026-09-23T12:00:00Z'))
      expect(answer).toMatchObject({ status: 401, published: false, headers: { 'WWW-Authenticate': expect.stringMatching(/^Basic /) } })
    }
  })

  it('answer 404 before publication, then the day', () => {
    expect(DA.answer(request(path('da', '20260923', 4000)), at('2026-09-22T17:29:59Z'))).toMatchObject({ status: 404, published: false })
    const answer = DA.answer(request(path('da', '20260923', 4000)), at('2026-09-22T17:30:00Z'))
    expect(answer).toMatchObject({ status: 200, type: 'application/json', published: true })
    const result = SOURCES['isone.ws.da_hourly_lmp'].parse(answer!.body as string, 'a.json')
    expect([result.errors, result.records.length]).toEqual([[], 24])
    expect(RT.answer(request(path('rt', '20261101', 4001)), at('2026-11-03T04:59:00Z'))).toMatchObject({ status: 404 })
    const rt = RT.answer(request(path('rt', '20261101', 4001)), at('2026-11-03T05:00:00Z'))
    expect(SOURCES['isone.ws.rt_hourly_lmp'].parse(rt!.body as string, 'b.json').records).toHaveLength(25)
  })

  it('leave other paths to other routes, and answer bad days and unknown locations', () => {
    const now = at('2026-10-01T00:00:00Z')
    expect(DA.answer(request(path('rt', '20260923', 4000)), now)).toBeNull()
    expect(RT.answer(request(path('da', '20260923', 4000)), now)).toBeNull()
    expect(DA.answer(request('/isone/api/v1.1/hourlylmp/da/final/day/20260923/location/4000.xml'), now)).toBeNull()
    expect(DA.answer(request('/pjm/api/v1/da_hrl_lmps'), now)).toBeNull()
    expect(DA.answer(request(path('da', '20260231', 4000)), now)).toMatchObject({ status: 400 })
    const unknown = DA.answer(request(path('da', '20260923', 4099)), now)
    expect(unknown).toMatchObject({ status: 200, body: '{"HourlyLmps":""}', published: false })
    expect(() => SOURCES['isone.ws.da_hourly_lmp'].parse(unknown!.body as string, 'c.json')).toThrow(/no hourly LMPs/)
  })

  it('break an answer by format: a renamed field, a value that is not a number', () => {
    const answer = DA.answer(request(path('da', '20260923', 4000)), at('2026-09-23T00:00:00Z'))!
    const renamed = DA.breakAnswer!(answer, 'changed-header', at('2026-09-23T00:00:00Z'))!
    expect(SOURCES['isone.ws.da_hourly_lmp'].parse(renamed.body as string, 'd.json').errors).toHaveLength(24)
    const nan = DA.breakAnswer!(answer, 'non-numeric', at('2026-09-23T00:00:00Z'))!
    expect(SOURCES['isone.ws.da_hourly_lmp'].parse(nan.body as string, 'd.json').errors).toEqual([
      { file: 'd.json', line: 1, field: 'LmpTotal', value: 'N/A', reason: 'not a number' },
    ])
    expect(DA.breakAnswer!(answer, 'unknown-node', at('2026-09-23T00:00:00Z'))).toBeNull()
    expect(ISONE_ROUTES.map((r) => r.feed)).toEqual(['isone.ws.da_hourly_lmp', 'isone.ws.rt_hourly_lmp'])
  })
})
