import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { MARKETS, PRODUCTS, RUN_INTERVAL_MINUTES } from '@carbon/schemas'
import { sql } from 'drizzle-orm'
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import { drizzle as drizzlePostgresJs, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgresJs } from 'drizzle-orm/postgres-js/migrator'
import type { Logger } from 'pino'
import postgres from 'postgres'
import type { Env } from '../../env.ts'
import { AppError } from '../../errors.ts'
import { listenOnServer, type Listener } from './listener.ts'
import { dataKeys, markets, products, schema, type Database } from './schema/index.ts'

export type { Database }

export type PostgresHandle = {
  db: Database
  /** 'pglite': embedded, in-process, under `${dataDir}/postgres`; 'postgres': a server at DATABASE_URL. */
  kind: 'pglite' | 'postgres'
  /**
   * LISTEN on a channel (`onNotify` gets each notification's payload); resolves once listening.
   * The embedded database has no connection to lose; on a server the listening connection is one
   * of its own that reconnects with a backoff (listener.ts), and `onState` tells when it was lost
   * (notifications sent meanwhile are lost too) and when it listens again.
   */
  listen(channel: string, onNotify: (payload: string) => void, onState?: (listening: boolean) => void): Promise<Listener>
  close(): Promise<void>
}

type PostgresEnv = Pick<Env, 'DATABASE_URL' | 'dataDir'>

export const MIGRATIONS_TABLE = '__drizzle_migrations'
export const MIGRATIONS_SCHEMA = 'drizzle'

/**
 * Opens the relational database: PGlite under `${env.dataDir}/postgres` when DATABASE_URL is
 * unset, otherwise a postgres.js pool (10 connections). Does not migrate; see migratePostgres.
 *
 * Slow queries are NOT timed here: drizzle's Logger hook runs before a query is sent and never
 * sees its duration, and timing would mean wrapping driver internals (postgres.js lazy queries,
 * PGlite transactions). On a real server use `log_min_duration_statement = 200ms` or
 * pg_stat_statements. At pino level `trace` every statement's SQL text (no parameters) is logged.
 */
export async function openPostgres(env: PostgresEnv, log?: Logger): Promise<PostgresHandle> {
  const logger = drizzleLogger(log)
  if (!env.DATABASE_URL) {
    const dataDir = path.join(env.dataDir, 'postgres')
    await mkdir(dataDir, { recursive: true })
    const started = performance.now()
    // Loaded only here: the production image carries no embedded engine (DATABASE_URL is set there).
    const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')])
    const client = await PGlite.create(dataDir)
    const db = drizzlePglite({ client, schema, casing: 'snake_case', logger })
    log?.info({ kind: 'pglite', dataDir, ms: Math.round(performance.now() - started) }, 'postgres: opened embedded database')
    return {
      db,
      kind: 'pglite',
      async listen(channel, onNotify) {
        const unlisten = await client.listen(channel, onNotify)
        return {
          notify: async (payload) => void (await client.query('select pg_notify($1, $2)', [channel, payload])),
          stop: () => (client.closed ? Promise.resolve() : unlisten()),
        }
      },
      close: once(async () => {
        if (!client.closed) await client.close()
      }),
    }
  }

  const url = new URL(env.DATABASE_URL)
  const client = postgres(env.DATABASE_URL, {
    max: 10,
    idle_timeout: 60,
    connect_timeout: 10,
    backoff: reconnectDelaySeconds,
    onnotice: () => {},
    connection: { application_name: 'carbon' },
  })
  const db = drizzlePostgresJs({ client, schema, casing: 'snake_case', logger })
  // Fail here, with a clear message, rather than at the first request.
  try {
    await client`select 1`
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {})
    throw new AppError('UNAVAILABLE', `cannot connect to ${describePostgres(env.DATABASE_URL)}: ${String(error)}`, { cause: error })
  }
  log?.info({ kind: 'postgres', host: url.host, database: url.pathname.slice(1) }, 'postgres: connected')
  const databaseUrl = env.DATABASE_URL
  const listeners = new Set<Listener>()
  return {
    db,
    kind: 'postgres',
    async listen(channel, onNotify, onState) {
      const listener = await listenOnServer(databaseUrl, channel, onNotify, onState ?? (() => {}), log)
      listeners.add(listener)
      return {
        notify: (payload) => listener.notify(payload),
        stop: async () => {
          listeners.delete(listener)
          await listener.stop()
        },
      }
    },
    close: once(async () => {
      await Promise.all([...listeners].map((l) => l.stop()))
      await client.end({ timeout: 5 })
    }),
  }
}

/**
 * How long the pool waits before connecting again after `retries` failed connections in a row:
 * postgres.js's own curve (3^retries / 100 s, jittered) capped at 2 s instead of its 20 s. Every
 * request queued behind a reconnect waits that long, so with the server down the cap is how long
 * a request may wait for its 503; with it up again, how long until requests are served. Attempts
 * against a stopped server are cheap (refused at once).
 */
function reconnectDelaySeconds(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, 2)
}

/** "PostgreSQL host:port/database" of a URL: what messages name (never the user or password). */
export function describePostgres(databaseUrl: string): string {
  const url = new URL(databaseUrl)
  return `PostgreSQL ${url.hostname}:${url.port || '5432'}${url.pathname}`
}

/**
 * Applies the committed migrations (migrations/postgres) with drizzle's migrator; already applied
 * ones are skipped. Runs from `carbon migrate` / the chart's hook Job, not at every start.
 */
export async function migratePostgres(
  handle: PostgresHandle,
  options: { migrationsFolder?: string } = {},
): Promise<{ applied: number }> {
  const config = {
    migrationsFolder: options.migrationsFolder ?? findMigrationsFolder(),
    migrationsTable: MIGRATIONS_TABLE,
    migrationsSchema: MIGRATIONS_SCHEMA,
  }
  const before = await countAppliedMigrations(handle.db)
  if (handle.kind === 'pglite') {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator')
    await migratePglite(handle.db as PgliteDatabase<typeof schema>, config)
  } else {
    await migratePostgresJs(handle.db as PostgresJsDatabase<typeof schema>, config)
  }
  const after = await countAppliedMigrations(handle.db)
  return { applied: after - before }
}

/**
 * Upserts the market definitions of @carbon/schemas, then the products beside power (every data
 * key entitlements may name: seedProducts), idempotent. Returns how many markets there are.
 */
export async function seedMarkets(db: Database): Promise<number> {
  const rows = Object.values(MARKETS).map((m) => ({
    id: m.id,
    name: m.name,
    timeZone: m.timeZone,
    runs: [...m.runs],
    intervalMinutes: Object.fromEntries(m.runs.map((run) => [run, RUN_INTERVAL_MINUTES[run]])),
    peakTimeZone: m.peakTimeZone,
    peakHourEndingFrom: m.peakHourEndingFrom,
    peakHourEndingTo: m.peakHourEndingTo,
    peakDays: [...m.peakDays],
  }))
  await db
    .insert(dataKeys)
    .values(rows.map((row) => ({ id: row.id, kind: 'market' as const })))
    .onConflictDoNothing()
  await db
    .insert(markets)
    .values(rows)
    .onConflictDoUpdate({
      target: markets.id,
      set: {
        name: sql`excluded.name`,
        timeZone: sql`excluded.time_zone`,
        runs: sql`excluded.runs`,
        intervalMinutes: sql`excluded.interval_minutes`,
        peakTimeZone: sql`excluded.peak_time_zone`,
        peakHourEndingFrom: sql`excluded.peak_hour_ending_from`,
        peakHourEndingTo: sql`excluded.peak_hour_ending_to`,
        peakDays: sql`excluded.peak_days`,
      },
    })
  await seedProducts(db)
  return rows.length
}

/** Upserts the product definitions of @carbon/schemas (idempotent). Returns how many there are. */
export async function seedProducts(db: Database): Promise<number> {
  const rows = Object.values(PRODUCTS).map((p) => ({ id: p.id, label: p.label, name: p.name, kind: p.kind, timeZone: p.timeZone }))
  await db
    .insert(dataKeys)
    // GRID too: not entitled on its own (fundamentals go with their market), but the fundamentals'
    // ingest keeps its watermarks under it (server/services/series/scheduler.ts).
    .values([...rows.map((row) => ({ id: row.id, kind: 'product' as const })), { id: 'GRID', kind: 'product' as const }])
    .onConflictDoNothing()
  await db
    .insert(products)
    .values(rows)
    .onConflictDoUpdate({
      target: products.id,
      set: { label: sql`excluded.label`, name: sql`excluded.name`, kind: sql`excluded.kind`, timeZone: sql`excluded.time_zone` },
    })
  return rows.length
}

/**
 * migrations/postgres, found by walking up from this file (works from the source tree and from a
 * build output directory inside the repository/image), then from the working directory.
 */
export function findMigrationsFolder(): string {
  const tried: string[] = []
  const starts = [path.dirname(fileURLToPath(import.meta.url)), process.cwd()]
  for (const start of starts) {
    let dir = start
    for (;;) {
      const candidate = path.join(dir, 'migrations', 'postgres')
      if (!tried.includes(candidate)) {
        tried.push(candidate)
        if (existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate
      }
      const parent = path.dirname(dir)
      if (parent === dir) break
      dir = parent
    }
  }
  throw new Error(`migrations/postgres (with meta/_journal.json) not found; looked in: ${tried.join(', ')}`)
}

/** Rows of a db.execute() result: postgres.js returns an array, PGlite `{ rows }`. */
export function resultRows<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[]
  return ((result as { rows?: T[] }).rows ?? []) as T[]
}

async function countAppliedMigrations(db: Database): Promise<number> {
  const table = `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`
  const exists = resultRows<{ t: string | null }>(await db.execute(sql`select to_regclass(${table})::text as t`))
  if (!exists[0]?.t) return 0
  const rows = resultRows<{ n: number | string }>(
    await db.execute(sql`select count(*)::int as n from ${sql.identifier(MIGRATIONS_SCHEMA)}.${sql.identifier(MIGRATIONS_TABLE)}`),
  )
  return Number(rows[0]?.n ?? 0)
}

function drizzleLogger(log: Logger | undefined): DrizzleLogger | undefined {
  if (!log) return undefined
  return {
    logQuery(query) {
      if (log.isLevelEnabled('trace')) log.trace({ sql: query }, 'postgres: query')
    },
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => (done ??= fn())
}
