import { createHttpClient, SERIES_DATASETS, simulatorUrls, type ConnectorConfig, type HttpClient } from '@carbon/connectors'
import { createPublisherSimulator, type PublisherSimulator } from '@carbon/simulator'
import { and, eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { ingestRuns } from '../../adapters/postgres/schema/index.ts'
import { readWatermark } from '../ingest/runs.ts'
import { createSeriesScheduler, watermarkKey, type SeriesScheduler } from './scheduler.ts'
import { openSeriesTestStores, type SeriesTestStores } from './testing.ts'

/*
 * The series scheduler against the publisher simulator over real HTTP (its EIA, CARB and EIA API
 * URL shapes), with PostgreSQL, the object store, the in-process bus, the series consumer and
 * chDB: a cycle takes each dataset's window, stores its values, records one run per request and
 * moves the watermark; the next cycle at the same instant has nothing to do. 2026-09-25 18:00Z is
 * the day after EIA's LNG bullet of the week ending 2026-09-23 (the simulator's second capture).
 */
const NOW = Date.parse('2026-09-25T18:00:00Z')
const log = pino({ level: 'silent' })

let stores: SeriesTestStores
let simulator: PublisherSimulator
let client: HttpClient
let config: ConnectorConfig
let scheduler: SeriesScheduler

/** A scheduler whose clock, and the simulator's, stand at `at` (the recorded files are current at their own dates). */
function schedulerAt(at: number): SeriesScheduler {
  simulator.setNow(new Date(at))
  return createSeriesScheduler({ deps: stores.deps, client, datasets: [], config, log, now: () => at })
}

beforeAll(async () => {
  stores = await openSeriesTestStores(inject('postgresUrl'), 'series-scheduler')
  simulator = await createPublisherSimulator({ fixturesDir: null, nodes: { miso: 10, caiso: 10 }, marketRoutes: [] })
  client = createHttpClient({ userAgent: 'carbon-test', maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 }, minSpacingMs: { 'eia.api': 0, 'eia.www': 0, 'carb.www': 0 } })
  // Two respondents keep the EIA-930 window small: CAISO's own and a WEIM member mapped to it.
  config = { urls: simulatorUrls(simulator.url), caisoNodes: 'ALL', eiaKey: 'test-key', eia930Respondents: ['CISO', 'PACW'] }
  scheduler = schedulerAt(NOW)
}, 60_000)

afterAll(async () => {
  await scheduler?.stop()
  await simulator?.close()
  await stores?.close()
})

async function stored(where: string, params: Record<string, unknown>): Promise<number> {
  expect(await stores.consumer.drain(10_000)).toBe(true)
  const [row] = await queryRows<{ n: string }>(stores.ch, 'test.series.stored', `SELECT count() AS n FROM series_values FINAL WHERE ${where}`, params)
  return Number(row!.n)
}

describe('a cycle per dataset', () => {
  it('EIA LNG bullet: the week ending 2026-09-23 is stored, the watermark passes it, the next cycle is idle', async () => {
    const dataset = SERIES_DATASETS['eia.ng.wngsr_lng_prices']
    const first = await scheduler.runCycle(dataset)
    expect(first).toMatchObject({ status: 'ok', records: 2, issues: 0 })
    expect(await stored("product = 'LNG' AND series = 'JKM' AND value = 26.41", {})).toBe(1)
    expect(await readWatermark(stores.pg.db, watermarkKey(dataset), dataset.id)).not.toBeNull()
    expect((await scheduler.runCycle(dataset)).status).toBe('idle')
  })

  it('EIA-930: every respondent and day of the lookback, paged, under CAISO; the key never reaches a stored URL', async () => {
    const dataset = SERIES_DATASETS['eia.930.region_data']
    const result = await scheduler.runCycle(dataset)
    expect(result.status).toBe('ok')
    expect(result.records).toBeGreaterThan(0)
    expect(await stored("product = 'GRID' AND market = 'CAISO' AND series IN ('CISO.DEMAND', 'PACW.DEMAND')", {})).toBeGreaterThan(24)
    const runs = await stores.pg.db.select({ url: ingestRuns.url, market: ingestRuns.market, status: ingestRuns.status }).from(ingestRuns).where(eq(ingestRuns.dataset, dataset.id))
    expect(runs.length).toBeGreaterThanOrEqual(result.requests)
    expect(runs.every((r) => r.market === 'CAISO' && r.status === 'ok')).toBe(true)
    expect(runs.some((r) => r.url.includes('test-key'))).toBe(false)
    expect((await readWatermark(stores.pg.db, 'GRID', dataset.id))?.getTime()).toBeGreaterThan(NOW - 3 * 86_400_000)
  })

  it("Henry Hub's monthly workbook (its release of 2026-08-19) and CARB's listed workbook (2020): stored, one run each", async () => {
    for (const [id, at] of [
      ['eia.ng.hh_spot_monthly', Date.parse('2026-08-20T12:00:00Z')],
      ['carb.lcfs.credit_transfers', Date.parse('2020-05-29T20:00:00Z')],
    ] as const) {
      const result = await schedulerAt(at).runCycle(SERIES_DATASETS[id])
      expect(result.status, id).toBe('ok')
      expect(result.records, id).toBeGreaterThan(0)
      const runs = await stores.pg.db.select({ records: ingestRuns.records }).from(ingestRuns).where(and(eq(ingestRuns.dataset, id), eq(ingestRuns.status, 'ok')))
      expect(runs.reduce((n, r) => n + r.records, 0), id).toBe(result.records)
    }
    expect(await stored("product = 'GAS' AND series = 'HENRY_HUB' AND frequency = 'month'", {})).toBe(355)
    expect(await stored("product = 'LCFS' AND series = 'LCFS_CREDIT' AND measure = 'price'", {})).toBeGreaterThan(0)
  })

  it("a release not out yet (the same workbook still served a month later) is no data: a no-data run, the watermark stays", async () => {
    const dataset = SERIES_DATASETS['eia.ng.hh_spot_monthly']
    const before = await readWatermark(stores.pg.db, watermarkKey(dataset), dataset.id)
    const result = await schedulerAt(Date.parse('2026-09-25T18:00:00Z')).runCycle(dataset)
    expect(result.status).toBe('no-data')
    expect(await readWatermark(stores.pg.db, watermarkKey(dataset), dataset.id)).toEqual(before)
    const runs = await stores.pg.db.select({ status: ingestRuns.status }).from(ingestRuns).where(eq(ingestRuns.dataset, dataset.id))
    expect(runs.map((r) => r.status)).toContain('no-data')
  })

  it('without the EIA key the EIA-930 datasets are not available (the ingest leaves them out)', () => {
    expect(SERIES_DATASETS['eia.930.fuel_type_data'].available({ ...config, eiaKey: undefined })).toBe(false)
    expect(SERIES_DATASETS['eia.930.fuel_type_data'].available(config)).toBe(true)
  })
})
