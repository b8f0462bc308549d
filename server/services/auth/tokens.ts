import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { and, desc, eq, isNull, lt, or, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { apiTokens, organizations, users, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { cachedCredential, invalidateCredentials } from './credential-cache.ts'
import { rolesFromClaim } from './identity.ts'
import { type Principal, Scope } from './types.ts'

/**
 * Personal access tokens: `cbn_<prefix>_<secret>`, prefix = 10 random base62 characters (unique,
 * stored, shown in listings: not secret), secret = 32 random base62 characters (~190 bits).
 * Only SHA-256 (hex) of the WHOLE token is stored; the token is shown once, at creation.
 * Verification finds the row by prefix and compares the digests with crypto.timingSafeEqual.
 */

const PREFIX_LENGTH = 10
const SECRET_LENGTH = 32
const API_TOKEN = /^cbn_([0-9A-Za-z]{10})_([0-9A-Za-z]{32})$/
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
/** last_used_at is written at most this often per token. */
const LAST_USED_EVERY_MS = 60_000
const DAY_MS = 86_400_000

/** What a user asks for (the router's input): a name, at least one scope, an expiry or none. */
export const ApiTokenRequest = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(80)
    .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters'),
  scopes: z
    .array(Scope)
    .min(1, 'at least one scope')
    .transform((scopes) => Scope.options.filter((s) => scopes.includes(s))),
  /** 1..366 days; null = the token does not expire. */
  expiresInDays: z.number().int().min(1).max(366).nullable(),
})
export type ApiTokenRequest = z.input<typeof ApiTokenRequest>

const CreateApiTokenInput = ApiTokenRequest.extend({ userId: z.uuid() })

/** A token as listed: everything but the secret (which is not stored) and the hash. */
export const ApiTokenInfo = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(Scope),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  userId: z.uuid(),
  userEmail: z.string().nullable(),
})
export type ApiTokenInfo = z.infer<typeof ApiTokenInfo>

/**
 * Parses a service function's input with zod; a failure is BAD_REQUEST naming the first bad
 * field (`name: Too big: ...`). Messages never carry the input's values.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = issue?.path.map(String).join('.') || 'input'
  throw AppError.badRequest(`${field}: ${issue?.message ?? 'invalid'}`, {
    field,
    fields: [...new Set(result.error.issues.map((i) => i.path.map(String).join('.') || 'input'))],
  })
}

/** The prefix and secret of a well-formed token, or null. */
export function parseApiToken(token: string): { prefix: string; secret: string } | null {
  if (typeof token !== 'string') return null
  const match = API_TOKEN.exec(token)
  return match ? { prefix: match[1]!, secret: match[2]! } : null
}

/** Random base62 without modulo bias (bytes >= 248 = 4 * 62 are dropped). */
function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 248) continue
      out += BASE62[byte % 62]
      if (out.length === length) break
    }
  }
  return out
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/**
 * Creates a token for a user (unknown -> NOT_FOUND, disabled -> FORBIDDEN) in the user's
 * organization. Returns the token, to show once, and its listing.
 */
export async function createApiToken(
  db: Database,
  input: { userId: string; name: string; scopes: Scope[]; expiresInDays: number | null },
): Promise<{ token: string; info: ApiTokenInfo }> {
  const valid = parseInput(CreateApiTokenInput, input)
  const [user] = await db
    .select({ organizationId: users.organizationId, email: users.email, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.id, valid.userId))
  if (!user) throw AppError.notFound('user')
  if (user.disabledAt) throw new AppError('FORBIDDEN', 'account disabled', { userMessage: 'This account is disabled.' })

  const now = new Date()
  const expiresAt = valid.expiresInDays === null ? null : new Date(now.getTime() + valid.expiresInDays * DAY_MS)
  // 62^10 prefixes: a collision is next to impossible, but the unique index decides, not hope.
  for (let attempt = 0; attempt < 3; attempt++) {
    const prefix = randomBase62(PREFIX_LENGTH)
    const token = `cbn_${prefix}_${randomBase62(SECRET_LENGTH)}`
    const [row] = await db
      .insert(apiTokens)
      .values({
        userId: valid.userId,
        organizationId: user.organizationId,
        name: valid.name,
        prefix,
        hash: digest(token).toString('hex'),
        scopes: valid.scopes,
        expiresAt,
        createdAt: now,
      })
      .onConflictDoNothing({ target: apiTokens.prefix })
      .returning()
    if (row) return { token, info: toInfo(row, user.email) }
  }
  throw new AppError('INTERNAL', 'could not pick an unused API token prefix')
}

/**
 * The principal of a presented token, or null when it is malformed, unknown, wrong, revoked,
 * expired, its user is disabled, or its user has moved to another organization since it was
 * issued. Touches last_used_at at most once a minute. A verified token is remembered for a while
 * (credential-cache.ts: any revocation drops it at once).
 */
export async function verifyApiToken(db: Database, token: string): Promise<Principal | null> {
  const parsed = parseApiToken(token)
  if (!parsed) return null
  const verified = await cachedCredential(
    db,
    `token:${digest(token).toString('hex')}`,
    () => loadApiToken(db, token, parsed.prefix),
    (v) => v.expiresAt?.getTime() ?? null,
  )
  return verified?.principal ?? null
}

async function loadApiToken(db: Database, token: string, prefix: string): Promise<{ principal: Principal; expiresAt: Date | null } | null> {
  const [row] = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      hash: apiTokens.hash,
      scopes: apiTokens.scopes,
      tokenOrganizationId: apiTokens.organizationId,
      expiresAt: apiTokens.expiresAt,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      userId: users.id,
      email: users.email,
      userName: users.name,
      subject: users.subject,
      roles: users.roles,
      disabledAt: users.disabledAt,
      organizationId: organizations.id,
      organizationSlug: organizations.slug,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(apiTokens.prefix, prefix))
  if (!row) return null

  const presented = digest(token)
  const stored = Buffer.from(row.hash, 'hex')
  if (stored.length !== presented.length || !timingSafeEqual(presented, stored)) return null

  const now = new Date()
  if (row.revokedAt) return null
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return null
  if (row.disabledAt) return null
  if (row.tokenOrganizationId !== row.organizationId) return null

  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_EVERY_MS) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokens.id, row.id),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now.getTime() - LAST_USED_EVERY_MS))),
        ),
      )
  }

  const principal: Principal = {
    kind: 'token',
    userId: row.userId,
    organizationId: row.organizationId,
    organizationSlug: row.organizationSlug,
    label: `${row.name} (${row.email ?? row.userName ?? row.subject})`,
    roles: rolesFromClaim(row.roles),
    scopes: scopesOf(row.scopes),
    credentialId: row.id,
  }
  return { principal, expiresAt: row.expiresAt }
}

/**
 * Tokens of a user and/or an organization, newest first, revoked and expired ones included.
 * An empty filter lists every token (operator tools); callers decide who may ask.
 */
export async function listApiTokens(
  db: Database,
  filter: { userId?: string; organizationId?: string },
): Promise<ApiTokenInfo[]> {
  const conditions: SQL[] = []
  const uuid = z.uuid()
  for (const [column, value] of [
    [apiTokens.userId, filter.userId],
    [apiTokens.organizationId, filter.organizationId],
  ] as const) {
    if (value === undefined) continue
    // Not a uuid cannot match, and would make PostgreSQL raise.
    if (!uuid.safeParse(value).success) return []
    conditions.push(eq(column, value))
  }
  const rows = await db
    .select({ token: apiTokens, userEmail: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(...conditions))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
  return rows.map((r) => toInfo(r.token, r.userEmail))
}

/**
 * Revokes a token at once (the next verifyApiToken returns null). Allowed for the token's owner
 * and for any admin (admins administer every organization); FORBIDDEN otherwise, NOT_FOUND for an unknown
 * id. Revoking a revoked token is harmless and keeps the first revocation time.
 */
export async function revokeApiToken(db: Database, input: { tokenId: string; by: Principal }): Promise<void> {
  const { tokenId, by } = input
  if (!z.uuid().safeParse(tokenId).success) throw AppError.notFound('API token')
  const [row] = await db
    .select({ userId: apiTokens.userId, organizationId: apiTokens.organizationId })
    .from(apiTokens)
    .where(eq(apiTokens.id, tokenId))
  if (!row) throw AppError.notFound('API token')
  const owner = by.userId !== null && by.userId === row.userId
  // Admins administer every organization (the admin pages span them all).
  const admin = by.roles.includes('admin')
  if (!owner && !admin) {
    throw new AppError('FORBIDDEN', 'only the owner or an administrator may revoke this token', {
      details: { tokenId },
    })
  }
  await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
  // Other processes drop theirs on the trigger's notification; this one at once.
  invalidateCredentials(db)
}

function scopesOf(values: readonly string[]): Scope[] {
  return Scope.options.filter((s) => values.includes(s))
}

function toInfo(row: typeof apiTokens.$inferSelect, userEmail: string | null): ApiTokenInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: scopesOf(row.scopes),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    userId: row.userId,
    userEmail,
  }
}
