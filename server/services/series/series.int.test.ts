import { readFile, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  DATAHUB_HENRY_HUB_DAILY_FIXTURE,
  EIA930_REGION_DATA_FIXTURE,
  EIA_FIXTURE_DIR,
  FUNDAMENTALS_FIXTURE_DIR,
  GAS_FIXTURE_DIR,
  HENRY_HUB_MONTHLY_FIXTURE,
  LNG_FIXTURE_DIR,
  WNGSR_LNG_FIXTURE_0923,
  type SeriesSourceId,
} from '@carbon/connectors'
import type { DataKey } from '@carbon/schemas'
import { and, eq } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createInProcessBus, TOPICS, type Bus, type ReceivedMessage } from '../../adapters/bus/index.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../../adapters/clickhouse/testing.ts'
import { createLocalStore } from '../../adapters/objects/local.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import { migratePostgres, seedMarkets, type PostgresHandle } from '../../adapters/postgres/client.ts'
import { ingestRuns } from '../../adapters/postgres/schema/index.ts'
import { openScratchDatabase } from '../../adapters/postgres/testing.ts'
import { startSeriesConsumer, type SeriesConsumer } from '../../workers/series-consumer.ts'
import { getSeriesHistory, listSeries } from './index.ts'
import { ingestSeriesPayload, type SeriesIngestDeps } from './ingest.ts'

/*
 * Series files through the whole write path on real parts (PostgreSQL, the local object store,
 * the in-process bus, the series consumer, chDB), each from its real fixture: stored once with
 * the documented values, read back by the service the procedures call; a bad file is archived,
 * dead-lettered naming it, and its run failed; a file ingested under the wrong data key stores
 * nothing and dead-letters every record.
 */
const log = pino({ level: 'silent' })

let pg: PostgresHandle
let ch: Awaited<ReturnType<typeof openScratchClickHouse>>
let objectsDir: string
let objects: ObjectStore
let bus: Bus
let consumer: SeriesConsumer
const deadLetters: ReceivedMessage[] = []

beforeAll(async () => {
  pg = await openScratchDatabase('postgres', { serverUrl: inject('postgresUrl') })
  await migratePostgres(pg)
  await seedMarkets(pg.db)
  ch = await openScratchClickHouse()
  objectsDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-series-objects-'))
  objects = createLocalStore({ root: objectsDir, signingSecret: 'x'.repeat(40), baseUrl: 'http://localhost' })
  bus = createInProcessBus({ log })
  consumer = await startSeriesConsumer({ bus, ch, log })
  await bus.subscribe({ topic: TOPICS.seriesDlq, groupId: 'test-dlq', fromBeginning: true, handler: async (batch) => void deadLetters.push(...batch.messages) })
}, 60_000)

afterAll(async () => {
  await consumer?.stop()
  await bus?.close()
  await ch?.close()
  await pg?.close()
  if (objectsDir) await rm(objectsDir, { recursive: true, force: true })
})

const deps = (): SeriesIngestDeps => ({ db: pg.db, bus, objects, log })

async function ingest(source: SeriesSourceId, key: DataKey, dir: URL, file: string, bytes?: Uint8Array) {
  const body = bytes ?? new Uint8Array(await readFile(new URL(file, dir)))
  const now = Date.now()
  const result = await ingestSeriesPayload(
    deps(),
    { source, key, bytes: body, file, url: `fixture:${file}`, window: { start: now - 86_400_000, end: now }, status: 200, fetchedAt: now, lastModified: null, attempts: 1 },
    { trigger: 'schedule', startedAt: now },
  )
  expect(await consumer.drain(10_000)).toBe(true)
  return result
}

async function readObject(key: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of await objects.get(key)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function count(product: string, series: string, frequency: string): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    ch,
    'test.series.count',
    'SELECT count() AS n FROM series_values FINAL WHERE product = {product:String} AND series = {series:String} AND frequency = {frequency:String}',
    { product, series, frequency },
  )
  return Number(row!.n)
}

describe('gas: Henry Hub', () => {
  it('the monthly workbook is stored once, every month, with the documented values', async () => {
    const first = await ingest('eia.ng.hh_spot_monthly', 'GAS', EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE)
    expect(first).toMatchObject({ status: 'ok', records: 355, issues: 0 })
    await ingest('eia.ng.hh_spot_monthly', 'GAS', EIA_FIXTURE_DIR, HENRY_HUB_MONTHLY_FIXTURE)
    expect(await count('GAS', 'HENRY_HUB', 'month')).toBe(355)
    const history = await getSeriesHistory(ch, { product: 'GAS', series: 'HENRY_HUB', frequency: 'month', from: '2024-01-01T00:00:00Z', to: '2024-03-01T00:00:00Z' })
    expect(history).toMatchObject({ unit: '$/MMBtu', frequency: 'month', truncated: false })
    expect(history.values.map((v) => [v.periodStart, v.value])).toEqual([
      ['2024-01-01T00:00:00.000Z', 3.18],
      ['2024-02-01T00:00:00.000Z', 1.72],
    ])
    const [run] = await pg.db.select().from(ingestRuns).where(and(eq(ingestRuns.market, 'GAS'), eq(ingestRuns.dataset, 'eia.ng.hh_spot_monthly'))).limit(1)
    expect(run).toMatchObject({ status: 'ok', records: 355, file: HENRY_HUB_MONTHLY_FIXTURE })
    expect((await readObject(run!.rawKey!)).length).toBe(49_664)
  })

  it('daily values live beside the monthly ones; the finest is the default', async () => {
    expect(await ingest('datahub.ng.hh_spot_daily', 'GAS', GAS_FIXTURE_DIR, DATAHUB_HENRY_HUB_DAILY_FIXTURE)).toMatchObject({ status: 'ok', records: 124 })
    expect(await count('GAS', 'HENRY_HUB', 'month')).toBe(355)
    expect(await count('GAS', 'HENRY_HUB', 'day')).toBe(124)
    const catalogue = await listSeries(ch, { product: 'GAS' })
    expect(catalogue.series.map((s) => [s.series, s.frequency, s.count])).toEqual([
      ['HENRY_HUB', 'day', 124],
      ['HENRY_HUB', 'month', 355],
    ])
    const daily = await getSeriesHistory(ch, { product: 'GAS', series: 'HENRY_HUB', from: '2024-01-12T00:00:00Z', to: '2024-01-13T00:00:00Z' })
    expect(daily).toMatchObject({ frequency: 'day', values: [{ periodStart: '2024-01-12T00:00:00.000Z', value: 13.2, source: 'datahub.ng.hh_spot_daily' }] })
  })
})

describe('LNG', () => {
  it('the weekly bullet gives TTF and JKM for the week ending 2026-09-23', async () => {
    expect(await ingest('eia.ng.wngsr_lng_prices', 'LNG', LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923)).toMatchObject({ status: 'ok', records: 2 })
    const ttf = await getSeriesHistory(ch, { product: 'LNG', series: 'TTF', from: '2026-09-01T00:00:00Z', to: '2026-10-01T00:00:00Z' })
    expect(ttf.values).toMatchObject([{ periodStart: '2026-09-17T00:00:00.000Z', periodEnd: '2026-09-24T00:00:00.000Z', value: 25.15 }])
  })

  it('an HTML error page is archived, dead-lettered naming the file, and its run failed', async () => {
    const before = deadLetters.length
    const page = new TextEncoder().encode('<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>')
    const result = await ingest('eia.ng.wngsr_lng_prices', 'LNG', LNG_FIXTURE_DIR, 'bullets_lng_2_2026-10-01.html', page)
    expect(result).toMatchObject({ status: 'failed', records: 0, issues: 1 })
    expect(result.error).toContain('bullets_lng_2_2026-10-01.html')
    for (let i = 0; i < 100 && deadLetters.length === before; i++) await new Promise((r) => setTimeout(r, 20))
    expect(deadLetters.slice(before).map((m) => m.headers.kind)).toEqual(['unusable-file'])
    expect(deadLetters.at(-1)!.headers).toMatchObject({ 'source-dataset': 'eia.ng.wngsr_lng_prices', file: 'bullets_lng_2_2026-10-01.html' })
    expect(await readObject(result.rawKey)).toEqual(Buffer.from(page))
  })
})

describe('fundamentals (EIA-930)', () => {
  it('PACW demand is stored under CAISO, whose Western Energy Imbalance Market it is in', async () => {
    expect(await ingest('eia.930.region_data', 'CAISO', FUNDAMENTALS_FIXTURE_DIR, EIA930_REGION_DATA_FIXTURE)).toMatchObject({ status: 'ok', records: 169 })
    const demand = await getSeriesHistory(ch, { product: 'GRID', market: 'CAISO', series: 'PACW.DEMAND', measure: 'demand', from: '2022-12-31T00:00:00Z', to: '2023-01-09T00:00:00Z' })
    expect(demand).toMatchObject({ unit: 'MWh', frequency: 'hour' })
    expect(demand.values).toHaveLength(169)
    // EIA labels each hour by its end: the value of "2023-01-01T00" is the hour before midnight.
    expect(demand.values[0]).toMatchObject({ periodStart: '2022-12-31T23:00:00.000Z', periodEnd: '2023-01-01T00:00:00.000Z', value: 2455 })
  })

  it('a file ingested under another market stores nothing and dead-letters every record', async () => {
    const before = deadLetters.length
    const result = await ingest('eia.930.region_data', 'MISO', FUNDAMENTALS_FIXTURE_DIR, EIA930_REGION_DATA_FIXTURE)
    expect(result).toMatchObject({ status: 'partial', records: 0, issues: 169 })
    for (let i = 0; i < 100 && deadLetters.length < before + 169; i++) await new Promise((r) => setTimeout(r, 20))
    expect(deadLetters.slice(before)).toHaveLength(169)
    expect(deadLetters.at(-1)!.headers.reason).toContain('record of CAISO in a file ingested under MISO')
    expect((await listSeries(ch, { product: 'GRID', market: 'MISO' })).series).toEqual([])
  })
})
