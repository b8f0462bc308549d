import fs from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parseCsv } from '../support/csv.ts'
import { cookieHeader, launchBrowser, signIn } from './support/browser.ts'

/**
 * The download center in Debian's Chromium against `carbon serve` with demo data: Ada Admin
 * (254carbon: MISO and CAISO downloads) estimates and runs a MISO prices CSV export of two hubs
 * over two days, watches it reach done and downloads the file through its signed link; a CAISO
 * export works in the hub (the pilot's CAISO downloads are on); Alan Analyst (no downloads) is
 * refused on the page, in the action and at the link, and each refusal is audited. Beside power,
 * Ada exports the demo's LNG series (EIA's JKM and TTF weeks) from the series form and downloads
 * them; Cora Caiso (Pacific Utility: LCFS and REC downloads, gas in the hub only) is offered only
 * what her organization may download, and a gas export she asks for anyway is refused.
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()
const DAY_MS = 86_400_000
const RAW_PRICE_HEADER = ['market', 'node', 'run', 'interval_start', 'interval_end', 'lmp', 'energy', 'congestion', 'loss']
const SERIES_HEADER = ['product', 'market', 'series', 'measure', 'frequency', 'period_start', 'period_end', 'value', 'unit', 'source']

type Session = { browser: Awaited<ReturnType<typeof launchBrowser>>; page: Page; errors: string[]; cookie: string }
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
  const s = { browser, page, errors, cookie: await cookieHeader(browser.context, baseUrl) }
  sessions.push(s)
  return s
}

let admin: Session
let analyst: Session

beforeAll(async () => {
  ;[admin, analyst] = await Promise.all([session('Ada Admin'), session('Alan Analyst')])
})

afterAll(async () => {
  for (const s of sessions) await s.browser.close()
})

/** The two UTC days before yesterday..yesterday: both inside the demo's history. */
function lastTwoDays(): { from: string; to: string } {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())
  return { from: new Date(today - 2 * DAY_MS).toISOString().slice(0, 10), to: new Date(today - DAY_MS).toISOString().slice(0, 10) }
}

/** Fills the export form, estimates, starts; returns the estimate's rows and the new job's row id. */
async function exportThroughForm(page: Page, market: string, nodes: string[]): Promise<{ rows: number; jobId: string }> {
  await page.goto(url('/downloads'))
  const form = page.getByTestId('export-form')
  await form.locator('#export-dataset').selectOption('prices')
  await form.locator('#export-market').selectOption(market)
  for (const node of nodes) await form.locator(`input[name="nodes"][value="${node}"]`).check()
  const { from, to } = lastTwoDays()
  await form.locator('#export-from').fill(from)
  await form.locator('#export-to').fill(to)
  await form.locator('input[name="format"][value="csv"]').check()
  const start = form.getByRole('button', { name: 'Start export' })
  expect(await start.isDisabled(), 'no start before an estimate').toBe(true)

  await form.getByRole('button', { name: 'Estimate size' }).click()
  const estimate = page.getByTestId('export-estimate')
  await estimate.waitFor()
  const rows = Number(await estimate.getAttribute('data-rows'))
  expect(await estimate.textContent()).toMatch(/About [\d,]+ rows, [\d.]+ (bytes|KB|MB)/)
  expect(await estimate.textContent()).toContain('Within your organization’s limits')

  const before = await page.locator('tr[data-job]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')))
  // Gone if the page reloads: the job's progress must arrive through the page's own poll.
  await page.evaluate(() => Object.assign(window, { downloadsMarker: true }))
  await start.click()
  await page.getByTestId('export-started').waitFor()
  const jobRow = page.locator('tr[data-job]').first()
  await page.waitForFunction((known) => {
    const first = document.querySelector('tr[data-job]')
    return first !== null && !known.includes(first.getAttribute('data-job'))
  }, before)
  return { rows, jobId: (await jobRow.getAttribute('data-job'))! }
}

/** Waits (through the page's own poll, no reload) for the job's row to say done; returns its cells. */
async function waitDone(page: Page, jobId: string): Promise<string[]> {
  const row = page.locator(`tr[data-job="${jobId}"]`)
  await page.waitForFunction((id) => {
    const status = document.querySelector(`tr[data-job="${id}"]`)?.getAttribute('data-status')
    if (status === 'failed' || status === 'cancelled') throw new Error(`export ${id} ${status}`)
    return status === 'done'
  }, jobId)
  expect(await page.evaluate(() => (window as unknown as { downloadsMarker?: boolean }).downloadsMarker), 'no page reload while the job ran').toBe(true)
  return row.locator('th, td').evaluateAll((cells) => cells.map((c) => (c.textContent ?? '').trim()))
}

async function downloadCsv(page: Page, jobId: string): Promise<{ name: string; rows: string[][] }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`tr[data-job="${jobId}"]`).getByRole('link', { name: 'Download' }).click()])
  const file = await download.path()
  return { name: download.suggestedFilename(), rows: parseCsv(fs.readFileSync(file, 'utf8')) }
}

describe('download center', () => {
  it('runs a MISO prices CSV export of two hubs over two days: estimate, progress to done, download with the header row', async () => {
    const page = admin.page
    const started = performance.now()
    const { rows, jobId } = await exportThroughForm(page, 'MISO', ['INDIANA.HUB', 'ILLINOIS.HUB'])
    // Day-ahead is hourly: 2 hubs x 48 hours (a DST change day has 47 or 49).
    expect(rows).toBeGreaterThanOrEqual(2 * 46)
    expect(rows).toBeLessThanOrEqual(2 * 50)
    const cells = await waitDone(page, jobId)
    console.log(`MISO export queued -> done in ${Math.round(performance.now() - started)} ms (form included)`)
    expect(cells[0]).toMatch(/^254carbon-MISO-prices-DA-\d{8}-\d{8}\.csv$/)
    const stored = Number(cells[4]!.replace(/,/g, ''))
    expect(Math.abs(stored - rows), 'the estimate counts the rows the file holds').toBeLessThanOrEqual(2)

    const { name, rows: csv } = await downloadCsv(page, jobId)
    expect(name).toBe(cells[0])
    expect(csv[0]).toEqual(RAW_PRICE_HEADER)
    expect(csv.slice(1).filter((r) => r.length > 1)).toHaveLength(stored)
    expect(new Set(csv.slice(1).map((r) => r[1]))).toEqual(new Set(['INDIANA.HUB', 'ILLINOIS.HUB']))
    expect(admin.errors).toEqual([])
  })

  it('runs a CAISO export in the hub (CAISO downloads are on in the pilot)', async () => {
    const page = admin.page
    const hub = 'TH_NP15_GEN-APND'
    const { rows, jobId } = await exportThroughForm(page, 'CAISO', [hub])
    expect(rows).toBeGreaterThan(0)
    await waitDone(page, jobId)
    const { rows: csv } = await downloadCsv(page, jobId)
    expect(csv[0]).toEqual(RAW_PRICE_HEADER)
    expect(new Set(csv.slice(1).map((r) => `${r[0]}:${r[1]}`))).toEqual(new Set([`CAISO:${hub}`]))
  })

  it('subscribes to a daily market summary and lists it; unsubscribing removes it', async () => {
    const page = admin.page
    await page.goto(url('/downloads'))
    const form = page.getByTestId('subscribe-form')
    await form.locator('#subscribe-kind').selectOption('market-summary')
    await form.locator('#subscribe-market').selectOption('CAISO')
    await form.getByRole('button', { name: 'Subscribe' }).click()
    const item = page.getByTestId('subscriptions').locator('li', { hasText: 'Market summary · CAISO' })
    await item.waitFor()
    expect(await item.textContent()).toContain('no report yet')
    await item.getByRole('button', { name: 'Unsubscribe' }).click()
    await item.waitFor({ state: 'detached' })
    expect(admin.errors).toEqual([])
  })

  it("exports the demo's LNG series from the series form: estimate, done, download", async () => {
    const page = admin.page
    await page.goto(url('/downloads'))
    const form = page.getByTestId('series-export-form')
    await form.locator('#series-export-scope').selectOption('LNG')
    await form.locator('#series-export-measure').selectOption('price')
    for (const id of ['JKM', 'TTF']) await form.locator(`input[name="series"][value="${id}"]`).check()
    // The default range is the stored span: the weeks starting 2026-07-30 and 2026-09-17.
    expect(await form.locator('#series-export-from').inputValue()).toBe('2026-07-30')
    expect(await form.locator('#series-export-to').inputValue()).toBe('2026-09-17')
    await form.locator('input[name="format"][value="csv"]').check()
    const start = form.getByRole('button', { name: 'Start export' })
    expect(await start.isDisabled(), 'no start before an estimate').toBe(true)
    await form.getByRole('button', { name: 'Estimate size' }).click()
    const estimate = page.getByTestId('series-export-estimate')
    await estimate.waitFor()
    expect(Number(await estimate.getAttribute('data-rows')), 'two weeks of JKM and TTF').toBe(4)
    expect(await estimate.textContent()).toContain('254carbon-LNG-2-series-price-20260730-20260918.csv')

    const before = await page.locator('tr[data-job]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job')))
    await page.evaluate(() => Object.assign(window, { downloadsMarker: true }))
    await start.click()
    await page.getByTestId('series-export-started').waitFor()
    await page.waitForFunction((known) => {
      const first = document.querySelector('tr[data-job]')
      return first !== null && !known.includes(first.getAttribute('data-job'))
    }, before)
    const jobId = (await page.locator('tr[data-job]').first().getAttribute('data-job'))!
    const cells = await waitDone(page, jobId)
    expect(cells[0]).toBe('254carbon-LNG-2-series-price-20260730-20260918.csv')
    const { name, rows } = await downloadCsv(page, jobId)
    expect(name).toBe(cells[0])
    expect(rows[0]).toEqual(SERIES_HEADER)
    const values = rows
      .slice(1)
      .filter((r) => r.length > 1)
      .map((r) => `${r[2]} ${r[5]!.slice(0, 10)} ${r[7]}`)
    expect(values.sort()).toEqual(['JKM 2026-07-30 21.23', 'JKM 2026-09-17 26.41', 'TTF 2026-07-30 19.14', 'TTF 2026-09-17 25.15'])
    expect(admin.errors).toEqual([])
  })

  it("offers the series form only what the organization may download, and refuses another product's export", async () => {
    const cora = await session('Cora Caiso')
    await cora.page.goto(url('/downloads'))
    const options = await cora.page.locator('#series-export-scope option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value))
    expect(options).toContain('LCFS')
    expect(options).toContain('REC')
    expect(options).toContain('GRID:CAISO')
    expect(options).not.toContain('GAS')
    expect(options).not.toContain('LNG')

    const form = new URLSearchParams({ intent: 'series-estimate', scope: 'GAS', measure: 'price', series: 'HENRY_HUB', from: '2024-01-01', to: '2024-01-31', format: 'csv' })
    const res = await fetch(url('/downloads'), { method: 'POST', body: form, headers: { cookie: cora.cookie }, redirect: 'manual' })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('Your organization is not entitled to GAS through downloads')
    expect(cora.errors).toEqual([])
  })

  it('refuses a user without downloads on the page, in the action and at the link, and audits each refusal', async () => {
    const page = analyst.page
    await page.goto(url('/downloads'))
    const refused = page.getByTestId('downloads-refused')
    await refused.waitFor()
    expect(await refused.textContent()).toContain('Your organization is entitled to no market or product through downloads')
    expect(await page.getByTestId('export-form').count()).toBe(0)

    const form = new URLSearchParams({ intent: 'create', dataset: 'prices', market: 'MISO', nodes: 'INDIANA.HUB', runs: 'DA', ...lastTwoDays(), format: 'csv' })
    const create = await fetch(url('/downloads'), { method: 'POST', body: form, headers: { cookie: analyst.cookie }, redirect: 'manual' })
    expect(create.status).toBe(403)
    expect(await create.text()).toContain('Your organization is not entitled to MISO through downloads')

    const polled = await fetch(url('/downloads/jobs'), { headers: { cookie: admin.cookie } })
    expect(polled.status).toBe(200)
    const [adminJob] = ((await polled.json()) as { jobs: { id: string }[] }).jobs
    expect(adminJob).toBeDefined()
    const link = await fetch(url(`/downloads/${adminJob!.id}`), { headers: { cookie: analyst.cookie }, redirect: 'manual' })
    expect(link.status).toBe(403)
    expect(link.headers.get('location')).toBeNull()

    const audit = await fetch(url('/admin/audit.csv?outcome=denied&procedure=hub%3A'), { headers: { cookie: admin.cookie } })
    expect(audit.status).toBe(200)
    const lines = parseCsv(await audit.text())
    const header = lines[0]!
    const at = (name: string) => header.indexOf(name)
    const refusals = lines
      .slice(1)
      .filter((r) => r[at('organization_slug')] === 'prairie-trading' && /^hub:(downloads|exports-)/.test(r[at('procedure')] ?? ''))
      .map((r) => `${r[at('procedure')]} ${r[at('channel')]} ${r[at('market')]} ${r[at('status')]}`)
    expect(new Set(refusals)).toEqual(new Set(['hub:downloads downloads  403', 'hub:exports-create downloads MISO 403', 'hub:exports-download downloads  403']))
  })
})
