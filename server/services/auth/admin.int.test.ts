import { createHash, randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { apiTokens, organizations, sessions, users } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { AppError } from '../../errors.ts'
import { createOrganization, listOrganizations, listUsers, setUserDisabled, setUserRoles } from './admin.ts'
import { DEMO_USERS } from './demo-identities.ts'
import { seedOrganizations } from './entitlements.ts'
import type { Principal, Role } from './types.ts'

async function appError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected an AppError, the call succeeded')
}

const digest = () => createHash('sha256').update(randomBytes(32)).digest('hex')

describe.each(['pglite', 'postgres'] as const)('admin service on %s', (kind) => {
  let pg: PostgresHandle
  const ids = new Map<string, string>()
  const orgIds = new Map<string, string>()
  const asPrincipal = (username: string, overrides: Partial<Principal> = {}): Principal => {
    const user = DEMO_USERS.find((u) => u.username === username)!
    return {
      kind: 'user',
      userId: ids.get(username)!,
      organizationId: orgIds.get(user.organization)!,
      organizationSlug: user.organization,
      label: user.email,
      roles: [...user.roles],
      scopes: null,
      credentialId: `session-${username}`,
      ...overrides,
    }
  }

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
    await seedMarkets(pg.db)
    await seedOrganizations(pg.db, { demo: true, defaultOrganization: 'default' })
    for (const org of await pg.db.select().from(organizations)) orgIds.set(org.slug, org.id)
    for (const [i, user] of DEMO_USERS.entries()) {
      const [row] = await pg.db
        .insert(users)
        .values({
          organizationId: orgIds.get(user.organization)!,
          subject: user.username,
          issuer: 'https://idp.test',
          email: user.email,
          name: user.name,
          roles: [...user.roles],
          lastLoginAt: i === 0 ? new Date('2025-05-01T12:00:00Z') : null,
        })
        .returning({ id: users.id })
      ids.set(user.username, row!.id)
    }
    // A second Prairie Trading user, for counts and search.
    await pg.db.insert(users).values({
      organizationId: orgIds.get('prairie-trading')!,
      subject: 'pat',
      issuer: 'https://idp.test',
      email: 'pat_100%@prairie-trading.dev',
      name: 'Pat Percent',
      roles: ['viewer'],
    })
  })
  afterAll(async () => {
    await pg?.close()
  })

  describe('organizations', () => {
    it('lists organizations with their user counts, by name', async () => {
      const list = await listOrganizations(pg.db)
      expect(list.map((o) => o.name)).toEqual([
        '254Carbon',
        'Default organization',
        'Lakeshore Quant',
        'No Access Inc.',
        'Pacific Utility',
        'Prairie Trading',
      ])
      const count = (slug: string) => list.find((o) => o.slug === slug)!.userCount
      expect(count('prairie-trading')).toBe(2)
      expect(count('254carbon')).toBe(1)
      expect(count('default')).toBe(0)
      expect(list[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    })

    it('creates an organization with a valid slug', async () => {
      const created = await createOrganization(pg.db, { slug: 'north-wind-2', name: '  North Wind  ' })
      expect(created).toMatchObject({ slug: 'north-wind-2', name: 'North Wind', userCount: 0 })
      expect((await listOrganizations(pg.db)).find((o) => o.slug === 'north-wind-2')?.id).toBe(created.id)
    })

    it('refuses a malformed slug or name with BAD_REQUEST', async () => {
      for (const slug of ['a', 'Upper', 'has space', 'dots.no', 'x'.repeat(65), '', 'ünï', "a'; drop table users;--"]) {
        const error = await appError(createOrganization(pg.db, { slug, name: 'X' }))
        expect(error.code, slug).toBe('BAD_REQUEST')
      }
      expect((await appError(createOrganization(pg.db, { slug: 'fine', name: '   ' }))).code).toBe('BAD_REQUEST')
      expect((await createOrganization(pg.db, { slug: 'x'.repeat(64), name: 'Long' })).slug).toHaveLength(64)
    })

    it('refuses a slug that is taken with CONFLICT', async () => {
      const error = await appError(createOrganization(pg.db, { slug: '254carbon', name: 'Impostor' }))
      expect(error.code).toBe('CONFLICT')
      expect(error.status).toBe(409)
      const [org] = await pg.db.select().from(organizations).where(eq(organizations.slug, '254carbon'))
      expect(org!.name).toBe('254Carbon')
    })
  })

  describe('listUsers', () => {
    it('lists every user with organization, roles, last login and state', async () => {
      const list = await listUsers(pg.db)
      expect(list).toHaveLength(DEMO_USERS.length + 1)
      const admin = list.find((u) => u.email === 'admin@254carbon.dev')!
      expect(admin).toEqual({
        id: ids.get('admin'),
        email: 'admin@254carbon.dev',
        name: 'Ada Admin',
        roles: ['admin', 'analyst'],
        organizationId: orgIds.get('254carbon'),
        organizationSlug: '254carbon',
        createdAt: expect.stringMatching(/^\d{4}-/),
        lastLoginAt: '2025-05-01T12:00:00.000Z',
        disabled: false,
        disabledAt: null,
      })
      expect(list.map((u) => u.email)).toEqual([...list.map((u) => u.email)].sort())
    })

    it('filters by organization and by a case-insensitive email or name fragment', async () => {
      expect((await listUsers(pg.db, { organizationId: orgIds.get('prairie-trading') })).map((u) => u.email)).toEqual([
        'analyst@prairie-trading.dev',
        'pat_100%@prairie-trading.dev',
      ])
      expect((await listUsers(pg.db, { q: 'QUINN' })).map((u) => u.email)).toEqual(['quant@lakeshore-quant.dev'])
      expect((await listUsers(pg.db, { q: 'pacific-UTIL' })).map((u) => u.name)).toEqual(['Cora Caiso'])
      expect((await listUsers(pg.db, { q: 'dev', organizationId: orgIds.get('no-access') })).map((u) => u.name)).toEqual(['Ned None'])
      expect(await listUsers(pg.db, { q: 'nobody-here' })).toEqual([])
    })

    it('matches wildcards in the fragment literally', async () => {
      expect((await listUsers(pg.db, { q: '100%' })).map((u) => u.name)).toEqual(['Pat Percent'])
      expect((await listUsers(pg.db, { q: '_1' })).map((u) => u.name)).toEqual(['Pat Percent'])
      expect(await listUsers(pg.db, { q: '%' })).toHaveLength(1)
      expect(await listUsers(pg.db, { q: "' or '1'='1" })).toEqual([])
    })

    it('refuses a malformed organization id', async () => {
      expect((await appError(listUsers(pg.db, { organizationId: 'nope' }))).code).toBe('BAD_REQUEST')
    })
  })

  describe('setUserRoles', () => {
    it('replaces the roles, deduplicated in canonical order', async () => {
      const updated = await setUserRoles(pg.db, {
        userId: ids.get('analyst')!,
        roles: ['viewer', 'analyst', 'viewer'],
        by: asPrincipal('admin'),
      })
      expect(updated.roles).toEqual(['analyst', 'viewer'])
      const [row] = await pg.db.select({ roles: users.roles }).from(users).where(eq(users.id, ids.get('analyst')!))
      expect(row!.roles).toEqual(['analyst', 'viewer'])
      await setUserRoles(pg.db, { userId: ids.get('analyst')!, roles: ['analyst'], by: asPrincipal('admin') })
    })

    it('lets an admin change their own roles but never drop their own admin role', async () => {
      const admin = asPrincipal('admin')
      expect((await setUserRoles(pg.db, { userId: admin.userId!, roles: ['admin'], by: admin })).roles).toEqual(['admin'])
      for (const roles of [['analyst'], [], ['viewer', 'analyst']] as Role[][]) {
        const error = await appError(setUserRoles(pg.db, { userId: admin.userId!, roles, by: admin }))
        expect(error.code).toBe('FORBIDDEN')
        expect(error.message).toBe('You cannot remove your own admin role')
      }
      // Not through one of their API tokens either.
      const viaToken = asPrincipal('admin', { kind: 'token', credentialId: 'tok', scopes: ['read:prices'] })
      expect((await appError(setUserRoles(pg.db, { userId: admin.userId!, roles: [], by: viaToken }))).code).toBe('FORBIDDEN')
      const [row] = await pg.db.select({ roles: users.roles }).from(users).where(eq(users.id, admin.userId!))
      expect(row!.roles).toEqual(['admin'])
      await setUserRoles(pg.db, { userId: admin.userId!, roles: ['admin', 'analyst'], by: admin })
    })

    it('lets one admin take the admin role from another', async () => {
      await setUserRoles(pg.db, { userId: ids.get('quant')!, roles: ['admin', 'analyst'], by: asPrincipal('admin') })
      const quantAdmin = asPrincipal('quant', { roles: ['admin', 'analyst'] })
      expect((await setUserRoles(pg.db, { userId: ids.get('admin')!, roles: ['analyst'], by: quantAdmin })).roles).toEqual(['analyst'])
      await setUserRoles(pg.db, { userId: ids.get('admin')!, roles: ['admin', 'analyst'], by: quantAdmin })
      await setUserRoles(pg.db, { userId: ids.get('quant')!, roles: ['analyst'], by: asPrincipal('admin') })
    })

    it('refuses a caller without the admin role, an unknown user and an unknown role', async () => {
      const error = await appError(setUserRoles(pg.db, { userId: ids.get('analyst')!, roles: ['admin'], by: asPrincipal('analyst') }))
      expect(error.code).toBe('FORBIDDEN')
      const [row] = await pg.db.select({ roles: users.roles }).from(users).where(eq(users.id, ids.get('analyst')!))
      expect(row!.roles).toEqual(['analyst'])
      expect(
        (await appError(setUserRoles(pg.db, { userId: '00000000-0000-4000-8000-000000000000', roles: [], by: asPrincipal('admin') }))).code,
      ).toBe('NOT_FOUND')
      expect(
        (await appError(setUserRoles(pg.db, { userId: ids.get('none')!, roles: ['root' as Role], by: asPrincipal('admin') }))).code,
      ).toBe('BAD_REQUEST')
      expect((await appError(setUserRoles(pg.db, { userId: 'x', roles: [], by: asPrincipal('admin') }))).code).toBe('BAD_REQUEST')
    })
  })

  describe('setUserDisabled', () => {
    it('refuses to disable yourself', async () => {
      const admin = asPrincipal('admin')
      const error = await appError(setUserDisabled(pg.db, { userId: admin.userId!, disabled: true, by: admin }))
      expect(error.code).toBe('FORBIDDEN')
      expect(error.message).toBe('You cannot disable your own account')
      const [row] = await pg.db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, admin.userId!))
      expect(row!.disabledAt).toBeNull()
    })

    it('disables a user and revokes their sessions and tokens, leaving everyone else alone', async () => {
      const quantId = ids.get('quant')!
      const analystId = ids.get('analyst')!
      const later = new Date(Date.now() + 3_600_000)
      const sessionRows = [
        { id: digest(), userId: quantId, expiresAt: later, idToken: 'id-token-quant' },
        { id: digest(), userId: quantId, expiresAt: later },
        { id: digest(), userId: analystId, expiresAt: later, idToken: 'id-token-analyst' },
      ]
      await pg.db.insert(sessions).values(sessionRows)
      const tokenRow = (userId: string, organizationId: string, name: string) => ({
        userId,
        organizationId,
        name,
        prefix: `cbn_${randomBytes(6).toString('hex')}`,
        hash: digest(),
        scopes: ['read:prices'],
      })
      await pg.db.insert(apiTokens).values([
        tokenRow(quantId, orgIds.get('lakeshore-quant')!, 'ci'),
        tokenRow(quantId, orgIds.get('lakeshore-quant')!, 'notebook'),
        tokenRow(analystId, orgIds.get('prairie-trading')!, 'other'),
      ])

      const disabled = await setUserDisabled(pg.db, { userId: quantId, disabled: true, by: asPrincipal('admin') })
      expect(disabled.disabled).toBe(true)
      expect(disabled.disabledAt).not.toBeNull()

      const quantSessions = await pg.db.select().from(sessions).where(eq(sessions.userId, quantId))
      expect(quantSessions).toHaveLength(2)
      expect(quantSessions.every((s) => s.revokedAt !== null && s.idToken === null)).toBe(true)
      const quantTokens = await pg.db.select().from(apiTokens).where(eq(apiTokens.userId, quantId))
      expect(quantTokens).toHaveLength(2)
      expect(quantTokens.every((t) => t.revokedAt !== null)).toBe(true)

      const [analystSession] = await pg.db.select().from(sessions).where(eq(sessions.userId, analystId))
      expect(analystSession).toMatchObject({ revokedAt: null, idToken: 'id-token-analyst' })
      const [analystToken] = await pg.db.select().from(apiTokens).where(eq(apiTokens.userId, analystId))
      expect(analystToken!.revokedAt).toBeNull()

      expect((await listUsers(pg.db, { q: 'quant@' }))[0]).toMatchObject({ disabled: true, disabledAt: disabled.disabledAt })

      // Disabling twice keeps the first time.
      const again = await setUserDisabled(pg.db, { userId: quantId, disabled: true, by: asPrincipal('admin') })
      expect(again.disabledAt).toBe(disabled.disabledAt)

      // Re-enabling restores the account, not the revoked credentials.
      const enabled = await setUserDisabled(pg.db, { userId: quantId, disabled: false, by: asPrincipal('admin') })
      expect(enabled).toMatchObject({ disabled: false, disabledAt: null })
      expect((await pg.db.select().from(sessions).where(eq(sessions.userId, quantId))).every((s) => s.revokedAt !== null)).toBe(true)
      expect((await pg.db.select().from(apiTokens).where(eq(apiTokens.userId, quantId))).every((t) => t.revokedAt !== null)).toBe(true)
    })

    it('lets an admin re-enable themselves (a no-op) but refuses a non-admin and an unknown user', async () => {
      const admin = asPrincipal('admin')
      expect((await setUserDisabled(pg.db, { userId: admin.userId!, disabled: false, by: admin })).disabled).toBe(false)
      const error = await appError(setUserDisabled(pg.db, { userId: ids.get('none')!, disabled: true, by: asPrincipal('analyst') }))
      expect(error.code).toBe('FORBIDDEN')
      const [row] = await pg.db.select({ disabledAt: users.disabledAt }).from(users).where(eq(users.id, ids.get('none')!))
      expect(row!.disabledAt).toBeNull()
      const missing = await appError(
        setUserDisabled(pg.db, { userId: '00000000-0000-4000-8000-000000000000', disabled: true, by: admin }),
      )
      expect(missing.code).toBe('NOT_FOUND')
    })
  })
})
