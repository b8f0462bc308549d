import { Writable } from 'node:stream'
import type { PriceRecord } from '@carbon/schemas'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createInProcessBus, TOPICS, type Bus, type ReceivedMessage } from '../adapters/bus/index.ts'
import { openScratchClickHouse } from '../adapters/clickhouse/testing.ts'
import { PRICES_CONSUMER_GROUP, startPricesConsumer, type PricesConsumer } from './prices-consumer.ts'

/*
 * A ClickHouse write that keeps failing is the store's outage, not a poison message: the records
 * passed the same checks the store applies. The bus's retry limit (here 1) must not send them to
 * the dead-letter topic, and nothing may be committed past them. Real chDB whose handle is closed
 * under the consumer (every write then fails, as with a server that went away), the in-process bus.
 */
const failures: string[] = []
const log = pino(
  { level: 'warn' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.startsWith('{')) {
          const parsed = JSON.parse(line) as { msg: string }
          if (parsed.msg.startsWith('prices insert failed')) failures.push(parsed.msg)
        }
      done()
    },
  }),
)
let ch: Awaited<ReturnType<typeof openScratchClickHouse>>
let bus: Bus
let consumer: PricesConsumer
const deadLetters: ReceivedMessage[] = []

beforeAll(async () => {
  ch = await openScratchClickHouse()
  bus = createInProcessBus({ log, maxRetries: 1 })
  await bus.subscribe({ topic: TOPICS.pricesDlq, groupId: 'test-dlq', fromBeginning: true, handler: async (batch) => void deadLetters.push(...batch.messages) })
})

afterAll(async () => {
  await consumer?.stop()
  await bus?.close()
  await ch?.close()
})

function record(i: number): PriceRecord {
  const start = Date.parse('2026-05-05T05:00:00Z') + i * 300_000
  return {
    market: 'MISO',
    node: 'OUTAGE.N1',
    run: 'RT5',
    intervalStart: new Date(start).toISOString(),
    intervalEnd: new Date(start + 300_000).toISOString(),
    lmp: 30 + i,
    energy: 29,
    congestion: 0.5,
    loss: 0.5,
    ghg: null,
    source: 'test.store-failure',
    publishedAt: null,
  }
}

it('retries valid records for as long as ClickHouse fails, past the retry limit, dead-lettering and committing nothing', async () => {
  // The store goes away under the consumer.
  await ch.close()
  consumer = await startPricesConsumer({ bus, ch, log })
  await bus.publish(
    TOPICS.pricesNormalized,
    Array.from({ length: 10 }, (_, i) => record(i)).map((r) => ({ key: `${r.market}:${r.node}`, value: JSON.stringify(r) })),
  )
  // Well past 1 + maxRetries failed deliveries.
  while (failures.length < 6) await new Promise((resolve) => setTimeout(resolve, 50))
  expect(deadLetters).toEqual([])
  expect(bus.unconsumed!(TOPICS.pricesNormalized, PRICES_CONSUMER_GROUP)).toBe(10)
})
