import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deriveCookieKeys, generateSigningKey, loadOrCreateSigningKeys } from './keys.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-idp-keys-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('loadOrCreateSigningKeys', () => {
  it('creates an RS256 key in a 0600 file (and its folder), then reuses it', async () => {
    const file = path.join(dir, 'nested', 'keys.json')
    const first = await loadOrCreateSigningKeys(file)
    expect(first.created).toBe(true)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(first.jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: first.kid })
    expect(first.jwks.keys[0]!.d).toBeTruthy()

    const second = await loadOrCreateSigningKeys(file)
    expect(second.created).toBe(false)
    expect(second.kid).toBe(first.kid)
    expect(second.jwks).toEqual(first.jwks)
    expect(second.cookieKeys).toEqual(first.cookieKeys)
  })

  it('gives two processes starting at once the same key', async () => {
    const file = path.join(dir, 'keys.json')
    const [a, b] = await Promise.all([loadOrCreateSigningKeys(file), loadOrCreateSigningKeys(file)])
    expect(a.kid).toBe(b.kid)
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1)
  })

  it('tightens a key file readable by others', async () => {
    const file = path.join(dir, 'keys.json')
    await loadOrCreateSigningKeys(file)
    await chmod(file, 0o644)
    await loadOrCreateSigningKeys(file)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('refuses a damaged key file without echoing its content', async () => {
    const file = path.join(dir, 'keys.json')
    await writeFile(file, JSON.stringify({ keys: [{ kty: 'RSA', d: 'SECRETVALUE' }] }), { mode: 0o600 })
    const error = await loadOrCreateSigningKeys(file).then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    expect(error?.message).toMatch(/not a valid RS256 private JWKS/)
    expect(error?.message).not.toContain('SECRETVALUE')
    expect(await readFile(file, 'utf8')).toContain('SECRETVALUE')
  })
})

describe('deriveCookieKeys', () => {
  it('is stable for a key and differs between keys', async () => {
    const [k1, k2] = await Promise.all([generateSigningKey(), generateSigningKey()])
    expect(deriveCookieKeys(k1)).toEqual(deriveCookieKeys(k1))
    expect(deriveCookieKeys(k1)[0]).not.toBe(deriveCookieKeys(k2)[0])
    expect(deriveCookieKeys(k1)[0]).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(deriveCookieKeys(k1)[0]).not.toContain(k1.d.slice(0, 16))
  })
})
