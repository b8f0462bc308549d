import os from 'node:os'
import { eq, sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, openPostgres, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { apiTokens, sessions } from '../../adapters/postgres/schema/index.ts'
import { createScratchServerDatabase, openScratchDatabase } from '../../adapters/postgres/testing.ts'
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
    await setTrigger(pg, false)
    try {
      await revokeBySql(pg, tokenId)
      expect(await verifyApiToken(pg.db, token)).not.toBeNull()
    } finally {
      await setTrigger(pg, true)
    }
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
    await setTrigger(pg, false)
    try {
      await revokeBySql(pg, tokenId)
      expect(await verifyApiToken(pg.db, token)).toBeNull()
    } finally {
      await setTrigger(pg, true)
    }
  })
})

describe('credential cache across processes (two pools on one PostgreSQL database)', () => {
  let a: PostgresHandle
  let b: PostgresHandle
  let feedA: AuthChangeFeed | null
  let drop: () => Promise<void>

  beforeAll(async () => {
    const database = await createScratchServerDatabase(inject('postgresUrl'))
    drop = database.drop
    a = await openPostgres({ dataDir: os.tmpdir(), DATABASE_URL: database.url })
    b = await openPostgres({ dataDir: os.tmpdir(), DATABASE_URL: database.url })
    await migratePostgres(a)
    feedA = await startAuthChangeFeed(a, log)
  })
  afterAll(async () => {
    await feedA?.stop()
    await Promise.allSettled([a?.close(), b?.close()])
    await drop?.()
  })

  it("refuses in one replica a token the other revoked, within the notification's delivery", async () => {
    const { token, tokenId, user } = await verifiedToken(a, 'replica')
    await revokeApiToken(b.db, { tokenId, by: user.principal })
    await eventually(async () => (await verifyApiToken(a.db, token)) === null, 'replica A refuses the token B revoked', 2_000)
  })

  it('starts over when its listening connection is cut: what was notified meanwhile is not missed', async () => {
    const { token, tokenId } = await verifiedToken(a, 'reconnect')
    await setTrigger(b, false)
    try {
      await revokeBySql(b, tokenId)
      // Still cached: nothing announced the revocation.
      expect(await verifyApiToken(a.db, token)).not.toBeNull()
      await b.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'`)
      await eventually(async () => (await verifyApiToken(a.db, token)) === null, 'the token read again after the reconnect', 10_000)
    } finally {
      await setTrigger(b, true)
    }
  })
})
