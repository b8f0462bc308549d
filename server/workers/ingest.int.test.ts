import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { parseEnv } from '../env.ts'
import { openPlatform, type Platform } from '../platform.ts'
import { latestPrices } from '../services/prices/index.ts'
import { startPricesConsumer, type PricesConsumer } from './prices-consumer.ts'
import { resolveIngestSource, startIngestWorker, type IngestWorker } from './ingest.ts'

/*
 * The embedded default's live prices, wired as `carbon serve` wires them: the platform on
 * embedded stores, the publisher simulator started in-process (full-size catalogues), the ingest
 * worker scheduling real-time datasets, the prices consumer storing them. A hub query then finds
 * the latest MISO five-minute and CAISO fifteen-minute prices of the hubs, published by the
 * simulator moments ago.
 */
let dataDir: string
let platform: Platform
let consumer: PricesConsumer
let worker: IngestWorker

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-live-'))
  const env = parseEnv({
    DATA_DIR: dataDir,
    NODE_ENV: 'development',
    INGEST_DATASETS: 'miso.api.rt5_expost,caiso.oasis.prc_rtpd_lmp',
    INGEST_CAISO_NODES: 'TH_NP15_GEN-APND,TH_SP15_GEN-APND',
  })
  platform = await openPlatform(env, pino({ level: 'warn' }))
  consumer = await startPricesConsumer({ bus: platform.bus, ch: platform.ch, log: platform.log })
})

afterAll(async () => {
  await worker?.stop()
  await consumer?.stop()
  await platform?.close()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

/** The latest prices once every node has one ending at or after `since` (the backlog stores oldest first). */
async function latestOf(market: 'MISO' | 'CAISO', run: 'RT5' | 'RT15', nodes: string[], since: number) {
  const current = (prices: { intervalEnd: string }[]) => prices.length === nodes.length && prices.every((p) => Date.parse(p.intervalEnd) >= since)
  for (let i = 0; i < 600; i++) {
    const { prices } = await latestPrices(platform.ch, { market, run, nodes })
    if (current(prices)) return prices
    await new Promise((r) => setTimeout(r, 100))
  }
  return (await latestPrices(platform.ch, { market, run, nodes })).prices
}

it('development defaults to the simulator; production to the publishers; tests to nothing', () => {
  expect(resolveIngestSource(parseEnv({ NODE_ENV: 'development' }))).toBe('simulator')
  expect(resolveIngestSource(parseEnv({ NODE_ENV: 'test' }))).toBe('off')
  expect(resolveIngestSource(parseEnv({ NODE_ENV: 'production', OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_SECRET: 's', SESSION_SECRET: 'x'.repeat(40) }))).toBe('publishers')
})

it('stores the prices the in-process simulator publishes, up to the latest interval', async () => {
  const started = Date.now()
  worker = await startIngestWorker(platform, 'simulator')
  expect(worker.publisherUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  expect(worker.config.caisoNodes).toEqual(['TH_NP15_GEN-APND', 'TH_SP15_GEN-APND'])

  // MISO posts a five-minute interval once it has ended: the latest one ended within 5 minutes before we started.
  const miso = await latestOf('MISO', 'RT5', ['INDIANA.HUB', 'MINN.HUB'], started - 5 * 60_000)
  expect(miso.map((p) => p.node)).toEqual(['INDIANA.HUB', 'MINN.HUB'])
  expect(Date.parse(miso[0]!.intervalEnd)).toBeGreaterThanOrEqual(started - 5 * 60_000)
  expect(Date.parse(miso[0]!.intervalEnd)).toBeLessThanOrEqual(Date.now())

  // CAISO's fifteen-minute market posts an interval when it starts.
  const caiso = await latestOf('CAISO', 'RT15', ['TH_NP15_GEN-APND', 'TH_SP15_GEN-APND'], started)
  expect(caiso).toHaveLength(2)
  expect(caiso[0]!.ghg).not.toBeNull()
})
