import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, isNotNull, isNull, lt, lte, or } from 'drizzle-orm'
import { z } from 'zod'
import { organizations, sessions, users, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { cachedCredential, invalidateCredentials } from './credential-cache.ts'
import { rolesFromClaim } from './identity.ts'
import { parseInput } from './tokens.ts'
import type { Principal } from './types.ts'

/**
 * Hub sessions: the cookie holds a random token (32 bytes, base64url); the database holds only
 * its SHA-256, which is the row's primary key and the principal's credentialId.
 *
 * Why looking the digest up in SQL is not a timing leak: the comparison the database makes
 * (a B-tree search, memcmp) is on SHA-256(presented token), never on the token. Timing can at
 * best tell an attacker how many leading bytes of the digest of a token THEY chose match some
 * stored digest; turning that into a token whose digest equals a stored one is a SHA-256
 * preimage search over 256 bits of randomness, so nothing usable leaks. (API tokens differ:
 * they are found by a non-secret prefix, so their digests are compared in constant time.)
 *
 * Every call works on the server's clock: expiry, revocation and last-seen use `new Date()`.
 */

const TOKEN_BYTES = 32
/** base64url of 32 bytes, unpadded. */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/
/** last_seen_at is written at most this often per session. */
const LAST_SEEN_EVERY_MS = 60_000

const CreateSessionInput = z.object({
  userId: z.uuid(),
  ttlHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  idToken: z.string().min(1).max(16_384).nullish(),
  // Client-supplied and informational: truncated, never a reason to refuse a login.
  userAgent: z
    .string()
    .nullish()
    .transform((v) => (v ? v.slice(0, 512) : null)),
  clientAddress: z
    .string()
    .nullish()
    .transform((v) => (v ? v.slice(0, 64) : null)),
})

/** SHA-256 (hex) of a session token: the session's id. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/**
 * Starts a session for a user (unknown -> NOT_FOUND, disabled -> FORBIDDEN). Returns the token
 * to put in the cookie; it is not stored and cannot be recovered. `idToken` is the provider's
 * id_token, kept only for id_token_hint at logout (never log it).
 */
export async function createSession(
  db: Database,
  input: {
    userId: string
    ttlHours: number
    idToken?: string | null
    userAgent?: string | null
    clientAddress?: string | null
  },
): Promise<{ token: string; expiresAt: Date }> {
  const valid = parseInput(CreateSessionInput, input)
  const [user] = await db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, valid.userId))
  if (!user) throw AppError.notFound('user')
  if (user.disabledAt) throw new AppError('FORBIDDEN', 'account disabled', { userMessage: 'This account is disabled.' })

  const token = randomBytes(TOKEN_BYTES).toString('base64url')
  const now = new Date()
  const expiresAt = new Date(now.getTime() + valid.ttlHours * 3_600_000)
  await db.insert(sessions).values({
    id: sessionIdOf(token),
    userId: valid.userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    idToken: valid.idToken ?? null,
    userAgent: valid.userAgent,
    clientAddress: valid.clientAddress,
  })
  return { token, expiresAt }
}

type SessionRead = { sessionId: string; principal: Principal; idToken: string | null; expiresAt: Date }

/**
 * The session of a cookie's token, with its user as a principal; null when the token is
 * malformed, unknown, expired or revoked, or the user is disabled. Touches last_seen_at at most
 * once a minute. A session read is remembered for a while (credential-cache.ts: any revocation
 * drops it at once).
 */
export async function readSession(db: Database, token: string): Promise<SessionRead | null> {
  if (typeof token !== 'string' || !SESSION_TOKEN.test(token)) return null
  const sessionId = sessionIdOf(token)
  return cachedCredential(db, `session:${sessionId}`, () => loadSession(db, sessionId), (session) => session.expiresAt.getTime())
}

async function loadSession(db: Database, sessionId: string): Promise<SessionRead | null> {
  const [row] = await db
    .select({
      expiresAt: sessions.expiresAt,
      revokedAt: sessions.revokedAt,
      lastSeenAt: sessions.lastSeenAt,
      idToken: sessions.idToken,
      userId: users.id,
      email: users.email,
      name: users.name,
      subject: users.subject,
      roles: users.roles,
      disabledAt: users.disabledAt,
      organizationId: organizations.id,
      organizationSlug: organizations.slug,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(sessions.id, sessionId))
  if (!row) return null
  const now = new Date()
  if (row.revokedAt || row.expiresAt.getTime() <= now.getTime() || row.disabledAt) return null

  if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_EVERY_MS) {
    // Conditional, so concurrent requests of one session write once.
    await db
      .update(sessions)
      .set({ lastSeenAt: now })
      .where(and(eq(sessions.id, sessionId), lt(sessions.lastSeenAt, new Date(now.getTime() - LAST_SEEN_EVERY_MS))))
  }

  return {
    sessionId,
    idToken: row.idToken,
    expiresAt: row.expiresAt,
    principal: {
      kind: 'user',
      userId: row.userId,
      organizationId: row.organizationId,
      organizationSlug: row.organizationSlug,
      label: row.email ?? row.name ?? row.subject,
      roles: rolesFromClaim(row.roles),
      scopes: null,
      credentialId: sessionId,
    },
  }
}

/**
 * Ends a session (logout). Returns the id_token stored with it, for id_token_hint, and clears it
 * from the row; null when the token names no session. Revoking twice is harmless (the second
 * call returns `{ idToken: null }` and keeps the first revocation time).
 */
export async function revokeSession(db: Database, token: string): Promise<{ idToken: string | null } | null> {
  if (typeof token !== 'string' || !SESSION_TOKEN.test(token)) return null
  const sessionId = sessionIdOf(token)
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ idToken: sessions.idToken, revokedAt: sessions.revokedAt })
      .from(sessions)
      .where(eq(sessions.id, sessionId))
      .for('update')
    if (!row) return null
    await tx
      .update(sessions)
      .set({ revokedAt: row.revokedAt ?? new Date(), idToken: null })
      .where(eq(sessions.id, sessionId))
    return { idToken: row.idToken }
  }).finally(() => invalidateCredentials(db))
}

/** Ends every live session of a user (an administrator's "sign out everywhere"); returns how many. */
export async function revokeUserSessions(db: Database, userId: string): Promise<number> {
  if (!z.uuid().safeParse(userId).success) return 0
  const now = new Date()
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: now, idToken: null })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .returning({ id: sessions.id })
  invalidateCredentials(db)
  return revoked.length
}

/**
 * Deletes the sessions that can never be read again: expired or revoked ones (a revoked row
 * only keeps answering "no"; an unknown token gets the same answer). For a periodic job.
 * Returns how many rows went.
 */
export async function deleteExpiredSessions(db: Database): Promise<number> {
  const deleted = await db
    .delete(sessions)
    .where(or(lte(sessions.expiresAt, new Date()), isNotNull(sessions.revokedAt)))
    .returning({ id: sessions.id })
  return deleted.length
}
