import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parseCsv } from '../support/csv.ts'
import { cookieHeader, createApiTokenInHub, launchBrowser, sessionFor, signIn } from './support/browser.ts'

/**
 * The reports against `carbon serve` with demo data: the market summary page in Chromium (hub
 * table, chart), its PDF fetched with the same session and read with pdftotext (the same hub
 * averages as the page), the API's PDF with a bearer token, CAISO refused on the API and audited,
 * no token 401, a bad parameter 400 naming it; the gas, LNG and environmental report (fuels) in the
 * hub, as PDF and through the API, reduced for an organization without LNG, 403 without any product.
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()
let closeBrowser: () => Promise<void> = async () => {}
let page: Page
let cookie = ''
let token = ''
const errors: string[] = []

beforeAll(async () => {
  const browser = await launchBrowser()
  closeBrowser = browser.close
  browser.context.on('weberror', (e) => errors.push(`pageerror: ${e.error().message}`))
  page = await browser.context.newPage()
  page.setDefaultTimeout(30_000)
  await page.setViewportSize({ width: 1440, height: 900 })
  // Quinn Quant (Lakeshore Quant): MISO in the hub and through the API; no CAISO API (nobody has it).
  await signIn(page, baseUrl, 'Quinn Quant')
  cookie = await cookieHeader(browser.context, baseUrl)
  token = await createApiTokenInHub(page, baseUrl, 'reports-e2e', ['read:prices', 'read:curves'])
}, 180_000)

afterAll(() => closeBrowser())

function pdfText(pdf: Uint8Array): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'carbon-reports-e2e-'))
  try {
    const file = path.join(dir, 'report.pdf')
    writeFileSync(file, pdf)
    return execFileSync('/usr/bin/pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The body rows of a report table (the section titled `section`), each as its cells' text. */
async function tableCells(section: string): Promise<string[][]> {
  const table = page.locator('section.report-section', { has: page.locator('h2', { hasText: section }) }).locator('table')
  return table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())))
}

/** The rows of a report table by their first cell (node, period, item). */
async function tableRows(section: string): Promise<Map<string, string[]>> {
  return new Map((await tableCells(section)).map((r) => [r[0]!, r]))
}

describe('market summary in the hub', () => {
  let hubs: Map<string, string[]>

  it('renders the printable page with the hub table, the zones and the hourly chart', async () => {
    const res = await page.goto(url('/reports/market-summary?market=MISO'))
    expect(res?.status()).toBe(200)
    await expect(page.locator('h1#report-title').textContent()).resolves.toBe('MISO market summary')
    hubs = await tableRows('Hubs')
    expect([...hubs.keys()]).toEqual(expect.arrayContaining(['INDIANA.HUB', 'ILLINOIS.HUB', 'MINN.HUB', 'MICHIGAN.HUB']))
    for (const [node, cells] of hubs) {
      expect(cells, node).toHaveLength(7)
      expect(cells[1], node).toMatch(/^-?[\d,]+\.\d{2}$/)
    }
    expect((await tableRows('Zones')).size).toBeGreaterThan(0)
    const lines = page.locator('figure.report-chart polyline.report-line')
    expect(await lines.count()).toBeGreaterThanOrEqual(hubs.size)
    expect(await lines.first().getAttribute('points')).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+){10,}/)
    await expect(page.locator('a', { hasText: 'Download PDF' }).getAttribute('href')).resolves.toBe('/reports/market-summary.pdf?market=MISO')
    await expect(page.locator('a[href="/downloads"]').count()).resolves.toBeGreaterThan(0)
    // Printed, the hub's navigation is hidden.
    await page.emulateMedia({ media: 'print' })
    expect(await page.locator('header.topbar').isVisible()).toBe(false)
    expect(await page.locator('.report-actions').isVisible()).toBe(false)
    await page.emulateMedia({ media: 'screen' })
    expect(errors).toEqual([])
  })

  it('serves the PDF with the same session: every hub with the page’s DA and on-peak averages', async () => {
    const res = await fetch(url('/reports/market-summary.pdf?market=MISO'), { headers: { cookie } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="254carbon-MISO-market-summary-\d{4}-\d{2}-\d{2}\.pdf"$/)
    const text = pdfText(new Uint8Array(await res.arrayBuffer()))
    const pdfLines = text.split('\n').map((l) => l.trim())
    for (const [node, cells] of hubs) {
      const line = pdfLines.find((l) => l.startsWith(`${node} `))
      expect(line, node).toBeDefined()
      const numbers = line!.slice(node.length).trim().split(/\s+/)
      // DA avg, RT avg, DA on-peak, DA off-peak: the page's strings.
      expect(numbers.slice(0, 4), node).toEqual(cells.slice(1, 5))
    }
  })

  it('answers a bad parameter with a 400 page naming it', async () => {
    const res = await page.goto(url('/reports/market-summary?market=MISO&date=2026-02-30'))
    expect(res?.status()).toBe(400)
    await expect(page.locator('.error-message').textContent()).resolves.toMatch(/^date: .*"2026-02-30"/)
    const pdf = await fetch(url('/reports/market-summary.pdf?market=ENTSOE'), { headers: { cookie } })
    expect(pdf.status).toBe(400)
    expect(await pdf.text()).toMatch(/^market: must be one of MISO, CAISO, PJM, ERCOT, SPP, NYISO, ISONE, IESO, AESO \(got "ENTSOE"\)/)
  })

  it('lists the reports in the catalogue', async () => {
    const res = await page.goto(url('/reports'))
    expect(res?.status()).toBe(200)
    await expect(page.locator('h1').textContent()).resolves.toBe('Reports')
    await page.locator('form[action="/reports/market-summary"] button', { hasText: 'Open report' }).click()
    await page.waitForURL(/\/reports\/market-summary\?market=MISO/)
    await expect(page.locator('h1#report-title').textContent()).resolves.toBe('MISO market summary')
  })
})

describe('curve and scenario reports in the hub', () => {
  it('opens the curve report of a demo hub with its chart, to Cal-2050, and the change against the as-of date before', async () => {
    const res = await page.goto(url('/reports/curve?market=MISO&node=INDIANA.HUB'))
    expect(res?.status()).toBe(200)
    await expect(page.locator('h1#report-title').textContent()).resolves.toBe('MISO Indiana Hub forward curve')
    const rows = await tableRows('Curve')
    expect(rows.has('Cal-2050')).toBe(true)
    expect(rows.get('Cal-2050')).toHaveLength(8)
    const series = await page.locator('figure.report-chart polyline.report-line').evaluateAll((ls) => [...new Set(ls.map((l) => l.getAttribute('data-series')))])
    expect(series).toHaveLength(4)
    expect(series[3]).toMatch(/^ATC \d{4}-\d{2}-\d{2}$/)
    expect(errors).toEqual([])
  })

  it('opens the base scenario run from the catalogue, with assumptions, prices, mix and lineage', async () => {
    await page.goto(url('/reports'))
    await page.locator('form[action="/reports/scenario"] button', { hasText: 'Open report' }).click()
    await page.waitForURL(/\/reports\/scenario\?runId=[0-9a-f]+/)
    await expect(page.locator('h1#report-title').textContent()).resolves.toMatch(/^Scenario report: /)
    // Quinn's organization sees MISO in the hub, not CAISO: the report shows MISO's hubs only.
    const prices = await tableCells('Prices per hub and year')
    expect(prices.length).toBeGreaterThan(20)
    expect(new Set(prices.map((r) => r[0]))).toEqual(new Set(['MISO']))
    expect(prices.some((r) => r[2] === '2050')).toBe(true)
    expect((await tableRows('Lineage')).get('Run id')?.[1]).toBe(new URL(page.url()).searchParams.get('runId'))
    expect((await tableRows('Mix by technology')).size).toBeGreaterThan(0)
    expect(errors).toEqual([])
  })
})

describe('reports through the API', () => {
  const bearer = () => ({ authorization: `Bearer ${token}` })

  it('GET /api/v1/reports/market-summary.pdf?market=MISO returns the PDF; without .pdf the same report as HTML', async () => {
    const res = await fetch(url('/api/v1/reports/market-summary.pdf?market=MISO'), { headers: bearer() })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-')
    const text = pdfText(bytes)
    expect(text).toContain('INDIANA.HUB')
    const html = await fetch(url('/api/v1/reports/market-summary?market=MISO'), { headers: bearer() })
    expect(html.status).toBe(200)
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const body = await html.text()
    expect(body).toMatch(/^<!DOCTYPE html>/)
    const indiana = text.split('\n').map((l) => l.trim()).find((l) => l.startsWith('INDIANA.HUB '))!
    const da = indiana.slice('INDIANA.HUB'.length).trim().split(/\s+/)[0]!
    expect(body).toMatch(new RegExp(`<th scope="row" class="text">INDIANA.HUB</th><td class="num">${da.replace('.', '\\.')}</td>`))
  })

  it('refuses no token (401), CAISO (403, audited) and a bad parameter (400 naming it) as JSON', async () => {
    const none = await fetch(url('/api/v1/reports/market-summary.pdf?market=MISO'))
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ code: 'UNAUTHORIZED' })
    const requestId = `reports-e2e-caiso-${Date.now().toString(36)}`
    const caiso = await fetch(url('/api/v1/reports/market-summary.pdf?market=CAISO'), { headers: { ...bearer(), 'x-request-id': requestId } })
    expect(caiso.status).toBe(403)
    expect(await caiso.json()).toMatchObject({ code: 'FORBIDDEN', message: 'CAISO data is not available through the API' })
    const bad = await fetch(url('/api/v1/reports/curve?market=MISO'), { headers: bearer() })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ code: 'BAD_REQUEST', message: 'node: required (missing)' })

    const admin = await sessionFor(baseUrl, 'Ada Admin')
    try {
      const audit = await fetch(url('/admin/audit.csv?procedure=api:report-market-summary-pdf'), { headers: { cookie: admin.cookie } })
      expect(audit.status).toBe(200)
      const [header, ...rows] = parseCsv(await audit.text())
      const col = (name: string) => header!.indexOf(name)
      const row = rows.find((r) => r[col('request_id')] === requestId)
      expect(row, 'the CAISO refusal has its audit row').toBeDefined()
      expect([row![col('outcome')], row![col('status')], row![col('market')], row![col('channel')]]).toEqual(['denied', '403', 'CAISO', 'api'])
      expect(rows.some((r) => r[col('outcome')] === 'allowed' && r[col('market')] === 'MISO')).toBe(true)
    } finally {
      await admin.close()
    }
  })

  it('serves the curve report of a demo hub as PDF', async () => {
    const res = await fetch(url('/api/v1/reports/curve.pdf?market=MISO&node=INDIANA.HUB'), { headers: bearer() })
    expect(res.status).toBe(200)
    const text = pdfText(new Uint8Array(await res.arrayBuffer()))
    expect(text).toContain('MISO Indiana Hub forward curve')
    expect(text).toContain('Cal-2050')
  })
})

describe('gas, LNG and environmental report (fuels)', () => {
  let daily: string[] = []

  it('renders the page with the demo series: Henry Hub daily with its changes, the chart, gas hubs, LNG, LCFS and RECs', async () => {
    const res = await page.goto(url('/reports/fuels'))
    expect(res?.status()).toBe(200)
    await expect(page.locator('h1#report-title').textContent()).resolves.toBe('Gas, LNG and environmental')
    const titles = await page.locator('section.report-section h2').allTextContents()
    expect(titles).toEqual(expect.arrayContaining(['Gas hubs: latest price and basis to Henry Hub', 'LNG: weekly benchmarks and basis to Henry Hub', 'LCFS credits', 'REC quotes (latest per series)']))
    expect(titles.some((t) => t.startsWith('Henry Hub forward curve'))).toBe(true)
    // Quinn's organization holds every product in the hub: nothing is left out.
    expect(titles).not.toContain('Not in this report')
    const hh = await tableRows('Henry Hub ($/MMBtu)')
    daily = hh.get('Daily')!
    expect(daily, 'the demo Henry Hub daily price').toBeDefined()
    expect(daily[1]).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(daily[2]).toMatch(/^\d+\.\d{3}$/)
    expect(daily[3]).toMatch(/^([+-]?\d+\.\d{3} \(vs \d{4}-\d{2}-\d{2}\)|n\/a)$/)
    expect(await page.locator('figure.report-chart polyline.report-line').count()).toBeGreaterThan(0)
    expect((await tableCells('REC quotes')).length).toBeGreaterThan(0)
    // The demo's Henry Hub forward curve: 12 months one by one, then calendar years.
    const forward = await tableCells('Henry Hub forward curve')
    expect(forward.length).toBeGreaterThan(12)
    expect(forward.slice(0, 12).every((r) => /^\d{4}-\d{2}$/.test(r[0]!) && /^\d+\.\d{3}$/.test(r[2]!))).toBe(true)
    expect(forward.some((r) => /^Cal-\d{4}$/.test(r[0]!))).toBe(true)
    // A hub's own price, not ICE's high and low of the day.
    expect([...(await tableRows('Gas hubs')).keys()].every((hub) => !hub.includes('.'))).toBe(true)
    await expect(page.locator('a', { hasText: 'Download PDF' }).getAttribute('href')).resolves.toBe('/reports/fuels.pdf')
    expect(errors).toEqual([])
  })

  it('serves the PDF with the same session, with the page’s Henry Hub strings', async () => {
    const res = await fetch(url('/reports/fuels.pdf'), { headers: { cookie } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="254carbon-fuels-\d{4}-\d{2}-\d{2}\.pdf"$/)
    const lines = pdfText(new Uint8Array(await res.arrayBuffer())).split('\n').map((l) => l.trim())
    const line = lines.find((l) => l.startsWith('Daily ') && l.includes(daily[1]!))
    expect(line).toBeDefined()
    for (const cell of daily.slice(2)) expect(line).toContain(cell)
  })

  it('is listed in the catalogue and opens from it; a bad date is a 400 naming it', async () => {
    await page.goto(url('/reports'))
    await page.locator('form[action="/reports/fuels"] button', { hasText: 'Open report' }).click()
    await page.waitForURL(/\/reports\/fuels/)
    await expect(page.locator('h1#report-title').textContent()).resolves.toBe('Gas, LNG and environmental')
    const bad = await page.goto(url('/reports/fuels?date=2026-02-30'))
    expect(bad?.status()).toBe(400)
    await expect(page.locator('.error-message').textContent()).resolves.toBe('date: a date as YYYY-MM-DD (got "2026-02-30")')
  })

  it('shows an organization without LNG a reduced report naming LNG as left out; no entitlement at all is 403', async () => {
    // Pacific Utility holds GAS, LCFS and REC in the hub, not LNG.
    const cora = await sessionFor(baseUrl, 'Cora Caiso')
    try {
      const res = await cora.page.goto(url('/reports/fuels'))
      expect(res?.status()).toBe(200)
      const titles = await cora.page.locator('section.report-section h2').allTextContents()
      expect(titles).toContain('LCFS credits')
      expect(titles).toContain('Not in this report')
      expect(titles).not.toContain('LNG: weekly benchmarks and basis to Henry Hub')
      const facts = await cora.page.locator('.report-facts div').evaluateAll((ds) => ds.map((d) => d.textContent ?? ''))
      expect(facts).toContain('Left outLNG')
      const pdf = pdfText(new Uint8Array(await (await fetch(url('/reports/fuels.pdf'), { headers: { cookie: cora.cookie } })).arrayBuffer()))
      expect(pdf).toContain('Not in this report')
      expect(pdf).not.toContain('LNG: weekly benchmarks')
    } finally {
      await cora.close()
    }
    const ned = await sessionFor(baseUrl, 'Ned None')
    try {
      const res = await fetch(url('/reports/fuels'), { headers: { cookie: ned.cookie } })
      expect(res.status).toBe(403)
      expect((await fetch(url('/reports/fuels.pdf'), { headers: { cookie: ned.cookie } })).status).toBe(403)
    } finally {
      await ned.close()
    }
  })

  it('GET /api/v1/reports/fuels.pdf and /api/v1/reports/fuels answer with a bearer token; no token 401, bad date 400', async () => {
    const bearer = { authorization: `Bearer ${token}` }
    const requestId = `reports-e2e-fuels-${Date.now().toString(36)}`
    const pdf = await fetch(url('/api/v1/reports/fuels.pdf'), { headers: { ...bearer, 'x-request-id': requestId } })
    expect(pdf.status).toBe(200)
    expect(pdf.headers.get('content-type')).toBe('application/pdf')
    const text = pdfText(new Uint8Array(await pdf.arrayBuffer()))
    expect(text).toContain('Gas, LNG and environmental')
    const html = await fetch(url('/api/v1/reports/fuels'), { headers: bearer })
    expect(html.status).toBe(200)
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await html.text()).toMatch(/^<!DOCTYPE html>.*Gas, LNG and environmental/s)
    expect((await fetch(url('/api/v1/reports/fuels.pdf'))).status).toBe(401)
    const bad = await fetch(url('/api/v1/reports/fuels?date=2026-02-30'), { headers: bearer })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ code: 'BAD_REQUEST', message: 'date: a date as YYYY-MM-DD (got "2026-02-30")' })

    // Audited like the other reports: the PDF's row, allowed on the api channel, naming the products shown.
    const admin = await sessionFor(baseUrl, 'Ada Admin')
    try {
      const audit = await fetch(url('/admin/audit.csv?procedure=api:report-fuels-pdf'), { headers: { cookie: admin.cookie } })
      expect(audit.status).toBe(200)
      const [header, ...rows] = parseCsv(await audit.text())
      const col = (name: string) => header!.indexOf(name)
      const row = rows.find((r) => r[col('request_id')] === requestId)
      expect(row, 'the fuels PDF has its audit row').toBeDefined()
      expect([row![col('outcome')], row![col('status')], row![col('channel')]]).toEqual(['allowed', '200', 'api'])
      expect(row![col('details')]).toContain('"products":["GAS","LNG","LCFS","REC"]')
    } finally {
      await admin.close()
    }
  })
})
