import { openClickHouse, type ClickHouseHandle } from './adapters/clickhouse/client.ts'
import { migrateClickHouse } from './adapters/clickhouse/migrate.ts'
import { migratePostgres, openPostgres, seedMarkets, type PostgresHandle } from './adapters/postgres/client.ts'
import { getEnv, type Env } from './env.ts'
import { getLogger, type Logger } from './logger.ts'
import { authConfigFromEnv, type AuthConfig } from './services/auth/config.ts'
import { seedOrganizations } from './services/auth/entitlements.ts'

/** Everything a service needs: configuration, logger and the store handles. */
export type Platform = {
  /** The configuration every request-path module reads (never getEnv(): the CLI may override PORT). */
  env: Env
  auth: AuthConfig
  log: Logger
  pg: PostgresHandle
  ch: ClickHouseHandle
  close(): Promise<void>
}

/**
 * Opens the stores chosen by configuration. On the embedded default (no DATABASE_URL /
 * CLICKHOUSE_URL) migrations run here, since there is no separate deploy step; against real
 * engines they are applied by `carbon migrate` (a Helm hook job), never at every start.
 */
export async function openPlatform(
  env: Env = getEnv(),
  log: Logger = getLogger(),
  options: { migrateEmbedded?: boolean } = {},
): Promise<Platform> {
  const pg = await openPostgres(env, log)
  const ch = await openClickHouse(env, log)
  const migrate = options.migrateEmbedded ?? true
  if (migrate && env.embedded.postgres) {
    await migratePostgres(pg)
    await seedReferenceData(pg, env)
  }
  if (migrate && env.embedded.clickhouse) await migrateClickHouse(ch)
  return {
    env,
    auth: authConfigFromEnv(env),
    log,
    pg,
    ch,
    async close() {
      await Promise.allSettled([pg.close(), ch.close()])
    },
  }
}

/**
 * Markets, the default organization with the pilot entitlements and, where the development
 * identity provider runs, its demo organizations. Idempotent; never overwrites an admin's edits.
 */
export async function seedReferenceData(pg: PostgresHandle, env: Env): Promise<void> {
  await seedMarkets(pg.db)
  await seedOrganizations(pg.db, { demo: env.devIdp, defaultOrganization: env.DEFAULT_ORGANIZATION })
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
