import { eq, sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { apiTokens, sessions } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { startAuthChangeFeed, type AuthChangeFeed } from './credential-cache.ts'
import { provisionUser } from './identity.ts'
import { createSession, readSession } from './sessions.ts'
import { createApiToken, revokeApiToken, verifyApiToken } from './tokens.ts'

const log = pino({ level: 'silent' })

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A token of a new analyst, verified once (so cached while the feed works). */
async function verifiedToken(pg: PostgresHandle, subject: string) {
  const user = await provisionUser(pg.db, { issuer: 'https://idp.test', subject, email: null, name: subject, roles: ['analyst'], groups: [], organizationSlug: 'lakeshore-quant' })
  const { token, info } = await createApiToken(pg.db, { userId: user.userId, name: 'cache test', scopes: ['read:prices'], expiresInDays: 1 })
  expect(await verifyApiToken(pg.db, token)).toMatchObject({ userId: user.userId })
  return { token, tokenId: info.id, user }
}

/** Revokes behind the services' back (no in-process invalidation): only the trigger can tell. */
const revokeBySql = (pg: PostgresHandle, tokenId: string) => pg.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, tokenId))
const setTrigger = (pg: PostgresHandle, on: boolean) =>
  pg.db.execute(sql.raw(`ALTER TABLE api_tokens ${on ? 'ENABLE' : 'DISABLE'} TRIGGER api_tokens_auth_changed`))

/** Revokes with the trigger off: nothing at all announces it, so only a read of the row can tell. */
async function revokeUnannounced(pg: PostgresHandle, tokenId: string) {
  await setTrigger(pg, false)
  try {
    await revokeBySql(pg, tokenId)
  } finally {
    await setTrigger(pg, true)
  }
}

describe.each(['pglite', 'postgres'] as const)('credential cache on %s', (kind) => {
  let pg: PostgresHandle
  let feed: AuthChangeFeed | null

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
    feed = await startAuthChangeFeed(pg, log)
  })
  afterAll(async () => {
    await feed?.stop()
    await pg?.close()
  })

  it('starts a working feed on a migrated database', () => {
    expect(feed?.trusted()).toBe(true)
  })

  it('answers a verified token from memory: a change the trigger does not announce is not seen', async () => {
    const { token, tokenId } = await verifiedToken(pg, 'cached')
    await revokeUnannounced(pg, tokenId)
    expect(await verifyApiToken(pg.db, token)).not.toBeNull()
  })

  it('refuses a token revoked behind its back as soon as the trigger notifies', async () => {
    const { token, tokenId } = await verifiedToken(pg, 'notified')
    await revokeBySql(pg, tokenId)
    await eventually(async () => (await verifyApiToken(pg.db, token)) === null, 'the revoked token refused')
  })

  it('refuses a token revoked through the service on the very next call', async () => {
    const { token, tokenId, user } = await verifiedToken(pg, 'revoked')
    await revokeApiToken(pg.db, { tokenId, by: user.principal })
    expect(await verifyApiToken(pg.db, token)).toBeNull()
  })

  it('drops a cached session when it is revoked', async () => {
    const user = await provisionUser(pg.db, { issuer: 'https://idp.test', subject: 'session', email: null, name: 'session', roles: ['viewer'], groups: [], organizationSlug: 'lakeshore-quant' })
    const { token } = await createSession(pg.db, { userId: user.userId, ttlHours: 1 })
    expect(await readSession(pg.db, token)).not.toBeNull()
    await pg.db.update(sessions).set({ revokedAt: new Date() })
    await eventually(async () => (await readSession(pg.db, token)) === null, 'the revoked session refused')
  })

  it('caches nothing once the feed has stopped', async () => {
    const { token, tokenId } = await verifiedToken(pg, 'unfed')
    await feed!.stop()
    feed = null
    await revokeUnannounced(pg, tokenId)
    expect(await verifyApiToken(pg.db, token)).toBeNull()
  })
})

describe('credential cache on a PostgreSQL server whose listening connection is lost', () => {
  let pg: PostgresHandle
  let feed: AuthChangeFeed | null

  beforeAll(async () => {
    pg = await openScratchDatabase('postgres', { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
    feed = await startAuthChangeFeed(pg, log)
  })
  afterAll(async () => {
    await feed?.stop()
    await pg?.close()
  })

  /** Ends the feed's own connection from the server's side, as a restart or a network cut would. */
  const cutListener = () =>
    pg.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'carbon-listen' and datname = current_database()`)

  it('reads every credential from the database at once, and caches again once it listens again', async () => {
    expect(feed?.trusted()).toBe(true)
    const { token, tokenId } = await verifiedToken(pg, 'cut')
    await cutListener()
    await eventually(async () => !feed!.trusted(), 'the feed no longer trusted')
    // What was announced while the connection was down could not be heard: nothing from memory.
    await revokeUnannounced(pg, tokenId)
    expect(await verifyApiToken(pg.db, token)).toBeNull()

    await eventually(async () => feed!.trusted(), 'listening again', 10_000)
    const again = await verifiedToken(pg, 'after-cut')
    await revokeBySql(pg, again.tokenId)
    await eventually(async () => (await verifyApiToken(pg.db, again.token)) === null, 'a revocation heard after the reconnect')
  })
})
