import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pino, type Logger } from 'pino'
import { openClickHouse, type ClickHouseHandle } from '../../server/adapters/clickhouse/client.ts'
import { migratePostgres } from '../../server/adapters/postgres/client.ts'
import { organizations, type Database } from '../../server/adapters/postgres/schema/index.ts'
import { createScratchServerDatabase } from '../../server/adapters/postgres/testing.ts'
import { parseEnv, type Env } from '../../server/env.ts'
import { openPlatform, seedReferenceData, type Platform } from '../../server/platform.ts'
import { startKafkaMock, type KafkaMock } from '../setup/kafka-mock.ts'
import { startCarbon, type CarbonProcess } from './carbon-process.ts'

/**
 * The platform as `carbon serve` opens it, for an integration test file: a scratch database on the
 * test PostgreSQL server (vitest's inject('postgresUrl')), migrated and seeded with the reference
 * data, and a data directory of its own (embedded chDB, objects). Open one per file (beforeAll):
 * chDB binds one data directory per process.
 */
export type TestPlatform = {
  platform: Platform
  env: Env
  /** The scratch database's URL, for a process of the test's own on the same database. */
  databaseUrl: string
  dataDir: string
  /** Closes the platform, once (a test that reads chDB of another directory closes it first). */
  closePlatform(): Promise<void>
  /** Closes the platform (unless closed already), drops the database and removes the data directory. */
  close(): Promise<void>
}

export type TestPlatformOptions = {
  /** The PostgreSQL server's URL: inject('postgresUrl'). */
  serverUrl: string
  /** The data directory's name prefix in the temporary folder, e.g. 'carbon-curves-'. */
  dirPrefix: string
  /** More environment (e.g. KAFKA_BROKERS) beside DATA_DIR and DATABASE_URL. */
  env?: Record<string, string>
  /** Defaults to a silent logger. */
  log?: Logger
}

export async function openTestPlatform(options: TestPlatformOptions): Promise<TestPlatform> {
  const database = await createScratchServerDatabase(options.serverUrl)
  const dataDir = await mkdtemp(path.join(os.tmpdir(), options.dirPrefix))
  const env = parseEnv({ ...options.env, DATA_DIR: dataDir, DATABASE_URL: database.url })
  let platform: Platform | null = null
  let closing: Promise<void> | null = null
  const closePlatform = () => (closing ??= platform ? platform.close() : Promise.resolve())
  const close = async () => {
    await closePlatform()
    await database.drop()
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    platform = await openPlatform(env, options.log ?? pino({ level: 'silent' }))
    await migratePostgres(platform.pg)
    await seedReferenceData(platform.pg, env)
  } catch (error) {
    await close()
    throw error
  }
  return { platform, env, databaseUrl: database.url, dataDir, closePlatform, close }
}

/** A new organization (slug and name `slug`); its id. */
export async function createTestOrganization(db: Database, slug: string): Promise<string> {
  const [org] = await db.insert(organizations).values({ slug, name: slug }).returning({ id: organizations.id })
  return org!.id
}

/**
 * A worker sidecar as a real process beside the test's own web platform, both on librdkafka's mock
 * cluster and one scratch database: `carbon <command>` started by `startWorker` (info logs in its
 * output) keeps its embedded chDB in `workerDir`, which `readWorkerStore` opens once the worker has
 * stopped and `web.closePlatform()` has freed this process's chDB (one data directory per process).
 */
export type KafkaWorkerBed = {
  web: TestPlatform
  mock: KafkaMock
  workerDir: string
  startWorker(command: string): CarbonProcess
  readWorkerStore<T>(read: (ch: ClickHouseHandle) => Promise<T>): Promise<T>
  /** Closes the web platform, stops the cluster, removes the worker's directory. */
  close(): Promise<void>
}

/** `name` prefixes the temporary directories (`carbon-<name>-web-`, `carbon-<name>-worker-`). */
export async function openKafkaWorkerBed(options: { serverUrl: string; name: string }): Promise<KafkaWorkerBed> {
  const mock = await startKafkaMock()
  let web: TestPlatform | null = null
  let workerDir: string | null = null
  const close = async () => {
    await web?.close()
    await mock.stop()
    if (workerDir) await rm(workerDir, { recursive: true, force: true })
  }
  try {
    web = await openTestPlatform({ serverUrl: options.serverUrl, dirPrefix: `carbon-${options.name}-web-`, env: { KAFKA_BROKERS: mock.brokers.join(',') } })
    workerDir = await mkdtemp(path.join(os.tmpdir(), `carbon-${options.name}-worker-`))
  } catch (error) {
    await close()
    throw error
  }
  const where = { dataDir: workerDir, databaseUrl: web.databaseUrl, brokers: mock.brokers.join(',') }
  return {
    web,
    mock,
    workerDir,
    startWorker: (command) =>
      startCarbon([command], {
        LOG_LEVEL: 'info',
        DATA_DIR: where.dataDir,
        DATABASE_URL: where.databaseUrl,
        KAFKA_BROKERS: where.brokers,
        KAFKA_SESSION_TIMEOUT_MS: '3000',
      }),
    readWorkerStore: (read) => readClickHouseOf(where.dataDir, read),
    close,
  }
}

/** Opens the embedded chDB of `dataDir` (a stopped process's store), reads it, closes it. */
export async function readClickHouseOf<T>(dataDir: string, read: (ch: ClickHouseHandle) => Promise<T>): Promise<T> {
  const ch = await openClickHouse(parseEnv({ DATA_DIR: dataDir }))
  try {
    return await read(ch)
  } finally {
    await ch.close()
  }
}
