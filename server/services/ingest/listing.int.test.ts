import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createHttpClient, ERCOT_DATASETS, simulatorUrls, type ConnectorConfig, type HttpClient } from '@carbon/connectors'
import { createErcotRoutes, createPublisherSimulator, type PublisherSimulator } from '@carbon/simulator'
import { and, eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { createInProcessBus, type Bus } from '../../adapters/bus/index.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../../adapters/clickhouse/testing.ts'
import { createLocalStore } from '../../adapters/objects/local.ts'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { ingestRuns } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { startPricesConsumer, type PricesConsumer } from '../../workers/prices-consumer.ts'
import { createNodeCatalogue } from './catalogue.ts'
import type { PipelineDeps } from './pipeline.ts'
import { readWatermark } from './runs.ts'
import { createScheduler } from './scheduler.ts'

/*
 * A publisher that lists its documents first (ERCOT MIS: IceDocListJsonWS, then mirDownload), under
 * the scheduler, on real parts (the publisher simulator over HTTP, PostgreSQL, the local object
 * store, the in-process bus, the prices consumer, chDB). The listing is not a price file: the
 * documents it names for the window are fetched and parsed. A listing that does not hold the
 * day yet (posted late) or cannot be read is recorded as a run of its own and leaves the watermark
 * before the day; the next cycle takes the day once.
 */
const DATASET = ERCOT_DATASETS['ercot.dam_spp']
const NODES = 30
const log = pino({ level: 'silent' })
const HOUR = 3_600_000

let pg: PostgresHandle
let ch: Awaited<ReturnType<typeof openScratchClickHouse>>
let objectsDir: string
let simulator: PublisherSimulator
let client: HttpClient
let config: ConnectorConfig
let bus: Bus
let consumer: PricesConsumer

beforeAll(async () => {
  pg = await openScratchDatabase('postgres', { serverUrl: inject('postgresUrl') })
  await migratePostgres(pg)
  await seedMarkets(pg.db)
  ch = await openScratchClickHouse()
  objectsDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-listing-objects-'))
  simulator = await createPublisherSimulator({ fixturesDir: null, marketRoutes: createErcotRoutes({ nodes: NODES }) })
  client = createHttpClient({ userAgent: 'carbon-test', maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 }, minSpacingMs: { 'ercot.mis': 0 } })
  config = { urls: simulatorUrls(simulator.url), caisoNodes: 'ALL' }
  bus = createInProcessBus({ log })
  consumer = await startPricesConsumer({ bus, ch, log })
}, 60_000)

afterAll(async () => {
  await consumer?.stop()
  await bus?.close()
  await simulator?.close()
  await ch?.close()
  await pg?.close()
  if (objectsDir) await rm(objectsDir, { recursive: true, force: true })
})

function deps(): PipelineDeps {
  const objects = createLocalStore({ root: objectsDir, signingSecret: 'x'.repeat(40), baseUrl: 'http://localhost' })
  return { db: pg.db, bus, objects, catalogue: createNodeCatalogue(pg.db), log, unknownNodes: 'admit' }
}

async function runsOf(dayStart: number) {
  const rows = await pg.db
    .select({ id: ingestRuns.id, file: ingestRuns.file, status: ingestRuns.status, records: ingestRuns.records, error: ingestRuns.error })
    .from(ingestRuns)
    .where(and(eq(ingestRuns.dataset, DATASET.id), eq(ingestRuns.windowStart, new Date(dayStart))))
  return rows.sort((a, b) => a.id - b.id)
}

async function storedCount(dayStart: number): Promise<{ prices: number; arrivals: number }> {
  const params = { source: DATASET.id, from: dayStart, to: dayStart + 24 * HOUR }
  const where = 'source = {source:String} AND interval_start >= fromUnixTimestamp64Milli({from:Int64}) AND interval_start < fromUnixTimestamp64Milli({to:Int64})'
  const [prices] = await queryRows<{ n: string }>(ch, 'listing_prices', `SELECT count() AS n FROM prices FINAL WHERE ${where}`, params)
  const [arrivals] = await queryRows<{ n: string }>(ch, 'listing_arrivals', `SELECT count() AS n FROM price_arrivals WHERE ${where}`, params)
  return { prices: Number(prices!.n), arrivals: Number(arrivals!.n) }
}

it('takes a day through its listing once the listing holds it; a late or unreadable listing leaves the day for the next cycle', async () => {
  // 2026-07-21 (CDT, 05:00Z .. next 05:00Z) is posted 2026-07-20 12:51 CDT; at 13:00 CDT it is out.
  const dayStart = Date.parse('2026-07-21T05:00:00Z')
  const now = Date.parse('2026-07-20T18:00:00Z')
  simulator.setNow(new Date(now))
  expect(DATASET.publishedUntil(now)).toBe(dayStart + 24 * HOUR)
  const scheduler = createScheduler({ deps: deps(), client, datasets: [DATASET], config, log, now: () => now })

  // ERCOT posts the day late (its listing at 12:40 CDT does not hold it yet): no data, the watermark stays.
  simulator.setNow(new Date(Date.parse('2026-07-20T17:40:00Z')))
  expect(await scheduler.runCycle(DATASET)).toMatchObject({ status: 'no-data', requests: 1, records: 0 })
  simulator.setNow(new Date(now))
  // A listing that is not a document list (an empty body): the run fails, naming why; the watermark stays.
  simulator.setFailureModes([{ mode: 'empty', feeds: [DATASET.id], times: 1 }])
  expect(await scheduler.runCycle(DATASET)).toMatchObject({ status: 'failed', requests: 1, records: 0 })
  expect(await readWatermark(pg.db, 'ERCOT', DATASET.id)).toBeNull()
  const early = await runsOf(dayStart)
  expect(early.map((r) => [r.file, r.status])).toEqual([
    [expect.stringContaining('12331'), 'no-data'],
    [expect.stringContaining('12331'), 'failed'],
  ])
  expect(early[1]!.error).toMatch(/empty|not a document list|JSON/i)

  simulator.setFailureModes([])
  const taken = await scheduler.runCycle(DATASET)
  expect(taken).toMatchObject({ status: 'ok', requests: 1, records: NODES * 24, issues: 0 })
  const runs = (await runsOf(dayStart)).slice(early.length)
  // One run per located document (the day's CSV zip), none for the listing itself.
  expect(runs).toHaveLength(1)
  expect(runs[0]).toMatchObject({ status: 'ok', records: NODES * 24, file: expect.stringMatching(/DAMSPNP4190/) })
  expect((await readWatermark(pg.db, 'ERCOT', DATASET.id))?.getTime()).toBe(dayStart + 23 * HOUR)
  expect(await scheduler.runCycle(DATASET)).toMatchObject({ status: 'idle', requests: 0 })
  await scheduler.stop()

  expect(await consumer.drain(30_000)).toBe(true)
  expect(await storedCount(dayStart)).toEqual({ prices: NODES * 24, arrivals: NODES * 24 })
})
