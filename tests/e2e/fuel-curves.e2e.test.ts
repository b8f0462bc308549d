import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parseCsv } from '../support/csv.ts'
import { cookieHeader, launchBrowser, signIn } from './support/browser.ts'

/**
 * The fuel forward curve pages (issue 18) in Chromium against `carbon serve` with demo data (a house
 * build of Henry Hub and of JKM - Henry Hub at first start): the list linked from /gas, the Henry Hub
 * curve (chart, periods, quotes repriced to their prices), its CSV, an analyst's build of the TTF
 * basis from pasted quotes (and a refused CSV naming line, field and value), and access: a user
 * without LNG, or without any product, gets 403.
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()

type Session = { browser: Awaited<ReturnType<typeof launchBrowser>>; page: Page; errors: string[]; cookie: string }
const sessions: Session[] = []

/** A signed-in Chromium collecting page and console errors (a form answered 400 logs a failed load: not an error here). */
async function session(displayName: string): Promise<Session> {
  const browser = await launchBrowser()
  const errors: string[] = []
  browser.context.on('weberror', (e) => errors.push(`pageerror: ${e.error().message}`))
  browser.context.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 400/.test(m.text())) errors.push(`console.error: ${m.text()}`)
  })
  const page = await browser.context.newPage()
  page.setDefaultTimeout(30_000)
  await page.setViewportSize({ width: 1440, height: 900 })
  await signIn(page, baseUrl, displayName)
  const s = { browser, page, errors, cookie: await cookieHeader(browser.context, baseUrl) }
  sessions.push(s)
  return s
}

let cora: Session
let analyst: Session

beforeAll(async () => {
  cora = await session('Cora Caiso') // viewer of Pacific Utility: GAS in the hub, no LNG, no builds of her own
  analyst = await session('Alan Analyst') // analyst of Prairie Trading: GAS and LNG in the hub, no downloads
})

afterAll(async () => {
  for (const s of sessions) await s.browser.close()
})

async function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('th, td')).map((cell) => (cell.textContent ?? '').trim())),
  )
}

const FUEL_PRICE = /^−?\d+\.\d{3}$/

describe('the demo Henry Hub curve', () => {
  it('is linked from /gas and listed with its house build', async () => {
    const { page } = cora
    await page.goto(url('/gas'))
    await page.getByRole('link', { name: 'Forward curves' }).click()
    await page.waitForURL((u) => u.pathname === '/gas/curves')
    await page.getByRole('heading', { level: 1, name: /Natural gas forward curves/ }).waitFor()
    const henry = page.locator('tr[data-curve="HENRY_HUB"]')
    expect(await page.locator('tr[data-curve]').first().getAttribute('data-curve')).toBe('HENRY_HUB')
    expect(await henry.locator('[data-as-of]').textContent()).toMatch(/^\d{4}-\d{2}-\d{2}/)
    expect(await henry.textContent()).toContain('254Carbon')
    expect(cora.errors).toEqual([])
  })

  it('renders the chart, the standard view to Cal-2050 and every quote repriced to its price', async () => {
    const { page } = cora
    await page.goto(url('/gas/curves/HENRY_HUB'))
    await page.getByRole('heading', { level: 1, name: /Henry Hub gas/ }).waitFor()
    const quotes = await tableRows(page, 'table.fuel-curve-quotes')
    expect(quotes.length).toBeGreaterThanOrEqual(18)
    for (const [contract, , price, repriced] of quotes) {
      expect(price, contract).toMatch(FUEL_PRICE)
      expect(repriced, contract).toBe(price)
    }
    expect(Number(await page.locator('figure.curve-chart').getAttribute('data-quotes'))).toBe(quotes.length)
    expect(await page.locator('figure.curve-chart').getAttribute('data-last-period')).toBe('Cal-2050')
    expect(await page.locator('figure.curve-chart svg').count()).toBeGreaterThan(0)
    const periods = await tableRows(page, 'table.fuel-curve-periods')
    expect(periods.at(-1)![0]).toBe('Cal-2050')
    expect(periods.filter((r) => /-Q\d$/.test(r[0]!)).length).toBeGreaterThanOrEqual(37)
    // A viewer sees no build form.
    expect(await page.locator('form.curve-build-form').count()).toBe(0)
    expect(cora.errors).toEqual([])
  })

  it('downloads the periods as CSV for a user with the downloads channel, and refuses it without', async () => {
    const admin = await session('Ada Admin') // GAS and LNG in the hub, API and downloads
    const page = await fetch(url('/gas/curves/HENRY_HUB?granularity=annual'), { headers: { cookie: admin.cookie } })
    const html = await page.text()
    const href = /href="(\/gas\/curves\/HENRY_HUB\.csv\?[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&')
    expect(href).toBeDefined()
    const csv = await fetch(url(href!), { headers: { cookie: admin.cookie } })
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-disposition')).toMatch(/GAS_HENRY_HUB_\d{4}-\d{2}-\d{2}_v\d+_annual\.csv/)
    const [header, ...rows] = parseCsv(await csv.text())
    expect(header).toEqual(['period', 'first', 'last', 'months', 'days', 'price', 'unit'])
    expect(rows.at(-1)).toEqual(expect.arrayContaining(['Cal-2050', '2050-01', '2050-12', '12', '365', 'USD/MMBtu']))
    expect((await fetch(url('/gas/curves/HENRY_HUB.csv'), { headers: { cookie: analyst.cookie } })).status).toBe(403)
  })
})

describe('a build from the form', () => {
  const year = new Date().getUTCFullYear() + 1

  it('builds the TTF basis from pasted quotes (a negative month too) and shows them repriced', async () => {
    const { page } = analyst
    await page.goto(url('/lng'))
    await page.getByRole('link', { name: 'Basis curves' }).click()
    await page.waitForURL((u) => u.pathname === '/lng/curves')
    await page.locator('tr[data-curve="TTF-HH"] a').click()
    await page.waitForURL((u) => u.pathname === '/lng/curves/TTF-HH')
    await page.getByText('No TTF - Henry Hub basis curve built yet').waitFor()
    const entered = ['contract,price,bid,ask', `${year}-03,7.450,,`, `${year}-Q2,5.100,,`, `${year}-Q3,-0.350,,`, `Cal-${year + 1},6.200,6.100,6.300`].join('\n')
    await page.locator('#fuel-build-quotes').fill(entered)
    await page.getByRole('button', { name: 'Build curve' }).click()
    await page.waitForURL((u) => u.pathname === '/lng/curves/TTF-HH' && u.searchParams.has('asOf'))
    await page.locator('[data-current-version]').waitFor()
    expect(Number(await page.locator('[data-current-version]').textContent())).toBe(1)
    const quotes = await tableRows(page, 'table.fuel-curve-quotes')
    expect(quotes.map((r) => r[0])).toEqual([`${year}-03`, `${year}-Q2`, `${year}-Q3`, `Cal-${year + 1}`])
    for (const [contract, , price, repriced] of quotes.slice(0, 3)) expect(repriced, contract).toBe(price)
    expect(quotes[2]![2]).toBe('−0.350')
    expect(analyst.errors).toEqual([])
  })

  it('refuses a bad CSV line naming line, field and value, keeping the text', async () => {
    const { page } = analyst
    await page.goto(url('/gas/curves/WAHA'))
    const entered = `contract,price\n${year}-01,2.10\n${year}-13,abc\n`
    await page.locator('#fuel-build-quotes').fill(entered)
    await page.getByRole('button', { name: 'Build curve' }).click()
    const message = page.locator('.curve-build-message')
    await message.waitFor()
    const said = (await message.textContent()) ?? ''
    expect(said).toContain('The curve was not built.')
    expect(said).toContain(`line 3, field contract, contract ${year}-13, value "${year}-13"`)
    expect(said).toContain('field price')
    expect(await page.locator('#fuel-build-quotes').inputValue()).toBe(entered)
  })
})

describe('access', () => {
  it('refuses LNG curves to a user without LNG and every fuel curve to an organization without products', async () => {
    const get = (p: string, cookie: string) => fetch(url(p), { headers: { cookie }, redirect: 'manual' })
    for (const p of ['/lng/curves', '/lng/curves/JKM-HH']) {
      const res = await get(p, cora.cookie)
      expect(res.status, p).toBe(403)
      expect(await res.text()).toContain('LNG')
    }
    const post = await fetch(url('/gas/curves/HENRY_HUB'), { method: 'POST', headers: { cookie: cora.cookie }, body: new FormData() })
    expect(post.status).toBe(403)
    const ned = await session('Ned None')
    for (const p of ['/gas/curves', '/gas/curves/HENRY_HUB', '/lng/curves']) expect((await get(p, ned.cookie)).status, p).toBe(403)
    await ned.page.goto(url('/gas/curves'))
    expect(await ned.page.locator('.error-code').textContent()).toBe('403')
  })
})
