import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import express from 'express'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_ORGANIZATIONS, DEMO_SERVICE_CLIENT, DEMO_USERS } from '../../services/auth/demo-identities.ts'
import { createDevProvider, type DevProvider } from './dev-provider.ts'
import { escapeHtml } from './pages.ts'
import { basicAuth, CookieJar, pkcePair, signInWithDevProvider } from './testing.ts'

/**
 * The development identity provider mounted the way `npm start` mounts it: Express,
 * app.use('/dev-idp', handler), on a real ephemeral port, driven over HTTP only.
 */

const CLIENT_ID = 'carbon-hub'
const CLIENT_SECRET = 'test-hub-secret.0123456789_~-'
const API_AUDIENCE = 'carbon-api'

type Mounted = { server: Server; origin: string; issuer: string; idp: DevProvider; setIdp(idp: DevProvider): void }

/** Express with the provider at /dev-idp and a stand-in hub route (which the flow never reaches). */
async function mountOnExpress(): Promise<Omit<Mounted, 'idp'> & { idp?: DevProvider }> {
  let current: DevProvider | undefined
  const app = express()
  app.disable('x-powered-by')
  app.use('/dev-idp', (req: IncomingMessage, res: ServerResponse) => current!.handler(req, res))
  app.get('/auth/callback', (_req, res) => {
    res.status(500).send('the test reads the redirect; it never follows it')
  })
  const server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    server,
    origin,
    issuer: `${origin}/dev-idp`,
    get idp() {
      return current
    },
    setIdp(idp: DevProvider) {
      current = idp
    },
  }
}

function closeServer(server: Server) {
  return new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

let dir: string
let keyFile: string
let mounted: Mounted
let redirectUri: string
let postLogoutUri: string
let discovery: Record<string, unknown> & {
  issuer: string
  authorization_endpoint: string
  token_endpoint: string
  jwks_uri: string
  userinfo_endpoint: string
  end_session_endpoint: string
}

async function startProvider(issuer: string) {
  return createDevProvider({
    issuer,
    keyFile,
    hubClient: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutUri] },
    apiAudience: API_AUDIENCE,
  })
}

async function tokenRequest(body: Record<string, string>, authorization = basicAuth(CLIENT_ID, CLIENT_SECRET)) {
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-dev-idp-'))
  keyFile = path.join(dir, 'keys', 'dev-idp.json')
  const m = await mountOnExpress()
  redirectUri = `${m.origin}/auth/callback`
  postLogoutUri = `${m.origin}/signed-out`
  m.setIdp(await startProvider(m.issuer))
  mounted = m as Mounted
  const response = await fetch(`${mounted.issuer}/.well-known/openid-configuration`)
  expect(response.status).toBe(200)
  discovery = (await response.json()) as typeof discovery
})

afterAll(async () => {
  await mounted?.idp.close()
  if (mounted) await closeServer(mounted.server)
  await rm(dir, { recursive: true, force: true })
})

describe('discovery and keys', () => {
  it('publishes the issuer with its path and every endpoint under /dev-idp', () => {
    expect(discovery.issuer).toBe(mounted.issuer)
    for (const name of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint'] as const) {
      expect(discovery[name], name).toMatch(new RegExp(`^${mounted.issuer.replaceAll('.', '\\.')}/`))
    }
    expect(discovery.code_challenge_methods_supported).toEqual(['S256'])
    expect(discovery.response_types_supported).toEqual(['code'])
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'roles', 'offline_access']))
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['roles', 'groups', 'org', 'email', 'name']))
    expect(discovery.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']))
  })

  it('keeps the signing key in a 0600 file and serves only its public part', async () => {
    const file = JSON.parse(await readFile(keyFile, 'utf8')) as { keys: { kid: string; d?: string }[] }
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Record<string, unknown>[] }
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', kid: file.keys[0]!.kid, alg: 'RS256', use: 'sig' })
    expect(jwks.keys[0]).not.toHaveProperty('d')
    expect(jwks.keys[0]).not.toHaveProperty('p')
  })

  it('serves the same kid after a restart with the same key file, and old tokens still verify', async () => {
    const before = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string }[] }
    const signIn = await signInWithDevProvider({
      authorizationEndpoint: discovery.authorization_endpoint,
      clientId: CLIENT_ID,
      redirectUri,
      username: 'caiso',
    })
    const tokens = await tokenRequest({ grant_type: 'authorization_code', code: signIn.code, redirect_uri: redirectUri, code_verifier: signIn.codeVerifier })
    expect(tokens.status).toBe(200)

    // A second process: another Express server, same key file, same issuer path.
    const second = await mountOnExpress()
    try {
      second.setIdp(await startProvider(second.issuer))
      const after = (await (await fetch(`${second.issuer}/jwks`)).json()) as { keys: { kid: string }[] }
      expect(after.keys.map((k) => k.kid)).toEqual(before.keys.map((k) => k.kid))
      const { payload } = await jwtVerify(String(tokens.json.id_token), createRemoteJWKSet(new URL(`${second.issuer}/jwks`)), {
        issuer: mounted.issuer,
        audience: CLIENT_ID,
      })
      expect(payload.sub).toBe('caiso')
    } finally {
      await second.idp?.close()
      await closeServer(second.server)
    }
  })
})

describe('authorization code + PKCE', () => {
  it('signs a demo user in and issues a verifiable id_token with roles, groups, org, email and nonce', async () => {
    const jar = new CookieJar()
    const signIn = await signInWithDevProvider({
      authorizationEndpoint: discovery.authorization_endpoint,
      clientId: CLIENT_ID,
      redirectUri,
      username: 'quant',
      jar,
    })

    // The sign-in page: self-contained, says what it is, lists every demo user.
    const page = signIn.loginPage!
    expect(page).toContain('<title>254Carbon development sign-in</title>')
    expect(page).toMatch(/development identity provider, not for production/i)
    expect(page).not.toMatch(/<script|<link|src="http|@import/i)
    expect(page.match(/<li class="card">/g)).toHaveLength(DEMO_USERS.length)
    for (const user of DEMO_USERS) {
      const org = DEMO_ORGANIZATIONS.find((o) => o.slug === user.organization)!
      expect(page).toContain(escapeHtml(user.name))
      expect(page).toContain(escapeHtml(user.email))
      expect(page).toContain(escapeHtml(org.name))
      expect(page).toContain(escapeHtml(user.description))
      expect(page).toContain(`Sign in as ${escapeHtml(user.name)}`)
      expect(page).toContain(`name="username" value="${escapeHtml(user.username)}"`)
    }

    expect(signIn.callbackUrl.origin + signIn.callbackUrl.pathname).toBe(redirectUri)
    expect(signIn.callbackUrl.searchParams.get('state')).toBe(signIn.state)
    expect(signIn.callbackUrl.searchParams.get('iss')).toBe(mounted.issuer)
    // The provider's cookies are its own, scoped to its path.
    expect(jar.names()).toEqual(expect.arrayContaining(['dev_idp_session']))
    expect(jar.header(`${mounted.origin}/`)).toBeUndefined()

    const tokens = await tokenRequest({
      grant_type: 'authorization_code',
      code: signIn.code,
      redirect_uri: redirectUri,
      code_verifier: signIn.codeVerifier,
    })
    expect(tokens.status).toBe(200)
    expect(tokens.json.token_type).toBe('Bearer')
    const { payload, protectedHeader } = await jwtVerify(String(tokens.json.id_token), createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: mounted.issuer,
      audience: CLIENT_ID,
    })
    expect(protectedHeader.alg).toBe('RS256')
    expect(payload).toMatchObject({
      sub: 'quant',
      nonce: signIn.nonce,
      email: 'quant@lakeshore-quant.dev',
      name: 'Quinn Quant',
      roles: ['analyst'],
      groups: ['pilot'],
      org: 'lakeshore-quant',
    })
    expect(payload.exp! - payload.iat!).toBe(3600)

    // The access token is for the userinfo endpoint, which returns the same claims.
    const me = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${String(tokens.json.access_token)}` } })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ sub: 'quant', org: 'lakeshore-quant', roles: ['analyst'], email: 'quant@lakeshore-quant.dev' })

    // A code is good once.
    const again = await tokenRequest({ grant_type: 'authorization_code', code: signIn.code, redirect_uri: redirectUri, code_verifier: signIn.codeVerifier })
    expect(again.status).toBe(400)
    expect(again.json.error).toBe('invalid_grant')
  })

  it('refuses a code exchanged with the wrong code_verifier', async () => {
    const signIn = await signInWithDevProvider({ authorizationEndpoint: discovery.authorization_endpoint, clientId: CLIENT_ID, redirectUri, username: 'admin' })
    const tokens = await tokenRequest({ grant_type: 'authorization_code', code: signIn.code, redirect_uri: redirectUri, code_verifier: pkcePair().codeVerifier })
    expect(tokens.status).toBe(400)
    expect(tokens.json.error).toBe('invalid_grant')
  })

  it('refuses the token exchange with a wrong client secret', async () => {
    const signIn = await signInWithDevProvider({ authorizationEndpoint: discovery.authorization_endpoint, clientId: CLIENT_ID, redirectUri, username: 'admin' })
    const tokens = await tokenRequest(
      { grant_type: 'authorization_code', code: signIn.code, redirect_uri: redirectUri, code_verifier: signIn.codeVerifier },
      basicAuth(CLIENT_ID, 'not-the-secret'),
    )
    expect(tokens.status).toBe(401)
    expect(tokens.json.error).toBe('invalid_client')
  })

  it('issues a refresh token for offline_access with prompt=consent', async () => {
    const signIn = await signInWithDevProvider({
      authorizationEndpoint: discovery.authorization_endpoint,
      clientId: CLIENT_ID,
      redirectUri,
      username: 'analyst',
      scope: 'openid email roles offline_access',
      extraParams: { prompt: 'consent' },
    })
    const tokens = await tokenRequest({ grant_type: 'authorization_code', code: signIn.code, redirect_uri: redirectUri, code_verifier: signIn.codeVerifier })
    expect(tokens.status).toBe(200)
    expect(typeof tokens.json.refresh_token).toBe('string')
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: String(tokens.json.refresh_token) })
    expect(refreshed.status).toBe(200)
    const { payload } = await jwtVerify(String(refreshed.json.id_token), createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: mounted.issuer,
      audience: CLIENT_ID,
    })
    expect(payload).toMatchObject({ sub: 'analyst', org: 'prairie-trading', roles: ['analyst'] })
  })

  it('refuses an authorization request without code_challenge', async () => {
    const url = new URL(discovery.authorization_endpoint)
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 'no-pkce',
      nonce: 'n',
    }).toString()
    const response = await fetch(url, { redirect: 'manual' })
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('location')!)
    expect(location.origin + location.pathname).toBe(redirectUri)
    expect(location.searchParams.get('error')).toBe('invalid_request')
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/)
    expect(location.searchParams.get('code')).toBeNull()
  })

  it('refuses an unknown redirect_uri with an error page and no redirect', async () => {
    const { codeChallenge } = pkcePair()
    const url = new URL(discovery.authorization_endpoint)
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: `${mounted.origin}/evil/callback`,
      scope: 'openid',
      state: 's',
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    }).toString()
    const response = await fetch(url, { redirect: 'manual' })
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    const html = await response.text()
    expect(html).toContain('invalid_redirect_uri')
    expect(html).toContain('254Carbon')
  })

  it('refuses an unknown user name on the sign-in page with a message', async () => {
    const jar = new CookieJar()
    const { codeChallenge } = pkcePair()
    const url = new URL(discovery.authorization_endpoint)
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 's',
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    }).toString()
    const authorize = await jar.fetch(url)
    expect(authorize.status).toBe(303)
    const interactionUrl = new URL(authorize.headers.get('location')!, url)
    expect(interactionUrl.pathname).toMatch(/^\/dev-idp\/interaction\/[\w-]+$/)

    const refused = await jar.fetch(`${interactionUrl.href}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=mallory%3Cb%3E',
    })
    expect(refused.status).toBe(400)
    const html = await refused.text()
    expect(html).toContain('There is no demo user named &quot;mallory&lt;b&gt;&quot;')
    expect(html).not.toContain('mallory<b>')

    // The interaction is still open: a real user name goes through.
    const accepted = await jar.fetch(`${interactionUrl.href}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=none',
    })
    expect(accepted.status).toBe(303)
    expect(new URL(accepted.headers.get('location')!, url).pathname).toMatch(/^\/dev-idp\/auth\/[\w-]+$/)
  })

  it('answers a stale interaction with an expiry page', async () => {
    const response = await fetch(`${mounted.issuer}/interaction/does-not-exist`)
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('Sign-in expired')
  })
})

describe('client credentials', () => {
  const serviceAuth = basicAuth(DEMO_SERVICE_CLIENT.clientId, DEMO_SERVICE_CLIENT.clientSecret)

  it('issues a JWT access token for the API audience with org, roles and client_id', async () => {
    const tokens = await tokenRequest({ grant_type: 'client_credentials', scope: 'read:prices' }, serviceAuth)
    expect(tokens.status).toBe(200)
    expect(tokens.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read:prices' })
    const token = String(tokens.json.access_token)
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: { kid: string }[] }
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: jwks.keys[0]!.kid })
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: mounted.issuer,
      audience: API_AUDIENCE,
    })
    expect(payload).toMatchObject({
      aud: API_AUDIENCE,
      sub: DEMO_SERVICE_CLIENT.clientId,
      client_id: DEMO_SERVICE_CLIENT.clientId,
      org: DEMO_SERVICE_CLIENT.organization,
      roles: ['service'],
      scope: 'read:prices',
    })
  })

  it('defaults the resource to the API audience when none is named', async () => {
    const tokens = await tokenRequest({ grant_type: 'client_credentials' }, serviceAuth)
    expect(tokens.status).toBe(200)
    const { payload } = await jwtVerify(String(tokens.json.access_token), createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: mounted.issuer,
      audience: API_AUDIENCE,
    })
    expect(payload.org).toBe(DEMO_SERVICE_CLIENT.organization)
  })

  it('accepts the API resource indicator named explicitly', async () => {
    expect(mounted.idp.apiResource).toBe('urn:254carbon:api:carbon-api')
    const tokens = await tokenRequest({ grant_type: 'client_credentials', resource: mounted.idp.apiResource, scope: 'read:prices' }, serviceAuth)
    expect(tokens.status).toBe(200)
    const { payload } = await jwtVerify(String(tokens.json.access_token), createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: mounted.issuer,
      audience: API_AUDIENCE,
    })
    expect(payload.roles).toEqual(['service'])
  })

  it('refuses a wrong client secret', async () => {
    const tokens = await tokenRequest({ grant_type: 'client_credentials' }, basicAuth(DEMO_SERVICE_CLIENT.clientId, 'wrong-secret'))
    expect(tokens.status).toBe(401)
    expect(tokens.json.error).toBe('invalid_client')
    expect(tokens.json.access_token).toBeUndefined()
  })

  it('refuses another resource and refuses the grant to the hub client', async () => {
    const other = await tokenRequest({ grant_type: 'client_credentials', resource: 'https://elsewhere.example' }, serviceAuth)
    expect(other.status).toBe(400)
    expect(other.json.error).toBe('invalid_target')
    const hub = await tokenRequest({ grant_type: 'client_credentials' })
    expect(hub.status).toBe(400)
    expect(hub.json.error_description).toBe('requested grant type is not allowed for this client')
    expect(hub.json.access_token).toBeUndefined()
  })
})

describe('RP-initiated logout', () => {
  it('ends the session with id_token_hint + post_logout_redirect_uri and redirects back with state', async () => {
    const jar = new CookieJar()
    const first = await signInWithDevProvider({ authorizationEndpoint: discovery.authorization_endpoint, clientId: CLIENT_ID, redirectUri, username: 'admin', jar })
    expect(first.loginPage).toBeDefined()
    const tokens = await tokenRequest({ grant_type: 'authorization_code', code: first.code, redirect_uri: redirectUri, code_verifier: first.codeVerifier })
    const idToken = String(tokens.json.id_token)

    // While the session lasts, a second sign-in skips the sign-in page.
    const second = await signInWithDevProvider({ authorizationEndpoint: discovery.authorization_endpoint, clientId: CLIENT_ID, redirectUri, username: 'admin', jar })
    expect(second.loginPage).toBeUndefined()

    const endSession = new URL(discovery.end_session_endpoint)
    endSession.search = new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: postLogoutUri, state: 'bye-123' }).toString()
    const confirm = await jar.fetch(endSession)
    expect(confirm.status).toBe(200)
    const html = await confirm.text()
    expect(html).toContain('Sign out?')
    expect(html).toContain('254Carbon hub')
    expect(html).not.toMatch(/<script|@import/i)
    const action = /<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"/.exec(html)
    const formAction = action?.[1] ?? action?.[2]
    expect(formAction).toBeDefined()
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1]
    expect(xsrf).toBeDefined()

    const done = await jar.fetch(new URL(formAction!, endSession), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }).toString(),
    })
    expect(done.status).toBe(303)
    const back = new URL(done.headers.get('location')!)
    expect(back.origin + back.pathname).toBe(postLogoutUri)
    expect(back.searchParams.get('state')).toBe('bye-123')

    // The session is gone: the next sign-in shows the sign-in page again.
    const third = await signInWithDevProvider({ authorizationEndpoint: discovery.authorization_endpoint, clientId: CLIENT_ID, redirectUri, username: 'admin', jar })
    expect(third.loginPage).toBeDefined()
  })

  it('refuses a post_logout_redirect_uri that is not registered', async () => {
    const signIn = await signInWithDevProvider({ authorizationEndpoint: discovery.authorization_endpoint, clientId: CLIENT_ID, redirectUri, username: 'none' })
    const tokens = await tokenRequest({ grant_type: 'authorization_code', code: signIn.code, redirect_uri: redirectUri, code_verifier: signIn.codeVerifier })
    const endSession = new URL(discovery.end_session_endpoint)
    endSession.search = new URLSearchParams({
      id_token_hint: String(tokens.json.id_token),
      post_logout_redirect_uri: `${mounted.origin}/elsewhere`,
    }).toString()
    const response = await fetch(endSession, { redirect: 'manual' })
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('post_logout_redirect_uri')
  })
})
