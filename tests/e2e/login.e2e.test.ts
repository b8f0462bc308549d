import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startStandaloneProvider, type StandaloneProvider } from '../../server/adapters/identity/standalone.ts'
import { CookieJar, loginFormAction } from '../../server/adapters/identity/testing.ts'
import { DEMO_USERS } from '../../server/services/auth/demo-identities.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
  }
}

/**
 * Hub sign-in end to end: OpenID Connect (code + PKCE + state + nonce) in Debian's Chromium,
 * (a) against the embedded development provider of the platform the global setup started,
 * (b) against a provider on its own origin, configured like a production one, with a second
 * platform started for it, and (c) tampered callbacks and return paths over plain HTTP.
 */

const root = path.resolve(import.meta.dirname, '../..')
const baseUrl = inject('baseUrl')

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

type Browser = { context: BrowserContext; page: Page; dir: string; errors: string[] }
const browsers: Browser[] = []

/** A Chromium with a fresh profile (Playwright takes the profile directory as its first argument, not in args). */
async function launch(): Promise<Browser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-e2e-login-'))
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } })
  const errors: string[] = []
  context.on('weberror', (e) => errors.push(`pageerror: ${e.error().message}`))
  const page = context.pages()[0] ?? (await context.newPage())
  const browser = { context, page, dir, errors }
  browsers.push(browser)
  return browser
}

afterAll(async () => {
  for (const browser of browsers.splice(0)) {
    await browser.context.close().catch(() => undefined)
    fs.rmSync(browser.dir, { recursive: true, force: true })
  }
})

const SESSION_COOKIE = 'carbon_session'

/** On the provider's sign-in page: every demo user is offered, by name. */
async function expectDemoUserList(page: Page) {
  const buttons = page.getByRole('button', { name: /^Sign in as / })
  await expect.poll(() => buttons.count(), { timeout: 15_000 }).toBe(DEMO_USERS.length)
  const names = await buttons.allTextContents()
  expect(names.map((n) => n.trim()).sort()).toEqual(DEMO_USERS.map((u) => `Sign in as ${u.name}`).sort())
}

/** Whether a URL is the identity provider's: the embedded one lives under /dev-idp of the hub's origin. */
type IsProvider = (url: URL) => boolean
const embeddedProvider: IsProvider = (url) => url.origin === new URL(baseUrl).origin && url.pathname.startsWith('/dev-idp')

/** From the hub's sign-in page through the provider back to the hub (wherever the callback sends us). */
async function signIn(page: Page, hub: string, returnTo: string, userName: string, isProvider: IsProvider = embeddedProvider) {
  await page.goto(`${hub}/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.waitForURL((url) => isProvider(url), { timeout: 30_000 })
  await expectDemoUserList(page)
  await page.getByRole('button', { name: `Sign in as ${userName}` }).click()
  await page.waitForURL((url) => url.origin === new URL(hub).origin && !isProvider(url) && url.pathname !== '/auth/callback', {
    timeout: 30_000,
  })
}

/**
 * Signs out with the nav bar's button (a Remix form, so the redirect to a same-origin provider
 * must be a document reload) or the /auth/logout confirm form, then confirms at the provider
 * (RP-initiated logout).
 */
async function signOut(page: Page, hub: string, isProvider: IsProvider = embeddedProvider, via: 'nav' | 'confirm-page' = 'confirm-page') {
  if (via === 'nav') {
    await page.goto(`${hub}/nodes`)
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click()
  } else {
    await page.goto(`${hub}/auth/logout`)
    await page.getByRole('main').getByRole('button', { name: 'Sign out', exact: true }).click()
  }
  await page.waitForURL((url) => isProvider(url), { timeout: 30_000 })
  await page.getByRole('button', { name: 'Yes, sign me out' }).click()
  await page.waitForURL((url) => url.origin === new URL(hub).origin && !isProvider(url), { timeout: 30_000 })
}

async function sessionCookie(context: BrowserContext, hub: string) {
  const cookies = await context.cookies(hub)
  return cookies.find((c) => c.name === SESSION_COOKIE || c.name === `__Host-${SESSION_COOKIE}`)
}

describe('sign-in against the embedded development provider', () => {
  it('logs in through the provider, lands on the requested page with a httpOnly SameSite=Lax session, and logout ends the provider session', async () => {
    const { context, page, errors } = await launch()

    await page.goto(`${baseUrl}/auth/login?returnTo=${encodeURIComponent('/markets/MISO')}`)
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to 254Carbon' }).isVisible()).toBe(true)
    const intro = await page.locator('main').innerText()
    expect(intro).toContain('development identity provider')
    expect(intro).toContain('Alan Analyst')

    await signIn(page, baseUrl, '/markets/MISO', 'Alan Analyst')
    expect(new URL(page.url()).pathname).toBe('/markets/MISO')

    const cookie = await sessionCookie(context, baseUrl)
    expect(cookie, 'a session cookie').toBeDefined()
    expect(cookie!.httpOnly).toBe(true)
    expect(cookie!.sameSite).toBe('Lax')
    expect(cookie!.path).toBe('/')
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000 + 3600)
    // The flow cookie (state, nonce, verifier) is gone once the callback used it.
    expect((await context.cookies(baseUrl)).filter((c) => c.name.includes('carbon_login'))).toEqual([])

    // The hub knows who this is.
    await page.goto(`${baseUrl}/auth/logout`)
    // As Alan of Prairie Trading: the organization comes from the provider's `org` claim.
    expect(await page.locator('main').innerText()).toContain('analyst@prairie-trading.dev (prairie-trading)')
    // A signed-in visitor of the sign-in page goes on to returnTo.
    await page.goto(`${baseUrl}/auth/login?returnTo=${encodeURIComponent('/nodes?q=HUB')}`)
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/nodes?q=HUB')

    await signOut(page, baseUrl, embeddedProvider, 'nav')
    expect(await sessionCookie(context, baseUrl)).toBeUndefined()
    // The revoked token is worth nothing, even replayed by hand.
    const replay = await fetch(`${baseUrl}/auth/logout`, { headers: { Cookie: `${cookie!.name}=${cookie!.value}` } })
    expect(await replay.text()).toContain('You are not signed in')

    // The provider's session ended too: signing in again shows its user list, no automatic login.
    await page.goto(`${baseUrl}/auth/login`)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await expectDemoUserList(page)
    expect(errors).toEqual([])
  })

  it('shows the sign-in page with the failure for ?error= and the signed-out note', async () => {
    const { page } = await launch()
    await page.goto(`${baseUrl}/auth/login?error=disabled`)
    expect(await page.getByRole('alert').innerText()).toContain('Your account is disabled')
    await page.goto(`${baseUrl}/auth/login?error=state`)
    expect(await page.getByRole('alert').innerText()).toMatch(/expired or was already used/)
    await page.goto(`${baseUrl}/auth/login?signedOut=1`)
    expect(await page.getByRole('status').first().innerText()).toContain('You are signed out')
  })
})

// ---------- a provider on its own origin, like production ----------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

function waitForHub(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`the second platform did not start in 240 s:\n${output}`)), 240_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /254Carbon hub: (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the second platform exited with ${code}:\n${output}`))
    })
  })
}

describe('sign-in against a separately started provider (production-like)', () => {
  const clientSecret = `e2e-${Math.random().toString(36).slice(2)}-secret`
  let provider: StandaloneProvider
  let platform: ChildProcess | undefined
  let hub: string
  let dataDir: string

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-e2e-outside-idp-'))
    const port = await freePort()
    const publicUrl = `http://localhost:${port}`
    provider = await startStandaloneProvider({
      port: 0,
      keyFile: path.join(dataDir, 'idp-key.json'),
      clientSecret,
      redirectUris: [`${publicUrl}/auth/callback`],
      postLogoutRedirectUris: [`${publicUrl}/`],
    })
    platform = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli.ts'), 'serve', '--port', String(port)], {
      cwd: root,
      env: {
        ...process.env,
        DATA_DIR: path.join(dataDir, 'platform'),
        NODE_ENV: 'test',
        PUBLIC_URL: publicUrl,
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_SECRET: clientSecret,
        // This provider releases roles, groups and org under its `roles` scope.
        OIDC_SCOPES: 'openid profile email roles',
        DEV_IDP: 'off',
        DEMO_DATA: 'off',
        LOG_LEVEL: 'warn',
        UV_THREADPOOL_SIZE: '8',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    hub = await waitForHub(platform)
  }, 300_000)

  afterAll(async () => {
    if (platform && platform.exitCode === null) {
      const exited = new Promise((resolve) => platform!.once('exit', resolve))
      platform.kill('SIGTERM')
      await exited
    }
    await provider?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }, 60_000)

  it('logs in and out through the outside provider', async () => {
    const { context, page, errors } = await launch()
    const providerOrigin = new URL(provider.issuer).origin
    expect(providerOrigin).not.toBe(new URL(hub).origin)

    await page.goto(`${hub}/auth/login`)
    const intro = await page.locator('main').innerText()
    expect(intro).toContain(new URL(provider.issuer).host)
    expect(intro).not.toContain('development identity provider built into this server')

    const isProvider: IsProvider = (url) => url.origin === providerOrigin
    await signIn(page, hub, '/auth/logout', 'Quinn Quant', isProvider)
    expect(new URL(page.url()).pathname).toBe('/auth/logout')
    expect(await page.locator('main').innerText()).toContain('quant@lakeshore-quant.dev (lakeshore-quant)')
    const cookie = await sessionCookie(context, hub)
    expect(cookie?.httpOnly).toBe(true)
    expect(cookie?.sameSite).toBe('Lax')

    await signOut(page, hub, isProvider)
    expect(await sessionCookie(context, hub)).toBeUndefined()
    await page.goto(`${hub}/auth/login`)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await expect.poll(() => new URL(page.url()).origin).toBe(providerOrigin)
    await expectDemoUserList(page)
    expect(errors).toEqual([])
  })
})

// ---------- tampering ----------

describe('tampered sign-ins', () => {
  const origin = new URL(baseUrl).origin

  /** POST /auth/login as a browser would (same-origin form), returning the provider URL. */
  async function start(jar: CookieJar, returnTo = '/') {
    const response = await jar.fetch(`${baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ returnTo }).toString(),
    })
    expect(response.status).toBe(302)
    return new URL(response.headers.get('location')!, baseUrl)
  }

  /** Provider side over HTTP: pick the user, stop at the redirect back to the hub's callback. */
  async function atProvider(jar: CookieJar, authorizeUrl: URL, username = 'analyst'): Promise<URL> {
    let next: { url: URL; init?: RequestInit } = { url: authorizeUrl }
    for (let hop = 0; hop < 12; hop++) {
      const response = await jar.fetch(next.url, next.init)
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        const target = new URL(location, next.url)
        if (target.pathname === '/auth/callback') return target
        next = { url: target }
        continue
      }
      const action = loginFormAction(await response.text(), username)
      if (!action) throw new Error(`no sign-in form for ${username} (HTTP ${response.status} at ${next.url.pathname})`)
      next = {
        url: new URL(action, next.url),
        init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username }).toString() },
      }
    }
    throw new Error('too many redirects')
  }

  const landing = (response: Response) => {
    const location = new URL(response.headers.get('location') ?? '', baseUrl)
    return { path: location.pathname, error: location.searchParams.get('error') }
  }

  it('a callback with a wrong state goes back to the sign-in page with an error', async () => {
    const jar = new CookieJar()
    const authorizeUrl = await start(jar)
    const callback = await atProvider(jar, authorizeUrl)
    callback.searchParams.set('state', 'forged-state-forged-state-forged-state-1234')
    const response = await jar.fetch(callback)
    expect(response.status).toBe(302)
    expect(landing(response)).toEqual({ path: '/auth/login', error: 'state' })
    expect(jar.names()).not.toContain(SESSION_COOKIE)
  })

  it('a replayed callback URL fails, with or without the spent flow cookie', async () => {
    const jar = new CookieJar()
    const authorizeUrl = await start(jar, '/nodes')
    const flowCookie = jar.header(`${baseUrl}/auth/callback`)!
    const callback = await atProvider(jar, authorizeUrl)
    const first = await jar.fetch(callback)
    expect(landing(first)).toEqual({ path: '/nodes', error: null })
    expect(jar.names()).toContain(SESSION_COOKIE)

    // Same browser: the flow cookie was cleared by the first callback.
    const again = await jar.fetch(callback)
    expect(landing(again)).toEqual({ path: '/auth/login', error: 'state' })
    // Someone holding the URL and the old flow cookie: the code is spent at the provider.
    const stolen = await fetch(callback, { headers: { cookie: flowCookie.split('; ').filter((c) => c.startsWith('carbon_login_')).join('; ') }, redirect: 'manual' })
    expect(landing(stolen)).toEqual({ path: '/auth/login', error: 'exchange' })
    expect(stolen.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`) && !c.includes('Max-Age=0'))).toBe(false)
  })

  /** Paths that resolve (dot segments, encoded dots, backslashes) to a protocol-relative //evil.example. */
  const EVIL_RETURNS = ['//evil.example', '/\\evil.example', '/.//evil.example', '/foo/..//evil.example', '/%2e//evil.example', '/.\\/evil.example']

  it('returnTo=//evil.example ends on / (and so do dot-segment, encoded and backslash tricks)', async () => {
    for (const evil of EVIL_RETURNS) {
      const jar = new CookieJar()
      const authorizeUrl = await start(jar, evil)
      const response = await jar.fetch(await atProvider(jar, authorizeUrl))
      expect(response.headers.get('location')).toBe('/')
    }
    // In a browser, from the sign-in page's own link.
    const { page } = await launch()
    await signIn(page, baseUrl, '//evil.example', 'Ned None')
    expect(new URL(page.url()).origin).toBe(origin)
    expect(new URL(page.url()).pathname).toBe('/')
    // Signed in already: the sign-in page also refuses to send us away.
    await page.goto(`${baseUrl}/auth/login?returnTo=${encodeURIComponent('//evil.example')}`)
    expect(new URL(page.url()).origin).toBe(origin)
    // The reported link, signed in and not: the sign-in page keeps / and the signed-in redirect stays home.
    await page.goto(`${baseUrl}/auth/login?returnTo=%2F.%2F%2Fevil.example`)
    expect(new URL(page.url()).origin).toBe(origin)
    expect(new URL(page.url()).pathname).toBe('/')
    for (const evil of EVIL_RETURNS) {
      const answer = await fetch(`${baseUrl}/auth/login?returnTo=${encodeURIComponent(evil)}`)
      expect(answer.status, evil).toBe(200)
      expect(await answer.text(), evil).toMatch(/name="returnTo" value="\/"/)
    }
  })

  it('returnTo=%2F.%2F%2Fevil.example: the browser sign-in ends on /', async () => {
    const { page } = await launch()
    await page.goto(`${baseUrl}/auth/login?returnTo=%2F.%2F%2Fevil.example`)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL((url) => embeddedProvider(url), { timeout: 30_000 })
    await page.getByRole('button', { name: 'Sign in as Ned None' }).click()
    await page.waitForURL((url) => url.origin === origin && !embeddedProvider(url) && url.pathname !== '/auth/callback', { timeout: 30_000 })
    expect(new URL(page.url()).origin).toBe(origin)
    expect(new URL(page.url()).pathname).toBe('/')
  })
})

describe('a disabled account', () => {
  it('cannot sign in: the sign-in page says the account is disabled', async () => {
    // Ned signs in once, so that his user exists.
    const ned = await launch()
    await signIn(ned.page, baseUrl, '/', 'Ned None')
    expect(await sessionCookie(ned.context, baseUrl)).toBeDefined()

    // Ada (admin) disables him.
    const ada = await launch()
    await signIn(ada.page, baseUrl, '/admin/users', 'Ada Admin')
    expect(new URL(ada.page.url()).pathname).toBe('/admin/users')
    await ada.page.getByRole('button', { name: 'Disable Ned None' }).click()
    await expect.poll(() => ada.page.getByRole('button', { name: 'Enable Ned None' }).isVisible(), { timeout: 15_000 }).toBe(true)

    try {
      // Disabling ended his session; signing in again is refused by the hub (the provider still knows him).
      await ned.page.goto(`${baseUrl}/auth/logout`)
      expect(await ned.page.locator('main').innerText()).toContain('You are not signed in')
      await ned.page.goto(`${baseUrl}/auth/login`)
      await ned.page.getByRole('button', { name: 'Sign in', exact: true }).click()
      await ned.page.waitForURL((url) => url.pathname === '/auth/login' && url.searchParams.has('error'), { timeout: 30_000 })
      expect(new URL(ned.page.url()).searchParams.get('error')).toBe('disabled')
      expect(await ned.page.getByRole('alert').innerText()).toContain('Your account is disabled')
      expect(await sessionCookie(ned.context, baseUrl)).toBeUndefined()
    } finally {
      // The hub's other end-to-end tests share this server: enable Ned again.
      await ada.page.getByRole('button', { name: 'Enable Ned None' }).click()
      await expect.poll(() => ada.page.getByRole('button', { name: 'Disable Ned None' }).isVisible(), { timeout: 15_000 }).toBe(true)
    }
  })
})
