import { SOURCES } from '@carbon/connectors'
import { describe, expect, it } from 'vitest'
import { PriceModel } from '../prices.ts'
import { createIesoRoutes, IESO_ROUTES, IESO_SCHEDULE, iesoCatalogue, iesoRtIntervalsAt } from './ieso.ts'
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

const est = (naive: string) => Date.parse(`${naive}-05:00`)
const model = new PriceModel({ seed: 254, misoNodes: 10, caisoNodes: 10 })
const request = (path: string): SimRequest => ({ path, params: new URLSearchParams(), headers: {} })
const at = (naive: string): SimContext => ({ model, now: est(naive), seed: 254 })
const [DA, RT] = createIesoRoutes().map(sync) as [ReturnType<typeof sync>, ReturnType<typeof sync>]
const DA_PATH = '/ieso/public/DAHourlyOntarioZonalPrice/PUB_DAHourlyOntarioZonalPrice_20260528.xml'
const RT_PATH = '/ieso/public/RealtimeOntarioZonalPrice/PUB_RealtimeOntarioZonalPrice_2026082518.xml'

describe('IESO routes', () => {
  it('have one node, ONTARIO', () => {
    expect(iesoCatalogue(254).nodes.map((n) => [n.name, n.type])).toEqual([['ONTARIO', 'zone']])
    expect(IESO_ROUTES.map((r) => r.feed)).toEqual(['ieso.da_ontario_zonal', 'ieso.rt_ontario_zonal'])
  })

  it('publish the day-ahead report at D-1 12:30 EST, with CreatedAt and Last-Modified then', () => {
    expect(IESO_SCHEDULE.daPublishedBeforeMs).toBe(11.5 * 3_600_000)
    expect(DA.answer(request(DA_PATH), at('2026-05-27T12:29:59'))).toMatchObject({ status: 404, published: false })
    const answer = DA.answer(request(DA_PATH), at('2026-05-27T12:30:00'))!
    expect(answer).toMatchObject({ status: 200, type: 'application/xml', published: true, headers: { 'Last-Modified': 'Wed, 27 May 2026 17:30:00 GMT' } })
    const result = SOURCES['ieso.da_ontario_zonal'].parse(answer.body as string, 'PUB_DAHourlyOntarioZonalPrice_20260528.xml')
    expect(result.errors).toEqual([])
    expect(result.records).toHaveLength(24)
    expect(result.records[0]).toMatchObject({ intervalStart: '2026-05-28T05:00:00.000Z', publishedAt: '2026-05-27T17:30:00.000Z' })
  })

  it('fill a real-time hour interval by interval as each ends; 404 before the first', () => {
    expect(iesoRtIntervalsAt(est('2026-08-25T17:00:00'), est('2026-08-25T17:04:59'))).toBe(0)
    expect(iesoRtIntervalsAt(est('2026-08-25T17:00:00'), est('2026-08-25T17:37:57'))).toBe(7)
    expect(iesoRtIntervalsAt(est('2026-08-25T17:00:00'), est('2026-08-26T09:00:00'))).toBe(12)
    expect(RT.answer(request(RT_PATH), at('2026-08-25T17:04:59'))).toMatchObject({ status: 404, published: false })
    const partial = RT.answer(request(RT_PATH), at('2026-08-25T17:37:57'))!
    expect(partial).toMatchObject({ status: 200, published: true })
    expect(partial.body).toContain('<CreatedAt>2026-08-25T17:35:00</CreatedAt>')
    const some = SOURCES['ieso.rt_ontario_zonal'].parse(partial.body as string, 'PUB_RealtimeOntarioZonalPrice_2026082518.xml')
    expect(some.records.map((r) => r.intervalStart)).toEqual(Array.from({ length: 7 }, (_, i) => new Date(est('2026-08-25T17:00:00') + i * 300_000).toISOString()))
    expect(some.errors).toEqual([])
    expect(some.pending).toBe(5)
    const full = RT.answer(request(RT_PATH), at('2026-08-25T18:00:00'))!
    const all = SOURCES['ieso.rt_ontario_zonal'].parse(full.body as string, 'PUB_RealtimeOntarioZonalPrice_2026082518.xml')
    expect([all.errors, all.records.length]).toEqual([[], 12])
    expect(all.records.slice(0, 7)).toEqual(some.records.map((r) => ({ ...r, publishedAt: all.records[0]!.publishedAt })))
  })

  it('answer 404 for files that cannot exist and leave other paths alone', () => {
    const now = at('2026-09-01T00:00:00')
    expect(RT.answer(request('/ieso/public/RealtimeOntarioZonalPrice/PUB_RealtimeOntarioZonalPrice_2026082525.xml'), now)).toMatchObject({ status: 404 })
    expect(RT.answer(request('/ieso/public/RealtimeOntarioZonalPrice/PUB_RealtimeOntarioZonalPrice_2026082500.xml'), now)).toMatchObject({ status: 404 })
    expect(DA.answer(request('/ieso/public/DAHourlyOntarioZonalPrice/PUB_DAHourlyOntarioZonalPrice_20260230.xml'), now)).toMatchObject({ status: 404 })
    expect(DA.answer(request(RT_PATH), now)).toBeNull()
    expect(RT.answer(request(DA_PATH), now)).toBeNull()
    expect(DA.answer(request('/ieso/public/DAHourlyOntarioZonalPrice/PUB_DAHourlyOntarioZonalPrice.xml'), now)).toBeNull()
  })

  it('break an answer by format', () => {
    const now = at('2026-09-01T00:00:00')
    const da = DA.answer(request(DA_PATH), now)!
    const rt = RT.answer(request(RT_PATH), now)!
    expect(() => SOURCES['ieso.da_ontario_zonal'].parse(DA.breakAnswer!(da, 'changed-header', now)!.body as string, 'a.xml')).toThrow(/another report/)
    expect(() => SOURCES['ieso.rt_ontario_zonal'].parse(RT.breakAnswer!(rt, 'changed-header', now)!.body as string, 'b.xml')).toThrow(/ZonalPrice/)
    expect(SOURCES['ieso.da_ontario_zonal'].parse(DA.breakAnswer!(da, 'non-numeric', now)!.body as string, 'a.xml').errors).toEqual([
      { file: 'a.xml', line: 1, field: 'ZonalPrice', value: 'N/A', reason: 'not a number' },
    ])
    expect(SOURCES['ieso.rt_ontario_zonal'].parse(RT.breakAnswer!(rt, 'non-numeric', now)!.body as string, 'b.xml').errors).toEqual([
      { file: 'b.xml', line: 1, field: 'LmpCap', value: 'N/A', reason: 'not a number' },
    ])
  })
})
