import { sql } from 'drizzle-orm'
import { TOPICS } from '../../adapters/bus/index.ts'
import type { Platform } from '../../platform.ts'

/**
 * Readiness: whether each store this process needs answers now. Every store is asked in
 * parallel and given `timeoutMs`; an answer carries no data, only whether it answered, how long
 * it took and, when it did not, a short reason without secrets (no URL, no credentials).
 */

export type StoreName = 'postgres' | 'clickhouse' | 'bus' | 'objects'
export type StoreState = { ok: true; ms: number } | { ok: false; ms: number; error: string }
export type Readiness = { ok: boolean } & Record<StoreName, StoreState>

export const READY_TIMEOUT_MS = 2_000
/** A key no one writes: asking for it proves the object store answers, without reading data. */
const PROBE_KEY = 'health/readyz-probe'
/** A consumer group no one joins: its lag proves the bus answers. */
const PROBE_GROUP = 'carbon-readyz'

export type StoreProbe = () => Promise<unknown>

/** The probe of each store of a platform: the cheapest call that needs the store to answer. */
export function platformProbes(platform: Pick<Platform, 'pg' | 'ch' | 'bus' | 'objects'>): Record<StoreName, StoreProbe> {
  return {
    postgres: () => platform.pg.db.execute(sql`select 1`),
    clickhouse: async () => {
      const result = await platform.ch.client.query({ query: 'SELECT 1', format: 'JSONEachRow' })
      await result.json()
    },
    bus: async () => {
      // The bus adapters answer null when the cluster cannot be asked (and log why).
      const lag = await platform.bus.lag(TOPICS.pricesNormalized, PROBE_GROUP)
      if (lag === null) throw new Error('the bus did not report offsets')
    },
    objects: () => platform.objects.head(PROBE_KEY),
  }
}

/** A reason fit for an unauthenticated answer: the error's class and code, never its message (it may quote a URL). */
export function describeFailure(error: unknown): string {
  if (error instanceof TimeoutError) return error.message
  // Drivers' errors come wrapped (drizzle's DrizzleQueryError, AppError): the innermost code says most.
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code
  }
  return error instanceof Error ? error.name : 'failed'
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'TimeoutError'
  }
}

async function probe(check: StoreProbe, timeoutMs: number): Promise<StoreState> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(timeoutMs)), timeoutMs)
  })
  try {
    await Promise.race([Promise.resolve().then(check), timeout])
    return { ok: true, ms: Math.round(performance.now() - started) }
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: describeFailure(error) }
  } finally {
    clearTimeout(timer)
  }
}

/** Asks every store at once; ready when all answered within `timeoutMs`. */
export async function checkReadiness(probes: Record<StoreName, StoreProbe>, options: { timeoutMs?: number } = {}): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? READY_TIMEOUT_MS
  const names = Object.keys(probes) as StoreName[]
  const states = await Promise.all(names.map((name) => probe(probes[name], timeoutMs)))
  const stores = Object.fromEntries(names.map((name, i) => [name, states[i]!])) as Record<StoreName, StoreState>
  return { ok: states.every((s) => s.ok), ...stores }
}

/** Error codes of a store that cannot be reached right now (Node sockets, postgres.js, PostgreSQL SQLSTATE classes 08 and 57P). */
const UNAVAILABLE_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|CONNECT_TIMEOUT|CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|08\w{3}|57P0[1-3])$/

/**
 * Whether an error (or one of its causes) says a store could not be reached: such a failure is a
 * 503 (retry later), not a 500 (a bug).
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && UNAVAILABLE_CODES.test(code)) return true
    if ((e as { name?: unknown }).name === 'AppError' && code === 'UNAVAILABLE') return true
  }
  return false
}
