import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { resultRows, type PostgresHandle } from '../../adapters/postgres/client.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { deepFreeze } from '../../freeze.ts'
import type { Logger } from '../../logger.ts'
import { invalidateEntitlements } from './entitlements.ts'

/**
 * Verified credentials (personal access tokens, hub sessions) kept in memory for a short while, so
 * an authenticated request does not read the database to learn who is calling.
 *
 * Revocation stays immediate: every change that can take access away (a token or session revoked,
 * a user disabled or given other roles, an organization's entitlements) fires the database trigger
 * of migration 0009, which notifies `carbon_auth_changed`; each process listens and drops every
 * cached credential and entitlement at once (the writing process also drops its own directly).
 *
 * Fail-closed: a database's credentials are cached only while its change feed is known to work.
 * The feed notifies itself every PING_MS; if a ping fails, or its own ping has not come back within
 * STALE_AFTER_MS, the cache is emptied and bypassed until the feed hears again. On a PostgreSQL
 * server the listening connection can be lost: the cache is emptied and bypassed at once, and
 * emptied again when it listens again (what was announced in between was not heard). Without a
 * feed nothing is cached (a command that never started one). An entry also never outlives
 * CREDENTIAL_CACHE_TTL_MS or the credential's own expiry.
 */
export const CREDENTIAL_CACHE_TTL_MS = 30_000
const PING_MS = 2_000
const STALE_AFTER_MS = 3 * PING_MS
const MAX_ENTRIES = 50_000
export const AUTH_CHANGED_CHANNEL = 'carbon_auth_changed'

type Entry = { value: unknown; until: number }
type CacheState = {
  entries: Map<string, Entry>
  /** Bumped by every change; a load that started before a change does not store its result. */
  generation: number
  trusted(): boolean
}

const states = new WeakMap<Database, CacheState>()

/**
 * The credential of `key` (a digest of the presented secret, never the secret), from the cache or
 * from `load`. `expiresAt` is when the loaded credential stops being valid on its own (ms since
 * epoch); a null (refused) result is never cached.
 */
export async function cachedCredential<T>(db: Database, key: string, load: () => Promise<T | null>, expiresAt: (value: T) => number | null): Promise<T | null> {
  const state = states.get(db)
  if (!state?.trusted()) return load()
  const now = Date.now()
  const hit = state.entries.get(key)
  if (hit && hit.until > now) return hit.value as T
  if (hit) state.entries.delete(key)
  const generation = state.generation
  const value = await load()
  if (value === null || generation !== state.generation || !state.trusted()) return value
  const until = Math.min(now + CREDENTIAL_CACHE_TTL_MS, expiresAt(value) ?? Infinity)
  if (state.entries.size >= MAX_ENTRIES) state.entries.clear()
  // Every later request gets this same object: one that changed it in place would throw.
  deepFreeze(value)
  state.entries.set(key, { value, until })
  return value
}

/** Drops every cached credential of this database (and this process's entitlements): a change was written. */
export function invalidateCredentials(db: Database): void {
  const state = states.get(db)
  if (state) dropAll(state)
  invalidateEntitlements()
}

function dropAll(state: CacheState): void {
  state.generation++
  state.entries.clear()
}

export type AuthChangeFeed = { trusted(): boolean; stop(): Promise<void> }

/**
 * Listens to `carbon_auth_changed` on this database and makes its credentials cacheable while the
 * feed works (see the top of this file). Started by openPlatform for the process's database. Null
 * (nothing cached) when the database has no notifying triggers (a schema before migration 0009) or
 * the listener cannot start.
 */
export async function startAuthChangeFeed(handle: PostgresHandle, log: Logger): Promise<AuthChangeFeed | null> {
  const feedLog = log.child({ component: 'auth-change-feed' })
  try {
    const found = await handle.db.execute(sql`select 1 from pg_proc where proname = 'carbon_auth_changed'`)
    if (resultRows(found).length === 0) return null
    return await listenForChanges(handle, feedLog)
  } catch (error) {
    feedLog.warn({ err: error }, 'auth change feed did not start: credentials are read from the database at every request')
    return null
  }
}

async function listenForChanges(handle: PostgresHandle, feedLog: Logger): Promise<AuthChangeFeed> {
  const ping = `ping:${randomUUID()}`
  let listening = false
  let heardAt = 0
  const state: CacheState = {
    entries: new Map(),
    generation: 0,
    trusted: () => listening && Date.now() - heardAt < STALE_AFTER_MS,
  }
  states.set(handle.db, state)
  const onNotify = (payload: string) => {
    if (payload === ping) {
      heardAt = Date.now()
      return
    }
    // Another process's ping changes nothing; anything else is a table whose rows changed.
    if (!payload.startsWith('ping:')) invalidateCredentials(handle.db)
  }
  const onState = (up: boolean) => {
    listening = up
    heardAt = up ? Date.now() : 0
    dropAll(state)
  }
  const listener = await handle.listen(AUTH_CHANGED_CHANNEL, onNotify, onState).catch((error: unknown) => {
    states.delete(handle.db)
    throw error
  })
  listening = true
  heardAt = Date.now()

  let stopped = false
  const sendPing = () => {
    listener.notify(ping).catch((error: unknown) => {
      // The database does not answer: nothing it announces can be relied on now.
      heardAt = 0
      dropAll(state)
      if (!stopped) feedLog.warn({ err: error }, 'auth change feed: ping failed; credentials are read from the database until it is heard again')
    })
  }
  const timer = setInterval(sendPing, PING_MS)
  timer.unref()
  return {
    trusted: state.trusted,
    async stop() {
      stopped = true
      clearInterval(timer)
      listening = false
      dropAll(state)
      states.delete(handle.db)
      await listener.stop()
    },
  }
}
