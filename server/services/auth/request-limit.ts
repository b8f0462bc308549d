import { AppError } from '../../errors.ts'
import type { AuthConfig } from './config.ts'
import { createRateLimiter, type RateLimiter } from './rate-limit.ts'
import type { Principal } from './types.ts'

/**
 * One limiter per limit, kept on globalThis: the Remix build bundles its own copy of this module,
 * and tRPC, REST, the REST stream and the hub's loaders must draw on one bucket per caller.
 */
const globalForLimits = globalThis as unknown as { __carbonRateLimiters?: Map<string, RateLimiter> }

export function rateLimiter(perMinute: number, kind: 'credential' | 'session' = 'credential'): RateLimiter {
  const limiters = (globalForLimits.__carbonRateLimiters ??= new Map())
  const name = `${kind}:${perMinute}`
  let limiter = limiters.get(name)
  if (!limiter) {
    limiter = createRateLimiter({ perMinute })
    limiters.set(name, limiter)
  }
  return limiter
}

/** A refused request: the error to answer and the Retry-After seconds. */
export type RateLimited = { error: AppError; retryAfterSeconds: number }

/**
 * Takes one request from the caller's bucket: API credentials (tokens, service clients) by
 * credential at RATE_LIMIT_PER_MINUTE, signed-in hub users by user at
 * SESSION_RATE_LIMIT_PER_MINUTE (every session of one user shares the bucket). Null when allowed.
 */
export function takeRequest(auth: Pick<AuthConfig, 'rateLimitPerMinute' | 'sessionRateLimitPerMinute'>, principal: Principal | null): RateLimited | null {
  if (!principal) return null
  const user = principal.kind === 'user'
  const perMinute = user ? auth.sessionRateLimitPerMinute : auth.rateLimitPerMinute
  const key = user ? `user:${principal.userId}` : principal.credentialId
  const taken = rateLimiter(perMinute, user ? 'session' : 'credential').take(key)
  if (taken.ok) return null
  return {
    retryAfterSeconds: taken.retryAfterSeconds,
    error: new AppError('TOO_MANY_REQUESTS', `Rate limit of ${perMinute} requests per minute exceeded`, {
      userMessage: `Too many requests: retry after ${taken.retryAfterSeconds} s`,
      details: { retryAfterSeconds: taken.retryAfterSeconds },
    }),
  }
}
