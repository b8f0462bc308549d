import { createHash, randomBytes } from 'node:crypto'

/**
 * Test support for the development identity provider: a small cookie jar (path-scoped, like a
 * browser's) and a driver that walks the authorization-code + PKCE flow over real HTTP, picking
 * a demo user on the sign-in page. No browser; used by this folder's tests and usable by tests
 * of the hub's login callback.
 */

type StoredCookie = { name: string; value: string; path: string }

export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>()

  /** Takes the Set-Cookie headers of a response to a request for `url`. */
  store(url: string | URL, response: Response) {
    const requestPath = new URL(url).pathname
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((p) => p.trim())
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      let path = requestPath.slice(0, requestPath.lastIndexOf('/')) || '/'
      let expired = false
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=')
        if (key.toLowerCase() === 'path' && val.startsWith('/')) path = val
        if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true
      }
      const key = `${name}\n${path}`
      if (expired) this.#cookies.delete(key)
      else this.#cookies.set(key, { name, value, path })
    }
  }

  /** The Cookie header a browser would send to `url` (undefined when none applies). */
  header(url: string | URL): string | undefined {
    const requestPath = new URL(url).pathname
    const matching = [...this.#cookies.values()]
      .filter((c) => requestPath === c.path || requestPath.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined
  }

  names(): string[] {
    return [...new Set([...this.#cookies.values()].map((c) => c.name))]
  }

  /** fetch without following redirects, sending and keeping cookies. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    const cookie = this.header(url)
    if (cookie) headers.set('cookie', cookie)
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    this.store(url, response)
    return response
  }
}

export function base64url(bytes: Buffer): string {
  return bytes.toString('base64url')
}

export function pkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = base64url(randomBytes(32))
  const codeChallenge = base64url(createHash('sha256').update(codeVerifier).digest())
  return { codeVerifier, codeChallenge }
}

export type SignInOptions = {
  /** The provider's authorization endpoint (from discovery). */
  authorizationEndpoint: string
  clientId: string
  redirectUri: string
  /** The demo user to pick on the sign-in page; omit to stop at the sign-in page. */
  username: string
  scope?: string
  jar?: CookieJar
  extraParams?: Record<string, string>
}

export type SignInResult = {
  code: string
  state: string
  nonce: string
  codeVerifier: string
  /** The final redirect to the client (the redirect URI with code, state, iss). */
  callbackUrl: URL
  /** The sign-in page's HTML, when one was shown (none when the session already had a user). */
  loginPage?: string
  jar: CookieJar
}

/** The `action` of the form that signs in as `username` on the sign-in page. */
export function loginFormAction(html: string, username: string): string | undefined {
  const forms = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/g) ?? []
  for (const form of forms) {
    if (form.includes(`name="username" value="${username}"`)) return /action="([^"]+)"/.exec(form)?.[1]?.replaceAll('&amp;', '&')
  }
  return undefined
}

/**
 * Walks authorize -> sign-in page -> pick `username` -> (automatic consent) -> redirect URI,
 * following only the provider's own redirects. Throws with the step that failed.
 */
export async function signInWithDevProvider(options: SignInOptions): Promise<SignInResult> {
  const jar = options.jar ?? new CookieJar()
  const { codeVerifier, codeChallenge } = pkcePair()
  const state = base64url(randomBytes(16))
  const nonce = base64url(randomBytes(16))
  const authorize = new URL(options.authorizationEndpoint)
  const params: Record<string, string> = {
    client_id: options.clientId,
    response_type: 'code',
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid profile email roles',
    state,
    nonce,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    ...options.extraParams,
  }
  for (const [key, value] of Object.entries(params)) authorize.searchParams.set(key, value)

  let loginPage: string | undefined
  let next: { url: URL; init?: RequestInit } = { url: authorize }
  for (let hop = 0; hop < 12; hop++) {
    const response = await jar.fetch(next.url, next.init)
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get('location') ?? '', next.url)
      if (location.href.startsWith(options.redirectUri)) {
        const code = location.searchParams.get('code')
        if (!code) throw new Error(`the provider redirected back without a code: ${location.search}`)
        if (location.searchParams.get('state') !== state) throw new Error('the provider returned another state')
        return { code, state, nonce, codeVerifier, callbackUrl: location, loginPage, jar }
      }
      if (location.origin !== authorize.origin) throw new Error(`unexpected redirect to ${location.origin}`)
      next = { url: location }
      continue
    }
    const body = await response.text()
    if (response.status !== 200) throw new Error(`the provider answered ${response.status} at ${next.url.pathname}`)
    if (loginPage !== undefined) throw new Error('the sign-in page was shown twice')
    loginPage = body
    const action = loginFormAction(body, options.username)
    if (!action) throw new Error(`the sign-in page has no form for ${options.username}`)
    next = {
      url: new URL(action, next.url),
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: options.username }).toString(),
      },
    }
  }
  throw new Error('too many redirects in the sign-in flow')
}

/** `Authorization: Basic` for a client id and secret (RFC 6749 2.3.1: form-encoded, then base64). */
export function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replaceAll('%20', '+')
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`
}
