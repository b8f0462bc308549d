import { describe, expect, it } from 'vitest'
import { EIA930_REGION_DATA_FIXTURE, FUNDAMENTALS_FIXTURE_DIR } from '../eia930/fixtures.ts'
import { LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923 } from '../lng/fixtures.ts'
import { CARB_LCFS_DATASETS } from './carb-lcfs.ts'
import { EIA930_DATASETS } from './eia930.ts'
import { fetchSeriesWindow, seriesPublishedOutcome, type SeriesFetchOutcome, type SeriesHttpClient } from './fetch.ts'
import { answer, config, fixture, ms } from './test-helpers.ts'
import type { SeriesFetchRequest } from './types.ts'
import { WNGSR_LNG_DATASETS } from './wngsr-lng.ts'

/** A client answering each request with `respond(request)` (bytes), recording what it was asked. */
function fakeClient(respond: (request: SeriesFetchRequest) => Uint8Array | string | null): SeriesHttpClient & { asked: SeriesFetchRequest[] } {
  const asked: SeriesFetchRequest[] = []
  return {
    asked,
    async fetch(request) {
      asked.push(request)
      const bytes = respond(request)
      if (bytes === null) return { kind: 'not-published', request, status: 404, reason: 'HTTP 404: not published yet', bytes: null }
      return { kind: 'payload', payload: answer(request, bytes, ms('2026-07-16T12:00:00Z')) }
    },
  }
}

async function collect(iterable: AsyncIterable<SeriesFetchOutcome>): Promise<SeriesFetchOutcome[]> {
  const all: SeriesFetchOutcome[] = []
  for await (const outcome of iterable) all.push(outcome)
  return all
}

const kinds = (outcomes: SeriesFetchOutcome[]) => outcomes.map((o) => [o.kind, o.kind === 'payload' ? o.payload.request.file : o.request.file])

describe('fetchSeriesWindow', () => {
  it('follows a listing to the file it locates (CARB\'s page, then the workbook)', async () => {
    const now = ms('2020-05-29T20:00:00Z')
    const lcfs = CARB_LCFS_DATASETS['carb.lcfs.credit_transfers']
    const href = '/sites/default/files/2020-05/Weekly%20LCFS%20Credit%20Activity%20(upto%2024%20May,%202020).xlsx'
    const client = fakeClient((r) => (r.listing ? `<a href="${href}">workbook</a>` : null))
    const outcomes = await collect(fetchSeriesWindow(client, lcfs, { start: ms('2020-05-18T00:00:00Z'), end: lcfs.publishedUntil(now) }, config, { now }))
    expect(kinds(outcomes)).toEqual([
      ['payload', 'carb_lcfs_weekly_page_2020-05-29.html'],
      ['not-published', 'carb_lcfs_weekly_credit_activity_upto_2020-05-24.xlsx'],
    ])
    expect(client.asked.map((r) => r.url)).toEqual([
      'https://ww2.arb.ca.gov/resources/documents/weekly-lcfs-credit-transfer-activity-reports',
      `https://ww2.arb.ca.gov${href}`,
    ])
  })

  it('follows pages until the last (EIA\'s API), and reads an answer the dataset says is not out yet as not published', async () => {
    const now = ms('2026-07-16T12:00:00Z')
    const region = EIA930_DATASETS['eia.930.region_data']
    const served = JSON.parse(new TextDecoder().decode(fixture(FUNDAMENTALS_FIXTURE_DIR, EIA930_REGION_DATA_FIXTURE)))
    const page = (offset: number, rows: number, total: number) =>
      JSON.stringify({ ...served, response: { ...served.response, total: String(total), data: served.response.data.slice(offset, offset + rows) }, request: { ...served.request, params: { ...served.request.params, offset: String(offset) } } })
    const client = fakeClient((r) => {
      const offset = Number(/[?&]offset=(\d+)/.exec(r.url)![1])
      if (r.file.includes('_PJM_')) return page(0, 0, 0)
      return page(offset, 60, 169)
    })
    const window = { start: ms('2026-07-14T00:00:00Z'), end: ms('2026-07-15T00:00:00Z') }
    const outcomes = await collect(fetchSeriesWindow(client, region, window, { ...config, eia930Respondents: ['PACW', 'PJM'] }, { now }))
    expect(kinds(outcomes)).toEqual([
      ['payload', 'eia930_region-data_PACW_20260714_p1.json'],
      ['payload', 'eia930_region-data_PACW_20260714_p2.json'],
      ['payload', 'eia930_region-data_PACW_20260714_p3.json'],
      ['not-published', 'eia930_region-data_PJM_20260714_p1.json'],
    ])
    expect(client.asked.map((r) => /offset=(\d+)/.exec(r.url)![1])).toEqual(['0', '60', '120', '0'])
    for (const r of client.asked) expect(r.secretQuery).toEqual({ api_key: config.eiaKey })
  })

  it('refuses a dataset the configuration does not allow', async () => {
    const region = EIA930_DATASETS['eia.930.region_data']
    const client = fakeClient(() => '')
    await expect(collect(fetchSeriesWindow(client, region, { start: 0, end: 1 }, { ...config, eiaKey: undefined }, { now: 0 }))).rejects.toThrow(
      'eia.930.region_data is not available with this configuration',
    )
  })
})

describe('seriesPublishedOutcome', () => {
  it('turns an answer the dataset does not find the window in into "not published", keeping status and bytes', () => {
    const lng = WNGSR_LNG_DATASETS['eia.ng.wngsr_lng_prices']
    const now = ms('2026-10-01T16:00:00Z')
    const [request] = lng.plan({ start: ms('2026-09-24T00:00:00Z'), end: lng.publishedUntil(now) }, config, now)
    const bytes = fixture(LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923)
    const outcome = seriesPublishedOutcome(lng, { kind: 'payload', payload: answer(request!, bytes) })
    expect(outcome).toMatchObject({ kind: 'not-published', status: 200, bytes, request })
    const fresh = seriesPublishedOutcome(lng, { kind: 'payload', payload: answer({ ...request!, window: { start: ms('2026-09-17T00:00:00Z'), end: ms('2026-09-24T00:00:00Z') } }, bytes) })
    expect(fresh.kind).toBe('payload')
  })
})
