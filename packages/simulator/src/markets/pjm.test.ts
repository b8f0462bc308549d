import { SOURCES } from '@carbon/connectors'
import { describe, expect, it } from 'vitest'
// The connectors' PJM datasets (not exported from @carbon/connectors' index yet).
import { PJM_DA_PUBLISHED, PJM_DATASETS, PJM_RT5_UNVERIFIED_DELAY_MS, PJM_UNVERIFIED_KEPT_DAYS, PJM_VERIFIED_PUBLISHED_HOUR, pjmUnverifiedKeptFrom as connectorKeptFrom } from '../../../connectors/src/fetch/pjm.ts'
import { PriceModel } from '../prices.ts'
import { createPjmRoutes, DEFAULT_PJM_NODE_COUNT, PJM_FULL_NODE_COUNT, PJM_SCHEDULE, pjmCatalogue, pjmPublishedUntil, pjmUnverifiedKeptFrom } from './pjm.ts'
import type { SimAnswer, SimContext } from './types.ts'

const model = new PriceModel({ seed: 254, misoNodes: 40, caisoNodes: 40 })
const NODES = 80
const routes = createPjmRoutes({ nodes: NODES })
const KEY = { 'ocp-apim-subscription-key': 'any-key', host: 'sim.test:8080' }
const at = (text: string) => Date.parse(text)
const context = (now: string): SimContext => ({ model, now: at(now), seed: 254 })

/** The answer of the first route that takes `path?query`. */
async function get(path: string, query: Record<string, string>, now: string, headers: Record<string, string> = KEY) {
  const request = { path, params: new URLSearchParams(query), headers }
  for (const route of routes) {
    const answer = await route.answer(request, context(now))
    if (answer) return { ...answer, feed: route.feed }
  }
  return null
}
const body = (answer: SimAnswer | null) => JSON.parse(String(answer!.body))
const DAY_RANGE = { datetime_beginning_ept: '2026-06-09T00:00to2026-06-09T23:59' }

describe('PJM publication schedule', () => {
  it('is the connectors schedule', () => {
    expect(PJM_SCHEDULE).toEqual({
      daPublished: PJM_DA_PUBLISHED,
      rt5UnverifiedDelayMs: PJM_RT5_UNVERIFIED_DELAY_MS,
      unverifiedKeptDays: PJM_UNVERIFIED_KEPT_DAYS,
      verifiedPublishedHour: PJM_VERIFIED_PUBLISHED_HOUR,
    })
    const feeds = ['da_hrl_lmps', 'rt_hrl_lmps', 'rt_fivemin_hrl_lmps', 'rt_unverified_fivemin_lmps'] as const
    // every 97 minutes for 3 weeks around each clock change, and a summer week-end
    const check = (now: number) => {
      for (const feed of feeds) expect(pjmPublishedUntil(feed, now)).toBe(PJM_DATASETS[`pjm.${feed}`].publishedUntil(now))
      expect(pjmUnverifiedKeptFrom(now)).toBe(connectorKeptFrom(now))
    }
    for (const from of ['2026-03-01T00:00:00Z', '2026-06-08T00:00:00Z', '2026-10-25T00:00:00Z'])
      for (let now = at(from); now < at(from) + 21 * 86_400_000; now += 97 * 60_000) check(now)
    // on both sides of the posting times, on change days and a Monday
    for (const edge of ['2026-03-07T13:30-05:00', '2026-03-08T13:30-04:00', '2026-10-31T13:30-04:00', '2026-11-02T12:00-05:00', '2026-06-15T12:00-04:00', '2026-06-10T15:03-04:00'])
      for (const delta of [-1, 0, 1]) check(at(edge) + delta)
  })
})

describe('PJM Data Miner 2 routes', () => {
  it('answer their own feed paths only', async () => {
    expect(routes.map((r) => r.feed)).toEqual(['pjm.da_hrl_lmps', 'pjm.rt_hrl_lmps', 'pjm.rt_fivemin_hrl_lmps', 'pjm.rt_unverified_fivemin_lmps'])
    expect(await get('/pjm/api/v1/da_hrl_lmps', DAY_RANGE, '2026-06-10T00:00:00Z')).toMatchObject({ status: 200, feed: 'pjm.da_hrl_lmps' })
    expect(await get('/pjm/api/v1/rt_unverified_fivemin_lmps', { datetime_beginning_ept: '2026-06-10T14:40to2026-06-10T14:40' }, '2026-06-10T19:00:00Z')).toMatchObject({ feed: 'pjm.rt_unverified_fivemin_lmps' })
    expect(await get('/pjm/api/v1/da_lmps', DAY_RANGE, '2026-06-10T00:00:00Z')).toBeNull()
    expect(await get('/api/v1/da_hrl_lmps', DAY_RANGE, '2026-06-10T00:00:00Z')).toBeNull()
  })

  it('answer 401 as API Management does without a key', async () => {
    for (const headers of [{ host: 'x' }, { host: 'x', 'ocp-apim-subscription-key': '  ' }] as Record<string, string>[]) {
      const answer = await get('/pjm/api/v1/da_hrl_lmps', DAY_RANGE, '2026-06-10T00:00:00Z', headers)
      expect(answer).toMatchObject({ status: 401 })
      expect(body(answer)).toEqual({ statusCode: 401, message: expect.stringContaining('missing subscription key') })
    }
  })

  it('page the result: RowCount rows at most (50,000 cap), totalRows, next links on the simulator host', async () => {
    const query = { rowCount: '500', startRow: '1', fields: 'datetime_beginning_utc,pnode_name,total_lmp_da', ...DAY_RANGE }
    const first = body(await get('/pjm/api/v1/da_hrl_lmps', query, '2026-06-10T00:00:00Z'))
    const total = pjmCatalogue(model, NODES).pnodes.length * 24
    expect(first.totalRows).toBe(total)
    expect(first.items).toHaveLength(500)
    expect(first.links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'next', 'metadata'])
    const next = new URL(first.links[1].href)
    expect(next.origin + next.pathname).toBe('http://sim.test:8080/pjm/api/v1/da_hrl_lmps')
    expect(Object.fromEntries(next.searchParams)).toEqual({
      RowCount: '500',
      Order: 'Asc',
      StartRow: '501',
      IsActiveMetadata: 'True',
      Fields: 'datetime_beginning_utc,pnode_name,total_lmp_da',
      datetime_beginning_ept: DAY_RANGE.datetime_beginning_ept,
    })
    const lastStart = Math.floor((total - 1) / 500) * 500 + 1
    const last = body(await get('/pjm/api/v1/da_hrl_lmps', { ...query, startRow: String(lastStart) }, '2026-06-10T00:00:00Z'))
    expect(last.items).toHaveLength(total - lastStart + 1)
    expect(last.links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'metadata'])
    const capped = body(await get('/pjm/api/v1/da_hrl_lmps', { ...DAY_RANGE, RowCount: '100000' }, '2026-06-10T00:00:00Z'))
    expect(capped.searchSpecification.rowCount).toBe(50_000)
  })

  it('filter by pnode_id and type, as the recorded requests do', async () => {
    const zones = body(await get('/pjm/api/v1/da_hrl_lmps', { ...DAY_RANGE, type: 'ZONE', Fields: 'datetime_beginning_utc,pnode_id,pnode_name,type,total_lmp_da' }, '2026-06-10T00:00:00Z'))
    expect(zones.totalRows).toBe(23 * 24)
    expect(zones.searchSpecification.filters).toEqual([{ type: 'ZONE' }, DAY_RANGE])
    const two = body(await get('/pjm/api/v1/rt_unverified_fivemin_lmps', { pnode_id: '1;51292', datetime_beginning_ept: '2026-06-10T14:40to2026-06-10T15:15' }, '2026-06-10T19:18:00Z'))
    expect(two.totalRows).toBe(2 * 7)
    const result = SOURCES['pjm.rt_unverified_fivemin_lmps'].parse(JSON.stringify(two), 'x.json')
    expect(result.errors).toEqual([])
    expect(new Set(result.records.map((r) => r.node))).toEqual(new Set(['PJM-RTO', 'BGE']))
  })

  it('answer an empty result, not a 404, for prices not posted yet or no longer kept', async () => {
    // day-ahead 06-11 is posted 06-10 13:30 EDT
    const early = await get('/pjm/api/v1/da_hrl_lmps', { datetime_beginning_ept: '2026-06-11T00:00to2026-06-11T23:59' }, '2026-06-10T17:29:00Z')
    expect(early).toMatchObject({ status: 200, published: false })
    expect(body(early)).toMatchObject({ items: [], totalRows: 0 })
    const posted = await get('/pjm/api/v1/da_hrl_lmps', { datetime_beginning_ept: '2026-06-11T00:00to2026-06-11T23:59' }, '2026-06-10T17:30:00Z')
    expect(posted).toMatchObject({ status: 200, published: true })
    // verified real-time of Friday 06-12 on Monday noon
    const friday = { datetime_beginning_ept: '2026-06-12T00:00to2026-06-12T23:59' }
    expect(body(await get('/pjm/api/v1/rt_hrl_lmps', friday, '2026-06-15T15:59:00Z')).totalRows).toBe(0)
    expect(body(await get('/pjm/api/v1/rt_hrl_lmps', friday, '2026-06-15T16:00:00Z')).totalRows).toBeGreaterThan(0)
    // the unverified feed: half a day posted so far; 15 days kept
    const today = body(await get('/pjm/api/v1/rt_unverified_fivemin_lmps', { datetime_beginning_ept: '2026-06-10T00:00to2026-06-10T23:59' }, '2026-06-10T16:03:00Z'))
    expect(today.totalRows).toBe(pjmCatalogue(model, NODES).pnodes.length * 144)
    expect(body(await get('/pjm/api/v1/rt_unverified_fivemin_lmps', { datetime_beginning_ept: '2026-05-27T00:00to2026-05-27T00:00' }, '2026-06-10T16:03:00Z')).totalRows).toBeGreaterThan(0)
    expect(body(await get('/pjm/api/v1/rt_unverified_fivemin_lmps', { datetime_beginning_ept: '2026-05-26T23:55to2026-05-26T23:55' }, '2026-06-10T16:03:00Z')).totalRows).toBe(0)
  })

  it('read US-style ranges and answer 400 for bad parameters', async () => {
    const us = body(await get('/pjm/api/v1/da_hrl_lmps', { datetime_beginning_ept: '6/9/2026 00:00to6/9/2026 23:59' }, '2026-06-10T00:00:00Z'))
    expect(us.totalRows).toBe(pjmCatalogue(model, NODES).pnodes.length * 24)
    const bad = async (query: Record<string, string>) => {
      const answer = await get('/pjm/api/v1/da_hrl_lmps', query, '2026-06-10T00:00:00Z')
      expect(answer).toMatchObject({ status: 400 })
      return body(answer).errors[0].field
    }
    expect(await bad({})).toBe('datetime_beginning_ept')
    expect(await bad({ datetime_beginning_ept: '2026-06-09' })).toBe('datetime_beginning_ept')
    expect(await bad({ datetime_beginning_ept: '2025-01-01T00:00to2026-06-09T00:00' })).toBe('datetime_beginning_ept')
    expect(await bad({ ...DAY_RANGE, Fields: 'pnode_name,lmp' })).toBe('Fields')
    expect(await bad({ ...DAY_RANGE, RowCount: '0' })).toBe('RowCount')
    expect(await bad({ ...DAY_RANGE, StartRow: 'x' })).toBe('StartRow')
  })

  it('break a page for the failure modes that depend on the format', async () => {
    const answer = (await get('/pjm/api/v1/da_hrl_lmps', DAY_RANGE, '2026-06-10T00:00:00Z'))!
    const route = routes[0]!
    const changed = route.breakAnswer!(answer, 'changed-header', context('2026-06-10T00:00:00Z'))!
    expect(() => SOURCES['pjm.da_hrl_lmps'].parse(String(changed.body), 'x.json')).toThrow(/fields changed/)
    expect(route.breakAnswer!(answer, 'unknown-node', context('2026-06-10T00:00:00Z'))).toBeNull()
  })

  it('default to a smaller catalogue than the full ~11,000 pnodes', () => {
    expect([DEFAULT_PJM_NODE_COUNT, PJM_FULL_NODE_COUNT]).toEqual([3000, 11_000])
    expect(pjmCatalogue(model).pnodes).toHaveLength(DEFAULT_PJM_NODE_COUNT)
  })
})
