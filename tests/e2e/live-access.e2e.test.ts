import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { cookieHeader, launchBrowser, signIn } from './support/browser.ts'

/*
 * Issue 11 item 5 in the hub: a live page whose access ends says so. Signed in, the MISO market page
 * follows live prices; the same session is then signed out from elsewhere (a POST to /auth/logout
 * with its cookie, as another tab would). The server ends the open stream (session_ended), and the
 * page's live indicator shows "Access ended: ..." and stays so, instead of reconnecting.
 */

const baseUrl = inject('baseUrl')
/** The access end reaches the page within 5 s; the rest of the bound is the browser's and the CI machine's. */
const ENDED_WITHIN_MS = 15_000

let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page

beforeAll(async () => {
  browser = await launchBrowser()
  page = await browser.context.newPage()
  await signIn(page, baseUrl, 'Quinn Quant')
})

afterAll(async () => {
  await browser?.close()
})

const indicator = (state: string) => page.locator(`.live-indicator[data-state="${state}"]`)

describe('hub: the live indicator after access ends', () => {
  it('signing the session out elsewhere ends the live stream: "Access ended", no reconnecting', async () => {
    await page.goto(new URL('/markets/MISO', baseUrl).toString())
    await indicator('live').waitFor({ timeout: 60_000 })

    const cookie = await cookieHeader(browser.context, baseUrl)
    const logout = await fetch(new URL('/auth/logout', baseUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: new URL(baseUrl).origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    })
    expect(logout.status).toBeLessThan(400)

    await indicator('ended').waitFor({ timeout: ENDED_WITHIN_MS })
    const ended = indicator('ended')
    expect(await ended.textContent()).toBe('Access ended: you were signed out; sign in again for live prices')
    // It stays ended: nothing reconnects (a reconnect would show connecting or reconnecting).
    await page.waitForTimeout(3_000)
    expect(await indicator('ended').count()).toBe(1)
  })
})
