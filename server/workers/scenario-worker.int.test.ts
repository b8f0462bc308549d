import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { startKafkaMock, type KafkaMock } from '../../tests/setup/kafka-mock.ts'
import { TOPICS } from '../adapters/bus/index.ts'
import { openClickHouse, queryRows } from '../adapters/clickhouse/client.ts'
import { migratePostgres } from '../adapters/postgres/client.ts'
import { organizations } from '../adapters/postgres/schema/index.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { repoRoot } from '../paths.ts'
import { openPlatform, seedReferenceData, type Platform } from '../platform.ts'
import { requestRun, saveScenario, seedHouseScenarios, waitForRun } from '../services/scenarios/index.ts'

/*
 * The scenario worker sidecar as a real process (`carbon scenario-worker`: Kafka scenarios.run ->
 * the model in its worker thread -> chDB scenario_prices/scenario_mix and the run's Postgres row,
 * progress on jobs.progress), fed by a Monte Carlo run request published to librdkafka's mock
 * cluster from this process, as the web process would. The worker's chDB store lives in its own
 * data directory, read by this test once the worker has stopped.
 */
let mock: KafkaMock
let database: { url: string; drop(): Promise<void> }
let webDir: string
let workerDir: string
let platform: Platform | null

beforeAll(async () => {
  mock = await startKafkaMock()
  database = await createScratchServerDatabase(inject('postgresUrl'))
  webDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-scenario-web-'))
  workerDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-scenario-worker-'))
  const env = parseEnv({ DATA_DIR: webDir, DATABASE_URL: database.url, KAFKA_BROKERS: mock.brokers.join(',') })
  platform = await openPlatform(env, pino({ level: 'silent' }))
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, env)
  await seedHouseScenarios(platform.pg.db)
})

afterAll(async () => {
  await platform?.close()
  await mock?.stop()
  await database?.drop()
  for (const dir of [webDir, workerDir]) if (dir) await rm(dir, { recursive: true, force: true })
})

function startWorker(): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), 'scenario-worker'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATA_DIR: workerDir,
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

it('runs a Monte Carlo scenario requested through Kafka: progress events, bands in its store, the run done', async () => {
  const db = platform!.pg.db
  const [org] = await db.insert(organizations).values({ slug: 'worker-org', name: 'worker-org' }).returning({ id: organizations.id })
  const access = { organizationId: org!.id, userId: null, label: 'worker-int-test' }
  const saved = await saveScenario(db, access, { text: 'scenario "Carbon 40" extends "base"\nset policy.carbon = 40 $/t from 2030-01 escalate 3 %/yr\n' })
  const events: { runId: string; status: string; progress: number }[] = []
  const progress = await platform!.bus.subscribe({
    topic: TOPICS.jobsProgress,
    groupId: 'scenario-worker-int-progress',
    fromBeginning: true,
    handler: async (batch) => {
      for (const m of batch.messages) events.push(JSON.parse(m.value.toString('utf8')))
    },
  })
  const worker = startWorker()
  let runId = ''
  try {
    const queued = await requestRun({ db, bus: platform!.bus }, access, { scenarioId: saved.id, mode: 'montecarlo', draws: 30, seed: 11 })
    runId = queued.runId
    expect(queued.status).toBe('queued')
    // A worker that exits (a broken start) fails the test at once, with its output.
    const finished = await Promise.race([waitForRun(db, access, runId, 90_000), worker.exited.then(() => null)])
    expect(finished, `carbon scenario-worker exited:\n${worker.output()}`).not.toBeNull()
    const done = finished!
    expect(done.status, `${done.error ?? ''}\n${worker.output()}`).toBe('done')
    expect(done.summary!.length).toBe(8)
    const deadline = Date.now() + 30_000
    while (!events.some((e) => e.runId === runId && e.status === 'done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(events.filter((e) => e.runId === runId).map((e) => e.status)).toContain('running')
    expect(events.find((e) => e.runId === runId && e.status === 'done')?.progress).toBe(1)
  } finally {
    await progress.stop()
    worker.child.kill('SIGTERM')
  }
  expect(await worker.exited, worker.output()).toBe(0)
  // chDB opens one data directory per process: this process's platform closes first.
  await platform!.close()
  platform = null

  const ch = await openClickHouse(parseEnv({ DATA_DIR: workerDir }))
  try {
    const [prices] = await queryRows<{ n: string; banded: string }>(
      ch,
      'test.scenario_prices',
      'SELECT count() AS n, countIf(p90 > p10) AS banded FROM scenario_prices WHERE run_id = {runId:String}',
      { runId },
    )
    expect(Number(prices!.n)).toBe(2 * 2 * 2 * 312)
    expect(Number(prices!.banded)).toBeGreaterThan(0)
    const [mix] = await queryRows<{ n: string }>(ch, 'test.scenario_mix', "SELECT count() AS n FROM scenario_mix WHERE run_id = {runId:String} AND technology = '_system'", { runId })
    expect(Number(mix!.n)).toBe(2 * 312)
  } finally {
    await ch.close()
  }
})
