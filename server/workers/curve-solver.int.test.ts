import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { startKafkaMock, type KafkaMock } from '../../tests/setup/kafka-mock.ts'
import { openClickHouse, queryRows } from '../adapters/clickhouse/client.ts'
import { migratePostgres } from '../adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { repoRoot } from '../paths.ts'
import { openPlatform, seedReferenceData, type Platform } from '../platform.ts'
import { requestBuild, waitForBuild } from '../services/curves/index.ts'

/*
 * The solver sidecar as a real process (`carbon solver`: Kafka curves.build -> chDB curve points
 * and the build's Postgres row), fed by a build request published to librdkafka's mock cluster from
 * this process, as the web process would. The solver's chDB store lives in its own data directory,
 * read by this test once the solver has stopped.
 */
let mock: KafkaMock
let database: { url: string; drop(): Promise<void> }
let webDir: string
let solverDir: string
let platform: Platform | null

beforeAll(async () => {
  mock = await startKafkaMock()
  database = await createScratchServerDatabase(inject('postgresUrl'))
  webDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-solver-web-'))
  solverDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-solver-'))
  const env = parseEnv({ DATA_DIR: webDir, DATABASE_URL: database.url, KAFKA_BROKERS: mock.brokers.join(',') })
  platform = await openPlatform(env, pino({ level: 'silent' }))
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, env)
})

afterAll(async () => {
  await platform?.close()
  await mock?.stop()
  await database?.drop()
  for (const dir of [webDir, solverDir]) if (dir) await rm(dir, { recursive: true, force: true })
})

function startSolver(): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), 'solver'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATA_DIR: solverDir,
      DATABASE_URL: database.url,
      KAFKA_BROKERS: mock.brokers.join(','),
      KAFKA_SESSION_TIMEOUT_MS: '3000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exited, output: () => output }
}

it('builds a curve requested through Kafka: points in its store, the build done with diagnostics', async () => {
  const hub = DEMO_CURVE_HUBS.find((h) => h.node === 'TH_SP15_GEN-APND')!
  const solver = startSolver()
  try {
    const queued = await requestBuild(
      { db: platform!.pg.db, bus: platform!.bus },
      { market: 'CAISO', node: hub.node, asOf: '2026-11-25', quotes: demoQuotes(hub, '2026-11-25'), source: 'api' },
      { userId: null, label: 'solver-int-test', organizationId: null },
    )
    const row = await waitForBuild(platform!.pg.db, queued.id, 90_000)
    expect(row.status, solver.output()).toBe('done')
    expect(row.diagnostics).toMatchObject({ method: 'kkt-banded-schur', redundant: [] })
    expect(row.lastMonth).toBe('2050-12')
  } finally {
    solver.child.kill('SIGTERM')
  }
  expect(await solver.exited, solver.output()).toBe(0)
  // chDB opens one data directory per process: this process's platform closes first.
  await platform!.close()
  platform = null

  const ch = await openClickHouse(parseEnv({ DATA_DIR: solverDir }))
  try {
    const [count] = await queryRows<{ n: string }>(ch, 'test.points', "SELECT count() AS n FROM curve_points WHERE curve_id = 'CAISO:TH_SP15_GEN-APND'")
    expect(Number(count!.n)).toBe(12 * 24 + 1)
  } finally {
    await ch.close()
  }
})
