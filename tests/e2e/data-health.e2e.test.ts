import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { lighthouseAxeViolations } from './support/axe.ts'
import { launchBrowser, sessionFor, signIn } from './support/browser.ts'

/**
 * The Data health page in Debian's Chromium against `carbon serve` with demo data (seeded straight
 * into `prices`, ingest off): every demo dataset of the user's markets is listed with its
 * completeness, the chart follows the chosen dataset, access follows the hub entitlements and
 * every view is audited. Beside power, the demo's series (every series reader's fixture, stored
 * at first start) are listed per dataset with completeness, gaps and lateness, for the products
 * (and the markets' fundamentals) each user may see in the hub.
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()

/** The demo generator writes one source for several runs: DA and RT5 in MISO, DA, RT15 and RT5 in CAISO. */
const DEMO_DATASETS = {
  MISO: ['demo.generated:DA', 'demo.generated:RT5'],
  CAISO: ['demo.generated:DA', 'demo.generated:RT15', 'demo.generated:RT5'],
} as const

let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page
const errors: string[] = []

beforeAll(async () => {
  browser = await launchBrowser()
  browser.context.on('weberror', (e) => errors.push(`pageerror: ${e.error().message}`))
  browser.context.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`)
  })
  page = await browser.context.newPage()
  await signIn(page, baseUrl, 'Ada Admin')
})

afterAll(async () => {
  await browser?.close()
})

const datasetRow = (market: string, dataset: string) =>
  page.locator(`section[aria-labelledby="health-${market}"] tbody tr`).filter({ has: page.locator('th', { hasText: dataset }) })

describe('data health page', () => {
  it('sends a signed-out visitor to sign in', async () => {
    const res = await fetch(url('/data-health'), { redirect: 'manual' })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toContain('/auth/login')
  })

  it("lists both demo markets' datasets with a completeness figure, from the main nav", async () => {
    await page.goto(url('/'))
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data health' }).click()
    await page.waitForURL((u) => u.pathname === '/data-health')
    // Client-side navigation: the URL changes before the new page has rendered.
    await page.getByRole('heading', { level: 1, name: 'Data health' }).waitFor()
    expect(await page.getByRole('link', { name: 'Data health' }).getAttribute('aria-current')).toBe('page')

    for (const [market, datasets] of Object.entries(DEMO_DATASETS)) {
      expect(await page.locator(`h2#health-${market}`).textContent()).toContain(market)
      for (const dataset of datasets) {
        const row = datasetRow(market, dataset)
        expect(await row.count(), `${market} ${dataset}`).toBe(1)
        // Every demo interval carries every demo node of its market: complete over the last 24 h.
        expect(await row.locator('[data-completeness]').textContent(), `${market} ${dataset}`).toBe('100%')
        const cells = await row.locator('td').allTextContents()
        expect(cells[2], `${market} ${dataset} nodes`).toMatch(/^\d+$/) // expected nodes
        expect(cells[3], `${market} ${dataset} gaps`).toBe('0')
        // Demo data is written straight into prices, so its age comes from the price table.
        expect(cells[6], `${market} ${dataset} freshness`).toMatch(/ago/)
      }
    }
    // No dataset chosen: the chart shows the first one with intervals in the window.
    expect(await page.locator('#completeness-chart-title').textContent()).toContain('MISO · demo.generated:DA')
    expect(await page.locator('#completeness-chart svg.recharts-surface').count()).toBe(1)
    expect(errors).toEqual([])
  })

  it('charts the dataset picked in the table and keeps it across windows', async () => {
    await page.goto(url('/data-health'))
    await datasetRow('CAISO', 'demo.generated:RT15').locator('th a').click()
    await page.waitForURL((u) => u.searchParams.get('dataset') === 'demo.generated:RT15')
    await page.locator('#completeness-chart-title', { hasText: 'CAISO · demo.generated:RT15' }).waitFor()
    expect(await page.locator('#completeness-chart .panel-meta').textContent()).toMatch(/ of 15 min /)

    await page.getByRole('navigation', { name: 'Window' }).getByRole('link', { name: '7 days' }).click()
    await page.waitForURL((u) => u.searchParams.get('window') === '7d')
    await page.getByRole('navigation', { name: 'Window' }).locator('[aria-current="page"]', { hasText: '7 days' }).waitFor()
    expect(await page.locator('#completeness-chart-title').textContent()).toContain('CAISO · demo.generated:RT15')
    // About 7 days of 15-minute intervals (672, less the ones after the demo's last interval).
    const meta = await page.locator('#completeness-chart .panel-meta').textContent()
    expect(Number(/([\d,]+) intervals of 15 min/.exec(meta ?? '')?.[1]?.replace(',', ''))).toBeGreaterThan(660)
    expect(await datasetRow('CAISO', 'demo.generated:RT15').locator('[data-completeness]').textContent()).toBe('100%')
    expect(errors).toEqual([])
  })

  it("shows only the user's hub markets, and refuses a user without any", async () => {
    const quinn = await sessionFor(baseUrl, 'Quinn Quant') // MISO only
    try {
      const res = await fetch(url('/data-health'), { headers: { cookie: quinn.cookie } })
      expect(res.status).toBe(200)
      const html = await res.text()
      expect(html).toContain('id="health-MISO"')
      expect(html).not.toContain('id="health-CAISO"')
    } finally {
      await quinn.close()
    }
    const ned = await sessionFor(baseUrl, 'Ned None') // no entitlements
    try {
      const res = await fetch(url('/data-health'), { headers: { cookie: ned.cookie } })
      expect(res.status).toBe(403)
    } finally {
      await ned.close()
    }
  })

  it('has a dead-letter section: counts per dataset and latest reasons, none on a fresh demo', async () => {
    await page.goto(url('/data-health'))
    const section = page.locator('section#dead-letters')
    expect(await section.getByRole('heading', { level: 2 }).textContent()).toBe('Dead letters0 to deal with')
    expect(await section.locator('.panel-empty').textContent()).toBe('No dead letters.')
    expect(await section.textContent()).toContain('npx carbon dlq replay')
  })

  it("lists the demo's series beside power per dataset: completeness, gaps, lateness", async () => {
    await page.goto(url('/data-health'))
    const section = page.locator('section#series-health')
    await section.getByRole('heading', { level: 2, name: /Series beside power/ }).waitFor()
    const datasets = await section.locator('article[data-dataset]').evaluateAll((els) => els.map((e) => e.getAttribute('data-dataset')))
    // Ada's organization has every product in the hub, and CAISO (EIA-930 PACW maps to it).
    for (const id of ['eia.ng.hh_spot_monthly', 'datahub.ng.hh_spot_daily', 'eia.ng.wngsr_lng_prices', 'carb.lcfs.credit_transfers', 'carbon.rec_prices_csv', 'eia.930.region_data']) {
      expect(datasets, id).toContain(id)
    }
    // EIA's LNG bullets of 2026-08-06 and 2026-09-24: the weeks starting 07-30 and 09-17, six weeks apart.
    const lng = section.locator('article[data-dataset="eia.ng.wngsr_lng_prices"]')
    for (const id of ['JKM', 'TTF']) {
      const row = lng.locator(`tr[data-series="${id}:price:week"]`)
      const cells = await row.locator('td').allTextContents()
      expect(await row.locator('[data-completeness]').textContent(), id).toBe('25.0%')
      expect(cells[2], id).toBe('2 / 8')
      expect(cells[3], id).toContain('2026-08-06 – 2026-09-10')
      // The publisher has released weeks since: late.
      expect(cells[4], id).toContain('late')
      expect(await row.locator('svg[data-presence]').getAttribute('data-presence'), id).toBe('10000001')
    }
    expect(await lng.locator('[data-series-status]').getAttribute('data-series-status')).toBe('late')
    // The demo stores its series directly (no ingest run) and refuses no row.
    expect(await lng.locator('[data-dead-letters]').getAttribute('data-dead-letters')).toBe('0')
    expect(await lng.textContent()).toContain('no ingest run in 7 days')
    // Hourly fundamentals per respondent: PACW demand is whole over its last 168 hours.
    const demand = section.locator('article[data-dataset="eia.930.region_data"] tr[data-series="PACW.DEMAND:demand:hour"]')
    expect(await demand.locator('[data-completeness]').textContent()).toBe('100%')
    expect(await demand.locator('td').nth(2).textContent()).toBe('168 / 168')
    const found = (await lighthouseAxeViolations(page)).flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${v.help})`))
    expect(found).toEqual([])
    expect(errors).toEqual([])
  })

  it('shows each user only the series of their hub products and markets', async () => {
    const html = async (name: string) => {
      const s = await sessionFor(baseUrl, name)
      try {
        const res = await fetch(url('/data-health'), { headers: { cookie: s.cookie } })
        expect(res.status, name).toBe(200)
        return await res.text()
      } finally {
        await s.close()
      }
    }
    // Pacific Utility: gas, LCFS and RECs in the hub, and CAISO; no LNG.
    const cora = await html('Cora Caiso')
    expect(cora).toContain('data-dataset="carb.lcfs.credit_transfers"')
    expect(cora).toContain('data-dataset="eia.930.region_data"')
    expect(cora).not.toContain('data-dataset="eia.ng.wngsr_lng_prices"')
    // Lakeshore Quant: every product, but MISO only: no CAISO-mapped fundamentals.
    const quinn = await html('Quinn Quant')
    expect(quinn).toContain('data-dataset="eia.ng.wngsr_lng_prices"')
    expect(quinn).not.toContain('data-dataset="eia.930.region_data"')
  })

  it('audits every view', async () => {
    const cookie = (await browser.context.cookies(baseUrl)).map((c) => `${c.name}=${c.value}`).join('; ')
    const res = await fetch(url('/admin/audit.csv?procedure=hub:data-health'), { headers: { cookie } })
    expect(res.status).toBe(200)
    const csv = await res.text()
    expect(csv).toMatch(/hub:data-health/)
    expect(csv).toMatch(/allowed/)
    expect(csv).toMatch(/denied/) // Ned None
    expect(csv).toMatch(/lakeshore-quant/) // Quinn Quant
  })
})
