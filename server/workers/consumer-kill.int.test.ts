import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import type { PriceRecord } from '@carbon/schemas'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { startKafkaMock, type KafkaMock } from '../../tests/setup/kafka-mock.ts'
import { createKafkaBus, TOPICS } from '../adapters/bus/index.ts'
import { openClickHouse, queryRows } from '../adapters/clickhouse/client.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { repoRoot } from '../paths.ts'

/*
 * The consumer sidecar as a real process (`carbon consumer`: Kafka -> chDB) killed with SIGKILL
 * while it is storing batches, then started again: every record is stored exactly once (counted
 * and summed with FINAL, as every reader reads), none is lost. Kafka is librdkafka's mock cluster;
 * the consumer's chDB store lives in its own data directory, read by this test once it has exited.
 */
const NODES = 2_000
const INTERVALS = 100
const TOTAL = NODES * INTERVALS
const START = Date.parse('2026-06-01T05:00:00Z')

let mock: KafkaMock
let dataDir: string
let database: { url: string; drop(): Promise<void> }

beforeAll(async () => {
  mock = await startKafkaMock()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-kill-'))
  database = await createScratchServerDatabase(inject('postgresUrl'))
})

afterAll(async () => {
  await mock?.stop()
  await database?.drop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

function record(i: number): PriceRecord {
  const node = i % NODES
  const start = START + Math.floor(i / NODES) * 300_000
  const lmp = Math.round((20 + (i % 997) * 0.01) * 100) / 100
  return {
    market: 'MISO',
    node: `KILL.N${String(node).padStart(4, '0')}`,
    run: 'RT5',
    intervalStart: new Date(start).toISOString(),
    intervalEnd: new Date(start + 300_000).toISOString(),
    lmp,
    energy: lmp - 1,
    congestion: 0.5,
    loss: 0.5,
    ghg: null,
    source: 'test.consumer-kill',
    publishedAt: null,
  }
}

type BatchLine = { msg: string; partition: number; lastOffset: string; valid: number }

/** `carbon consumer` with JSON logs on stdout; `onBatch` sees every stored batch. */
function startConsumer(onBatch: (line: BatchLine) => void): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), 'consumer'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      KAFKA_BROKERS: mock.brokers.join(','),
      KAFKA_SESSION_TIMEOUT_MS: '3000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
  createInterface({ input: child.stdout! }).on('line', (text) => {
    if (!text.startsWith('{')) return
    const line = JSON.parse(text) as BatchLine
    if (line.msg === 'prices batch stored') onBatch(line)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exited, stderr: () => err }
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
  const firstCode = await first.exited
  expect(firstCode, first.stderr()).toBeNull()
  expect(storedBeforeKill).toBeGreaterThan(0)
  expect(storedBeforeKill).toBeLessThan(TOTAL)

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
  expect(await second.exited).toBe(0)

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
  } finally {
    await ch.close()
  }
})
