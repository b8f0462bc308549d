import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createHttpClient, MISO_DX_DATASETS, SOURCES, simulatorUrls, type ConnectorConfig, type HttpClient } from '@carbon/connectors'
import { createPublisherSimulator, type FailureRule, type PublisherSimulator } from '@carbon/simulator'
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
 * MISO Data Exchange paging under the scheduler, on real parts (the publisher simulator over HTTP,
 * PostgreSQL, the local object store, the in-process bus, the prices consumer, chDB): a market day
 * is many pages, and a later page may fail (the back end down after the client's retries) or not be
 * out yet (404). The day is done only when ALL its pages are: the first cycle takes pages 1..N-1
 * and leaves the watermark before the day; the next cycle, page N served again, takes pages N..last
 * (not 1..N-1 a second time); ClickHouse then holds the whole day once, in `prices` and in
 * `price_arrivals` (counted without FINAL).
 */
const DATASET = MISO_DX_DATASETS['miso.dx.da_expost_lmp']
const KEY = 'paging-test-key'
const PAGE_SIZE = 100
const log = pino({ level: 'silent' })
const est = (naive: string) => Date.parse(`${naive}-05:00`)

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
  objectsDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-paging-objects-'))
  simulator = await createPublisherSimulator({ nodes: { miso: 40, caiso: 30 }, fixturesDir: null, dataExchangePageSize: PAGE_SIZE })
  client = createHttpClient({ userAgent: 'carbon-test', maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 }, minSpacingMs: { 'miso.dx': 0 } })
  config = { urls: simulatorUrls(simulator.url), caisoNodes: 'ALL', misoDataExchangeKey: KEY }
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

/** Every page of the day as the publisher serves it with no failure: the records the day must end with. */
async function wholeDay(dayStart: number): Promise<{ count: number; sum: number; pages: number }> {
  let request = DATASET.plan({ start: dayStart, end: dayStart + 86_400_000 }, config, dayStart)[0]!
  let count = 0
  let sum = 0
  for (let pages = 1; ; pages++) {
    const outcome = await client.fetch(request)
    if (outcome.kind !== 'payload') throw new Error(`page ${pages} of the reference day not served`)
    const parsed = SOURCES[DATASET.id].parse(new TextDecoder().decode(outcome.payload.bytes), request.file)
    count += parsed.records.length
    for (const record of parsed.records) sum += record.lmp
    const next = DATASET.nextPage!(outcome.payload)
    if (!next) return { count, sum, pages }
    request = next
  }
}

async function stored(dayStart: number) {
  const params = { source: DATASET.id, from: dayStart, to: dayStart + 86_400_000 }
  const where = "source = {source:String} AND interval_start >= fromUnixTimestamp64Milli({from:Int64}) AND interval_start < fromUnixTimestamp64Milli({to:Int64})"
  const [prices] = await queryRows<{ n: string; total: number }>(ch, 'paging_prices', `SELECT count() AS n, sum(lmp) AS total FROM prices FINAL WHERE ${where}`, params)
  const [arrivals] = await queryRows<{ n: string; keys: string }>(
    ch,
    'paging_arrivals',
    `SELECT count() AS n, uniqExact(node, interval_start) AS keys FROM price_arrivals WHERE ${where}`,
    params,
  )
  return { prices: Number(prices!.n), sum: Number(prices!.total), arrivals: Number(arrivals!.n), arrivalKeys: Number(arrivals!.keys) }
}

/** Files of the day's page requests answered with data, in the order taken. */
async function pagesTaken(dayStart: number): Promise<string[]> {
  const rows = await pg.db
    .select({ id: ingestRuns.id, file: ingestRuns.file, status: ingestRuns.status })
    .from(ingestRuns)
    .where(and(eq(ingestRuns.dataset, DATASET.id), eq(ingestRuns.windowStart, new Date(dayStart))))
  return rows
    .filter((r) => r.status === 'ok' || r.status === 'partial')
    .sort((a, b) => a.id - b.id)
    .map((r) => r.file)
}

const pageFile = (n: number) => `_p${n}.json`

it.each([
  { day: '2026-07-20', failing: 'last' as const, mode: 'server-error' as const },
  { day: '2026-07-21', failing: 3, mode: 'not-published' as const },
])('a day whose page $failing fails ($mode) is finished by the next cycle, every record once', async ({ day, failing, mode }) => {
  const dayStart = est(`${day}T00:00:00`)
  // 13:00 EST of the day: its day-ahead prices are out (the day before, 14:00 EST), the next day's are not.
  const now = dayStart + 13 * 3_600_000
  simulator.setNow(new Date(now))
  simulator.setFailureModes([])
  const expected = await wholeDay(dayStart)
  const n = failing === 'last' ? expected.pages : failing
  expect(n).toBeGreaterThan(2)
  // Each dataset run starts without a watermark: the scheduler's window is this day only.
  const scheduler = createScheduler({ deps: deps(), client, datasets: [DATASET], config, log, now: () => now })
  const before = await readWatermark(pg.db, 'MISO', DATASET.id)

  const rule: FailureRule = { mode, feeds: [DATASET.id], pages: [n] }
  simulator.setFailureModes([rule])
  const first = await scheduler.runCycle(DATASET)
  expect(first.status).toBe(mode === 'server-error' ? 'failed' : 'no-data')
  const afterFirst = await pagesTaken(dayStart)
  expect(afterFirst).toHaveLength(n - 1)
  expect(afterFirst.every((file, i) => file.endsWith(pageFile(i + 1)))).toBe(true)
  // The watermark does not pass the day: its page n is still to be fetched.
  const mark = await readWatermark(pg.db, 'MISO', DATASET.id)
  expect(mark === null || mark.getTime() < dayStart).toBe(true)
  expect(mark).toEqual(before)

  simulator.setFailureModes([])
  const second = await scheduler.runCycle(DATASET)
  expect(second.status).toBe('ok')
  const taken = await pagesTaken(dayStart)
  // Every page once, in order: the second cycle resumed at page n.
  expect(taken).toHaveLength(expected.pages)
  expect(new Set(taken).size).toBe(expected.pages)
  expect(taken.every((file, i) => file.endsWith(pageFile(i + 1)))).toBe(true)
  expect((await readWatermark(pg.db, 'MISO', DATASET.id))?.getTime()).toBe(dayStart + 23 * 3_600_000)
  expect(await scheduler.runCycle(DATASET)).toMatchObject({ status: 'idle', requests: 0 })
  await scheduler.stop()

  expect(await consumer.drain(30_000)).toBe(true)
  const got = await stored(dayStart)
  expect(got.prices).toBe(expected.count)
  expect(got.sum).toBeCloseTo(expected.sum, 6)
  expect(got.arrivals).toBe(expected.count)
  expect(got.arrivalKeys).toBe(expected.count)
})
