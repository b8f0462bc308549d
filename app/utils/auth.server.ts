import { redirect, redirectDocument } from '@remix-run/node'
import { isAppError } from '#server/errors.ts'
import type { Logger } from '#server/logger.ts'
import { getPlatform, type Platform } from '#server/platform.ts'
import { sessionCookieName, type AuthConfig } from '#server/services/auth/config.ts'
import { DEMO_ORGANIZATIONS, DEMO_USERS } from '#server/services/auth/demo-identities.ts'
import { authorize } from '#server/services/auth/entitlements.ts'
import { identityFromClaims, provisionUser } from '#server/services/auth/identity.ts'
import {
  finishLogin,
  LOGIN_ERROR_CODES,
  logoutUrl,
  readCookie,
  safeReturnTo,
  serializeCookie,
  startLogin,
  type LoginErrorCode,
} from '#server/services/auth/oidc.ts'
import { createSession, readSession, revokeSession } from '#server/services/auth/sessions.ts'
import type { AccessRequest, Principal } from '#server/services/auth/types.ts'

/**
 * The hub's session glue. The session cookie holds only the opaque token of a server-side
 * session (sessions.ts keeps its SHA-256): httpOnly, SameSite=Lax, Path=/, max-age = the session
 * TTL, and Secure with the `__Host-` prefix wherever cookies are Secure (config.secureCookies).
 * Sign-in itself (OIDC code + PKCE + state + nonce, id_token verification) is
 * server/services/auth/oidc.ts; this file turns its result into a session and back.
 */

export type { AccessRequest, Principal }
export { safeReturnTo, sessionCookieName }
/** Whether an error says a store (PostgreSQL: sessions) could not be reached: a 503 page, not a 500. */
export { isStoreUnavailable } from '#server/services/health/index.ts'

/** Where the sign-in page lives. */
export const LOGIN_PATH = '/auth/login'

/** What each `?error=` code of the sign-in page tells the person. */
export const LOGIN_ERROR_MESSAGES: Record<LoginErrorCode, string> = {
  state: 'That sign-in link expired or was already used. Please sign in again.',
  denied: 'The sign-in was cancelled at the identity provider.',
  provider: 'The identity provider could not sign you in.',
  exchange: 'The identity provider did not complete the sign-in. Please try again.',
  id_token: 'The identity provider’s answer could not be verified, so you were not signed in.',
  nonce: 'The identity provider’s answer did not belong to this sign-in, so you were not signed in.',
  unavailable: 'The identity provider cannot be reached right now. Please try again in a moment.',
  disabled: 'Your account is disabled. Ask your administrator to enable it.',
  session: 'The sign-in could not be completed on our side. Please try again.',
}

export function isLoginErrorCode(value: unknown): value is LoginErrorCode {
  return typeof value === 'string' && (LOGIN_ERROR_CODES as readonly string[]).includes(value)
}

/** The sign-in page's message for `?error=<code>` (a generic one for unknown codes), or null. */
export function loginErrorMessage(code: string | null): string | null {
  if (!code) return null
  return isLoginErrorCode(code) ? LOGIN_ERROR_MESSAGES[code] : 'The sign-in did not succeed. Please try again.'
}

/** The session token the browser sent, or null. */
export function readSessionToken(request: Request, auth: Pick<AuthConfig, 'secureCookies'>): string | null {
  return readCookie(request, sessionCookieName(auth))
}

/** Set-Cookie that stores a session token until the session expires. */
export function commitSession(auth: Pick<AuthConfig, 'secureCookies' | 'sessionTtlHours'>, token: string, expiresAt?: Date): string {
  const ttl = auth.sessionTtlHours * 3600
  const left = expiresAt ? Math.floor((expiresAt.getTime() - Date.now()) / 1000) : ttl
  return serializeCookie(sessionCookieName(auth), token, { maxAgeSeconds: Math.max(1, Math.min(ttl, left)), secure: auth.secureCookies })
}

/** Set-Cookie that removes the session cookie. */
export function destroySession(auth: Pick<AuthConfig, 'secureCookies'>): string {
  return serializeCookie(sessionCookieName(auth), '', { maxAgeSeconds: 0, secure: auth.secureCookies })
}

export type HubSession = { token: string; sessionId: string; principal: Principal; idToken: string | null; expiresAt: Date }

/** The request's live session (unknown, expired, revoked or disabled = null). */
export async function getSession(request: Request): Promise<HubSession | null> {
  const platform = await getPlatform()
  const token = readSessionToken(request, platform.auth)
  if (!token) return null
  const session = await readSession(platform.pg.db, token)
  return session ? { token, ...session } : null
}

/** The signed-in user of a hub request, or null. */
export async function getPrincipal(request: Request): Promise<Principal | null> {
  return (await getSession(request))?.principal ?? null
}

/** The path (and query) a request asked for, without Remix's internal parameters. */
export function requestedPath(request: Request): string {
  const url = new URL(request.url)
  for (const internal of ['_data', '_routes', 'index']) url.searchParams.delete(internal)
  return `${url.pathname.replace(/\.data$/, '') || '/'}${url.search}`
}

/** `/auth/login?returnTo=<path>` for a request (no returnTo for the home page). */
export function loginPathFor(request: Request): string {
  const back = safeReturnTo(requestedPath(request))
  return back === '/' ? LOGIN_PATH : `${LOGIN_PATH}?returnTo=${encodeURIComponent(back)}`
}

/**
 * The signed-in user; anonymous visitors are sent (a thrown redirect) to the sign-in page with
 * the page they asked for as returnTo. A stale session cookie is cleared on the way.
 */
export async function requireUser(request: Request): Promise<Principal> {
  const platform = await getPlatform()
  const token = readSessionToken(request, platform.auth)
  const session = token ? await readSession(platform.pg.db, token) : null
  if (session) return session.principal
  throw redirect(loginPathFor(request), token ? { headers: { 'Set-Cookie': destroySession(platform.auth) } } : undefined)
}

/**
 * requireUser + the one authorization decision. FORBIDDEN becomes a thrown 403 Response with
 * the user message (the error boundary renders it); UNAUTHORIZED sends to the sign-in page.
 */
export async function requireAccess(request: Request, access: AccessRequest): Promise<Principal> {
  const principal = await requireUser(request)
  const platform = await getPlatform()
  try {
    await authorize(platform.pg.db, principal, access)
  } catch (error) {
    if (isAppError(error) && error.code === 'FORBIDDEN') {
      throw new Response(error.userMessage, { status: 403, statusText: 'Forbidden', headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
    }
    if (isAppError(error) && error.code === 'UNAUTHORIZED') throw redirect(loginPathFor(request))
    throw error
  }
  return principal
}

/** What the sign-in page says about the identity provider. */
export type ProviderInfo = {
  issuer: string
  /** The provider's host, e.g. login.example.com. */
  host: string
  /** The embedded development provider (demo users). */
  development: boolean
  demoUsers: { username: string; name: string; organization: string; description: string }[]
}

export function providerInfo(auth: AuthConfig): ProviderInfo {
  const orgName = (slug: string) => DEMO_ORGANIZATIONS.find((o) => o.slug === slug)?.name ?? slug
  return {
    issuer: auth.issuer,
    host: new URL(auth.issuer).host,
    development: auth.devProvider,
    demoUsers: auth.devProvider
      ? DEMO_USERS.map((u) => ({ username: u.username, name: u.name, organization: orgName(u.organization), description: u.description }))
      : [],
  }
}

function loginFailure(code: LoginErrorCode, headers?: HeadersInit): Response {
  return redirect(`${LOGIN_PATH}?error=${code}`, { headers: withNoStore(headers) })
}

function withNoStore(init?: HeadersInit): Headers {
  const headers = new Headers(init)
  headers.set('Cache-Control', 'no-store')
  return headers
}

function authLog(platform: Platform, requestId: string | undefined): Logger {
  return platform.log.child({ component: 'auth', requestId })
}

/**
 * POST /auth/login: a document redirect to the provider (state, nonce and PKCE verifier go in a
 * sealed short-lived cookie). An unreachable provider sends back to the sign-in page.
 */
export async function beginSignIn(request: Request, returnTo: unknown, requestId?: string): Promise<Response> {
  const platform = await getPlatform()
  try {
    const response = await startLogin(platform.auth, safeReturnTo(returnTo))
    // The provider may share our origin (/dev-idp): the browser must load it, not Remix's router.
    response.headers.set('X-Remix-Reload-Document', 'true')
    return response
  } catch (error) {
    const code: LoginErrorCode = isAppError(error) && error.code === 'UNAVAILABLE' ? 'unavailable' : 'session'
    const log = authLog(platform, requestId)
    if (code === 'unavailable') log.warn({ reason: error instanceof Error ? error.message : 'unknown' }, 'sign-in could not start')
    else log.error({ err: error }, 'sign-in could not start')
    return loginFailure(code)
  }
}

/**
 * GET /auth/callback: finishes the OIDC flow, provisions the user, rotates the session (the old
 * one, if any, is revoked; a new one is created) and sends to the saved returnTo. Every failure
 * goes to the sign-in page with a short error code and is logged at info, without tokens.
 */
export async function completeSignIn(request: Request, context: { requestId?: string; clientAddress?: string | null }): Promise<Response> {
  const platform = await getPlatform()
  const { auth, pg } = platform
  const log = authLog(platform, context.requestId)
  const result = await finishLogin(auth, request)
  const headers = new Headers()
  if (result.setCookie) headers.append('Set-Cookie', result.setCookie)
  if (!result.ok) {
    log.info({ code: result.code, reason: result.reason }, 'sign-in failed')
    return loginFailure(result.code, headers)
  }

  try {
    const identity = identityFromClaims(result.claims, auth.issuer, auth.claims)
    const { userId, principal } = await provisionUser(pg.db, identity)
    const previous = readSessionToken(request, auth)
    if (previous) await revokeSession(pg.db, previous)
    const session = await createSession(pg.db, {
      userId,
      ttlHours: auth.sessionTtlHours,
      idToken: result.idToken,
      userAgent: request.headers.get('user-agent'),
      clientAddress: context.clientAddress ?? null,
    })
    headers.append('Set-Cookie', commitSession(auth, session.token, session.expiresAt))
    log.info({ userId, organization: principal.organizationSlug, roles: principal.roles }, 'signed in')
    return redirect(result.returnTo, { headers: withNoStore(headers) })
  } catch (error) {
    if (isAppError(error) && error.code === 'FORBIDDEN') {
      log.info({ reason: error.message, subject: result.claims.sub }, 'sign-in refused')
      // A disabled account keeps no session in this browser either.
      const previous = readSessionToken(request, auth)
      if (previous) {
        await revokeSession(pg.db, previous)
        headers.append('Set-Cookie', destroySession(auth))
      }
      return loginFailure('disabled', headers)
    }
    if (isAppError(error) && error.status < 500) {
      log.info({ code: error.code, reason: error.message }, 'sign-in failed')
      return loginFailure('id_token', headers)
    }
    log.error({ err: error }, 'sign-in failed')
    return loginFailure('session', headers)
  }
}

/**
 * POST /auth/logout: revokes the session, clears the cookie and ends the provider's session too
 * (RP-initiated logout with id_token_hint), or goes to the sign-in page when the provider has no
 * end-session endpoint (or there was no session to end).
 */
export async function signOut(request: Request, requestId?: string): Promise<Response> {
  const platform = await getPlatform()
  const { auth, pg } = platform
  const log = authLog(platform, requestId)
  const token = readSessionToken(request, auth)
  const revoked = token ? await revokeSession(pg.db, token) : null
  const headers = withNoStore({ 'Set-Cookie': destroySession(auth) })
  let endSession: string | null = null
  if (revoked) {
    try {
      endSession = await logoutUrl(auth, revoked.idToken)
    } catch (error) {
      log.warn({ reason: error instanceof Error ? error.message : 'unknown' }, 'provider logout skipped: no discovery')
    }
    log.info({ providerLogout: endSession !== null }, 'signed out')
  }
  return redirectDocument(endSession ?? `${LOGIN_PATH}?signedOut=1`, { headers })
}
