import { type DataKey } from '@carbon/schemas'
import { z } from 'zod'

/**
 * The identity contract shared by login, tokens, authorization, audit, the tRPC context and the
 * hub loaders. Every request resolves to at most one Principal; `authorize` (entitlements.ts)
 * is the one place that decides access.
 */

export const Role = z.enum(['admin', 'analyst', 'viewer', 'service'])
export type Role = z.infer<typeof Role>

/** How data leaves the platform: the hub (session cookie), the API (bearer tokens), downloads (files). */
export const Channel = z.enum(['hub', 'api', 'downloads'])
export type Channel = z.infer<typeof Channel>

/**
 * Token scopes: what a personal access token may do. `read:prices` covers markets, nodes, prices
 * and the series beside them (gas, LNG, LCFS, RECs, fundamentals); `write:series` enters series
 * values from files (REC quotes: POST /series/upload); `write:compliance` records an
 * organization's compliance obligations, holdings and retirements.
 */
export const Scope = z.enum(['read:prices', 'read:curves', 'write:curves', 'write:compliance', 'write:series'])
export type Scope = z.infer<typeof Scope>

export const Principal = z.object({
  /** user = hub session; token = personal access token; service = OAuth2 client-credentials JWT. */
  kind: z.enum(['user', 'token', 'service']),
  /** users.id for user and token principals; null for services. */
  userId: z.uuid().nullable(),
  organizationId: z.uuid(),
  organizationSlug: z.string(),
  /** Human-readable who: an email, a token name, a client id. Never a secret. */
  label: z.string(),
  roles: z.array(Role),
  /** Token scopes; null = not scope-limited (hub sessions). */
  scopes: z.array(Scope).nullable(),
  /** api_tokens.id, sessions.id hash or the JWT's client id: what rate limits and audit rows key on. */
  credentialId: z.string(),
  /** service only: when its JWT expires (`exp`, ms since the epoch); open live streams end then. */
  expiresAt: z.number().int().optional(),
})
export type Principal = z.infer<typeof Principal>

/**
 * One thing to decide: may this principal get this market's (or product's) data through this
 * channel?
 */
export type AccessRequest = { channel: Channel; market?: DataKey; role?: Role; scope?: Scope }

const EVERY_CHANNEL: readonly Channel[] = ['hub', 'api', 'downloads']

/**
 * The market x channel availability: CAISO has no API channel, for anyone. The markets added after
 * the pilot are offered through every channel, but no organization is entitled to them until an
 * administrator grants it (entitlements rows; the demo identities hold none).
 */
export const MARKET_CHANNELS: Record<DataKey, readonly Channel[]> = {
  MISO: EVERY_CHANNEL,
  CAISO: ['hub', 'downloads'],
  PJM: EVERY_CHANNEL,
  ERCOT: EVERY_CHANNEL,
  SPP: EVERY_CHANNEL,
  NYISO: EVERY_CHANNEL,
  ISONE: EVERY_CHANNEL,
  IESO: EVERY_CHANNEL,
  AESO: EVERY_CHANNEL,
  // The products beside power (docs/decisions/023): every channel, nobody entitled at first.
  GAS: EVERY_CHANNEL,
  LNG: EVERY_CHANNEL,
  LCFS: EVERY_CHANNEL,
  REC: EVERY_CHANNEL,
}
