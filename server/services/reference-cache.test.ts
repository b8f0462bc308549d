import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Database } from '../adapters/postgres/schema/index.ts'
import { createReferenceCache } from './reference-cache.ts'

// The cache only keys by the database handle's identity: any object stands for one.
const databaseA = {} as Database
const databaseB = {} as Database

function counter<T>(value: () => T) {
  let calls = 0
  return { load: async () => (calls++, value()), calls: () => calls }
}

describe('createReferenceCache', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('loads a key once while fresh and hands out one frozen value', async () => {
    const cache = createReferenceCache({ ttlMs: 10_000, maxEntries: 10 })
    const source = counter(() => ({ markets: [{ id: 'MISO' }] }))
    const [first, second] = await Promise.all([cache.get(databaseA, 'k', source.load), cache.get(databaseA, 'k', source.load)])
    expect(second).toBe(first)
    expect(source.calls()).toBe(1)
    expect(Object.isFrozen(first.markets[0])).toBe(true)
  })

  it('reads again after ttlMs, after clear, and per database', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-06T12:00:00Z') })
    const cache = createReferenceCache({ ttlMs: 10_000, maxEntries: 10 })
    const source = counter(() => ({ n: 1 }))
    await cache.get(databaseA, 'k', source.load)
    vi.setSystemTime(new Date('2026-12-06T12:00:09.999Z'))
    await cache.get(databaseA, 'k', source.load)
    expect(source.calls()).toBe(1)
    vi.setSystemTime(new Date('2026-12-06T12:00:10.001Z'))
    await cache.get(databaseA, 'k', source.load)
    expect(source.calls()).toBe(2)
    cache.clear(databaseA)
    await cache.get(databaseA, 'k', source.load)
    expect(source.calls()).toBe(3)
    await cache.get(databaseB, 'k', source.load)
    expect(source.calls()).toBe(4)
  })

  it('does not keep a failed load', async () => {
    const cache = createReferenceCache({ ttlMs: 10_000, maxEntries: 10 })
    await expect(cache.get(databaseA, 'k', async () => Promise.reject(new Error('connection refused')))).rejects.toThrow('connection refused')
    expect(await cache.get(databaseA, 'k', async () => 'loaded')).toBe('loaded')
  })

  it('starts over when full instead of growing', async () => {
    const cache = createReferenceCache({ ttlMs: 10_000, maxEntries: 2 })
    const source = counter(() => 'value')
    await cache.get(databaseA, 'a', source.load)
    await cache.get(databaseA, 'b', source.load)
    await cache.get(databaseA, 'c', source.load)
    await cache.get(databaseA, 'a', source.load)
    expect(source.calls()).toBe(4)
  })
})
