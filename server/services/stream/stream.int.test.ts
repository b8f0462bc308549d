import type { PriceRecord } from '@carbon/schemas'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInProcessBus, TOPICS, type Bus } from '../../adapters/bus/index.ts'
import { queryRows } from '../../adapters/clickhouse/client.ts'
import { openScratchClickHouse } from '../../adapters/clickhouse/testing.ts'
import { startPricesConsumer, type PricesConsumer } from '../../workers/prices-consumer.ts'
import { parseCursor } from './cursor.ts'
import { startPriceFanout, type PriceFanout } from './fanout.ts'
import { openStreamSubscription, type StreamSubscription } from './subscription.ts'
import type { StreamEvent, StreamFilter } from './types.ts'
import { priceRecordFactory } from '../../../tests/support/price-records.ts'

/*
 * The live stream on real parts: the in-process bus, the prices consumer writing chDB (prices and
 * the arrivals log), the fan-out. A "restart" is a new bus (offsets continue from the clock), a
 * new consumer and a new fan-out over the same store, as `carbon serve` starting again.
 */
const log = pino({ level: 'silent' })
let ch: Awaited<ReturnType<typeof openScratchClickHouse>>

type Stack = { bus: Bus; consumer: PricesConsumer; fanout: PriceFanout; consumed: () => number; close(): Promise<void> }

async function startStack(firstOffset: number, sliceMs?: number): Promise<Stack> {
  const bus = createInProcessBus({ log, firstOffset })
  const fanout = await startPriceFanout({ bus, log, sliceMs })
  let consumed = 0
  const consumer = await startPricesConsumer({ bus, ch, log, onBatch: (n) => (consumed += n) })
  return {
    bus,
    consumer,
    fanout,
    consumed: () => consumed,
    async close() {
      await fanout.stop()
      await consumer.stop()
      await bus.close()
    },
  }
}

beforeAll(async () => {
  ch = await openScratchClickHouse()
})
afterAll(async () => {
  await ch?.close()
})

const records = priceRecordFactory('test.stream')

async function publish(stack: Stack, list: PriceRecord[]) {
  const before = stack.consumed()
  await stack.bus.publish(
    TOPICS.pricesNormalized,
    list.map((r) => ({ key: `${r.market}:${r.node}`, value: JSON.stringify(r), headers: { 'ingest-time': new Date().toISOString() } })),
  )
  for (let i = 0; i < 400 && stack.consumed() < before + list.length; i++) await new Promise((r) => setTimeout(r, 10))
}

const filterOf = (prefix: string, nodes = 3): StreamFilter => ({
  market: 'MISO',
  runs: new Set(['RT5']),
  nodes: new Set(Array.from({ length: nodes }, (_, i) => `${prefix}.N${i}`)),
})

/** Reads events until `count` prices came (or a skipped/reset event), with a timeout; leaves the subscription open. */
async function collect(subscription: StreamSubscription, count: number, timeoutMs = 10_000): Promise<StreamEvent[]> {
  let reader = readers.get(subscription)
  if (!reader) readers.set(subscription, (reader = subscription.events()))
  const events: StreamEvent[] = []
  const deadline = Date.now() + timeoutMs
  let got = 0
  while (got < count && Date.now() < deadline) {
    const next = await Promise.race([reader.next(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))])
    if (!next || next.done) break
    events.push(next.value)
    got += next.value.prices.length
    if (next.value.type !== 'prices') break
  }
  return events
}
const readers = new Map<StreamSubscription, AsyncGenerator<StreamEvent>>()

const lmps = (events: StreamEvent[]) => events.flatMap((e) => e.prices.map((p) => p.lmp))

describe('resume with Last-Event-ID', () => {
  it('after missing N prices receives exactly those N, in order: from the ring, and from the store after a restart', async () => {
    const first = await startStack(1_000_000)
    const filter = filterOf('RESUME')
    const live = await openStreamSubscription({ fanout: first.fanout, ch, log }, { filter, cursor: null })
    const before = records('RESUME', 30)
    await publish(first, before)
    const seen = await collect(live, 30)
    expect(lmps(seen)).toEqual(before.map((r) => r.lmp))
    const lastId = seen.at(-1)!.id
    live.close()

    // Disconnected: 40 more prices (and prices of other nodes the filter leaves out).
    const missedWhileAway = records('RESUME', 40)
    await publish(first, [...missedWhileAway, ...records('OTHER', 10)])
    const fromRing = await openStreamSubscription({ fanout: first.fanout, ch, log }, { filter, cursor: parseCursor(lastId) })
    const replayed = await collect(fromRing, 40)
    expect(lmps(replayed)).toEqual(missedWhileAway.map((r) => r.lmp))
    const afterRing = replayed.at(-1)!.id
    fromRing.close()

    // More prices while away, then the server restarts: a new bus, consumer and fan-out.
    const missedAcrossRestart = records('RESUME', 25)
    await publish(first, missedAcrossRestart)
    await first.close()
    const second = await startStack(2_000_000)
    const newOnes = records('RESUME', 5)
    await publish(second, newOnes)
    const resumed = await openStreamSubscription({ fanout: second.fanout, ch, log }, { filter, cursor: parseCursor(afterRing) })
    const got = await collect(resumed, 30)
    expect(lmps(got)).toEqual([...missedAcrossRestart, ...newOnes].map((r) => r.lmp))
    // No duplicate: nothing more is waiting.
    expect(resumed.queued).toBe(0)
    resumed.close()
    await second.close()
  })

  it('more missed than the store replays: a reset event, then live prices only', async () => {
    const stack = await startStack(3_000_000)
    const filter = filterOf('RESET')
    const live = await openStreamSubscription({ fanout: stack.fanout, ch, log }, { filter, cursor: null })
    await publish(stack, records('RESET', 3))
    const [event] = await collect(live, 3)
    live.close()
    await publish(stack, records('RESET', 20))
    await stack.close()
    // After a restart the ring is empty: the 20 would come from the store, over the limit of 10.
    const restarted = await startStack(3_500_000)
    const again = await openStreamSubscription({ fanout: restarted.fanout, ch, log }, { filter, cursor: parseCursor(event!.id) }, { maxReplay: 10 })
    const [reset] = await collect(again, 1)
    expect(reset).toMatchObject({ type: 'reset', reason: 'more than 10 prices were missed' })
    const later = records('RESET', 2)
    await publish(restarted, later)
    const next = await collect(again, 2)
    expect(lmps(next)).toEqual(later.map((r) => r.lmp))
    again.close()
    await restarted.close()
  })
})

describe('backpressure', () => {
  it('a slow client does not hold up a fast one: the fast one gets every price in order, the slow one a skip notice and the latest per node', async () => {
    const stack = await startStack(4_000_000)
    const filter = filterOf('SLOW', 4)
    const limits = { maxQueued: 50, maxEventPrices: 1_000 }
    const fast = await openStreamSubscription({ fanout: stack.fanout, ch, log }, { filter, cursor: null }, { limits })
    const slow = await openStreamSubscription({ fanout: stack.fanout, ch, log }, { filter, cursor: null }, { limits })
    const sent = records('SLOW', 400, 4)
    const fastReading = collect(fast, 400)
    for (let i = 0; i < 400; i += 40) await publish(stack, sent.slice(i, i + 40))
    const fastEvents = await fastReading
    expect(lmps(fastEvents)).toEqual(sent.map((r) => r.lmp))
    expect(fastEvents.every((e) => e.type === 'prices')).toBe(true)

    // The slow client has not read anything yet: its queue holds at most one price per node.
    expect(slow.queued).toBe(4)
    const [notice] = await collect(slow, 1)
    expect(notice!.type).toBe('skipped')
    expect(notice!.skipped).toBe(396)
    expect(notice!.prices.map((p) => p.lmp)).toEqual(sent.slice(-4).map((r) => r.lmp))
    // Its id covers everything: a reconnect would not replay what it skipped.
    expect(notice!.id).toBe(fastEvents.at(-1)!.id)
    fast.close()
    slow.close()
    await stack.close()
  })
})

/** A client connection as deliver() sees it: takes events until `full`; then takes no more until drain(). */
function memorySink() {
  const events: StreamEvent[] = []
  let resume: (() => void) | null = null
  const sink = {
    events,
    full: false,
    write(event: StreamEvent) {
      events.push(event)
      return !sink.full
    },
    onDrain(callback: () => void) {
      resume = callback
    },
    drain() {
      sink.full = false
      const callback = resume
      resume = null
      callback?.()
    },
  }
  return sink
}

describe('push delivery from a time-sliced fan-out', () => {
  it('hands one batch to subscribers with different filters, each its share in one shared event, yielding to the event loop between slices', async () => {
    // A slice of 0 ms: the fan-out yields after every listener, as it would after 5 ms of real work.
    const stack = await startStack(5_000_000, 0)
    const a = filterOf('PUSHA', 3)
    const b = filterOf('PUSHB', 2)
    const subscriptions = await Promise.all(
      [a, a, a, b, b].map((filter) => openStreamSubscription({ fanout: stack.fanout, ch, log }, { filter, cursor: null })),
    )
    const sinks = subscriptions.map(() => memorySink())
    const delivered = subscriptions.map((s, i) => s.deliver(sinks[i]!))
    // Counts the turns of the event loop while the batch is handed out.
    let turns = 0
    const ticking = setInterval(() => turns++, 0)
    const sentA = records('PUSHA', 9, 3)
    const sentB = records('PUSHB', 4, 2)
    await publish(stack, [...sentA, ...sentB])
    await new Promise((resolve) => setTimeout(resolve, 50))
    clearInterval(ticking)

    const [a1, a2, a3, b1, b2] = sinks.map((sink) => sink.events)
    for (const events of [a1, a2, a3]) expect(lmps(events!)).toEqual(sentA.map((r) => r.lmp))
    for (const events of [b1, b2]) expect(lmps(events!)).toEqual(sentB.map((r) => r.lmp))
    // One filter, one event: the same prices array and the same id (so one serialization for all).
    expect(a2![0]!.prices).toBe(a1![0]!.prices)
    expect(a3![0]!.id).toBe(a1![0]!.id)
    expect(b2![0]!.prices).toBe(b1![0]!.prices)
    // Both filters' events cover the whole batch: a reconnect with either id replays nothing of it.
    expect(b1![0]!.id).toBe(a1![0]!.id)
    expect(turns).toBeGreaterThan(0)

    for (const s of subscriptions) s.close()
    expect(await Promise.all(delivered)).toEqual([1, 1, 1, 1, 1])
    await stack.close()
  })

  it('a full connection gets what came meanwhile after it drains, coalesced past its queue bound; an end drops what waits', async () => {
    const stack = await startStack(6_000_000, 0)
    const filter = filterOf('PUSHSLOW', 4)
    const limits = { maxQueued: 50, maxEventPrices: 1_000 }
    const subscription = await openStreamSubscription({ fanout: stack.fanout, ch, log }, { filter, cursor: null }, { limits })
    const sink = memorySink()
    const delivered = subscription.deliver(sink)
    const sent = records('PUSHSLOW', 200, 4)
    await publish(stack, sent.slice(0, 8))
    await until(() => sink.events.length === 1)
    sink.full = true
    await publish(stack, sent.slice(8, 12))
    // The first write after the connection filled was taken (it filled it); what follows waits.
    expect(sink.events.length).toBe(2)
    for (let i = 12; i < 200; i += 47) await publish(stack, sent.slice(i, i + 47))
    expect(sink.events.length).toBe(2)
    expect(subscription.queued).toBe(4)
    sink.drain()
    const [first, second, skipped] = sink.events
    expect(lmps([first!, second!])).toEqual(sent.slice(0, 12).map((r) => r.lmp))
    expect(skipped!.type).toBe('skipped')
    expect(skipped!.skipped).toBe(188 - 4)
    expect(skipped!.prices.map((p) => p.lmp)).toEqual(sent.slice(-4).map((r) => r.lmp))

    // Full again when the server ends the stream: what waits is dropped (as for events()), and
    // the end event is written once the connection drains.
    sink.full = true
    await publish(stack, sent.slice(0, 1))
    await publish(stack, sent.slice(1, 2))
    subscription.end('max_lifetime')
    expect(sink.events.length).toBe(4)
    sink.drain()
    const end = sink.events.at(-1)!
    expect(end).toMatchObject({ type: 'end', reason: 'max_lifetime', prices: [] })
    expect(sink.events.length).toBe(5)
    expect(await delivered).toBe(5)
    await stack.close()
  })
})

async function until(condition: () => boolean, guardMs = 10_000) {
  const deadline = Date.now() + guardMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('gave up waiting')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

it('stores the bus position of each arrival (what resume reads)', async () => {
  const rows = await queryRows<{ n: string }>(ch, 'positions', "SELECT count() AS n FROM price_arrivals WHERE source = 'test.stream' AND bus_offset = 0")
  expect(Number(rows[0]!.n)).toBe(0)
})
