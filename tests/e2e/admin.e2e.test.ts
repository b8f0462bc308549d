import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { signIn } from './support/browser.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
  }
}

/**
 * The admin pages and /settings/tokens end to end, in Debian's Chromium against `carbon serve`
 * with the embedded development provider: an administrator edits entitlements (with and
 * without JavaScript), a quant is refused the admin pages, creates a token, sees it once, calls
 * the REST API with it, revokes it; the audit log and its CSV export show the token's call.
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()

type Browser = { context: BrowserContext; dir: string; errors: string[] }
const browsers: Browser[] = []

async function launch(javaScriptEnabled = true): Promise<Browser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-e2e-admin-'))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    javaScriptEnabled,
    acceptDownloads: true,
  })
  const browser: Browser = { context, dir, errors: [] }
  context.on('weberror', (e) => browser.errors.push(`pageerror: ${e.error().message}`))
  context.on('console', (m) => {
    // A 403 page is an expected answer here; Chromium reports its status as a console error.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) browser.errors.push(`console.error: ${m.text()}`)
  })
  browsers.push(browser)
  return browser
}

async function signedIn(name: string, javaScriptEnabled = true): Promise<{ browser: Browser; page: Page }> {
  const browser = await launch(javaScriptEnabled)
  const page = await browser.context.newPage()
  page.setDefaultTimeout(30_000)
  await signIn(page, baseUrl, name)
  return { browser, page }
}

let admin: { browser: Browser; page: Page }
let quant: { browser: Browser; page: Page }

beforeAll(async () => {
  admin = await signedIn('Ada Admin')
  quant = await signedIn('Quinn Quant')
})

afterAll(async () => {
  for (const b of browsers) {
    await b.context.close()
    fs.rmSync(b.dir, { recursive: true, force: true })
  }
})

const heading = (page: Page) => page.locator('main h1').first()

describe('admin pages as Ada Admin', () => {
  it('/admin goes to the users page, which lists signed-in users with roles and status', async () => {
    const { page } = admin
    const response = await page.goto(url('/admin'))
    expect(response?.status()).toBe(200)
    expect(new URL(page.url()).pathname).toBe('/admin/users')
    await expect.poll(() => heading(page).textContent()).toBe('Users')
    const tabs = await page.getByRole('navigation', { name: 'Administration' }).getByRole('link').allTextContents()
    expect(tabs).toEqual(['Users', 'Organizations', 'Entitlements', 'Tokens', 'Audit log'])
    const ada = page.locator('tbody tr', { hasText: 'admin@254carbon.dev' })
    await expect.poll(() => ada.count()).toBe(1)
    expect(await ada.getByRole('checkbox', { name: 'admin role of Ada Admin' }).isChecked()).toBe(true)
    expect(await ada.getByRole('checkbox', { name: 'analyst role of Ada Admin' }).isChecked()).toBe(true)
    expect(await ada.getByRole('checkbox', { name: 'viewer role of Ada Admin' }).isChecked()).toBe(false)
    expect(await ada.locator('.status').textContent()).toBe('active')
    // Quinn signed in too (beforeAll): the text filter finds her and only her.
    await page.getByLabel('Name or email contains').fill('quinn')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL((u) => u.searchParams.get('q') === 'quinn')
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1)
    expect(await page.locator('tbody tr').textContent()).toContain('quant@lakeshore-quant.dev')
    await page.goto(url('/admin/users?q=nobody-like-this'))
    expect(await page.locator('.empty-state').textContent()).toContain('No users match')
  })

  it('the users page refuses self-lockout with the service message', async () => {
    const { page } = admin
    await page.goto(url('/admin/users'))
    await page.getByRole('button', { name: 'Disable Ada Admin' }).click()
    await expect.poll(() => page.locator('.flash-error').textContent()).toContain('You cannot disable your own account')
    const ada = page.locator('tbody tr', { hasText: 'admin@254carbon.dev' })
    expect(await ada.locator('.status').textContent()).toBe('active')
    // Unchecking her own admin role: refused, and the form keeps what was submitted.
    await ada.getByRole('checkbox', { name: 'admin role of Ada Admin' }).uncheck()
    await ada.getByRole('button', { name: 'Save roles' }).click()
    await expect.poll(() => page.locator('.flash-error').textContent()).toContain('You cannot remove your own admin role')
    expect(await ada.getByRole('checkbox', { name: 'admin role of Ada Admin' }).isChecked()).toBe(false)
    await page.goto(url('/admin/users'))
    expect(await ada.getByRole('checkbox', { name: 'admin role of Ada Admin' }).isChecked()).toBe(true)
  })

  it('the organizations page lists user counts and creates an organization (a taken slug is refused inline)', async () => {
    const { page } = admin
    await page.goto(url('/admin/organizations'))
    await expect.poll(() => heading(page).textContent()).toBe('Organizations')
    const pacific = page.locator('tbody tr', { hasText: 'Pacific Utility' })
    expect(await pacific.locator('td.mono').textContent()).toBe('pacific-utility')
    const lakeshore = page.locator('tbody tr', { hasText: 'Lakeshore Quant' })
    expect(Number(await lakeshore.locator('td.num').textContent())).toBeGreaterThanOrEqual(1)

    const slug = `e2e-org-${Date.now().toString(36)}`
    await page.getByLabel('Slug').fill(slug)
    await page.getByLabel('Name', { exact: true }).fill('E2E Trading')
    await page.getByRole('button', { name: 'Create organization' }).click()
    await expect.poll(() => page.locator('.flash-ok').textContent()).toContain(`Organization E2E Trading (${slug}) created`)
    expect(await page.locator('tbody tr', { hasText: slug }).count()).toBe(1)

    await page.getByLabel('Slug').fill(slug)
    await page.getByLabel('Name', { exact: true }).fill('Duplicate')
    await page.getByRole('button', { name: 'Create organization' }).click()
    await expect.poll(() => page.locator('.flash-error').textContent()).toContain('already exists')
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Duplicate')
  })

  it('the entitlements matrix saves a change for Pacific Utility, and the CAISO API cell is disabled', async () => {
    const { page } = admin
    await page.goto(url('/admin/entitlements'))
    await expect.poll(() => heading(page).textContent()).toBe('Entitlements')
    const misoHub = page.getByRole('checkbox', { name: 'Pacific Utility MISO Hub', exact: true })
    const caisoHub = page.getByRole('checkbox', { name: 'Pacific Utility CAISO Hub', exact: true })
    const caisoApi = page.getByRole('checkbox', { name: 'Pacific Utility CAISO API: not offered in the pilot' })
    expect(await misoHub.isChecked()).toBe(false)
    expect(await caisoHub.isChecked()).toBe(true)
    expect(await caisoApi.isDisabled()).toBe(true)
    expect(await page.locator('.table-legend').textContent()).toContain('not offered in the pilot: CAISO API')

    await misoHub.check()
    await page.getByRole('button', { name: 'Save entitlements of Pacific Utility' }).click()
    await expect.poll(() => page.locator('.flash-ok').textContent()).toContain('Entitlements of Pacific Utility saved')
    await page.reload()
    expect(await page.getByRole('checkbox', { name: 'Pacific Utility MISO Hub', exact: true }).isChecked()).toBe(true)
    expect(await page.getByRole('checkbox', { name: 'Pacific Utility CAISO Hub', exact: true }).isChecked()).toBe(true)
    expect(await page.getByRole('checkbox', { name: 'Pacific Utility CAISO API: not offered in the pilot' }).isDisabled()).toBe(true)
  })

  it('a market added after the pilot opens to an organization once granted: nav link, market page, then closed again', async () => {
    const { page } = admin
    const cora = await signedIn('Cora Caiso')
    const savePjmHub = async (granted: boolean) => {
      await page.goto(url('/admin/entitlements'))
      await page.getByRole('checkbox', { name: 'Pacific Utility PJM Hub', exact: true }).setChecked(granted)
      await page.getByRole('button', { name: 'Save entitlements of Pacific Utility' }).click()
      await expect.poll(() => page.locator('.flash-ok').textContent()).toContain('Entitlements of Pacific Utility saved')
    }
    let granted = false
    try {
      const navMarkets = async () => (await cora.page.locator('nav .nav-group a').allTextContents()).map((t) => t.trim())
      await cora.page.goto(url('/'))
      // Pacific Utility's hub markets so far (the test before granted it MISO too): never PJM.
      const before = await navMarkets()
      expect(before).toContain('CAISO')
      expect(before).not.toContain('PJM')
      expect((await cora.page.goto(url('/markets/PJM')))!.status()).toBe(403)

      await page.goto(url('/admin/entitlements'))
      expect(await page.getByRole('checkbox', { name: 'Pacific Utility PJM Hub', exact: true }).isChecked()).toBe(false)
      await savePjmHub(true)
      granted = true

      await cora.page.goto(url('/'))
      // The nav keeps the markets' order (MISO, CAISO, PJM, ...): PJM comes after the pilot's two.
      expect(await navMarkets()).toEqual([...before, 'PJM'])
      const market = await cora.page.goto(url('/markets/PJM'))
      expect(market!.status()).toBe(200)
      expect(await heading(cora.page).textContent()).toContain('PJM')
      // The embedded default ingests MISO and CAISO only: PJM's page says it has no prices yet.
      expect(await cora.page.getByText('No prices yet').count()).toBeGreaterThan(0)
    } finally {
      // Closed again for the tests after this one (the access test expects no one to hold PJM).
      if (granted) await savePjmHub(false)
    }
    expect((await cora.page.goto(url('/markets/PJM')))!.status()).toBe(403)
  })

  it('without JavaScript, the matrix saves the change back (plain POST, redirect, GET)', async () => {
    const noJs = await signedIn('Ada Admin', false)
    const page = noJs.page
    await page.goto(url('/admin/entitlements'))
    const misoHub = page.getByRole('checkbox', { name: 'Pacific Utility MISO Hub', exact: true })
    expect(await misoHub.isChecked()).toBe(true)
    await misoHub.uncheck()
    await page.getByRole('button', { name: 'Save entitlements of Pacific Utility' }).click()
    await page.waitForURL((u) => u.searchParams.get('ok')?.startsWith('saved:') ?? false)
    expect(await page.locator('.flash-ok').textContent()).toContain('Entitlements of Pacific Utility saved')
    expect(await page.getByRole('checkbox', { name: 'Pacific Utility MISO Hub', exact: true }).isChecked()).toBe(false)

    // A forged cell the pilot does not offer reaches the service, which refuses it; nothing is granted.
    const organizationId = await page.locator('#org-pacific-utility input[name=organizationId]').inputValue()
    const cookie = (await noJs.browser.context.cookies(baseUrl)).map((c) => `${c.name}=${c.value}`).join('; ')
    const forged = await fetch(url('/admin/entitlements'), {
      method: 'POST',
      headers: { cookie, origin: new URL(baseUrl).origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['organizationId', organizationId],
        ['cell', 'CAISO:hub'],
        ['cell', 'CAISO:downloads'],
        ['cell', 'CAISO:api'],
      ]),
      redirect: 'manual',
    })
    expect(forged.status).toBe(400)
    expect(await forged.text()).toContain('CAISO has no API channel in the pilot')
    await page.reload()
    expect(await page.getByRole('checkbox', { name: 'Pacific Utility CAISO Hub', exact: true }).isChecked()).toBe(true)
    expect(noJs.browser.errors).toEqual([])
  })

  it('the tokens and audit pages render (with their empty or filled states)', async () => {
    const { page } = admin
    expect((await page.goto(url('/admin/tokens')))?.status()).toBe(200)
    await expect.poll(() => heading(page).textContent()).toBe('API tokens')
    expect((await page.goto(url('/admin/audit')))?.status()).toBe(200)
    await expect.poll(() => heading(page).textContent()).toBe('Audit log')
    // The entitlement changes above are in the log, newest first.
    await page.goto(url('/admin/audit?procedure=admin.entitlements.'))
    const rows = page.locator('tbody tr')
    expect(await rows.count()).toBeGreaterThanOrEqual(3)
    expect(await rows.first().textContent()).toContain('admin.entitlements.set')
    expect(await page.locator('tbody tr', { hasText: 'denied' }).first().textContent()).toContain('no API channel')
    await page.goto(url('/admin/audit?procedure=no.such.procedure'))
    expect(await page.locator('.empty-state').textContent()).toContain('No audit rows match')

    // Dates are whole UTC days, both inclusive.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
    await page.goto(url(`/admin/audit?procedure=admin.entitlements.&from=${day(-1)}&to=${day(0)}`))
    expect(await page.locator('tbody tr').count()).toBeGreaterThanOrEqual(3)
    await page.goto(url(`/admin/audit?procedure=admin.entitlements.&from=${day(1)}`))
    expect(await page.locator('.empty-state').textContent()).toContain('No audit rows match')
    await page.goto(url('/admin/audit?from=2025-03-02&to=2025-03-01'))
    expect(await page.locator('.flash-error').textContent()).toContain('after the “to” date')
    const bad = await page.goto(url('/admin/audit?from=2025-13-45'))
    expect(bad?.status()).toBe(400)
    expect(await page.locator('.error-message').textContent()).toContain('from')
  })

  it('pages older rows with a cursor ("Older" link)', async () => {
    // 55 anonymous REST calls: each is a denied audit row.
    for (let i = 0; i < 55; i++) expect((await fetch(url('/api/v1/markets'))).status).toBe(401)
    const { page } = admin
    await page.goto(url('/admin/audit?outcome=denied&procedure=markets.list'))
    expect(await page.locator('tbody tr').count()).toBe(50)
    const firstIds = await page.locator('tbody tr td:first-child time').evaluateAll((els) => els.map((e) => e.getAttribute('dateTime')))
    await page.getByRole('link', { name: 'Older →' }).click()
    await page.waitForURL((u) => u.searchParams.has('cursor') && u.searchParams.get('outcome') === 'denied')
    await expect.poll(() => page.getByRole('link', { name: '⇤ Newest' }).count()).toBe(1)
    const older = await page.locator('tbody tr').count()
    expect(older).toBeGreaterThanOrEqual(5)
    const olderIds = await page.locator('tbody tr td:first-child time').evaluateAll((els) => els.map((e) => e.getAttribute('dateTime')))
    expect(olderIds[0]! <= firstIds.at(-1)!).toBe(true)
  })
})

describe('Quinn Quant (analyst, no admin role)', () => {
  it('gets 403 from every admin page and the CSV export', async () => {
    const { page } = quant
    for (const p of ['/admin', '/admin/users', '/admin/organizations', '/admin/entitlements', '/admin/tokens', '/admin/audit']) {
      const response = await page.goto(url(p))
      expect(response?.status(), p).toBe(403)
      expect(await heading(page).textContent(), p).toBe('Administrators only')
    }
    const cookie = (await quant.browser.context.cookies(baseUrl)).map((c) => `${c.name}=${c.value}`).join('; ')
    expect((await fetch(url('/admin/audit.csv'), { headers: { cookie }, redirect: 'manual' })).status).toBe(403)
    // A POST is refused too (the action checks as well as the loader).
    const post = await fetch(url('/admin/entitlements'), {
      method: 'POST',
      headers: { cookie, origin: new URL(baseUrl).origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'organizationId=00000000-0000-4000-8000-000000000000',
      redirect: 'manual',
    })
    expect(post.status).toBe(403)
    // Anonymous visitors are sent to sign in.
    const anonymous = await fetch(url('/admin/users'), { redirect: 'manual' })
    expect(anonymous.status).toBe(302)
    expect(anonymous.headers.get('location')).toContain('/auth/login')
  })

  let tokenId = ''

  it('creates a token on /settings/tokens, sees it once, calls the API with it, then revokes it', async () => {
    const { page } = quant
    await page.goto(url('/settings/tokens'))
    await expect.poll(() => heading(page).textContent()).toBe('API tokens')
    // Validation: at least one scope (the form is kept).
    await page.getByLabel('Name', { exact: true }).fill('e2e notebook')
    await page.getByRole('checkbox', { name: 'read:prices' }).uncheck()
    await page.getByRole('button', { name: 'Create token' }).click()
    await expect.poll(() => page.locator('.flash-error').textContent()).toContain('at least one scope')
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('e2e notebook')

    await page.getByRole('checkbox', { name: 'read:prices' }).check()
    await page.getByLabel('Expires').selectOption('30')
    await page.getByRole('button', { name: 'Create token' }).click()
    const box = page.locator('.secret-box')
    await expect.poll(() => box.textContent()).toContain('Copy it now: it will not be shown again')
    const token = (await page.locator('#new-token').textContent())?.trim() ?? ''
    expect(token).toMatch(/^cbn_[0-9A-Za-z]{10}_[0-9A-Za-z]{32}$/)
    expect(await box.textContent()).toContain(`Authorization: Bearer ${token}`)
    expect(await box.textContent()).toContain('/api/v1/markets')
    expect(page.url()).not.toContain(token)
    expect(JSON.stringify(await quant.browser.context.cookies())).not.toContain(token)

    const row = page.locator('tbody tr', { hasText: 'e2e notebook' })
    expect(await row.locator('.status').textContent()).toBe('active')
    tokenId = await row.locator('input[name=id]').inputValue()
    const prefix = token.split('_')[1]!
    expect(await row.textContent()).toContain(prefix)

    // Shown once: a reload shows the listing only.
    await page.reload()
    expect(await page.content()).not.toContain(token)
    expect(await page.locator('.secret-box').count()).toBe(0)

    const auth = { headers: { Authorization: `Bearer ${token}` } }
    const ok = await fetch(url('/api/v1/markets'), auth)
    expect(ok.status).toBe(200)
    const body = (await ok.json()) as { markets: { id: string }[] }
    expect(body.markets.map((m) => m.id)).toContain('MISO')
    expect(body.markets.map((m) => m.id)).not.toContain('CAISO')

    await page.locator('tbody tr', { hasText: 'e2e notebook' }).getByRole('button', { name: 'Revoke e2e notebook' }).click()
    await expect.poll(() => page.locator('.flash-ok').textContent()).toContain('is revoked')
    expect(await page.locator('tbody tr', { hasText: 'e2e notebook' }).locator('.status').textContent()).toBe('revoked')
    expect((await fetch(url('/api/v1/markets'), auth)).status).toBe(401)
    expect(quant.browser.errors).toEqual([])
  })

  it('without JavaScript, Ned None creates a token (shown once, never cached) that his organization cannot use on the API', async () => {
    const ned = await signedIn('Ned None', false)
    const page = ned.page
    await page.goto(url('/settings/tokens'))
    // Other end-to-end files share this server and may have given Ned tokens already.
    if ((await page.locator('tbody tr').count()) === 0) {
      expect(await page.locator('.empty-state').textContent()).toContain('No tokens yet')
    }
    await page.getByLabel('Name', { exact: true }).fill('no-js token')
    await page.getByLabel('Expires').selectOption('never')
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/settings/tokens'),
      page.getByRole('button', { name: 'Create token' }).click(),
    ])
    expect(response.status()).toBe(200)
    expect(response.headers()['cache-control']).toBe('no-store')
    await page.locator('.secret-box').waitFor()
    expect(await page.locator('.secret-box').textContent()).toContain('it does not expire')
    const token = (await page.locator('#new-token').textContent())?.trim() ?? ''
    expect(token).toMatch(/^cbn_/)
    expect(await page.locator('tbody tr', { hasText: 'no-js token' }).locator('.status').textContent()).toBe('active')
    // No Access Inc. has no API entitlement: the token is valid but refused.
    expect((await fetch(url('/api/v1/markets'), { headers: { Authorization: `Bearer ${token}` } })).status).toBe(403)
    await page.getByRole('button', { name: 'Revoke no-js token' }).click()
    await page.waitForURL((u) => u.searchParams.get('ok')?.startsWith('revoked:') ?? false)
    expect(await page.locator('.flash-ok').textContent()).toContain('is revoked')
    expect(await page.content()).not.toContain(token)
    expect(ned.browser.errors).toEqual([])
  })

  it('the audit page (as admin) lists the token and its API call, and exports them as CSV', async () => {
    expect(tokenId).toMatch(/^[0-9a-f-]{36}$/)
    const { page } = admin
    await page.goto(url('/admin/tokens'))
    const row = page.locator('tbody tr', { hasText: 'e2e notebook' })
    expect(await row.textContent()).toContain('quant@lakeshore-quant.dev')
    expect(await row.locator('.status').textContent()).toBe('revoked')

    await page.goto(url('/admin/audit'))
    await page.getByLabel('Principal id').fill(tokenId)
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL((u) => u.searchParams.get('principal') === tokenId)
    const call = page.locator('tbody tr', { hasText: 'markets.list' })
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1)
    expect(await call.count()).toBe(1)
    expect(await call.textContent()).toContain('allowed')
    expect(await call.textContent()).toContain('lakeshore-quant')
    expect(await call.textContent()).toContain('api')

    const exportLink = page.getByRole('link', { name: 'Export CSV' })
    expect(await exportLink.getAttribute('href')).toBe(`/admin/audit.csv?principal=${tokenId}`)
    const [download] = await Promise.all([page.waitForEvent('download'), exportLink.click()])
    expect(download.suggestedFilename()).toMatch(/^audit-log_.*\.csv$/)
    const file = await download.path()
    const lines = fs.readFileSync(file, 'utf8').trim().split('\r\n')
    expect(lines[0]).toMatch(/^id,occurred_at,request_id,principal_type,principal_id,organization_id,organization_slug,channel,procedure/)
    expect(lines.length).toBe(2)
    expect(lines[1]).toContain(tokenId)
    expect(lines[1]).toContain('markets.list')

    // The download is audited itself; the token's creation and revocation too (by id, never the secret).
    await page.goto(url('/admin/audit?procedure=admin.audit.csv'))
    expect(await page.locator('tbody tr').first().textContent()).toContain('downloads')
    await page.goto(url('/admin/audit?procedure=settings.tokens.'))
    const text = await page.locator('tbody').textContent()
    expect(text).toContain('settings.tokens.create')
    expect(text).toContain('settings.tokens.revoke')
    expect(text).toContain(tokenId)
    expect(text).not.toMatch(/cbn_[0-9A-Za-z]{10}_[0-9A-Za-z]{32}/)
    expect(admin.browser.errors).toEqual([])
  })
})
