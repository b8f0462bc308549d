import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createHttpClient, simulatorUrls, type ConnectorConfig, type HttpClient } from '@carbon/connectors'
import { createPublisherSimulator, type FailureRule, type PublisherSimulator } from '@carbon/simulator'
import { and, eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { createInProcessBus, TOPICS, type Bus, type ReceivedMessage } from '../../adapters/bus/index.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../../adapters/clickhouse/testing.ts'
import { createLocalStore } from '../../adapters/objects/local.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { ingestBackfills, ingestRuns, pricingNodes } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { startPricesConsumer, type PricesConsumer } from '../../workers/prices-consumer.ts'
import { runBackfill } from './backfill.ts'
import { createNodeCatalogue } from './catalogue.ts'
import { DATASETS } from './datasets.ts'
import type { PipelineDeps } from './pipeline.ts'
import { runRequest } from './request.ts'
import { readWatermark } from './runs.ts'
import { createScheduler } from './scheduler.ts'

/*
 * The ingest end to end on real parts: the publisher simulator over HTTP, the connectors' HTTP
 * client, PostgreSQL (watermarks, runs, nodes), the local object store (raw archive), the
 * in-process bus, the prices consumer and chDB. Small catalogues keep it quick.
 */
// The catalogues always hold the real names (hubs, zones, interfaces, demo nodes), so they may be larger than asked.
let MISO_NODES = 0
let CAISO_NODES = 0
// 2026-07-20 13:00 EST: the DA report of 07-20 is out, that of 07-21 is not (14:00 EST).
const NOW = Date.parse('2026-07-20T18:00:00Z')
const log = pino({ level: 'silent' })

let pg: PostgresHandle
let ch: Awaited<ReturnType<typeof openScratchClickHouse>>
let objectsDir: string
let objects: ObjectStore
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
  objectsDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-ingest-objects-'))
  objects = createLocalStore({ root: objectsDir, signingSecret: 'x'.repeat(40), baseUrl: 'http://localhost' })
  simulator = await createPublisherSimulator({ nodes: { miso: 40, caiso: 30 }, fixturesDir: null })
  MISO_NODES = simulator.model.miso.nodes.length
  CAISO_NODES = simulator.model.caiso.nodes.length
  simulator.setNow(new Date(NOW))
  // No politeness spacing against the local simulator (its throttle is off here).
  client = createHttpClient({ userAgent: 'carbon-test', maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 }, minSpacingMs: { 'caiso.oasis': 0, 'miso.dx': 0 } })
  config = { urls: simulatorUrls(simulator.url), caisoNodes: 'ALL' }
  bus = createInProcessBus({ log })
  consumer = await startPricesConsumer({ bus, ch, log, onBatch: (n) => (consumed += n) })
  await bus.subscribe({ topic: TOPICS.pricesDlq, groupId: 'test-dlq', fromBeginning: true, handler: async (batch) => void deadLetters.push(...batch.messages) })
})

afterAll(async () => {
  await consumer?.stop()
  await bus?.close()
  await simulator?.close()
  await ch?.close()
  await pg?.close()
  if (objectsDir) await rm(objectsDir, { recursive: true, force: true })
})

beforeEach(() => {
  simulator.setFailureModes([])
})

function deps(overrides: Partial<PipelineDeps> = {}): PipelineDeps {
  return { db: pg.db, bus, objects, catalogue: createNodeCatalogue(pg.db), log, unknownNodes: 'admit', ...overrides }
}

/** Waits until the consumer has handled `target` messages in all (the bus is asynchronous). */
async function consumedAtLeast(target: number) {
  for (let i = 0; i < 400 && consumed < target; i++) await new Promise((r) => setTimeout(r, 25))
  expect(consumed).toBeGreaterThanOrEqual(target)
}

/** The stored count once it stops changing toward `expected` (the consumer runs asynchronously). */
async function settledCount(source: string, where: string, expected: number): Promise<number> {
  let n = await storedCount(source, where)
  for (let i = 0; i < 200 && n < expected; i++) {
    await new Promise((r) => setTimeout(r, 50))
    n = await storedCount(source, where)
  }
  return n
}

async function storedCount(source: string, where = ''): Promise<number> {
  const rows = await queryRows<{ n: string }>(ch, 'test_count', `SELECT count() AS n FROM prices FINAL WHERE source = {source:String} ${where}`, { source })
  return Number(rows[0]!.n)
}

async function lastRun(dataset: string) {
  const rows = await pg.db.select().from(ingestRuns).where(eq(ingestRuns.dataset, dataset))
  return rows.sort((a, b) => b.id - a.id)[0]!
}

function deadLettersOf(kind: string, dataset: string) {
  return deadLetters.filter((m) => m.headers.kind === kind && m.headers['source-dataset'] === dataset)
}

describe('scheduled ingest', () => {
  it('fetches a MISO day-ahead report once published: nodes registered, every node-hour stored, raw archived, run recorded, watermark moved', async () => {
    const dataset = DATASETS['miso.da_expost_lmp']!
    const scheduler = createScheduler({ deps: deps(), client, datasets: [dataset], config, log, now: () => NOW })
    const before = consumed
    const cycle = await scheduler.runCycle(dataset)
    expect(cycle).toMatchObject({ requests: 1, status: 'ok', records: MISO_NODES * 24, issues: 0 })
    await consumedAtLeast(before + MISO_NODES * 24)
    expect(await storedCount('miso.da_expost_lmp')).toBe(MISO_NODES * 24)

    const nodes = await pg.db.select().from(pricingNodes).where(eq(pricingNodes.market, 'MISO'))
    expect(nodes).toHaveLength(MISO_NODES)
    expect(nodes.find((n) => n.name === 'INDIANA.HUB')?.type).toBe('hub')

    const run = await lastRun('miso.da_expost_lmp')
    expect(run).toMatchObject({ status: 'ok', trigger: 'schedule', httpStatus: 200, records: MISO_NODES * 24, file: '20260720_da_expost_lmp.csv' })
    expect(run.publishedAt).not.toBeNull()
    // The report's Last-Modified becomes the records' publication time (the CSV carries none).
    const published = await queryRows<{ p: string }>(ch, 'published', "SELECT DISTINCT toString(published_at) AS p FROM prices FINAL WHERE source = 'miso.da_expost_lmp'")
    expect(published.map((r) => Date.parse(`${r.p.replace(' ', 'T')}Z`))).toEqual([run.publishedAt!.getTime()])
    const raw = await objects.getBuffer(run.rawKey!)
    expect(raw.toString('utf8')).toContain('Day Ahead Market ExPost LMPs')

    // Market day 2026-07-20 EST ends 07-21 05:00Z: its last hour starts 04:00Z.
    expect((await readWatermark(pg.db, 'MISO', 'miso.da_expost_lmp'))?.toISOString()).toBe('2026-07-21T04:00:00.000Z')
    // Nothing new is published yet: the next cycle asks for nothing.
    expect(await scheduler.runCycle(dataset)).toMatchObject({ requests: 0, status: 'idle' })
  })

  it('fetches CAISO five-minute prices for every APnode over an hour, across OASIS windows', async () => {
    const dataset = DATASETS['caiso.oasis.prc_intvl_lmp']!
    const scheduler = createScheduler({ deps: deps(), client, datasets: [dataset], config, log, now: () => NOW, lookbackMs: () => 3_600_000 })
    const before = consumed
    const cycle = await scheduler.runCycle(dataset)
    expect(cycle.status).toBe('ok')
    expect(cycle.records).toBe(CAISO_NODES * 12)
    await consumedAtLeast(before + cycle.records)
    expect(await storedCount('caiso.oasis.prc_intvl_lmp')).toBe(CAISO_NODES * 12)
    const ghg = await queryRows<{ n: string }>(ch, 'ghg', "SELECT countIf(ghg IS NOT NULL) AS n FROM prices FINAL WHERE source = 'caiso.oasis.prc_intvl_lmp'")
    expect(Number(ghg[0]!.n)).toBe(CAISO_NODES * 12)
  })
})

describe('bad input: each gives a clear error, the raw payload is kept, bad rows are dead letters, the rest is stored', () => {
  const REPORT = 'miso.rt_lmp_prelim'
  // 07-18's preliminary RT report is published 07-19 06:00 EST and not yet replaced by the final.
  const window = { start: Date.parse('2026-07-18T05:00:00Z'), end: Date.parse('2026-07-19T05:00:00Z') }

  async function ingestWith(rule: FailureRule | null, dataset = REPORT, pipeline = deps(), within = window) {
    simulator.setFailureModes(rule ? [rule] : [])
    const definition = DATASETS[dataset]!
    const [request] = definition.plan(within, config, NOW)
    return runRequest(pipeline, client, definition, request!, 'schedule')
  }

  it('a non-numeric value: that row is a dead letter naming file, line and field; every other row is stored', async () => {
    const before = consumed
    const result = await ingestWith({ mode: 'non-numeric', times: 1 })
    expect(result.status).toBe('partial')
    expect(result.issues).toBe(1)
    // One node-hour refused, every other one published.
    expect(result.records).toBe(MISO_NODES * 24 - 1)
    await consumedAtLeast(before + result.records)
    const [letter] = deadLettersOf('parse-issue', REPORT)
    expect(letter!.headers.reason).toMatch(/^20260718_rt_lmp_prelim\.csv line \d+, HE \d+: .*not a number.*\$1,024\.50/)
    const run = await lastRun(REPORT)
    expect(run).toMatchObject({ status: 'partial', issues: 1 })
    expect((await objects.head(run.rawKey!))?.size).toBeGreaterThan(0)
    expect(letter!.headers['raw-key']).toBe(run.rawKey)
  })

  it.each([
    ['changed-header', /HE 01|header/],
    ['empty', /empty/],
  ] as const)('%s: the file is unusable: one dead letter with the reason, the run failed, the raw payload kept', async (mode, reason) => {
    const before = deadLettersOf('unusable-file', REPORT).length
    const result = await ingestWith({ mode, times: 1 })
    expect(result.status).toBe('failed')
    expect(result.error).toMatch(reason)
    for (let i = 0; i < 100 && deadLettersOf('unusable-file', REPORT).length === before; i++) await new Promise((r) => setTimeout(r, 20))
    const letters = deadLettersOf('unusable-file', REPORT)
    expect(letters.length).toBe(before + 1)
    expect(letters.at(-1)!.headers.reason).toMatch(/20260718_rt_lmp_prelim\.csv line \d+/)
    const run = await lastRun(REPORT)
    expect(run.status).toBe('failed')
    expect(await objects.head(run.rawKey!)).not.toBeNull()
  })

  it('an HTML page instead of data: retried; when it persists the run fails and the page is archived', async () => {
    const result = await ingestWith({ mode: 'html' })
    expect(result.status).toBe('failed')
    expect(result.error).toMatch(/HTML/)
    const run = await lastRun(REPORT)
    expect(run).toMatchObject({ status: 'failed', attempts: 2 })
    expect((await objects.getBuffer(run.rawKey!)).toString('utf8')).toMatch(/<html/i)
  })

  it('an HTML page once: the retry gets the data', async () => {
    const result = await ingestWith({ mode: 'html', times: 1 })
    expect(result.status).toBe('ok')
    expect(result.records).toBe(MISO_NODES * 24)
  })

  it('a truncated or corrupt OASIS zip: the run fails naming the zip, the bytes are archived', async () => {
    for (const mode of ['truncated', 'corrupt-zip'] as const) {
      simulator.setFailureModes([{ mode, times: 1 }])
      const definition = DATASETS['caiso.oasis.prc_intvl_lmp']!
      const [request] = definition.plan({ start: NOW - 3_600_000, end: NOW - 3_000_000 }, config, NOW)
      const result = await runRequest(deps(), client, definition, request!, 'schedule')
      expect(result.status).toBe('failed')
      expect(result.error).toMatch(/zip/)
      const run = await lastRun('caiso.oasis.prc_intvl_lmp')
      expect(run.status).toBe('failed')
      expect((await objects.head(run.rawKey!))?.size).toBe(run.bytes)
    }
  })

  it('duplicate rows at window edges are stored once', async () => {
    const before = consumed
    const result = await ingestWith({ mode: 'duplicate-edges', times: 1 }, 'caiso.oasis.prc_rtpd_lmp')
    expect(result.status).toBe('ok')
    await consumedAtLeast(before + result.records)
    const dupes = await queryRows<{ n: string }>(
      ch,
      'dupes',
      "SELECT count() AS n FROM (SELECT node, interval_start, count() c FROM prices FINAL WHERE source = 'caiso.oasis.prc_rtpd_lmp' GROUP BY node, interval_start HAVING c > 1)",
    )
    expect(Number(dupes[0]!.n)).toBe(0)
  })

  it('a node never seen before: admitted and reported by default, a dead letter when the catalogue is strict', async () => {
    const latest = { start: NOW - 600_000, end: NOW }
    const admitted = await ingestWith({ mode: 'unknown-node', times: 1 }, 'miso.api.rt5_expost', deps(), latest)
    expect(admitted.newNodes).toBe(1)
    const node = await pg.db.select().from(pricingNodes).where(and(eq(pricingNodes.market, 'MISO'), eq(pricingNodes.name, 'AMIL.NEWUNIT1')))
    expect(node).toHaveLength(1)

    await pg.db.delete(pricingNodes).where(eq(pricingNodes.name, 'AMIL.NEWUNIT1'))
    const strict = await ingestWith({ mode: 'unknown-node', times: 1 }, 'miso.api.rt5_expost', deps({ unknownNodes: 'dead-letter' }), latest)
    expect(strict.status).toBe('partial')
    expect(strict.issues).toBeGreaterThan(0)
    for (let i = 0; i < 100 && deadLettersOf('unknown-node', 'miso.api.rt5_expost').length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    const [letter] = deadLettersOf('unknown-node', 'miso.api.rt5_expost')
    expect(letter!.headers.reason).toMatch(/unknown node "AMIL\.NEWUNIT1": not in the MISO node catalogue/)
    expect(JSON.parse(letter!.value.toString('utf8'))).toMatchObject({ market: 'MISO', node: 'AMIL.NEWUNIT1' })
  })
})

describe('backfill', () => {
  const dataset = () => DATASETS['miso.rt_lmp_final']!
  const from = new Date('2026-07-08T05:00:00Z')
  const to = new Date('2026-07-12T05:00:00Z')

  it('stops midway (abort), resumes where it stopped, stores every interval once, and a finished range is done', async () => {
    const stop = new AbortController()
    const start = consumed
    let firstRecords = 0
    const first = runBackfill(deps(), client, config, { dataset: dataset(), from, to }, {
      signal: stop.signal,
      onProgress: (p) => {
        firstRecords = p.records
        if (p.done === 2) stop.abort()
      },
    })
    await expect(first).rejects.toThrow()
    const [row] = await pg.db.select().from(ingestBackfills)
    expect(row).toMatchObject({ status: 'running', requests: 2 })
    expect(row!.doneUntil.toISOString()).toBe('2026-07-10T05:00:00.000Z')

    let resumedFrom: Date | null = null
    const second = await runBackfill(deps(), client, config, { dataset: dataset(), from, to }, { onStart: (p) => (resumedFrom = p.resumedFrom) })
    expect(resumedFrom).toEqual(new Date('2026-07-10T05:00:00Z'))
    expect(second).toMatchObject({ status: 'done', total: 4, done: 4, records: 2 * 24 * MISO_NODES })
    const range = "AND interval_start >= '2026-07-08 05:00:00' AND interval_start < '2026-07-12 05:00:00'"
    expect(await settledCount('miso.rt_lmp_final', range, 4 * 24 * MISO_NODES)).toBe(4 * 24 * MISO_NODES)

    const again = await runBackfill(deps(), client, config, { dataset: dataset(), from, to })
    expect(again.status).toBe('already-done')
    const forced = await runBackfill(deps(), client, config, { dataset: dataset(), from, to, force: true })
    expect(forced).toMatchObject({ status: 'done', done: 4 })
    await consumedAtLeast(start + firstRecords + second.records + forced.records)
    // Fetched twice, stored once.
    expect(await storedCount('miso.rt_lmp_final', range)).toBe(4 * 24 * MISO_NODES)
  })

  it('refuses a live-only feed with a clear error', async () => {
    await expect(runBackfill(deps(), client, config, { dataset: DATASETS['miso.api.exante']!, from, to })).rejects.toThrow(/live-only/)
  })
})
