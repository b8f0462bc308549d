import { and, eq, isNull, sql } from 'drizzle-orm'
import { organizations, users, type Database } from '../../adapters/postgres/schema/index.ts'
import type { Env } from '../../env.ts'
import { AppError } from '../../errors.ts'
import { invalidateCredentials } from './credential-cache.ts'
import { type Principal, Role } from './types.ts'

/**
 * From an OpenID Connect login to our user: reading the provider's claims (roles, groups,
 * organization) through configurable dotted paths, and provisioning the organization and user
 * rows. Framework-free: the login route verifies the id_token and calls these.
 */

/** Where the claims live in the provider's tokens (OIDC_*_CLAIM) and the fallback organization. */
export type ClaimConfig = {
  /** Dotted path of the roles claim, e.g. 'roles' or Keycloak's 'realm_access.roles'. */
  rolesClaim: string
  groupsClaim: string
  /** Dotted path of the organization claim: a string, an array (first entry) or an object (first key). */
  orgClaim: string
  /** Organization slug for identities whose claims name none. */
  defaultOrganization: string
}

export function claimConfigFromEnv(
  env: Pick<Env, 'OIDC_ROLES_CLAIM' | 'OIDC_GROUPS_CLAIM' | 'OIDC_ORG_CLAIM' | 'DEFAULT_ORGANIZATION'>,
): ClaimConfig {
  return {
    rolesClaim: env.OIDC_ROLES_CLAIM,
    groupsClaim: env.OIDC_GROUPS_CLAIM,
    orgClaim: env.OIDC_ORG_CLAIM,
    defaultOrganization: env.DEFAULT_ORGANIZATION,
  }
}

/** What a verified login says about a person, mapped to our vocabulary. */
export type OidcIdentity = {
  issuer: string
  /** The provider's `sub`: with the issuer, the stable key of the user. */
  subject: string
  email: string | null
  name: string | null
  /** Known roles only; ['viewer'] when the claims grant none. */
  roles: Role[]
  groups: string[]
  organizationSlug: string
}

/**
 * The value at a dotted path of a claims object, or undefined. At every level the longest key
 * that matches wins, whole path first, so a namespaced claim such as `https://example.com/roles`
 * (a key with dots in it) is found as well as Keycloak's nested `realm_access.roles`. Only own
 * properties of plain objects are followed (never `__proto__`, `constructor`, array indexes).
 */
export function readClaim(claims: Record<string, unknown>, dottedPath: string): unknown {
  if (!dottedPath) return undefined
  return walk(claims, dottedPath.split('.'))
}

function walk(value: unknown, parts: string[]): unknown {
  if (!isPlainObject(value)) return undefined
  for (let take = parts.length; take >= 1; take--) {
    const key = parts.slice(0, take).join('.')
    if (!Object.hasOwn(value, key)) continue
    const found = value[key]
    if (take === parts.length) return found
    const deeper = walk(found, parts.slice(take))
    if (deeper !== undefined) return deeper
  }
  return undefined
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A claim holding a list of names: an array of strings, or one string (space or comma separated). */
export function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean)
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v.length > 0)
  return []
}

/** Known roles among the claimed names (exact, case-sensitive match), deduplicated, in enum order. */
export function rolesFromClaim(value: unknown): Role[] {
  const claimed = new Set(stringList(value))
  return Role.options.filter((role) => claimed.has(role))
}

/**
 * An organization claim as a slug, or null. Accepts a string ('Acme Corp', '/acme'), an array
 * (its first string) or a Keycloak organization object (`{ "acme": { ... } }`, its first key).
 */
export function organizationSlugFromClaim(value: unknown): string | null {
  let name: string | undefined
  if (typeof value === 'string') name = value
  else if (Array.isArray(value)) name = value.find((v): v is string => typeof v === 'string')
  else if (isPlainObject(value)) name = Object.keys(value)[0]
  return name === undefined ? null : slugify(name)
}

/** Lower case a-z 0-9 and single dashes, at most 63 characters; null when nothing is left. */
export function slugify(name: string): string | null {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '')
  return slug || null
}

/**
 * Maps verified id_token (or userinfo) claims to an identity. The claims must already be
 * verified (signature, issuer, audience, expiry): this only reads them. A missing `sub` is
 * refused with UNAUTHORIZED. Unknown role names are ignored; no known role means ['viewer'].
 * `name` falls back to `preferred_username`.
 */
export function identityFromClaims(claims: Record<string, unknown>, issuer: string, config: ClaimConfig): OidcIdentity {
  const subject = claims.sub
  if (typeof subject !== 'string' || subject.length === 0) {
    throw new AppError('UNAUTHORIZED', 'identity token has no subject (sub)', { userMessage: 'Sign-in failed' })
  }
  const roles = rolesFromClaim(readClaim(claims, config.rolesClaim))
  return {
    issuer,
    subject,
    email: nonEmptyString(claims.email),
    name: nonEmptyString(claims.name) ?? nonEmptyString(claims.preferred_username),
    roles: roles.length > 0 ? roles : ['viewer'],
    groups: stringList(readClaim(claims, config.groupsClaim)),
    organizationSlug: organizationSlugFromClaim(readClaim(claims, config.orgClaim)) ?? config.defaultOrganization,
  }
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : null
}

/**
 * Creates or updates the user of a login. The organization is created by slug when it does not
 * exist, WITHOUT entitlements (an administrator grants them). The user is keyed by (issuer,
 * subject); every login refreshes email, name, roles and last_login_at from the provider. A
 * user's organization is set at the first login only: a later change of the organization claim
 * is not applied (moving a user between organizations changes what they may see, so it is an
 * administrator's act), and the principal carries the organization the user belongs to.
 * A disabled user is refused with FORBIDDEN and their row is left untouched.
 *
 * The returned principal's credentialId is `login:<userId>` (the login itself); requests after
 * it carry the session's id (readSession).
 */
export async function provisionUser(
  db: Database,
  identity: OidcIdentity,
): Promise<{ userId: string; organizationId: string; principal: Principal }> {
  const roles = rolesFromClaim(identity.roles)
  const slug = slugify(identity.organizationSlug)
  if (!slug) throw AppError.badRequest('organizationSlug must name an organization')
  const organizationId = await upsertOrganization(db, slug)
  const now = new Date()

  const [upserted] = await db
    .insert(users)
    .values({
      organizationId,
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email,
      name: identity.name,
      roles: roles.length > 0 ? roles : ['viewer'],
      lastLoginAt: now,
    })
    .onConflictDoUpdate({
      target: [users.issuer, users.subject],
      set: {
        email: sql`excluded.email`,
        name: sql`excluded.name`,
        roles: sql`excluded.roles`,
        lastLoginAt: sql`excluded.last_login_at`,
      },
      // A disabled user's row stays as it is; RETURNING is then empty.
      setWhere: isNull(users.disabledAt),
    })
    .returning({ id: users.id })
  // The roles may have changed: tokens of this user verified before must be read again.
  invalidateCredentials(db)

  const [row] = await db
    .select({ user: users, organizationSlug: organizations.slug })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(and(eq(users.issuer, identity.issuer), eq(users.subject, identity.subject)))
  if (!row) throw new AppError('INTERNAL', 'user row missing right after its upsert')
  if (!upserted || row.user.disabledAt) {
    throw new AppError('FORBIDDEN', 'account disabled', {
      userMessage: 'This account is disabled. Contact your administrator.',
      details: { userId: row.user.id },
    })
  }

  const { user } = row
  return {
    userId: user.id,
    organizationId: user.organizationId,
    principal: {
      kind: 'user',
      userId: user.id,
      organizationId: user.organizationId,
      organizationSlug: row.organizationSlug,
      label: user.email ?? user.name ?? user.subject,
      roles: rolesFromClaim(user.roles),
      scopes: null,
      credentialId: `login:${user.id}`,
    },
  }
}

/** The id of the organization with this slug, created (named after the slug, no entitlements) when missing. */
async function upsertOrganization(db: Database, slug: string): Promise<string> {
  const [created] = await db
    .insert(organizations)
    .values({ slug, name: slug })
    .onConflictDoNothing({ target: organizations.slug })
    .returning({ id: organizations.id })
  if (created) return created.id
  const [existing] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug))
  if (!existing) throw new AppError('INTERNAL', `organization ${slug} neither created nor found`)
  return existing.id
}
