import { SOURCES, unpackPayload } from '@carbon/connectors'
import { describe, expect, it } from 'vitest'
// The connectors' NYISO datasets (not exported from @carbon/connectors' index yet).
import { NYISO_DA_PUBLISHED, NYISO_DAILY_CSV_DAYS, NYISO_DATASETS, nyisoDailyFrom } from '../../../connectors/src/fetch/nyiso.ts'
import { easternDayOf as dateOf, easternDayStart } from '../formats/pjm.ts'
import { PriceModel } from '../prices.ts'
import { createNyisoRoutes, NYISO_SCHEDULE, nyisoDailyKeptFrom, nyisoDaPublishedAt, nyisoRtPublishedUntil } from './nyiso.ts'
import type { SimContext } from './types.ts'

const model = new PriceModel({ seed: 254, misoNodes: 40, caisoNodes: 40 })
const routes = createNyisoRoutes()
const at = (text: string) => Date.parse(text)
const context = (now: string): SimContext => ({ model, now: at(now), seed: 254 })

async function get(path: string, now: string) {
  const request = { path, params: new URLSearchParams(), headers: {} }
  for (const route of routes) {
    const answer = await route.answer(request, context(now))
    if (answer) return { ...answer, feed: route.feed }
  }
  return null
}
const text = (answer: { body: string | Uint8Array } | null) => String(answer!.body)

describe('NYISO publication schedule', () => {
  it('is the connectors schedule, and keeps every daily file the connectors ask for', () => {
    expect(NYISO_SCHEDULE.daPublished).toEqual(NYISO_DA_PUBLISHED)
    expect(NYISO_SCHEDULE.dailyFilesKeptDays).toBeGreaterThan(NYISO_DAILY_CSV_DAYS)
    const check = (now: number) => {
      const until = NYISO_DATASETS['nyiso.damlbmp_zone'].publishedUntil(now)
      // the last day published by `now` is out, the next is not
      const last = { start: easternDayStart(dateOf(until - 3_600_000)), next: dateOf(until) }
      expect(nyisoDaPublishedAt(dateOf(last.start))).toBeLessThanOrEqual(now)
      expect(nyisoDaPublishedAt(last.next)).toBeGreaterThan(now)
      expect(nyisoRtPublishedUntil(now)).toBe(NYISO_DATASETS['nyiso.realtime_zone'].publishedUntil(now))
      expect(easternDayStart(nyisoDailyKeptFrom(now))).toBeLessThanOrEqual(nyisoDailyFrom(now))
    }
    for (const from of ['2026-03-01T00:00:00Z', '2026-10-25T00:00:00Z'])
      for (let now = at(from); now < at(from) + 14 * 86_400_000; now += 97 * 60_000) check(now)
    for (const edge of ['2026-03-07T11:00-05:00', '2026-03-08T11:00-04:00', '2026-10-31T11:00-04:00', '2026-11-01T11:00-05:00'])
      for (const delta of [-1, 0, 1]) check(at(edge) + delta)
  })
})

describe('NYISO MIS routes', () => {
  it('serve a day-ahead file from D-1 11:00 EPT, 404 before', async () => {
    const path = '/nyiso/public/csv/damlbmp/20260923damlbmp_zone.csv'
    expect(await get(path, '2026-09-22T14:59:59Z')).toMatchObject({ status: 404, published: false, type: expect.stringContaining('text/html') })
    const answer = await get(path, '2026-09-22T15:00:00Z')
    expect(answer).toMatchObject({ status: 200, published: true, type: 'text/csv', feed: 'nyiso.damlbmp_zone' })
    const result = SOURCES['nyiso.damlbmp_zone'].parse(text(answer), '20260923damlbmp_zone.csv')
    expect(result).toMatchObject({ errors: [], records: { length: 15 * 24 } })
  })

  it('grow the real-time file of today as intervals end, 404 before the first', async () => {
    const path = '/nyiso/public/csv/realtime/20260923realtime_zone.csv'
    expect(await get(path, '2026-09-23T04:04:59Z')).toMatchObject({ status: 404 })
    const first = await get(path, '2026-09-23T04:05:00Z')
    expect(SOURCES['nyiso.realtime_zone'].parse(text(first), 'x.csv').records).toHaveLength(15)
    const noon = SOURCES['nyiso.realtime_zone'].parse(text(await get(path, '2026-09-23T16:02:00Z')), 'x.csv')
    expect(noon.errors).toEqual([])
    expect(noon.records).toHaveLength(15 * 144)
    expect(noon.records.at(-1)!.intervalEnd).toBe('2026-09-23T16:00:00.000Z')
    // tomorrow's file does not exist yet
    expect(await get('/nyiso/public/csv/realtime/20260924realtime_zone.csv', '2026-09-23T16:02:00Z')).toMatchObject({ status: 404 })
  })

  it('keep the daily files of the last 10 days; older days are in the monthly zips', async () => {
    const now = '2026-09-23T16:00:00Z'
    expect(await get('/nyiso/public/csv/damlbmp/20260914damlbmp_zone.csv', now)).toMatchObject({ status: 200 })
    expect(await get('/nyiso/public/csv/damlbmp/20260913damlbmp_zone.csv', now)).toMatchObject({ status: 404 })
    const zip = await get('/nyiso/public/csv/realtime/20260901realtime_zone_csv.zip', now)
    expect(zip).toMatchObject({ status: 200, type: 'application/x-zip-compressed', feed: 'nyiso.realtime_zone' })
    const docs = unpackPayload(zip!.body as Uint8Array, '20260901realtime_zone_csv.zip')
    // the complete days only: 09-01 .. 09-22
    expect(docs.map((d) => d.file.split('!')[1])).toEqual(Array.from({ length: 22 }, (_, i) => `202609${String(i + 1).padStart(2, '0')}realtime_zone.csv`))
    const da = unpackPayload((await get('/nyiso/public/csv/damlbmp/20260901damlbmp_zone_csv.zip', now))!.body as Uint8Array, 'z.zip')
    // day-ahead: through tomorrow, published at 11:00 today
    expect(da).toHaveLength(24)
    expect(SOURCES['nyiso.damlbmp_zone'].parse(da[23]!.text, da[23]!.file)).toMatchObject({ errors: [], records: { length: 15 * 24 } })
    expect(await get('/nyiso/public/csv/damlbmp/20261001damlbmp_zone_csv.zip', now)).toMatchObject({ status: 404 })
    expect(await get('/nyiso/public/csv/damlbmp/20260923realtime_zone.csv', now)).toBeNull()
    expect(await get('/nyiso/public/csv/damlbmp/20260923damlbmp_gen.csv', now)).toBeNull()
  })

  it('break a CSV for the failure modes that depend on the format, not a zip', async () => {
    const now = '2026-09-23T16:00:00Z'
    const csv = (await get('/nyiso/public/csv/damlbmp/20260923damlbmp_zone.csv', now))!
    const route = routes[0]!
    const changed = route.breakAnswer!(csv, 'changed-header', context(now))!
    expect(() => SOURCES['nyiso.damlbmp_zone'].parse(String(changed.body), 'x.csv')).toThrow(/columns/)
    const zip = (await get('/nyiso/public/csv/damlbmp/20260901damlbmp_zone_csv.zip', now))!
    expect(route.breakAnswer!(zip, 'changed-header', context(now))).toBeNull()
  })
})
