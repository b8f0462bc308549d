import { describe, expect, it } from 'vitest'
import { createLocalStore, verifyLocalSignature } from '../adapters/objects/index.ts'
import { localSigningSecret } from '../adapters/objects/index.ts'
import { keyFromPath } from './objects.ts'

describe('local download route helpers', () => {
  it.each([
    ['/objects/exports/org/id/254carbon-MISO-prices-DA-20260101-20260201.csv', 'exports/org/id/254carbon-MISO-prices-DA-20260101-20260201.csv'],
    ['/objects/a/b%20c/Z%C3%BCrich%20%E2%82%AC.csv', 'a/b c/Zürich €.csv'],
    ['/objects/a/%2e%2e/b', 'a/../b'],
  ])('%s -> %s', (pathname, key) => {
    expect(keyFromPath(pathname)).toBe(key)
  })

  it('refuses malformed percent-encoding', () => {
    expect(keyFromPath('/objects/a/%E0%A4%A')).toBeNull()
  })

  it('verifies what a local store signed with the derived secret, and nothing signed with another session secret', async () => {
    const secret = localSigningSecret('session-secret-of-at-least-32-characters!!')
    const store = createLocalStore({ root: '/nonexistent-never-written', signingSecret: secret, baseUrl: 'http://hub.test' })
    const url = new URL(await store.signedUrl('exports/o/j/f.csv', { expiresInSeconds: 60, filename: 'f.csv' }))
    const key = keyFromPath(url.pathname)!
    const args = [key, url.searchParams.get('expires')!, url.searchParams.get('sig')!] as const
    expect(verifyLocalSignature(...args, secret, { filename: 'f.csv' })).toBe(true)
    expect(verifyLocalSignature(...args, localSigningSecret('another-session-secret-of-32-characters!!'), { filename: 'f.csv' })).toBe(false)
    expect(verifyLocalSignature(...args, secret, { filename: 'g.csv' })).toBe(false)
  })
})
