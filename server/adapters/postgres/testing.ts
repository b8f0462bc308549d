import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import { openPostgres, type PostgresHandle } from './client.ts'

/**
 * Test support: a fresh, empty database of either kind, removed again by `close()`.
 * - 'pglite': an embedded database in a new temporary directory (~5 s to start: one per file).
 * - 'postgres': a new database (unique name) on the server of `serverUrl`, e.g. vitest's
 *   inject('postgresUrl'); dropped WITH (FORCE) on close.
 * Not migrated: call migratePostgres yourself.
 */
export async function openScratchDatabase(
  kind: PostgresHandle['kind'],
  options: { serverUrl?: string } = {},
): Promise<PostgresHandle> {
  if (kind === 'pglite') {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-pglite-'))
    const handle = await openPostgres({ dataDir, DATABASE_URL: undefined })
    return {
      ...handle,
      async close() {
        await handle.close()
        await rm(dataDir, { recursive: true, force: true })
      },
    }
  }

  if (!options.serverUrl) throw new Error("openScratchDatabase('postgres') needs serverUrl")
  const database = await createScratchServerDatabase(options.serverUrl)
  const handle = await openPostgres({ dataDir: os.tmpdir(), DATABASE_URL: database.url })
  return {
    ...handle,
    async close() {
      await handle.close()
      await database.drop()
    },
  }
}

/**
 * A new, empty database (unique name) on the PostgreSQL server of `serverUrl`: its URL, and
 * `drop()` removing it WITH (FORCE). For tests that open the platform from a URL themselves.
 */
export async function createScratchServerDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `carbon_scratch_${Date.now()}_${randomBytes(4).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`)
  } catch (error) {
    await admin.end()
    throw error
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    },
  }
}

/** The message of an error and of every error in its `cause` chain (drizzle wraps driver errors). */
export function fullErrorMessage(error: unknown): string {
  const parts: string[] = []
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    parts.push(e instanceof Error ? e.message : String(e))
    if (parts.length > 10) break
  }
  return parts.join(' <- ')
}
