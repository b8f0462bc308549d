import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EIA860_FIXTURE_DIR, EIA860M_SAMPLE_FIXTURE, SERIES_SOURCES } from '@carbon/connectors'
import { SeriesRecord } from '@carbon/schemas'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildXlsx } from '../../packages/connectors/src/xlsx/build-xlsx.ts'
import { eia860mOperatingCells, EIA860M_SAMPLE_GENERATORS, type Eia860mSampleGenerator } from '../../packages/connectors/src/series/eia860/sample.ts'
import { createKafkaBus, TOPICS, type Bus } from '../../server/adapters/bus/index.ts'
import { freePort } from '../../server/cli/commands.ts'
import { startKafkaMock, type KafkaMock } from '../setup/kafka-mock.ts'
import { parseCsv } from '../support/csv.ts'
import { lighthouseAxeViolations } from './support/axe.ts'
import { cookieHeader, launchBrowser, signIn } from './support/browser.ts'
import { startServeOnKafka, type RunningServer } from './support/kafka-serve.ts'

/*
 * A market page's operable generating capacity (EIA-860M), end to end: a `carbon serve` of its own
 * on Kafka (librdkafka's mock cluster) with embedded PostgreSQL and ClickHouse and no demo data, so
 * every megawatt shown is one this test published on `series.normalized` as the series ingest does
 * (the reader's records of the documented sample, September 2026, and of workbooks built with its
 * builder: August 2026 for MISO, June 2026 for CAISO's CISO and PACW). CAISO's records go first;
 * MISO's only after its page has shown the empty state. Pages are read in Chromium as Prairie
 * Trading's analyst (MISO and CAISO in the hub, no downloads), 254Carbon's admin (downloads of
 * both) and Pacific Utility's Cora Caiso (CAISO only).
 */

const SERVER_LOG = path.join(os.tmpdir(), 'carbon-capacity-e2e-server.log')

let mock: KafkaMock
let producer: Bus
let dataDir: string
let baseUrl: string
let server: RunningServer | null = null
const browsers: Awaited<ReturnType<typeof launchBrowser>>[] = []
const pageErrors: string[] = []
const sessions: Record<string, { page: Page; cookie: string }> = {}

const source = SERIES_SOURCES['eia.860m.generators']
const september = new Uint8Array(fs.readFileSync(new URL(EIA860M_SAMPLE_FIXTURE, EIA860_FIXTURE_DIR)))
const workbook = (generators: readonly Eia860mSampleGenerator[]) => buildXlsx([{ name: 'Operating', cells: eia860mOperatingCells(generators) }])
const sample = (plantName: string) => EIA860M_SAMPLE_GENERATORS.find((g) => g.plantName === plantName)!
const withMw = (g: Eia860mSampleGenerator, nameplateMw: number, summerMw: number): Eia860mSampleGenerator => ({ ...g, nameplateMw, summerMw, winterMw: nameplateMw })

/** August 2026, MISO: wind 250 MW (300 in September), coal 700 (650), no solar yet (120), a 20 MW oil unit retired by September. */
const MISO_AUGUST = workbook([
  withMw(sample('Sample Prairie Wind'), 250, 248),
  sample('Sample Lakeshore Nuclear'),
  withMw(sample('Sample River Coal'), 700, 660),
  sample('Sample Bayou Energy Center'),
  { ...sample('Sample River Coal'), plantId: 99_606, plantName: 'Sample Harbor Diesel', generatorId: 'IC1', nameplateMw: 20, summerMw: 19, winterMw: 20, technology: 'Petroleum Liquids', energySource: 'DFO', primeMover: 'IC' },
])

/** June 2026: CISO with 150 MW of batteries (200 in September), PACW with 35 MW of hydro (40). */
const CAISO_JUNE = workbook(
  EIA860M_SAMPLE_GENERATORS.filter((g) => g.ba === 'CISO' || g.ba === 'PACW').map((g) => (g.technology === 'Batteries' ? withMw(g, 150, 150) : g.ba === 'PACW' ? withMw(g, 35, 33) : g)),
)

/** What the series ingest publishes for a file: the reader's records of `market`, checked, keyed `product:series`. */
async function publishCapacity(file: string, bytes: Uint8Array, market: string): Promise<number> {
  const records = source.parse(bytes, file).records.filter((r) => r.market === market)
  const headers = { 'ingest-time': new Date().toISOString(), 'raw-key': `raw/e2e/eia.860m.generators/${file}` }
  await producer.publish(
    TOPICS.seriesNormalized,
    records.map((r) => ({ key: `${r.product}:${r.series}`, value: JSON.stringify(SeriesRecord.parse(r)), headers })),
  )
  return records.length
}

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
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) => rows.map((row) => Array.from(row.querySelectorAll('th, td')).map((cell) => (cell.textContent ?? '').trim())))
}

const section = (page: Page) => page.locator('section.capacity')
const summary = async (page: Page) => ((await section(page).locator('.capacity-summary').textContent()) ?? '').replace(/\s+/g, ' ').trim()

beforeAll(async () => {
  mock = await startKafkaMock()
  producer = createKafkaBus({ brokers: mock.brokers, clientId: 'capacity-e2e-producer' })
  // CISO: 3 technologies, PACW: 1, three measures each; June the same.
  expect([await publishCapacity(EIA860M_SAMPLE_FIXTURE, september, 'CAISO'), await publishCapacity('june_generator2026.xlsx', CAISO_JUNE, 'CAISO')]).toEqual([12, 12])
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-capacity-e2e-'))
  fs.writeFileSync(SERVER_LOG, '')
  const port = await freePort()
  baseUrl = `http://localhost:${port}`
  // No demo data (the demo stores the same sample): every megawatt on the pages is one this test put there.
  server = await startServeOnKafka({ port, dataDir, brokers: mock.brokers, logFile: SERVER_LOG, demo: false })
  sessions.analyst = await signedIn('Alan Analyst')
  sessions.admin = await signedIn('Ada Admin')
  sessions.caiso = await signedIn('Cora Caiso')
}, 300_000)

afterAll(async () => {
  for (const b of browsers) await b.close()
  await server?.stop()
  await producer?.close()
  await mock?.stop()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('capacity on the market pages', () => {
  it('MISO before its inventory arrives: the empty state names the market and what fills it', async () => {
    const { page } = sessions.analyst!
    const response = await page.goto(`${baseUrl}/markets/MISO`)
    expect(response?.status()).toBe(200)
    expect(await section(page).locator('.empty-title').textContent()).toBe('No EIA-860M inventory stored for MISO yet')
    expect(await section(page).locator('.empty-body code').textContent()).toContain('npx carbon backfill --dataset eia.860m.generators')
  })

  it("MISO: September 2026's operable capacity by fuel and technology, the change since August, the source and that it is preliminary", async () => {
    expect([await publishCapacity(EIA860M_SAMPLE_FIXTURE, september, 'MISO'), await publishCapacity('august_generator2026.xlsx', MISO_AUGUST, 'MISO')]).toEqual([15, 15])
    const { page } = sessions.analyst!
    const expected =
      'Operable in Sep 2026, Midcontinent Independent System Operator, Inc. (MISO): 2,950 MW nameplate, 2,842 MW net summer, 5 generators · since Aug 2026: +170 MW added, −70 MW removed'
    // Ready once both files are stored whole: the consumer stores them in batches of its own, so a page can show part of them.
    await openWhen(page, '/markets/MISO', async () => (await page.locator('section.capacity[data-month="2026-09"]').count()) === 1 && (await summary(page)) === expected)
    expect(await summary(page)).toBe(expected)
    // Fuel | Nameplate MW | Net summer MW | Generators | Share | Added MW | Removed MW
    expect(await tableRows(page, 'section.capacity table.capacity-fuels-table')).toEqual([
      ['Nuclear', '1,100', '1,080', '1', '37.3%', '0', '0'],
      ['Coal', '650', '610', '1', '22%', '0', '−50'],
      ['Natural gas', '780', '735', '1', '26.4%', '0', '0'],
      ['Oil', '0', '0', '0', '0%', '0', '−20'],
      ['Wind', '300', '298', '1', '10.2%', '+50', '0'],
      ['Solar', '120', '119', '1', '4.1%', '+120', '0'],
    ])
    // Technology | Fuel | Nameplate MW | Net summer MW | Generators | Share | Change since Aug 2026
    expect(await tableRows(page, 'section.capacity table.capacity-technologies-table')).toEqual([
      ['Nuclear', 'Nuclear', '1,100', '1,080', '1', '37.3%', '0'],
      ['Conventional Steam Coal', 'Coal', '650', '610', '1', '22%', '−50'],
      ['Natural Gas Fired Combined Cycle', 'Natural gas', '780', '735', '1', '26.4%', '0'],
      ['Onshore Wind Turbine', 'Wind', '300', '298', '1', '10.2%', '+50'],
      ['Solar Photovoltaic', 'Solar', '120', '119', '1', '4.1%', '+120'],
    ])
    // The server-drawn bar chart: one bar per fuel held (oil has none left), in the fundamentals' colours.
    const chart = section(page).locator('figure.capacity-chart')
    expect(await chart.locator('svg.recharts-surface').count()).toBe(1)
    expect(await chart.locator('.recharts-bar-rectangle').count()).toBe(5)
    expect(await chart.locator('.legend-item').allTextContents()).toEqual(['Nuclear', 'Coal', 'Natural gas', 'Wind', 'Solar'])
    const note = (await section(page).locator('.capacity-source').textContent()) ?? ''
    expect(note).toContain('EIA-860M')
    expect(note).toContain('eia.860m.generators')
    expect(note).toContain('preliminary')
    // Prairie Trading has no downloads: no CSV link.
    expect(await section(page).locator('a.capacity-csv').count()).toBe(0)
    await page.screenshot({ path: '/tmp/capacity-miso.png', fullPage: true })
  })

  it('CAISO: CISO by default, compared with June; PACW with its WEIM note; all balancing authorities summed', async () => {
    const { page } = sessions.analyst!
    await openWhen(page, '/markets/CAISO', async () => (await page.locator('section.capacity[data-month="2026-09"]').count()) === 1)
    expect(await summary(page)).toBe(
      'Operable in Sep 2026, California Independent System Operator (CISO): 900.5 MW nameplate, 867.5 MW net summer, 4 generators · since Jun 2026: +50 MW added, 0 MW removed',
    )
    const picker = section(page).getByRole('navigation', { name: 'Capacity of' })
    await picker.getByRole('link', { name: 'PACW' }).click()
    await page.waitForURL(/capacity=PACW/)
    await section(page).locator('[data-respondent="PACW"]').waitFor()
    expect(await summary(page)).toBe('Operable in Sep 2026, PacifiCorp West (PACW): 40 MW nameplate, 38 MW net summer, 1 generator · since Jun 2026: +5 MW added, 0 MW removed')
    expect(await section(page).getByRole('note').textContent()).toContain('Western Energy Imbalance Market')
    await picker.getByRole('link', { name: 'All' }).click()
    await page.waitForURL(/capacity=all/)
    await section(page).locator('[data-respondent="all"]').waitFor()
    expect(await summary(page)).toBe(
      'Operable in Sep 2026, all 2 balancing authorities of CAISO (CISO, PACW): 940.5 MW nameplate, 905.5 MW net summer, 5 generators · since Jun 2026: +55 MW added, 0 MW removed',
    )
    expect((await tableRows(page, 'section.capacity table.capacity-fuels-table')).map((r) => r[0])).toEqual(['Natural gas', 'Hydro', 'Solar', 'Storage'])
    expect(pageErrors).toEqual([])
  })
})

describe('the capacity CSV', () => {
  it('254Carbon (MISO downloads): the page links it, and it holds the technology table', async () => {
    const { page, cookie } = sessions.admin!
    await page.goto(`${baseUrl}/markets/MISO`)
    const href = await section(page).locator('a.capacity-csv').getAttribute('href')
    expect(href).toBe('/markets/MISO/capacity.csv?capacity=MISO')
    const res = await get(href!, cookie)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/csv')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="MISO_capacity_MISO_2026-09.csv"')
    expect(parseCsv(await res.text())).toEqual([
      ['month', 'balancing_authority', 'technology', 'fuel', 'nameplate_mw', 'net_summer_mw', 'generators', 'share_of_nameplate', 'nameplate_change_mw', 'previous_month'],
      ['2026-09', 'MISO', 'Nuclear', 'nuclear', '1100', '1080', '1', '0.372881', '0', '2026-08'],
      ['2026-09', 'MISO', 'Conventional Steam Coal', 'coal', '650', '610', '1', '0.220339', '-50', '2026-08'],
      ['2026-09', 'MISO', 'Natural Gas Fired Combined Cycle', 'gas', '780', '735', '1', '0.264407', '0', '2026-08'],
      ['2026-09', 'MISO', 'Onshore Wind Turbine', 'wind', '300', '298', '1', '0.101695', '50', '2026-08'],
      ['2026-09', 'MISO', 'Solar Photovoltaic', 'solar', '120', '119', '1', '0.040678', '120', '2026-08'],
    ])
  })

  it('refused without the MISO downloads entitlement: Cora Caiso (CAISO only) and Prairie Trading (hub only) get 403; Cora gets CAISO', async () => {
    const caiso = await get('/markets/MISO/capacity.csv', sessions.caiso!.cookie)
    expect(caiso.status).toBe(403)
    expect(await caiso.text()).not.toContain('Nuclear')
    expect((await get('/markets/MISO/capacity.csv', sessions.analyst!.cookie)).status).toBe(403)
    expect((await get('/markets/MISO', sessions.caiso!.cookie)).status).toBe(403)
    const own = await get('/markets/CAISO/capacity.csv?capacity=all', sessions.caiso!.cookie)
    expect(own.status).toBe(200)
    expect(parseCsv(await own.text()).map((r) => r.slice(0, 5))).toEqual([
      ['month', 'balancing_authority', 'technology', 'fuel', 'nameplate_mw'],
      ['2026-09', 'ALL', 'Natural Gas Fired Combined Cycle', 'gas', '550.5'],
      ['2026-09', 'ALL', 'Conventional Hydroelectric', 'hydro', '40'],
      ['2026-09', 'ALL', 'Solar Photovoltaic', 'solar', '150'],
      ['2026-09', 'ALL', 'Batteries', 'storage', '200'],
    ])
    expect((await get('/markets/CAISO/capacity.csv?capacity=MISO', sessions.caiso!.cookie)).status).toBe(404)
  })
})

describe('accessibility', () => {
  it('the market pages with their capacity section pass the Lighthouse accessibility rules (axe-core)', async () => {
    const { page } = sessions.admin!
    const found: string[] = []
    for (const p of ['/markets/MISO', '/markets/CAISO?capacity=all']) {
      const response = await page.goto(`${baseUrl}${p}`)
      expect(response?.status(), p).toBe(200)
      await page.waitForLoadState('load')
      for (const v of await lighthouseAxeViolations(page)) found.push(...v.nodes.map((n) => `${p} ${v.id}: ${n.target.join(' ')} (${v.help})`))
    }
    expect(found).toEqual([])
    expect(pageErrors).toEqual([])
  })
})
