import { openBus } from './adapters/bus/index.ts'
import type { Bus } from './adapters/bus/types.ts'
import { openClickHouse, type ClickHouseHandle } from './adapters/clickhouse/client.ts'
import { clickHouseMigrationStatus, migrateClickHouse } from './adapters/clickhouse/migrate.ts'
import { localSigningSecret, openObjectStore } from './adapters/objects/index.ts'
import type { ObjectStore } from './adapters/objects/types.ts'
import { describePostgres, migratePostgres, openPostgres, seedMarkets, type PostgresHandle } from './adapters/postgres/client.ts'
import { postgresMigrationStatus, schemaRefusal } from './adapters/postgres/migration-status.ts'
import { getEnv, type Env } from './env.ts'
import { AppError } from './errors.ts'
import { getLogger, type Logger } from './logger.ts'
import { authConfigFromEnv, type AuthConfig } from './services/auth/config.ts'
import { startAuthChangeFeed } from './services/auth/credential-cache.ts'
import { seedOrganizations } from './services/auth/entitlements.ts'
import { seedCurves } from './services/curves/builds.ts'
import { marketsChanged } from './services/markets/index.ts'
import { createDeadLetterStore } from './services/dlq/index.ts'

/** Everything a service needs: configuration, logger and the store handles. */
export type Platform = {
  /** The configuration every request-path module reads (never getEnv(): the CLI may override PORT). */
  env: Env
  auth: AuthConfig
  log: Logger
  pg: PostgresHandle
  ch: ClickHouseHandle
  /** Kafka when KAFKA_BROKERS is set, else the in-process bus. */
  bus: Bus
  /** S3/MinIO when S3_BUCKET is set, else a folder under the data directory. */
  objects: ObjectStore
  close(): Promise<void>
}

/**
 * Opens the stores chosen by configuration. On the embedded default (no DATABASE_URL /
 * CLICKHOUSE_URL) migrations run here, since there is no separate deploy step; against real
 * engines they are applied by `carbon migrate` (a Helm hook job), never at every start.
 *
 * `checkSchema` (every process of the CLI but `migrate`): refuses, with one line naming the
 * database and what to run, a store whose schema is not this version's (never migrated, behind,
 * or migrated by a newer version), instead of failing at its first query.
 */
export async function openPlatform(
  env: Env = getEnv(),
  log: Logger = getLogger(),
  options: { migrateEmbedded?: boolean; checkSchema?: boolean } = {},
): Promise<Platform> {
  const pg = await openPostgres(env, log)
  let ch: ClickHouseHandle
  try {
    ch = await openClickHouse(env, log)
  } catch (error) {
    await pg.close()
    throw error
  }
  try {
    await prepareSchema(pg, ch, env, options)
  } catch (error) {
    await Promise.allSettled([pg.close(), ch.close()])
    throw error
  }
  // Credentials are cached only while this feed of revocations works (credential-cache.ts).
  const authFeed = await startAuthChangeFeed(pg, log)
  const auth = authConfigFromEnv(env)
  // Dead letters are stored in PostgreSQL before the bus holds them (decision 009).
  const bus = openBus(env, log, { clientId: 'carbon', deadLetters: createDeadLetterStore(pg.db, log) })
  const objects = await openObjectStore(env, {
    signingSecret: localSigningSecret(auth.sessionSecret),
    baseUrl: env.publicUrl,
    log,
  })
  return {
    env,
    auth,
    log,
    pg,
    ch,
    bus,
    objects,
    async close() {
      await authFeed?.stop().catch(() => {})
      await Promise.allSettled([bus.close(), objects.close(), pg.close(), ch.close()])
    },
  }
}

async function prepareSchema(pg: PostgresHandle, ch: ClickHouseHandle, env: Env, options: { migrateEmbedded?: boolean; checkSchema?: boolean }) {
  const migrate = options.migrateEmbedded ?? true
  if (migrate && env.embedded.postgres) {
    await migratePostgres(pg)
    await seedReferenceData(pg, env)
  }
  if (migrate && env.embedded.clickhouse) await migrateClickHouse(ch)
  if (options.checkSchema) await assertSchemaCurrent(pg, ch, env)
}

/** Where a message says the stores are: host, port and database, never a password. */
export function describeStores(env: Env): { postgres: string; clickhouse: string } {
  const clickhouse = env.CLICKHOUSE_URL ? new URL(env.CLICKHOUSE_URL) : null
  return {
    postgres: env.DATABASE_URL ? describePostgres(env.DATABASE_URL) : `the embedded PostgreSQL (PGlite) in ${env.dataDir}`,
    clickhouse: clickhouse
      ? `ClickHouse ${clickhouse.hostname}:${clickhouse.port || (clickhouse.protocol === 'https:' ? '8443' : '8123')}/${env.CLICKHOUSE_DATABASE}`
      : `the embedded ClickHouse (chDB) in ${env.dataDir}`,
  }
}

/**
 * Refuses (AppError UNAVAILABLE, one line) when either store's schema is not this version's:
 * never migrated, behind, or newer (migrations this code does not know).
 */
export async function assertSchemaCurrent(pg: PostgresHandle, ch: ClickHouseHandle, env: Env): Promise<void> {
  const where = describeStores(env)
  const refusal =
    schemaRefusal(where.postgres, await postgresMigrationStatus(pg)) ?? schemaRefusal(where.clickhouse, await clickHouseMigrationStatus(ch))
  if (refusal) throw new AppError('UNAVAILABLE', refusal)
}

/**
 * Markets, products, the default organization with the pilot entitlements and, where the development
 * identity provider runs, its demo organizations. Idempotent; never overwrites an admin's edits.
 */
export async function seedReferenceData(pg: PostgresHandle, env: Env): Promise<void> {
  await seedMarkets(pg.db)
  marketsChanged(pg.db)
  await seedOrganizations(pg.db, { demo: env.devIdp, defaultOrganization: env.DEFAULT_ORGANIZATION })
  await seedCurves(pg.db)
}

const globalForPlatform = globalThis as unknown as { __carbonPlatform?: Promise<Platform> }

/** The process-wide platform, opened once and kept across Vite hot reloads. */
export function getPlatform(): Promise<Platform> {
  globalForPlatform.__carbonPlatform ??= openPlatform().catch((error: unknown) => {
    globalForPlatform.__carbonPlatform = undefined
    throw error
  })
  return globalForPlatform.__carbonPlatform
}

/** Installs an already opened platform as the process singleton (tests, CLI). */
export function setPlatform(platform: Platform) {
  globalForPlatform.__carbonPlatform = Promise.resolve(platform)
}
