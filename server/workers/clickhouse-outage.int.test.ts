import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { createHttpClient, MISO_DX_DATASETS, SOURCES, simulatorUrls } from '@carbon/connectors'
import { createPublisherSimulator, type PublisherSimulator } from '@carbon/simulator'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { startCarbon, waitWhileRunning, type LogLine } from '../../tests/support/carbon-process.ts'
import { startKafkaMock, type KafkaMock } from '../../tests/setup/kafka-mock.ts'
import { TOPICS } from '../adapters/bus/index.ts'
import { openClickHouse, queryRows } from '../adapters/clickhouse/client.ts'
import { migratePostgres, openPostgres, seedMarkets, type PostgresHandle } from '../adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { repoRoot } from '../paths.ts'
import { advanceWatermark, readWatermark } from '../services/ingest/runs.ts'
import { PRICES_CONSUMER_GROUP } from './prices-consumer.ts'

/*
 * ClickHouse unavailable, with real processes: `carbon ingest` and `carbon consumer` on the Kafka
 * mock cluster, the ingest fetching a MISO five-minute day (small catalogue) from the publisher
 * simulator while the consumer's ClickHouse cannot be opened, then the store comes back.
 *
 * Which outage, honestly: no ClickHouse server can run on this machine (Debian's is from 2018, see
 * /work/shared/STACK.md), so the consumer's store is chDB, the engine embedded in the consumer
 * process at `$DATA_DIR/clickhouse`. chDB locks that directory per process: while another process
 * holds it (here a plain node process with a chDB session open on it, as an operator's chDB or
 * clickhouse-local session on the store would), the consumer's ClickHouse open fails with
 * UNAVAILABLE, exactly the answer it gets from a ClickHouse server that is down (CLICKHOUSE_URL on
 * a closed port: also UNAVAILABLE from openClickHouse). Nothing is faked: the holder is real chDB,
 * and releasing it is the store coming back.
 *
 * While it is unavailable: the ingest keeps publishing (every record of the day is on the bus),
 * the consumer keeps waiting (it does not exit), commits no offset and dead-letters nothing. Once
 * released: the consumer stores the day exactly (count and sum equal the publisher's), once in
 * `prices` (FINAL) and once in `price_arrivals` (no FINAL).
 */
const DX = MISO_DX_DATASETS['miso.dx.rt_expost_lmp_5min']
const DX_KEY = 'outage-test-key'
const DAY_MS = 86_400_000
const FIVE_MINUTES = 300_000

let mock: KafkaMock
let consumerDir: string
let ingestDir: string
let database: { url: string; drop(): Promise<void> }
let pg: PostgresHandle
let simulator: PublisherSimulator
const holders: ChildProcess[] = []

beforeAll(async () => {
  mock = await startKafkaMock()
  consumerDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-outage-consumer-'))
  ingestDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-outage-ingest-'))
  database = await createScratchServerDatabase(inject('postgresUrl'))
  pg = await openPostgres(parseEnv({ DATABASE_URL: database.url }))
  await migratePostgres(pg)
  await seedMarkets(pg.db)
  // Pages of 5,000 (the day in a few pages): the ingest spaces Data Exchange requests 600 ms apart
  // and the consumer's store retries back off from 0.5 s doubling to 10 s, so the sooner the day is
  // on the bus, the shorter the waits for the retries that follow it and for the one after the release.
  simulator = await createPublisherSimulator({ nodes: { miso: 40, caiso: 30 }, fixturesDir: null, dataExchangeKey: DX_KEY, dataExchangePageSize: 5_000 })
})

afterAll(async () => {
  for (const child of holders) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await simulator?.close()
  await pg?.close()
  await mock?.stop()
  await database?.drop()
  for (const dir of [consumerDir, ingestDir]) if (dir) await rm(dir, { recursive: true, force: true })
})

/** A process holding a chDB session on `dir` (its lock) until it gets SIGTERM. */
async function holdChdb(dir: string) {
  const script = `
    const { Session } = require('chdb')
    const session = new Session(process.argv[1])
    session.query('SELECT 1')
    process.stdout.write('held\\n')
    process.on('SIGTERM', () => { session.cleanup?.(); process.exit(0) })
    setInterval(() => {}, 60_000)`
  const child = spawn(process.execPath, ['-e', script, dir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => line === 'held' && resolve())
    void exited.then((code) => reject(new Error(`the chDB holder exited (${code}) before holding ${dir}`)))
  })
  holders.push(child)
  return {
    async release() {
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    },
  }
}

/** The publisher's day, read here page by page: count and sum of LMPs in millionths (exact). */
async function publishedDay(day: number): Promise<{ count: number; micros: number }> {
  const client = createHttpClient({ userAgent: 'carbon-test', minSpacingMs: {} })
  const config = { urls: simulatorUrls(simulator.url), caisoNodes: 'ALL' as const, misoDataExchangeKey: DX_KEY }
  let request = DX.plan({ start: day, end: day + DAY_MS }, config, Date.now())[0]!
  const total = { count: 0, micros: 0 }
  for (;;) {
    const outcome = await client.fetch(request)
    if (outcome.kind !== 'payload') throw new Error(`${request.file} not served`)
    for (const r of SOURCES[DX.id].parse(new TextDecoder().decode(outcome.payload.bytes), request.file).records) {
      total.count++
      total.micros += Math.round(r.lmp * 1e6)
    }
    const next = DX.nextPage!(outcome.payload)
    if (!next) return total
    request = next
  }
}

async function topicOffsets(admin: ReturnType<Kafka['admin']>, topic: string) {
  const offsets = await admin.fetchTopicOffsets(topic)
  return { partitions: offsets, total: offsets.reduce((sum, p) => sum + Number(p.high), 0) }
}

it('keeps every record on the bus while ClickHouse is unavailable, and stores each once when it returns', async () => {
  const day = DX.publishedUntil(Date.now()) - DAY_MS
  const [expected, holder] = await Promise.all([publishedDay(day), holdChdb(path.join(consumerDir, 'clickhouse'))])
  expect(expected.count).toBeGreaterThan(10_000)
  await advanceWatermark(pg.db, 'MISO', DX.id, new Date(day - FIVE_MINUTES))
  const common = {
    NODE_ENV: 'test' as const,
    LOG_LEVEL: 'debug',
    DATABASE_URL: database.url,
    KAFKA_BROKERS: mock.brokers.join(','),
    KAFKA_SESSION_TIMEOUT_MS: '3000',
  }

  let waits = 0
  let stored = 0
  const reached = new Map<number, number>()
  const consumer = startCarbon(['consumer'], { ...common, DATA_DIR: consumerDir }, (line: LogLine) => {
    if (line.msg.includes('unavailable; waiting for it')) waits++
    if (line.msg === 'prices batch stored') {
      stored++
      reached.set(Number(line.partition), Math.max(reached.get(Number(line.partition)) ?? -1, Number(line.lastOffset)))
    }
  })
  const ingest = startCarbon(['ingest'], {
    ...common,
    DATA_DIR: ingestDir,
    INGEST_SOURCE: 'simulator',
    INGEST_SIMULATOR_URL: simulator.url,
    INGEST_DATASETS: DX.id,
    MISO_DX_KEY: DX_KEY,
  })
  const admin = new Kafka({ brokers: mock.brokers, clientId: 'outage-test-admin', logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  try {
    await waitWhileRunning('the ingest to publish the day', async () => ((await readWatermark(pg.db, 'MISO', DX.id))?.getTime() ?? 0) >= day + DAY_MS - FIVE_MINUTES, [
      consumer,
      ingest,
    ])
    // The consumer is still waiting for its store, after the whole day went onto the bus.
    const waitsThen = waits
    await waitWhileRunning('the consumer to try its store again', () => waits >= waitsThen + 2, [consumer, ingest])
    expect(stored).toBe(0)
    const onBus = await topicOffsets(admin, TOPICS.pricesNormalized)
    expect(onBus.total).toBe(expected.count)
    const [committed] = await admin.fetchOffsets({ groupId: PRICES_CONSUMER_GROUP, topics: [TOPICS.pricesNormalized] })
    expect((committed?.partitions ?? []).every((p) => Number(p.offset) < 0)).toBe(true)
    expect((await topicOffsets(admin, TOPICS.pricesDlq)).total).toBe(0)

    // The store comes back: the consumer opens it and catches up.
    await holder.release()
    await waitWhileRunning(
      'the consumer to catch up',
      () => onBus.partitions.every((p) => Number(p.high) === 0 || (reached.get(p.partition) ?? -1) + 1 >= Number(p.high)),
      [consumer, ingest],
    )
    expect((await topicOffsets(admin, TOPICS.pricesDlq)).total).toBe(0)
  } finally {
    await admin.disconnect()
    for (const p of [consumer, ingest]) if (!p.ended()) p.child.kill('SIGTERM')
  }
  expect((await consumer.exited).code, consumer.stderr()).toBe(0)
  expect((await ingest.exited).code, ingest.stderr()).toBe(0)

  const ch = await openClickHouse(parseEnv({ DATA_DIR: consumerDir }))
  try {
    const where = `source = '${DX.id}' AND interval_start >= fromUnixTimestamp64Milli(${day}) AND interval_start < fromUnixTimestamp64Milli(${day + DAY_MS})`
    const [prices] = await queryRows<{ rows: string; micros: string }>(ch, 'outage_prices', `SELECT count() AS rows, sum(round(lmp * 1000000)) AS micros FROM prices FINAL WHERE ${where}`)
    expect({ rows: Number(prices!.rows), micros: Number(prices!.micros) }).toEqual({ rows: expected.count, micros: expected.micros })
    const [arrivals] = await queryRows<{ rows: string; keys: string }>(
      ch,
      'outage_arrivals',
      `SELECT count() AS rows, uniqExact(market, node, run, interval_start) AS keys FROM price_arrivals WHERE ${where}`,
    )
    expect({ rows: Number(arrivals!.rows), keys: Number(arrivals!.keys) }).toEqual({ rows: expected.count, keys: expected.count })
  } finally {
    await ch.close()
  }
}, 300_000)
