import { and, asc, count, eq, ilike, isNull, or, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import {
  apiTokens,
  organizations,
  sessions,
  users,
  type Database,
} from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { invalidateCredentials } from './credential-cache.ts'
import { hasRole } from './entitlements.ts'
import { Role, type Principal } from './types.ts'

/**
 * Administration: organizations and users. Framework-free functions for the admin pages and the
 * CLI. The caller authorizes the request first (`authorize(..., { role: 'admin' })`); the writes
 * that take `by` also refuse a principal without the admin role (defence in depth) and protect
 * an administrator from locking themselves out.
 */

export type OrganizationSummary = { id: string; slug: string; name: string; createdAt: string; userCount: number }

export type UserSummary = {
  id: string
  email: string | null
  name: string | null
  roles: Role[]
  organizationId: string
  organizationSlug: string
  createdAt: string
  lastLoginAt: string | null
  disabled: boolean
  disabledAt: string | null
}

export const ORGANIZATION_SLUG = /^[a-z0-9-]{2,64}$/

/** Every organization with its number of users, by name. */
export async function listOrganizations(db: Database): Promise<OrganizationSummary[]> {
  const rows = await db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      createdAt: organizations.createdAt,
      userCount: count(users.id),
    })
    .from(organizations)
    .leftJoin(users, eq(users.organizationId, organizations.id))
    .groupBy(organizations.id)
    .orderBy(asc(organizations.name), asc(organizations.slug))
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), userCount: Number(r.userCount) }))
}

const CreateOrganizationInput = z.object({
  slug: z.string().regex(ORGANIZATION_SLUG, 'must be 2 to 64 of a-z, 0-9 and -'),
  name: z.string().trim().min(1).max(200),
})

/**
 * Creates an organization, with no entitlements (grant them with setEntitlement). A malformed
 * slug is BAD_REQUEST; a slug already taken is CONFLICT.
 */
export async function createOrganization(
  db: Database,
  input: { slug: string; name: string },
): Promise<OrganizationSummary> {
  const parsed = CreateOrganizationInput.safeParse(input)
  if (!parsed.success) throw invalidInput('organization', parsed.error)
  const [row] = await db
    .insert(organizations)
    .values(parsed.data)
    .onConflictDoNothing({ target: organizations.slug })
    .returning()
  if (!row) {
    throw new AppError('CONFLICT', `An organization with the slug '${parsed.data.slug}' already exists`, {
      details: { slug: parsed.data.slug },
    })
  }
  return { id: row.id, slug: row.slug, name: row.name, createdAt: row.createdAt.toISOString(), userCount: 0 }
}

const ListUsersInput = z.object({
  organizationId: z.uuid().optional(),
  q: z.string().trim().max(200).optional(),
  limit: z.number().int().min(1).max(1000).default(500),
})

/**
 * Users by email, optionally of one organization and matching `q` (case-insensitive substring
 * of the email or the name; wildcards match literally). At most `limit` (default 500).
 */
export async function listUsers(
  db: Database,
  filter: { organizationId?: string; q?: string; limit?: number } = {},
): Promise<UserSummary[]> {
  const parsed = ListUsersInput.safeParse(filter)
  if (!parsed.success) throw invalidInput('user filter', parsed.error)
  const { organizationId, q, limit } = parsed.data
  const pattern = q ? `%${escapeLike(q)}%` : undefined
  const conditions: (SQL | undefined)[] = [
    organizationId ? eq(users.organizationId, organizationId) : undefined,
    pattern ? or(ilike(users.email, pattern), ilike(users.name, pattern)) : undefined,
  ]
  const rows = await selectUsers(db)
    .where(and(...conditions))
    .orderBy(sql`${users.email} asc nulls last`, asc(users.id))
    .limit(limit)
  return rows.map(toUserSummary)
}

const SetRolesInput = z.object({ userId: z.uuid(), roles: z.array(Role).max(Role.options.length * 2) })

/**
 * Replaces a user's roles (deduplicated, in canonical order). Unknown user: NOT_FOUND. An admin
 * cannot remove their own admin role (FORBIDDEN), so an organization never loses its last
 * administrator by accident. Sessions and tokens read roles at each request, so it applies at once.
 */
export async function setUserRoles(
  db: Database,
  input: { userId: string; roles: Role[]; by: Principal },
): Promise<UserSummary> {
  requireAdmin(input.by)
  const parsed = SetRolesInput.safeParse({ userId: input.userId, roles: input.roles })
  if (!parsed.success) throw invalidInput('roles', parsed.error)
  const { userId } = parsed.data
  const roles = Role.options.filter((r) => parsed.data.roles.includes(r))
  if (input.by.userId === userId && !roles.includes('admin')) {
    throw new AppError('FORBIDDEN', 'You cannot remove your own admin role', { details: { userId } })
  }
  const [row] = await db.update(users).set({ roles }).where(eq(users.id, userId)).returning({ id: users.id })
  if (!row) throw AppError.notFound('User', { userId })
  invalidateCredentials(db)
  return getUser(db, userId)
}

const SetDisabledInput = z.object({ userId: z.uuid(), disabled: z.boolean() })

/**
 * Disables or re-enables a user. Disabling (you cannot disable yourself: FORBIDDEN) also, in the
 * same transaction, revokes every live session of the user and every API token they hold, so
 * each of their credentials fails from the next request on. Re-enabling restores neither: the
 * user signs in again and creates new tokens. Unknown user: NOT_FOUND. Disabling twice keeps the
 * first disabled_at.
 */
export async function setUserDisabled(
  db: Database,
  input: { userId: string; disabled: boolean; by: Principal },
): Promise<UserSummary> {
  requireAdmin(input.by)
  const parsed = SetDisabledInput.safeParse({ userId: input.userId, disabled: input.disabled })
  if (!parsed.success) throw invalidInput('user', parsed.error)
  const { userId, disabled } = parsed.data
  if (disabled && input.by.userId === userId) {
    throw new AppError('FORBIDDEN', 'You cannot disable your own account', { details: { userId } })
  }
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ disabledAt: disabled ? sql`coalesce(${users.disabledAt}, now())` : null })
      .where(eq(users.id, userId))
      .returning({ id: users.id })
    if (!row) throw AppError.notFound('User', { userId })
    if (!disabled) return
    await tx
      .update(sessions)
      .set({ revokedAt: sql`now()`, idToken: null })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    await tx
      .update(apiTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
  }).finally(() => invalidateCredentials(db))
  return getUser(db, userId)
}

async function getUser(db: Database, userId: string): Promise<UserSummary> {
  const [row] = await selectUsers(db).where(eq(users.id, userId)).limit(1)
  if (!row) throw AppError.notFound('User', { userId })
  return toUserSummary(row)
}

function selectUsers(db: Database) {
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      roles: users.roles,
      organizationId: users.organizationId,
      organizationSlug: organizations.slug,
      createdAt: users.createdAt,
      lastLoginAt: users.lastLoginAt,
      disabledAt: users.disabledAt,
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .$dynamic()
}

type UserRow = Awaited<ReturnType<ReturnType<typeof selectUsers>['execute']>>[number]

function toUserSummary(row: UserRow): UserSummary {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles,
    organizationId: row.organizationId,
    organizationSlug: row.organizationSlug,
    createdAt: row.createdAt.toISOString(),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    disabled: row.disabledAt !== null,
    disabledAt: row.disabledAt?.toISOString() ?? null,
  }
}

function requireAdmin(by: Principal) {
  if (!hasRole(by, 'admin')) throw new AppError('FORBIDDEN', 'This requires the admin role')
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

function invalidInput(what: string, error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
  return AppError.badRequest(`Invalid ${what}: ${summary}`, { issues })
}
