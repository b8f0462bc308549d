import { createHash } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, resultRows, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { sessions, users } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { AppError } from '../../errors.ts'
import { provisionUser } from './identity.ts'
import {
  createSession,
  deleteExpiredSessions,
  readSession,
  revokeSession,
  revokeUserSessions,
  sessionIdOf,
} from './sessions.ts'
import { Principal } from './types.ts'

const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl'

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected an AppError, the call succeeded')
}

describe.each(['pglite', 'postgres'] as const)('sessions on %s', (kind) => {
  let pg: PostgresHandle
  let ada: { userId: string; organizationId: string }
  let bob: { userId: string; organizationId: string }

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
    const base = { issuer: 'https://idp.test', groups: [], organizationSlug: '254carbon' }
    ada = await provisionUser(pg.db, { ...base, subject: 'ada', email: 'ada@254carbon.dev', name: 'Ada', roles: ['admin', 'analyst'] })
    bob = await provisionUser(pg.db, { ...base, subject: 'bob', email: null, name: 'Bob', roles: ['viewer'] })
  })
  afterAll(async () => {
    await pg?.close()
  })

  const expire = (token: string, at: Date) =>
    pg.db.update(sessions).set({ expiresAt: at }).where(eq(sessions.id, sessionIdOf(token)))

  it('creates a session whose token reads back as the user', async () => {
    const before = Date.now()
    const { token, expiresAt } = await createSession(pg.db, {
      userId: ada.userId,
      ttlHours: 12,
      idToken: ID_TOKEN,
      userAgent: 'vitest',
      clientAddress: '127.0.0.1',
    })
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(token, 'base64url')).toHaveLength(32)
    expect(expiresAt.getTime() - before).toBeGreaterThanOrEqual(12 * 3_600_000 - 1000)
    expect(expiresAt.getTime() - before).toBeLessThanOrEqual(12 * 3_600_000 + 1000)

    const session = await readSession(pg.db, token)
    expect(session).not.toBeNull()
    const sessionId = createHash('sha256').update(token).digest('hex')
    expect(session!.sessionId).toBe(sessionId)
    expect(session!.idToken).toBe(ID_TOKEN)
    expect(session!.expiresAt.getTime()).toBe(expiresAt.getTime())
    expect(Principal.parse(session!.principal)).toEqual(session!.principal)
    expect(session!.principal).toEqual({
      kind: 'user',
      userId: ada.userId,
      organizationId: ada.organizationId,
      organizationSlug: '254carbon',
      label: 'ada@254carbon.dev',
      roles: ['admin', 'analyst'],
      scopes: null,
      credentialId: sessionId,
    })
  })

  it('stores only the digest of the token', async () => {
    const { token } = await createSession(pg.db, { userId: ada.userId, ttlHours: 1 })
    const rows = await pg.db.select().from(sessions).where(eq(sessions.id, sessionIdOf(token)))
    expect(rows).toHaveLength(1)
    expect(JSON.stringify(rows)).not.toContain(token)
    const dump = resultRows(await pg.db.execute(sql`select * from sessions`))
    expect(JSON.stringify(dump)).not.toContain(token)
    // The check constraint refuses anything but a hex digest as the id.
    await expect(pg.db.insert(sessions).values({ id: token, userId: ada.userId, expiresAt: new Date() })).rejects.toThrow()
  })

  it('labels a user without email by name', async () => {
    const { token } = await createSession(pg.db, { userId: bob.userId, ttlHours: 1 })
    const session = await readSession(pg.db, token)
    expect(session!.principal.label).toBe('Bob')
    expect(session!.principal.roles).toEqual(['viewer'])
    expect(session!.idToken).toBeNull()
  })

  it('returns null for unknown and malformed tokens', async () => {
    const { token } = await createSession(pg.db, { userId: ada.userId, ttlHours: 1 })
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1)
    expect(await readSession(pg.db, flipped)).toBeNull()
    expect(await readSession(pg.db, '')).toBeNull()
    expect(await readSession(pg.db, token + 'x')).toBeNull()
    expect(await readSession(pg.db, sessionIdOf(token))).toBeNull() // the stored id is not a credential
    expect(await readSession(pg.db, "' or 1=1 --")).toBeNull()
  })

  it('returns null once the session has expired', async () => {
    const { token } = await createSession(pg.db, { userId: ada.userId, ttlHours: 1 })
    expect(await readSession(pg.db, token)).not.toBeNull()
    await expire(token, new Date(Date.now() - 1000))
    expect(await readSession(pg.db, token)).toBeNull()
  })

  it('revokes a session at once and hands back its id_token once', async () => {
    const { token } = await createSession(pg.db, { userId: ada.userId, ttlHours: 1, idToken: ID_TOKEN })
    expect(await revokeSession(pg.db, token)).toEqual({ idToken: ID_TOKEN })
    expect(await readSession(pg.db, token)).toBeNull()
    const [row] = await pg.db.select().from(sessions).where(eq(sessions.id, sessionIdOf(token)))
    expect(row!.revokedAt).toBeInstanceOf(Date)
    expect(row!.idToken).toBeNull()
    // Again: harmless, the first revocation time stays.
    expect(await revokeSession(pg.db, token)).toEqual({ idToken: null })
    const [again] = await pg.db.select().from(sessions).where(eq(sessions.id, sessionIdOf(token)))
    expect(again!.revokedAt).toEqual(row!.revokedAt)
    // Unknown or malformed: null.
    expect(await revokeSession(pg.db, 'A'.repeat(43))).toBeNull()
    expect(await revokeSession(pg.db, 'nope')).toBeNull()
  })

  it('refuses the sessions of a disabled user, and new sessions for them', async () => {
    const carol = await provisionUser(pg.db, {
      issuer: 'https://idp.test',
      subject: 'carol',
      email: 'carol@254carbon.dev',
      name: null,
      roles: ['analyst'],
      groups: [],
      organizationSlug: '254carbon',
    })
    const { token } = await createSession(pg.db, { userId: carol.userId, ttlHours: 1 })
    expect(await readSession(pg.db, token)).not.toBeNull()
    await pg.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, carol.userId))
    expect(await readSession(pg.db, token)).toBeNull()
    expect((await rejection(createSession(pg.db, { userId: carol.userId, ttlHours: 1 }))).code).toBe('FORBIDDEN')
  })

  it('validates its input', async () => {
    const bad = [
      { userId: ada.userId, ttlHours: 0 },
      { userId: ada.userId, ttlHours: -1 },
      { userId: ada.userId, ttlHours: 1.5 },
      { userId: ada.userId, ttlHours: 24 * 31 },
      { userId: 'not-a-uuid', ttlHours: 1 },
    ]
    for (const input of bad) {
      const error = await rejection(createSession(pg.db, input))
      expect(error.code).toBe('BAD_REQUEST')
    }
    expect((await rejection(createSession(pg.db, { userId: ada.userId, ttlHours: 0 }))).message).toMatch(/^ttlHours: /)
    const unknown = await rejection(createSession(pg.db, { userId: '00000000-0000-4000-8000-000000000000', ttlHours: 1 }))
    expect(unknown.code).toBe('NOT_FOUND')
  })

  it('truncates long client details instead of refusing the login', async () => {
    const { token } = await createSession(pg.db, { userId: ada.userId, ttlHours: 1, userAgent: 'x'.repeat(5000) })
    const [row] = await pg.db.select().from(sessions).where(eq(sessions.id, sessionIdOf(token)))
    expect(row!.userAgent).toHaveLength(512)
  })

  it('touches last_seen_at at most once a minute', async () => {
    const { token } = await createSession(pg.db, { userId: ada.userId, ttlHours: 1 })
    const id = sessionIdOf(token)
    const lastSeen = async () => (await pg.db.select().from(sessions).where(eq(sessions.id, id)))[0]!.lastSeenAt
    const created = await lastSeen()
    await readSession(pg.db, token)
    expect(await lastSeen()).toEqual(created)

    const old = new Date(Date.now() - 5 * 60_000)
    await pg.db.update(sessions).set({ lastSeenAt: old }).where(eq(sessions.id, id))
    await readSession(pg.db, token)
    const touched = await lastSeen()
    expect(touched.getTime()).toBeGreaterThan(Date.now() - 10_000)
    await readSession(pg.db, token)
    expect(await lastSeen()).toEqual(touched)
  })

  it('revokes every live session of a user', async () => {
    const a = await createSession(pg.db, { userId: bob.userId, ttlHours: 1, idToken: ID_TOKEN })
    const b = await createSession(pg.db, { userId: bob.userId, ttlHours: 1 })
    const other = await createSession(pg.db, { userId: ada.userId, ttlHours: 1 })
    const live = (await pg.db.select().from(sessions).where(eq(sessions.userId, bob.userId))).filter(
      (s) => !s.revokedAt && s.expiresAt.getTime() > Date.now(),
    ).length
    expect(live).toBeGreaterThanOrEqual(2)

    expect(await revokeUserSessions(pg.db, bob.userId)).toBe(live)
    expect(await readSession(pg.db, a.token)).toBeNull()
    expect(await readSession(pg.db, b.token)).toBeNull()
    expect(await readSession(pg.db, other.token)).not.toBeNull()
    const [row] = await pg.db.select().from(sessions).where(eq(sessions.id, sessionIdOf(a.token)))
    expect(row!.idToken).toBeNull()
    expect(await revokeUserSessions(pg.db, bob.userId)).toBe(0)
    expect(await revokeUserSessions(pg.db, 'nope')).toBe(0)
  })

  it('deletes expired and revoked sessions, keeps live ones', async () => {
    const live = await createSession(pg.db, { userId: ada.userId, ttlHours: 2 })
    const expired = await createSession(pg.db, { userId: ada.userId, ttlHours: 2 })
    await expire(expired.token, new Date(Date.now() - 60_000))
    const revoked = await createSession(pg.db, { userId: ada.userId, ttlHours: 2 })
    await revokeSession(pg.db, revoked.token)

    const all = await pg.db.select().from(sessions)
    const dead = all.filter((s) => s.revokedAt || s.expiresAt.getTime() <= Date.now()).length
    expect(dead).toBeGreaterThanOrEqual(2)
    expect(await deleteExpiredSessions(pg.db)).toBe(dead)

    const left = await pg.db.select({ id: sessions.id }).from(sessions)
    expect(left).toHaveLength(all.length - dead)
    const ids = left.map((r) => r.id)
    expect(ids).toContain(sessionIdOf(live.token))
    expect(ids).not.toContain(sessionIdOf(expired.token))
    expect(ids).not.toContain(sessionIdOf(revoked.token))
    expect(await readSession(pg.db, live.token)).not.toBeNull()
    expect(await deleteExpiredSessions(pg.db)).toBe(0)
  })

  it('goes with its user (cascade)', async () => {
    const dave = await provisionUser(pg.db, {
      issuer: 'https://idp.test',
      subject: 'dave',
      email: null,
      name: null,
      roles: ['viewer'],
      groups: [],
      organizationSlug: '254carbon',
    })
    const { token } = await createSession(pg.db, { userId: dave.userId, ttlHours: 1 })
    await pg.db.delete(users).where(eq(users.id, dave.userId))
    expect(await pg.db.select().from(sessions).where(eq(sessions.id, sessionIdOf(token)))).toEqual([])
  })
})
