import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createHttpClient, DEFAULT_MIN_SPACING_MS, simulatorUrls, type ConnectorConfig, type HttpClient, type SourceId, type Window } from '@carbon/connectors'
import type { MarketId } from '@carbon/schemas'
import {
  createAesoRoutes,
  createErcotRoutes,
  createIesoRoutes,
  createIsoneRoutes,
  createNyisoRoutes,
  createPjmRoutes,
  createPublisherSimulator,
  createSppRoutes,
  type PublisherSimulator,
} from '@carbon/simulator'
import { and, eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createInProcessBus, TOPICS, type Bus, type ReceivedMessage } from '../../adapters/bus/index.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../../adapters/clickhouse/testing.ts'
import { createLocalStore } from '../../adapters/objects/local.ts'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { ingestRuns, pricingNodes } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { startPricesConsumer, type PricesConsumer } from '../../workers/prices-consumer.ts'
import { createNodeCatalogue } from './catalogue.ts'
import { DATASETS } from './datasets.ts'
import type { PipelineDeps } from './pipeline.ts'
import { runRequest } from './request.ts'

/*
 * Every market added after the pilot through the whole write path, on real parts (the publisher
 * simulator over HTTP with each market's URL shapes, PostgreSQL, the local object store, the
 * in-process bus, the prices consumer, chDB): a published day of its day-ahead (AESO: pool price)
 * dataset is fetched, archived, parsed, its nodes catalogued with their types and its prices
 * stored once; an answer that is no file at all (an empty body) is one dead letter naming the file,
 * and the run fails. 2026-07-20 18:00Z is 14:00 EDT, 13:00 CDT, 12:00 MDT: the days below are out.
 */
const NOW = Date.parse('2026-07-20T18:00:00Z')
const HOUR = 3_600_000
const log = pino({ level: 'silent' })
const day = (iso: string): Window => ({ start: Date.parse(iso), end: Date.parse(iso) + 24 * HOUR })

type Case = { market: MarketId; dataset: SourceId; window: Window; nodes: number; hub: string }
const CASES: Case[] = [
  { market: 'PJM', dataset: 'pjm.da_hrl_lmps', window: day('2026-07-20T04:00:00Z'), nodes: 80, hub: 'WESTERN HUB' },
  { market: 'ERCOT', dataset: 'ercot.dam_spp', window: day('2026-07-20T05:00:00Z'), nodes: 40, hub: 'HB_NORTH' },
  { market: 'SPP', dataset: 'spp.da_lmp_sl', window: day('2026-07-20T05:00:00Z'), nodes: 40, hub: 'SPPNORTH_HUB' },
  { market: 'NYISO', dataset: 'nyiso.damlbmp_zone', window: day('2026-07-20T04:00:00Z'), nodes: 15, hub: 'N.Y.C.' },
  { market: 'ISONE', dataset: 'isone.ws.da_hourly_lmp', window: day('2026-07-20T04:00:00Z'), nodes: 1, hub: '.H.INTERNAL_HUB' },
  { market: 'IESO', dataset: 'ieso.da_ontario_zonal', window: day('2026-07-20T05:00:00Z'), nodes: 1, hub: 'ONTARIO' },
  { market: 'AESO', dataset: 'aeso.pool_price', window: day('2026-07-19T06:00:00Z'), nodes: 1, hub: 'POOL' },
]

let pg: PostgresHandle
let ch: Awaited<ReturnType<typeof openScratchClickHouse>>
let objectsDir: string
let simulator: PublisherSimulator
let client: HttpClient
let config: ConnectorConfig
let bus: Bus
let consumer: PricesConsumer
let consumed = 0
const deadLetters: ReceivedMessage[] = []

beforeAll(async () => {
  pg = await openScratchDatabase('postgres', { serverUrl: inject('postgresUrl') })
  await migratePostgres(pg)
  await seedMarkets(pg.db)
  ch = await openScratchClickHouse()
  objectsDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-markets-objects-'))
  const marketRoutes = [
    ...createPjmRoutes({ nodes: 80 }),
    ...createErcotRoutes({ nodes: 40 }),
    ...createSppRoutes({ nodes: 40 }),
    ...createNyisoRoutes(),
    ...createIsoneRoutes({ nodes: 20 }),
    ...createIesoRoutes(),
    ...createAesoRoutes(),
  ]
  simulator = await createPublisherSimulator({ fixturesDir: null, marketRoutes })
  simulator.setNow(new Date(NOW))
  const noSpacing = Object.fromEntries(Object.keys(DEFAULT_MIN_SPACING_MS).map((group) => [group, 0]))
  client = createHttpClient({ userAgent: 'carbon-test', maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 }, minSpacingMs: noSpacing })
  config = {
    urls: simulatorUrls(simulator.url),
    caisoNodes: 'ALL',
    pjmKey: 'test-key',
    aesoKey: 'test-key',
    isoneCredentials: { username: 'test', password: 'secret' },
    isoneLocations: [4000],
  }
  bus = createInProcessBus({ log })
  consumer = await startPricesConsumer({ bus, ch, log, onBatch: (n) => (consumed += n) })
  await bus.subscribe({ topic: TOPICS.pricesDlq, groupId: 'test-dlq', fromBeginning: true, handler: async (batch) => void deadLetters.push(...batch.messages) })
}, 60_000)

afterAll(async () => {
  await consumer?.stop()
  await bus?.close()
  await simulator?.close()
  await ch?.close()
  await pg?.close()
  if (objectsDir) await rm(objectsDir, { recursive: true, force: true })
})

function deps(): PipelineDeps {
  const objects = createLocalStore({ root: objectsDir, signingSecret: 'x'.repeat(40), baseUrl: 'http://localhost' })
  return { db: pg.db, bus, objects, catalogue: createNodeCatalogue(pg.db), log, unknownNodes: 'admit' }
}

/** The day's documents, fetched and ingested as the scheduler would (listings located, pages followed). */
async function ingestDay(c: Case) {
  const dataset = DATASETS[c.dataset]!
  const requests = dataset.plan(c.window, config, NOW)
  expect(requests.length).toBeGreaterThan(0)
  const results = []
  for (const request of requests) results.push(await runRequest(deps(), client, dataset, request, 'schedule'))
  return results
}

async function stored(c: Case): Promise<number> {
  const params = { source: c.dataset, from: c.window.start, to: c.window.end }
  const [row] = await queryRows<{ n: string }>(
    ch,
    'markets_prices',
    'SELECT count() AS n FROM prices FINAL WHERE source = {source:String} AND interval_start >= fromUnixTimestamp64Milli({from:Int64}) AND interval_start < fromUnixTimestamp64Milli({to:Int64})',
    params,
  )
  return Number(row!.n)
}

describe.each(CASES)('$market ($dataset)', (c) => {
  it('a published day is fetched, catalogued and stored once: every node, every hour', async () => {
    const before = consumed
    const results = await ingestDay(c)
    expect(results.map((r) => r.status)).toEqual(results.map(() => 'ok'))
    const records = results.reduce((n, r) => n + r.records, 0)
    expect(records).toBe(c.nodes * 24)
    for (let i = 0; i < 200 && consumed < before + records; i++) await new Promise((r) => setTimeout(r, 25))
    expect(await stored(c)).toBe(c.nodes * 24)
    const nodes = await pg.db.select({ name: pricingNodes.name, type: pricingNodes.type }).from(pricingNodes).where(eq(pricingNodes.market, c.market))
    expect(nodes).toHaveLength(c.nodes)
    expect(nodes.find((n) => n.name === c.hub)?.type).toBe(c.hub === 'N.Y.C.' || c.hub === 'ONTARIO' ? 'zone' : 'hub')
  })

  // ERCOT's first answer is its document list: an unreadable list is a failed run (listing.int.test.ts).
  if (c.market === 'ERCOT') return
  it('an empty answer is an unusable file: one dead letter naming it, the run failed', async () => {
    const dataset = DATASETS[c.dataset]!
    const [request] = dataset.plan(c.window, config, NOW)
    simulator.setFailureModes([{ mode: 'empty', feeds: [c.dataset], times: 1 }])
    const before = deadLetters.length
    const result = await runRequest(deps(), client, dataset, request!, 'schedule')
    simulator.setFailureModes([])
    expect(result.status).toBe('failed')
    for (let i = 0; i < 100 && deadLetters.length === before; i++) await new Promise((r) => setTimeout(r, 20))
    const letters = deadLetters.slice(before)
    expect(letters).toHaveLength(1)
    expect(letters[0]!.headers).toMatchObject({ kind: 'unusable-file', 'source-dataset': c.dataset })
    expect(letters[0]!.headers.reason).toContain(request!.file)
    const [run] = await pg.db
      .select({ status: ingestRuns.status, error: ingestRuns.error })
      .from(ingestRuns)
      .where(and(eq(ingestRuns.dataset, c.dataset), eq(ingestRuns.file, request!.file)))
      .orderBy(ingestRuns.id)
      .limit(1)
      .offset(1)
    expect(run).toMatchObject({ status: 'failed', error: expect.stringMatching(/empty/) })
  })
})
