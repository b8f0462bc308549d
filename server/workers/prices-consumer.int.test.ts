import type { PriceRecord } from '@carbon/schemas'
import { pino, type Logger } from 'pino'
import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest'
import { startKafkaMock } from '../../tests/setup/kafka-mock.ts'
import { uniqueName } from '../adapters/bus/bus.contract.ts'
import { createInProcessBus, createKafkaBus, TOPICS, type Bus, type ReceivedMessage } from '../adapters/bus/index.ts'
import { queryRows } from '../adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../adapters/clickhouse/testing.ts'
import { metrics } from '../metrics.ts'
import { startPricesConsumer, type PricesConsumer } from './prices-consumer.ts'

/*
 * The prices consumer against both bus adapters (in-process; kafkajs against librdkafka's mock
 * cluster, a fresh cluster per test so `prices.normalized` starts empty) and a chDB scratch store
 * shared by the file (chDB binds one data directory per process). Every test writes nodes of its
 * own prefix and counts only those. Tests run one after the other: the outage tests rename the
 * `prices` or `price_arrivals` table for a while, and the metric assertions read deltas of the
 * process's counters.
 */

let ch: Awaited<ReturnType<typeof openScratchClickHouse>>
beforeAll(async () => {
  ch = await openScratchClickHouse()
})
afterAll(async () => {
  await ch?.close()
})

type LogEntry = { level: number; msg: string; [field: string]: unknown }
const PINO_WARN = 40
/** Only in the `source` field of the records: a log line containing it logged a payload. */
const PAYLOAD_MARKER = 'consumer-test-payload'

function capturingLogger(level: string): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const log = pino({ level }, { write: (line: string) => void entries.push(JSON.parse(line) as LogEntry) })
  return { log, entries }
}

type Harness = { bus: Bus; log: Logger; entries: LogEntry[] }

type BusKind = { name: string; open(context: TestContext, log: Logger): Promise<Bus> }

const KINDS: BusKind[] = [
  {
    name: 'in-process',
    async open(context, log) {
      const bus = createInProcessBus({ log })
      context.onTestFinished(() => bus.close())
      return bus
    },
  },
  {
    name: 'kafka (librdkafka mock cluster)',
    async open(context, log) {
      const mock = await startKafkaMock()
      const bus = createKafkaBus({
        brokers: mock.brokers,
        clientId: 'prices-consumer-test',
        log,
        // The mock's default-sized timeouts make a rebalance take ~30 s (STACK.md).
        consumer: { sessionTimeout: 3_000, maxWaitTimeInMs: 100 },
      })
      context.onTestFinished(async () => {
        await bus.close()
        await mock.stop()
      })
      return bus
    },
  },
]

/** `count` RT5 records over 20 nodes `${prefix}.N00..N19`, 5-minute intervals, each key once. */
function records(prefix: string, count: number, from = 0): PriceRecord[] {
  const base = Date.parse('2026-06-01T00:00:00.000Z')
  return Array.from({ length: count }, (_, k) => {
    const i = from + k
    const start = base + Math.floor(i / 20) * 5 * 60_000
    return {
      market: 'MISO',
      node: `${prefix}.N${String(i % 20).padStart(2, '0')}`,
      run: 'RT5',
      intervalStart: new Date(start).toISOString(),
      intervalEnd: new Date(start + 5 * 60_000).toISOString(),
      lmp: 20 + (i % 97) / 4,
      energy: 19.5,
      congestion: null,
      loss: 0.25,
      ghg: null,
      source: PAYLOAD_MARKER,
      publishedAt: null,
    } satisfies PriceRecord
  })
}

const keyOf = (r: Pick<PriceRecord, 'market' | 'node'>) => `${r.market}:${r.node}`
const idOf = (r: Pick<PriceRecord, 'node' | 'intervalStart'>) => `${r.node}@${r.intervalStart}`
const toMessages = (list: PriceRecord[]) => list.map((r) => ({ key: keyOf(r), value: JSON.stringify(r) }))

/** Rows of the prefix as `node@intervalStart`, sorted, read with FINAL. */
async function storedIds(prefix: string): Promise<string[]> {
  const rows = await queryRows<{ node: string; start_ms: number | string }>(
    ch,
    'test.stored',
    `SELECT node, toUnixTimestamp64Milli(interval_start) AS start_ms FROM prices FINAL
     WHERE market = 'MISO' AND startsWith(node, {prefix:String}) ORDER BY node, interval_start`,
    { prefix: `${prefix}.` },
  )
  return rows.map((r) => idOf({ node: r.node, intervalStart: new Date(Number(r.start_ms)).toISOString() })).sort()
}

/** The prefix's rows in price_arrivals: all of them, distinct (node, interval) keys, distinct ingested_at. */
async function arrivals(prefix: string): Promise<{ rows: number; keys: number; times: number }> {
  const [row] = await queryRows<{ rows: number | string; keys: number | string; times: number | string }>(
    ch,
    'test.arrivals',
    `SELECT count() AS rows, uniqExact(node, interval_start) AS keys, uniqExact(ingested_at) AS times FROM price_arrivals
     WHERE market = 'MISO' AND startsWith(node, {prefix:String})`,
    { prefix: `${prefix}.` },
  )
  return { rows: Number(row?.rows ?? 0), keys: Number(row?.keys ?? 0), times: Number(row?.times ?? 0) }
}

/** carbon_consumer_records_total for an outcome, and the number of batches carbon_consumer_batch_seconds observed. */
async function consumerMetrics(): Promise<{ stored: number; deadLettered: number; batches: number }> {
  const records = await metrics.consumerRecords.get()
  const seconds = await metrics.consumerBatchSeconds.get()
  const value = (outcome: string) => records.values.find((v) => v.labels.outcome === outcome)?.value ?? 0
  const batches = seconds.values.find((v) => v.metricName === 'carbon_consumer_batch_seconds_count')?.value ?? 0
  return { stored: value('stored'), deadLettered: value('dead_lettered'), batches }
}

async function storedCount(prefix: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(
    ch,
    'test.count',
    `SELECT count() AS n FROM prices FINAL WHERE market = 'MISO' AND startsWith(node, {prefix:String})`,
    { prefix: `${prefix}.` },
  )
  return Number(row?.n ?? 0)
}

/** Polls until `condition` holds or `timeoutMs` passed; returns whether it held (assertions follow). */
async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const sortedIds = (list: PriceRecord[]) => list.map(idOf).sort()
/** Messages the consumer reported as handled (its debug line per successful batch). */
const handledMessages = (entries: LogEntry[]) =>
  entries.filter((e) => e.msg === 'prices batch stored').reduce((sum, e) => sum + Number(e.messages), 0)

for (const kind of KINDS) {
  describe(`prices consumer on the ${kind.name} bus`, () => {
    async function harness(context: TestContext): Promise<Harness> {
      const { log, entries } = capturingLogger('debug')
      // The bus (and kafkajs) log at warn here: kafkajs' debug output is large and not under test.
      const bus = await kind.open(context, log.child({}, { level: 'warn' }))
      return { bus, log, entries }
    }

    async function start(h: Harness, context: TestContext, options: { groupId?: string; maxBatchSize?: number } = {}): Promise<PricesConsumer> {
      const consumer = await startPricesConsumer({ bus: h.bus, ch, log: h.log, ...options })
      context.onTestFinished(() => consumer.stop())
      return consumer
    }

    it('stores 1,000 valid records across 20 nodes once each, in bounded batches', async (context) => {
      const { expect } = context
      const h = await harness(context)
      const prefix = uniqueName('c1')
      const list = records(prefix, 1_000)
      const before = await consumerMetrics()
      await h.bus.publish(TOPICS.pricesNormalized, toMessages(list))
      await start(h, context, { maxBatchSize: 300 })

      await eventually(() => handledMessages(h.entries) >= 1_000)
      expect(await storedCount(prefix)).toBe(1_000)
      expect(await storedIds(prefix)).toEqual(sortedIds(list))
      const batches = h.entries.filter((e) => e.msg === 'prices batch stored')
      expect(batches.reduce((sum, e) => sum + Number(e.messages), 0)).toBe(1_000)
      for (const b of batches) expect(Number(b.messages)).toBeLessThanOrEqual(300)
      expect(h.entries.filter((e) => e.level >= PINO_WARN)).toEqual([])
      // Every record also arrived once, with one ingested_at per batch.
      const arrived = await arrivals(prefix)
      expect(arrived).toMatchObject({ rows: 1_000, keys: 1_000 })
      expect(arrived.times).toBeGreaterThanOrEqual(1)
      expect(arrived.times).toBeLessThanOrEqual(batches.length)
      const after = await consumerMetrics()
      expect(after.stored - before.stored).toBe(1_000)
      expect(after.deadLettered - before.deadLettered).toBe(0)
      expect(after.batches - before.batches).toBe(batches.length)
    })

    it('counts a redelivered copy of every record once (still 1,000 rows)', async (context) => {
      const { expect } = context
      const h = await harness(context)
      const prefix = uniqueName('c2')
      const list = records(prefix, 1_000)
      await h.bus.publish(TOPICS.pricesNormalized, toMessages(list))
      await h.bus.publish(TOPICS.pricesNormalized, toMessages(list))
      await start(h, context)

      expect(await eventually(() => handledMessages(h.entries) >= 2_000)).toBe(true)
      expect(handledMessages(h.entries)).toBe(2_000)
      expect(await storedCount(prefix)).toBe(1_000)
      expect(await storedIds(prefix)).toEqual(sortedIds(list))
      // The arrival log is append-only: both copies are there, still 1,000 keys.
      expect(await arrivals(prefix)).toMatchObject({ rows: 2_000, keys: 1_000 })
    })

    it('dead-letters 3 invalid records with their reason and stores the 997 valid ones', async (context) => {
      const { expect } = context
      const h = await harness(context)
      const prefix = uniqueName('c3')
      const list = records(prefix, 1_000)
      const messages = toMessages(list)
      const { source: _dropped, ...missingSource } = list[500]!
      const bad = new Map<number, { value: string; reason: RegExp }>([
        [10, { value: '{"market":"MISO","node":', reason: /invalid JSON/ }],
        [500, { value: JSON.stringify(missingSource), reason: /source/ }],
        [990, { value: JSON.stringify({ ...list[990]!, lmp: '41.27' }), reason: /lmp: .*number/ }],
      ])
      for (const [index, { value }] of bad) messages[index] = { key: messages[index]!.key, value }

      const dlq: ReceivedMessage[] = []
      const metricsBefore = await consumerMetrics()
      const [, dlqReader] = await Promise.all([
        start(h, context),
        h.bus.subscribe({ topic: TOPICS.pricesDlq, groupId: uniqueName('dlq-reader'), fromBeginning: true, handler: async (b) => void dlq.push(...b.messages) }),
      ])
      context.onTestFinished(() => dlqReader.stop())
      const before = Date.now()
      await h.bus.publish(TOPICS.pricesNormalized, messages)

      await eventually(async () => dlq.length >= 3 && (await storedCount(prefix)) >= 997)
      await delay(300)
      const expected = list.filter((_, i) => !bad.has(i))
      expect(await storedCount(prefix)).toBe(997)
      expect(await storedIds(prefix)).toEqual(sortedIds(expected))
      expect(await arrivals(prefix)).toMatchObject({ rows: 997, keys: 997 })
      const metricsAfter = await consumerMetrics()
      expect(metricsAfter.stored - metricsBefore.stored).toBe(997)
      expect(metricsAfter.deadLettered - metricsBefore.deadLettered).toBe(3)
      expect(dlq).toHaveLength(3)
      for (const [index, { value, reason }] of bad) {
        const dead = dlq.find((m) => m.value.toString('utf8') === value)
        expect(dead, `record ${index} on the DLQ`).toBeDefined()
        expect(dead!.key).toBe(keyOf(list[index]!))
        expect(dead!.headers.reason).toMatch(reason)
        expect(dead!.headers['source-topic']).toBe(TOPICS.pricesNormalized)
        expect(dead!.headers['source-offset']).toMatch(/^\d+$/)
        expect(dead!.headers['source-partition']).toMatch(/^\d+$/)
        expect(Date.parse(dead!.headers['failed-at']!)).toBeGreaterThanOrEqual(before - 1_000)
      }
      // The in-process bus keeps publish order in one partition: offsets are the positions.
      if (h.bus.kind === 'in-process') {
        expect(dlq.map((m) => m.headers['source-offset']).sort((a, b) => Number(a) - Number(b))).toEqual(['10', '500', '990'])
      }
      const warnings = h.entries.filter((e) => e.level >= PINO_WARN)
      expect(warnings.length).toBeGreaterThan(0)
      expect(warnings.every((w) => w.msg === 'invalid price messages sent to the dead-letter topic')).toBe(true)
      expect(warnings.reduce((sum, w) => sum + Number(w.invalid), 0)).toBe(3)
      expect(JSON.stringify(h.entries)).not.toContain(PAYLOAD_MARKER)
    })

    it('resumes after a restart in the same group: every record stored, none missing', async (context) => {
      const { expect } = context
      const h = await harness(context)
      const prefix = uniqueName('c4')
      const groupId = uniqueName('prices-consumer')
      const first = records(prefix, 600)
      const second = records(prefix, 400, 600)
      await h.bus.publish(TOPICS.pricesNormalized, toMessages(first))

      const a = await start(h, context, { groupId, maxBatchSize: 50 })
      await eventually(async () => (await storedCount(prefix)) >= 100)
      await a.stop()
      const storedByA = await storedCount(prefix)
      expect(storedByA).toBeGreaterThanOrEqual(100)
      expect(storedByA).toBeLessThanOrEqual(600)
      await h.bus.publish(TOPICS.pricesNormalized, toMessages(second))
      await delay(200)
      expect(await storedCount(prefix)).toBe(storedByA) // nobody consumes while stopped

      await start(h, context, { groupId, maxBatchSize: 50 })
      await eventually(async () => (await storedCount(prefix)) >= 1_000)
      await delay(300)
      expect(await storedCount(prefix)).toBe(1_000)
      expect(await storedIds(prefix)).toEqual(sortedIds([...first, ...second]))
    })

    it('redelivers a batch whose insert failed, without advancing offsets, and stores it once the store is back', async (context) => {
      const { expect } = context
      const h = await harness(context)
      const prefix = uniqueName('c5')
      const groupId = uniqueName('prices-consumer')
      const list = records(prefix, 1_000)
      await h.bus.publish(TOPICS.pricesNormalized, toMessages(list))
      const insertFailures = () => h.entries.filter((e) => e.msg === 'prices insert failed; the batch will be delivered again')

      // A real outage of the table: the insert fails until it is renamed back.
      await ch.client.command({ query: 'RENAME TABLE prices TO prices_offline' })
      let restored = false
      const restore = async () => {
        if (restored) return
        restored = true
        await ch.client.command({ query: 'RENAME TABLE prices_offline TO prices' })
      }
      context.onTestFinished(restore)

      // First consumer: fails at least twice (redelivered), then stops during the outage.
      const a = await start(h, context, { groupId })
      expect(await eventually(() => insertFailures().length >= 2)).toBe(true)
      await a.stop()
      const failedByA = insertFailures().length

      // Second consumer in the same group: since nothing was committed it starts at offset 0 again.
      await start(h, context, { groupId })
      expect(await eventually(() => insertFailures().length > failedByA)).toBe(true)
      await restore()

      await eventually(async () => (await storedCount(prefix)) >= 1_000)
      await delay(300)
      expect(await storedCount(prefix)).toBe(1_000)
      expect(await storedIds(prefix)).toEqual(sortedIds(list))
      const failures = insertFailures()
      // Every failed attempt, by either consumer, was a batch starting at offset 0 of its partition:
      // the offsets never moved while the store was down.
      expect(failures.map((f) => f.firstOffset)).toEqual(failures.map(() => '0'))
      for (const f of failures) expect(f).toMatchObject({ invalid: 0 })
      expect(failures.every((f) => Number(f.valid) > 0)).toBe(true)
      expect(JSON.stringify(h.entries)).not.toContain(PAYLOAD_MARKER)
    })

    it('does not commit a batch whose arrivals insert failed: it is delivered again and its arrivals recorded', async (context) => {
      const { expect } = context
      const h = await harness(context)
      const prefix = uniqueName('c6')
      const groupId = uniqueName('prices-consumer')
      const list = records(prefix, 500)
      await h.bus.publish(TOPICS.pricesNormalized, toMessages(list))
      const arrivalFailures = () => h.entries.filter((e) => e.msg === 'price arrivals insert failed; the batch will be delivered again')

      await ch.client.command({ query: 'RENAME TABLE price_arrivals TO price_arrivals_offline' })
      let restored = false
      const restore = async () => {
        if (restored) return
        restored = true
        await ch.client.command({ query: 'RENAME TABLE price_arrivals_offline TO price_arrivals' })
      }
      context.onTestFinished(restore)

      await start(h, context, { groupId })
      expect(await eventually(() => arrivalFailures().length >= 2)).toBe(true)
      // `prices` took the batch each time (idempotent), but the handler failed, so nothing was committed.
      expect(await storedCount(prefix)).toBeGreaterThan(0)
      expect(handledMessages(h.entries)).toBe(0)
      expect(arrivalFailures().map((f) => f.firstOffset)).toEqual(arrivalFailures().map(() => '0'))
      await restore()

      await eventually(() => handledMessages(h.entries) >= 500)
      expect(handledMessages(h.entries)).toBe(500)
      expect(await storedCount(prefix)).toBe(500)
      const arrived = await arrivals(prefix)
      expect(arrived.keys).toBe(500)
      expect(arrived.rows).toBe(500)
      expect(h.entries.filter((e) => e.msg === 'prices insert failed; the batch will be delivered again')).toEqual([])
      expect(JSON.stringify(h.entries)).not.toContain(PAYLOAD_MARKER)
    })
  })
}
