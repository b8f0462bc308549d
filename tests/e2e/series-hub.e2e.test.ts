import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CARB_LCFS_SAMPLE_FIXTURE,
  DATAHUB_HENRY_HUB_DAILY_FIXTURE,
  EIA930_FUEL_TYPE_DATA_FIXTURE,
  EIA930_REGION_DATA_FIXTURE,
  EIA_FIXTURE_DIR,
  ENVIRONMENTAL_FIXTURE_DIR,
  FUNDAMENTALS_FIXTURE_DIR,
  GAS_FIXTURE_DIR,
  HENRY_HUB_MONTHLY_FIXTURE,
  ICE_FIXTURE_DIR,
  ICE_SAMPLE_FIXTURE,
  LNG_FIXTURE_DIR,
  REC_FIXTURE_DIR,
  REC_PRICES_SAMPLE_FIXTURE,
  SERIES_SOURCES,
  WNGSR_LNG_FIXTURE_0805,
  WNGSR_LNG_FIXTURE_0923,
  type SeriesSourceId,
} from '@carbon/connectors'
import { SeriesRecord } from '@carbon/schemas'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKafkaBus, TOPICS, type Bus } from '../../server/adapters/bus/index.ts'
import { freePort } from '../../server/cli/commands.ts'
import { startKafkaMock, type KafkaMock } from '../setup/kafka-mock.ts'
import { parseCsv } from '../support/csv.ts'
import { lighthouseAxeViolations } from './support/axe.ts'
import { cookieHeader, createApiTokenInHub, launchBrowser, signIn } from './support/browser.ts'
import { startServeOnKafka, type RunningServer } from './support/kafka-serve.ts'

/*
 * Gas, LNG, LCFS, RECs and a market's fundamentals in the hub, end to end: a `carbon serve` of its
 * own on Kafka (librdkafka's mock cluster) with embedded PostgreSQL and ClickHouse, so its series
 * consumer stores what reaches `series.normalized`. Before it starts, the test publishes there what
 * the series ingest publishes: the records the readers make of the repository's fixtures (EIA's
 * Henry Hub workbook and daily CSV, EIA's LNG bullets, EIA-930 PACW demand and generation, CARB's
 * LCFS sample), keyed `product:series`. REC quotes go in through the hub's own upload form, as an
 * analyst enters them. The server loads no demo data (its demo stores these same fixtures), so every
 * value the pages show is one the test put there. Pages are read in Chromium (JavaScript on) as the users of the demo
 * organizations: Prairie Trading's analyst (every product in the hub, no downloads), the admin of
 * 254Carbon (downloads too), and No Access Inc.'s user (nothing).
 */

const SERVER_LOG = path.join(os.tmpdir(), 'carbon-series-hub-e2e-server.log')

/**
 * Henry Hub daily prices of the week ending Wednesday 2026-09-23 and the day before it, in the
 * datahub layout: the LNG week's Henry Hub average is (2.90 + 2.95 + 3.00 + 3.05 + 3.10) / 5 = 3.00,
 * so JKM - HH = 26.41 - 3.00 = 23.41 and TTF - HH = 25.15 - 3.00 = 22.15.
 */
const HH_DAILY_2026_09 = 'Date,Price\n2026-09-16,2.80\n2026-09-17,2.90\n2026-09-18,2.95\n2026-09-21,3.00\n2026-09-22,3.05\n2026-09-23,3.10\n'

let mock: KafkaMock
let producer: Bus
let dataDir: string
let baseUrl: string
let server: RunningServer | null = null
const browsers: Awaited<ReturnType<typeof launchBrowser>>[] = []
const pageErrors: string[] = []
/** A signed-in page and its session cookie, per demo user. */
const sessions: Record<string, { page: Page; cookie: string }> = {}

/** What the series ingest publishes for a file: its reader's records, checked, keyed `product:series`. */
async function publishFile(source: SeriesSourceId, file: string, bytes: Uint8Array): Promise<number> {
  const { records, errors } = SERIES_SOURCES[source].parse(bytes, file)
  expect(errors, file).toEqual([])
  const headers = { 'ingest-time': new Date().toISOString(), 'raw-key': `raw/e2e/${source}/${file}` }
  await producer.publish(
    TOPICS.seriesNormalized,
    records.map((r) => ({ key: `${r.product}:${r.series}`, value: JSON.stringify(SeriesRecord.parse(r)), headers })),
  )
  return records.length
}

const fixture = (dir: URL, file: string) => new Uint8Array(fs.readFileSync(new URL(file, dir)))

async function signedIn(displayName: string): Promise<{ page: Page; cookie: string }> {
  const browser = await launchBrowser()
  browsers.push(browser)
  browser.context.on('weberror', (e) => pageErrors.push(`${displayName}: ${e.error().message}`))
  const page = await browser.context.newPage()
  page.setDefaultTimeout(30_000)
  await signIn(page, baseUrl, displayName)
  return { page, cookie: await cookieHeader(browser.context, baseUrl) }
}

const get = (p: string, cookie: string) => fetch(new URL(p, baseUrl), { headers: { cookie }, redirect: 'manual' })

/** Reloads `url` until `ready` holds on the page (the consumer stores what was published in its own time). */
async function openWhen(page: Page, url: string, ready: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await page.goto(new URL(url, baseUrl).toString())
    if (await ready()) return
    if (Date.now() > deadline) throw new Error(`${url}: not ready within ${timeoutMs / 1000} s`)
    await page.waitForTimeout(1_000)
  }
}

async function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('th, td')).map((cell) => (cell.textContent ?? '').trim())),
  )
}

/** A table row whose period cell carries `dateTime`. */
async function rowAt(page: Page, table: string, dateTime: string): Promise<string[]> {
  const row = page.locator(`${table} tbody tr`, { has: page.locator(`time[datetime="${dateTime}"]`) })
  expect(await row.count(), `${table} ${dateTime}`).toBe(1)
  return row.locator('th, td').evaluateAll((cells) => cells.map((c) => (c.textContent ?? '').trim()))
}

beforeAll(async () => {
  mock = await startKafkaMock()
  producer = createKafkaBus({ brokers: mock.brokers, clientId: 'series-hub-e2e-producer' })
  const published = [
    await publishFile('eia.ng.hh_spot_monthly', HENRY_HUB_MONTHLY_FIXTURE, fixture(EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE)),
    await publishFile('datahub.ng.hh_spot_daily', DATAHUB_HENRY_HUB_DAILY_FIXTURE, fixture(GAS_FIXTURE_DIR, DATAHUB_HENRY_HUB_DAILY_FIXTURE)),
    await publishFile('datahub.ng.hh_spot_daily', 'hh_daily_2026-09.csv', new TextEncoder().encode(HH_DAILY_2026_09)),
    await publishFile('eia.ng.wngsr_lng_prices', WNGSR_LNG_FIXTURE_0805, fixture(LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0805)),
    await publishFile('eia.ng.wngsr_lng_prices', WNGSR_LNG_FIXTURE_0923, fixture(LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923)),
    await publishFile('eia.930.region_data', EIA930_REGION_DATA_FIXTURE, fixture(FUNDAMENTALS_FIXTURE_DIR, EIA930_REGION_DATA_FIXTURE)),
    await publishFile('eia.930.fuel_type_data', EIA930_FUEL_TYPE_DATA_FIXTURE, fixture(FUNDAMENTALS_FIXTURE_DIR, EIA930_FUEL_TYPE_DATA_FIXTURE)),
    await publishFile('carb.lcfs.credit_transfers', CARB_LCFS_SAMPLE_FIXTURE, fixture(ENVIRONMENTAL_FIXTURE_DIR, CARB_LCFS_SAMPLE_FIXTURE)),
    await publishFile('eia.ice.next_day_gas', ICE_SAMPLE_FIXTURE, fixture(ICE_FIXTURE_DIR, ICE_SAMPLE_FIXTURE)),
  ]
  // The fixtures' documented sizes: 355 months, 124 + 6 days, 2 + 2 LNG weeks, 169 demand hours, 845 fuel-hours,
  // 7 LCFS weeks (price, volume, and one Type 1 price), 8 ICE rows of 5 records.
  expect(published).toEqual([355, 124, 6, 2, 2, 169, 845, 15, 40])

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-series-hub-e2e-'))
  fs.writeFileSync(SERVER_LOG, '')
  const port = await freePort()
  baseUrl = `http://localhost:${port}`
  // No demo data (the demo stores these same fixtures): every series on the pages is one this test put there.
  server = await startServeOnKafka({ port, dataDir, brokers: mock.brokers, logFile: SERVER_LOG, demo: false })
  sessions.analyst = await signedIn('Alan Analyst')
  sessions.admin = await signedIn('Ada Admin')
  sessions.none = await signedIn('Ned None')
  sessions.viewer = await signedIn('Cora Caiso')
}, 300_000)

afterAll(async () => {
  for (const b of browsers) await b.close()
  await server?.stop()
  await producer?.close()
  await mock?.stop()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('gas', () => {
  it("shows Henry Hub's documented values: 2024-01 averaged 3.18 $/MMBtu; the latest gas day with its change", async () => {
    const { page } = sessions.analyst!
    await openWhen(page, '/gas?view=monthly', async () => (await page.locator('table.henry-hub-table tbody tr').count()) === 355)
    expect(await rowAt(page, 'table.henry-hub-table', '2024-01')).toEqual(['Jan 2024', '3.18', '+0.66'])
    expect(await rowAt(page, 'table.henry-hub-table', '2024-02')).toEqual(['Feb 2024', '1.72', '−1.46'])
    // The server-drawn chart is in the page.
    expect(await page.locator('figure.series-chart svg.recharts-surface').count()).toBe(1)
    await page.screenshot({ path: '/tmp/series-hub-gas-monthly.png' })
    // The latest daily price: the last gas day published, its change from the one before.
    await openWhen(page, '/gas', async () => (await page.locator('table.henry-hub-table tbody tr').count()) === 6)
    const daily = page.locator('.series-cards .card').first()
    expect(await daily.locator('.card-value').textContent()).toBe('3.10')
    expect(await daily.locator('.card-change').textContent()).toBe('+0.05')
    expect(await daily.locator('.card-foot').textContent()).toContain('gas day 2026-09-23')
    // Every hub is listed; Henry Hub links to its page.
    const hubs = await tableRows(page, 'table.gas-hubs-table')
    expect(hubs).toHaveLength(17)
    expect(hubs[0]!.slice(0, 1)).toEqual(['Henry Hubreference'])
    expect(hubs[0]![3]).toBe('2026-09-23')
    await page.getByRole('link', { name: 'Henry Hub', exact: true }).click()
    await page.waitForURL(/\/gas\/HENRY_HUB$/)
    await page.locator('table.gas-series-table').waitFor()
    expect(await rowAt(page, 'table.gas-series-table', '2026-09-22')).toEqual(['2026-09-22', '3.05', '+0.05'])
    await page.screenshot({ path: '/tmp/series-hub-gas-henry-hub.png', fullPage: true })
  })

  it("a hub's basis to Henry Hub is its price minus Henry Hub's of the same gas day (EIA's ICE sample)", async () => {
    const { page } = sessions.analyst!
    await openWhen(page, '/gas', async () => (await page.locator('table.gas-hubs-table tbody tr', { hasText: '2017-01-06' }).count()) === 2)
    // Hub | Where | Prices power in | Latest gas day | Price | Henry Hub same day | Basis
    const algonquin = (await tableRows(page, 'table.gas-hubs-table')).find((r) => r[0] === 'Algonquin Citygates')
    expect(algonquin).toEqual(['Algonquin Citygates', 'New England, Massachusetts', 'ISO-NE', '2017-01-06', '8.3897', '3.2734', '+5.1163'])
    await page.goto(`${baseUrl}/gas/ALGONQUIN_CITYGATES`)
    // Gas day | Price | Change | Henry Hub | Basis
    expect(await tableRows(page, 'table.gas-series-table')).toEqual([
      ['2017-01-06', '8.3897', '+1.7345', '3.2734', '+5.1163'],
      ['2017-01-03', '6.6552', '—', '3.4391', '+3.2161'],
    ])
    expect(await page.locator('figure.series-chart svg.recharts-surface').count()).toBe(2)
  })

  it('lists the products after the markets in the nav bar', async () => {
    const { page } = sessions.analyst!
    await page.goto(`${baseUrl}/gas`)
    expect(await page.locator('nav[aria-label="Main"] [role="group"][aria-label="Products"] a').allTextContents()).toEqual(['Gas', 'LNG', 'LCFS', 'RECs'])
  })

  it('the CSV of /gas/HENRY_HUB.csv needs downloads: 403 for Prairie Trading, the rows of the page for 254Carbon', async () => {
    expect((await get('/gas/HENRY_HUB.csv', sessions.analyst!.cookie)).status).toBe(403)
    const res = await get('/gas/HENRY_HUB.csv', sessions.admin!.cookie)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/csv')
    expect(res.headers.get('content-disposition')).toContain('GAS_HENRY_HUB_daily_to-2026-09-23.csv')
    expect(parseCsv(await res.text())).toEqual([
      ['date', 'price', 'unit'],
      ['2026-09-23', '3.1', '$/MMBtu'],
      ['2026-09-22', '3.05', '$/MMBtu'],
      ['2026-09-21', '3', '$/MMBtu'],
      ['2026-09-18', '2.95', '$/MMBtu'],
      ['2026-09-17', '2.9', '$/MMBtu'],
      ['2026-09-16', '2.8', '$/MMBtu'],
    ])
    const monthly = parseCsv(await (await get('/gas/HENRY_HUB.csv?frequency=month', sessions.admin!.cookie)).text())
    expect(monthly[0]).toEqual(['month', 'price', 'unit'])
    expect(monthly).toHaveLength(356)
    expect(monthly).toContainEqual(['2024-01', '3.18', '$/MMBtu'])
  })
})

describe('LNG', () => {
  it('shows TTF 25.15 for the week ending 2026-09-23 with EIA\u2019s change, and JKM - HH and TTF - HH over the Henry Hub weekly average', async () => {
    const { page } = sessions.analyst!
    await openWhen(page, '/lng', async () => (await page.locator('table.lng-table time[datetime="2026-09-23"]').count()) === 1)
    // Week ending | JKM | w/w | TTF | w/w | HH weekly avg | HH days | JKM - HH | TTF - HH
    expect(await rowAt(page, 'table.lng-table', '2026-09-23')).toEqual(['2026-09-23', '26.41', '+0.97', '25.15', '−2.11', '3.00', '5', '+23.41', '+22.15'])
    // A week without daily Henry Hub prices keeps its prices and has no basis.
    expect(await rowAt(page, 'table.lng-table', '2026-08-05')).toEqual(['2026-08-05', '21.23', '−0.37', '19.14', '−1.03', '—', '—', '—', '—'])
    expect(await page.locator('figure.series-chart svg.recharts-surface').count()).toBe(2)
    await page.screenshot({ path: '/tmp/series-hub-lng.png', fullPage: true })
  })
})

describe('LCFS', () => {
  it("shows CARB's weekly credit price and volume by the week's Monday, and leads to compliance", async () => {
    const { page } = sessions.analyst!
    await openWhen(page, '/lcfs', async () => (await page.locator('table.lcfs-table tbody tr').count()) === 7)
    expect(await rowAt(page, 'table.lcfs-table', '2020-05-18')).toEqual(['2020-05-18', '197.48', '+5.81', '198.29', '197,476'])
    expect(await rowAt(page, 'table.lcfs-table', '2019-04-08')).toEqual(['2019-04-08', '191.67', '—', '—', '124,111'])
    expect(await page.locator('a[href="/compliance"]').count()).toBeGreaterThan(0)
    await page.screenshot({ path: '/tmp/series-hub-lcfs.png', fullPage: true })
  })
})

describe('RECs', () => {
  it('the upload of the sample fixture stores its quotes; the table shows them once stored', async () => {
    const { page } = sessions.analyst!
    await page.goto(`${baseUrl}/recs`)
    await page.locator('#rec-file').setInputFiles(new URL(REC_PRICES_SAMPLE_FIXTURE, REC_FIXTURE_DIR).pathname)
    await page.getByRole('button', { name: 'Upload' }).click()
    const answer = page.locator('.rec-upload-answer')
    await answer.waitFor()
    expect(await answer.getAttribute('data-records')).toBe('23')
    expect(await answer.getAttribute('data-issues')).toBe('0')
    expect(await answer.textContent()).toContain('They appear in the table once stored')
    await openWhen(page, '/recs', async () => (await page.locator('table.recs-table tbody tr').count()) === 10, 60_000)
    const nj = (await tableRows(page, 'table.recs-table')).find((r) => r[4] === 'REC.NJ.SOLAR.2027')
    // State | Program | Class | Vintage | Series | Latest quote | Price | Bid | Ask | Quotes
    expect(nj).toEqual(['NJ', 'RPS', 'SOLAR', '2027', 'REC.NJ.SOLAR.2027', '2026-10-01', '194.00', '192.00', '196.00', '3'])
    await page.getByRole('link', { name: 'REC.NJ.SOLAR.2027' }).click()
    await page.waitForURL(/\/recs\/REC\.NJ\.SOLAR\.2027$/)
    await page.locator('table.rec-quotes-table').waitFor()
    expect(await rowAt(page, 'table.rec-quotes-table', '2026-09-01')).toEqual(['2026-09-01', '192.50', '190.00', '195.00', 'broker indication, mid'])
  })

  it('a bad row is refused, named by line, field and value; the good rows are taken', async () => {
    const { page } = sessions.analyst!
    await page.goto(`${baseUrl}/recs`)
    const csv = 'date,state,program,class,vintage,price,bid,ask,source_note\n2026-10-15,NJ,RPS,SOLAR,2027,195.00,,,\n2026-10-15,NJ,RPS,Class 1,2027,32.10,,,\n'
    await page.locator('#rec-file').setInputFiles({ name: 'rec_quotes_2026-10-15.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await page.getByRole('button', { name: 'Upload' }).click()
    const answer = page.locator('.rec-upload-answer')
    await answer.waitFor()
    expect(await answer.getAttribute('data-records')).toBe('1')
    expect(await answer.getAttribute('data-issues')).toBe('1')
    expect(await tableRows(page, 'table.rec-upload-problems')).toEqual([['3', 'class', 'Class 1', 'unknown class spelling: write CLASS_I']])
    await page.screenshot({ path: '/tmp/series-hub-recs-upload.png', fullPage: true })
  })
})

describe('RECs through the REST API', () => {
  it('POST /api/v1/series/upload with a personal access token stores the quotes, answers the run and names the refused row; write:series is needed', async () => {
    // Ada Admin (254Carbon: RECs through the API, analyst role) makes her tokens in the hub.
    const { page } = sessions.admin!
    const writer = await createApiTokenInHub(page, baseUrl, 'series-upload-e2e', ['read:prices', 'write:series'])
    const reader = await createApiTokenInHub(page, baseUrl, 'series-read-e2e', ['read:prices'])
    const csv = 'date,state,program,class,vintage,price,bid,ask,source_note\n2026-10-20,NJ,RPS,SOLAR,2027,197.25,196.00,198.50,api upload\n2026-10-20,NJ,RPS,SOLAR,27,199.00,,,\n'
    const body = JSON.stringify({ product: 'REC', source: 'carbon.rec_prices_csv', file: 'rec_quotes_2026-10-20.csv', csv })
    const post = (token: string) =>
      fetch(new URL('/api/v1/series/upload', baseUrl), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body })

    const refused = await post(reader)
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { message: string }).message).toBe('This credential lacks the write:series scope')

    const res = await post(writer)
    expect(res.status).toBe(200)
    const answer = (await res.json()) as { runId: number; status: string; records: number; issues: number; refused: { line: number; field: string; value: string }[] }
    expect(answer).toMatchObject({ status: 'partial', records: 1, issues: 1, file: 'rec_quotes_2026-10-20.csv', product: 'REC' })
    expect(answer.runId).toBeGreaterThan(0)
    expect(answer.refused).toMatchObject([{ kind: 'parse-issue', line: 3, field: 'vintage', value: '27' }])

    // The quote is stored by the series consumer within seconds: read it back through the API.
    const history = new URL('/api/v1/series/history', baseUrl)
    for (const [k, v] of Object.entries({ product: 'REC', series: 'REC.NJ.SOLAR.2027', from: '2026-10-20T00:00:00Z', to: '2026-10-21T00:00:00Z' })) history.searchParams.set(k, v)
    const deadline = Date.now() + 60_000
    let values: { periodStart: string; value: number }[] = []
    while (values.length === 0 && Date.now() < deadline) {
      const read = await fetch(history, { headers: { authorization: `Bearer ${reader}` } })
      expect(read.status).toBe(200)
      values = ((await read.json()) as { values: { periodStart: string; value: number }[] }).values
      if (values.length === 0) await new Promise((r) => setTimeout(r, 1_000))
    }
    expect(values).toMatchObject([{ periodStart: '2026-10-20T00:00:00.000Z', value: 197.25 }])
  })
})

describe('access', () => {
  it('a user of No Access Inc. gets 403 on every product page and download', async () => {
    const { cookie } = sessions.none!
    const paths = ['/gas', '/gas/HENRY_HUB', '/gas/HENRY_HUB.csv', '/gas/curves', '/gas/curves/HENRY_HUB', '/gas/curves/HENRY_HUB.csv', '/lng', '/lng.csv']
    paths.push('/lng/curves', '/lng/curves/JKM-HH', '/lng/curves/JKM-HH.csv', '/lcfs', '/lcfs.csv', '/lcfs-monthly.csv', '/recs', '/recs/REC.NJ.SOLAR.2027', '/recs/template')
    for (const p of paths) {
      expect((await get(p, cookie)).status, p).toBe(403)
    }
  })

  it('the upload is for analysts: a viewer entitled to RECs sees no form, and her post is refused', async () => {
    // Cora Caiso (Pacific Utility) has RECs in the hub with the viewer role.
    const { page, cookie } = sessions.viewer!
    await page.goto(`${baseUrl}/recs`)
    expect(await page.locator('table.recs-table tbody tr').count()).toBeGreaterThan(0)
    expect(await page.locator('form.rec-upload-form').count()).toBe(0)
    const form = new FormData()
    form.append('file', new Blob([fs.readFileSync(new URL(REC_PRICES_SAMPLE_FIXTURE, REC_FIXTURE_DIR))]), REC_PRICES_SAMPLE_FIXTURE)
    const res = await fetch(new URL('/recs?index', baseUrl), { method: 'POST', body: form, headers: { cookie, origin: baseUrl } })
    expect(res.status).toBe(403)
  })
})

describe('market fundamentals', () => {
  it('MISO holds none: the empty state says so', async () => {
    const { page } = sessions.analyst!
    await page.goto(`${baseUrl}/markets/MISO`)
    const section = page.locator('section.fundamentals')
    expect(await section.locator('.empty-title').textContent()).toBe('No EIA-930 fundamentals stored for MISO yet')
  })

  it('CAISO shows PACW demand and generation by fuel, with the Western EIM note', async () => {
    const { page } = sessions.analyst!
    await openWhen(page, '/markets/CAISO', async () => (await page.locator('section.fundamentals [data-respondent="PACW"]').count()) === 1)
    const section = page.locator('section.fundamentals')
    const text = (await section.textContent()) ?? ''
    expect(text).toContain('PacifiCorp West (PACW)')
    // The last hour of the fixture: 2577 MWh in the hour ending 2023-01-08 00:00 UTC, 16:00 Pacific.
    expect(text).toContain('demand 2,577 MWh in the hour ending 2023-01-07 16:00')
    expect(text).toContain('Western Energy Imbalance Market')
    expect(await section.locator('figure.series-chart').count()).toBe(2)
    expect(await section.locator('figure.series-chart').nth(1).locator('.legend-item').allTextContents()).toEqual(
      expect.arrayContaining(['Natural Gas', 'Wind', 'Hydro']),
    )
    await page.screenshot({ path: '/tmp/series-hub-caiso-fundamentals.png', fullPage: true })
    expect(pageErrors).toEqual([])
  })
})

describe('accessibility', () => {
  it('the product pages and the fundamentals pass the Lighthouse accessibility rules (axe-core)', async () => {
    const { page } = sessions.analyst!
    const pages = ['/gas', '/gas/HENRY_HUB', '/lng', '/lcfs', '/recs', '/recs/REC.NJ.SOLAR.2027', '/markets/CAISO', '/markets/MISO']
    const found: string[] = []
    for (const p of pages) {
      const response = await page.goto(`${baseUrl}${p}`)
      expect(response?.status(), p).toBe(200)
      await page.waitForLoadState('load')
      for (const v of await lighthouseAxeViolations(page)) found.push(...v.nodes.map((n) => `${p} ${v.id}: ${n.target.join(' ')} (${v.help})`))
    }
    expect(found).toEqual([])
  })
})
