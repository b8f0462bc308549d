import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { MISO_DX_DATASETS, SOURCES } from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { createPublisherSimulator } from '@carbon/simulator'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { startCarbon, waitWhileRunning, type CarbonProcess } from '../../tests/support/carbon-process.ts'
import { startKafkaMock, type KafkaMock } from '../../tests/setup/kafka-mock.ts'
import { bulkPriceRecord } from '../../tests/support/bulk-price-records.ts'
import { createKafkaBus, TOPICS } from '../adapters/bus/index.ts'
import { openClickHouse, queryRows, type ClickHouseHandle } from '../adapters/clickhouse/client.ts'
import { createLocalStore } from '../adapters/objects/local.ts'
import { migratePostgres, openPostgres, seedMarkets, type PostgresHandle } from '../adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { advanceWatermark, readWatermark } from '../services/ingest/runs.ts'
import { PRICES_CONSUMER_GROUP } from './prices-consumer.ts'

/*
 * Test 1. The consumer sidecar as a real process (`carbon consumer`: Kafka -> chDB) killed with SIGKILL
 * while it is storing batches, then started again: every record is stored exactly once (counted
 * and summed with FINAL, as every reader reads, and in `price_arrivals` without FINAL), none is
 * lost. Kafka is librdkafka's mock cluster; the consumer's chDB store lives in its own data
 * directory, read by this test once it has exited.
 *
 * Volume: 40,000 records, about 10,000 per partition, so every partition holds at least two
 * batches (the consumer's batch bound is 5,000): the kill, sent on the first batch the process
 * reports stored, lands while the rest is still to be stored (asserted: some but not all were
 * stored before it).
 */
const NODES = 1_000
const INTERVALS = 40
const TOTAL = NODES * INTERVALS
const START = Date.parse('2026-06-01T05:00:00Z')

let mock: KafkaMock
let dataDir: string
let ingestDir: string
let database: { url: string; drop(): Promise<void> }
let pg: PostgresHandle

beforeAll(async () => {
  mock = await startKafkaMock()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-kill-'))
  ingestDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-kill-ingest-'))
  database = await createScratchServerDatabase(inject('postgresUrl'))
  // What `carbon migrate` does before the sidecars start in production.
  pg = await openPostgres(parseEnv({ DATABASE_URL: database.url }))
  await migratePostgres(pg)
  await seedMarkets(pg.db)
})

afterAll(async () => {
  await pg?.close()
  await mock?.stop()
  await database?.drop()
  for (const dir of [dataDir, ingestDir]) if (dir) await rm(dir, { recursive: true, force: true })
})

function record(i: number): PriceRecord {
  return bulkPriceRecord(i, { prefix: 'KILL', nodes: NODES, start: START, source: 'test.consumer-kill', lmpBase: 20, lmpCycle: 997 })
}

type BatchLine = { msg: string; partition: number; lastOffset: string; valid: number }
type Started = CarbonProcess

/** The environment every carbon process of this file shares, with `extraEnv` on top. */
function carbonEnv(extraEnv: Record<string, string>): Record<string, string> & { NODE_ENV: 'development' | 'production' | 'test' } {
  return {
    NODE_ENV: 'test' as const,
    LOG_LEVEL: 'debug',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    KAFKA_BROKERS: mock.brokers.join(','),
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    ...extraEnv,
  }
}

/** `carbon consumer`; `onBatch` sees every stored batch. */
function startConsumer(onBatch: (line: BatchLine) => void, extraEnv: Record<string, string> = {}): Started {
  return startCarbon(['consumer'], carbonEnv(extraEnv), (line) => {
    if (line.msg === 'prices batch stored') onBatch(line as unknown as BatchLine)
  })
}

it('loses nothing and duplicates nothing when the consumer is killed mid-stream and restarted', async () => {
  const producer = createKafkaBus({ brokers: mock.brokers, clientId: 'kill-test-producer' })
  const records = Array.from({ length: TOTAL }, (_, i) => record(i))
  await producer.publish(
    TOPICS.pricesNormalized,
    records.map((r) => ({ key: `${r.market}:${r.node}`, value: JSON.stringify(r) })),
  )
  await producer.close()

  const admin = new Kafka({ brokers: mock.brokers, clientId: 'kill-test-admin', logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  const highs = new Map((await admin.fetchTopicOffsets(TOPICS.pricesNormalized)).map((p) => [p.partition, Number(p.high)]))
  await admin.disconnect()
  expect([...highs.values()].reduce((a, b) => a + b, 0)).toBe(TOTAL)

  // First run: killed right after its first stored batch, while later batches are in flight.
  let storedBeforeKill = 0
  const first = startConsumer((line) => {
    storedBeforeKill += line.valid
    first.child.kill('SIGKILL')
  })
  const firstCode = (await first.exited).code
  expect(firstCode, first.stderr()).toBeNull()
  expect(storedBeforeKill).toBeGreaterThan(0)
  expect(storedBeforeKill).toBeLessThan(TOTAL)
  // ... and Kafka agrees: the group had not committed the whole topic when it was killed.
  const afterKill = new Kafka({ brokers: mock.brokers, clientId: 'kill-test-admin', logLevel: logLevel.NOTHING }).admin()
  await afterKill.connect()
  const [committed] = await afterKill.fetchOffsets({ groupId: PRICES_CONSUMER_GROUP, topics: [TOPICS.pricesNormalized] })
  await afterKill.disconnect()
  expect((committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)).toBeLessThan(TOTAL)

  // Second run: resumes from the committed offsets; done when every partition is read to its end.
  const reached = new Map<number, number>()
  let resolveDone!: () => void
  const done = new Promise<void>((resolve) => (resolveDone = resolve))
  const second = startConsumer((line) => {
    reached.set(line.partition, Math.max(reached.get(line.partition) ?? -1, Number(line.lastOffset)))
    if ([...highs].every(([partition, high]) => high === 0 || (reached.get(partition) ?? -1) + 1 >= high)) resolveDone()
  })
  await Promise.race([done, second.exited.then(() => Promise.reject(new Error(`consumer exited early:\n${second.stderr()}`)))])
  second.child.kill('SIGTERM')
  expect((await second.exited).code).toBe(0)

  const ch = await openClickHouse(parseEnv({ DATA_DIR: dataDir }))
  try {
    const [row] = await queryRows<{ rows: string; keys: string; total: number }>(
      ch,
      'kill_test_count',
      "SELECT count() AS rows, uniqExact(node, interval_start) AS keys, sum(lmp) AS total FROM prices FINAL WHERE source = 'test.consumer-kill'",
    )
    expect(Number(row!.rows)).toBe(TOTAL)
    expect(Number(row!.keys)).toBe(TOTAL)
    const expected = records.reduce((sum, r) => sum + r.lmp, 0)
    expect(Number(row!.total)).toBeCloseTo(expected, 4)
    // Nothing twice in the arrival log either, counted WITHOUT FINAL: the batch stored before the
    // kill and delivered again after it is recognised by its bus positions.
    expect(await arrivalCounts(ch, "source = 'test.consumer-kill'")).toEqual({ rows: TOTAL, keys: TOTAL, positions: TOTAL })
  } finally {
    await ch.close()
  }
})

/** price_arrivals without FINAL: rows, distinct (market, node, run, interval_start), distinct bus positions. */
async function arrivalCounts(ch: ClickHouseHandle, where: string) {
  const [row] = await queryRows<{ rows: string; keys: string; positions: string }>(
    ch,
    'kill_test_arrivals',
    `SELECT count() AS rows, uniqExact(market, node, run, interval_start) AS keys, uniqExact(bus_partition, bus_offset) AS positions FROM price_arrivals WHERE ${where}`,
  )
  return { rows: Number(row!.rows), keys: Number(row!.keys), positions: Number(row!.positions) }
}

/*
 * Test 2. A MISO day of 250 nodes x 288 five-minute intervals = 72,000 records, from the publisher
 * simulator's Data Exchange (8 pages of up to 10,000: each page is published in several produce
 * requests, as a full-size day's are) through `carbon ingest` and `carbon consumer`, two real
 * processes on the Kafka mock cluster, each killed with SIGKILL in the middle of the day and
 * started again: the ingest after its 4th page (while it publishes), the consumer after its 4th
 * stored batch (pages 1-3, 30,000 records, are on the bus by then: at least 6 batches of at most
 * 5,000). The restarted ingest resumes at its first page not recorded (the page it was publishing
 * is published again, under the same raw key); the restarted consumer resumes at its committed
 * offsets (the batch stored but not committed is delivered again). In the end ClickHouse holds
 * the day exactly: count and sum in `prices` (FINAL) equal what the publisher sent (its pages as
 * archived, parsed here), and `price_arrivals` (no FINAL) holds each record once. The Kafka mock
 * keeps ~5 MB per partition: the restarts are immediate, so the consumer never falls that far
 * behind.
 */
const DX = MISO_DX_DATASETS['miso.dx.rt_expost_lmp_5min']
const DX_KEY = 'kill-test-subscription-key'
const DX_PAGE = 10_000
const DX_NODES = 250
const DAY_RECORDS = DX_NODES * 288
/** The ingest is killed once the publisher answered this page, the consumer once it stored this many batches. */
const INGEST_KILL_PAGE = 4
const CONSUMER_KILL_BATCH = 4
const DAY_MS = 86_400_000
const FIVE_MINUTES = 300_000

/**
 * What the publisher sent for the day, as the ingest archived it (raw bytes, content-addressed,
 * before anything else is done with them): one file per page, every page from 1 on, parsed here
 * independently of the pipeline. Count and sum of LMPs in millionths (exact integers).
 */
async function archivedDay(day: number): Promise<{ count: number; micros: number; pages: number }> {
  const objects = createLocalStore({ root: path.join(ingestDir, 'objects'), signingSecret: 'x'.repeat(40), baseUrl: 'http://localhost' })
  const prefix = `raw/MISO/${DX.id}/${new Date(day).toISOString().slice(0, 10).replaceAll('-', '/')}/`
  const keys: string[] = []
  for (let page = await objects.list(prefix); ; page = await objects.list(prefix, { after: page.next! })) {
    keys.push(...page.keys.filter((k) => /_p\d+\.json\.[0-9a-f]{12}$/.test(k)))
    if (!page.next) break
  }
  const pages = keys.map((k) => Number(/_p(\d+)\.json/.exec(k)![1])).sort((a, b) => a - b)
  // Each page archived once (a page fetched again has the same bytes, hence the same key), none missing.
  expect(pages).toEqual(Array.from({ length: pages.length }, (_, i) => i + 1))
  let count = 0
  let micros = 0
  for (const key of keys) {
    const { records } = SOURCES[DX.id].parse((await objects.getBuffer(key)).toString('utf8'), key)
    count += records.length
    for (const r of records) micros += Math.round(r.lmp * 1e6)
  }
  await objects.close()
  return { count, micros, pages: pages.length }
}

it('stores a multi-page MISO day exactly once when the ingest and the consumer are each killed mid-day and restarted', async () => {
  const simulator = await createPublisherSimulator({ nodes: { miso: DX_NODES }, fixturesDir: null, dataExchangeKey: DX_KEY, dataExchangePageSize: DX_PAGE })
  // The latest day the Data Exchange has published; the watermark just before it makes it the one window.
  const day = DX.publishedUntil(Date.now()) - DAY_MS
  // The catalogue asked for: 250 nodes, 288 five-minute intervals, several pages.
  expect(simulator.model.miso.nodes.length * 288).toBe(DAY_RECORDS)
  expect(Math.ceil(DAY_RECORDS / DX_PAGE)).toBeGreaterThan(INGEST_KILL_PAGE + 2)
  try {
    await advanceWatermark(pg.db, 'MISO', DX.id, new Date(day - FIVE_MINUTES))
    const ingestEnv = {
      DATA_DIR: ingestDir,
      INGEST_SOURCE: 'simulator',
      INGEST_SIMULATOR_URL: simulator.url,
      INGEST_DATASETS: DX.id,
      MISO_DX_KEY: DX_KEY,
    }

    // First runs: each killed in the middle of the day.
    let pagesAnswered = 0
    const ingest1 = startCarbon(['ingest'], carbonEnv(ingestEnv), (line) => {
      if (line.msg === 'publisher answered' && ++pagesAnswered === INGEST_KILL_PAGE) ingest1.child.kill('SIGKILL')
    })
    let batches = 0
    let storedBeforeKill = 0
    const consumer1 = startConsumer((line) => {
      storedBeforeKill += line.valid
      if (++batches === CONSUMER_KILL_BATCH) consumer1.child.kill('SIGKILL')
    })
    expect((await ingest1.exited).code, ingest1.stderr()).toBeNull()
    expect((await consumer1.exited).code, consumer1.stderr()).toBeNull()
    // Both kills landed mid-day: the consumer had stored part of the day, the ingest had not finished it.
    expect(storedBeforeKill).toBeGreaterThan(0)
    expect(storedBeforeKill).toBeLessThan(DAY_RECORDS)
    const markAfterKill = await readWatermark(pg.db, 'MISO', DX.id)
    expect(markAfterKill!.getTime()).toBeLessThan(day)

    // Second runs: the ingest finishes the day, the consumer reads every partition to its end.
    let resumedAt: string | null = null
    const ingest2 = startCarbon(['ingest'], carbonEnv(ingestEnv), (line) => {
      if (line.msg === 'resuming a window at its first page not taken') resumedAt = String(line.file)
    })
    const reached = new Map<number, number>()
    const consumer2 = startConsumer((line) => reached.set(line.partition, Math.max(reached.get(line.partition) ?? -1, Number(line.lastOffset))))
    const running = [ingest2, consumer2]
    await waitWhileRunning('the ingest to finish the day', async () => ((await readWatermark(pg.db, 'MISO', DX.id))?.getTime() ?? 0) >= day + DAY_MS - FIVE_MINUTES, running)
    expect(resumedAt).toMatch(/_p(\d+)\.json$/)
    expect(Number(/_p(\d+)\.json$/.exec(resumedAt!)![1])).toBeGreaterThan(1)

    const admin = new Kafka({ brokers: mock.brokers, clientId: 'kill-test-admin', logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    const offsets = await admin.fetchTopicOffsets(TOPICS.pricesNormalized)
    await admin.disconnect()
    await waitWhileRunning('the consumer to reach the end of every partition', () => offsets.every((p) => Number(p.high) === 0 || (reached.get(p.partition) ?? -1) + 1 >= Number(p.high)), running)
    for (const p of running) p.child.kill('SIGTERM')
    expect((await ingest2.exited).code, ingest2.stderr()).toBe(0)
    expect((await consumer2.exited).code, consumer2.stderr()).toBe(0)
  } finally {
    await simulator.close()
  }

  const expected = await archivedDay(day)
  expect(expected).toMatchObject({ count: DAY_RECORDS, pages: Math.ceil(DAY_RECORDS / DX_PAGE) })
  const ch = await openClickHouse(parseEnv({ DATA_DIR: dataDir }))
  try {
    const where = `source = '${DX.id}' AND interval_start >= fromUnixTimestamp64Milli(${day}) AND interval_start < fromUnixTimestamp64Milli(${day + DAY_MS})`
    const [prices] = await queryRows<{ rows: string; micros: string }>(ch, 'kill_test_day', `SELECT count() AS rows, sum(round(lmp * 1000000)) AS micros FROM prices FINAL WHERE ${where}`)
    expect(Number(prices!.rows)).toBe(DAY_RECORDS)
    expect(Number(prices!.micros)).toBe(expected.micros)
    expect(await arrivalCounts(ch, where)).toEqual({ rows: DAY_RECORDS, keys: DAY_RECORDS, positions: DAY_RECORDS })
  } finally {
    await ch.close()
  }
}, 180_000)
