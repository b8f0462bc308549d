import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStandaloneProvider, type StandaloneProvider } from '../../adapters/identity/standalone.ts'
import { CookieJar, loginFormAction } from '../../adapters/identity/testing.ts'
import {
  finishLogin,
  flowCookieName,
  LoginError,
  logoutUrl,
  readCookie,
  safeReturnTo,
  serializeCookie,
  startLogin,
  verifyIdToken,
  type OidcSettings,
} from './oidc.ts'

// ---------- verifyIdToken against a JWKS served by a tiny local HTTP server ----------

type Signer = { alg: string; kid: string; privateKey: CryptoKey; publicJwk: JWK }

async function signer(alg: 'RS256' | 'PS256' | 'ES256', kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

const ISSUER = 'https://login.example.test/realms/carbon'
const AUDIENCE = 'carbon-hub'
const NONCE = 'n-0S6_WzA2Mj-this-is-a-nonce'

let jwksServer: Server
let jwksUri: string
let rs: Signer
let ps: Signer
let es: Signer
let stranger: Signer

async function idToken(
  key: Signer,
  claims: Record<string, unknown> = {},
  options: { issuer?: string; audience?: string | string[]; expiresIn?: string | number; alg?: string } = {},
) {
  const jwt = new SignJWT({ nonce: NONCE, email: 'alan@example.test', ...claims })
    .setProtectedHeader({ alg: options.alg ?? key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject('alan')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
  return jwt.sign(key.privateKey)
}

const verify = (token: string, nonce = NONCE) => verifyIdToken(token, { issuer: ISSUER, audience: AUDIENCE, nonce, jwksUri })

async function rejection(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(LoginError)
  return error as LoginError
}

beforeAll(async () => {
  ;[rs, ps, es, stranger] = await Promise.all([signer('RS256', 'rs-1'), signer('PS256', 'ps-1'), signer('ES256', 'es-1'), signer('RS256', 'rs-stranger')])
  const body = JSON.stringify({ keys: [rs.publicJwk, ps.publicJwk, es.publicJwk] })
  jwksServer = createServer((req, res) => {
    if (req.url === '/jwks') res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve))
  jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`
})

afterAll(async () => {
  await new Promise((resolve) => jwksServer?.close(resolve))
})

describe('verifyIdToken', () => {
  it('accepts RS256, PS256 and ES256 tokens from the JWKS with the right issuer, audience and nonce', async () => {
    for (const key of [rs, ps, es]) {
      const claims = await verify(await idToken(key, { roles: ['analyst'] }))
      expect(claims.sub).toBe('alan')
      expect(claims.iss).toBe(ISSUER)
      expect(claims.roles).toEqual(['analyst'])
    }
  })

  it('rejects a nonce that is not this sign-in’s, and a token without nonce', async () => {
    const token = await idToken(rs)
    expect((await rejection(verify(token, 'another-nonce-of-another-login'))).code).toBe('nonce')
    expect((await rejection(verify(await idToken(rs, { nonce: undefined })))).code).toBe('nonce')
  })

  it('rejects another audience', async () => {
    const error = await rejection(verify(await idToken(rs, {}, { audience: 'some-other-client' })))
    expect(error.code).toBe('id_token')
    expect(error.message).toMatch(/aud/)
  })

  it('rejects another issuer', async () => {
    const error = await rejection(verify(await idToken(rs, {}, { issuer: 'https://evil.example.test' })))
    expect(error.code).toBe('id_token')
    expect(error.message).toMatch(/iss/)
  })

  it('rejects an expired token (beyond the 30 s clock tolerance)', async () => {
    const past = Math.floor(Date.now() / 1000) - 120
    const error = await rejection(verify(await idToken(rs, {}, { expiresIn: past })))
    expect(error.code).toBe('id_token')
    expect(error.message).toMatch(/exp/)
  })

  it('rejects an unsigned token (alg none)', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const now = Math.floor(Date.now() / 1000)
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: ISSUER, aud: AUDIENCE, sub: 'alan', nonce: NONCE, iat: now, exp: now + 300 })}.`
    expect((await rejection(verify(unsigned))).code).toBe('id_token')
  })

  it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(rs.publicJwk))
    const now = Math.floor(Date.now() / 1000)
    const forged = await new SignJWT({ nonce: NONCE })
      .setProtectedHeader({ alg: 'HS256', kid: rs.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('alan')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(secret)
    const error = await rejection(verify(forged))
    expect(error.code).toBe('id_token')
    expect(error.message).toMatch(/alg/i)
  })

  it('rejects a token signed by a key the provider does not publish', async () => {
    expect((await rejection(verify(await idToken(stranger))).then((e) => e.code))).toBe('id_token')
  })

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await idToken(rs)).split('.')
    const payload = Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'admin', nonce: NONCE, iat: 1, exp: 9_999_999_999 })).toString('base64url')
    expect((await rejection(verify(`${header}.${payload}.${signature}`))).code).toBe('id_token')
  })

  it('checks azp: several audiences need azp = this client', async () => {
    const both = [AUDIENCE, 'carbon-api']
    expect((await rejection(verify(await idToken(rs, {}, { audience: both })))).message).toMatch(/azp/)
    expect((await rejection(verify(await idToken(rs, { azp: 'carbon-api' }, { audience: both })))).message).toMatch(/azp/)
    expect((await verify(await idToken(rs, { azp: AUDIENCE }, { audience: both }))).sub).toBe('alan')
  })

  it('requires sub', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({ nonce: NONCE })
      .setProtectedHeader({ alg: 'RS256', kid: rs.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(rs.privateKey)
    expect((await rejection(verify(token))).message).toMatch(/sub/)
  })
})

describe('safeReturnTo', () => {
  it.each([
    ['/markets/MISO', '/markets/MISO'],
    ['/nodes?q=HUB&page=2', '/nodes?q=HUB&page=2'],
    ['/markets/MISO#top', '/markets/MISO#top'],
    ['/a/../b', '/b'],
  ])('keeps the same-origin path %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected)
  })

  it.each([
    ['//evil.example'],
    ['//evil.example/path'],
    ['/\\evil.example'],
    ['/\\/evil.example'],
    // Dot segments resolved into a protocol-relative path (issue 11, item 12).
    ['/.//evil.example'],
    ['/foo/..//evil.example'],
    ['/foo/../..//evil.example/x?y=1'],
    ['/a/b/../..//evil.example'],
    ['/%2e//evil.example'],
    ['/%2E%2E//evil.example'],
    ['/.\\/evil.example'],
    ['/foo/..\\/evil.example'],
    [decodeURIComponent('%2F.%2F%2Fevil.example')],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['evil.example'],
    ['/ok\r\nSet-Cookie: x=1'],
    ['/\tevil'],
    [''],
    [null],
    [42],
    [`/${'a'.repeat(2000)}`],
  ])('refuses %j', (input) => {
    expect(safeReturnTo(input)).toBe('/')
  })
})

describe('cookies', () => {
  it('serializes httpOnly SameSite=Lax cookies, Secure when asked, and clears with Max-Age=0', () => {
    expect(serializeCookie('a', 'b', { maxAgeSeconds: 60, secure: false })).toBe('a=b; Path=/; Max-Age=60; HttpOnly; SameSite=Lax')
    expect(serializeCookie('__Host-a', 'b', { maxAgeSeconds: 60, secure: true })).toBe('__Host-a=b; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure')
    expect(serializeCookie('a', '', { maxAgeSeconds: 0, secure: false })).toMatch(/^a=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970/)
  })

  it('reads one cookie by exact name', () => {
    const request = new Request('http://x/', { headers: { Cookie: 'carbon_login_x=1; carbon_login=2;other=3' } })
    expect(readCookie(request, 'carbon_login')).toBe('2')
    expect(readCookie(request, 'other')).toBe('3')
    expect(readCookie(request, 'missing')).toBeNull()
  })
})

// ---------- the whole flow against a real oidc-provider (the standalone development provider) ----------

describe('startLogin / finishLogin against oidc-provider', () => {
  const redirectUri = 'http://127.0.0.1:9/auth/callback'
  const postLogoutUri = 'http://127.0.0.1:9/'
  const clientSecret = `test-secret-${randomBytes(8).toString('hex')}`
  let provider: StandaloneProvider
  let settings: OidcSettings
  let dir: string

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-oidc-test-'))
    provider = await startStandaloneProvider({
      port: 0,
      keyFile: path.join(dir, 'key.json'),
      clientSecret,
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [postLogoutUri],
    })
    settings = {
      issuer: provider.issuer,
      clientId: 'carbon-hub',
      clientSecret,
      scopes: ['openid', 'profile', 'email', 'roles'],
      redirectUri,
      postLogoutRedirectUri: postLogoutUri,
      secureCookies: false,
      sessionSecret: randomBytes(32).toString('base64url'),
    }
  }, 60_000)

  afterAll(async () => {
    await provider?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  /** The browser's side of startLogin: the provider URL and the flow cookie (name=value). */
  async function start(returnTo = '/markets/MISO', options: OidcSettings = settings) {
    const response = await startLogin(options, returnTo)
    expect(response.status).toBe(302)
    const setCookies = response.headers.getSetCookie()
    expect(setCookies).toHaveLength(1)
    const [setCookie] = setCookies as [string]
    const cookie = setCookie.split(';', 1)[0]!
    return { authorizeUrl: new URL(response.headers.get('Location')!), setCookie, cookie }
  }

  /** Walks the provider: sign-in page -> "Sign in as <user>" -> back to the redirect URI. */
  async function atProvider(authorizeUrl: URL, username = 'analyst', jar = new CookieJar()) {
    let next: { url: URL; init?: RequestInit } = { url: authorizeUrl }
    for (let hop = 0; hop < 12; hop++) {
      const response = await jar.fetch(next.url, next.init)
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        const target = new URL(location, next.url)
        if (target.href.startsWith(redirectUri)) return { callbackUrl: target, jar }
        next = { url: target }
        continue
      }
      const html = await response.text()
      const action = loginFormAction(html, username)
      if (!action) throw new Error(`no sign-in form for ${username} (HTTP ${response.status})`)
      next = {
        url: new URL(action, next.url),
        init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username }).toString() },
      }
    }
    throw new Error('too many redirects')
  }

  const callback = (url: URL | string, cookie?: string) => new Request(url, cookie ? { headers: { Cookie: cookie } } : {})

  it('sends code + S256 PKCE + state + nonce and keeps them only in a sealed httpOnly SameSite=Lax cookie', async () => {
    const { authorizeUrl, setCookie, cookie } = await start()
    expect(authorizeUrl.origin + authorizeUrl.pathname).toMatch(new RegExp(`^${provider.issuer}/`))
    const q = authorizeUrl.searchParams
    expect(q.get('response_type')).toBe('code')
    expect(q.get('client_id')).toBe('carbon-hub')
    expect(q.get('redirect_uri')).toBe(redirectUri)
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q.get('scope')).toBe('openid profile email roles')
    const state = q.get('state')!
    const nonce = q.get('nonce')!
    expect(state.length).toBeGreaterThanOrEqual(32)
    expect(nonce.length).toBeGreaterThanOrEqual(32)
    // Exactly one cookie: the flow cookie, named after the state; the strategy's plain oauth2 cookie never leaves.
    expect(setCookie).toMatch(new RegExp(`^${flowCookieName(settings, state)}=`))
    expect(setCookie).toMatch(/; HttpOnly/)
    expect(setCookie).toMatch(/; SameSite=Lax/)
    expect(setCookie).toMatch(/; Max-Age=600/)
    expect(setCookie).not.toMatch(/Secure/)
    // Sealed: neither state, nonce nor verifier can be read from it.
    const value = cookie.slice(cookie.indexOf('=') + 1)
    expect(value.split('.')).toHaveLength(5)
    expect(value).not.toContain(state)
    expect(value).not.toContain(nonce)
  })

  it('signs in: the id_token is verified and carries this flow’s nonce; returnTo comes back; the cookie is cleared', async () => {
    const { authorizeUrl, cookie } = await start('/nodes?q=HUB')
    const { callbackUrl } = await atProvider(authorizeUrl, 'analyst')
    expect(callbackUrl.searchParams.get('iss')).toBe(provider.issuer)
    const result = await finishLogin(settings, callback(callbackUrl, cookie))
    if (!result.ok) throw new Error(`sign-in failed: ${result.code} ${result.reason}`)
    expect(result.claims.sub).toBe('analyst')
    expect(result.claims.nonce).toBe(authorizeUrl.searchParams.get('nonce'))
    expect(result.claims.aud).toBe('carbon-hub')
    expect(result.claims.roles).toEqual(['analyst'])
    expect(result.claims.org).toBe('prairie-trading')
    expect(result.idToken.split('.')).toHaveLength(3)
    expect(result.returnTo).toBe('/nodes?q=HUB')
    expect(result.setCookie).toMatch(new RegExp(`^${cookie.split('=')[0]}=; Path=/; Max-Age=0`))
  })

  it('refuses a replayed callback: without the cleared cookie (state) and even with it (the code is spent)', async () => {
    const { authorizeUrl, cookie } = await start()
    const { callbackUrl } = await atProvider(authorizeUrl)
    expect((await finishLogin(settings, callback(callbackUrl, cookie))).ok).toBe(true)
    const withoutCookie = await finishLogin(settings, callback(callbackUrl))
    expect(withoutCookie).toMatchObject({ ok: false, code: 'state' })
    const withOldCookie = await finishLogin(settings, callback(callbackUrl, cookie))
    expect(withOldCookie).toMatchObject({ ok: false, code: 'exchange' })
  })

  it('refuses a wrong state, a forged or tampered cookie and another flow’s cookie', async () => {
    const a = await start()
    const b = await start()
    const { callbackUrl } = await atProvider(a.authorizeUrl)

    const wrongState = new URL(callbackUrl)
    wrongState.searchParams.set('state', 'x'.repeat(43))
    expect(await finishLogin(settings, callback(wrongState, a.cookie))).toMatchObject({ ok: false, code: 'state' })

    // b's sealed cookie under a's name: sealed for another state.
    const aName = a.cookie.split('=')[0]!
    const bValue = b.cookie.slice(b.cookie.indexOf('=') + 1)
    expect(await finishLogin(settings, callback(callbackUrl, `${aName}=${bValue}`))).toMatchObject({ ok: false, code: 'state' })

    // One flipped character in the ciphertext.
    const value = a.cookie.slice(a.cookie.indexOf('=') + 1)
    const i = value.lastIndexOf('.') - 5
    const flipped = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1)
    expect(await finishLogin(settings, callback(callbackUrl, `${aName}=${flipped}`))).toMatchObject({ ok: false, code: 'state' })

    // A cookie sealed with another secret (another deployment).
    const other = { ...settings, sessionSecret: randomBytes(32).toString('base64url') }
    const foreign = await start('/', other)
    const foreignCallback = await atProvider(foreign.authorizeUrl)
    expect(await finishLogin(settings, callback(foreignCallback.callbackUrl, foreign.cookie))).toMatchObject({ ok: false, code: 'state' })

    // A plain strategy cookie planted in the browser is ignored.
    expect(await finishLogin(settings, callback(callbackUrl, `oauth2=state=${a.authorizeUrl.searchParams.get('state')}`))).toMatchObject({
      ok: false,
      code: 'state',
    })

    // The untouched flow still works.
    expect((await finishLogin(settings, callback(callbackUrl, a.cookie))).ok).toBe(true)
  })

  it('refuses an id_token whose nonce is not the one of this sign-in (nonce swapped on the way to the provider)', async () => {
    const { authorizeUrl, cookie } = await start()
    const swapped = new URL(authorizeUrl)
    swapped.searchParams.set('nonce', randomBytes(32).toString('base64url'))
    const { callbackUrl } = await atProvider(swapped)
    expect(await finishLogin(settings, callback(callbackUrl, cookie))).toMatchObject({ ok: false, code: 'nonce' })
  })

  it('reports a provider error (access_denied) and an authorization response from another issuer', async () => {
    const { authorizeUrl, cookie } = await start()
    const state = authorizeUrl.searchParams.get('state')!
    const denied = new URL(`${redirectUri}?error=access_denied&state=${state}&iss=${encodeURIComponent(provider.issuer)}`)
    expect(await finishLogin(settings, callback(denied, cookie))).toMatchObject({ ok: false, code: 'denied' })
    const mixUp = new URL(`${redirectUri}?code=abc&state=${state}&iss=${encodeURIComponent('https://evil.example')}`)
    expect(await finishLogin(settings, callback(mixUp, cookie))).toMatchObject({ ok: false, code: 'provider' })
  })

  it('uses the __Host- prefix and Secure when cookies are secure', async () => {
    const secure = { ...settings, secureCookies: true }
    const { setCookie, authorizeUrl } = await start('/', secure)
    expect(setCookie).toMatch(/^__Host-carbon_login_[A-Za-z0-9_-]{16}=/)
    expect(setCookie).toMatch(/; Path=\/;/)
    expect(setCookie).toMatch(/; Secure$/)
    expect(flowCookieName(secure, authorizeUrl.searchParams.get('state')!)).toBe(setCookie.split('=')[0])
  })

  it('builds the RP-initiated logout URL from the discovered end_session_endpoint', async () => {
    const url = new URL((await logoutUrl(settings, 'header.payload.signature'))!)
    expect(url.href.startsWith(`${provider.issuer}/`)).toBe(true)
    expect(url.searchParams.get('id_token_hint')).toBe('header.payload.signature')
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(postLogoutUri)
    expect(url.searchParams.get('client_id')).toBe('carbon-hub')
    expect(new URL((await logoutUrl(settings, null))!).searchParams.has('id_token_hint')).toBe(false)
  })

  it('fails to start with UNAVAILABLE when the provider cannot be reached', async () => {
    const nowhere = { ...settings, issuer: 'http://127.0.0.1:9/unreachable' }
    await expect(startLogin(nowhere, '/')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})
