import { createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { createRemoteJWKSet, EncryptJWT, jwtDecrypt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { Authenticator } from 'remix-auth'
import { CodeChallengeMethod, OAuth2Strategy } from 'remix-auth-oauth2'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import type { AuthConfig } from './config.ts'

/**
 * Hub sign-in with OpenID Connect: authorization code + PKCE (S256) + state + nonce.
 *
 * remix-auth-oauth2's strategy (created with `OAuth2Strategy.discover`) builds the authorization
 * URL, generates state and the PKCE verifier, checks the returned state and exchanges the code.
 * What it does not do, this module does:
 * - a `nonce` authorization parameter (added by `OidcStrategy.authorizationParams`) checked
 *   against the id_token;
 * - id_token verification with jose (signature from the provider's JWKS, issuer, audience, expiry,
 *   algorithms RS256/PS256/ES256, azp, nonce);
 * - sealed flow cookies: the strategy's own cookie is plain text that anyone able to plant a
 *   cookie could forge, so it never reaches the browser. Its state and verifier travel, with the
 *   nonce and the page to return to, in one short-lived httpOnly SameSite=Lax cookie encrypted
 *   and authenticated with a key derived from SESSION_SECRET (JWE dir + A256GCM). On the callback
 *   the cookie is opened and the strategy is handed only that verified state and verifier.
 *   The cookie's name is derived from its state, so parallel tabs each keep their own flow, and
 *   it is cleared by the callback, so a replayed callback URL finds nothing;
 * - RP-initiated logout (the discovered `end_session_endpoint`).
 * The discovery document, the strategy and the JWKS are cached per process.
 */

/** What this module needs from the auth configuration. */
export type OidcSettings = Pick<
  AuthConfig,
  'issuer' | 'clientId' | 'clientSecret' | 'scopes' | 'redirectUri' | 'postLogoutRedirectUri' | 'secureCookies' | 'sessionSecret'
>

/** Signature algorithms accepted on id_tokens; `none` and HMAC are never accepted. */
export const ID_TOKEN_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const

/** How long a started sign-in may take before its flow cookie expires. */
export const LOGIN_FLOW_TTL_SECONDS = 600

/** Short codes a failed sign-in reports (`/auth/login?error=<code>`). */
export const LOGIN_ERROR_CODES = [
  'state',
  'denied',
  'provider',
  'exchange',
  'id_token',
  'nonce',
  'unavailable',
  'disabled',
  'session',
] as const
export type LoginErrorCode = (typeof LOGIN_ERROR_CODES)[number]

/** A sign-in failure with its short code; `message` names the reason and never holds a token. */
export class LoginError extends Error {
  constructor(
    readonly code: LoginErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'LoginError'
  }
}

export type IdTokenClaims = JWTPayload & { sub: string; iss: string; exp: number; iat: number }

export type LoginResult =
  | {
      ok: true
      claims: IdTokenClaims
      /** Kept with the session only as the `id_token_hint` of RP-initiated logout. Never log it. */
      idToken: string
      returnTo: string
      /** Clears the flow cookie. */
      setCookie: string
    }
  | { ok: false; code: LoginErrorCode; reason: string; setCookie: string | null }

const DiscoveryDocument = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  end_session_endpoint: z.url().optional(),
})
export type DiscoveryDocument = z.infer<typeof DiscoveryDocument>

/** What the strategy's verify function hands back: only the id_token (the hub calls no provider API). */
type TokenSet = { idToken: string | null }

const STRATEGY = 'oidc'
/** Only ever the name of the synthetic cookie handed to the strategy; never set in a browser. */
const STRATEGY_COOKIE = 'oauth2'

/** remix-auth-oauth2's strategy plus the OpenID Connect `nonce` (the strategy sends none itself). */
export class OidcStrategy<User> extends OAuth2Strategy<User> {
  name = STRATEGY

  protected override authorizationParams(params: URLSearchParams, request: Request): URLSearchParams {
    const result = super.authorizationParams(params, request)
    result.set('nonce', randomToken())
    return result
  }
}

type OidcClient = {
  discovery: DiscoveryDocument
  authenticator: Authenticator<TokenSet>
}

const globalCache = globalThis as unknown as { __carbonOidcClients?: Map<string, Promise<OidcClient>> }
const clients = (globalCache.__carbonOidcClients ??= new Map())
const jwksByUri = new Map<string, JWTVerifyGetKey>()

function randomToken(): string {
  return randomBytes(32).toString('base64url')
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** Constant-time string comparison (over equal-length digests). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b))
}

/**
 * A same-origin relative path to go back to after sign-in, or `/`: only `/x...`, never a
 * protocol-relative `//host`, a backslash trick `/\host`, an absolute URL or control characters.
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) return fallback
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback
  // The browser resolves what we send: make sure it stays on our origin.
  const base = 'http://hub.invalid'
  let resolved: URL
  try {
    resolved = new URL(value, base)
  } catch {
    return fallback
  }
  if (resolved.origin !== base) return fallback
  // Dot segments are resolved above: '/./\/evil.example' and '/foo/..//evil.example' become
  // '//evil.example', which a browser reads as another host. Only a single leading '/' is ours.
  if (!/^\/(?![/\\])/.test(resolved.pathname)) return fallback
  return `${resolved.pathname}${resolved.search}${resolved.hash}`
}

/** Fetches and checks the provider's discovery document (its `issuer` must be the configured one). */
export async function fetchDiscovery(issuer: string): Promise<DiscoveryDocument> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  let response: Response
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(10_000) })
  } catch (error) {
    throw new AppError('UNAVAILABLE', `OpenID Connect discovery failed at ${url}`, {
      userMessage: 'The identity provider cannot be reached',
      cause: error,
    })
  }
  if (!response.ok) {
    throw new AppError('UNAVAILABLE', `OpenID Connect discovery at ${url} answered ${response.status}`, {
      userMessage: 'The identity provider cannot be reached',
    })
  }
  const parsed = DiscoveryDocument.safeParse(await response.json().catch(() => null))
  if (!parsed.success) throw new AppError('UNAVAILABLE', `OpenID Connect discovery at ${url} is not a valid document`)
  if (parsed.data.issuer !== issuer) {
    throw new AppError('UNAVAILABLE', `OpenID Connect discovery at ${url} names issuer ${parsed.data.issuer}, expected ${issuer}`)
  }
  return parsed.data
}

async function loadClient(settings: OidcSettings): Promise<OidcClient> {
  const [discovery, strategy] = await Promise.all([
    fetchDiscovery(settings.issuer),
    OidcStrategy.discover<TokenSet, OidcStrategy<TokenSet>>(
      settings.issuer,
      {
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        redirectURI: settings.redirectUri,
        scopes: settings.scopes,
        codeChallengeMethod: CodeChallengeMethod.S256,
        cookie: STRATEGY_COOKIE,
      },
      async ({ tokens }) => {
        try {
          return { idToken: tokens.idToken() }
        } catch {
          return { idToken: null }
        }
      },
    ).catch((error: unknown) => {
      throw new AppError('UNAVAILABLE', `OpenID Connect discovery failed for ${settings.issuer}`, { cause: error })
    }),
  ])
  return { discovery, authenticator: new Authenticator<TokenSet>().use(strategy, STRATEGY) }
}

/** The provider's discovery document and the strategy, fetched once per process (retried after a failure). */
function oidcClient(settings: OidcSettings): Promise<OidcClient> {
  const key = sha256(
    [settings.issuer, settings.clientId, settings.clientSecret, settings.redirectUri, settings.scopes.join(' ')].join('\n'),
  ).toString('base64url')
  let client = clients.get(key)
  if (!client) {
    client = loadClient(settings).catch((error: unknown) => {
      clients.delete(key)
      throw error
    })
    clients.set(key, client)
  }
  return client
}

/** The discovered provider metadata (cached per process). */
export async function discover(settings: OidcSettings): Promise<DiscoveryDocument> {
  return (await oidcClient(settings)).discovery
}

function remoteJwks(uri: string | URL): JWTVerifyGetKey {
  const key = uri.toString()
  let jwks = jwksByUri.get(key)
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(key), { timeoutDuration: 10_000, cooldownDuration: 30_000 })
    jwksByUri.set(key, jwks)
  }
  return jwks
}

/**
 * Verifies an id_token: signature against the provider's JWKS (RS256, PS256 or ES256 only),
 * `iss`, `aud` (and `azp` when present or when there are several audiences), `exp`, `iat`, `sub`
 * and the `nonce` sent with this sign-in. Throws LoginError 'nonce' or 'id_token'.
 */
export async function verifyIdToken(
  idToken: string,
  options: { issuer: string; audience: string; nonce: string; jwksUri: string | URL; clockToleranceSeconds?: number },
): Promise<IdTokenClaims> {
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(idToken, remoteJwks(options.jwksUri), {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: [...ID_TOKEN_ALGORITHMS],
      requiredClaims: ['sub', 'iat', 'exp'],
      clockTolerance: options.clockToleranceSeconds ?? 30,
    }))
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'
    throw new LoginError('id_token', `id_token rejected (${detail})`, { cause: error })
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== options.audience) {
    throw new LoginError('id_token', 'id_token rejected (azp is not this client)')
  }
  if (typeof payload.nonce !== 'string' || !safeEqual(payload.nonce, options.nonce)) {
    throw new LoginError('nonce', 'id_token rejected (nonce does not match this sign-in)')
  }
  return payload as IdTokenClaims
}

// ---------- flow cookies ----------

const FlowPayload = z.object({ state: z.string().min(16), verifier: z.string().min(43), nonce: z.string().min(16), returnTo: z.string() })
type FlowPayload = z.infer<typeof FlowPayload>
const FLOW_AUDIENCE = 'carbon-hub-login'

function flowKey(settings: OidcSettings): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', settings.sessionSecret, 'carbon-oidc-flow', 'state nonce pkce cookie', 32))
}

/** The flow cookie's name: one per started sign-in, found again from the callback's `state`. */
export function flowCookieName(settings: Pick<OidcSettings, 'secureCookies'>, state: string): string {
  return `${settings.secureCookies ? '__Host-' : ''}carbon_login_${sha256(state).toString('base64url').slice(0, 16)}`
}

/** A Set-Cookie value: httpOnly, SameSite=Lax, Path=/, Secure when asked (required by `__Host-`). */
export function serializeCookie(name: string, value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  const parts = [`${name}=${value}`, 'Path=/', `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`]
  if (options.maxAgeSeconds <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT')
  parts.push('HttpOnly', 'SameSite=Lax')
  if (options.secure) parts.push('Secure')
  return parts.join('; ')
}

/** One cookie's value from a request, or null. */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get('Cookie')
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return null
}

async function sealFlow(settings: OidcSettings, payload: FlowPayload): Promise<string> {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setAudience(FLOW_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LOGIN_FLOW_TTL_SECONDS}s`)
    .encrypt(flowKey(settings))
}

async function openFlow(settings: OidcSettings, sealed: string): Promise<FlowPayload | null> {
  try {
    const { payload } = await jwtDecrypt(sealed, flowKey(settings), {
      audience: FLOW_AUDIENCE,
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
      requiredClaims: ['exp'],
    })
    const parsed = FlowPayload.safeParse(payload)
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** The state and PKCE verifier out of the strategy's own (never sent) Set-Cookie header. */
function strategyFlow(setCookie: string | null): { state: string; verifier: string } | null {
  if (!setCookie) return null
  const pair = setCookie.split(';', 1)[0] ?? ''
  const eq = pair.indexOf('=')
  if (eq < 0) return null
  let value = pair.slice(eq + 1).trim()
  if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1')
  const params = new URLSearchParams(value)
  const state = params.get('state')
  const verifier = state ? params.get(state) : null
  return state && verifier ? { state, verifier } : null
}

// ---------- the flow ----------

/**
 * Starts a sign-in: a 302 to the provider's authorization endpoint (code, S256 PKCE, state,
 * nonce) that sets the sealed flow cookie. Throws AppError UNAVAILABLE when discovery fails.
 */
export async function startLogin(settings: OidcSettings, returnTo: string): Promise<Response> {
  const client = await oidcClient(settings)
  let redirect: Response | null = null
  try {
    // No state and no cookies: the strategy's "send the user to the provider" branch.
    await client.authenticator.authenticate(STRATEGY, new Request(settings.redirectUri))
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown
    redirect = thrown
  }
  const location = redirect?.headers.get('Location')
  if (!redirect || !location) throw new AppError('INTERNAL', 'the OAuth2 strategy did not redirect to the provider')
  const url = new URL(location)
  const flow = strategyFlow(redirect.headers.get('Set-Cookie'))
  const nonce = url.searchParams.get('nonce')
  if (!flow || !nonce || url.searchParams.get('state') !== flow.state || url.searchParams.get('code_challenge_method') !== 'S256') {
    throw new AppError('INTERNAL', 'the OAuth2 strategy produced an incomplete authorization request')
  }
  const sealed = await sealFlow(settings, { ...flow, nonce, returnTo: safeReturnTo(returnTo) })
  const headers = new Headers({ Location: url.toString(), 'Cache-Control': 'no-store' })
  headers.append(
    'Set-Cookie',
    serializeCookie(flowCookieName(settings, flow.state), sealed, { maxAgeSeconds: LOGIN_FLOW_TTL_SECONDS, secure: settings.secureCookies }),
  )
  return new Response(null, { status: 302, headers })
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`
  return 'unknown error'
}

/**
 * Finishes a sign-in on the callback: the sealed flow cookie for the returned `state`, the
 * provider's `iss` and `error` parameters, the code exchange with the PKCE verifier (strategy),
 * then the id_token (verifyIdToken, with the flow's nonce). Never throws for a bad callback:
 * the result says what failed, in a short code and a loggable reason without tokens.
 */
export async function finishLogin(settings: OidcSettings, request: Request): Promise<LoginResult> {
  const url = new URL(request.url)
  const state = url.searchParams.get('state')
  if (!state) return { ok: false, code: 'state', reason: 'callback without state', setCookie: null }
  const cookieName = flowCookieName(settings, state)
  const setCookie = serializeCookie(cookieName, '', { maxAgeSeconds: 0, secure: settings.secureCookies })
  const fail = (code: LoginErrorCode, reason: string): LoginResult => ({ ok: false, code, reason, setCookie })

  const sealed = readCookie(request, cookieName)
  if (!sealed) return fail('state', 'no sign-in in progress for this state (expired, replayed or forged)')
  const flow = await openFlow(settings, sealed)
  if (!flow) return fail('state', 'the sign-in cookie is invalid or expired')
  if (!safeEqual(flow.state, state)) return fail('state', 'state does not match the sign-in cookie')

  const iss = url.searchParams.get('iss')
  if (iss !== null && iss !== settings.issuer) return fail('provider', 'authorization response from another issuer')
  const providerError = url.searchParams.get('error')
  if (providerError) {
    const code = /^[\w.-]{1,64}$/.test(providerError) ? providerError : 'invalid'
    return fail(providerError === 'access_denied' ? 'denied' : 'provider', `provider answered error=${code}`)
  }

  let client: OidcClient
  try {
    client = await oidcClient(settings)
  } catch (error) {
    return fail('unavailable', describe(error))
  }
  // The strategy sees only the verified state and verifier, never cookies the browser sent.
  const strategyCookie = new URLSearchParams([
    ['state', flow.state],
    [flow.state, flow.verifier],
  ]).toString()
  let tokens: TokenSet
  try {
    tokens = await client.authenticator.authenticate(
      STRATEGY,
      new Request(url, { headers: { Cookie: `${STRATEGY_COOKIE}=${strategyCookie}` } }),
    )
  } catch (error) {
    return fail('exchange', `code exchange failed (${describe(error)})`)
  }
  if (!tokens.idToken) return fail('id_token', 'the token response has no id_token')
  try {
    const claims = await verifyIdToken(tokens.idToken, {
      issuer: client.discovery.issuer,
      audience: settings.clientId,
      nonce: flow.nonce,
      jwksUri: client.discovery.jwks_uri,
    })
    return { ok: true, claims, idToken: tokens.idToken, returnTo: safeReturnTo(flow.returnTo), setCookie }
  } catch (error) {
    if (error instanceof LoginError) return fail(error.code, error.message)
    return fail('id_token', describe(error))
  }
}

/**
 * RP-initiated logout: the provider's end-session URL with `id_token_hint` (when known),
 * `client_id` and `post_logout_redirect_uri`; null when the provider has no end-session endpoint.
 */
export async function logoutUrl(settings: OidcSettings, idToken: string | null): Promise<string | null> {
  const { end_session_endpoint: endpoint } = await discover(settings)
  if (!endpoint) return null
  const url = new URL(endpoint)
  if (idToken) url.searchParams.set('id_token_hint', idToken)
  url.searchParams.set('client_id', settings.clientId)
  url.searchParams.set('post_logout_redirect_uri', settings.postLogoutRedirectUri)
  return url.toString()
}
