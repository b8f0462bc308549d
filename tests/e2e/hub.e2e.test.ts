import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { cookieHeader, signIn } from './support/browser.ts'

/**
 * The hub end to end, in Debian's Chromium against `carbon serve` with demo data (the global
 * setup in tests/setup/app-server.ts). Server HTML is checked with plain fetch (no JavaScript);
 * flows run once with JavaScript and once without it.
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const MISO_HUBS = ['ARKANSAS.HUB', 'ILLINOIS.HUB', 'INDIANA.HUB', 'LOUISIANA.HUB', 'MICHIGAN.HUB', 'MINN.HUB', 'MS.HUB', 'TEXAS.HUB']
const CAISO_HUBS = ['TH_SP15_GEN-APND', 'TH_NP15_GEN-APND', 'TH_ZP26_GEN-APND']
const PRICE = /^−?[\d,]+\.\d{2}$/

type Browser = { context: BrowserContext; dir: string; errors: string[] }
const browsers: Browser[] = []

/**
 * A Chromium with a fresh temporary profile. Playwright refuses `--user-data-dir` in `args`
 * (it must be the first argument of launchPersistentContext), so the fresh directory goes there.
 */
async function launch(javaScriptEnabled: boolean): Promise<Browser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-e2e-chromium-'))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    args: ARGS,
    viewport: { width: 1440, height: 900 },
    javaScriptEnabled,
    acceptDownloads: true,
  })
  const browser = { context, dir, errors: [] as string[] }
  context.on('weberror', (e) => browser.errors.push(`pageerror: ${e.error().message}`))
  context.on('console', (m) => {
    if (m.type() === 'error') browser.errors.push(`console.error: ${m.text()}`)
  })
  browsers.push(browser)
  return browser
}

let js: Browser
let noJs: Browser
let cookie = ''

/** Plain HTTP as the signed-in admin (the server HTML, no JavaScript). */
const authedFetch = (input: string) => fetch(input, { headers: { cookie } })

beforeAll(async () => {
  js = await launch(true)
  noJs = await launch(false)
  // Every hub page needs a signed-in, entitled user: Ada Admin has MISO and CAISO in the hub.
  for (const b of [js, noJs]) {
    const page = await b.context.newPage()
    await signIn(page, baseUrl, 'Ada Admin')
    await page.close()
  }
  cookie = await cookieHeader(js.context, baseUrl)
})

afterAll(async () => {
  for (const b of browsers) {
    await b.context.close()
    fs.rmSync(b.dir, { recursive: true, force: true })
  }
})

async function newPage(b: Browser): Promise<Page> {
  const page = await b.context.newPage()
  page.setDefaultTimeout(30_000)
  return page
}

/** Table cell text as a plain number string ("1,234.50" -> "1234.50", "−3.10" -> "-3.10", "—" -> ""). */
function plain(text: string): string {
  const t = text.trim()
  if (t === '—') return ''
  return t.replace(/,/g, '').replace(/\u2212/g, '-')
}

function parseCsv(text: string): string[][] {
  return text
    .split(/\r\n/)
    .filter((line) => line.length > 0)
    .map((line) => line.split(','))
}

async function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('th, td')).map((cell) => (cell.textContent ?? '').trim())),
  )
}

describe('overview', () => {
  it('server-renders both markets with sparkline SVGs and node links (no JavaScript)', async () => {
    const res = await authedFetch(url('/'))
    expect(res.status).toBe(200)
    const html = await res.text()
    for (const hub of MISO_HUBS) expect(html).toContain(`href="/markets/MISO/nodes/${hub}"`)
    for (const hub of CAISO_HUBS) expect(html).toContain(`href="/markets/CAISO/nodes/${hub}"`)
    const sparklines = html.match(/<svg class="sparkline[^"]*"[^>]*viewBox="0 0 \d+ \d+"[^>]*>[\s\S]*?<polyline/g) ?? []
    expect(sparklines.length).toBeGreaterThanOrEqual(MISO_HUBS.length + CAISO_HUBS.length)
    expect(html).not.toContain('No prices yet')
  })

  it('lists MISO and CAISO hubs with latest DA and RT5 prices', async () => {
    const page = await newPage(js)
    await page.goto(url('/'))
    for (const hub of [...MISO_HUBS, ...CAISO_HUBS]) {
      const row = page.locator('table.board-table tbody tr', { has: page.getByRole('link', { name: hub, exact: true }) })
      expect(await row.count(), hub).toBe(1)
      const prices = await row.locator('td.num.strong').allTextContents()
      expect(prices, hub).toHaveLength(2)
      for (const p of prices) expect(p.trim(), hub).toMatch(PRICE)
      expect(await row.locator('svg.sparkline').count(), hub).toBe(1)
    }
    const marketHeadings = await page.locator('.panel-header h2 a').allTextContents()
    expect(marketHeadings).toEqual(['MISO', 'CAISO'])
    await page.screenshot({ path: '/tmp/hub-overview.png', fullPage: true })
    await page.close()
  })
})

describe('node page', () => {
  it('has the chart SVG in the server HTML', async () => {
    const res = await authedFetch(url('/markets/MISO/nodes/INDIANA.HUB'))
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(/<svg[^>]*class="recharts-surface"/)
    expect(html).toMatch(/class="recharts-curve recharts-line-curve"[^>]*d="M[\d.]+,[\d.]+L/)
    expect(html).toContain('<table class="data-table history-table" data-resolution="hourly"')
  })

  it('switches to daily, and the CSV download matches the table', async () => {
    const page = await newPage(js)
    await page.goto(url('/markets/MISO/nodes/INDIANA.HUB'))
    await page.locator('.recharts-surface').first().waitFor()
    const hourly = await tableRows(page, 'table.history-table')
    expect(hourly.length).toBeGreaterThan(24)
    expect(hourly[0]?.[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/)
    await page.screenshot({ path: '/tmp/hub-node.png', fullPage: true })

    await page.getByRole('navigation', { name: 'Resolution' }).getByRole('link', { name: 'Daily' }).click()
    await page.waitForURL(/resolution=daily/)
    await page.locator('table.history-table[data-resolution="daily"]').waitFor()
    const daily = await tableRows(page, 'table.history-table')
    expect(daily.length).toBeGreaterThanOrEqual(7)
    expect(daily.length).toBeLessThanOrEqual(8)
    expect(daily[0]?.[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(daily).not.toEqual(hourly)
    const headers = await page.locator('table.history-table thead th').allTextContents()
    expect(headers).toContain('DA on-peak')

    const link = page.getByRole('link', { name: 'Download CSV' })
    expect(await link.getAttribute('href')).toContain('resolution=daily')
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    expect(download.suggestedFilename()).toMatch(/^MISO_INDIANA\.HUB_.*daily.*\.csv$/)
    const file = await download.path()
    const csv = parseCsv(fs.readFileSync(file, 'utf8'))
    const [header, ...body] = csv
    expect(header?.slice(0, 2)).toEqual(['interval_start_local', 'interval_start_utc'])
    expect(header).toHaveLength(headers.length + 1)
    expect(body).toHaveLength(daily.length)
    body.forEach((csvRow, i) => {
      const tableRow = daily[i]!
      expect(csvRow[0]).toBe(tableRow[0])
      expect(csvRow.slice(2)).toEqual(tableRow.slice(1).map(plain))
    })

    const res = await authedFetch(url((await link.getAttribute('href'))!))
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/)
    await page.close()
    expect(js.errors).toEqual([])
  })

  it('raw over 90 days renders a page, not a crash', async () => {
    const res = await authedFetch(url('/markets/MISO/nodes/INDIANA.HUB?range=90d&resolution=raw'))
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html.includes('class="notice"') || html.includes('data-resolution="raw"')).toBe(true)
  })
})

describe('node search', () => {
  it("finds INDIANA.HUB for 'IND' and opens its node page", async () => {
    const page = await newPage(js)
    await page.goto(url('/nodes'))
    await page.getByLabel('Name starts with').fill('IND')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL(/[?&]q=IND/)
    const link = page.locator('table.search-table').getByRole('link', { name: 'INDIANA.HUB', exact: true })
    await link.click()
    await page.waitForURL(/\/markets\/MISO\/nodes\/INDIANA\.HUB$/)
    await page.getByRole('heading', { level: 1, name: /INDIANA\.HUB/ }).waitFor()
    await page.locator('.recharts-surface').first().waitFor()
    await page.close()
  })

  it('works without JavaScript: GET form, result link, resolution switch', async () => {
    const page = await newPage(noJs)
    await page.goto(url('/'))
    await page.getByRole('link', { name: 'Node search' }).click()
    await page.waitForURL(/\/nodes$/)
    await page.getByLabel('Name starts with').fill('IND')
    await page.getByRole('combobox', { name: 'Market', exact: true }).selectOption('MISO')
    await Promise.all([page.waitForURL(/q=IND/), page.getByRole('button', { name: 'Search' }).click()])
    expect(page.url()).toContain('market=MISO')
    await Promise.all([
      page.waitForURL(/INDIANA\.HUB$/),
      page.locator('table.search-table').getByRole('link', { name: 'INDIANA.HUB', exact: true }).click(),
    ])
    expect(await page.locator('svg.recharts-surface').count()).toBeGreaterThan(0)
    await Promise.all([
      page.waitForURL(/resolution=daily/),
      page.getByRole('navigation', { name: 'Resolution' }).getByRole('link', { name: 'Daily' }).click(),
    ])
    expect(await page.locator('table.history-table').getAttribute('data-resolution')).toBe('daily')
    await page.close()
  })
})

describe('errors', () => {
  it('an unknown node gives the 404 page', async () => {
    const res = await authedFetch(url('/markets/MISO/nodes/NO.SUCH.NODE'))
    expect(res.status).toBe(404)
    const html = await res.text()
    expect(html).toContain('Pricing node not found')
    expect(html).toContain('href="/nodes?q=NO."')

    const page = await newPage(js)
    const response = await page.goto(url('/markets/MISO/nodes/NO.SUCH.NODE'))
    expect(response?.status()).toBe(404)
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Pricing node not found')
    expect(await page.getByRole('link', { name: 'Market overview' }).count()).toBeGreaterThan(0)
    await page.close()
  })

  it('an unknown market or page is a 404 and a bad parameter a 400 with its message', async () => {
    expect((await authedFetch(url('/markets/ENTSOE'))).status).toBe(404)
    expect((await authedFetch(url('/no/such/page'))).status).toBe(404)
    const bad = await authedFetch(url('/markets/MISO/nodes/INDIANA.HUB?resolution=weekly'))
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('resolution')
  })
})
