import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { openClickHouse } from '../adapters/clickhouse/client.ts'
import { clickHouseMigrationStatus, migrateClickHouse } from '../adapters/clickhouse/migrate.ts'
import { migratePostgres, MIGRATIONS_SCHEMA, MIGRATIONS_TABLE, openPostgres } from '../adapters/postgres/client.ts'
import { knownPostgresMigrations, postgresMigrationStatus } from '../adapters/postgres/migration-status.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { repoRoot } from '../paths.ts'

/*
 * Every process checks the schema at start: `carbon serve`, `ingest`, `consumer`, `backfill` and
 * `seed-demo` on a PostgreSQL server that was never migrated, or that a newer version migrated,
 * refuse with ONE line naming the database (host:port/database, no password) and what to run,
 * instead of a stack trace at their first query. Real processes against the real server.
 */
type Database = { url: string; drop(): Promise<void> }
const databases: Database[] = []
const dirs: string[] = []

async function scratchDatabase(): Promise<Database> {
  const database = await createScratchServerDatabase(inject('postgresUrl'))
  databases.push(database)
  return database
}

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-schema-'))
  dirs.push(dir)
  return dir
}

afterAll(async () => {
  for (const database of databases) await database.drop()
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

function databaseName(url: string): string {
  return new URL(url).pathname.slice(1)
}

/** `carbon <args>` as a real process; resolves with its exit code and output once it exited. */
function carbon(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })))
}

function expectOneLineRefusal(run: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(run.code, run.stderr).toBe(1)
  const lines = run.stderr.trimEnd().split('\n')
  expect(lines, run.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(pattern)
  expect(lines[0]).not.toMatch(/\bat .*\.ts:\d+/)
}

describe('schema check at start', () => {
  let unmigrated: Database
  let newer: Database

  beforeAll(async () => {
    unmigrated = await scratchDatabase()
    // A database a newer version migrated: every migration of this code plus one it does not know.
    newer = await scratchDatabase()
    const pg = await openPostgres({ DATABASE_URL: newer.url, dataDir: os.tmpdir() })
    try {
      await migratePostgres(pg)
      const last = Math.max(...knownPostgresMigrations().map((m) => m.when))
      await pg.db.execute(
        sql`insert into ${sql.identifier(MIGRATIONS_SCHEMA)}.${sql.identifier(MIGRATIONS_TABLE)} (hash, created_at) values (${'f'.repeat(64)}, ${last + 86_400_000})`,
      )
      expect((await postgresMigrationStatus(pg)).state).toBe('ahead')
    } finally {
      await pg.close()
    }
  })

  it('serve on a never-migrated PostgreSQL refuses in one line naming the database and "npx carbon migrate"', async () => {
    const run = await carbon(['serve', '--port', '0'], { DATA_DIR: await scratchDir(), DATABASE_URL: unmigrated.url })
    expectOneLineRefusal(run, new RegExp(`^carbon: PostgreSQL 127\\.0\\.0\\.1:5432/${databaseName(unmigrated.url)} is not migrated .*run "npx carbon migrate" first$`))
  })

  it('the sidecars and seed-demo refuse the same never-migrated database', async () => {
    const env = { DATA_DIR: await scratchDir(), DATABASE_URL: unmigrated.url }
    for (const args of [['ingest'], ['seed-demo', '--days', '1'], ['backfill', '--market', 'MISO', '--dataset', 'rt-final', '--from', '2026-07-01', '--to', '2026-07-02']]) {
      const run = await carbon(args, { ...env, INGEST_SOURCE: 'simulator' })
      expectOneLineRefusal(run, /^carbon: PostgreSQL 127\.0\.0\.1:5432\/carbon_scratch_\w+ is not migrated .*"npx carbon migrate"/)
    }
  })

  it('serve on a PostgreSQL migrated by a newer version refuses it as newer', async () => {
    const run = await carbon(['serve', '--port', '0'], { DATA_DIR: await scratchDir(), DATABASE_URL: newer.url })
    expectOneLineRefusal(run, new RegExp(`^carbon: PostgreSQL 127\\.0\\.0\\.1:5432/${databaseName(newer.url)} is newer than this version .*cannot downgrade it$`))
  })

  it('serve on an embedded ClickHouse migrated by a newer version refuses it as newer', async () => {
    const dataDir = await scratchDir()
    const ch = await openClickHouse(parseEnv({ DATA_DIR: dataDir }))
    try {
      await migrateClickHouse(ch)
      await ch.client.insert({ table: 'schema_migrations', columns: ['name', 'checksum'], values: [{ name: '9999_from_the_future.sql', checksum: 'x' }], format: 'JSONEachRow' })
      expect(await clickHouseMigrationStatus(ch)).toMatchObject({ state: 'ahead', unknown: ['9999_from_the_future.sql'] })
    } finally {
      await ch.close()
    }
    const run = await carbon(['serve', '--port', '0'], { DATA_DIR: dataDir })
    expectOneLineRefusal(run, /^carbon: the embedded ClickHouse \(chDB\) in .* is newer than this version \(applied migrations this version does not know: 9999_from_the_future\.sql\)/)
  })

  it('reports a migrated database as current', async () => {
    const database = await scratchDatabase()
    const pg = await openPostgres({ DATABASE_URL: database.url, dataDir: os.tmpdir() })
    try {
      expect((await postgresMigrationStatus(pg)).state).toBe('empty')
      await migratePostgres(pg)
      expect(await postgresMigrationStatus(pg)).toMatchObject({ state: 'current', pending: [], unknown: [] })
    } finally {
      await pg.close()
    }
  })
})
