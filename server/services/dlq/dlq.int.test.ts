import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { PriceRecord } from '@carbon/schemas'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { TOPICS } from '../../adapters/bus/index.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { migratePostgres } from '../../adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../../adapters/postgres/testing.ts'
import { parseEnv } from '../../env.ts'
import { openPlatform, seedReferenceData, type Platform } from '../../platform.ts'
import { PRICES_CONSUMER_GROUP, startPricesConsumer, type PricesConsumer } from '../../workers/prices-consumer.ts'
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

const deps = () => ({ db: platform.pg.db, bus: platform.bus, log })
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
