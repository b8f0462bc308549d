import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { PriceRecord } from '@carbon/schemas'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKafkaBus, type Bus } from '../../server/adapters/bus/index.ts'
import { startKafkaMock, type KafkaMock } from '../setup/kafka-mock.ts'
import { launchBrowser, signIn } from './support/browser.ts'
import { publishPrices, startServeOnKafka, type RunningServer } from './support/kafka-serve.ts'
import { freePort } from '../../server/cli/commands.ts'

/*
 * Live prices in the hub, end to end: a `carbon serve` of its own (not the shared e2e server) on
 * Kafka (librdkafka's mock cluster) with embedded Postgres and ClickHouse, so the web process runs
 * the fan-out and the prices consumer in-process, exactly as `carbon serve` does with
 * KAFKA_BROKERS set. The test publishes price records to prices.normalized as the ingest would,
 * and watches the MISO market page in Chromium: the board row updates in place; after the server
 * is stopped, prices are published while it is down and it is started again on the same port and
 * data directory, the page (never reloaded) reconnects with its last event id, says "resumed",
 * and ends with every price published for its filter applied exactly once.
 */

const NODE = 'INDIANA.HUB'
const FIVE_MIN = 300_000
/** Both server runs' output, kept after the test for diagnosis. */
const SERVER_LOG = path.join(os.tmpdir(), 'carbon-live-e2e-server.log')

let mock: KafkaMock
let producer: Bus
let dataDir: string
let port: number
let baseUrl: string
let server: RunningServer | null = null
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page
const pageErrors: string[] = []
const consoleErrors: string[] = []

async function stopServer(running: RunningServer): Promise<void> {
  expect(await running.stop(), running.output()).toBe(0)
}

let intervalBase = 0
/** A MISO price record; `slot` counts five-minute intervals after the first test interval. */
function record(slot: number, lmp: number, overrides: Partial<PriceRecord> = {}): PriceRecord {
  const start = intervalBase + slot * FIVE_MIN
  return {
    market: 'MISO',
    node: NODE,
    run: 'RT5',
    intervalStart: new Date(start).toISOString(),
    intervalEnd: new Date(start + FIVE_MIN).toISOString(),
    lmp,
    energy: Math.round((lmp - 1.5) * 100) / 100,
    congestion: 1,
    loss: 0.5,
    ghg: null,
    source: 'test.live-e2e',
    publishedAt: new Date().toISOString(),
    ...overrides,
  }
}

const publish = (records: PriceRecord[]) => publishPrices(producer, records)

const liveCount = async () => Number(await page.locator('[data-live-count]').getAttribute('data-live-count'))
const indicator = (state: string) => page.locator(`.live-indicator[data-state="${state}"]`)
const row = (lmp: number) => page.locator(`table.board-table tr[data-node="${NODE}"][data-lmp="${lmp}"]`)

beforeAll(async () => {
  mock = await startKafkaMock()
  producer = createKafkaBus({ brokers: mock.brokers, clientId: 'live-e2e-producer' })
  // The first record creates the topic (the mock auto-creates on first use) before the server
  // subscribes; a 2020 interval, so it changes no board.
  intervalBase = Date.parse('2020-01-01T05:00:00Z')
  await publish([record(0, 10)])
  // Test intervals: after the demo data, which ends at the server's start.
  intervalBase = Math.ceil(Date.now() / FIVE_MIN) * FIVE_MIN + 2 * 3_600_000

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-live-e2e-'))
  fs.writeFileSync(SERVER_LOG, '')
  port = await freePort()
  baseUrl = `http://localhost:${port}`
  server = await startServeOnKafka({ port, dataDir, brokers: mock.brokers, logFile: SERVER_LOG })

  browser = await launchBrowser()
  browser.context.on('weberror', (e) => pageErrors.push(e.error().message))
  page = await browser.context.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  await signIn(page, baseUrl, 'Ada Admin', '/markets/MISO')
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await producer?.close()
  await mock?.stop()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('live market board', () => {
  it('updates the row in place, then resumes after a server restart without gap or duplicate', async () => {
    await page.goto(`${baseUrl}/markets/MISO`)
    await indicator('live').waitFor({ timeout: 30_000 })
    expect(await liveCount()).toBe(0)
    // Marks this document: a reload would lose it.
    await page.evaluate(() => Object.assign(window, { __liveTestDocument: true }))

    // One price while connected: the row shows it.
    await publish([record(0, 41.23)])
    await row(41.23).waitFor({ timeout: 30_000 })
    const first = row(41.23)
    expect(await first.getAttribute('data-interval-start')).toBe(new Date(intervalBase).toISOString())
    expect(await first.locator('td.num.strong').textContent()).toBe('41.23')
    expect(await first.locator('td.age').textContent()).toMatch(/^in \d+ h|ago$/)
    expect(await liveCount()).toBe(1)
    await page.screenshot({ path: '/tmp/live-board.png', fullPage: true })

    // The server goes away; the page notices and keeps trying.
    await stopServer(server!)
    server = null
    await page.locator('.live-indicator[data-state="reconnecting"], .live-indicator[data-state="offline"]').waitFor({ timeout: 30_000 })

    // While it is down: M prices for the board's filter, and prices the filter leaves out
    // (another run of the same node, another market).
    const missed = [50.01, 50.02, 50.03, 50.04, 50.05].map((lmp, i) => record(i + 1, lmp))
    const outsideFilter = [
      record(0, 77.7, { run: 'DA', intervalStart: new Date(intervalBase + 24 * 3_600_000).toISOString(), intervalEnd: new Date(intervalBase + 25 * 3_600_000).toISOString() }),
      record(1, 88.8, { market: 'CAISO', node: 'TH_SP15_GEN-APND', source: 'test.live-e2e' }),
    ]
    await publish([missed[0]!, outsideFilter[0]!, ...missed.slice(1, 3), outsideFilter[1]!, ...missed.slice(3)])

    server = await startServeOnKafka({ port, dataDir, brokers: mock.brokers, logFile: SERVER_LOG })
    await indicator('resumed').waitFor({ timeout: 60_000 })
    await row(50.05).waitFor({ timeout: 30_000 })
    expect(await liveCount()).toBe(1 + missed.length)
    await page.screenshot({ path: '/tmp/live-board-resumed.png' })

    // A price after the resume arrives after everything replayed: had anything been sent twice
    // (or been missing), the count would be off when it shows.
    await publish([record(missed.length + 1, 42.42)])
    await row(42.42).waitFor({ timeout: 30_000 })
    expect(await liveCount()).toBe(1 + missed.length + 1)
    await indicator('live').waitFor({ timeout: 30_000 })

    expect(await page.evaluate(() => (window as unknown as { __liveTestDocument?: boolean }).__liveTestDocument)).toBe(true)
    expect(pageErrors).toEqual([])
    // While the server was down Chromium logs the refused EventSource connections; nothing else.
    expect(consoleErrors.filter((text) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(text))).toEqual([])
  }, 300_000)
})

describe('live node chart', () => {
  it("appends the node's live prices to the chart and slides its window", async () => {
    consoleErrors.length = 0
    await page.goto(`${baseUrl}/markets/MISO/nodes/${NODE}?range=24h&resolution=raw`)
    await indicator('live').waitFor({ timeout: 30_000 })
    const chart = page.locator('figure.chart')
    const endBefore = Date.parse((await chart.getAttribute('data-window-end'))!)
    expect(await liveCount()).toBe(0)

    // Two hours after the latest interval the page loaded, and a price of another node.
    const later = record(31, 55.55)
    await publish([record(31, 66.66, { node: 'MICHIGAN.HUB' }), later])
    await page.locator('figure.chart[data-last-rt="55.55"]').waitFor({ timeout: 30_000 })
    expect(await liveCount()).toBe(1)
    const endAfter = Date.parse((await chart.getAttribute('data-window-end'))!)
    expect(endAfter).toBe(Math.ceil(Date.parse(later.intervalEnd) / 3_600_000) * 3_600_000)
    expect(endAfter).toBeGreaterThan(endBefore)
    await page.screenshot({ path: '/tmp/live-node.png' })
    expect(pageErrors).toEqual([])
    expect(consoleErrors).toEqual([])
  }, 120_000)
})
