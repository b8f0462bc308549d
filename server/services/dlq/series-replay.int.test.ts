import { readFile } from 'node:fs/promises'
import {
  EIA930_REGION_DATA_FIXTURE,
  FUNDAMENTALS_FIXTURE_DIR,
  LNG_FIXTURE_DIR,
  ParseError,
  SERIES_SOURCES,
  WNGSR_LNG_FIXTURE_0923,
  type SeriesSourceId,
} from '@carbon/connectors'
import type { DataKey } from '@carbon/schemas'
import { and, eq, like } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { openTestPlatform, type TestPlatform } from '../../../tests/support/platform.ts'
import { TOPICS } from '../../adapters/bus/index.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { deadLetters, ingestRuns } from '../../adapters/postgres/schema/index.ts'
import type { Platform } from '../../platform.ts'
import { startSeriesConsumer, type SeriesConsumer } from '../../workers/series-consumer.ts'
import { ingestSeriesPayload } from '../series/ingest.ts'
import { replayAllDeadLetters, replayDeadLetter, type ReplayDeps } from './index.ts'

/*
 * Series dead letters replayed on the platform as `carbon serve` opens it (scratch PostgreSQL,
 * embedded chDB, the local object store, the in-process bus whose dead letters land in
 * PostgreSQL) with the series consumer: a file the series pipeline dead-lettered is read again
 * from its archived bytes under the same source and data key, so a reader fixed since recovers it
 * (values stored once however often it is replayed, a run recorded naming the replay), and a file
 * whose cause is not fixed stays refused without storing its dead letters twice.
 */
const log = pino({ level: 'silent' })
let stores: TestPlatform
let platform: Platform
let consumer: SeriesConsumer

beforeAll(async () => {
  stores = await openTestPlatform({ serverUrl: inject('postgresUrl'), dirPrefix: 'carbon-series-replay-', log })
  platform = stores.platform
  consumer = await startSeriesConsumer({ bus: platform.bus, ch: platform.ch, log })
}, 60_000)

afterAll(async () => {
  await consumer?.stop()
  await stores?.close()
})

afterEach(() => vi.restoreAllMocks())

const deps = (): ReplayDeps => ({ db: platform.pg.db, bus: platform.bus, objects: platform.objects, log })

/** A series file through the real pipeline, as the scheduler ingests it. */
async function ingest(source: SeriesSourceId, key: DataKey, dir: URL, file: string) {
  const bytes = new Uint8Array(await readFile(new URL(file, dir)))
  const now = Date.now()
  const result = await ingestSeriesPayload(
    { db: platform.pg.db, bus: platform.bus, objects: platform.objects, log },
    { source, key, bytes, file, url: `https://publisher.test/${file}`, window: { start: now - 86_400_000, end: now }, status: 200, fetchedAt: now, lastModified: null, attempts: 1 },
    { trigger: 'schedule', startedAt: now },
  )
  expect(await consumer.drain(10_000)).toBe(true)
  return result
}

async function stored(where: string): Promise<number> {
  expect(await consumer.drain(10_000)).toBe(true)
  const [row] = await queryRows<{ n: string }>(platform.ch, 'test.series-replay.stored', `SELECT count() AS n FROM series_values FINAL WHERE ${where}`, {})
  return Number(row!.n)
}

const lettersOf = (rawKey: string) => platform.pg.db.select().from(deadLetters).where(eq(deadLetters.rawKey, rawKey)).orderBy(deadLetters.id)

describe('replay of a series file', () => {
  it('an unusable file: once its reader is fixed, the replay stores its values once, however often it is replayed, and records a run naming the replay', async () => {
    // A reader bug: EIA's LNG bullet refused as a whole.
    const reader = SERIES_SOURCES['eia.ng.wngsr_lng_prices']
    vi.spyOn(reader, 'parse').mockImplementation((_bytes, file) => {
      throw new ParseError({ file, line: 1, field: 'table', value: '', reason: 'no table of LNG prices found' })
    })
    const result = await ingest('eia.ng.wngsr_lng_prices', 'LNG', LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0923)
    expect(result).toMatchObject({ status: 'failed', records: 0, issues: 1 })
    const [letter] = await lettersOf(result.rawKey)
    expect(letter).toMatchObject({ topic: 'series.dlq', kind: 'unusable-file', dataset: 'eia.ng.wngsr_lng_prices', file: WNGSR_LNG_FIXTURE_0923, line: 1, field: 'table' })
    expect(await stored("product = 'LNG'")).toBe(0)

    // The reader is fixed.
    vi.restoreAllMocks()
    expect(await replayDeadLetter(deps(), letter!.id)).toEqual({ id: letter!.id, outcome: 'replayed', reason: null, topic: 'series.normalized' })
    expect(await stored("product = 'LNG' AND series = 'JKM' AND value = 26.41")).toBe(1)
    expect(await stored("product = 'LNG' AND series = 'TTF' AND value = 25.15")).toBe(1)
    const runs = await platform.pg.db.select().from(ingestRuns).where(eq(ingestRuns.rawKey, result.rawKey)).orderBy(ingestRuns.id)
    expect(runs.map((r) => [r.market, r.dataset, r.trigger, r.status, r.records, r.file])).toEqual([
      ['LNG', 'eia.ng.wngsr_lng_prices', 'schedule', 'failed', 0, WNGSR_LNG_FIXTURE_0923],
      ['LNG', 'eia.ng.wngsr_lng_prices', 'schedule', 'ok', 2, WNGSR_LNG_FIXTURE_0923],
    ])
    expect(runs[1]!.url).toBe(`replay:dead-letter/${letter!.id} https://publisher.test/${WNGSR_LNG_FIXTURE_0923}`)
    expect(runs[1]!.windowStart).toEqual(runs[0]!.windowStart)

    // Again: nothing more is published or recorded.
    expect(await replayDeadLetter(deps(), letter!.id)).toMatchObject({ outcome: 'already-replayed' })
    expect((await replayAllDeadLetters(deps(), { topic: TOPICS.seriesDlq })).map((o) => o.id)).not.toContain(letter!.id)
    expect(await stored("product = 'LNG'")).toBe(2)
    expect(await platform.pg.db.select().from(ingestRuns).where(eq(ingestRuns.rawKey, result.rawKey))).toHaveLength(2)
    expect((await lettersOf(result.rawKey)).map((r) => [r.replayResult, r.replayAttempts, r.occurrences])).toEqual([['replayed', 1, 1]])
  })

  it('a file ingested under another data key: replayed under the same key, every record still refused, none stored twice, nothing stored', async () => {
    const result = await ingest('eia.930.region_data', 'MISO', FUNDAMENTALS_FIXTURE_DIR, EIA930_REGION_DATA_FIXTURE)
    expect(result).toMatchObject({ status: 'partial', records: 0, issues: 169 })
    const letters = await lettersOf(result.rawKey)
    expect(letters).toHaveLength(169)
    expect(letters.every((l) => l.kind === 'invalid-record' && l.sourceTopic === null)).toBe(true)

    const outcome = await replayDeadLetter(deps(), letters[0]!.id)
    expect(outcome).toMatchObject({ id: letters[0]!.id, outcome: 'failed' })
    expect(outcome.reason).toContain('record of CAISO in a file ingested under MISO')
    expect(outcome.sameFile).toHaveLength(168)
    expect(outcome.sameFile!.every((o) => o.outcome === 'failed')).toBe(true)
    const after = await lettersOf(result.rawKey)
    expect(after).toHaveLength(169)
    expect(after.every((l) => l.replayResult === 'failed' && l.replayAttempts === 1 && l.occurrences === 1)).toBe(true)
    expect(await stored("product = 'GRID'")).toBe(0)
    const [replayRun] = await platform.pg.db
      .select()
      .from(ingestRuns)
      .where(and(eq(ingestRuns.rawKey, result.rawKey), like(ingestRuns.url, 'replay:%')))
    expect(replayRun).toMatchObject({ market: 'MISO', dataset: 'eia.930.region_data', status: 'partial', records: 0, issues: 169 })
  })

  it('a file whose archived bytes are gone: its dead letter stays, naming the raw payload', async () => {
    vi.spyOn(SERIES_SOURCES['eia.ng.wngsr_lng_prices'], 'parse').mockImplementation((_bytes, file) => {
      throw new ParseError({ file, line: 1, field: 'table', value: '', reason: 'no table of LNG prices found' })
    })
    const file = 'bullets_lng_2026-09-23_copy.html'
    const bytes = new Uint8Array(await readFile(new URL(WNGSR_LNG_FIXTURE_0923, LNG_FIXTURE_DIR)))
    const now = Date.now()
    const result = await ingestSeriesPayload(
      { db: platform.pg.db, bus: platform.bus, objects: platform.objects, log },
      { source: 'eia.ng.wngsr_lng_prices', key: 'LNG', bytes: new Uint8Array([...bytes, 10]), file, url: 'https://publisher.test/x', window: { start: now, end: now }, status: 200, fetchedAt: now, lastModified: null, attempts: 1 },
      { trigger: 'schedule', startedAt: now },
    )
    vi.restoreAllMocks()
    await platform.objects.delete(result.rawKey)
    const [letter] = await lettersOf(result.rawKey)
    const outcome = await replayDeadLetter(deps(), letter!.id)
    expect(outcome.outcome).toBe('failed')
    expect(outcome.reason).toContain(`[replay: raw payload ${result.rawKey} is not in the object store`)
  })
})
