import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Env } from '../../env.ts'
import { AppError } from '../../errors.ts'
import { DEV_HUB_CLIENT_SECRET } from './demo-identities.ts'

/** Where the embedded development identity provider is mounted on the web server. */
export const DEV_IDP_PATH = '/dev-idp'

/** Everything login, sessions and bearer verification need, derived from the environment once. */
export type AuthConfig = {
  issuer: string
  /** True when the issuer is the embedded development provider. */
  devProvider: boolean
  clientId: string
  clientSecret: string
  scopes: string[]
  redirectUri: string
  postLogoutRedirectUri: string
  apiAudience: string
  claims: { rolesClaim: string; groupsClaim: string; orgClaim: string; defaultOrganization: string }
  sessionTtlHours: number
  /** Secure cookies (and the __Host- prefix) everywhere but development and test over http. */
  secureCookies: boolean
  /** Signs the short-lived login cookies (state, nonce, PKCE verifier) and CSRF tokens. */
  sessionSecret: string
  rateLimitPerMinute: number
  /** Data requests per minute per signed-in hub user (sessions are rate limited like API credentials). */
  sessionRateLimitPerMinute: number
}

/**
 * Development keeps a random secret in the data directory so restarts keep sign-ins valid;
 * production must set SESSION_SECRET (env.ts refuses to start without it).
 */
function sessionSecret(env: Env): string {
  if (env.SESSION_SECRET) return env.SESSION_SECRET
  if (env.NODE_ENV === 'production') throw new AppError('INTERNAL', 'SESSION_SECRET is required in production')
  const file = path.join(env.dataDir, 'session-secret')
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim()
  fs.mkdirSync(env.dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  fs.writeFileSync(file, secret, { mode: 0o600 })
  return secret
}

function withDevScopes(scopes: string[], devProvider: boolean): string[] {
  return devProvider && !scopes.includes('roles') ? [...scopes, 'roles'] : scopes
}

export function authConfigFromEnv(env: Env): AuthConfig {
  const devProvider = !env.OIDC_ISSUER
  if (devProvider && !env.devIdp) {
    throw new AppError('INTERNAL', 'OIDC_ISSUER is not set and the development identity provider is off (DEV_IDP)')
  }
  return {
    issuer: env.OIDC_ISSUER ?? `${env.publicUrl}${DEV_IDP_PATH}`,
    devProvider,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET ?? DEV_HUB_CLIENT_SECRET,
    // The development provider releases roles, groups and org only under its `roles` scope.
    scopes: withDevScopes(env.OIDC_SCOPES.split(/\s+/).filter(Boolean), devProvider),
    redirectUri: `${env.publicUrl}/auth/callback`,
    postLogoutRedirectUri: `${env.publicUrl}/`,
    apiAudience: env.OIDC_API_AUDIENCE,
    claims: {
      rolesClaim: env.OIDC_ROLES_CLAIM,
      groupsClaim: env.OIDC_GROUPS_CLAIM,
      orgClaim: env.OIDC_ORG_CLAIM,
      defaultOrganization: env.DEFAULT_ORGANIZATION,
    },
    sessionTtlHours: env.SESSION_TTL_HOURS,
    secureCookies: env.publicUrl.startsWith('https://') || env.NODE_ENV === 'production',
    sessionSecret: sessionSecret(env),
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    sessionRateLimitPerMinute: env.SESSION_RATE_LIMIT_PER_MINUTE,
  }
}

/** The hub's session cookie: `__Host-` prefixed (Secure, Path=/, no Domain) wherever cookies are Secure. */
export function sessionCookieName(config: Pick<AuthConfig, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-carbon_session' : 'carbon_session'
}
