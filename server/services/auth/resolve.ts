import type { Platform } from '../../platform.ts'
import { AppError, isAppError } from '../../errors.ts'
import { createBearerVerifier, isApiToken, looksLikeJwt } from './bearer.ts'
import { sessionCookieName } from './config.ts'
import { readCookie } from './oidc.ts'
import { readSession } from './sessions.ts'
import { verifyApiToken } from './tokens.ts'
import type { Channel, Principal } from './types.ts'

/** Who is calling, through which channel, and why not if a credential was presented but refused. */
export type RequestAuth = { principal: Principal | null; channel: Channel; failure: AppError | null }

/**
 * `api` endpoints (REST) accept only bearer credentials; `trpc` (hub and SDK) also accepts the
 * hub's session cookie. A bearer credential makes the channel `api`; a session makes it `hub`.
 */
export type Endpoint = 'rest' | 'trpc'

const verifiers = new Map<string, ReturnType<typeof createBearerVerifier>>()

function bearerVerifier(platform: Platform) {
  const { auth, pg } = platform
  const key = `${auth.issuer}|${auth.apiAudience}`
  let verify = verifiers.get(key)
  if (!verify) {
    verify = createBearerVerifier({ issuer: auth.issuer, audience: auth.apiAudience, claims: auth.claims, db: pg.db })
    verifiers.set(key, verify)
  }
  return verify
}

function bearerOf(request: Request): string | null {
  const header = request.headers.get('authorization')
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? ''
}

async function fromBearer(platform: Platform, bearer: string): Promise<RequestAuth> {
  const refuse = (message: string) => ({ principal: null, channel: 'api' as const, failure: new AppError('UNAUTHORIZED', message) })
  if (bearer === '') return refuse('The Authorization header must be "Bearer <token>"')
  if (isApiToken(bearer)) {
    const principal = await verifyApiToken(platform.pg.db, bearer)
    return principal ? { principal, channel: 'api', failure: null } : refuse('The API token is invalid, expired or revoked')
  }
  if (looksLikeJwt(bearer)) {
    try {
      return { principal: await bearerVerifier(platform)(bearer), channel: 'api', failure: null }
    } catch (error) {
      if (isAppError(error)) return { principal: null, channel: 'api', failure: error }
      throw error
    }
  }
  return refuse('Unrecognized bearer token: send a personal access token (cbn_...) or an OAuth2 access token')
}

/** Resolves the caller of one HTTP request. */
export async function resolveRequestAuth(platform: Platform, request: Request, endpoint: Endpoint): Promise<RequestAuth> {
  const bearer = bearerOf(request)
  if (bearer !== null) return fromBearer(platform, bearer)
  if (endpoint === 'rest') return { principal: null, channel: 'api', failure: null }
  const token = readCookie(request, sessionCookieName(platform.auth))
  const session = token ? await readSession(platform.pg.db, token) : null
  return { principal: session?.principal ?? null, channel: 'hub', failure: null }
}
