/**
 * A token-bucket rate limiter per key (a credential id, a client address): each key holds up to
 * `perMinute` tokens and regains perMinute/60 per second; a request takes one.
 *
 * PER PROCESS: every replica keeps its own buckets, so N replicas allow up to N x perMinute per
 * key in total. A deployment-wide limit belongs in the API gateway (or a Redis-backed limiter)
 * later; this one bounds what a single process serves to one caller.
 *
 * Memory is bounded: a bucket untouched long enough to be full again is indistinguishable from a
 * new one, so it is dropped (swept from the least recently used end on every call); and at most
 * `maxKeys` buckets are kept, evicting the least recently used beyond that (an evicted caller
 * starts again with a full bucket: lenient only under a flood of distinct keys).
 */

export type RateLimitResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number }

export type RateLimiter = {
  /** Takes one token for `key`: ok with what remains, or refused with the seconds until one is back. */
  take(key: string): RateLimitResult
  /** Forgets one key's bucket, or every bucket. */
  reset(key?: string): void
  /** How many buckets are held (for tests and metrics). */
  readonly size: number
}

export const DEFAULT_MAX_KEYS = 100_000

/** A bucket is also a node of the recency list (least recently used at the head). */
type Bucket = { key: string; tokens: number; updatedAt: number; prev: Bucket | null; next: Bucket | null }

export function createRateLimiter(options: { perMinute: number; now?: () => number; maxKeys?: number }): RateLimiter {
  const capacity = options.perMinute
  if (!Number.isFinite(capacity) || capacity < 1) throw new Error(`perMinute must be a number >= 1, got ${capacity}`)
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new Error(`maxKeys must be a positive integer, got ${maxKeys}`)
  const now = options.now ?? Date.now
  /** Time for an empty bucket to fill up: a bucket idle this long is full. */
  const fillMs = 60_000

  // A Map for lookup plus a doubly linked recency list: O(1) touch and eviction. (Deleting from
  // the front of a Map and iterating it again is not O(1) in V8: the deleted slots are skipped.)
  const buckets = new Map<string, Bucket>()
  let head: Bucket | null = null
  let tail: Bucket | null = null

  function unlink(b: Bucket) {
    if (b.prev) b.prev.next = b.next
    else head = b.next
    if (b.next) b.next.prev = b.prev
    else tail = b.prev
    b.prev = b.next = null
  }

  function append(b: Bucket) {
    b.prev = tail
    b.next = null
    if (tail) tail.next = b
    else head = b
    tail = b
  }

  function remove(b: Bucket) {
    unlink(b)
    buckets.delete(b.key)
  }

  return {
    take(key) {
      const at = now()
      // Sweep idle buckets from the least recently used end; stops at the first recent one.
      while (head && at - head.updatedAt >= fillMs) remove(head)

      let bucket = buckets.get(key)
      if (bucket) {
        const elapsed = Math.max(0, at - bucket.updatedAt)
        bucket.tokens = Math.min(capacity, bucket.tokens + (elapsed * capacity) / 60_000)
        unlink(bucket)
      } else {
        bucket = { key, tokens: capacity, updatedAt: at, prev: null, next: null }
        buckets.set(key, bucket)
      }
      // A refused request still counts as a touch (its refill so far is banked).
      bucket.updatedAt = at
      append(bucket)
      while (buckets.size > maxKeys && head) remove(head)

      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return { ok: true, remaining: Math.floor(bucket.tokens) }
      }
      // Seconds until a whole token is back (the epsilon absorbs floating-point dust).
      const waitMs = ((1 - bucket.tokens) * 60_000) / capacity
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000 - 1e-9)) }
    },
    reset(key) {
      if (key === undefined) {
        buckets.clear()
        head = tail = null
        return
      }
      const bucket = buckets.get(key)
      if (bucket) remove(bucket)
    },
    get size() {
      return buckets.size
    },
  }
}
