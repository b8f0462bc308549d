import fs from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parseCsv } from '../support/csv.ts'
import { cookieHeader, launchBrowser, sessionFor, signIn } from './support/browser.ts'

/**
 * The forward-curve pages in Debian's Chromium against `carbon serve` with demo data (four demo
 * curves, each built for four as-of dates at first start): the list, a curve's chart and tables,
 * the CSV download, an analyst's build from the hub (a new version; a refused, inconsistent quote
 * set), and access (a CAISO-only viewer sees neither MISO curves nor the build form).
 */

const baseUrl = inject('baseUrl')
const url = (p: string) => new URL(p, baseUrl).toString()

const DEMO_CURVES = ['CAISO:TH_NP15_GEN-APND', 'CAISO:TH_SP15_GEN-APND', 'MISO:ILLINOIS.HUB', 'MISO:INDIANA.HUB']
const INDIANA = '/curves/MISO/INDIANA.HUB'
const PRICE = /^−?[\d,]+\.\d{2}$/

type Session = { browser: Awaited<ReturnType<typeof launchBrowser>>; page: Page; errors: string[]; cookie: string }
const sessions: Session[] = []

/**
 * A signed-in Chromium collecting page errors and console errors. A form the server refuses with a
 * 4xx (the build form's answer to bad quotes) makes Chromium log the failed load: not an error here.
 */
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

let admin: Session
let analyst: Session

beforeAll(async () => {
  admin = await session('Ada Admin') // MISO and CAISO in the hub and downloads
  analyst = await session('Alan Analyst') // analyst: MISO and CAISO in the hub, no downloads
})

afterAll(async () => {
  for (const s of sessions) await s.browser.close()
})

async function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('th, td')).map((cell) => (cell.textContent ?? '').trim())),
  )
}

/** "1,234.50" -> "1234.50", "−3.10" -> "-3.10" (the CSV's plain numbers). */
const plain = (text: string) => text.trim().replace(/,/g, '').replace(/\u2212/g, '-')

/** The version the curve page shows. */
async function shownVersion(page: Page): Promise<number> {
  return Number(await page.locator('[data-current-version]').textContent())
}

describe('curves list', () => {
  it('lists the four demo curves with their latest build and a sparkline, from the main nav', async () => {
    const { page } = admin
    await page.goto(url('/'))
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Curves' }).click()
    await page.waitForURL((u) => u.pathname === '/curves')
    await page.getByRole('heading', { level: 1, name: 'Forward curves' }).waitFor()
    const keys = await page.locator('tr[data-curve]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-curve')))
    expect([...keys].sort()).toEqual(DEMO_CURVES)
    for (const key of DEMO_CURVES) {
      const row = page.locator(`tr[data-curve="${key}"]`)
      // The four demo trade dates (other test files may have built more on this server).
      const asOf = await row.locator('[data-as-of]').textContent()
      expect(asOf, key).toMatch(/^\d{4}-\d{2}-\d{2} · \d+ dates$/)
      expect(Number(/· (\d+) dates/.exec(asOf!)![1]), key).toBeGreaterThanOrEqual(4)
      expect(await row.locator('[data-version]').textContent(), key).toMatch(/^v\d+$/)
      expect(await row.locator('svg.sparkline polyline').count(), key).toBe(1)
    }
    expect(await page.getByRole('link', { name: 'MISO Indiana Hub' }).getAttribute('href')).toBe(INDIANA)
    expect(await page.locator('.empty-state').count()).toBe(0)
    expect(admin.errors).toEqual([])
  })
})

describe('a curve', () => {
  it('server-renders the chart with its quote segments', async () => {
    const res = await fetch(url(INDIANA), { headers: { cookie: admin.cookie } })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(/<svg[^>]*class="recharts-surface"/)
    expect(html).toContain('data-last-period="Cal-2050"')
    expect(html).toMatch(/<line class="curve-quote" data-contract="[^"]+"/)
  })

  it('charts the Indiana Hub to Cal-2050, tables quarters then calendar years, and draws the quotes', async () => {
    const { page } = admin
    await page.goto(url(INDIANA))
    const chart = page.locator('figure.curve-chart')
    await chart.locator('svg.recharts-surface').waitFor()
    expect(await chart.getAttribute('data-last-period')).toBe('Cal-2050')
    expect(await page.locator('nav[aria-label="Block"] [aria-current="page"]').textContent()).toBe('On-peak')
    expect(await page.locator('nav[aria-label="Periods"] [aria-current="page"]').textContent()).toBe('Standard')

    // Standard view: quarters for ten calendar years (the first possibly partial), then Cal years to 2050.
    const periods = await page.locator('table.curve-periods tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-period') ?? ''))
    const quarters = periods.filter((p) => /^\d{4}-Q[1-4]$/.test(p))
    const calendars = periods.filter((p) => /^Cal-\d{4}$/.test(p))
    expect(quarters.length + calendars.length).toBe(periods.length)
    expect(periods.slice(0, quarters.length)).toEqual(quarters)
    const firstYear = Number(quarters[0]!.slice(0, 4))
    expect(quarters.at(-1)).toBe(`${firstYear + 9}-Q4`)
    expect(calendars).toEqual(Array.from({ length: 2050 - (firstYear + 10) + 1 }, (_, i) => `Cal-${firstYear + 10 + i}`))
    const rows = await tableRows(page, 'table.curve-periods')
    for (const row of rows) for (const cell of row.slice(2, 5)) expect(cell).toMatch(PRICE)

    // Every on-peak quote is a segment over its delivery months.
    const onpeakQuotes = await page.locator('table.curve-quotes tbody tr[data-block="onpeak"]').count()
    expect(onpeakQuotes).toBeGreaterThan(20)
    expect(await chart.locator('line.curve-quote').count()).toBe(onpeakQuotes)
    expect(await chart.getAttribute('data-quotes')).toBe(String(onpeakQuotes))
    // The demo quotes are consistent: the curve reprices each to the cent.
    for (const row of await tableRows(page, 'table.curve-quotes')) expect(row[4], row[0]).toBe(row[3])
    expect(admin.errors).toEqual([])
  })

  it('switches to off-peak: another line, the off-peak quotes', async () => {
    const { page } = admin
    await page.goto(url(INDIANA))
    const line = page.locator('figure.curve-chart .curve-line-value path.recharts-line-curve')
    await line.waitFor()
    const onpeakPath = await line.getAttribute('d')
    const onpeakQuotes = await page.locator('figure.curve-chart line.curve-quote title').allTextContents()

    await page.getByRole('navigation', { name: 'Block' }).getByRole('link', { name: 'Off-peak' }).click()
    await page.waitForURL((u) => u.searchParams.get('block') === 'offpeak')
    await page.locator('nav[aria-label="Block"] [aria-current="page"]', { hasText: 'Off-peak' }).waitFor()
    await page.locator('figure.curve-chart figcaption', { hasText: 'Off-peak, as of' }).waitFor()
    const offpeakPath = await line.getAttribute('d')
    const offpeakQuotes = await page.locator('figure.curve-chart line.curve-quote title').allTextContents()
    expect(offpeakPath).toBeTruthy()
    expect(offpeakPath).not.toBe(onpeakPath)
    expect(offpeakQuotes).toHaveLength(await page.locator('table.curve-quotes tbody tr[data-block="offpeak"]').count())
    expect(offpeakQuotes).not.toEqual(onpeakQuotes)
    expect(await page.locator('table.curve-periods thead th.curve-col-current').textContent()).toBe('Off-peak')
    expect(admin.errors).toEqual([])
  })

  it('compares with an earlier as-of date: a dashed line and the change per period', async () => {
    const { page } = admin
    await page.goto(url(INDIANA))
    const earlier = await page.locator('select[name="compare"] option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean))
    expect(earlier.length).toBeGreaterThanOrEqual(3)
    await page.locator('select[name="compare"]').selectOption(earlier[0]!)
    await page.waitForURL((u) => u.searchParams.get('compare') === earlier[0])
    await page.locator('figure.curve-chart .curve-line-compare path.recharts-line-curve').waitFor()
    const headers = await page.locator('table.curve-periods thead th').allTextContents()
    expect(headers).toContain('Δ On-peak')
    const rows = await tableRows(page, 'table.curve-periods')
    // A whole period both builds deliver has a change (signed, or 0.00).
    expect(rows.at(-1)?.[8]).toMatch(/^([+−][\d,]+\.\d{2}|0\.00)$/)
    expect(admin.errors).toEqual([])
  })

  it('downloads the shown build as CSV, with a Cal-2050 row', async () => {
    const { page } = admin
    await page.goto(url(INDIANA))
    const table = await tableRows(page, 'table.curve-periods')
    const link = page.getByRole('link', { name: 'Download CSV' })
    const href = (await link.getAttribute('href'))!
    expect(href).toMatch(/^\/curves\/MISO\/INDIANA\.HUB\/csv\?asOf=\d{4}-\d{2}-\d{2}$/)
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    expect(download.suggestedFilename()).toMatch(/^MISO_INDIANA\.HUB_curve_\d{4}-\d{2}-\d{2}_v\d+_standard\.csv$/)
    const [header, ...body] = parseCsv(fs.readFileSync((await download.path())!, 'utf8'))
    expect(header).toEqual(['period', 'first', 'last', 'onpeak', 'offpeak', 'atc', 'hours_onpeak', 'hours_offpeak'])
    expect(body).toHaveLength(table.length)
    const cal2050 = body.at(-1)!
    expect(cal2050.slice(0, 3)).toEqual(['Cal-2050', '2050-01', '2050-12'])
    expect(cal2050.slice(3, 6).every((v) => /^\d+\.\d{2}$/.test(v))).toBe(true)
    body.forEach((row, i) => expect(row.slice(3, 6), row[0]).toEqual(table[i]!.slice(2, 5).map(plain)))

    const res = await fetch(url(`${href}&granularity=monthly`), { headers: { cookie: admin.cookie } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="MISO_INDIANA\.HUB_curve_.+_monthly\.csv"$/)
    const monthly = parseCsv(await res.text())
    expect(monthly.at(-1)?.slice(0, 3)).toEqual(['2050-12', '2050-12', '2050-12'])
    expect(admin.errors).toEqual([])
  })

  it('answers an unknown curve and an as-of date without a build with a 404 that says so', async () => {
    const unknown = await fetch(url('/curves/MISO/NOWHERE.HUB'), { headers: { cookie: admin.cookie } })
    expect(unknown.status).toBe(404)
    const html = await unknown.text()
    expect(html).toContain('Forward curve not found')
    expect(html).toContain('NOWHERE.HUB')
    const noBuild = await fetch(url(`${INDIANA}?asOf=2001-01-02`), { headers: { cookie: admin.cookie } })
    expect(noBuild.status).toBe(404)
    expect(await noBuild.text()).toContain('as of 2001-01-02')
    const bad = await fetch(url(`${INDIANA}?granularity=weekly`), { headers: { cookie: admin.cookie } })
    expect(bad.status).toBe(400)
  })
})

describe('building a curve', () => {
  /** Opens the build form of the Indiana Hub from the curve page; returns the shown as-of date, version and builder. */
  async function openBuildForm(page: Page): Promise<{ asOf: string; version: number; by: string }> {
    await page.goto(url(INDIANA))
    const asOf = (await page.locator('.page[data-as-of]').getAttribute('data-as-of'))!
    const version = await shownVersion(page)
    const by = ((await page.locator('[data-build="by"] .card-value').textContent()) ?? '').trim()
    await page.getByRole('link', { name: 'Build a new version' }).click()
    await page.waitForURL((u) => u.pathname === `${INDIANA}/build`)
    await page.getByRole('heading', { level: 1, name: /Build a new version/ }).waitFor()
    await page.locator('#build-as-of').fill(asOf)
    return { asOf, version, by }
  }

  it("builds a new version of the organization's own curve from edited quote text and shows it", async () => {
    const { page } = analyst
    const { asOf, version, by } = await openBuildForm(page)
    const text = await page.locator('#build-quotes').inputValue()
    expect(text.split('\n')[0]).toBe('contract,block,price')
    // One Cal strip's on-peak price up by 1.25.
    const line = text.split('\n').find((l) => /^Cal-\d{4},onpeak,/.test(l))!
    const [contract, , price] = line.split(',')
    const edited = (Number(price) + 1.25).toFixed(2)
    await page.locator('#build-quotes').fill(text.replace(line, `${contract},onpeak,${edited}`))
    await page.getByRole('button', { name: 'Build curve' }).click()

    await page.waitForURL((u) => u.pathname === INDIANA && u.searchParams.get('asOf') === asOf)
    // Versions are numbered per owner: the first private build of the date is 1, after the house curve's versions.
    const expected = by === 'analyst@prairie-trading.dev' ? version + 1 : 1
    if (by !== 'analyst@prairie-trading.dev') expect(by).toBe('254Carbon')
    await page.locator('[data-build="by"] .card-value', { hasText: 'analyst@prairie-trading.dev' }).waitFor()
    expect(await shownVersion(page)).toBe(expected)
    expect(await page.locator('[data-build="owner"] .card-value').textContent()).toBe('Your organization')
    const quote = page.locator(`table.curve-quotes tbody tr[data-contract="${contract}"][data-block="onpeak"]`)
    expect(await quote.locator('td').nth(2).textContent()).toBe(Number(edited).toFixed(2))
    // The solver reprices the edited quote exactly too.
    expect(await quote.locator('td').nth(3).textContent()).toBe(Number(edited).toFixed(2))
    expect(analyst.errors).toEqual([])
  })

  it('refuses a quarter that disagrees with its three months, naming them, and keeps the text', async () => {
    const { page } = analyst
    const { version } = await openBuildForm(page)
    const text = await page.locator('#build-quotes').inputValue()
    const onpeakMonths = new Map(
      text
        .split('\n')
        .map((l) => l.split(','))
        .filter(([contract, block]) => /^\d{4}-\d{2}$/.test(contract ?? '') && block === 'onpeak')
        .map(([contract, , price]) => [contract!, Number(price)]),
    )
    // The first whole calendar quarter quoted month by month.
    const quarterStart = [...onpeakMonths.keys()].find((m) => {
      const month = Number(m.slice(5, 7))
      return month % 3 === 1 && [1, 2].every((k) => onpeakMonths.has(`${m.slice(0, 4)}-${String(month + k).padStart(2, '0')}`))
    })!
    const year = quarterStart.slice(0, 4)
    const monthNumber = Number(quarterStart.slice(5, 7))
    const months = [0, 1, 2].map((k) => `${year}-${String(monthNumber + k).padStart(2, '0')}`)
    const quarter = `${year}-Q${(monthNumber + 2) / 3}`
    const wrong = (Math.max(...months.map((m) => onpeakMonths.get(m)!)) + 25).toFixed(2)
    const entered = `${text.trimEnd()}\n${quarter},onpeak,${wrong}\n`
    await page.locator('#build-quotes').fill(entered)
    await page.getByRole('button', { name: 'Build curve' }).click()

    const message = page.locator('.curve-build-message')
    await message.waitFor()
    const said = (await message.textContent()) ?? ''
    expect(said).toContain('The curve was not built.')
    for (const code of [quarter, ...months]) expect(said).toContain(code)
    expect(new URL(page.url()).pathname).toBe(`${INDIANA}/build`)
    expect(await page.locator('#build-quotes').inputValue()).toBe(entered)

    // No new version is shown.
    await page.goto(url(INDIANA))
    expect(await shownVersion(page)).toBe(version)
    expect(analyst.errors).toEqual([])
  })

  it('refuses a bad CSV line with its line number', async () => {
    const res = await fetch(url(`${INDIANA}/build`), {
      method: 'POST',
      headers: { cookie: analyst.cookie },
      body: (() => {
        const form = new FormData()
        form.set('asOf', '2026-01-15')
        form.set('quotes', 'contract,block,price\n2027-01,onpeak,61\n2027-13,onpeak,abc\n')
        return form
      })(),
    })
    expect(res.status).toBe(400)
    const body = await res.text()
    expect(body).toContain('line 3')
    expect(body).toContain('2027-13')
  })

  it('builds from an uploaded CSV file', async () => {
    const { page } = analyst
    const { asOf, version } = await openBuildForm(page)
    const text = await page.locator('#build-quotes').inputValue()
    await page.locator('#build-file').setInputFiles({ name: 'indiana.csv', mimeType: 'text/csv', buffer: Buffer.from(text) })
    await page.locator('#build-quotes').fill('this text is ignored when a file is chosen')
    await page.getByRole('button', { name: 'Build curve' }).click()
    await page.waitForURL((u) => u.pathname === INDIANA && u.searchParams.get('asOf') === asOf)
    await page.locator('[data-current-version]').waitFor()
    expect(await shownVersion(page)).toBeGreaterThan(version)
    expect(await page.locator('[data-build="by"]').getAttribute('title')).toBe('Source: csv')
    expect(analyst.errors).toEqual([])
  })
})

describe('access', () => {
  it('keeps a CAISO-only viewer away from MISO curves and from the build form', async () => {
    const cora = await sessionFor(baseUrl, 'Cora Caiso') // viewer, CAISO hub and downloads
    try {
      const get = (p: string) => fetch(url(p), { headers: { cookie: cora.cookie } })
      const list = await get('/curves')
      expect(list.status).toBe(200)
      const html = await list.text()
      expect(html).toContain('data-curve="CAISO:TH_SP15_GEN-APND"')
      expect(html).not.toContain('data-curve="MISO:')

      const miso = await get(INDIANA)
      expect(miso.status).toBe(403)
      expect(await miso.text()).toContain('not entitled to MISO')
      expect((await get(`${INDIANA}/csv`)).status).toBe(403)

      const caiso = await get('/curves/CAISO/TH_SP15_GEN-APND')
      expect(caiso.status).toBe(200)
      expect(await caiso.text()).not.toContain('Build a new version')
      const form = await get('/curves/CAISO/TH_SP15_GEN-APND/build')
      expect(form.status).toBe(403)
      expect(await form.text()).toContain('requires the analyst role')
      expect((await get(`${INDIANA}/build`)).status).toBe(403)
      const post = await fetch(url('/curves/CAISO/TH_SP15_GEN-APND/build'), { method: 'POST', headers: { cookie: cora.cookie }, body: new FormData() })
      expect(post.status).toBe(403)

      // The browser shows the 403 page.
      await cora.page.goto(url(INDIANA))
      expect(await cora.page.locator('.error-code').textContent()).toBe('403')
    } finally {
      await cora.close()
    }
  })

  it('hides the download from a user without the downloads channel, which refuses it', async () => {
    const res = await fetch(url(INDIANA), { headers: { cookie: analyst.cookie } })
    expect(res.status).toBe(200)
    expect(await res.text()).not.toContain('Download CSV')
    expect((await fetch(url(`${INDIANA}/csv`), { headers: { cookie: analyst.cookie } })).status).toBe(403)
  })

  it('audits the views, downloads and builds', async () => {
    for (const procedure of ['hub:curves', 'hub:curve', 'download:curve-csv', 'hub:curve-build-form', 'hub:curve-build']) {
      const res = await fetch(url(`/admin/audit.csv?procedure=${encodeURIComponent(procedure)}`), { headers: { cookie: admin.cookie } })
      expect(res.status, procedure).toBe(200)
      const [header, ...rows] = parseCsv(await res.text())
      const column = header!.indexOf('procedure')
      expect(rows.filter((r) => r[column] === procedure).length, procedure).toBeGreaterThan(0)
    }
  })
})
