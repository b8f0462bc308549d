import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parseCsv } from '../support/csv.ts'
import { cookieHeader, launchBrowser, signIn } from './support/browser.ts'

/**
 * The gas, LNG and environmental (fuels) report as a daily subscription, in Debian's Chromium
 * against `carbon serve` with demo data. Cora Caiso (Pacific Utility: LCFS and REC through
 * downloads, gas in the hub only) follows the subscribe link of /reports/fuels to the download
 * center, which opens with the report picked and says which products a delivery would show (LCFS,
 * REC: what her organization may download, not the gas it reads in the hub); she subscribes (once:
 * a second time answers "Already subscribed"), sees it listed and unsubscribes. Alan Analyst
 * (Prairie Trading, no downloads) is refused with 403, and the refusal is audited as
 * hub:reports-subscribe. The deliveries themselves (the scheduler's pass, the PDF, the refusal once
 * every product is lost) are in server/services/report-subscriptions/fuels-subscription.int.test.ts:
 * a subscription made now has its first report due tomorrow.
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()

type Session = { close(): Promise<void>; page: Page; errors: string[]; cookie: string }
const sessions: Session[] = []

/** A signed-in Chromium collecting page errors (a refused form's 4xx load is expected, not an error). */
async function session(displayName: string): Promise<Session> {
  const browser = await launchBrowser()
  const errors: string[] = []
  browser.context.on('weberror', (e) => errors.push(`pageerror: ${e.error().message}`))
  browser.context.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) errors.push(`console.error: ${m.text()}`)
  })
  const page = await browser.context.newPage()
  page.setDefaultTimeout(15_000)
  await page.setViewportSize({ width: 1440, height: 900 })
  await signIn(page, baseUrl, displayName)
  const s = { close: browser.close, page, errors, cookie: await cookieHeader(browser.context, baseUrl) }
  sessions.push(s)
  return s
}

let cora: Session
let admin: Session

beforeAll(async () => {
  ;[cora, admin] = await Promise.all([session('Cora Caiso'), session('Ada Admin')])
}, 180_000)

afterAll(async () => {
  for (const s of sessions) await s.close()
})

describe('fuels report subscription', () => {
  it('offers the subscription on the report page and opens the download center with the report picked', async () => {
    const page = cora.page
    const res = await page.goto(url('/reports/fuels'))
    expect(res?.status()).toBe(200)
    const note = page.getByTestId('report-subscribe')
    expect(await note.textContent()).toContain('Subscribe daily')
    const link = note.getByRole('link', { name: 'Downloads' })
    expect(await link.getAttribute('href')).toBe('/downloads?subscribe=fuels#reports-title')
    await link.click()
    await page.waitForURL((u) => u.pathname === '/downloads' && u.searchParams.get('subscribe') === 'fuels')
    const form = page.getByTestId('subscribe-form')
    expect(await form.locator('#subscribe-kind').inputValue()).toBe('fuels')
    // No market to pick: the report covers products.
    expect(await form.locator('#subscribe-market').count()).toBe(0)
    expect(await form.getByTestId('subscribe-products').textContent()).toBe('Shows LCFS, REC: the products your organization may download, as of each delivery.')
    expect(cora.errors).toEqual([])
  })

  it('subscribes once, lists it, answers a second subscribe with the same subscription, and unsubscribes', async () => {
    const page = cora.page
    await page.goto(url('/downloads?subscribe=fuels'))
    const form = page.getByTestId('subscribe-form')
    await form.getByRole('button', { name: 'Subscribe' }).click()
    await expect(form.getByRole('status').textContent()).resolves.toBe('Subscribed: Gas, LNG and environmental, daily once the day has ended.')
    const item = page.getByTestId('subscriptions').locator('li', { hasText: 'Gas, LNG and environmental' })
    await item.waitFor()
    expect(await item.locator('span').first().textContent()).toBe('Gas, LNG and environmental · daily · no report yet')

    await form.getByRole('button', { name: 'Subscribe' }).click()
    await form.getByRole('status').filter({ hasText: 'Already subscribed' }).waitFor()
    expect(await page.getByTestId('subscriptions').locator('li', { hasText: 'Gas, LNG and environmental' }).count()).toBe(1)

    await item.getByRole('button', { name: 'Unsubscribe' }).click()
    await item.waitFor({ state: 'detached' })
    expect(cora.errors).toEqual([])
  })

  it('refuses a user whose organization downloads nothing with 403, and audits the refusal', async () => {
    const alan = await session('Alan Analyst')
    const form = new URLSearchParams({ intent: 'subscribe', kind: 'fuels' })
    const res = await fetch(url('/downloads'), { method: 'POST', body: form, headers: { cookie: alan.cookie }, redirect: 'manual' })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('Your organization is entitled to no market or product through downloads')

    const audit = await fetch(url('/admin/audit.csv?outcome=denied&procedure=hub%3Areports-subscribe'), { headers: { cookie: admin.cookie } })
    expect(audit.status).toBe(200)
    const lines = parseCsv(await audit.text())
    const header = lines[0]!
    const at = (name: string) => header.indexOf(name)
    const refusals = lines
      .slice(1)
      .filter((r) => r[at('organization_slug')] === 'prairie-trading' && r[at('procedure')] === 'hub:reports-subscribe')
      .map((r) => `${r[at('channel')]} ${r[at('market')]} ${r[at('status')]}`)
    expect(refusals).toContain('downloads  403')
    expect(alan.errors).toEqual([])
  })
})
