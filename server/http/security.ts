import { randomBytes } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'

export type SecurityOptions = {
  /** Vite dev server: its HMR client needs eval and a websocket, so no CSP there. */
  dev: boolean
  /** HSTS only where the platform is served over https. */
  https: boolean
  /** Where the hub's sign-in form may send the browser (the identity provider's origin). */
  formActionOrigins: string[]
  /** The origin this platform is served at; non-GET requests from other origins are refused. */
  publicOrigin: string
}

const NONCE_BYTES = 16
/** Random bytes for 256 nonces, drawn from the CSPRNG at once: one system call instead of one per response. */
const NONCE_POOL_BYTES = NONCE_BYTES * 256
let noncePool = Buffer.alloc(0)
let noncePoolAt = 0

/** A fresh CSP nonce: 16 bytes of the CSPRNG, never handed out twice, base64. */
export function nextNonce(): string {
  if (noncePoolAt + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES)
    noncePoolAt = 0
  }
  const nonce = noncePool.toString('base64', noncePoolAt, noncePoolAt + NONCE_BYTES)
  noncePoolAt += NONCE_BYTES
  return nonce
}

/**
 * Security headers on every answer: a nonce-based Content-Security-Policy (scripts only from this
 * origin or with the per-request nonce that Remix puts on its inline scripts), frame-ancestors
 * 'none', nosniff, a strict referrer policy and, over https, HSTS. The nonce is handed to Remix
 * through res.locals.cspNonce.
 */
export function securityHeaders(options: SecurityOptions) {
  const formAction = ["'self'", ...options.formActionOrigins].join(' ')
  return (_req: Request, res: Response, next: NextFunction) => {
    const nonce = nextNonce()
    res.locals.cspNonce = nonce
    if (!options.dev) {
      res.setHeader(
        'Content-Security-Policy',
        [
          "default-src 'self'",
          `script-src 'self' 'nonce-${nonce}'`,
          "style-src 'self' 'unsafe-inline'",
          "img-src 'self' data:",
          "font-src 'self'",
          "connect-src 'self'",
          "object-src 'none'",
          "base-uri 'self'",
          `form-action ${formAction}`,
          "frame-ancestors 'none'",
        ].join('; '),
      )
    }
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('X-Frame-Options', 'DENY')
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin')
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()')
    if (options.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')
    next()
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * CSRF protection for the hub's form actions (cookie-authenticated): a state-changing request must
 * come from this origin (Origin header, or Sec-Fetch-Site same-origin when a browser omits
 * Origin). The REST API is exempt (bearer tokens only, no cookies) and so is the embedded
 * identity provider (its own forms carry its own interaction state).
 */
export function sameOriginForms(options: { publicOrigin: string; exempt: string[] }) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method) || options.exempt.some((prefix) => req.path.startsWith(prefix))) return next()
    const origin = req.get('origin')
    const site = req.get('sec-fetch-site')
    const sameOrigin = origin ? origin === options.publicOrigin && originMatchesHost(origin, requestHost(req)) : site === 'same-origin' || site === undefined
    if (sameOrigin) return next()
    res.status(403).type('text/plain').setHeader('Cache-Control', 'no-store')
    res.send('Cross-site form submission refused')
  }
}

/** The host the request was sent to: the first X-Forwarded-Host (as Remix reads it), else Host. */
export function requestHost(req: Request): string | undefined {
  const forwarded = req.get('x-forwarded-host')?.split(',')[0]?.trim()
  return forwarded || req.get('host')
}

/**
 * Whether the Origin names the host the request reached. Remix aborts an action whose Origin and
 * (X-Forwarded-)Host differ by throwing, which would answer 500; refused here first as a 403.
 */
function originMatchesHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host
  } catch {
    return false
  }
}

/**
 * A Host header that is no host[:port] (Remix builds each request's URL from it) is a 400, not a
 * failure inside the framework.
 */
export function validHost() {
  return (req: Request, res: Response, next: NextFunction) => {
    const host = requestHost(req)
    if (host === undefined || isHost(host)) return next()
    res.status(400).type('text/plain').setHeader('Cache-Control', 'no-store')
    res.send('Bad request: the Host header must be host[:port]')
  }
}

function isHost(value: string): boolean {
  if (!/^[A-Za-z0-9.\-[\]:]{1,255}$/.test(value)) return false
  try {
    return new URL(`http://${value}`).host === value.toLowerCase().replace(/:80$/, '')
  } catch {
    return false
  }
}
