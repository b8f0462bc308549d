import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { PriceRecord } from '@carbon/schemas'
import type { Page, Response } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKafkaBus, type Bus } from '../../server/adapters/bus/index.ts'
import { freePort } from '../../server/cli/commands.ts'
import { startKafkaMock, type KafkaMock } from '../setup/kafka-mock.ts'
import { launchBrowser, signIn } from './support/browser.ts'
import { publishPrices, startServeOnKafka, type RunningServer } from './support/kafka-serve.ts'

/*
 * Issue 15: the live price stream is compressed (`Content-Encoding: deflate`, each event compressed
 * once for every client, server/http/sse.ts), and a real browser decodes it. A `carbon serve` of
 * its own on Kafka (librdkafka's mock cluster, as tests/e2e/live.e2e.test.ts) so the test can
 * publish prices as the ingest would; Debian's Chromium signs in and opens an EventSource on
 * `prices.live` with its session cookie (what the hub's tRPC link does): the answer says deflate
 * and the events arrive as the JSON the server sent.
 */

const NODE = 'INDIANA.HUB'
const FIVE_MIN = 300_000
const SERVER_LOG = path.join(os.tmpdir(), 'carbon-stream-compression-e2e-server.log')

let mock: KafkaMock
let producer: Bus
let dataDir: string
let baseUrl: string
let server: RunningServer | null = null
let browser: Awaited<ReturnType<typeof launchBrowser>>
let page: Page
let intervalBase = 0


function record(slot: number, lmp: number): PriceRecord {
  const start = intervalBase + slot * FIVE_MIN
  return {
    market: 'MISO',
    node: NODE,
    run: 'RT5',
    intervalStart: new Date(start).toISOString(),
    intervalEnd: new Date(start + FIVE_MIN).toISOString(),
    lmp,
    energy: null,
    congestion: null,
    loss: null,
    ghg: null,
    source: 'test.stream-compression-e2e',
    publishedAt: new Date().toISOString(),
  }
}

const publish = (records: PriceRecord[]) => publishPrices(producer, records)

beforeAll(async () => {
  mock = await startKafkaMock()
  producer = createKafkaBus({ brokers: mock.brokers, clientId: 'stream-compression-e2e-producer' })
  // The first record creates the topic before the server subscribes; a 2020 interval, so it changes no board.
  intervalBase = Date.parse('2020-01-01T05:00:00Z')
  await publish([record(0, 10)])
  intervalBase = Math.ceil(Date.now() / FIVE_MIN) * FIVE_MIN + 2 * 3_600_000

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-stream-compression-e2e-'))
  fs.writeFileSync(SERVER_LOG, '')
  const port = await freePort()
  baseUrl = `http://localhost:${port}`
  server = await startServeOnKafka({ port, dataDir, brokers: mock.brokers, logFile: SERVER_LOG })
  browser = await launchBrowser()
  page = await browser.context.newPage()
  await signIn(page, baseUrl, 'Ada Admin', '/')
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await producer?.close()
  await mock?.stop()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

type Received = { id: string; data: { type: string; prices: { node: string; lmp: number }[] } }

describe('live prices over a compressed stream in Chromium', () => {
  it('an EventSource on prices.live gets a deflate answer and decodes the events: prices arrive as sent', async () => {
    const input = { market: 'MISO', runs: 'RT5', nodes: NODE }
    const path = `/api/trpc/prices.live?input=${encodeURIComponent(JSON.stringify(input))}`
    const answered = page.waitForResponse((response: Response) => response.url().endsWith(path), { timeout: 30_000 })
    // The page's own EventSource, same origin, with the session cookie: as the hub's tRPC link opens it.
    await page.evaluate((url) => {
      const state = { received: [] as unknown[], opened: false, errors: 0 }
      Object.assign(window, { __stream: state })
      const source = new EventSource(url)
      source.addEventListener('connected', () => (state.opened = true))
      source.onmessage = (message) => state.received.push({ id: message.lastEventId, data: JSON.parse(message.data as string) as unknown })
      source.onerror = () => state.errors++
      Object.assign(window, { __source: source })
    }, path)
    const response = await answered
    expect(response.status()).toBe(200)
    const headers = response.headers()
    expect(headers['content-encoding']).toBe('deflate')
    expect(headers['content-type']).toBe('text/event-stream')
    expect(headers['vary']).toMatch(/accept-encoding/i)
    expect((await response.request().allHeaders())['accept-encoding']).toMatch(/deflate/)

    await page.waitForFunction(() => (window as unknown as { __stream: { opened: boolean } }).__stream.opened, undefined, { timeout: 30_000 })
    // The subscription attaches once the procedure has run; publish until the first price is there.
    const received = () => page.evaluate(() => (window as unknown as { __stream: { received: Received[] } }).__stream.received)
    const first = [41.23, 41.24, 41.25]
    for (let attempt = 0; (await received()).length === 0; attempt++) {
      if (attempt > 60) throw new Error('no event reached the EventSource')
      await publish([record(attempt, first[attempt % first.length]! + attempt)])
      await page.waitForTimeout(500)
    }
    // Then a batch of many prices of the filter: one larger compressed event, decoded whole.
    const batch = Array.from({ length: 200 }, (_, i) => record(100 + i, 60 + i / 100))
    await publish(batch)
    await page.waitForFunction(
      (last) => (window as unknown as { __stream: { received: Received[] } }).__stream.received.some((e) => e.data.prices.some((p) => p.lmp === last)),
      batch.at(-1)!.lmp,
      { timeout: 30_000 },
    )
    const events = await received()
    const prices = events.flatMap((e) => e.data.prices)
    expect(events.every((e) => e.data.type === 'prices' && /^\d+:\d+/.test(e.id))).toBe(true)
    expect(prices.every((p) => p.node === NODE)).toBe(true)
    expect(prices.slice(-batch.length).map((p) => p.lmp)).toEqual(batch.map((r) => r.lmp))
    expect(await page.evaluate(() => (window as unknown as { __stream: { errors: number } }).__stream.errors)).toBe(0)
    await page.evaluate(() => (window as unknown as { __source: EventSource }).__source.close())
  })
})
