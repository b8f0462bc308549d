import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import { AppError } from '../../errors.ts'
import { migrationState, type MigrationStatus } from '../postgres/migration-status.ts'
import type { ClickHouseHandle } from './client.ts'

/** Migration files are `NNNN_name.sql`, applied in the order of their number. */
const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/

export type ClickHouseMigration = { name: string; checksum: string; statements: string[] }

/**
 * Applies the pending migrations of migrations/clickhouse in order and records each one in
 * `schema_migrations` (name, checksum, applied_at). Before anything runs, every file already
 * applied is checked against its recorded checksum: an edited applied migration is an error that
 * names the file (add a new migration instead).
 *
 * ClickHouse has no transactional DDL: a migration that fails halfway is not recorded and runs
 * again from its first statement next time, so statements must be idempotent (IF NOT EXISTS...).
 * Run by `carbon migrate` or the chart's hook Job, one at a time; there is no cross-process lock.
 * Statements run against the handle's default database; the files name no database.
 */
export async function migrateClickHouse(
  handle: ClickHouseHandle,
  options: { dir?: string; log?: Logger } = {},
): Promise<{ applied: string[] }> {
  const migrations = await loadMigrations(options.dir ?? findMigrationsFolder())
  const { client } = handle
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
      (name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
      ENGINE = MergeTree ORDER BY name`,
  })
  const result = await client.query({ query: 'SELECT name, checksum FROM schema_migrations', format: 'JSONEachRow' })
  const recorded = new Map((await result.json<{ name: string; checksum: string }>()).map((r) => [r.name, r.checksum]))

  for (const m of migrations) {
    const checksum = recorded.get(m.name)
    if (checksum !== undefined && checksum !== m.checksum) {
      throw new AppError(
        'INTERNAL',
        `ClickHouse migration ${m.name} was changed after it was applied (recorded checksum ${checksum.slice(0, 12)}, ` +
          `file ${m.checksum.slice(0, 12)}): restore the file and add a new migration instead`,
        { details: { migration: m.name } },
      )
    }
  }
  const known = new Set(migrations.map((m) => m.name))
  const missing = [...recorded.keys()].filter((name) => !known.has(name))
  if (missing.length > 0) options.log?.warn({ missing }, 'clickhouse: applied migrations no longer have a file')

  const applied: string[] = []
  for (const m of migrations) {
    if (recorded.has(m.name)) continue
    const started = performance.now()
    for (const [i, statement] of m.statements.entries()) {
      try {
        await client.command({ query: statement })
      } catch (error) {
        throw new AppError('INTERNAL', `ClickHouse migration ${m.name}, statement ${i + 1}: ${String(error)}`, {
          cause: error,
          details: { migration: m.name, statement: i + 1 },
        })
      }
    }
    await client.insert({
      table: 'schema_migrations',
      columns: ['name', 'checksum'],
      values: [{ name: m.name, checksum: m.checksum }],
      format: 'JSONEachRow',
    })
    applied.push(m.name)
    options.log?.info({ migration: m.name, ms: Math.round(performance.now() - started) }, 'clickhouse: migration applied')
  }
  return { applied }
}

/**
 * Compares `schema_migrations` with the migration files (reads only): `empty` when the table is
 * missing or holds nothing, `behind` with the files not applied, `ahead` with applied names that
 * have no file (a newer version migrated this database).
 */
export async function clickHouseMigrationStatus(handle: ClickHouseHandle, options: { dir?: string } = {}): Promise<MigrationStatus> {
  const migrations = await loadMigrations(options.dir ?? findMigrationsFolder())
  const exists = await handle.client.query({ query: 'EXISTS TABLE schema_migrations', format: 'JSONEachRow' })
  const [row] = await exists.json<{ result: number | string }>()
  let applied: string[] = []
  if (Number(row?.result ?? 0) === 1) {
    const result = await handle.client.query({ query: 'SELECT DISTINCT name FROM schema_migrations ORDER BY name', format: 'JSONEachRow' })
    applied = (await result.json<{ name: string }>()).map((r) => r.name)
  }
  const appliedNames = new Set(applied)
  const known = new Set(migrations.map((m) => m.name))
  const pending = migrations.filter((m) => !appliedNames.has(m.name)).map((m) => m.name)
  const unknown = applied.filter((name) => !known.has(name))
  return { state: migrationState(applied.length, pending, unknown), known: migrations.length, applied: applied.length, pending, unknown }
}

/** Reads and orders the migration files of `dir`; any other .sql file or a repeated number is an error. */
export async function loadMigrations(dir: string): Promise<ClickHouseMigration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()
  const numbers = new Map<string, string>()
  const out: ClickHouseMigration[] = []
  for (const file of files) {
    const match = FILE_NAME.exec(file)
    if (!match) throw new AppError('INTERNAL', `${path.join(dir, file)}: ClickHouse migrations must be named NNNN_snake_case.sql`)
    const number = match[1] as string
    const other = numbers.get(number)
    if (other) throw new AppError('INTERNAL', `ClickHouse migrations ${other} and ${file} share the number ${number}`)
    numbers.set(number, file)
    const text = await readFile(path.join(dir, file), 'utf8')
    const statements = splitStatements(text)
    if (statements.length === 0) throw new AppError('INTERNAL', `ClickHouse migration ${file} has no statement`)
    out.push({ name: file, checksum: migrationChecksum(text), statements })
  }
  return out
}

/** sha256 of the file text, line endings normalized (a CRLF checkout is not an edit). */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex')
}

/**
 * Splits a migration file into statements: a statement ends with `;` at the end of a line.
 * Whole-line `--` comments are dropped first (so a comment ending in `;` splits nothing); a `;`
 * inside a line, e.g. in a string literal, does not split.
 */
export function splitStatements(text: string): string[] {
  const body = text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n')
  return body
    .split(/;[ \t]*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/**
 * migrations/clickhouse of the repository: three levels up from this file in the source tree;
 * otherwise found by walking up from this file (a build output directory) and from the working
 * directory.
 */
export function findMigrationsFolder(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const direct = path.resolve(here, '../../../migrations/clickhouse')
  if (existsSync(direct)) return direct
  const tried = [direct]
  for (const start of [here, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'migrations', 'clickhouse')
      if (existsSync(candidate)) return candidate
      tried.push(candidate)
      if (path.dirname(dir) === dir) break
    }
  }
  throw new AppError('INTERNAL', `migrations/clickhouse not found; looked in: ${tried.join(', ')}`)
}
