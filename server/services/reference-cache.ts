import type { Database } from '../adapters/postgres/schema/index.ts'
import { deepFreeze } from '../freeze.ts'

/**
 * Reference data that every call reads and that seldom changes (the market list, the node
 * catalogue), kept in memory per database for `ttlMs`: bench:api's profile showed these lookups,
 * one or two queries per authenticated call, among the largest costs of a cached price read.
 *
 * A write through this process drops its database's entries at once (`clear`, called by the
 * writer); a write by another process (an ingest worker's node upsert) shows here within `ttlMs`.
 * Values are deep-frozen and shared by every caller. A failed load is not kept. Past `maxEntries`
 * the database's entries are all dropped and read again (simpler than an LRU, and never reached by
 * the catalogues we serve: a few thousand nodes).
 */
export function createReferenceCache(options: { ttlMs: number; maxEntries: number }) {
  const byDatabase = new WeakMap<Database, Map<string, { until: number; value: Promise<unknown> }>>()

  function entriesOf(db: Database) {
    let entries = byDatabase.get(db)
    if (!entries) byDatabase.set(db, (entries = new Map()))
    return entries
  }

  return {
    /** The value of `key` in `db`, from memory while fresh, else from `load`. */
    get<T>(db: Database, key: string, load: () => Promise<T>): Promise<T> {
      const entries = entriesOf(db)
      const hit = entries.get(key)
      if (hit && hit.until > Date.now()) return hit.value as Promise<T>
      if (entries.size >= options.maxEntries) entries.clear()
      const value = load().then((loaded) => deepFreeze(loaded))
      entries.set(key, { until: Date.now() + options.ttlMs, value })
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key)
      })
      return value
    },
    /** Every value of `db` is read again on its next use. */
    clear(db: Database): void {
      byDatabase.delete(db)
    },
  }
}
