import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** Debian's Chromium, headless, with the flags this machine's closed network needs (STACK.md). */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    context,
    async close() {
      await context.close()
      fs.rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}

/** Signs in through the hub's login page and the embedded provider's demo-user page. */
export async function signIn(page: Page, baseUrl: string, displayName: string, returnTo = '/'): Promise<void> {
  await page.goto(`${baseUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
  await page.locator('main form button[type=submit]').first().click()
  await page.getByRole('button', { name: `Sign in as ${displayName}` }).click()
  await page.waitForURL((url) => url.origin === new URL(baseUrl).origin && !url.pathname.startsWith('/dev-idp') && !url.pathname.startsWith('/auth/'))
}

/** The Cookie header value of the context's cookies for baseUrl (e.g. for fetch). */
export async function cookieHeader(context: BrowserContext, baseUrl: string): Promise<string> {
  const cookies = await context.cookies(baseUrl)
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ')
}

/** A signed-in user's session cookie header, from a fresh browser context. */
export async function sessionFor(baseUrl: string, displayName: string): Promise<{ cookie: string; page: Page; close(): Promise<void> }> {
  const browser = await launchBrowser()
  const page = await browser.context.newPage()
  await signIn(page, baseUrl, displayName)
  return { cookie: await cookieHeader(browser.context, baseUrl), page, close: browser.close }
}

/** Creates a personal access token (default scope read:prices) on the hub's token page and returns it (shown once). */
export async function createApiTokenInHub(page: Page, baseUrl: string, name: string, scopes: readonly string[] = ['read:prices']): Promise<string> {
  await page.goto(`${baseUrl}/settings/tokens`)
  await page.locator('input[name="name"]').fill(name)
  for (const value of scopes) {
    const scope = page.locator(`input[name="scopes"][value="${value}"]`)
    if (!(await scope.isChecked())) await scope.check()
  }
  await page.locator('form').filter({ has: page.locator('input[name="name"]') }).locator('button[type="submit"]').click()
  const token = await page.locator('code', { hasText: /cbn_/ }).first().textContent()
  const match = /cbn_[A-Za-z0-9_]+/.exec(token ?? '')
  if (!match) throw new Error(`no token shown after creating "${name}"`)
  return match[0]
}
