import { createHttpClient, SERIES_DATASETS, simulatorUrls, type ConnectorConfig, type HttpClient } from '@carbon/connectors'
import { createPublisherSimulator, type PublisherSimulator } from '@carbon/simulator'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { ingestBackfills, ingestRuns } from '../../adapters/postgres/schema/index.ts'
import { readWatermark } from '../ingest/runs.ts'
import { runSeriesBackfill, seriesBackfillId } from './backfill.ts'
import { openSeriesTestStores, type SeriesTestStores } from './testing.ts'

/*
 * `carbon backfill` of series datasets against the publisher simulator over real HTTP, with
 * PostgreSQL, the object store, the in-process bus, the series consumer and chDB: EIA-930's window
 * is one request per respondent and day (paged), recorded as backfill runs, its values stored, its
 * progress in ingest_backfills; stopped midway (Ctrl-C: the abort signal) it resumes at the first
 * day not complete; a finished range is reported done; a whole-history workbook is one request.
 */
const DAY = 86_400_000
const FROM = new Date('2026-09-20T00:00:00Z')
const TO = new Date('2026-09-22T00:00:00Z')

let stores: SeriesTestStores
let simulator: PublisherSimulator
let client: HttpClient
let config: ConnectorConfig

beforeAll(async () => {
  stores = await openSeriesTestStores(inject('postgresUrl'), 'series-backfill')
  simulator = await createPublisherSimulator({ fixturesDir: null, nodes: { miso: 10, caiso: 10 }, marketRoutes: [] })
  simulator.setNow(new Date('2026-09-25T18:00:00Z'))
  client = createHttpClient({ userAgent: 'carbon-test', maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 }, minSpacingMs: { 'eia.api': 0, 'eia.www': 0, 'carb.www': 0 } })
  config = { urls: simulatorUrls(simulator.url), caisoNodes: 'ALL', eiaKey: 'test-key', eia930Respondents: ['CISO', 'PACW'] }
}, 60_000)

afterAll(async () => {
  await simulator?.close()
  await stores?.close()
})

async function stored(where: string): Promise<number> {
  expect(await stores.consumer.drain(10_000)).toBe(true)
  const [row] = await queryRows<{ n: string }>(stores.ch, 'test.series-backfill.stored', `SELECT count() AS n FROM series_values FINAL WHERE ${where}`, {})
  return Number(row!.n)
}

describe('carbon backfill of a series dataset', () => {
  const dataset = SERIES_DATASETS['eia.930.region_data']
  const demand = (respondent: string) => `product = 'GRID' AND market = 'CAISO' AND series = '${respondent}.DEMAND' AND period_end > '2026-09-20 00:00:00' AND period_end <= '2026-09-22 00:00:00'`

  it('EIA-930: stopped after three of four requests (two respondents, two days), it resumes at the second day and stores every hour once', async () => {
    const stop = new AbortController()
    const first = runSeriesBackfill(stores.deps, client, config, { dataset, from: FROM, to: TO }, {
      signal: stop.signal,
      onProgress: (p) => {
        if (p.done === 3) stop.abort()
      },
    })
    await expect(first).rejects.toThrow()
    const id = seriesBackfillId({ dataset, from: FROM, to: TO })
    const [row] = await stores.pg.db.select().from(ingestBackfills).where(eq(ingestBackfills.id, id))
    // The first day is whole (both respondents); the second had one respondent only: not done.
    expect(row).toMatchObject({ market: 'GRID', dataset: dataset.id, status: 'running', requests: 2 })
    expect(row!.doneUntil).toEqual(new Date(FROM.getTime() + DAY))

    let resumed: { resumedFrom: Date | null; done: number; total: number } | null = null
    const second = await runSeriesBackfill(stores.deps, client, config, { dataset, from: FROM, to: TO }, { onStart: (p) => (resumed = { ...p }) })
    expect(resumed).toMatchObject({ resumedFrom: new Date(FROM.getTime() + DAY), done: 2, total: 4 })
    expect(second).toMatchObject({ id, status: 'done', total: 4, done: 4, failedRequests: 0, error: null })
    expect(second.records).toBeGreaterThan(0)
    expect(await stored(demand('CISO'))).toBe(48)
    expect(await stored(demand('PACW'))).toBe(48)
    const [done] = await stores.pg.db.select().from(ingestBackfills).where(eq(ingestBackfills.id, id))
    expect(done).toMatchObject({ status: 'done', requests: 4 })
    expect(done!.doneUntil).toEqual(TO)

    const runs = await stores.pg.db.select().from(ingestRuns).where(and(eq(ingestRuns.dataset, dataset.id), eq(ingestRuns.trigger, 'backfill')))
    expect(runs.every((r) => r.market === 'CAISO' && r.status === 'ok' && !r.url.includes('test-key'))).toBe(true)
    // The day taken twice (PACW's second day before the stop, again after) is stored once; the scheduler's watermark is untouched.
    expect(runs.length).toBeGreaterThanOrEqual(5)
    expect(await readWatermark(stores.pg.db, 'GRID', dataset.id)).toBeNull()
  })

  it('a finished range is already done; --force takes it again and stores nothing twice', async () => {
    const again = await runSeriesBackfill(stores.deps, client, config, { dataset, from: FROM, to: TO })
    expect(again).toMatchObject({ status: 'already-done', done: 4, total: 4 })
    const forced = await runSeriesBackfill(stores.deps, client, config, { dataset, from: FROM, to: TO, force: true })
    expect(forced).toMatchObject({ status: 'done', done: 4, total: 4 })
    expect(await stored(demand('CISO'))).toBe(48)
  })

  it("Henry Hub's monthly workbook: one request for the window, the whole history stored", async () => {
    simulator.setNow(new Date('2026-08-20T12:00:00Z'))
    const hh = SERIES_DATASETS['eia.ng.hh_spot_monthly']
    const result = await runSeriesBackfill(stores.deps, client, config, { dataset: hh, from: new Date('2020-01-01T00:00:00Z'), to: new Date('2024-01-01T00:00:00Z') })
    expect(result).toMatchObject({ status: 'done', total: 1, done: 1, records: 355, issues: 0 })
    expect(await stored("product = 'GAS' AND series = 'HENRY_HUB' AND frequency = 'month'")).toBe(355)
  })

  it('refuses an empty range and a dataset this configuration cannot fetch', async () => {
    await expect(runSeriesBackfill(stores.deps, client, config, { dataset, from: TO, to: FROM })).rejects.toThrow('--from (2026-09-22T00:00:00.000Z) must be before --to (2026-09-20T00:00:00.000Z)')
    await expect(runSeriesBackfill(stores.deps, client, { ...config, eiaKey: undefined }, { dataset, from: FROM, to: TO })).rejects.toThrow(/eia\.930\.region_data needs configuration this process lacks/)
    // EIA's LNG fragment answers its latest week only: an earlier window is refused, not fetched.
    const lng = SERIES_DATASETS['eia.ng.wngsr_lng_prices']
    await expect(runSeriesBackfill(stores.deps, client, config, { dataset: lng, from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-02-01T00:00:00Z') })).rejects.toThrow(
      /--from 2020-01-01: eia\.ng\.wngsr_lng_prices cannot be backfilled before \d{4}-\d{2}-\d{2} \(EIA's LNG fragment holds the latest week only/,
    )
  })
})
