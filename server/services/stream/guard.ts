import type { MarketId } from '@carbon/schemas'
import { eq, inArray } from 'drizzle-orm'
import { apiTokens, sessions, users, type Database } from '../../adapters/postgres/schema/index.ts'
import type { Env } from '../../env.ts'
import { AppError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { recordAudit, type AuditEntry } from '../auth/audit.ts'
import { isAvailable, loadEntitlements } from '../auth/entitlements.ts'
import type { Channel, Principal } from '../auth/types.ts'

/**
 * The access a live stream was opened with, kept true for as long as it stays open.
 *
 * A stream is authorized once, when it opens (the same gate as every request); this guard then
 * holds every open stream of the process and, every `checkEveryMs`, asks the database again
 * whether each stream's credential still stands (token not revoked or expired, session not
 * ended, user not disabled, user still in the same organization) and whether its organization is
 * still entitled to the market through the channel. The check is batched: one query for all open
 * streams' API tokens, one for all sessions, one per organization for its entitlements, however
 * many streams share them (1,000 streams of one token cost two queries per check). Entitlements
 * are read uncached, so a change made on another replica is seen at the next check as well.
 *
 * A stream whose access is gone is ended with a reason (audited first, then the transport writes
 * a final `end` event). A credential whose expiry is not in the database (an OAuth2 service JWT:
 * Principal.expiresAt, its `exp`) ends the stream at that expiry, as `token_expired`. The guard
 * also ends every stream after `maxLifetimeMs` (reason `max_lifetime`: the client reconnects
 * with its last event id and resumes), and caps how many streams one credential and one
 * organization may hold open at once (TOO_MANY_REQUESTS naming the limit). The caps count the
 * streams of this process: behind N replicas an organization may hold up to N times its cap.
 */

export const STREAM_END_REASONS = [
  'token_revoked',
  'token_expired',
  'user_disabled',
  'session_ended',
  'organization_changed',
  'entitlement_removed',
  'max_lifetime',
] as const
export type StreamEndReason = (typeof STREAM_END_REASONS)[number]

/** Why a stream ended, in words (the end event and the tRPC error carry the reason code; people read this). */
export const END_REASON_TEXT: Record<StreamEndReason, string> = {
  token_revoked: 'the API token was revoked',
  token_expired: 'the API token expired',
  user_disabled: 'the user account was disabled',
  session_ended: 'the sign-in session ended',
  organization_changed: "the user's organization changed",
  entitlement_removed: "the organization's entitlement to this market was removed",
  max_lifetime: 'the stream reached its maximum lifetime; reconnect with the last event id to continue',
}

/** The status an end is audited with: the credential is gone (401), the entitlement is gone (403), or a normal end (200). */
function endStatus(reason: StreamEndReason): number {
  if (reason === 'max_lifetime') return 200
  if (reason === 'entitlement_removed' || reason === 'organization_changed') return 403
  return 401
}

export type StreamLimits = {
  /** Open streams per credential (API token, session, OAuth2 client). */
  perCredential: number
  /** Open streams per organization. */
  perOrganization: number
  maxLifetimeMs: number
  checkEveryMs: number
}

export function streamLimitsFromEnv(env: Env): StreamLimits {
  return {
    perCredential: env.STREAM_MAX_PER_CREDENTIAL,
    perOrganization: env.STREAM_MAX_PER_ORGANIZATION,
    maxLifetimeMs: env.STREAM_MAX_LIFETIME_SECONDS * 1_000,
    checkEveryMs: env.STREAM_ACCESS_CHECK_MS,
  }
}

/** What the stream's own audit row recorded; the end's row repeats it with the end's outcome. */
export type StreamAuditBase = Omit<AuditEntry, 'outcome' | 'status' | 'details'>

/** Who holds a stream, on what: what the guard re-checks. */
export type StreamHolder = { principal: Principal; channel: Channel; market: MarketId; audit: StreamAuditBase }

/** One admitted stream: `ended` once the guard ended it; `release` frees its slot (idempotent). */
export type StreamLease = { readonly ended: StreamEndReason | null; release(): void }

type OpenStream = StreamHolder & {
  /** What its verdict depends on (credential, organization, market, channel): streams sharing it share one verdict per check. */
  verdictKey: string
  onEnd: (reason: StreamEndReason) => void
  ended: StreamEndReason | null
  released: boolean
  openedAt: number
  lifetime: ReturnType<typeof setTimeout>
}

/** The state of one credential as the database has it now. */
type CredentialRow = { id: string; revokedAt: Date | null; expiresAt: Date | null; disabledAt: Date | null; organizationId: string }

const IDS_PER_QUERY = 1_000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by
  if (next <= 0) counts.delete(key)
  else counts.set(key, next)
}

export class StreamGuard {
  private readonly open = new Set<OpenStream>()
  private readonly perCredential = new Map<string, number>()
  private readonly perOrganization = new Map<string, number>()
  private timer: ReturnType<typeof setInterval> | null = null
  private checking: Promise<void> | null = null

  constructor(
    private readonly db: Database,
    readonly limits: StreamLimits,
    private readonly log: Logger,
  ) {}

  /** Open streams now (all, or one credential's). */
  count(credentialId?: string): number {
    return credentialId === undefined ? this.open.size : (this.perCredential.get(credentialId) ?? 0)
  }

  /**
   * Takes a slot for a new stream, or throws TOO_MANY_REQUESTS naming the limit it would pass.
   * `onEnd` is called once if the guard ends the stream (access gone, lifetime over), after the
   * end has been audited.
   */
  admit(holder: StreamHolder, onEnd: (reason: StreamEndReason) => void): StreamLease {
    const { credentialId, organizationId } = holder.principal
    const { perCredential, perOrganization } = this.limits
    const held = this.perCredential.get(credentialId) ?? 0
    if (held >= perCredential) {
      throw new AppError('TOO_MANY_REQUESTS', `stream limit per credential reached (${held} of ${perCredential})`, {
        userMessage: `Too many open live streams for this credential: the limit is ${perCredential} at once (STREAM_MAX_PER_CREDENTIAL); close one first`,
        details: { limit: 'STREAM_MAX_PER_CREDENTIAL', max: perCredential },
      })
    }
    const orgHeld = this.perOrganization.get(organizationId) ?? 0
    if (orgHeld >= perOrganization) {
      throw new AppError('TOO_MANY_REQUESTS', `stream limit per organization reached (${orgHeld} of ${perOrganization})`, {
        userMessage: `Too many open live streams for your organization: the limit is ${perOrganization} at once (STREAM_MAX_PER_ORGANIZATION); close one first`,
        details: { limit: 'STREAM_MAX_PER_ORGANIZATION', max: perOrganization },
      })
    }
    // The stream ends at its lifetime, or sooner when its credential carries an expiry the
    // database does not hold (an OAuth2 service JWT's exp): then as token_expired.
    const openedAt = Date.now()
    const expiresIn = holder.principal.expiresAt === undefined ? Infinity : holder.principal.expiresAt - openedAt
    const [endIn, endReason]: [number, StreamEndReason] =
      expiresIn < this.limits.maxLifetimeMs ? [Math.max(0, expiresIn), 'token_expired'] : [this.limits.maxLifetimeMs, 'max_lifetime']
    const { kind, expiresAt } = holder.principal
    const stream: OpenStream = {
      ...holder,
      verdictKey: `${kind}|${credentialId}|${organizationId}|${expiresAt ?? ''}|${holder.market}|${holder.channel}`,
      onEnd,
      ended: null,
      released: false,
      openedAt,
      lifetime: setTimeout(() => void this.end(stream, endReason), endIn),
    }
    stream.lifetime.unref?.()
    this.open.add(stream)
    increment(this.perCredential, credentialId, 1)
    increment(this.perOrganization, organizationId, 1)
    this.startChecking()
    return {
      get ended() {
        return stream.ended
      },
      release: () => this.release(stream),
    }
  }

  /** Checks every open stream's access now (the timer calls it; tests may too). Never runs twice at once. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce()
      .catch((error: unknown) => this.log.error({ err: error }, 'stream access check failed; open streams stay until the next check'))
      .finally(() => {
        this.checking = null
      })
    return this.checking
  }

  /** Stops the timer and forgets every stream (process shutdown, tests). */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    for (const stream of [...this.open]) this.release(stream)
  }

  private startChecking(): void {
    if (this.timer) return
    this.timer = setInterval(() => void this.check(), this.limits.checkEveryMs)
    this.timer.unref?.()
  }

  private release(stream: OpenStream): void {
    if (stream.released) return
    stream.released = true
    clearTimeout(stream.lifetime)
    this.open.delete(stream)
    increment(this.perCredential, stream.principal.credentialId, -1)
    increment(this.perOrganization, stream.principal.organizationId, -1)
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer)
      this.timer = null
    }
  }

  /** Audits the end, frees the slot, then tells the transport (which writes the final event). */
  private async end(stream: OpenStream, reason: StreamEndReason): Promise<void> {
    if (stream.ended || stream.released) return
    stream.ended = reason
    const status = endStatus(reason)
    try {
      await recordAudit(this.db, {
        ...stream.audit,
        outcome: reason === 'max_lifetime' ? 'allowed' : 'denied',
        status,
        details: { reason, ended: 'stream', openSeconds: Math.round((Date.now() - stream.openedAt) / 1_000) },
      })
    } catch (error) {
      // The stream ends all the same: the data stops whether or not the row could be written.
      this.log.error({ err: error, reason }, 'audit of a stream end failed')
    }
    this.release(stream)
    this.log.info({ reason, procedure: stream.audit.procedure, requestId: stream.audit.requestId }, 'live stream ended by the server')
    stream.onEnd(reason)
  }

  private async checkOnce(): Promise<void> {
    const streams = [...this.open].filter((s) => !s.ended)
    if (streams.length === 0) return
    // One verdict per distinct holder (thousands of streams often share one token): the
    // per-stream work is a map lookup.
    const holders = new Map<string, OpenStream>()
    for (const stream of streams) if (!holders.has(stream.verdictKey)) holders.set(stream.verdictKey, stream)
    const tokenIds = new Set<string>()
    const sessionIds = new Set<string>()
    const organizationIds = new Set<string>()
    for (const { principal } of holders.values()) {
      organizationIds.add(principal.organizationId)
      if (principal.kind === 'token' && UUID.test(principal.credentialId)) tokenIds.add(principal.credentialId)
      if (principal.kind === 'user') sessionIds.add(principal.credentialId)
    }
    const [tokens, sessionRows, entitled] = await Promise.all([
      this.credentialStates(apiTokens, [...tokenIds]),
      this.credentialStates(sessions, [...sessionIds]),
      this.entitlementsOf([...organizationIds]),
    ])
    const now = Date.now()
    const verdicts = new Map<string, StreamEndReason | null>()
    for (const [key, holder] of holders) {
      const credentials = holder.principal.kind === 'token' ? tokens : sessionRows
      verdicts.set(key, credentialVerdict(holder.principal, credentials, now) ?? entitlementVerdict(holder, entitled))
    }
    const ends: Promise<void>[] = []
    for (const stream of streams) {
      const reason = verdicts.get(stream.verdictKey)
      if (reason) ends.push(this.end(stream, reason))
    }
    await Promise.all(ends)
  }

  /** The state of each credential of `table` (API tokens or sessions) with its user's, in batches of ids. */
  private async credentialStates(table: typeof apiTokens | typeof sessions, ids: string[]): Promise<Map<string, CredentialRow>> {
    const states = new Map<string, CredentialRow>()
    for (const batch of chunks(ids, IDS_PER_QUERY)) {
      const rows = await this.db
        .select({
          id: table.id,
          revokedAt: table.revokedAt,
          expiresAt: table.expiresAt,
          disabledAt: users.disabledAt,
          organizationId: users.organizationId,
        })
        .from(table)
        .innerJoin(users, eq(users.id, table.userId))
        .where(inArray(table.id, batch))
      for (const row of rows) states.set(row.id, row)
    }
    return states
  }

  /** organizationId -> the `market/channel` pairs it is entitled to now (read uncached, one query per organization). */
  private async entitlementsOf(organizationIds: string[]): Promise<Map<string, Set<string>>> {
    const pairs = await Promise.all(
      organizationIds.map(async (id) => [id, new Set((await loadEntitlements(this.db, id)).map((e) => `${e.market}/${e.channel}`))] as const),
    )
    return new Map(pairs)
  }
}

/**
 * Why a stream's credential no longer stands, or null. Service (OAuth2) principals have no row:
 * their JWT was verified at open and only its expiry can end it (normally the timer set at
 * admission ends the stream exactly at exp; a check that runs first ends it here).
 */
function credentialVerdict(principal: Principal, rows: Map<string, CredentialRow>, now: number): StreamEndReason | null {
  if (principal.kind === 'service') return principal.expiresAt !== undefined && principal.expiresAt <= now ? 'token_expired' : null
  const row = rows.get(principal.credentialId)
  const gone: StreamEndReason = principal.kind === 'token' ? 'token_revoked' : 'session_ended'
  if (!row) return gone
  if (row.disabledAt) return 'user_disabled'
  if (row.revokedAt) return gone
  if (row.expiresAt && row.expiresAt.getTime() <= now) return principal.kind === 'token' ? 'token_expired' : 'session_ended'
  if (row.organizationId !== principal.organizationId) return 'organization_changed'
  return null
}

function entitlementVerdict(stream: StreamHolder, entitled: Map<string, Set<string>>): StreamEndReason | null {
  const pairs = entitled.get(stream.principal.organizationId)
  const ok = isAvailable(stream.market, stream.channel) && pairs?.has(`${stream.market}/${stream.channel}`)
  return ok ? null : 'entitlement_removed'
}

const globalForGuards = globalThis as unknown as { __carbonStreamGuards?: WeakMap<Database, StreamGuard> }

/**
 * The process's guard for one database. On globalThis: the Remix build bundles its own copy of this
 * module, and streams opened through either copy must count against one cap.
 */
export function streamGuard(db: Database, env: Env, log: Logger): StreamGuard {
  const guards = (globalForGuards.__carbonStreamGuards ??= new WeakMap())
  let guard = guards.get(db)
  if (!guard) {
    guard = new StreamGuard(db, streamLimitsFromEnv(env), log)
    guards.set(db, guard)
  }
  return guard
}
