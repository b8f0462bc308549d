import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { inject } from 'vitest'

/**
 * A database of its own for one test file, on the run's PostgreSQL server, dropped by `drop()`.
 * (The run's database from the global setup is shared by every file; files that migrate in
 * parallel must not share one.)
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const runUrl = new URL(inject('postgresUrl'))
  const name = `${runUrl.pathname.slice(1)}_${randomBytes(3).toString('hex')}`
  const admin = postgres(runUrl.toString(), { max: 1, onnotice: () => {} })
  await admin.unsafe(`CREATE DATABASE ${name}`)
  const url = new URL(runUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    },
  }
}
