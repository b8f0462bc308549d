import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { createInProcessBus, type Bus } from '../../adapters/bus/index.ts'
import { openScratchClickHouse } from '../../adapters/clickhouse/testing.ts'
import { createLocalStore } from '../../adapters/objects/local.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { startSeriesConsumer, type SeriesConsumer } from '../../workers/series-consumer.ts'
import type { SeriesIngestDeps } from './ingest.ts'

/**
 * The real parts a series integration test writes through: a scratch PostgreSQL database on the
 * test server (migrated, markets and products seeded), a scratch chDB, a local object store, the
 * in-process bus and the series consumer. For tests only.
 */
export type SeriesTestStores = {
  pg: PostgresHandle
  ch: Awaited<ReturnType<typeof openScratchClickHouse>>
  objects: ObjectStore
  bus: Bus
  consumer: SeriesConsumer
  deps: SeriesIngestDeps
  close(): Promise<void>
}

export async function openSeriesTestStores(postgresUrl: string, name: string): Promise<SeriesTestStores> {
  const log = pino({ level: 'silent' })
  const pg = await openScratchDatabase('postgres', { serverUrl: postgresUrl })
  await migratePostgres(pg)
  await seedMarkets(pg.db)
  const ch = await openScratchClickHouse()
  const objectsDir = await mkdtemp(path.join(os.tmpdir(), `carbon-${name}-`))
  const objects = createLocalStore({ root: objectsDir, signingSecret: 'x'.repeat(40), baseUrl: 'http://localhost' })
  const bus = createInProcessBus({ log })
  const consumer = await startSeriesConsumer({ bus, ch, log })
  return {
    pg,
    ch,
    objects,
    bus,
    consumer,
    deps: { db: pg.db, bus, objects, log },
    async close() {
      await consumer.stop()
      await bus.close()
      await ch.close()
      await pg.close()
      await rm(objectsDir, { recursive: true, force: true })
    },
  }
}
