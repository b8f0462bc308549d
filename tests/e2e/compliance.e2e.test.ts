import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { lighthouseAxeViolations } from './support/axe.ts'
import { cookieHeader, createApiTokenInHub, launchBrowser, sessionFor, signIn } from './support/browser.ts'

/**
 * Compliance tracking in Debian's Chromium against `carbon serve` (embedded stores, the demo
 * organizations): Alan Analyst (Prairie Trading: LCFS and REC in the hub, role analyst) records an
 * NJ RPS obligation, two lots and a retirement through the forms and reads the positions; a refused
 * entry names its field; removing a lot a retirement draws on is refused. Cora Caiso (Pacific
 * Utility, viewer) reads but cannot write; Ned None (no entitlement) gets 403; Lakeshore Quant
 * (another organization, through the API) sees none of Prairie's entries and gets 404 removing one.
 */

const baseUrl = inject('baseUrl')
const origin = new URL(baseUrl).origin
const url = (p: string) => new URL(p, baseUrl).toString()
/** A compliance year no other test file records for Prairie on the shared server. */
const YEAR = 2029
const today = new Date().toISOString().slice(0, 10)

type Session = { browser: Awaited<ReturnType<typeof launchBrowser>>; page: Page; errors: string[]; cookie: string }
let analyst: Session
let quantToken = ''
const others: { close(): Promise<void> }[] = []

beforeAll(async () => {
  const browser = await launchBrowser()
  const errors: string[] = []
  browser.context.on('weberror', (e) => errors.push(`pageerror: ${e.error().message}`))
  browser.context.on('console', (m) => {
    // A refused form answers 400/404 on purpose below; the browser logs each such response.
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) errors.push(`console.error: ${m.text()}`)
  })
  const page = await browser.context.newPage()
  page.setDefaultTimeout(30_000)
  await signIn(page, baseUrl, 'Alan Analyst')
  analyst = { browser, page, errors, cookie: await cookieHeader(browser.context, baseUrl) }

  const quant = await sessionFor(baseUrl, 'Quinn Quant')
  others.push(quant)
  quantToken = await createApiTokenInHub(quant.page, baseUrl, 'compliance-e2e', ['read:prices', 'write:compliance'])
}, 240_000)

afterAll(async () => {
  await analyst?.browser.close()
  for (const other of others) await other.close()
})

const formTitled = (page: Page, title: string) => page.locator('form', { has: page.getByRole('heading', { name: title }) })

/** Fills a form's fields by label (a select by its option), submits it and waits for the page it leads to. */
async function submit(page: Page, form: Locator, fields: Record<string, string>, button: string): Promise<void> {
  for (const [label, value] of Object.entries(fields)) {
    const field = form.getByLabel(label, { exact: true })
    if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value)
    else await field.fill(value)
  }
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.startsWith('/compliance/')),
    form.getByRole('button', { name: button }).click(),
  ])
  await page.waitForLoadState('networkidle')
}

/** Obligation, retired, remaining, holdings and position of one row of the positions table, as shown. */
async function positionRow(page: Page, cls: string): Promise<string[]> {
  const row = page.locator(`table.compliance-positions tr[data-period="${YEAR}"][data-class="${cls}"]`)
  await row.waitFor()
  const cells = await row.locator('td').allTextContents()
  return cells.slice(1, 6).map((c) => c.trim())
}

/**
 * Expects the row to show `expected` within 15 s. A form's POST answers before the page has
 * revalidated its loader (and `networkidle` may already hold), so a read right after the answer
 * can see the previous position.
 */
async function expectRow(page: Page, cls: string, expected: string[]): Promise<void> {
  const deadline = Date.now() + 15_000
  let seen = await positionRow(page, cls)
  while (JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < deadline) {
    await page.waitForTimeout(100)
    seen = await positionRow(page, cls)
  }
  expect(seen).toEqual(expected)
}

describe('an analyst records a year through the hub and sees the position', () => {
  it('finds the programs of both products on /compliance', async () => {
    const { page } = analyst
    const res = await page.goto(url('/compliance'))
    expect(res?.status()).toBe(200)
    await page.getByRole('heading', { level: 1, name: 'Compliance' }).waitFor()
    expect(await page.getByRole('heading', { level: 2, name: /California Low Carbon Fuel Standard/ }).count()).toBe(1)
    await page.getByRole('link', { name: 'New Jersey Renewable Portfolio Standard' }).click()
    await page.waitForURL((u) => u.pathname === '/compliance/NJ_RPS')
    await page.getByRole('heading', { level: 1, name: /New Jersey Renewable Portfolio Standard/ }).waitFor()
  })

  it('records the obligation, two lots and a retirement; the positions follow', async () => {
    const { page } = analyst
    await submit(
      page,
      formTitled(page, 'Record an obligation'),
      { 'Compliance year': String(YEAR), Class: 'CLASS_I', 'Retail sales (MWh)': '100,000', Percentage: '35', 'SOLAR percentage': '5' },
      'Record obligation',
    )
    await page.getByText('Obligation recorded.', { exact: true }).waitFor()
    // Obligation only: Class I 30 % of 100,000 MWh, SOLAR 5 %; nothing held.
    await expectRow(page, 'CLASS_I', ['30,000', '0', '30,000', '0', '\u221230,000'])

    await submit(page, formTitled(page, 'Record a holding lot'), { Class: 'CLASS_I', Vintage: String(YEAR), Quantity: '20000' }, 'Record lot')
    await submit(page, formTitled(page, 'Record a holding lot'), { Class: 'SOLAR', Vintage: String(YEAR - 1), Quantity: '6000' }, 'Record lot')
    await submit(
      page,
      formTitled(page, 'Record a retirement'),
      { 'Compliance year': String(YEAR), Class: 'SOLAR', Vintage: String(YEAR - 1), Quantity: '1000', 'Date retired': today },
      'Record retirement',
    )
    await page.getByText('Retirement recorded.', { exact: true }).waitFor()

    await expectRow(page, 'CLASS_I', ['30,000', '0', '30,000', '20,000', '\u221210,000'])
    await expectRow(page, 'SOLAR', ['5,000', '1,000', '4,000', '5,000', '1,000'])
    // Valued at the latest stored Class I quote of the nearest vintage, with its series and date, or saying none is stored.
    const cells = (await page.locator(`table.compliance-positions tr[data-period="${YEAR}"][data-class="CLASS_I"] td`).allTextContents()).map((c) => c.trim())
    const quoted = /^([\d,.]+) (REC\.NJ\.CLASS_I\.\d{4}) · (\d{4}-\d{2}-\d{2})$/.exec(cells[6] ?? '')
    if (quoted) {
      const cents = Math.round(Number(quoted[1]!.replace(/,/g, '')) * 100)
      const dollars = ((10_000 * cents) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })
      expect([cells[7], cells[8]]).toEqual([`\u2212$${dollars}`, `$${dollars}`])
    } else {
      expect([cells[6], cells[7]]).toEqual(['—', 'no REC.NJ.CLASS_I.* quote stored'])
    }
    const chart = page.getByRole('img', { name: /Position by compliance year/ })
    expect(await chart.getAttribute('aria-label')).toContain(`${YEAR}: CLASS_I \u221210,000, SOLAR 1,000`)
    expect(await page.locator('tr[data-entry]').count()).toBeGreaterThanOrEqual(4)
    expect(analyst.errors).toEqual([])
  })

  it('refuses a fractional certificate and a retirement beyond the lot, naming the field, program and year', async () => {
    const { page } = analyst
    const lot = formTitled(page, 'Record a holding lot')
    await submit(page, lot, { Class: 'CLASS_I', Vintage: String(YEAR), Quantity: '10.5' }, 'Record lot')
    await expect.poll(() => formTitled(page, 'Record a holding lot').getByRole('alert').textContent()).toBe('Quantity: whole certificates (1 unit = 1 MT or 1 MWh)')
    expect(await formTitled(page, 'Record a holding lot').getByLabel('Quantity', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    expect(await formTitled(page, 'Record a holding lot').getByLabel('Quantity', { exact: true }).inputValue()).toBe('10.5')

    await submit(
      page,
      formTitled(page, 'Record a retirement'),
      { 'Compliance year': String(YEAR), Class: 'SOLAR', Vintage: String(YEAR - 1), Quantity: '5001', 'Date retired': today },
      'Record retirement',
    )
    const alert = await formTitled(page, 'Record a retirement').getByRole('alert').textContent()
    expect(alert).toBe(`Quantity: only 5000 of SOLAR vintage ${YEAR - 1} held and not yet retired (program NJ_RPS, period ${YEAR}, class SOLAR; found "5001")`)
    await expectRow(page, 'SOLAR', ['5,000', '1,000', '4,000', '5,000', '1,000'])
  })

  it('refuses removing the lot a retirement draws on; removing the retirement first, then the lot, goes through', async () => {
    const { page } = analyst
    await page.goto(url('/compliance/NJ_RPS'))
    const solarLot = page.getByRole('button', { name: `Remove the lot of 6000 SOLAR vintage ${YEAR - 1}` })
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), solarLot.click()])
    await page.waitForLoadState('networkidle')
    const refusal = await page.locator('.flash-error').first().textContent()
    expect(refusal).toMatch(/only 0 of SOLAR vintage 2028 held and not yet retired \(program NJ_RPS, period 2029, class SOLAR; found "1000"\): removing these entries/)

    const retirement = page.getByRole('button', { name: `Remove the retirement of 1000 SOLAR vintage ${YEAR - 1} against ${YEAR}` })
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), retirement.click()])
    await page.getByText('Entry removed.', { exact: true }).waitFor()
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), solarLot.click()])
    await page.waitForLoadState('networkidle')
    await expectRow(page, 'SOLAR', ['5,000', '0', '5,000', '0', '\u22125,000'])
    expect(analyst.errors).toEqual([])
  })
})

describe('accessibility (axe-core under Lighthouse\'s rules)', () => {
  it('the overview and the program page, with positions, chart, forms and entries, have no violations', async () => {
    const { page } = analyst
    for (const path of ['/compliance', '/compliance/NJ_RPS']) {
      const res = await page.goto(url(path))
      expect(res?.status()).toBe(200)
      await page.waitForLoadState('load')
      const violations = await lighthouseAxeViolations(page)
      expect(violations.flatMap((v) => v.nodes.map((n) => `${path} ${v.id}: ${n.target.join(' ')} (${v.help})`))).toEqual([])
    }
  })
})

describe('who else may see and write it', () => {
  it("another organization (through the API) sees none of Prairie's entries, and gets 404 removing one", async () => {
    const listed = await fetch(`${baseUrl}/api/trpc/compliance.entries?input=${encodeURIComponent(JSON.stringify({ product: 'REC', program: 'NJ_RPS' }))}`, {
      headers: { cookie: analyst.cookie },
    })
    expect(listed.status).toBe(200)
    const prairie = ((await listed.json()) as { result: { data: { lots: { id: string }[] } } }).result.data
    const lotId = prairie.lots[0]!.id

    const auth = { authorization: `Bearer ${quantToken}` }
    const theirs = await fetch(`${baseUrl}/api/v1/compliance/entries?product=REC`, { headers: auth })
    expect(theirs.status).toBe(200)
    expect(await theirs.text()).not.toContain(lotId)
    const removed = await fetch(`${baseUrl}/api/v1/compliance/entries/remove`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ product: 'REC', lots: [lotId] }),
    })
    expect(removed.status).toBe(404)
    expect(await removed.text()).toContain(`no holding lot ${lotId} among your organization's REC entries`)
    // Prairie Trading has REC in the hub only: its session's positions answer, the API would not.
    const positions = await fetch(`${baseUrl}/api/v1/compliance/positions?product=REC`, { headers: auth })
    expect(positions.status).toBe(200)
  })

  it('a viewer reads the page without forms, and a post of the form is refused with 403', async () => {
    const viewer = await sessionFor(baseUrl, 'Cora Caiso')
    others.push(viewer)
    const page = await fetch(url('/compliance/NJ_RPS'), { headers: { cookie: viewer.cookie } })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('needs the analyst role')
    expect(html).not.toContain('Record obligation')
    const form = new URLSearchParams({ intent: 'lot', class: 'SOLAR', vintage: '2026', quantity: '1' })
    const post = await fetch(url('/compliance/NJ_RPS'), { method: 'POST', headers: { cookie: viewer.cookie, origin, 'content-type': 'application/x-www-form-urlencoded' }, body: form })
    expect(post.status).toBe(403)
    expect(await post.text()).toContain('This requires the analyst role')
    const trpc = await fetch(`${baseUrl}/api/trpc/compliance.record`, {
      method: 'POST',
      headers: { cookie: viewer.cookie, origin, 'content-type': 'application/json' },
      body: JSON.stringify({ product: 'REC', lots: [{ program: 'NJ_RPS', class: 'SOLAR', vintage: 2026, quantity: 1 }] }),
    })
    expect(trpc.status).toBe(403)
  })

  it('an organization entitled to neither LCFS nor REC gets 403 on the pages and the procedures', async () => {
    const none = await sessionFor(baseUrl, 'Ned None')
    others.push(none)
    const overview = await fetch(url('/compliance'), { headers: { cookie: none.cookie } })
    expect(overview.status).toBe(403)
    expect(await overview.text()).toContain('entitled to neither LCFS nor REC through the hub')
    for (const program of ['CA_LCFS', 'NJ_RPS']) {
      const res = await fetch(url(`/compliance/${program}`), { headers: { cookie: none.cookie } })
      expect(res.status, program).toBe(403)
    }
    const trpc = await fetch(`${baseUrl}/api/trpc/compliance.positions?input=${encodeURIComponent(JSON.stringify({ product: 'LCFS' }))}`, { headers: { cookie: none.cookie } })
    expect(trpc.status).toBe(403)
    expect((await fetch(url('/compliance/NOPE'), { headers: { cookie: analyst.cookie } })).status).toBe(404)
  })
})
