import { describe, expect, it } from 'vitest'
import { nextNonce } from './security.ts'

describe('CSP nonces', () => {
  it('hands out 16 random bytes per response, never the same twice, across refills of the pool', () => {
    const nonces = Array.from({ length: 1_000 }, () => nextNonce())
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16)
    expect(new Set(nonces).size).toBe(nonces.length)
    // Not a counter or a slice of one pattern: the bytes differ in every position.
    const firstBytes = new Set(nonces.map((n) => Buffer.from(n, 'base64')[0]))
    expect(firstBytes.size).toBeGreaterThan(200)
  })
})
