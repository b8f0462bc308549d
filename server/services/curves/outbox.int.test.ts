import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DEMO_CURVE_HUBS, demoQuotes } from '@carbon/demo-data'
import { eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startKafkaMock } from '../../../tests/setup/kafka-mock.ts'
import { createInProcessBus, createKafkaBus } from '../../adapters/bus/index.ts'
import { migratePostgres } from '../../adapters/postgres/client.ts'
import { curveBuilds } from '../../adapters/postgres/schema/index.ts'
import { createScratchServerDatabase } from '../../adapters/postgres/testing.ts'
import { parseEnv } from '../../env.ts'
import { openPlatform, seedReferenceData, type Platform } from '../../platform.ts'
import { startCurveSolver } from '../../workers/curve-solver.ts'
import { createBuild, getBuild, relayOnce, requestBuild, waitForBuild, type BuildRequest } from './index.ts'

/*
 * The curve build outbox (issue 11, item 4) against a scratch PostgreSQL database, chDB and the
 * in-process bus: a build whose publication fails, or whose process dies between the row and the
 * message, is delivered later by the relay; one whose message is lost is republished a bounded
 * number of times, then failed with the reason. Nothing stays queued forever.
 */
const log = pino({ level: 'silent' })
let platform: Platform
let database: Awaited<ReturnType<typeof createScratchServerDatabase>>
let dataDir: string
const house = { userId: null, label: 'outbox-int-test', organizationId: null }
const indiana = DEMO_CURVE_HUBS.find((h) => h.node === 'INDIANA.HUB')!
const request = (asOf: string): BuildRequest => ({ market: 'MISO', node: 'INDIANA.HUB', asOf, quotes: demoQuotes(indiana, asOf), source: 'api' })

beforeAll(async () => {
  database = await createScratchServerDatabase(inject('postgresUrl'))
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-outbox-'))
  const env = parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url })
  platform = await openPlatform(env, log)
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, env)
})

afterAll(async () => {
  await platform?.close()
  await database?.drop()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('curve build outbox', () => {
  it('keeps a build whose publish failed (the bus was closed) queued and recoverable; the relay delivers it', async () => {
    const closed = createInProcessBus({ log })
    await closed.close()
    await expect(closed.publish('curves.build', [{ key: 'k', value: 'v' }])).rejects.toThrow()

    const queued = await requestBuild({ db: platform.pg.db, bus: closed, log }, request('2026-10-30'), house)
    const stored = (await getBuild(platform.pg.db, queued.id))!
    expect(stored).toMatchObject({ status: 'queued', publishedAt: null, publishAttempts: 0 })

    // The bus answers again: the solver's relay finds the unpublished build and it is solved.
    const solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log, relay: { intervalMs: 100 } })
    try {
      const row = await waitForBuild(platform.pg.db, queued.id, 60_000)
      expect(row.status, row.error ?? '').toBe('done')
      expect(row.publishAttempts).toBe(1)
    } finally {
      await solver.stop()
    }
  })

  it('delivers a build stored by a process that died before publishing it', async () => {
    const orphan = await createBuild(platform.pg.db, request('2026-09-30'), house)
    const solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log, relay: false })
    try {
      expect(await relayOnce({ db: platform.pg.db, bus: platform.bus, log })).toEqual({ published: 1, failed: 0 })
      const row = await waitForBuild(platform.pg.db, orphan.id, 60_000)
      expect(row.status, row.error ?? '').toBe('done')
      // Solved: nothing left to publish.
      expect(await relayOnce({ db: platform.pg.db, bus: platform.bus, log }, { strandedAfterMs: 0 })).toEqual({ published: 0, failed: 0 })
    } finally {
      await solver.stop()
    }
  })

  it('keeps a build whose Kafka cluster is down queued; the relay on the cluster that answers again delivers it', async () => {
    const down = await startKafkaMock()
    const unreachable = createKafkaBus({ brokers: down.brokers, clientId: 'outbox-int-down', log })
    await down.stop()
    const cluster = await startKafkaMock()
    const bus = createKafkaBus({ brokers: cluster.brokers, clientId: 'outbox-int', log, consumer: { sessionTimeout: 3_000, maxWaitTimeInMs: 100 } })
    try {
      const queued = await requestBuild({ db: platform.pg.db, bus: unreachable, log }, request('2026-07-31'), house)
      expect(await getBuild(platform.pg.db, queued.id)).toMatchObject({ status: 'queued', publishedAt: null, publishAttempts: 0 })
      const solver = await startCurveSolver({ bus, db: platform.pg.db, ch: platform.ch, log, groupId: 'outbox-int-kafka', relay: { intervalMs: 200 } })
      try {
        const row = await waitForBuild(platform.pg.db, queued.id, 90_000)
        expect(row.status, row.error ?? '').toBe('done')
      } finally {
        await solver.stop()
      }
    } finally {
      await Promise.allSettled([unreachable.close(), bus.close()])
      await cluster.stop()
    }
  }, 180_000)

  it('republishes a stranded build (its message lost) a bounded number of times, then fails it with the reason', async () => {
    // A bus nobody solves from: every publication is lost, as with an embedded bus that restarted.
    const nowhere = createInProcessBus({ log })
    const deps = { db: platform.pg.db, bus: nowhere, log }
    const options = { strandedAfterMs: 0, maxDeliveries: 3 }
    try {
      const queued = await requestBuild(deps, request('2026-08-31'), house)
      expect((await getBuild(platform.pg.db, queued.id))!.publishAttempts).toBe(1)
      expect(await relayOnce(deps, options)).toEqual({ published: 1, failed: 0 })
      expect(await relayOnce(deps, options)).toEqual({ published: 1, failed: 0 })
      expect(await relayOnce(deps, options)).toEqual({ published: 0, failed: 1 })
      const [row] = await platform.pg.db.select().from(curveBuilds).where(eq(curveBuilds.id, queued.id))
      expect(row).toMatchObject({ status: 'failed', publishAttempts: 3 })
      expect(row!.error).toBe('not solved after 3 deliveries to curves.build: the solver did not finish it (request the build again)')
      expect(row!.finishedAt).not.toBeNull()
    } finally {
      await nowhere.close()
    }
  })
})
