import type { PriceRecord } from '@carbon/schemas'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createInProcessBus, TOPICS, type Bus } from '../adapters/bus/index.ts'
import { queryRows } from '../adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../adapters/clickhouse/testing.ts'
import { recordArrivals } from '../services/quality/index.ts'
import { newArrivals, startPricesConsumer, type PricesConsumer } from './prices-consumer.ts'

/*
 * `price_arrivals` holds each arrival once, counted WITHOUT FINAL, through the two at-least-once
 * paths (migration 0005): the ingest publishing a publisher file again after a crash (same raw
 * key, new bus positions) and the bus delivering a stored batch again (same positions). Real chDB
 * and the in-process bus.
 */
const log = pino({ level: 'silent' })
const START = Date.parse('2026-05-04T05:00:00Z')
let ch: Awaited<ReturnType<typeof openScratchClickHouse>>
let bus: Bus
let consumer: PricesConsumer

beforeAll(async () => {
  ch = await openScratchClickHouse()
  bus = createInProcessBus({ log })
  consumer = await startPricesConsumer({ bus, ch, log, maxBatchSize: 70 })
})

afterAll(async () => {
  await consumer?.stop()
  await bus?.close()
  await ch?.close()
})

function record(i: number, source: string): PriceRecord {
  const start = START + Math.floor(i / 10) * 300_000
  return {
    market: 'MISO',
    node: `ONCE.N${i % 10}`,
    run: 'RT5',
    intervalStart: new Date(start).toISOString(),
    intervalEnd: new Date(start + 300_000).toISOString(),
    lmp: 20 + i / 100,
    energy: 19,
    congestion: 0.5,
    loss: 0.5,
    ghg: null,
    source,
    publishedAt: null,
  }
}

async function arrivals(source: string) {
  const [row] = await queryRows<{ n: string; keys: string }>(
    ch,
    'once_count',
    'SELECT count() AS n, uniqExact(node, interval_start) AS keys FROM price_arrivals WHERE source = {source:String}',
    { source },
  )
  return { rows: Number(row!.n), keys: Number(row!.keys) }
}

it('a file published again (same raw key, new bus positions) arrives once; another file with the same prices is a new arrival', async () => {
  const source = 'test.once.file'
  const records = Array.from({ length: 200 }, (_, i) => record(i, source))
  const publish = (rawKey: string, slice: PriceRecord[]) =>
    bus.publish(
      TOPICS.pricesNormalized,
      slice.map((r) => ({ key: `${r.market}:${r.node}`, value: JSON.stringify(r), headers: { 'raw-key': rawKey } })),
    )
  // The first 130 records went out, then the ingest died; the restarted ingest publishes the whole file.
  await publish('raw/MISO/x/2026/05/04/page_p1.json.aaaaaaaaaaaa', records.slice(0, 130))
  await publish('raw/MISO/x/2026/05/04/page_p1.json.aaaaaaaaaaaa', records)
  expect(await consumer.drain(30_000)).toBe(true)
  expect(await arrivals(source)).toEqual({ rows: 200, keys: 200 })

  // A different file (a revision, another fetch with other bytes) is a real second arrival.
  await publish('raw/MISO/x/2026/05/04/page_p1.json.bbbbbbbbbbbb', records.slice(0, 10))
  expect(await consumer.drain(30_000)).toBe(true)
  expect(await arrivals(source)).toEqual({ rows: 210, keys: 200 })
})

it('a batch delivered again at the same bus positions arrives once', async () => {
  const source = 'test.once.redelivery'
  const records = Array.from({ length: 50 }, (_, i) => record(i, source))
  const positions = records.map((_, i) => ({ partition: 2, offset: String(9_000 + i) }))
  const first = await newArrivals(ch, records, positions)
  expect(first.records).toHaveLength(50)
  await recordArrivals(ch, first.records, new Date(), first.positions)
  // Stored, then killed before the commit: the same messages come back.
  const again = await newArrivals(ch, records, positions)
  expect(again.records).toEqual([])
  // The same prices at other positions without a raw key are other arrivals.
  const elsewhere = await newArrivals(ch, records, records.map((_, i) => ({ partition: 2, offset: String(9_100 + i) })))
  expect(elsewhere.records).toHaveLength(50)
  expect(await arrivals(source)).toEqual({ rows: 50, keys: 50 })
})
