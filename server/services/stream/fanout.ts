import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { PriceRecord } from '@carbon/schemas'
import type { Logger } from 'pino'
import { TOPICS, type Batch, type Bus, type Subscription } from '../../adapters/bus/index.ts'
import { sliced } from '../../time-slice.ts'
import { observeFanoutBatch, observeFanoutPass, reportFanoutRing } from '../../metrics.ts'
import { decodePriceMessage } from '../../workers/prices-consumer.ts'
import { advance, type Cursor } from './cursor.ts'
import { Position } from './position.ts'
import { lastOffsets } from './queue.ts'
import type { StreamPrice } from './types.ts'

/**
 * The web process's view of `prices.normalized`: one subscription per process, in a consumer
 * group of its own (so every web replica sees every tick; with Kafka each replica reads all
 * partitions), starting at the end. Each bus batch becomes one array of StreamPrices handed to
 * every listener, and kept in a ring of the most recent `ringSize` records so a reconnecting
 * client can be sent what it missed without a store query.
 *
 * Listeners must not block: subscriptions queue (and if need be coalesce) per client, and write
 * to their client's socket from the listener when it has room (subscription.ts deliver()).
 *
 * The pass over the listeners is time-sliced: after `sliceMs` of work it yields to the event loop
 * (setImmediate) and goes on, so a tick to thousands of sockets never holds up other requests,
 * timers or socket I/O for longer than a slice. The bus hands the next batch only when the pass is
 * done, so every listener gets the batches in order; what arrives meanwhile comes as one larger
 * batch. The ring and the listeners to serve are taken in one synchronous step at the start of a
 * pass: a listener attached during a pass has the batch in its ring snapshot and is not served it.
 * Decoding a large batch is sliced the same way.
 */
/** Returns false when it could not hand the batch on yet (its client's connection is full: the batch waits in its queue). */
export type FanoutListener = (prices: readonly StreamPrice[]) => boolean | void

export type PriceFanout = {
  /** Registers a listener and returns the ring's content at that moment (one synchronous step: nothing falls between). */
  attach(listener: FanoutListener): { recent: readonly StreamPrice[]; detach(): void }
  /** The oldest offset the ring still holds per partition (what came before must come from the store). */
  ringStart(partition: number): number | undefined
  /** The newest offset seen per partition. */
  head(): Cursor
  /** head() as the shared Position value (streams opened between two batches share it). */
  position(): Position
  /** Listeners attached now. */
  readonly listeners: number
  stop(): Promise<void>
}

export const DEFAULT_RING_SIZE = 100_000
/** Longest stretch of fan-out work (decoding, handing a batch to listeners) before it yields to the event loop. */
export const DEFAULT_SLICE_MS = 5

/**
 * A StreamPrice as one object literal, every field in the canonical record's order (the order its
 * JSON is sent in). Not `{ ...record, ... }`: spreading the validated record gave almost every
 * price a hidden class of its own (V8), which made every later read of its fields (each
 * subscription's filter, the serializer) a slow lookup.
 */
function streamPrice(record: PriceRecord, ingestedAt: string | null, receivedAt: string, partition: number, offset: number): StreamPrice {
  return {
    market: record.market,
    node: record.node,
    run: record.run,
    intervalStart: record.intervalStart,
    intervalEnd: record.intervalEnd,
    lmp: record.lmp,
    energy: record.energy,
    congestion: record.congestion,
    loss: record.loss,
    ghg: record.ghg,
    source: record.source,
    publishedAt: record.publishedAt,
    ingestedAt,
    receivedAt,
    partition,
    offset,
  }
}

export async function startPriceFanout(options: { bus: Bus; log: Logger; ringSize?: number; groupId?: string; sliceMs?: number }): Promise<PriceFanout> {
  const log = options.log.child({ component: 'price-fanout' })
  const ringSize = options.ringSize ?? DEFAULT_RING_SIZE
  const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS
  // Its own group per process: a live view, never sharing partitions with another replica.
  const groupId = options.groupId ?? `web-fanout-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`
  const listeners = new Set<FanoutListener>()
  let ring: StreamPrice[] = []
  const newest = new Map<number, number>()
  let position = Position.start
  let invalid = 0

  async function decode(batch: Batch): Promise<{ prices: StreamPrice[]; longestMs: number }> {
    const receivedAt = new Date().toISOString()
    const prices: StreamPrice[] = []
    const { longestMs } = await sliced(batch.messages.length, sliceMs, (i) => {
      const message = batch.messages[i]!
      const decoded = decodePriceMessage(message)
      if (!decoded.ok) {
        // The consumer dead-letters it; the live view just leaves it out.
        invalid++
        return
      }
      prices.push(streamPrice(decoded.record, message.headers['ingest-time'] ?? null, receivedAt, batch.partition, Number(message.offset)))
    })
    return { prices, longestMs }
  }

  async function handle(batch: Batch): Promise<void> {
    const receivedMs = Date.now()
    const decoded = await decode(batch)
    const prices = decoded.prices
    if (prices.length === 0) return
    // One synchronous step: the ring, the head and the listeners this pass serves.
    for (const price of prices) advance(newest, price.partition, price.offset)
    position = position.advancedBy(lastOffsets(prices))
    ring = ring.length + prices.length > ringSize ? [...ring, ...prices].slice(-ringSize) : ring.concat(prices)
    const serving = [...listeners]
    const passStartMs = Date.now()
    let deferred = 0
    const pass = await sliced(serving.length, sliceMs, (i) => {
      const listener = serving[i]!
      // Detached while the pass yielded: the subscription is gone.
      if (!listeners.has(listener)) return
      try {
        if (listener(prices) === false) deferred++
      } catch (error) {
        log.error({ err: error }, 'stream listener failed')
      }
    })
    // Metrics after the listeners: ingest_to_fanout per price, the pass, the ring's size.
    observeFanoutBatch(prices)
    observeFanoutPass({
      prices: prices.length,
      listeners: serving.length,
      deferred,
      receivedMs,
      passStartMs,
      passEndMs: Date.now(),
      ingestedAt: prices[0]!.ingestedAt,
      longestSliceMs: Math.max(pass.longestMs, decoded.longestMs),
      slices: pass.slices,
    })
    reportFanoutRing({ size: ring.length, capacity: ringSize })
  }

  const subscription: Subscription = await options.bus.subscribe({
    topic: TOPICS.pricesNormalized,
    groupId,
    fromBeginning: false,
    maxBatchSize: 10_000,
    handler: handle,
  })
  log.info({ groupId, ringSize }, 'live price fan-out started')
  reportFanoutRing({ size: 0, capacity: ringSize })

  return {
    attach(listener) {
      listeners.add(listener)
      return { recent: ring, detach: () => listeners.delete(listener) }
    },
    ringStart(partition) {
      for (const price of ring) if (price.partition === partition) return price.offset
      return undefined
    },
    head() {
      return new Map(newest)
    },
    position() {
      return position
    },
    get listeners() {
      return listeners.size
    },
    async stop() {
      await subscription.stop()
      listeners.clear()
      reportFanoutRing(null)
      if (invalid > 0) log.info({ invalid }, 'invalid records left out of the live stream')
    },
  }
}
