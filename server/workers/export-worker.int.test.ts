import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { startCarbon } from '../../tests/support/carbon-process.ts'
import { openKafkaWorkerBed, type KafkaWorkerBed } from '../../tests/support/platform.ts'
import { provisionDemoUser } from '../../tests/support/demo-users.ts'
import { TOPICS } from '../adapters/bus/index.ts'
import { DEMO_USERS } from '../services/auth/demo-identities.ts'
import { createExport, listExports, type ExportDeps, type ExportProgressEvent } from '../services/exports/index.ts'
import { insertPrices } from '../services/prices/index.ts'

/*
 * The export worker sidecar as a real process (`carbon export-worker`: Kafka exports.run -> its
 * ClickHouse -> a file in its object store and the job's Postgres row, progress on jobs.progress),
 * fed by a job created in this process on librdkafka's mock cluster, as the web process would. The
 * worker's embedded stores live in its own data directory: its chDB holds no prices, so the file it
 * writes has the header alone; what is checked is the process path, end to end.
 */
let bed: KafkaWorkerBed

beforeAll(async () => {
  bed = await openKafkaWorkerBed({ serverUrl: inject('postgresUrl'), name: 'export' })
}, 120_000)

afterAll(async () => {
  await bed?.close()
})

it('refuses to start on the in-process bus, naming KAFKA_BROKERS', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-export-refused-'))
  try {
    const refused = startCarbon(['export-worker'], { DATA_DIR: dir })
    const exit = await refused.exitWithin(60_000)
    expect(exit?.code, refused.output()).not.toBe(0)
    expect(refused.output()).toContain('the export worker sidecar reads Kafka: set KAFKA_BROKERS')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

it('runs an export requested through Kafka: progress events, the job done, its file in the worker store', async () => {
  const { web } = bed
  const db = web.platform.pg.db
  const admin = (await provisionDemoUser(db, DEMO_USERS.find((u) => u.username === 'admin')!)).principal
  const day0 = Date.UTC(2026, 2, 2)
  await insertPrices(
    web.platform.ch,
    Array.from({ length: 24 }, (_, h) => ({
      market: 'MISO' as const,
      node: 'INDIANA.HUB',
      run: 'DA' as const,
      intervalStart: new Date(day0 + h * 3_600_000).toISOString(),
      intervalEnd: new Date(day0 + (h + 1) * 3_600_000).toISOString(),
      lmp: 30,
      energy: null,
      congestion: null,
      loss: null,
      ghg: null,
      source: 'export-worker-test',
      publishedAt: null,
    })),
  )
  const events: ExportProgressEvent[] = []
  const progress = await web.platform.bus.subscribe({
    topic: TOPICS.jobsProgress,
    groupId: 'export-worker-int-progress',
    fromBeginning: true,
    handler: async (batch) => {
      for (const m of batch.messages) events.push(JSON.parse(m.value.toString('utf8')))
    },
  })
  const worker = bed.startWorker('export-worker')
  const deps: ExportDeps = {
    db,
    ch: web.platform.ch,
    bus: web.platform.bus,
    objects: web.platform.objects,
    env: web.env,
    log: web.platform.log,
  }
  let id = ''
  try {
    const job = await createExport(deps, admin, 'hub', {
      dataset: 'prices',
      market: 'MISO',
      nodes: 'INDIANA.HUB',
      run: 'DA',
      from: new Date(day0).toISOString(),
      to: new Date(day0 + 86_400_000).toISOString(),
    })
    id = job.id
    const deadline = Date.now() + 90_000
    let status = job.status
    while ((status === 'queued' || status === 'running') && Date.now() < deadline && !worker.ended()) {
      await new Promise((r) => setTimeout(r, 100))
      status = (await listExports(deps, admin)).find((j) => j.id === id)!.status
    }
    expect(status, worker.output()).toBe('done')
    const eventsDeadline = Date.now() + 30_000
    while (!events.some((e) => e.id === id && e.status === 'done') && Date.now() < eventsDeadline) await new Promise((r) => setTimeout(r, 50))
    expect(events.filter((e) => e.id === id).map((e) => e.status)).toEqual(expect.arrayContaining(['running', 'done']))
  } finally {
    await progress.stop()
    worker.child.kill('SIGTERM')
  }
  expect((await worker.exited).code, worker.output()).toBe(0)
  const [done] = (await listExports(deps, admin)).filter((j) => j.id === id)
  const file = path.join(bed.workerDir, 'objects', 'data', 'exports', admin.organizationId, id, done!.filename)
  const header = 'market,node,run,interval_start,interval_end,lmp,energy,congestion,loss\r\n'
  expect(await readFile(file, 'utf8')).toBe(header)
  expect(done).toMatchObject({ status: 'done', rows: 0, bytes: Buffer.byteLength(header) })
})
