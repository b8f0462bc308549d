import type { MarketId } from '@carbon/schemas'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { entitlements, organizations, users } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { AppError } from '../../errors.ts'
import { DEMO_ORGANIZATIONS, DEMO_SERVICE_CLIENT, DEMO_USERS } from './demo-identities.ts'
import {
  ENTITLEMENT_CACHE_TTL_MS,
  authorize,
  entitledMarkets,
  entitlementMatrix,
  invalidateEntitlements,
  loadEntitlements,
  seedOrganizations,
  setEntitlement,
} from './entitlements.ts'
import type { AccessRequest, Channel, Principal } from './types.ts'

/** Every market, by hand: the pilot's two and the seven added later, which no organization starts with. */
const MARKETS: MarketId[] = ['MISO', 'CAISO', 'PJM', 'ERCOT', 'SPP', 'NYISO', 'ISONE', 'IESO', 'AESO']
const LATER_MARKETS: MarketId[] = ['PJM', 'ERCOT', 'SPP', 'NYISO', 'ISONE', 'IESO', 'AESO']
const CHANNELS: Channel[] = ['hub', 'api', 'downloads']

/**
 * The pilot matrix written out by hand (not derived from the code under test): which demo user may
 * use which market through which channel.
 */
const EVERY_PRODUCT_EVERY_CHANNEL = ['GAS', 'LNG', 'LCFS', 'REC'].flatMap((p) => [`${p}/hub`, `${p}/api`, `${p}/downloads`])
/** The pilot's entitlements: what the default organization (of a real deployment) starts with. */
const PILOT = ['MISO/hub', 'MISO/api', 'MISO/downloads', 'CAISO/hub', 'CAISO/downloads']
const EXPECTED: Record<string, string[]> = {
  admin: [...PILOT, ...EVERY_PRODUCT_EVERY_CHANNEL],
  analyst: ['MISO/hub', 'CAISO/hub', 'GAS/hub', 'LNG/hub', 'LCFS/hub', 'REC/hub'],
  quant: ['MISO/hub', 'MISO/api', 'MISO/downloads', ...EVERY_PRODUCT_EVERY_CHANNEL],
  caiso: ['CAISO/hub', 'CAISO/downloads', 'LCFS/hub', 'LCFS/downloads', 'REC/hub', 'REC/downloads', 'GAS/hub'],
  none: [],
}

const PHRASE: Record<Channel, string> = { hub: 'through the hub', api: 'through the API', downloads: 'through downloads' }

async function denial(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected an AppError, the call succeeded')
}

describe.each(['pglite', 'postgres'] as const)('entitlements on %s', (kind) => {
  let pg: PostgresHandle
  const principals = new Map<string, Principal>()
  const orgIds = new Map<string, string>()

  const principal = (username: string) => {
    const p = principals.get(username)
    if (!p) throw new Error(`no principal ${username}`)
    return p
  }

  beforeAll(async () => {
    pg = await openScratchDatabase(kind, { serverUrl: inject('postgresUrl') })
    await migratePostgres(pg)
    await seedMarkets(pg.db)
    await seedOrganizations(pg.db, { demo: true, defaultOrganization: 'default' })
    for (const org of await pg.db.select().from(organizations)) orgIds.set(org.slug, org.id)
    for (const user of DEMO_USERS) {
      const organizationId = orgIds.get(user.organization)!
      const [row] = await pg.db
        .insert(users)
        .values({
          organizationId,
          subject: user.username,
          issuer: 'https://idp.test',
          email: user.email,
          name: user.name,
          roles: [...user.roles],
        })
        .returning({ id: users.id })
      principals.set(user.username, {
        kind: 'user',
        userId: row!.id,
        organizationId,
        organizationSlug: user.organization,
        label: user.email,
        roles: [...user.roles],
        scopes: null,
        credentialId: `session-${user.username}`,
      })
    }
  })
  afterAll(async () => {
    await pg?.close()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  describe('seedOrganizations', () => {
    it('creates the default organization with the pilot defaults and the demo organizations', async () => {
      expect([...orgIds.keys()].sort()).toEqual(['default', ...DEMO_ORGANIZATIONS.map((o) => o.slug)].sort())
      const [def] = await pg.db.select().from(organizations).where(eq(organizations.slug, 'default'))
      expect(def!.name).toBe('Default organization')
      const pairs = async (slug: string) =>
        (await loadEntitlements(pg.db, orgIds.get(slug)!)).map((e) => `${e.market}/${e.channel}`).sort()
      expect(await pairs('default')).toEqual([...PILOT].sort())
      expect(await pairs('254carbon')).toEqual([...EXPECTED.admin!].sort())
      expect(await pairs('prairie-trading')).toEqual([...EXPECTED.analyst!].sort())
      expect(await pairs('lakeshore-quant')).toEqual([...EXPECTED.quant!].sort())
      expect(await pairs('pacific-utility')).toEqual([...EXPECTED.caiso!].sort())
      expect(await pairs('no-access')).toEqual([])
      const seeded = await pg.db.select().from(entitlements)
      expect(seeded.every((r) => r.enabled && r.grantedBy === 'seed')).toBe(true)
      expect(seeded.some((r) => r.market === 'CAISO' && r.channel === 'api')).toBe(false)
    })

    it('is idempotent and never overwrites what an admin changed', async () => {
      const before = await pg.db.select().from(entitlements)
      const orgId = orgIds.get('prairie-trading')!
      await setEntitlement(pg.db, { organizationId: orgId, market: 'MISO', channel: 'hub', enabled: false, grantedBy: 'admin-1' })
      await pg.db.update(organizations).set({ name: 'Prairie Trading LLC' }).where(eq(organizations.id, orgId))
      // A row an admin removed outright comes back (insert missing only).
      await pg.db
        .delete(entitlements)
        .where(and(eq(entitlements.organizationId, orgId), eq(entitlements.market, 'CAISO'), eq(entitlements.channel, 'hub')))

      await seedOrganizations(pg.db, { demo: true, defaultOrganization: 'default' })
      await seedOrganizations(pg.db, { demo: true, defaultOrganization: 'default' })

      const after = await pg.db.select().from(entitlements)
      expect(after).toHaveLength(before.length)
      expect(await pg.db.select().from(organizations)).toHaveLength(orgIds.size)
      const [misoHub] = after.filter((r) => r.organizationId === orgId && r.market === 'MISO' && r.channel === 'hub')
      expect(misoHub).toMatchObject({ enabled: false, grantedBy: 'admin-1' })
      const [org] = await pg.db.select().from(organizations).where(eq(organizations.id, orgId))
      expect(org!.name).toBe('Prairie Trading LLC')
      expect(after.some((r) => r.organizationId === orgId && r.market === 'CAISO' && r.channel === 'hub' && r.enabled)).toBe(true)

      await setEntitlement(pg.db, { organizationId: orgId, market: 'MISO', channel: 'hub', enabled: true, grantedBy: 'admin-1' })
      await pg.db.update(organizations).set({ name: 'Prairie Trading' }).where(eq(organizations.id, orgId))
    })

    it('without demo creates only the default organization', async () => {
      await seedOrganizations(pg.db, { demo: false, defaultOrganization: 'acme-energy' })
      const [acme] = await pg.db.select().from(organizations).where(eq(organizations.slug, 'acme-energy'))
      expect(acme!.name).toBe('Default organization')
      expect((await loadEntitlements(pg.db, acme!.id)).map((e) => `${e.market}/${e.channel}`).sort()).toEqual(
        [...PILOT].sort(),
      )
      expect(await pg.db.select().from(organizations)).toHaveLength(orgIds.size + 1)
    })
  })

  describe('authorize', () => {
    it('decides every demo user x market x channel as the pilot matrix says', async () => {
      for (const user of DEMO_USERS) {
        for (const market of MARKETS) {
          for (const channel of CHANNELS) {
            const request: AccessRequest = { channel, market }
            const allowed = EXPECTED[user.username]!.includes(`${market}/${channel}`)
            const outcome = authorize(pg.db, principal(user.username), request)
            if (allowed) {
              await expect(outcome, `${user.username} ${market} ${channel}`).resolves.toBeUndefined()
            } else {
              const error = await denial(outcome)
              expect(error.code, `${user.username} ${market} ${channel}`).toBe('FORBIDDEN')
              expect(error.status).toBe(403)
              expect(error.message).toContain(market)
              expect(error.message).toContain(PHRASE[channel])
            }
          }
        }
      }
    })

    it('refuses an anonymous caller with UNAUTHORIZED, for every market and channel', async () => {
      for (const market of [...MARKETS, undefined]) {
        for (const channel of CHANNELS) {
          const error = await denial(authorize(pg.db, null, { channel, market }))
          expect(error.code).toBe('UNAUTHORIZED')
          expect(error.status).toBe(401)
          expect(error.userMessage).toBe('Sign in or send a bearer token')
        }
      }
    })

    it('never grants CAISO through the API, even when a row says enabled', async () => {
      // Bypass setEntitlement (which refuses this) as a hand-edited table would.
      const rows = [...orgIds.values()].map((organizationId) => ({
        organizationId,
        market: 'CAISO',
        channel: 'api' as const,
        enabled: true,
        grantedBy: 'psql',
      }))
      await pg.db.insert(entitlements).values(rows).onConflictDoUpdate({
        target: [entitlements.organizationId, entitlements.market, entitlements.channel],
        set: { enabled: true },
      })
      invalidateEntitlements()
      try {
        for (const user of DEMO_USERS) {
          const error = await denial(authorize(pg.db, principal(user.username), { channel: 'api', market: 'CAISO' }))
          expect(error.code).toBe('FORBIDDEN')
          expect(error.message).toBe('CAISO data is not available through the API')
          expect(await entitledMarkets(pg.db, principal(user.username), 'api')).not.toContain('CAISO')
          expect(await loadEntitlements(pg.db, principal(user.username).organizationId)).not.toContainEqual({
            market: 'CAISO',
            channel: 'api',
          })
        }
        // Not even an admin with every role, and not a service.
        const superuser = { ...principal('admin'), roles: ['admin', 'analyst', 'viewer', 'service'] as Principal['roles'] }
        expect((await denial(authorize(pg.db, superuser, { channel: 'api', market: 'CAISO' }))).code).toBe('FORBIDDEN')
        // A pacific-utility caller has CAISO only, and CAISO has no API: no market through the API.
        const error = await denial(authorize(pg.db, principal('caiso'), { channel: 'api' }))
        expect(error.message).toBe('Your organization is entitled to no market or product through the API')
      } finally {
        await pg.db.delete(entitlements).where(and(eq(entitlements.market, 'CAISO'), eq(entitlements.channel, 'api')))
        invalidateEntitlements()
      }
    })

    it('names market and channel in the message of a missing entitlement', async () => {
      const error = await denial(authorize(pg.db, principal('analyst'), { channel: 'api', market: 'MISO' }))
      expect(error.message).toBe('Your organization is not entitled to MISO through the API')
      expect(error.details).toMatchObject({ channel: 'api', market: 'MISO' })
    })

    it('without a market, needs at least one entitled market on the channel', async () => {
      await expect(authorize(pg.db, principal('quant'), { channel: 'api' })).resolves.toBeUndefined()
      await expect(authorize(pg.db, principal('caiso'), { channel: 'downloads' })).resolves.toBeUndefined()
      expect((await denial(authorize(pg.db, principal('analyst'), { channel: 'downloads' }))).message).toBe(
        'Your organization is entitled to no market or product through downloads',
      )
      for (const channel of CHANNELS) {
        const error = await denial(authorize(pg.db, principal('none'), { channel }))
        expect(error.code).toBe('FORBIDDEN')
        expect(error.message).toBe(`Your organization is entitled to no market or product ${PHRASE[channel]}`)
      }
    })

    it('requires the role a request names; admin satisfies every role', async () => {
      await expect(authorize(pg.db, principal('admin'), { channel: 'hub', role: 'admin' })).resolves.toBeUndefined()
      for (const username of ['analyst', 'quant', 'caiso', 'none']) {
        const error = await denial(authorize(pg.db, principal(username), { channel: 'hub', role: 'admin' }))
        expect(error.code).toBe('FORBIDDEN')
        expect(error.message).toBe('This requires the admin role')
      }
      await expect(authorize(pg.db, principal('admin'), { channel: 'hub', role: 'service' })).resolves.toBeUndefined()
      await expect(authorize(pg.db, principal('admin'), { channel: 'hub', role: 'viewer' })).resolves.toBeUndefined()
      await expect(authorize(pg.db, principal('analyst'), { channel: 'hub', role: 'analyst' })).resolves.toBeUndefined()
      await expect(authorize(pg.db, principal('analyst'), { channel: 'hub', role: 'viewer' })).resolves.toBeUndefined()
      expect((await denial(authorize(pg.db, principal('caiso'), { channel: 'hub', role: 'analyst' }))).code).toBe('FORBIDDEN')
      // A role-gated request without a market is decided by the role alone: an admin of an
      // organization with no entitlement still reaches the admin pages.
      const adminWithoutMarkets = { ...principal('none'), roles: ['admin' as const] }
      await expect(authorize(pg.db, adminWithoutMarkets, { channel: 'hub', role: 'admin' })).resolves.toBeUndefined()
      expect((await denial(authorize(pg.db, adminWithoutMarkets, { channel: 'hub', market: 'MISO', role: 'admin' }))).code).toBe(
        'FORBIDDEN',
      )
      // The role is checked before the market: an entitled market does not stand in for a role.
      expect((await denial(authorize(pg.db, principal('analyst'), { channel: 'hub', market: 'MISO', role: 'admin' }))).code).toBe(
        'FORBIDDEN',
      )
    })

    it('requires the scope a request names of scope-limited credentials only', async () => {
      const quant = principal('quant')
      const token = (scopes: Principal['scopes']): Principal => ({ ...quant, kind: 'token', scopes, credentialId: 'tok-1', label: 'ci' })
      await expect(
        authorize(pg.db, token(['read:prices']), { channel: 'api', market: 'MISO', scope: 'read:prices' }),
      ).resolves.toBeUndefined()
      const error = await denial(authorize(pg.db, token(['read:curves']), { channel: 'api', market: 'MISO', scope: 'read:prices' }))
      expect(error.code).toBe('FORBIDDEN')
      expect(error.message).toContain('read:prices')
      expect((await denial(authorize(pg.db, token([]), { channel: 'api', scope: 'read:prices' }))).message).toContain('read:prices')
      // A scope does not widen entitlements.
      expect((await denial(authorize(pg.db, token(['read:prices']), { channel: 'api', market: 'CAISO', scope: 'read:prices' }))).code).toBe(
        'FORBIDDEN',
      )
      // Hub sessions are not scope-limited.
      await expect(authorize(pg.db, quant, { channel: 'hub', market: 'MISO', scope: 'read:prices' })).resolves.toBeUndefined()

      const service: Principal = {
        kind: 'service',
        userId: null,
        organizationId: orgIds.get(DEMO_SERVICE_CLIENT.organization)!,
        organizationSlug: DEMO_SERVICE_CLIENT.organization,
        label: DEMO_SERVICE_CLIENT.clientId,
        roles: [...DEMO_SERVICE_CLIENT.roles],
        scopes: [...DEMO_SERVICE_CLIENT.scopes],
        credentialId: DEMO_SERVICE_CLIENT.clientId,
      }
      await expect(authorize(pg.db, service, { channel: 'api', market: 'MISO', scope: 'read:prices' })).resolves.toBeUndefined()
      expect((await denial(authorize(pg.db, service, { channel: 'api', market: 'MISO', scope: 'write:curves' }))).code).toBe('FORBIDDEN')
      expect((await denial(authorize(pg.db, service, { channel: 'api', role: 'admin' }))).code).toBe('FORBIDDEN')
    })

    it('applies an entitlement change at once after setEntitlement', async () => {
      const analyst = principal('analyst')
      const request: AccessRequest = { channel: 'downloads', market: 'MISO' }
      expect((await denial(authorize(pg.db, analyst, request))).code).toBe('FORBIDDEN') // now cached
      await setEntitlement(pg.db, { ...pair(analyst, 'MISO', 'downloads'), enabled: true, grantedBy: 'admin-1' })
      await expect(authorize(pg.db, analyst, request)).resolves.toBeUndefined()
      expect(await entitledMarkets(pg.db, analyst, 'downloads')).toEqual(['MISO'])
      await setEntitlement(pg.db, { ...pair(analyst, 'MISO', 'downloads'), enabled: false, grantedBy: 'admin-1' })
      expect((await denial(authorize(pg.db, analyst, request))).code).toBe('FORBIDDEN')
      expect(await entitledMarkets(pg.db, analyst, 'downloads')).toEqual([])
      const [row] = await pg.db
        .select()
        .from(entitlements)
        .where(and(eq(entitlements.organizationId, analyst.organizationId), eq(entitlements.channel, 'downloads')))
      expect(row).toMatchObject({ market: 'MISO', enabled: false, grantedBy: 'admin-1' })
    })

    it('sees a change written behind its back within the cache TTL', async () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      const quant = principal('quant')
      await expect(authorize(pg.db, quant, { channel: 'hub', market: 'MISO' })).resolves.toBeUndefined()
      await pg.db
        .update(entitlements)
        .set({ enabled: false })
        .where(and(eq(entitlements.organizationId, quant.organizationId), eq(entitlements.market, 'MISO'), eq(entitlements.channel, 'hub')))
      try {
        vi.setSystemTime(Date.now() + ENTITLEMENT_CACHE_TTL_MS + 1)
        expect((await denial(authorize(pg.db, quant, { channel: 'hub', market: 'MISO' }))).code).toBe('FORBIDDEN')
      } finally {
        await pg.db
          .update(entitlements)
          .set({ enabled: true })
          .where(and(eq(entitlements.organizationId, quant.organizationId), eq(entitlements.market, 'MISO'), eq(entitlements.channel, 'hub')))
        invalidateEntitlements(quant.organizationId)
      }
      await expect(authorize(pg.db, quant, { channel: 'hub', market: 'MISO' })).resolves.toBeUndefined()
    })
  })

  describe('entitledMarkets', () => {
    it('lists the markets of each channel, sorted', async () => {
      expect(await entitledMarkets(pg.db, principal('admin'), 'hub')).toEqual(['CAISO', 'MISO'])
      expect(await entitledMarkets(pg.db, principal('admin'), 'api')).toEqual(['MISO'])
      expect(await entitledMarkets(pg.db, principal('admin'), 'downloads')).toEqual(['CAISO', 'MISO'])
      expect(await entitledMarkets(pg.db, principal('analyst'), 'hub')).toEqual(['CAISO', 'MISO'])
      expect(await entitledMarkets(pg.db, principal('quant'), 'api')).toEqual(['MISO'])
      expect(await entitledMarkets(pg.db, principal('caiso'), 'downloads')).toEqual(['CAISO'])
      expect(await entitledMarkets(pg.db, principal('none'), 'hub')).toEqual([])
    })
  })

  describe('markets added after the pilot', () => {
    it('start with no entitlement for any organization, and open to one only when granted', async () => {
      const rows = await pg.db.select().from(entitlements)
      expect(rows.filter((r) => (LATER_MARKETS as string[]).includes(r.market))).toEqual([])
      const quant = principal('quant')
      for (const market of LATER_MARKETS) {
        for (const channel of CHANNELS) {
          const error = await denial(authorize(pg.db, quant, { channel, market }))
          expect(error.code, `${market} ${channel}`).toBe('FORBIDDEN')
          expect(error.message).toContain(market)
        }
      }
      await setEntitlement(pg.db, { ...pair(quant, 'PJM', 'api'), enabled: true, grantedBy: 'admin-1' })
      try {
        await expect(authorize(pg.db, quant, { channel: 'api', market: 'PJM' })).resolves.toBeUndefined()
        expect((await denial(authorize(pg.db, quant, { channel: 'hub', market: 'PJM' }))).code).toBe('FORBIDDEN')
        expect((await denial(authorize(pg.db, quant, { channel: 'api', market: 'ERCOT' }))).code).toBe('FORBIDDEN')
        expect(await entitledMarkets(pg.db, quant, 'api')).toEqual(['MISO', 'PJM'])
      } finally {
        await setEntitlement(pg.db, { ...pair(quant, 'PJM', 'api'), enabled: false, grantedBy: 'admin-1' })
      }
      expect((await denial(authorize(pg.db, quant, { channel: 'api', market: 'PJM' }))).code).toBe('FORBIDDEN')
    })
  })

  describe('setEntitlement', () => {
    it('refuses to enable CAISO through the API, and allows disabling it', async () => {
      const admin = principal('admin')
      const error = await denial(setEntitlement(pg.db, { ...pair(admin, 'CAISO', 'api'), enabled: true, grantedBy: 'admin-1' }))
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message).toBe('CAISO has no API channel in the pilot')
      const rows = await pg.db.select().from(entitlements).where(and(eq(entitlements.market, 'CAISO'), eq(entitlements.channel, 'api')))
      expect(rows).toEqual([])

      await setEntitlement(pg.db, { ...pair(admin, 'CAISO', 'api'), enabled: false, grantedBy: 'admin-1' })
      expect((await denial(authorize(pg.db, admin, { channel: 'api', market: 'CAISO' }))).code).toBe('FORBIDDEN')
      await pg.db.delete(entitlements).where(and(eq(entitlements.market, 'CAISO'), eq(entitlements.channel, 'api')))
    })

    it('refuses an unknown organization or market', async () => {
      const missing = await denial(
        setEntitlement(pg.db, {
          organizationId: '00000000-0000-4000-8000-000000000000',
          market: 'MISO',
          channel: 'hub',
          enabled: true,
          grantedBy: 'x',
        }),
      )
      expect(missing.code).toBe('NOT_FOUND')
      const badMarket = await denial(
        setEntitlement(pg.db, {
          organizationId: orgIds.get('no-access')!,
          market: 'ENTSOE' as MarketId,
          channel: 'hub',
          enabled: true,
          grantedBy: 'x',
        }),
      )
      expect(badMarket.code).toBe('BAD_REQUEST')
      const noGrantor = await denial(
        setEntitlement(pg.db, { organizationId: orgIds.get('no-access')!, market: 'MISO', channel: 'hub', enabled: true, grantedBy: ' ' }),
      )
      expect(noGrantor.code).toBe('BAD_REQUEST')
    })
  })

  describe('entitlementMatrix', () => {
    it('lists offered channels per market and every organization with its grid', async () => {
      const matrix = await entitlementMatrix(pg.db)
      expect(matrix.markets).toEqual([
        { id: 'AESO', channels: ['hub', 'api', 'downloads'] },
        { id: 'CAISO', channels: ['hub', 'downloads'] },
        { id: 'ERCOT', channels: ['hub', 'api', 'downloads'] },
        { id: 'IESO', channels: ['hub', 'api', 'downloads'] },
        { id: 'ISONE', channels: ['hub', 'api', 'downloads'] },
        { id: 'MISO', channels: ['hub', 'api', 'downloads'] },
        { id: 'NYISO', channels: ['hub', 'api', 'downloads'] },
        { id: 'PJM', channels: ['hub', 'api', 'downloads'] },
        { id: 'SPP', channels: ['hub', 'api', 'downloads'] },
        // The products beside power come after the markets, in their own order.
        { id: 'GAS', channels: ['hub', 'api', 'downloads'] },
        { id: 'LNG', channels: ['hub', 'api', 'downloads'] },
        { id: 'LCFS', channels: ['hub', 'api', 'downloads'] },
        { id: 'REC', channels: ['hub', 'api', 'downloads'] },
      ])
      const slugs = matrix.organizations.map((o) => o.slug)
      expect(new Set(slugs)).toEqual(new Set([...orgIds.keys(), 'acme-energy']))
      const names = matrix.organizations.map((o) => o.name)
      expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
      for (const user of DEMO_USERS) {
        const org = matrix.organizations.find((o) => o.slug === user.organization)!
        expect(org.id).toBe(orgIds.get(user.organization))
        expect(org.userCount).toBe(1)
        expect(org.entitlements).toHaveLength(5 + (LATER_MARKETS.length + 4) * CHANNELS.length)
        expect(org.entitlements.filter((e) => e.enabled).map((e) => `${e.market}/${e.channel}`).sort()).toEqual(
          [...EXPECTED[user.username]!].sort(),
        )
      }
      expect(matrix.organizations.find((o) => o.slug === 'default')!.userCount).toBe(0)
    })

    it('shows a disabled row as not enabled, and never lists CAISO through the API', async () => {
      const org = principal('quant')
      await setEntitlement(pg.db, { ...pair(org, 'MISO', 'api'), enabled: false, grantedBy: 'admin-1' })
      await pg.db.execute(
        sql`insert into entitlements (organization_id, market, channel, enabled) values (${org.organizationId}, 'CAISO', 'api', true)`,
      )
      try {
        const matrix = await entitlementMatrix(pg.db)
        const row = matrix.organizations.find((o) => o.id === org.organizationId)!
        expect(row.entitlements).toContainEqual({ market: 'MISO', channel: 'api', enabled: false })
        expect(row.entitlements.some((e) => e.market === 'CAISO' && e.channel === 'api')).toBe(false)
      } finally {
        await setEntitlement(pg.db, { ...pair(org, 'MISO', 'api'), enabled: true, grantedBy: 'admin-1' })
        await pg.db.delete(entitlements).where(and(eq(entitlements.market, 'CAISO'), eq(entitlements.channel, 'api')))
      }
    })
  })
})

function pair(p: Principal, market: MarketId, channel: Channel) {
  return { organizationId: p.organizationId, market, channel }
}
