import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { deepFreeze } from '../../freeze.ts'

/**
 * Answers of the price reads (latest prices, histories) kept in memory until the prices they were
 * computed from change, so the many readers of the same hub, zone or year ask the store once.
 *
 * Validity is tracked per market and run: a version number that every write of prices of that
 * market and run increases.
 * - In this process: insertPrices bumps after its insert (the embedded platform writes every price
 *   here: the consumer, the demo load).
 * - From other processes: the web process's live fan-out sees every price published on the bus and
 *   bumps when a batch arrives, and again SETTLE_MS later, since the consumer that stores it may do
 *   so a moment after the fan-out saw it (an answer read in between is dropped by the second bump).
 * An answer is also never older than MAX_AGE_MS, for writes that reach the store by neither path.
 *
 * Callers still pass the whole gate first (authentication, entitlement, audit): this only saves the
 * store query and the computation behind it. Concurrent misses of one key share one load.
 */
const MAX_AGE_MS = 60_000
const SETTLE_MS = 5_000
/** Points (prices, history buckets) held across all answers: about 150 bytes each. */
const MAX_WEIGHT = 500_000
/** Answers heavier than this are not kept (a year of five-minute prices). */
const MAX_ENTRY_WEIGHT = 20_000

type Scope = { market: string; run: string }
type Entry = { value: unknown; weight: number; scope: string; version: number; until: number }
type CacheState = {
  versions: Map<string, number>
  entries: Map<string, Entry>
  loading: Map<string, Promise<unknown>>
  weight: number
}

const states = new WeakMap<ClickHouseHandle, CacheState>()

function stateOf(ch: ClickHouseHandle): CacheState {
  let state = states.get(ch)
  if (!state) states.set(ch, (state = { versions: new Map(), entries: new Map(), loading: new Map(), weight: 0 }))
  return state
}

const scopeKey = (scope: Scope) => `${scope.market}|${scope.run}`

/** Marks the answers about these records' markets and runs stale (prices were written or published). */
export function pricesChanged(ch: ClickHouseHandle, records: Iterable<Scope>): void {
  const state = stateOf(ch)
  const seen = new Set<string>()
  for (const record of records) seen.add(scopeKey(record))
  for (const key of seen) state.versions.set(key, (state.versions.get(key) ?? 0) + 1)
}

/** Every cached answer of this store is stale (its prices were removed). */
export function allPricesChanged(ch: ClickHouseHandle): void {
  states.delete(ch)
}

/** pricesChanged now and once more after SETTLE_MS (for a write another process makes a moment later). */
export function pricesPublished(ch: ClickHouseHandle, records: Iterable<Scope>): void {
  const scopes = new Map<string, Scope>()
  for (const record of records) scopes.set(scopeKey(record), { market: record.market, run: record.run })
  pricesChanged(ch, scopes.values())
  setTimeout(() => pricesChanged(ch, scopes.values()), SETTLE_MS).unref()
}

/**
 * The answer of `key` (the read and its normalized input) about `scope`, from memory when no price
 * of that market and run has changed since it was computed, else from `load`. `weightOf` counts the
 * answer's points (how much memory it holds).
 */
export async function cachedPriceRead<T>(ch: ClickHouseHandle, scope: Scope, key: string, load: () => Promise<T>, weightOf: (value: T) => number): Promise<T> {
  const state = stateOf(ch)
  const scoped = scopeKey(scope)
  const hit = state.entries.get(key)
  if (hit && isCurrent(state, hit)) {
    // Most recently used last: eviction takes the oldest first.
    state.entries.delete(key)
    state.entries.set(key, hit)
    return hit.value as T
  }
  if (hit) forget(state, key, hit)
  const pending = state.loading.get(key)
  if (pending) return pending as Promise<T>
  const version = state.versions.get(scoped) ?? 0
  const loading = load()
  state.loading.set(key, loading)
  try {
    const value = await loading
    remember(state, key, { value, weight: weightOf(value), scope: scoped, version, until: Date.now() + MAX_AGE_MS })
    return value
  } finally {
    state.loading.delete(key)
  }
}

function isCurrent(state: CacheState, entry: Entry): boolean {
  return entry.until > Date.now() && (state.versions.get(entry.scope) ?? 0) === entry.version
}

function remember(state: CacheState, key: string, entry: Entry): void {
  if (entry.weight > MAX_ENTRY_WEIGHT || !isCurrent(state, entry)) return
  // Every later reader gets this same object: a caller changing it in place throws instead of
  // changing everybody's answer.
  deepFreeze(entry.value)
  const old = state.entries.get(key)
  if (old) forget(state, key, old)
  state.entries.set(key, entry)
  state.weight += entry.weight
  for (const [oldest, victim] of state.entries) {
    if (state.weight <= MAX_WEIGHT) break
    forget(state, oldest, victim)
  }
}

function forget(state: CacheState, key: string, entry: Entry): void {
  state.entries.delete(key)
  state.weight -= entry.weight
}
