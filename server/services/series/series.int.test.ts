import { readFile } from 'node:fs/promises'
import {
  DATAHUB_HENRY_HUB_DAILY_FIXTURE,
  EIA860_FIXTURE_DIR,
  EIA860M_SAMPLE_FIXTURE,
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
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { TOPICS, type ReceivedMessage } from '../../adapters/bus/index.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import type { PostgresHandle } from '../../adapters/postgres/client.ts'
import { ingestRuns } from '../../adapters/postgres/schema/index.ts'
import type { SeriesConsumer } from '../../workers/series-consumer.ts'
import { ExportRequest } from '../exports/schemas.ts'
import { exportFilename, openSource } from '../exports/sources.ts'
import { getSeriesBasis, getSeriesHistory, listSeries } from './index.ts'
import { ingestSeriesPayload, type SeriesIngestDeps } from './ingest.ts'
import { openSeriesTestStores, type SeriesTestStores } from './testing.ts'

/*
 * Series files through the whole write path on real parts (PostgreSQL, the local object store,
 * the in-process bus, the series consumer, chDB), each from its real fixture: stored once with
 * the documented values, read back by the service the procedures call; a bad file is archived,
 * dead-lettered naming it, and its run failed; a file ingested under the wrong data key stores
 * nothing and dead-letters every record.
 */
let stores: SeriesTestStores
let pg: PostgresHandle
let ch: SeriesTestStores['ch']
let objects: ObjectStore
let consumer: SeriesConsumer
const deadLetters: ReceivedMessage[] = []

beforeAll(async () => {
  stores = await openSeriesTestStores(inject('postgresUrl'), 'series')
  ;({ pg, ch, objects, consumer } = stores)
  await stores.bus.subscribe({ topic: TOPICS.seriesDlq, groupId: 'test-dlq', fromBeginning: true, handler: async (batch) => void deadLetters.push(...batch.messages) })
}, 60_000)

afterAll(async () => {
  await stores?.close()
})

const deps = (): SeriesIngestDeps => stores.deps

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

  it('the basis to Henry Hub is the weekly price minus the Henry Hub average of the same week (Thursday to Wednesday)', async () => {
    // Henry Hub daily prices of the week ending 2026-09-23 (and the Wednesday before, another week), in the datahub layout.
    const csv = 'Date,Price\n2026-09-16,2.80\n2026-09-17,2.90\n2026-09-18,2.95\n2026-09-21,3.00\n2026-09-22,3.05\n2026-09-23,3.10\n'
    await ingest('datahub.ng.hh_spot_daily', 'GAS', GAS_FIXTURE_DIR, 'hh_daily_2026-09.csv', new TextEncoder().encode(csv))
    const basis = await getSeriesBasis(ch, { product: 'LNG', series: 'JKM', from: '2026-09-01T00:00:00Z', to: '2026-10-01T00:00:00Z' })
    expect(basis).toMatchObject({ series: 'JKM_HH', leg: 'JKM', reference: 'HENRY_HUB', unit: '$/MMBtu', frequency: 'week' })
    // (2.90 + 2.95 + 3.00 + 3.05 + 3.10) / 5 = 3.00; JKM 26.41 - 3.00 = 23.41, exactly.
    expect(basis.values).toEqual([
      { periodStart: '2026-09-17T00:00:00.000Z', periodEnd: '2026-09-24T00:00:00.000Z', value: 23.41, leg: 26.41, reference: 3, referenceDays: 5 },
    ])
    // The week ending 2026-09-16 has a Henry Hub average and no JKM price: listed, not dropped.
    expect(basis.unmatched).toEqual([{ side: 'reference', periodStart: '2026-09-10T00:00:00.000Z', periodEnd: '2026-09-17T00:00:00.000Z' }])
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

describe('capacity (EIA-860M)', () => {
  it("one national workbook stores each balancing authority's capacity under its own market; only the unmappable rows are refused", async () => {
    const before = deadLetters.length
    const file = 'september_generator2026.xlsx'
    const bytes = new Uint8Array(await readFile(new URL(EIA860M_SAMPLE_FIXTURE, EIA860_FIXTURE_DIR)))
    // 12 balancing authority and technology groups (MISO 5, CISO 3, ERCO 2, PACW, PJM) x (nameplate, summer, generators); SOCO and a blank code refused.
    expect(await ingest('eia.860m.generators', 'MISO', EIA860_FIXTURE_DIR, file, bytes)).toMatchObject({ status: 'partial', records: 36, issues: 2 })
    for (let i = 0; i < 100 && deadLetters.length < before + 2; i++) await new Promise((r) => setTimeout(r, 20))
    expect(deadLetters.slice(before).map((d) => d.headers.reason)).toEqual([
      'september_generator2026.xlsx line 14, Operating!G14: no balancing authority code: 1 generator, 10 MW nameplate of Petroleum Liquids refused (found "")',
      'september_generator2026.xlsx line 13, Operating!G13: balancing authority SOCO maps to no market here: 1 generator, 800 MW nameplate of Conventional Steam Coal refused (found "SOCO")',
    ])
    const caiso = await getSeriesHistory(ch, {
      product: 'GRID',
      market: 'CAISO',
      series: 'CISO.CAPACITY.SOLAR_PHOTOVOLTAIC',
      measure: 'summer_capacity',
      from: '2026-09-01T00:00:00Z',
      to: '2026-10-01T00:00:00Z',
    })
    expect(caiso).toMatchObject({ unit: 'MW', frequency: 'month', values: [{ periodStart: '2026-09-01T00:00:00.000Z', value: 147.5 }] })
    const pjm = (await listSeries(ch, { product: 'GRID', market: 'PJM' })).series
    expect(pjm.map((s) => [s.series, s.measure, s.lastValue])).toEqual([
      ['PJM.CAPACITY.NUCLEAR', 'generators', 1],
      ['PJM.CAPACITY.NUCLEAR', 'nameplate_capacity', 1200],
      ['PJM.CAPACITY.NUCLEAR', 'summer_capacity', 1150],
    ])
  })

  it('an EIA-930 file still refuses records of another market than its key', async () => {
    const result = await ingest('eia.930.region_data', 'ERCOT', FUNDAMENTALS_FIXTURE_DIR, EIA930_REGION_DATA_FIXTURE)
    expect(result).toMatchObject({ records: 0, issues: 169 })
  })
})

describe('downloads', () => {
  it('a series export reads every frequency of the series, in file order, entitled through its product', async () => {
    const request = ExportRequest.parse({ dataset: 'series', product: 'GAS', series: 'HENRY_HUB', from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' })
    const source = await openSource({ db: pg.db, ch }, request, { organizationId: '00000000-0000-4000-8000-000000000000', userId: null, label: 'test' })
    expect(source.markets).toEqual(['GAS'])
    // 21 trading days of January 2024 and the month itself.
    expect(await source.countRows()).toBe(22)
    const rows = []
    for await (const page of source.pages()) rows.push(...page)
    expect(rows).toHaveLength(22)
    // Timestamp columns as the writers take them: ms since the epoch.
    expect(rows[0]).toEqual(['GAS', null, 'HENRY_HUB', 'price', 'day', Date.parse('2024-01-02T00:00:00Z'), Date.parse('2024-01-03T00:00:00Z'), 2.56, '$/MMBtu', 'datahub.ng.hh_spot_daily'])
    expect(rows.at(-1)).toEqual(['GAS', null, 'HENRY_HUB', 'price', 'month', Date.parse('2024-01-01T00:00:00Z'), Date.parse('2024-02-01T00:00:00Z'), 3.18, '$/MMBtu', 'eia.ng.hh_spot_monthly'])
    expect(exportFilename(request)).toBe('254carbon-GAS-HENRY_HUB-price-20240101-20240201.csv')
  })

  it('a GRID export is entitled through its market; a product with a market is refused naming the field', async () => {
    const request = ExportRequest.parse({ dataset: 'series', product: 'GRID', market: 'CAISO', series: 'PACW.DEMAND', measure: 'demand', from: '2023-01-01T00:00:00Z', to: '2023-01-02T00:00:00Z' })
    const source = await openSource({ db: pg.db, ch }, request, { organizationId: '00000000-0000-4000-8000-000000000000', userId: null, label: 'test' })
    expect(source.markets).toEqual(['CAISO'])
    expect(await source.countRows()).toBe(24)
    const refused = ExportRequest.safeParse({ dataset: 'series', product: 'GAS', market: 'MISO', series: 'HENRY_HUB', from: '2024-01-01T00:00:00Z', to: '2024-02-01T00:00:00Z' })
    expect(refused.error?.issues).toMatchObject([{ path: ['market'], message: 'GAS series belong to no market: leave market out' }])
  })
})
