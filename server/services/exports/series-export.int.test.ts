import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { DuckDBInstance } from '@duckdb/node-api'
import { LNG_FIXTURE_DIR, WNGSR_LNG_FIXTURE_0805, WNGSR_LNG_FIXTURE_0923 } from '@carbon/connectors'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ingestSeriesPayload } from '../series/ingest.ts'
import { openSeriesTestStores, type SeriesTestStores } from '../series/testing.ts'
import { ExportRequest } from './schemas.ts'
import { openSource } from './sources.ts'
import { createFileSink } from './writers/index.ts'

/*
 * A series export's rows through the real writers (what the export worker does with them): EIA's
 * two LNG bullets ingested through the series pipeline, read back by the export source, written
 * as CSV with the periods as UTC instants. The source once gave its period columns as ISO text
 * where the writers take ms since the epoch: every series job failed in the worker.
 */

let stores: SeriesTestStores

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

beforeAll(async () => {
  stores = await openSeriesTestStores(inject('postgresUrl'), 'series-export')
  for (const file of [WNGSR_LNG_FIXTURE_0805, WNGSR_LNG_FIXTURE_0923]) {
    const now = Date.now()
    const bytes = new Uint8Array(await readFile(new URL(file, LNG_FIXTURE_DIR)))
    await ingestSeriesPayload(
      stores.deps,
      { source: 'eia.ng.wngsr_lng_prices', key: 'LNG', bytes, file, url: `fixture:${file}`, window: { start: now - 86_400_000, end: now }, status: 200, fetchedAt: now, lastModified: null, attempts: 1 },
      { trigger: 'schedule', startedAt: now },
    )
  }
  expect(await stores.consumer.drain(10_000)).toBe(true)
}, 60_000)

afterAll(async () => {
  await stores?.close()
})

describe('series export rows', () => {
  it('are written as CSV with UTC period instants, in series then period order', async () => {
    const request = ExportRequest.parse({ dataset: 'series', product: 'LNG', series: ['TTF', 'JKM'], from: '2026-07-30T00:00:00Z', to: '2026-09-18T00:00:00Z', format: 'csv' })
    const source = await openSource({ db: stores.pg.db, ch: stores.ch }, request, { organizationId: '00000000-0000-4000-8000-000000000000', userId: null, label: 'test' })
    expect(await source.countRows()).toBe(4)
    const sink = createFileSink('csv', source.columns)
    const text = readAll(sink.stream)
    for await (const rows of source.pages()) await sink.write(rows)
    await sink.end()
    expect((await text).trim().split(/\r?\n/)).toEqual([
      'product,market,series,measure,frequency,period_start,period_end,value,unit,source',
      'LNG,,JKM,price,week,2026-07-30T00:00:00Z,2026-08-06T00:00:00Z,21.23,$/MMBtu,eia.ng.wngsr_lng_prices',
      'LNG,,JKM,price,week,2026-09-17T00:00:00Z,2026-09-24T00:00:00Z,26.41,$/MMBtu,eia.ng.wngsr_lng_prices',
      'LNG,,TTF,price,week,2026-07-30T00:00:00Z,2026-08-06T00:00:00Z,19.14,$/MMBtu,eia.ng.wngsr_lng_prices',
      'LNG,,TTF,price,week,2026-09-17T00:00:00Z,2026-09-24T00:00:00Z,25.15,$/MMBtu,eia.ng.wngsr_lng_prices',
    ])
  })

  it('are written as Parquet too, the periods as UTC timestamps (read back by DuckDB)', async () => {
    const request = ExportRequest.parse({ dataset: 'series', product: 'LNG', series: 'JKM', from: '2026-07-30T00:00:00Z', to: '2026-09-18T00:00:00Z', format: 'parquet' })
    const source = await openSource({ db: stores.pg.db, ch: stores.ch }, request, { organizationId: '00000000-0000-4000-8000-000000000000', userId: null, label: 'test' })
    const sink = createFileSink('parquet', source.columns)
    const chunks: Buffer[] = []
    const done = (async () => {
      for await (const chunk of sink.stream) chunks.push(chunk as Buffer)
    })()
    for await (const rows of source.pages()) await sink.write(rows)
    await sink.end()
    await done
    const dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-series-parquet-'))
    const file = path.join(dir, 'jkm.parquet')
    await writeFile(file, Buffer.concat(chunks))
    const instance = await DuckDBInstance.create(':memory:')
    const duck = await instance.connect()
    try {
      const result = await duck.runAndReadAll(
        `SELECT series, strftime(period_start AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS start, value FROM read_parquet('${file}') ORDER BY period_start`,
      )
      expect(await result.getRowObjectsJson()).toEqual([
        { series: 'JKM', start: '2026-07-30 00:00', value: 21.23 },
        { series: 'JKM', start: '2026-09-17 00:00', value: 26.41 },
      ])
    } finally {
      duck.closeSync()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
