import { eq } from 'drizzle-orm'
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type RemoteJWKSet } from 'jose'
import { organizations, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { type ClaimConfig, organizationSlugFromClaim, readClaim, rolesFromClaim, stringList } from './identity.ts'
import { parseApiToken } from './tokens.ts'
import { type Principal, Scope } from './types.ts'

/**
 * Bearer JWT access tokens issued by the identity provider, typically to OAuth2 client-credentials
 * clients (services). Verified with the provider's published keys (JWKS over HTTP, cached by
 * jose), the configured issuer and audience, an expiry, and asymmetric algorithms only, so
 * `alg: none` and HS256 tokens "signed" with the public key are refused before any key is used.
 */

/** Asymmetric algorithms only: never `none`, never an HMAC whose secret could be the public key. */
const ALGORITHMS = ['RS256', 'PS256', 'ES256']
/** Allowed clock skew between the provider and us, in seconds. */
const CLOCK_TOLERANCE_S = 30
/** Longer than any sane access token; refused before parsing. */
const MAX_TOKEN_LENGTH = 16_384
const FETCH_TIMEOUT_MS = 5_000

export type BearerVerifierOptions = {
  /** The provider's issuer, exactly as its tokens' `iss` (and its discovery document) say. */
  issuer: string
  /** The `aud` access tokens must carry (OIDC_API_AUDIENCE). */
  audience: string
  claims: ClaimConfig
  db: Database
  /** Skips discovery when given. */
  jwksUri?: string
  /** For discovery and JWKS requests; the global fetch by default. */
  fetch?: typeof fetch
}

/** Why a bearer JWT was refused: short, stable, safe to return to the client. */
export type BearerRefusal =
  | 'malformed token'
  | 'expired'
  | 'not yet valid'
  | 'missing expiry'
  | 'wrong issuer'
  | 'wrong audience'
  | 'invalid claims'
  | 'bad signature'
  | 'unsupported algorithm'
  | 'no client id'
  | 'unknown organization'

/**
 * A function verifying one bearer JWT and returning its service principal. Refusals throw
 * AppError UNAUTHORIZED with `details.reason` (a BearerRefusal); when the provider's discovery
 * document or keys cannot be fetched it throws UNAVAILABLE (503): the token may be fine, the
 * client should retry rather than think its credentials are wrong. Never echoes the token.
 *
 * The principal: kind 'service', userId null; organization = the org claim's slug, which must
 * exist in `organizations` (no default organization for machines); roles from the roles claim
 * (known roles only, ['service'] when none); scopes from `scope` (space separated) or `scp`,
 * known scopes only; label = client_id ?? azp ?? sub; credentialId = 'jwt:' + that; expiresAt = exp.
 */
export function createBearerVerifier(options: BearerVerifierOptions): (token: string) => Promise<Principal> {
  const fetchImpl = options.fetch ?? fetch
  let keys: Promise<RemoteJWKSet> | undefined

  function keySet(): Promise<RemoteJWKSet> {
    keys ??= (async () => {
      const jwksUri = options.jwksUri ?? (await discoverJwksUri(options.issuer, fetchImpl))
      return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS, [customFetch]: fetchImpl })
    })().catch((error: unknown) => {
      keys = undefined // retry discovery on the next request
      throw error
    })
    return keys
  }

  return async function verifyBearer(token: string): Promise<Principal> {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !looksLikeJwt(token)) {
      throw refused('malformed token')
    }
    const jwks = await keySet()
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }))
    } catch (error) {
      throw fromJoseError(error)
    }
    return principalOf(payload as Record<string, unknown>, options)
  }
}

/** Three base64url segments with a JSON header (`eyJ` = '{"'); the third may be empty (then refused as unsigned). */
export function looksLikeJwt(token: string): boolean {
  return typeof token === 'string' && /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)
}

/** Whether a bearer value has the personal access token format (`cbn_<prefix>_<secret>`). */
export function isApiToken(token: string): boolean {
  return parseApiToken(token) !== null
}

async function principalOf(claims: Record<string, unknown>, options: BearerVerifierOptions): Promise<Principal> {
  const clientId = nonEmpty(claims.client_id) ?? nonEmpty(claims.azp) ?? nonEmpty(claims.sub)
  if (!clientId) throw refused('no client id')

  const slug = organizationSlugFromClaim(readClaim(claims, options.claims.orgClaim))
  const [organization] = slug
    ? await options.db
        .select({ id: organizations.id, slug: organizations.slug })
        .from(organizations)
        .where(eq(organizations.slug, slug))
    : []
  if (!organization) throw refused('unknown organization')

  const roles = rolesFromClaim(readClaim(claims, options.claims.rolesClaim))
  const scopeNames = new Set(stringList(claims.scope ?? claims.scp))
  return {
    kind: 'service',
    userId: null,
    organizationId: organization.id,
    organizationSlug: organization.slug,
    label: clientId,
    roles: roles.length > 0 ? roles : ['service'],
    scopes: Scope.options.filter((s) => scopeNames.has(s)),
    credentialId: `jwt:${clientId}`,
    // jwtVerify required a numeric exp.
    expiresAt: Math.floor((claims.exp as number) * 1_000),
  }
}

/** The provider's jwks_uri from its discovery document, which must name the configured issuer. */
async function discoverJwksUri(issuer: string, fetchImpl: typeof fetch): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
  let document: unknown
  try {
    const response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    document = await response.json()
  } catch (error) {
    throw unavailable(`OpenID discovery at ${url} failed: ${error instanceof Error ? error.message : String(error)}`)
  }
  const { issuer: documentIssuer, jwks_uri: jwksUri } = (document ?? {}) as { issuer?: unknown; jwks_uri?: unknown }
  if (documentIssuer !== issuer) {
    throw unavailable(`OpenID discovery at ${url} names another issuer`)
  }
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) {
    throw unavailable(`OpenID discovery at ${url} has no usable jwks_uri`)
  }
  return jwksUri
}

function fromJoseError(error: unknown): AppError {
  if (error instanceof errors.JWTExpired) return refused('expired')
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return refused('wrong issuer')
    if (error.claim === 'aud') return refused('wrong audience')
    if (error.claim === 'exp') return refused('missing expiry')
    if (error.claim === 'nbf' || error.claim === 'iat') return refused('not yet valid')
    return refused('invalid claims')
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return refused('unsupported algorithm')
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return refused('bad signature')
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return refused('malformed token')
  // JWKS timeout, HTTP error, unparsable key set, network failure: the provider, not the token.
  const code = (error as { code?: unknown } | null)?.code
  return unavailable(`identity provider keys unavailable${typeof code === 'string' ? ` (${code})` : ''}`)
}

function refused(reason: BearerRefusal): AppError {
  return new AppError('UNAUTHORIZED', `bearer token refused: ${reason}`, {
    userMessage: `Invalid bearer token: ${reason}`,
    details: { reason },
  })
}

function unavailable(message: string): AppError {
  return new AppError('UNAVAILABLE', message, { userMessage: 'The identity provider is unavailable; try again shortly.' })
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null
}
