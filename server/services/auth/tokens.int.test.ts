import { createHash } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migratePostgres, resultRows, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { apiTokens, users } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { AppError } from '../../errors.ts'
import { provisionUser } from './identity.ts'
import { ApiTokenInfo, createApiToken, listApiTokens, parseApiToken, revokeApiToken, verifyApiToken } from './tokens.ts'
import { Principal } from './types.ts'

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected an AppError, the call succeeded')
}

type Provisioned = Awaited<ReturnType<typeof provisionUser>>

describe.each(['pglite', 'postgres'] as const)('API tokens on %s', (kind) => {
  let pg: PostgresHandle
  let quinn: Provisioned // analyst, lakeshore-quant
  let lena: Provisioned // analyst, lakeshore-quant
  let lakeAdmin: Provisioned // admin, lakeshore-quant
  let otherAdmin: Provisioned // admin, prairie-trading

  const person = (subject: string, organizationSlug: string, roles: ('admin' | 'analyst')[], email: string | null) =>
    provisionUser(pg.db, { issuer: 'https://idp.test', subject, email, name: subject, roles, groups: [], organizationSlug })

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
    quinn = await person('quinn', 'lakeshore-quant', ['analyst'], 'quinn@lakeshore-quant.dev')
    lena = await person('lena', 'lakeshore-quant', ['analyst'], null)
    lakeAdmin = await person('lake-admin', 'lakeshore-quant', ['admin'], 'admin@lakeshore-quant.dev')
    otherAdmin = await person('prairie-admin', 'prairie-trading', ['admin', 'analyst'], 'admin@prairie-trading.dev')
  })
  afterAll(async () => {
    await pg?.close()
  })

  it('creates a token that verifies as its user with its scopes', async () => {
    const { token, info } = await createApiToken(pg.db, {
      userId: quinn.userId,
      name: 'notebook',
      scopes: ['read:prices', 'read:curves', 'read:prices'],
      expiresInDays: 30,
    })
    expect(token).toMatch(/^cbn_[0-9A-Za-z]{10}_[0-9A-Za-z]{32}$/)
    expect(ApiTokenInfo.parse(info)).toEqual(info)
    expect(info).toMatchObject({
      name: 'notebook',
      prefix: token.slice(4, 14),
      scopes: ['read:prices', 'read:curves'],
      lastUsedAt: null,
      revokedAt: null,
      userId: quinn.userId,
      userEmail: 'quinn@lakeshore-quant.dev',
    })
    const days = (Date.parse(info.expiresAt!) - Date.parse(info.createdAt)) / 86_400_000
    expect(days).toBe(30)

    const principal = await verifyApiToken(pg.db, token)
    expect(principal).not.toBeNull()
    expect(Principal.parse(principal)).toEqual(principal)
    expect(principal).toEqual({
      kind: 'token',
      userId: quinn.userId,
      organizationId: quinn.organizationId,
      organizationSlug: 'lakeshore-quant',
      label: 'notebook (quinn@lakeshore-quant.dev)',
      roles: ['analyst'],
      scopes: ['read:prices', 'read:curves'],
      credentialId: info.id,
    })
  })

  it('stores the digest of the whole token, never the token or its secret', async () => {
    const { token, info } = await createApiToken(pg.db, {
      userId: quinn.userId,
      name: 'hash check',
      scopes: ['read:prices'],
      expiresInDays: null,
    })
    const { secret } = parseApiToken(token)!
    const [row] = await pg.db.select().from(apiTokens).where(eq(apiTokens.id, info.id))
    expect(row!.hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(row!.hash).not.toBe(createHash('sha256').update(secret).digest('hex'))
    const dump = JSON.stringify(resultRows(await pg.db.execute(sql`select * from api_tokens`)))
    expect(dump).not.toContain(secret)
    expect(dump).not.toContain(token)
    expect(row!.expiresAt).toBeNull()
    expect(await verifyApiToken(pg.db, token)).not.toBeNull()
  })

  it('refuses a wrong secret behind a right prefix, and malformed tokens', async () => {
    const { token } = await createApiToken(pg.db, { userId: quinn.userId, name: 'x', scopes: ['read:prices'], expiresInDays: 1 })
    const { prefix, secret } = parseApiToken(token)!
    const wrongSecret = `cbn_${prefix}_${(secret[0] === 'a' ? 'b' : 'a') + secret.slice(1)}`
    expect(await verifyApiToken(pg.db, wrongSecret)).toBeNull()
    for (const malformed of [
      '',
      'cbn_',
      `cbn_${prefix}`,
      `cbn_${prefix}_${secret}x`,
      `cbn_${prefix}_${secret.slice(1)}`,
      `CBN_${prefix}_${secret}`,
      `cbn_${prefix}_${secret.slice(0, 31)}!`,
      ` ${token}`,
      `${token}\n`,
      `cbn_${prefix.slice(1)}'_${secret}`,
      'eyJhbGciOiJSUzI1NiJ9.e30.sig',
    ]) {
      expect(await verifyApiToken(pg.db, malformed)).toBeNull()
    }
    expect(await verifyApiToken(pg.db, token)).not.toBeNull()
  })

  it('refuses a revoked token at once', async () => {
    const { token, info } = await createApiToken(pg.db, { userId: quinn.userId, name: 'r', scopes: ['read:prices'], expiresInDays: 7 })
    expect(await verifyApiToken(pg.db, token)).not.toBeNull()
    await revokeApiToken(pg.db, { tokenId: info.id, by: (await verifyApiToken(pg.db, token))! })
    expect(await verifyApiToken(pg.db, token)).toBeNull()
    const [listed] = (await listApiTokens(pg.db, { userId: quinn.userId })).filter((t) => t.id === info.id)
    expect(listed!.revokedAt).not.toBeNull()
  })

  it('refuses an expired token', async () => {
    const { token, info } = await createApiToken(pg.db, { userId: quinn.userId, name: 'e', scopes: ['read:prices'], expiresInDays: 1 })
    expect(await verifyApiToken(pg.db, token)).not.toBeNull()
    await pg.db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, info.id))
    expect(await verifyApiToken(pg.db, token)).toBeNull()
  })

  it('refuses the tokens of a disabled user', async () => {
    const temp = await person('temp', 'lakeshore-quant', ['analyst'], 'temp@lakeshore-quant.dev')
    const { token } = await createApiToken(pg.db, { userId: temp.userId, name: 'd', scopes: ['read:prices'], expiresInDays: null })
    expect(await verifyApiToken(pg.db, token)).not.toBeNull()
    await pg.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, temp.userId))
    expect(await verifyApiToken(pg.db, token)).toBeNull()
    const error = await rejection(createApiToken(pg.db, { userId: temp.userId, name: 'd2', scopes: ['read:prices'], expiresInDays: null }))
    expect(error.code).toBe('FORBIDDEN')
  })

  it('labels a token of a user without email by the user name, and carries current roles', async () => {
    const { token } = await createApiToken(pg.db, { userId: lena.userId, name: 'lena cli', scopes: ['write:curves'], expiresInDays: 366 })
    const principal = await verifyApiToken(pg.db, token)
    expect(principal!.label).toBe('lena cli (lena)')
    expect(principal!.scopes).toEqual(['write:curves'])
    await pg.db.update(users).set({ roles: ['viewer'] }).where(eq(users.id, lena.userId))
    expect((await verifyApiToken(pg.db, token))!.roles).toEqual(['viewer'])
  })

  it('touches last_used_at at most once a minute', async () => {
    const { token, info } = await createApiToken(pg.db, { userId: quinn.userId, name: 'u', scopes: ['read:prices'], expiresInDays: 1 })
    const lastUsed = async () => (await pg.db.select().from(apiTokens).where(eq(apiTokens.id, info.id)))[0]!.lastUsedAt
    expect(await lastUsed()).toBeNull()
    await verifyApiToken(pg.db, token)
    const first = await lastUsed()
    expect(first).toBeInstanceOf(Date)
    await verifyApiToken(pg.db, token)
    expect(await lastUsed()).toEqual(first)
    await pg.db.update(apiTokens).set({ lastUsedAt: new Date(Date.now() - 120_000) }).where(eq(apiTokens.id, info.id))
    await verifyApiToken(pg.db, token)
    expect((await lastUsed())!.getTime()).toBeGreaterThan(Date.now() - 10_000)
  })

  it('validates name, scopes and expiry, naming the field', async () => {
    const base = { userId: quinn.userId, name: 'ok', scopes: ['read:prices' as const], expiresInDays: 30 }
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '' }, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(81) }, 'name'],
      [{ name: 'bad\u0000name' }, 'name'],
      [{ scopes: [] }, 'scopes'],
      [{ scopes: ['admin:everything'] }, 'scopes.0'],
      [{ expiresInDays: 0 }, 'expiresInDays'],
      [{ expiresInDays: 367 }, 'expiresInDays'],
      [{ expiresInDays: 1.5 }, 'expiresInDays'],
      [{ expiresInDays: undefined }, 'expiresInDays'],
      [{ userId: 'nope' }, 'userId'],
    ]
    for (const [override, field] of cases) {
      const error = await rejection(createApiToken(pg.db, { ...base, ...override } as never))
      expect(error.code, field).toBe('BAD_REQUEST')
      expect(error.details?.field, JSON.stringify(override)).toBe(field)
      expect(error.message.startsWith(`${field}: `)).toBe(true)
    }
    expect((await createApiToken(pg.db, { ...base, name: 'x'.repeat(80) })).info.name).toHaveLength(80)
    const unknown = await rejection(createApiToken(pg.db, { ...base, userId: '00000000-0000-4000-8000-000000000000' }))
    expect(unknown.code).toBe('NOT_FOUND')
  })

  it('lists tokens by user and by organization without secrets', async () => {
    const { info: mine } = await createApiToken(pg.db, { userId: lakeAdmin.userId, name: 'admin tok', scopes: ['read:prices'], expiresInDays: null })
    const { info: theirs } = await createApiToken(pg.db, { userId: otherAdmin.userId, name: 'prairie', scopes: ['read:prices'], expiresInDays: null })

    const byUser = await listApiTokens(pg.db, { userId: lakeAdmin.userId })
    expect(byUser).toEqual([mine])
    const byOrg = await listApiTokens(pg.db, { organizationId: quinn.organizationId })
    expect(byOrg.map((t) => t.id)).toContain(mine.id)
    expect(byOrg.map((t) => t.id)).not.toContain(theirs.id)
    expect(byOrg.some((t) => t.userId === otherAdmin.userId)).toBe(false)
    expect(byOrg.some((t) => t.userId === quinn.userId)).toBe(true)
    for (const t of byOrg) expect(ApiTokenInfo.parse(t)).toEqual(t)
    const sorted = [...byOrg].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    expect(byOrg.map((t) => t.createdAt)).toEqual(sorted.map((t) => t.createdAt))
    const listed = JSON.stringify(byOrg)
    for (const { hash } of await pg.db.select({ hash: apiTokens.hash }).from(apiTokens)) expect(listed).not.toContain(hash)
    for (const t of byOrg) expect(Object.keys(t)).not.toContain('hash')
    expect(await listApiTokens(pg.db, { userId: otherAdmin.userId, organizationId: quinn.organizationId })).toEqual([])
    expect(await listApiTokens(pg.db, { userId: 'nope' })).toEqual([])
  })

  it('lets only the owner or an admin of the same organization revoke', async () => {
    const create = async () =>
      (await createApiToken(pg.db, { userId: quinn.userId, name: 'guarded', scopes: ['read:prices'], expiresInDays: null })).token
    const principalOf = async (token: string) => (await verifyApiToken(pg.db, token))!
    const sessionLike = (p: Provisioned) => p.principal

    // Another analyst of the same organization: FORBIDDEN, token still works.
    const t1 = await create()
    const id1 = (await principalOf(t1)).credentialId
    const forbidden = await rejection(revokeApiToken(pg.db, { tokenId: id1, by: sessionLike(lena) }))
    expect(forbidden.code).toBe('FORBIDDEN')
    expect(await verifyApiToken(pg.db, t1)).not.toBeNull()

    // An admin of another organization: allowed, since admins administer every organization
    // (the admin pages list every organization's tokens).
    const t3 = await create()
    await revokeApiToken(pg.db, { tokenId: (await principalOf(t3)).credentialId, by: sessionLike(otherAdmin) })
    expect(await verifyApiToken(pg.db, t3)).toBeNull()
    expect(await verifyApiToken(pg.db, t1)).not.toBeNull()

    // A service principal naming the organization but without the admin role: FORBIDDEN.
    const service: Principal = {
      kind: 'service',
      userId: null,
      organizationId: quinn.organizationId,
      organizationSlug: 'lakeshore-quant',
      label: 'svc',
      roles: ['service'],
      scopes: ['read:prices'],
      credentialId: 'jwt:svc',
    }
    expect((await rejection(revokeApiToken(pg.db, { tokenId: id1, by: service }))).code).toBe('FORBIDDEN')

    // The organization's admin: allowed, effective at once.
    await revokeApiToken(pg.db, { tokenId: id1, by: sessionLike(lakeAdmin) })
    expect(await verifyApiToken(pg.db, t1)).toBeNull()
    // Again: harmless.
    await revokeApiToken(pg.db, { tokenId: id1, by: sessionLike(lakeAdmin) })

    // The owner, from a hub session.
    const t2 = await create()
    await revokeApiToken(pg.db, { tokenId: (await principalOf(t2)).credentialId, by: sessionLike(quinn) })
    expect(await verifyApiToken(pg.db, t2)).toBeNull()

    // Unknown ids.
    expect((await rejection(revokeApiToken(pg.db, { tokenId: '00000000-0000-4000-8000-000000000000', by: sessionLike(quinn) }))).code).toBe('NOT_FOUND')
    expect((await rejection(revokeApiToken(pg.db, { tokenId: 'not-a-uuid', by: sessionLike(quinn) }))).code).toBe('NOT_FOUND')
  })

  it('stops a token whose user moved to another organization', async () => {
    const mover = await person('mover', 'lakeshore-quant', ['analyst'], 'mover@lakeshore-quant.dev')
    const { token } = await createApiToken(pg.db, { userId: mover.userId, name: 'm', scopes: ['read:prices'], expiresInDays: null })
    expect(await verifyApiToken(pg.db, token)).not.toBeNull()
    await pg.db.update(users).set({ organizationId: otherAdmin.organizationId }).where(eq(users.id, mover.userId))
    expect(await verifyApiToken(pg.db, token)).toBeNull()
  })
})
