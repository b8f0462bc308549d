import { readFileSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import { findMigrationsFolder, MIGRATIONS_SCHEMA, MIGRATIONS_TABLE, resultRows, type PostgresHandle } from './client.ts'

/**
 * Whether a database's schema is the one this code was built for, compared through drizzle's
 * migration table (`drizzle.__drizzle_migrations`: one row per applied migration, `created_at` =
 * the journal entry's `when`) against the committed journal (migrations/postgres/meta/_journal.json).
 * - `current`: every migration of the journal applied, nothing else;
 * - `empty`: never migrated (no table, or no row);
 * - `behind`: some of the code's migrations are not applied (`pending`);
 * - `ahead`: migrations the code does not know are applied (`unknown`): a newer version migrated it.
 */
export type MigrationState = 'current' | 'empty' | 'behind' | 'ahead'
export type MigrationStatus = { state: MigrationState; known: number; applied: number; pending: string[]; unknown: string[] }

const Journal = z.object({ entries: z.array(z.object({ tag: z.string(), when: z.number() })) })

/** The migrations this code knows, in order: tag and `when` (drizzle's created_at of the row). */
export function knownPostgresMigrations(folder = findMigrationsFolder()): { tag: string; when: number }[] {
  const file = path.join(folder, 'meta', '_journal.json')
  return Journal.parse(JSON.parse(readFileSync(file, 'utf8'))).entries
}

async function appliedMigrations(handle: PostgresHandle): Promise<{ hash: string; createdAt: number }[]> {
  const table = `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`
  const exists = resultRows<{ t: string | null }>(await handle.db.execute(sql`select to_regclass(${table})::text as t`))
  if (!exists[0]?.t) return []
  const rows = resultRows<{ hash: string; created_at: string | number }>(
    await handle.db.execute(
      sql`select hash, created_at from ${sql.identifier(MIGRATIONS_SCHEMA)}.${sql.identifier(MIGRATIONS_TABLE)} order by created_at`,
    ),
  )
  return rows.map((r) => ({ hash: r.hash, createdAt: Number(r.created_at) }))
}

/** Compares the database's applied migrations with the code's journal. Reads only. */
export async function postgresMigrationStatus(handle: PostgresHandle, options: { migrationsFolder?: string } = {}): Promise<MigrationStatus> {
  const known = knownPostgresMigrations(options.migrationsFolder)
  const applied = await appliedMigrations(handle)
  const appliedWhen = new Set(applied.map((m) => m.createdAt))
  const knownWhen = new Set(known.map((m) => m.when))
  const pending = known.filter((m) => !appliedWhen.has(m.when)).map((m) => m.tag)
  const unknown = applied
    .filter((m) => !knownWhen.has(m.createdAt))
    .map((m) => `${Number.isFinite(m.createdAt) ? new Date(m.createdAt).toISOString() : String(m.createdAt)} (${m.hash.slice(0, 12)})`)
  return { state: migrationState(applied.length, pending, unknown), known: known.length, applied: applied.length, pending, unknown }
}

/** One classification for both stores: unknown migrations first (the code must not touch that schema). */
export function migrationState(applied: number, pending: string[], unknown: string[]): MigrationState {
  if (unknown.length > 0) return 'ahead'
  if (applied === 0 && pending.length > 0) return 'empty'
  if (pending.length > 0) return 'behind'
  return 'current'
}

/**
 * The one line a process prints when it refuses a schema (`where` names the database, e.g.
 * "PostgreSQL 127.0.0.1:5432/carbon"), or null when the schema is current.
 */
export function schemaRefusal(where: string, status: MigrationStatus): string | null {
  const list = (names: string[]) => (names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', '))
  switch (status.state) {
    case 'current':
      return null
    case 'empty':
      return `${where} is not migrated (none of this version's ${status.known} migrations applied): run "npx carbon migrate" first`
    case 'behind':
      return `${where} is behind this version (${status.pending.length} of ${status.known} migrations not applied: ${list(status.pending)}): run "npx carbon migrate" first`
    case 'ahead':
      return `${where} is newer than this version (applied migrations this version does not know: ${list(status.unknown)}): run the version that migrated it or a newer one; "npx carbon migrate" cannot downgrade it`
  }
}
