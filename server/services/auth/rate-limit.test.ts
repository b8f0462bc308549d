import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './rate-limit.ts'

function clock(start = 1_700_000_000_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('createRateLimiter', () => {
  it('allows a burst up to the capacity, then refuses with the time until one token is back', () => {
    const c = clock()
    const limiter = createRateLimiter({ perMinute: 60, now: c.now })
    for (let i = 0; i < 60; i++) expect(limiter.take('k')).toEqual({ ok: true, remaining: 59 - i })
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: 1 })
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: 1 })
  })

  it('computes Retry-After from the refill rate', () => {
    const c = clock()
    const limiter = createRateLimiter({ perMinute: 10, now: c.now }) // one token every 6 s
    for (let i = 0; i < 10; i++) expect(limiter.take('k').ok).toBe(true)
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: 6 })
    c.advance(2_000)
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: 4 })
    c.advance(3_500)
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: 1 })
    c.advance(500)
    expect(limiter.take('k')).toEqual({ ok: true, remaining: 0 })
    expect(limiter.take('k')).toEqual({ ok: false, retryAfterSeconds: 6 })
  })

  it('refills at perMinute / 60 per second, never above the capacity', () => {
    const c = clock()
    const limiter = createRateLimiter({ perMinute: 120, now: c.now }) // 2 per second
    for (let i = 0; i < 120; i++) limiter.take('k')
    expect(limiter.take('k').ok).toBe(false)
    c.advance(5_000) // 10 tokens
    for (let i = 0; i < 10; i++) expect(limiter.take('k')).toEqual({ ok: true, remaining: 9 - i })
    expect(limiter.take('k').ok).toBe(false)
    c.advance(10 * 60_000)
    expect(limiter.take('k')).toEqual({ ok: true, remaining: 119 })
  })

  it('keeps one bucket per key', () => {
    const c = clock()
    const limiter = createRateLimiter({ perMinute: 2, now: c.now })
    expect(limiter.take('a').ok).toBe(true)
    expect(limiter.take('a').ok).toBe(true)
    expect(limiter.take('a').ok).toBe(false)
    expect(limiter.take('b')).toEqual({ ok: true, remaining: 1 })
  })

  it('reset forgets one key or all', () => {
    const c = clock()
    const limiter = createRateLimiter({ perMinute: 1, now: c.now })
    limiter.take('a')
    limiter.take('b')
    expect(limiter.take('a').ok).toBe(false)
    limiter.reset('a')
    expect(limiter.take('a').ok).toBe(true)
    expect(limiter.take('b').ok).toBe(false)
    limiter.reset()
    expect(limiter.size).toBe(0)
    expect(limiter.take('b').ok).toBe(true)
  })

  it('drops buckets idle long enough to be full again', () => {
    const c = clock()
    const limiter = createRateLimiter({ perMinute: 60, now: c.now })
    for (let i = 0; i < 1000; i++) limiter.take(`ip-${i}`)
    expect(limiter.size).toBe(1000)
    c.advance(30_000)
    limiter.take('late')
    expect(limiter.size).toBe(1001) // not full yet: kept
    c.advance(30_000)
    limiter.take('later')
    expect(limiter.size).toBe(2) // the 1000 are full again and gone; 'late' is 30 s old
    // A dropped key starts again with a full bucket: nothing is lost by dropping it.
    expect(limiter.take('ip-0')).toEqual({ ok: true, remaining: 59 })
  })

  it('keeps at most maxKeys buckets, evicting the least recently used', () => {
    const c = clock()
    const limiter = createRateLimiter({ perMinute: 1, now: c.now, maxKeys: 3 })
    limiter.take('a')
    limiter.take('b')
    limiter.take('c')
    limiter.take('a') // refused, but touches 'a': 'b' is now the least recently used
    limiter.take('d')
    expect(limiter.size).toBe(3)
    expect(limiter.take('a').ok).toBe(false) // still tracked
    expect(limiter.take('c').ok).toBe(false) // still tracked
    expect(limiter.take('b').ok).toBe(true) // evicted earlier, so it starts full
  })

  it('bounds memory under a flood of distinct keys', () => {
    const c = clock()
    const limiter = createRateLimiter({ perMinute: 600, now: c.now, maxKeys: 10_000 })
    for (let i = 0; i < 50_000; i++) {
      limiter.take(`flood-${i}`)
      if (i % 1000 === 0) c.advance(1)
    }
    expect(limiter.size).toBe(10_000)
  })

  it('rejects a nonsensical configuration', () => {
    expect(() => createRateLimiter({ perMinute: 0 })).toThrow(/perMinute/)
    expect(() => createRateLimiter({ perMinute: Number.NaN })).toThrow(/perMinute/)
    expect(() => createRateLimiter({ perMinute: 10, maxKeys: 0 })).toThrow(/maxKeys/)
  })
})
