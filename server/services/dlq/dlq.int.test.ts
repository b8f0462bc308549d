import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { SOURCES, type FetchedPayload, type ParseResult } from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { and, eq, sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { TOPICS } from '../../adapters/bus/index.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { migratePostgres } from '../../adapters/postgres/client.ts'
import { deadLetters } from '../../adapters/postgres/schema/index.ts'
import { createScratchServerDatabase } from '../../adapters/postgres/testing.ts'
import { parseEnv } from '../../env.ts'
import { openPlatform, seedReferenceData, type Platform } from '../../platform.ts'
import { PRICES_CONSUMER_GROUP, startPricesConsumer, type PricesConsumer } from '../../workers/prices-consumer.ts'
import { createNodeCatalogue } from '../ingest/catalogue.ts'
import { ingestPayload } from '../ingest/pipeline.ts'
import { upsertNodes } from '../nodes/index.ts'
import { deadLetterSummary, listDeadLetters, replayAllDeadLetters, replayDeadLetter } from './index.ts'

/*
 * Dead letters end to end on the platform as `carbon serve` opens it (real PostgreSQL, chDB, the
 * in-process bus with the dead-letter store as its sink) and the real prices consumer: every
 * dead letter is a row, listed with its reason; a replay goes through the pipeline once the
 * cause is fixed, and replaying twice stores nothing twice (prices nor price_arrivals).
 */
let platform: Platform
let database: { url: string; drop(): Promise<void> }
let dataDir: string
let consumer: PricesConsumer
const log = pino({ level: 'silent' })

beforeAll(async () => {
  database = await createScratchServerDatabase(inject('postgresUrl'))
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-dlq-'))
  const env = parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url, BUS_MAX_RETRIES: '1' })
  platform = await openPlatform(env, log)
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, env)
  consumer = await startPricesConsumer({ bus: platform.bus, ch: platform.ch, log })
})

afterAll(async () => {
  await consumer?.stop()
  await platform?.close()
  await database?.drop()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

function record(node: string, lmp: number): PriceRecord {
  return {
    market: 'MISO',
    node,
    run: 'RT5',
    intervalStart: '2026-06-01T10:00:00.000Z',
    intervalEnd: '2026-06-01T10:05:00.000Z',
    lmp,
    energy: lmp - 1,
    congestion: 0.5,
    loss: 0.5,
    ghg: null,
    source: 'miso.api.rt5_expost',
    publishedAt: null,
  }
}

async function stored(node: string): Promise<{ prices: number; arrivals: number }> {
  const [prices] = await queryRows<{ n: string }>(platform.ch, 'dlq-test-prices', `SELECT count() AS n FROM prices FINAL WHERE node = {node:String}`, { node })
  const [arrivals] = await queryRows<{ n: string }>(platform.ch, 'dlq-test-arrivals', `SELECT count() AS n FROM price_arrivals WHERE node = {node:String}`, { node })
  return { prices: Number(prices!.n), arrivals: Number(arrivals!.n) }
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const deps = () => ({ db: platform.pg.db, bus: platform.bus, log, objects: platform.objects })
const drained = () => until(async () => (platform.bus.unconsumed?.(TOPICS.pricesNormalized, PRICES_CONSUMER_GROUP) ?? 0) === 0, 'the consumer')

describe('dead letters are rows, listed with their reason', () => {
  it('an invalid record refused by the prices consumer is stored with its reason, offset and dataset, once per redelivery', async () => {
    const bad = { ...record('DLQ.INVALID', 30), intervalEnd: '2026-06-01T09:00:00.000Z' }
    await platform.bus.publish(TOPICS.pricesNormalized, [{ key: 'MISO:DLQ.INVALID', value: JSON.stringify(bad) }])
    await drained()
    const rows = (await listDeadLetters(platform.pg.db, { topic: TOPICS.pricesDlq })).filter((r) => r.messageKey === 'MISO:DLQ.INVALID')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      topic: 'prices.dlq',
      kind: 'invalid-record',
      market: 'MISO',
      dataset: 'miso.api.rt5_expost',
      sourceTopic: 'prices.normalized',
      occurrences: 1,
      replayResult: null,
    })
    expect(rows[0]!.reason).toMatch(/must end after it starts/)
    expect(rows[0]!.sourceOffset).toMatch(/^\d+$/)
    // The same dead letter published again (a redelivered batch) is the same row.
    await platform.bus.publish(TOPICS.pricesDlq, [{ key: 'MISO:DLQ.INVALID', value: JSON.stringify(bad), headers: { ...rows[0]!.headers, 'failed-at': new Date().toISOString() } }])
    const again = (await listDeadLetters(platform.pg.db)).filter((r) => r.messageKey === 'MISO:DLQ.INVALID')
    expect(again.map((r) => [r.id, r.occurrences])).toEqual([[rows[0]!.id, 2]])
  })

  it('filters by topic and time', async () => {
    await platform.bus.publish(TOPICS.curvesDlq, [{ key: 'curve-x', value: 'not json', headers: { reason: 'not JSON: Unexpected token', 'source-topic': TOPICS.curvesBuild } }])
    const curves = await listDeadLetters(platform.pg.db, { topic: TOPICS.curvesDlq })
    expect(curves.map((r) => [r.kind, r.reason])).toEqual([['invalid-build-request', 'not JSON: Unexpected token']])
    expect(await listDeadLetters(platform.pg.db, { since: new Date(Date.now() + 60_000) })).toEqual([])
    await expect(listDeadLetters(platform.pg.db, { topic: 'prices.normalized' })).rejects.toThrow(/must be a dead-letter topic.*at topic/s)
  })

  it('a message a consumer keeps failing on is dead-lettered by the bus retry limit and stored', async () => {
    const topic = 'dlq-test.jobs'
    const sub = await platform.bus.subscribe({
      topic,
      groupId: 'dlq-test',
      fromBeginning: true,
      handler: async () => {
        throw new Error('job 7 refers to a scenario that does not exist')
      },
    })
    await platform.bus.publish(topic, [{ key: 'job-7', value: '{"job":7}' }])
    await until(async () => (await listDeadLetters(platform.pg.db, { topic: `${topic}.dlq` })).length === 1, 'the dead letter')
    await sub.stop()
    const [row] = await listDeadLetters(platform.pg.db, { topic: `${topic}.dlq` })
    expect(row).toMatchObject({ kind: 'handler-failed', reason: 'job 7 refers to a scenario that does not exist', sourceTopic: topic, messageKey: 'job-7', payload: '{"job":7}' })
    expect(row!.headers).toMatchObject({ 'consumer-group': 'dlq-test', attempts: '2' })
  })
})

describe('replay', () => {
  const letter = (node: string, lmp: number) => ({
    key: `MISO:${node}`,
    value: JSON.stringify(record(node, lmp)),
    headers: {
      kind: 'unknown-node',
      reason: `unknown node "${node}": not in the MISO node catalogue (file.csv)`,
      'failed-at': new Date().toISOString(),
      'source-dataset': 'miso.api.rt5_expost',
      'raw-key': 'raw/MISO/miso.api.rt5_expost/2026/06/01/file.csv.0123456789ab',
    },
  })

  it('a record of an unknown node: still fails until the node is known, then is stored once, however often it is replayed', async () => {
    const node = 'DLQ.NEWNODE'
    // As the ingest pipeline dead-letters it with INGEST_UNKNOWN_NODES=dead-letter.
    await platform.bus.publish(TOPICS.pricesDlq, [letter(node, 42.5)])
    const [row] = (await listDeadLetters(platform.pg.db)).filter((r) => r.messageKey === `MISO:${node}`)
    expect(row).toMatchObject({ kind: 'unknown-node', dataset: 'miso.api.rt5_expost', rawKey: 'raw/MISO/miso.api.rt5_expost/2026/06/01/file.csv.0123456789ab' })

    const first = await replayDeadLetter(deps(), row!.id)
    expect(first).toMatchObject({ outcome: 'failed', reason: `unknown node "${node}": still not in the MISO node catalogue` })
    const [kept] = (await listDeadLetters(platform.pg.db)).filter((r) => r.id === row!.id)
    expect(kept).toMatchObject({ replayResult: 'failed', reason: first.reason, replayAttempts: 1 })
    expect(await stored(node)).toEqual({ prices: 0, arrivals: 0 })

    // The cause is fixed: the node is in the catalogue now.
    await upsertNodes(platform.pg.db, [{ market: 'MISO', name: node, type: 'generator' }])
    expect(await replayDeadLetter(deps(), row!.id)).toMatchObject({ outcome: 'replayed', topic: 'prices.normalized' })
    await drained()
    expect(await stored(node)).toEqual({ prices: 1, arrivals: 1 })

    // Twice: nothing is published again.
    expect(await replayDeadLetter(deps(), row!.id)).toMatchObject({ outcome: 'already-replayed' })
    expect((await replayAllDeadLetters(deps(), { topic: TOPICS.pricesDlq })).map((o) => o.id)).not.toContain(row!.id)
    await drained()
    expect(await stored(node)).toEqual({ prices: 1, arrivals: 1 })
    expect((await listDeadLetters(platform.pg.db)).map((r) => r.id)).not.toContain(row!.id)
    const [done] = (await listDeadLetters(platform.pg.db, { includeReplayed: true })).filter((r) => r.id === row!.id)
    expect(done).toMatchObject({ replayResult: 'replayed', replayAttempts: 2 })
    expect(done!.replayedAt).toBeInstanceOf(Date)
  })

  it('--all replays what can be, keeps what still fails with its new reason', async () => {
    await upsertNodes(platform.pg.db, [{ market: 'MISO', name: 'DLQ.ALL1', type: 'generator' }])
    await platform.bus.publish(TOPICS.pricesDlq, [letter('DLQ.ALL1', 10), letter('DLQ.ALL2', 11)])
    const outcomes = await replayAllDeadLetters(deps(), { topic: TOPICS.pricesDlq })
    await drained()
    const byKey = new Map((await listDeadLetters(platform.pg.db, { includeReplayed: true })).map((r) => [r.messageKey, r]))
    expect(byKey.get('MISO:DLQ.ALL1')).toMatchObject({ replayResult: 'replayed' })
    expect(byKey.get('MISO:DLQ.ALL2')).toMatchObject({ replayResult: 'failed', reason: 'unknown node "DLQ.ALL2": still not in the MISO node catalogue' })
    // The invalid record still fails, with the validation's reason.
    expect(byKey.get('MISO:DLQ.INVALID')).toMatchObject({ replayResult: 'failed' })
    expect(byKey.get('MISO:DLQ.INVALID')!.reason).toMatch(/must end after it starts/)
    expect(outcomes.filter((o) => o.outcome === 'replayed')).toHaveLength(1)
    expect(await stored('DLQ.ALL1')).toEqual({ prices: 1, arrivals: 1 })
    expect(await stored('DLQ.ALL2')).toEqual({ prices: 0, arrivals: 0 })
  })

  it('a message dead-lettered by the retry limit goes back to its source topic', async () => {
    const [row] = await listDeadLetters(platform.pg.db, { topic: 'dlq-test.jobs.dlq' })
    const got: string[] = []
    const sub = await platform.bus.subscribe({ topic: 'dlq-test.jobs', groupId: 'dlq-test', fromBeginning: true, handler: async (b) => void got.push(...b.messages.map((m) => `${m.value.toString()} ${m.headers['replayed-from']}`)) })
    expect(await replayDeadLetter(deps(), row!.id)).toMatchObject({ outcome: 'replayed', topic: 'dlq-test.jobs' })
    await until(async () => got.length === 1, 'the replayed job')
    await sub.stop()
    expect(got).toEqual([`{"job":7} dead-letter:${row!.id}`])
  })

  it('names a dead letter that does not exist', async () => {
    await expect(replayDeadLetter(deps(), 999_999)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('replay of a refused publisher row or an unusable file: the archived raw file runs through the pipeline again', () => {
  const DATASET = 'miso.da_expost_lmp'
  const parser = SOURCES[DATASET] as { parse: (text: string, file: string) => ParseResult }
  const realParse = parser.parse.bind(parser)
  afterEach(() => vi.restoreAllMocks())

  /** A MISO day-ahead report of 2026-06-02 (its market day: 05:00Z to 05:00Z next day), one LMP row per node. */
  function report(rows: Record<string, (h: number) => string>): string {
    const header = ['Node', 'Type', 'Value', ...Array.from({ length: 24 }, (_, h) => `HE ${h + 1}`)].join(',')
    const lines = Object.entries(rows).map(([node, value]) => [node, 'Gennode', 'LMP', ...Array.from({ length: 24 }, (_, h) => value(h))].join(','))
    return ['Day Ahead Market ExPost LMPs', '06/02/2026', '', ',,,All Hours-Ending are Eastern Standard Time (EST)', header, ...lines, ''].join('\n')
  }

  function payload(file: string, text: string): FetchedPayload {
    const start = Date.parse('2026-06-02T05:00:00Z')
    return {
      request: { dataset: DATASET, url: `http://publisher.test/${file}`, window: { start, end: start + 86_400_000 }, file, rateGroup: 'test' },
      status: 200,
      contentType: 'text/csv',
      bytes: Buffer.from(text, 'utf8'),
      fetchedAt: Date.now(),
      lastModified: Date.parse('2026-06-01T19:00:00Z'),
      attempts: 1,
    }
  }

  /** Through the real pipeline, as the scheduler runs it (strict about unknown nodes: a market report lists its nodes anyway). */
  async function ingest(file: string, text: string) {
    const pipeline = { db: platform.pg.db, bus: platform.bus, objects: platform.objects, catalogue: createNodeCatalogue(platform.pg.db), log, unknownNodes: 'admit' as const }
    const result = await ingestPayload(pipeline, payload(file, text), { trigger: 'schedule', startedAt: Date.now() })
    await drained()
    return result
  }

  /** Every dead_letters row of a raw file, replayed ones too. */
  const lettersOf = (rawKey: string) => platform.pg.db.select().from(deadLetters).where(eq(deadLetters.rawKey, rawKey)).orderBy(deadLetters.id)

  /** A parser bug: rows of these nodes are refused (one issue per row), the rest read as the real parser does. */
  function refuseNodes(nodes: string[], reason: string) {
    return vi.spyOn(parser, 'parse').mockImplementation((text, file) => {
      const result = realParse(text, file)
      const lines = text.split('\n')
      const refused = nodes.map((node) => ({ file, line: lines.findIndex((l) => l.startsWith(`${node},`)) + 1, field: 'Node', value: node, reason }))
      return { ...result, records: result.records.filter((r) => !nodes.includes(r.node)), errors: [...result.errors, ...refused] }
    })
  }

  it('a row the parser refused: once the parser is fixed, its prices are stored once, however often it is replayed', async () => {
    refuseNodes(['DLQF.B'], 'node name not allowed')
    const result = await ingest('20260602_da_expost_lmp.csv', report({ 'DLQF.A': (h) => String(20 + h), 'DLQF.B': (h) => String(30 + h) }))
    expect(result).toMatchObject({ status: 'partial', records: 24, issues: 1 })
    const rawKey = result.rawKey!
    const [letter] = await lettersOf(rawKey)
    expect(letter).toMatchObject({ kind: 'parse-issue', dataset: DATASET, rawKey, file: '20260602_da_expost_lmp.csv', line: 7, field: 'Node' })
    expect(await stored('DLQF.A')).toEqual({ prices: 24, arrivals: 24 })
    expect(await stored('DLQF.B')).toEqual({ prices: 0, arrivals: 0 })

    // The parser is fixed.
    vi.restoreAllMocks()
    expect(await replayDeadLetter(deps(), letter!.id)).toMatchObject({ id: letter!.id, outcome: 'replayed', topic: 'prices.normalized' })
    await drained()
    expect(await stored('DLQF.B')).toEqual({ prices: 24, arrivals: 24 })
    // The rows published the first time are in the replayed file again: neither price nor arrival counted twice.
    expect(await stored('DLQF.A')).toEqual({ prices: 24, arrivals: 24 })

    // Twice: nothing more.
    expect(await replayDeadLetter(deps(), letter!.id)).toMatchObject({ outcome: 'already-replayed' })
    expect((await replayAllDeadLetters(deps(), { topic: TOPICS.pricesDlq })).map((o) => o.id)).not.toContain(letter!.id)
    await drained()
    expect(await stored('DLQF.B')).toEqual({ prices: 24, arrivals: 24 })
    expect(await stored('DLQF.A')).toEqual({ prices: 24, arrivals: 24 })
    expect((await lettersOf(rawKey)).map((r) => [r.id, r.replayResult, r.replayAttempts, r.occurrences])).toEqual([[letter!.id, 'replayed', 1, 1]])
  })

  it('rows still refused stay with their new reason, no dead letter is stored twice, and --all runs the file once for all of its dead letters', async () => {
    const text = report({ 'DLQF.C': (h) => String(40 + h), 'DLQF.D': (h) => (h === 2 ? 'n/a' : String(50 + h)), 'DLQF.E': (h) => (h === 4 ? 'n/a' : String(60 + h)) })
    const result = await ingest('20260602_da_expost_lmp_v2.csv', text)
    expect(result).toMatchObject({ status: 'partial', issues: 2 })
    const rawKey = result.rawKey!
    const letters = await lettersOf(rawKey)
    expect(letters.map((r) => [r.kind, r.line, r.field])).toEqual([
      ['parse-issue', 7, 'HE 3'],
      ['parse-issue', 8, 'HE 5'],
    ])
    const before = { c: await stored('DLQF.C'), d: await stored('DLQF.D'), e: await stored('DLQF.E') }
    expect(before.c).toEqual({ prices: 24, arrivals: 24 })
    const rowsBefore = await platform.pg.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(deadLetters)

    // The parser changed its wording but still refuses both rows.
    const spy = vi.spyOn(parser, 'parse').mockImplementation((t, f) => {
      const parsed = realParse(t, f)
      return { ...parsed, errors: parsed.errors.map((e) => ({ ...e, reason: `${e.reason} (v2)` })) }
    })
    const outcomes = (await replayAllDeadLetters(deps(), { topic: TOPICS.pricesDlq })).filter((o) => letters.some((l) => l.id === o.id))
    expect(spy).toHaveBeenCalledTimes(1)
    expect(outcomes.map((o) => o.outcome)).toEqual(['failed', 'failed'])
    expect(outcomes[0]!.reason).toMatch(/^20260602_da_expost_lmp_v2\.csv line 7, HE 3: not a number \(v2\)/)
    await drained()
    const after = await lettersOf(rawKey)
    expect(after.map((r) => [r.id, r.replayResult, r.replayAttempts, r.occurrences])).toEqual(letters.map((r) => [r.id, 'failed', 1, 1]))
    expect(after[1]!.reason).toMatch(/line 8, HE 5: not a number \(v2\)/)
    // No new dead-letter rows anywhere, and nothing stored twice.
    expect(await platform.pg.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(deadLetters)).toEqual(rowsBefore)
    expect({ c: await stored('DLQF.C'), d: await stored('DLQF.D'), e: await stored('DLQF.E') }).toEqual(before)

    // One id of the file settles its other dead letter too (the whole file ran).
    vi.restoreAllMocks()
    const one = await replayDeadLetter(deps(), letters[0]!.id)
    expect(one).toMatchObject({ outcome: 'failed', sameFile: [{ id: letters[1]!.id, outcome: 'failed' }] })
    expect((await lettersOf(rawKey)).map((r) => [r.replayAttempts, r.occurrences, r.reason.endsWith('(v2)')])).toEqual([
      [2, 1, false],
      [2, 1, false],
    ])
  })

  it('a refusal the replayed file did not have before is stored once, as a dead letter of its own', async () => {
    refuseNodes(['DLQF.F'], 'node name not allowed')
    const result = await ingest('20260602_da_expost_lmp_v3.csv', report({ 'DLQF.F': (h) => String(70 + h), 'DLQF.G': (h) => String(80 + h) }))
    const rawKey = result.rawKey!
    const [letter] = await lettersOf(rawKey)
    expect(await stored('DLQF.G')).toEqual({ prices: 24, arrivals: 24 })

    // "Fixed" differently: the parser now reads F and refuses G.
    vi.restoreAllMocks()
    refuseNodes(['DLQF.G'], 'node name not allowed either')
    expect(await replayDeadLetter(deps(), letter!.id)).toMatchObject({ outcome: 'replayed' })
    await drained()
    expect(await stored('DLQF.F')).toEqual({ prices: 24, arrivals: 24 })
    // G's prices were stored by the first ingest; its refusal now is a new dead letter.
    expect(await stored('DLQF.G')).toEqual({ prices: 24, arrivals: 24 })
    const letters = await lettersOf(rawKey)
    expect(letters.map((r) => [r.line, r.replayResult, r.occurrences])).toEqual([
      [6, 'replayed', 1],
      [7, null, 1],
    ])
    // Replayed while the parser still refuses G: kept with its reason, no third row.
    expect(await replayDeadLetter(deps(), letters[1]!.id)).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/line 7, Node: node name not allowed either/) })
    expect((await lettersOf(rawKey)).map((r) => [r.line, r.replayResult, r.occurrences])).toEqual([
      [6, 'replayed', 1],
      [7, 'failed', 1],
    ])
    await drained()
    expect(await stored('DLQF.F')).toEqual({ prices: 24, arrivals: 24 })
  })

  it('an unusable file still unusable: kept with the reason, not stored again; a raw payload no run archived is named', async () => {
    const result = await ingest('20260602_da_expost_lmp_html.csv', '<html><body>Service unavailable</body></html>')
    expect(result.status).toBe('failed')
    const [letter] = await lettersOf(result.rawKey!)
    expect(letter).toMatchObject({ kind: 'unusable-file' })
    const outcome = await replayDeadLetter(deps(), letter!.id)
    expect(outcome).toMatchObject({ outcome: 'failed' })
    expect(outcome.reason).toBe(result.error)
    expect((await lettersOf(result.rawKey!)).map((r) => [r.replayResult, r.occurrences])).toEqual([['failed', 1]])

    await platform.bus.publish(TOPICS.pricesDlq, [
      { key: 'MISO:gone.csv', value: '{}', headers: { kind: 'parse-issue', reason: 'gone.csv line 3, HE 1: not a number', file: 'gone.csv', line: '3', 'raw-key': 'raw/MISO/miso.da_expost_lmp/2026/06/02/gone.csv.000000000000' } },
    ])
    const [gone] = await platform.pg.db.select().from(deadLetters).where(and(eq(deadLetters.messageKey, 'MISO:gone.csv')))
    expect(await replayDeadLetter(deps(), gone!.id)).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/^gone\.csv line 3, HE 1: not a number \[replay: no ingest run archived raw payload raw\/MISO.*gone\.csv\.000000000000; re-ingest/),
    })
  })
})

it('summarizes dead letters per dataset with the latest reasons', async () => {
  const summary = await deadLetterSummary(platform.pg.db)
  const rt5 = summary.find((g) => g.topic === 'prices.dlq' && g.market === 'MISO' && g.dataset === 'miso.api.rt5_expost')
  expect(rt5).toBeDefined()
  // DLQ.INVALID and DLQ.ALL2 still to deal with; DLQ.NEWNODE and DLQ.ALL1 replayed.
  expect([rt5!.pending, rt5!.replayed]).toEqual([2, 2])
  expect(rt5!.latestReasons).toHaveLength(2)
  expect(rt5!.latestReasons.some((r) => r.includes('DLQ.ALL2'))).toBe(true)
  const curves = summary.find((g) => g.topic === 'curves.dlq')
  expect(curves).toMatchObject({ pending: 1, latestReasons: ['not JSON: Unexpected token'] })
})
