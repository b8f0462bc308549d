import { DataKey, ENTITLED_PRODUCTS, MarketId, type EntitledProduct } from '@carbon/schemas'
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm'
import { z } from 'zod'
import { entitlements, organizations, users, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { DEMO_ORGANIZATIONS, PILOT_ENTITLEMENTS } from './demo-identities.ts'
import { Channel, MARKET_CHANNELS, type AccessRequest, type Principal, type Role } from './types.ts'

/**
 * Authorization: `authorize` is the ONE place that decides whether a principal may do something.
 * Procedures, loaders and download routes call it; nothing else compares roles, scopes or
 * entitlements.
 *
 * Entitlements are cached per organization for ENTITLEMENT_CACHE_TTL_MS. Every write in this
 * process (setEntitlement, seedOrganizations) calls invalidateEntitlements, so an admin's change
 * applies at once here; OTHER replicas keep their cached copy until it expires, i.e. they see the
 * change within the TTL (a few seconds). A revocation therefore takes at most that long to reach
 * the whole deployment.
 */

export const ENTITLEMENT_CACHE_TTL_MS = 5_000

/** One entitlement: a data key (a market, or a product beside power) through a channel. */
export type MarketChannel = { market: DataKey; channel: Channel }

/** 'admin' satisfies every role; 'analyst' also satisfies 'viewer' (an analyst sees what a viewer sees). */
const ROLE_IMPLIES: Record<Role, readonly Role[]> = {
  admin: ['admin', 'analyst', 'viewer', 'service'],
  analyst: ['analyst', 'viewer'],
  viewer: ['viewer'],
  service: ['service'],
}

/** Whether the principal holds `role`, directly or through a role that implies it (see ROLE_IMPLIES). */
export function hasRole(principal: Pick<Principal, 'roles'>, role: Role): boolean {
  return principal.roles.some((held) => ROLE_IMPLIES[held]?.includes(role))
}

/** Whether the pilot offers this market through this channel at all (CAISO has no API channel). */
export function isAvailable(market: DataKey, channel: Channel): boolean {
  return MARKET_CHANNELS[market]?.includes(channel) ?? false
}

const CHANNEL_NAME: Record<Channel, string> = { hub: 'hub', api: 'API', downloads: 'downloads' }
const CHANNEL_PHRASE: Record<Channel, string> = {
  hub: 'through the hub',
  api: 'through the API',
  downloads: 'through downloads',
}

/**
 * Decides one access request; resolves when allowed, throws AppError otherwise:
 * - no principal: UNAUTHORIZED;
 * - `request.role` not held (admin satisfies every role): FORBIDDEN;
 * - `request.scope` not among a scope-limited principal's scopes (tokens, services): FORBIDDEN;
 * - `request.market` given: the pair must be offered (MARKET_CHANNELS) AND entitled to the
 *   principal's organization, else FORBIDDEN naming market and channel;
 * - no market and a role required (admin pages): the role alone decides;
 * - no market otherwise: the organization must be entitled to at least one market on the channel.
 * A denial is always a 401/403, never a 500; database failures propagate as they are.
 */
export async function authorize(db: Database, principal: Principal | null, request: AccessRequest): Promise<void> {
  if (!principal) {
    throw new AppError('UNAUTHORIZED', 'Sign in or send a bearer token', { details: { channel: request.channel } })
  }
  const details = { channel: request.channel, market: request.market, role: request.role, scope: request.scope }

  if (request.role && !hasRole(principal, request.role)) {
    throw new AppError('FORBIDDEN', `This requires the ${request.role} role`, { details })
  }
  if (request.scope && principal.scopes !== null && !principal.scopes.includes(request.scope)) {
    throw new AppError('FORBIDDEN', `This credential lacks the ${request.scope} scope`, { details })
  }

  if (request.market) {
    if (!isAvailable(request.market, request.channel)) {
      throw new AppError('FORBIDDEN', `${request.market} data is not available ${CHANNEL_PHRASE[request.channel]}`, {
        details,
      })
    }
    const entitled = await cachedEntitlements(db, principal.organizationId)
    if (!entitled.has(pairKey(request.market, request.channel))) {
      throw new AppError(
        'FORBIDDEN',
        `Your organization is not entitled to ${request.market} ${CHANNEL_PHRASE[request.channel]}`,
        { details },
      )
    }
    return
  }
  // A role-gated request without a market (the admin pages) is not a market-data request: the
  // role decides it alone.
  if (request.role) return

  const keys = keysOn(await cachedEntitlements(db, principal.organizationId), request.channel)
  if (keys.length === 0) {
    throw new AppError('FORBIDDEN', `Your organization is entitled to no market or product ${CHANNEL_PHRASE[request.channel]}`, {
      details,
    })
  }
}

/** The markets the principal's organization may use through `channel`, sorted. */
export async function entitledMarkets(db: Database, principal: Principal, channel: Channel): Promise<MarketId[]> {
  return keysOn(await cachedEntitlements(db, principal.organizationId), channel).filter((key): key is MarketId => MarketId.safeParse(key).success)
}

/** The products beside power (GAS, LNG, LCFS, REC) the principal's organization may use through `channel`, in their order. */
export async function entitledProducts(db: Database, principal: Principal, channel: Channel): Promise<EntitledProduct[]> {
  const pairs = await cachedEntitlements(db, principal.organizationId)
  return ENTITLED_PRODUCTS.filter((p) => pairs.has(pairKey(p, channel)) && isAvailable(p, channel))
}

/**
 * The organization's enabled entitlements that the pilot offers (MARKET_CHANNELS): a row granting
 * CAISO through the API is ignored, whatever the table says. Read from the database (not cached),
 * sorted by market then channel.
 */
export async function loadEntitlements(db: Database, organizationId: string): Promise<MarketChannel[]> {
  if (!z.uuid().safeParse(organizationId).success) return []
  const rows = await db
    .select({ market: entitlements.market, channel: entitlements.channel })
    .from(entitlements)
    .where(and(eq(entitlements.organizationId, organizationId), eq(entitlements.enabled, true)))
    .orderBy(asc(entitlements.market), asc(entitlements.channel))
  const result: MarketChannel[] = []
  for (const row of rows) {
    const market = DataKey.safeParse(row.market)
    if (market.success && isAvailable(market.data, row.channel)) result.push({ market: market.data, channel: row.channel })
  }
  return result
}

/**
 * Forgets cached entitlements of one organization, or of all. Every entitlement write calls it;
 * it only reaches this process (other replicas expire theirs within ENTITLEMENT_CACHE_TTL_MS).
 */
export function invalidateEntitlements(organizationId?: string): void {
  generation++
  if (organizationId === undefined) cache.clear()
  else cache.delete(organizationId)
}

const SetEntitlementInput = z.object({
  organizationId: z.uuid(),
  market: DataKey,
  channel: Channel,
  enabled: z.boolean(),
  grantedBy: z.string().trim().min(1).max(200),
})
export type SetEntitlementInput = z.input<typeof SetEntitlementInput>

/**
 * Grants or withdraws one market x channel for an organization (insert or update). Enabling a pair
 * the pilot does not offer is refused with BAD_REQUEST; disabling one is allowed (it tidies a
 * stray row). Unknown organization: NOT_FOUND. Takes effect at once in this process.
 */
export async function setEntitlement(db: Database, input: SetEntitlementInput): Promise<void> {
  const parsed = SetEntitlementInput.safeParse(input)
  if (!parsed.success) throw invalidInput('entitlement', parsed.error)
  const { organizationId, market, channel, enabled, grantedBy } = parsed.data
  if (enabled && !isAvailable(market, channel)) {
    throw AppError.badRequest(`${market} has no ${CHANNEL_NAME[channel]} channel in the pilot`, { market, channel })
  }
  try {
    await db.transaction(async (tx) => {
      const [organization] = await tx
        .select({ id: organizations.id })
        .from(organizations)
        .where(eq(organizations.id, organizationId))
        .limit(1)
      if (!organization) throw AppError.notFound('Organization', { organizationId })
      await tx
        .insert(entitlements)
        .values({ organizationId, market, channel, enabled, grantedBy })
        .onConflictDoUpdate({
          target: [entitlements.organizationId, entitlements.market, entitlements.channel],
          set: { enabled, grantedBy, updatedAt: sql`now()` },
        })
    })
  } finally {
    invalidateEntitlements(organizationId)
  }
}

/**
 * Creates the default organization (slug `defaultOrganization`, the pilot entitlements) and, when
 * `demo`, the demo organizations with theirs. Idempotent and additive: missing organizations and
 * entitlement rows are inserted, existing ones are left exactly as admins edited them (a disabled
 * entitlement stays disabled). The markets must exist already (seedMarkets).
 */
export async function seedOrganizations(
  db: Database,
  options: { demo: boolean; defaultOrganization: string },
): Promise<void> {
  const wanted = new Map<string, { name: string; entitlements: readonly MarketChannel[] }>()
  wanted.set(options.defaultOrganization, { name: 'Default organization', entitlements: PILOT_ENTITLEMENTS })
  // A demo organization of the same slug wins: it is the more specific definition.
  if (options.demo) for (const org of DEMO_ORGANIZATIONS) wanted.set(org.slug, org)

  try {
    await db.transaction(async (tx) => {
      await tx
        .insert(organizations)
        .values([...wanted].map(([slug, org]) => ({ slug, name: org.name })))
        .onConflictDoNothing({ target: organizations.slug })
      const rows = await tx
        .select({ id: organizations.id, slug: organizations.slug })
        .from(organizations)
        .where(inArray(organizations.slug, [...wanted.keys()]))
      const values = rows.flatMap((row) =>
        (wanted.get(row.slug)?.entitlements ?? [])
          .filter((e) => isAvailable(e.market, e.channel))
          .map((e) => ({ organizationId: row.id, market: e.market, channel: e.channel, enabled: true, grantedBy: 'seed' })),
      )
      if (values.length > 0) await tx.insert(entitlements).values(values).onConflictDoNothing()
    })
  } finally {
    invalidateEntitlements()
  }
}

export type EntitlementMatrix = {
  markets: { id: DataKey; channels: Channel[] }[]
  organizations: {
    id: string
    slug: string
    name: string
    userCount: number
    entitlements: { market: DataKey; channel: Channel; enabled: boolean }[]
  }[]
}

/**
 * The admin page's grid: every market with the channels the pilot offers, and every organization
 * (by name) with one cell per offered market x channel (`enabled` false when there is no row).
 * Rows for pairs the pilot does not offer are left out: they never take effect.
 */
export async function entitlementMatrix(db: Database): Promise<EntitlementMatrix> {
  const markets = [...MarketId.options.slice().sort(), ...ENTITLED_PRODUCTS].map((id) => ({
    id,
    channels: Channel.options.filter((c) => isAvailable(id, c)),
  }))

  const [orgRows, userCounts, rows] = await Promise.all([
    db
      .select({ id: organizations.id, slug: organizations.slug, name: organizations.name })
      .from(organizations)
      .orderBy(asc(organizations.name), asc(organizations.slug)),
    db.select({ organizationId: users.organizationId, n: count() }).from(users).groupBy(users.organizationId),
    db
      .select({
        organizationId: entitlements.organizationId,
        market: entitlements.market,
        channel: entitlements.channel,
        enabled: entitlements.enabled,
      })
      .from(entitlements),
  ])
  const usersByOrg = new Map(userCounts.map((r) => [r.organizationId, Number(r.n)]))
  const enabled = new Set(rows.filter((r) => r.enabled).map((r) => `${r.organizationId}\u0000${pairKey(r.market, r.channel)}`))

  return {
    markets,
    organizations: orgRows.map((org) => ({
      ...org,
      userCount: usersByOrg.get(org.id) ?? 0,
      entitlements: markets.flatMap((m) =>
        m.channels.map((channel) => ({
          market: m.id,
          channel,
          enabled: enabled.has(`${org.id}\u0000${pairKey(m.id, channel)}`),
        })),
      ),
    })),
  }
}

// --- the cache ---------------------------------------------------------------------------------

type CacheEntry = { db: Database; expiresAt: number; pairs: Set<string> }

/** organizationId -> entitlements; at most one entry per organization seen, each short-lived. */
const cache = new Map<string, CacheEntry>()
const MAX_CACHED_ORGANIZATIONS = 10_000
/** Bumped by every invalidation: a load that started before it does not store its (stale) result. */
let generation = 0

async function cachedEntitlements(db: Database, organizationId: string): Promise<Set<string>> {
  const now = Date.now()
  const hit = cache.get(organizationId)
  if (hit && hit.db === db && hit.expiresAt > now) return hit.pairs

  const startedAt = generation
  const pairs = new Set((await loadEntitlements(db, organizationId)).map((e) => pairKey(e.market, e.channel)))
  if (startedAt === generation) {
    if (cache.size >= MAX_CACHED_ORGANIZATIONS) {
      for (const [key, entry] of cache) if (entry.expiresAt <= now) cache.delete(key)
      if (cache.size >= MAX_CACHED_ORGANIZATIONS) cache.clear()
    }
    cache.set(organizationId, { db, expiresAt: now + ENTITLEMENT_CACHE_TTL_MS, pairs })
  }
  return pairs
}

function pairKey(market: string, channel: string): string {
  return `${market}/${channel}`
}

/** The data keys entitled on `channel`: markets sorted, then products in their order. */
function keysOn(pairs: Set<string>, channel: Channel): DataKey[] {
  const markets = MarketId.options.filter((m) => pairs.has(pairKey(m, channel)) && isAvailable(m, channel)).sort()
  return [...markets, ...ENTITLED_PRODUCTS.filter((p) => pairs.has(pairKey(p, channel)) && isAvailable(p, channel))]
}

function invalidInput(what: string, error: z.ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
  return AppError.badRequest(`Invalid ${what}: ${summary}`, { issues })
}
