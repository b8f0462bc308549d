import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { PriceRecord } from '@carbon/schemas'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startCarbon, startNodeProcess, type CarbonProcess } from '../../tests/support/carbon-process.ts'
import { startKafkaMock, type KafkaMock } from '../../tests/setup/kafka-mock.ts'
import { bulkPriceRecord } from '../../tests/support/bulk-price-records.ts'
import { createKafkaBus, TOPICS } from '../adapters/bus/index.ts'
import { openClickHouse, queryRows } from '../adapters/clickhouse/client.ts'
import { migratePostgres, openPostgres } from '../adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { repoRoot } from '../paths.ts'

/*
 * Graceful shutdown, with real processes: SIGTERM stops `carbon serve` (web, embedded consumer,
 * ingest from the simulator, solver, fan-out) and the sidecars `carbon consumer`, `ingest` and
 * `solver` on the Kafka mock cluster; each must have exited with code 0 by 10 s (a bound on the
 * wait: the test fails when the process is still alive then). The consumer stopped mid-stream
 * commits only what it stored: after a restart every record is stored once (prices and
 * price_arrivals). A second SIGTERM during a stop exits at once with 143.
 */
const BOUND_MS = 10_000
const dirs: string[] = []

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-shutdown-'))
  dirs.push(dir)
  return dir
}

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function expectExitWithinBound(process: CarbonProcess, expected: { code: number | null; signal: NodeJS.Signals | null }) {
  const exit = await process.exitWithin(BOUND_MS)
  expect(exit, `still running ${BOUND_MS} ms after SIGTERM:\n${process.output()}`).not.toBeNull()
  expect(exit, process.output()).toEqual(expected)
}

describe('carbon serve', () => {
  beforeAll(() => {
    // `carbon serve` needs the hub's build (the e2e setup makes it the same way).
    if (!fs.existsSync(path.join(repoRoot, 'build/server/index.js'))) {
      const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/ensure-build.js')], { cwd: repoRoot, stdio: 'inherit' })
      if (build.status !== 0) throw new Error('building the hub failed')
    }
  })

  async function startServe(): Promise<CarbonProcess> {
    const serve = startCarbon(['serve', '--port', '0', '--no-demo'], { DATA_DIR: await scratchDir(), LOG_LEVEL: 'info', INGEST_SOURCE: 'simulator' })
    await serve.waitFor(/254Carbon hub: http/)
    await serve.waitFor(/Live prices: ingest from the publisher simulator/)
    return serve
  }

  it('stops the web process with its consumer, ingest, solver and fan-out on SIGTERM (exit 0)', async () => {
    const serve = await startServe()
    serve.child.kill('SIGTERM')
    await expectExitWithinBound(serve, { code: 0, signal: null })
    expect(serve.output()).toContain('"msg":"shut down"')
  })

  it('exits at once with 143 on a second SIGTERM while stopping', async () => {
    // A stop that never finishes (tests/support/slow-stop.ts, the real stopOnSignals): the second
    // signal, not the end of the stop, must end the process.
    const slow = startNodeProcess(['--import', 'tsx', path.join(repoRoot, 'tests/support/slow-stop.ts')], {})
    await slow.waitFor(/ready/)
    slow.child.kill('SIGTERM')
    await slow.waitFor(/"msg":"shutting down"/)
    slow.child.kill('SIGTERM')
    await expectExitWithinBound(slow, { code: 143, signal: null })
    expect(slow.output()).toContain('second signal while shutting down: exiting now')
  })
})

describe('sidecars on Kafka', () => {
  // 30,000 records, about 7,500 per partition: at least two batches per partition (the consumer's
  // batch bound is 5,000), so the SIGTERM sent on the first stored batch lands mid-stream (asserted).
  const NODES = 1_000
  const INTERVALS = 30
  const TOTAL = NODES * INTERVALS
  const START = Date.parse('2026-06-01T05:00:00Z')
  let mock: KafkaMock
  let database: { url: string; drop(): Promise<void> }

  beforeAll(async () => {
    mock = await startKafkaMock()
    database = await createScratchServerDatabase(inject('postgresUrl'))
    const pg = await openPostgres({ DATABASE_URL: database.url, dataDir: os.tmpdir() })
    try {
      await migratePostgres(pg)
    } finally {
      await pg.close()
    }
  })

  afterAll(async () => {
    await mock?.stop()
    await database?.drop()
  })

  function record(i: number): PriceRecord {
    return bulkPriceRecord(i, { prefix: 'STOP', nodes: NODES, start: START, source: 'test.shutdown', lmpBase: 30, lmpCycle: 991 })
  }

  function sidecarEnv(dataDir: string): Record<string, string> {
    return { DATA_DIR: dataDir, DATABASE_URL: database.url, KAFKA_BROKERS: mock.brokers.join(','), KAFKA_SESSION_TIMEOUT_MS: '3000', LOG_LEVEL: 'debug' }
  }

  it('stops the consumer on SIGTERM mid-stream, committing only what it stored; a restart stores the rest once', async () => {
    const producer = createKafkaBus({ brokers: mock.brokers, clientId: 'shutdown-test-producer' })
    const records = Array.from({ length: TOTAL }, (_, i) => record(i))
    await producer.publish(TOPICS.pricesNormalized, records.map((r) => ({ key: `${r.market}:${r.node}`, value: JSON.stringify(r) })))
    await producer.close()
    const dataDir = await scratchDir()

    const first = startCarbon(['consumer'], sidecarEnv(dataDir))
    await first.waitFor(/"msg":"prices batch stored"/)
    first.child.kill('SIGTERM')
    await expectExitWithinBound(first, { code: 0, signal: null })
    expect(storedRecords(first.output())).toBeGreaterThan(0)
    expect(storedRecords(first.output())).toBeLessThan(TOTAL)

    // The restart reads from the committed offsets until every record is stored (told by its batch lines).
    let storedBySecond = 0
    let resolveAll!: () => void
    const all = new Promise<void>((resolve) => (resolveAll = resolve))
    const second = startCarbon(['consumer'], sidecarEnv(dataDir), (line) => {
      if (line.msg !== 'prices batch stored') return
      storedBySecond += Number(line.valid ?? 0)
      if (storedRecords(first.output()) + storedBySecond >= TOTAL) resolveAll()
    })
    await second.waitFor(/prices consumer running/)
    await Promise.race([all, second.exited.then(() => Promise.reject(new Error(`the consumer exited early:\n${second.output()}`)))])
    second.child.kill('SIGTERM')
    await expectExitWithinBound(second, { code: 0, signal: null })

    const ch = await openClickHouse(parseEnv({ DATA_DIR: dataDir }))
    try {
      const [prices] = await queryRows<{ rows: string; total: number }>(ch, 'shutdown_prices', "SELECT count() AS rows, sum(lmp) AS total FROM prices FINAL WHERE source = 'test.shutdown'")
      expect(Number(prices!.rows)).toBe(TOTAL)
      expect(Number(prices!.total)).toBeCloseTo(records.reduce((sum, r) => sum + r.lmp, 0), 4)
      // Nothing stored twice: a batch stored but not committed would be appended again here.
      const [arrivals] = await queryRows<{ rows: string }>(ch, 'shutdown_arrivals', "SELECT count() AS rows FROM price_arrivals WHERE node LIKE 'STOP.N%'")
      expect(Number(arrivals!.rows)).toBe(TOTAL)
    } finally {
      await ch.close()
    }
  })

  it('stops the ingest and the solver sidecars on SIGTERM (exit 0)', async () => {
    // Independent processes (own data directories), started together; each is stopped and timed on its own.
    const stopped = async (process: CarbonProcess, running: RegExp) => {
      await process.waitFor(running)
      process.child.kill('SIGTERM')
      await expectExitWithinBound(process, { code: 0, signal: null })
    }
    const ingest = startCarbon(['ingest'], { ...sidecarEnv(await scratchDir()), INGEST_SOURCE: 'simulator', LOG_LEVEL: 'info' })
    const solver = startCarbon(['solver'], { ...sidecarEnv(await scratchDir()), LOG_LEVEL: 'info' })
    await Promise.all([stopped(ingest, /ingest running from/), stopped(solver, /curve solver running/)])
  })
})

/** Records stored by the batches a consumer's debug log reports (JSON lines). */
function storedRecords(output: string): number {
  let stored = 0
  for (const text of output.split('\n')) {
    if (!text.startsWith('{')) continue
    const line = JSON.parse(text) as { msg?: string; valid?: number }
    if (line.msg === 'prices batch stored') stored += line.valid ?? 0
  }
  return stored
}
