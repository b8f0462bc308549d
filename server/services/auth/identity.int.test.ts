import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { entitlements, organizations, users } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { AppError } from '../../errors.ts'
import { type ClaimConfig, identityFromClaims, type OidcIdentity, provisionUser } from './identity.ts'
import { Principal } from './types.ts'

const ISSUER = 'https://idp.example.com/realms/carbon'
const config: ClaimConfig = {
  rolesClaim: 'realm_access.roles',
  groupsClaim: 'groups',
  orgClaim: 'organization',
  defaultOrganization: 'default',
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected an AppError, the call succeeded')
}

describe.each(['pglite', 'postgres'] as const)('provisionUser on %s', (kind) => {
  let pg: PostgresHandle

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
  })
  afterAll(async () => {
    await pg?.close()
  })

  const claims = (roles: string[], extra: Record<string, unknown> = {}) => ({
    sub: 'kc-user-1',
    email: 'quinn@lakeshore.dev',
    name: 'Quinn Quant',
    realm_access: { roles },
    organization: ['lakeshore-quant'],
    ...extra,
  })

  it('creates the organization (without entitlements) and the user on first login', async () => {
    const identity = identityFromClaims(claims(['analyst', 'offline_access']), ISSUER, config)
    const result = await provisionUser(pg.db, identity)

    expect(Principal.parse(result.principal)).toEqual(result.principal)
    expect(result.principal).toEqual({
      kind: 'user',
      userId: result.userId,
      organizationId: result.organizationId,
      organizationSlug: 'lakeshore-quant',
      label: 'quinn@lakeshore.dev',
      roles: ['analyst'],
      scopes: null,
      credentialId: `login:${result.userId}`,
    })

    const orgs = await pg.db.select().from(organizations)
    expect(orgs).toHaveLength(1)
    expect(orgs[0]).toMatchObject({ id: result.organizationId, slug: 'lakeshore-quant' })
    expect(await pg.db.select().from(entitlements).where(eq(entitlements.organizationId, result.organizationId))).toEqual([])

    const [user] = await pg.db.select().from(users).where(eq(users.id, result.userId))
    expect(user).toMatchObject({ issuer: ISSUER, subject: 'kc-user-1', roles: ['analyst'], disabledAt: null })
    expect(user!.lastLoginAt).toBeInstanceOf(Date)
  })

  it('updates the same row on the next login: roles, email, name, last login; no duplicates', async () => {
    const first = await provisionUser(pg.db, identityFromClaims(claims(['analyst']), ISSUER, config))
    const [before] = await pg.db.select().from(users).where(eq(users.id, first.userId))
    await new Promise((resolve) => setTimeout(resolve, 5))

    const second = await provisionUser(
      pg.db,
      identityFromClaims(claims(['admin', 'viewer', 'not-a-role'], { email: 'q@lakeshore.dev', name: 'Q' }), ISSUER, config),
    )
    expect(second.userId).toBe(first.userId)
    expect(second.organizationId).toBe(first.organizationId)
    expect(second.principal.roles).toEqual(['admin', 'viewer'])
    expect(second.principal.label).toBe('q@lakeshore.dev')

    const rows = await pg.db.select().from(users)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ email: 'q@lakeshore.dev', name: 'Q', roles: ['admin', 'viewer'] })
    expect(rows[0]!.lastLoginAt!.getTime()).toBeGreaterThan(before!.lastLoginAt!.getTime())
    expect(await pg.db.select().from(organizations)).toHaveLength(1)
  })

  it('keeps the same subject of another issuer apart', async () => {
    const other = await provisionUser(pg.db, identityFromClaims(claims(['viewer']), 'https://other-idp.example.com', config))
    const rows = await pg.db.select().from(users)
    expect(rows).toHaveLength(2)
    expect(new Set(rows.map((r) => r.id)).has(other.userId)).toBe(true)
  })

  it('puts identities without an organization claim into the default organization', async () => {
    const identity = identityFromClaims({ sub: 'no-org' }, ISSUER, config)
    const result = await provisionUser(pg.db, identity)
    expect(result.principal.organizationSlug).toBe('default')
    expect(result.principal.roles).toEqual(['viewer'])
    expect(result.principal.label).toBe('no-org')
  })

  it('keeps an existing organization and its entitlements as they are', async () => {
    const [org] = await pg.db.select().from(organizations).where(eq(organizations.slug, 'lakeshore-quant'))
    await pg.db.update(organizations).set({ name: 'Lakeshore Quant LLC' }).where(eq(organizations.id, org!.id))
    await provisionUser(pg.db, identityFromClaims(claims(['analyst']), ISSUER, config))
    const [after] = await pg.db.select().from(organizations).where(eq(organizations.slug, 'lakeshore-quant'))
    expect(after).toEqual({ ...org, name: 'Lakeshore Quant LLC' })
  })

  it('refuses a disabled user with FORBIDDEN and leaves the row alone', async () => {
    const identity: OidcIdentity = identityFromClaims(claims(['analyst']), ISSUER, config)
    const { userId } = await provisionUser(pg.db, identity)
    await pg.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, userId))
    const [before] = await pg.db.select().from(users).where(eq(users.id, userId))

    const error = await rejection(provisionUser(pg.db, { ...identity, roles: ['admin'] }))
    expect(error.code).toBe('FORBIDDEN')
    expect(error.message).toBe('account disabled')

    const [after] = await pg.db.select().from(users).where(eq(users.id, userId))
    expect(after).toEqual(before)
  })
})
