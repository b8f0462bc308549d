import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import { TOPICS, type Batch, type Bus, type Subscription } from '../../adapters/bus/index.ts'
import { observeFanoutBatch, reportFanoutRing } from '../../metrics.ts'
import { decodePriceMessage } from '../../workers/prices-consumer.ts'
import { advance, type Cursor } from './cursor.ts'
import type { StreamPrice } from './types.ts'

/**
 * The web process's view of `prices.normalized`: one subscription per process, in a consumer
 * group of its own (so every web replica sees every tick; with Kafka each replica reads all
 * partitions), starting at the end. Each bus batch becomes one array of StreamPrices handed
 * synchronously to every listener, and kept in a ring of the most recent `ringSize` records so a
 * reconnecting client can be sent what it missed without a store query.
 *
 * Listeners must not block: subscriptions queue (and if need be coalesce) per client.
 */
export type FanoutListener = (prices: readonly StreamPrice[]) => void

export type PriceFanout = {
  /** Registers a listener and returns the ring's content at that moment (one synchronous step: nothing falls between). */
  attach(listener: FanoutListener): { recent: readonly StreamPrice[]; detach(): void }
  /** The oldest offset the ring still holds per partition (what came before must come from the store). */
  ringStart(partition: number): number | undefined
  /** The newest offset seen per partition. */
  head(): Cursor
  /** Listeners attached now. */
  readonly listeners: number
  stop(): Promise<void>
}

export const DEFAULT_RING_SIZE = 100_000

export async function startPriceFanout(options: { bus: Bus; log: Logger; ringSize?: number; groupId?: string }): Promise<PriceFanout> {
  const log = options.log.child({ component: 'price-fanout' })
  const ringSize = options.ringSize ?? DEFAULT_RING_SIZE
  // Its own group per process: a live view, never sharing partitions with another replica.
  const groupId = options.groupId ?? `web-fanout-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`
  const listeners = new Set<FanoutListener>()
  let ring: StreamPrice[] = []
  const newest = new Map<number, number>()
  let invalid = 0

  function handle(batch: Batch): Promise<void> {
    const receivedAt = new Date().toISOString()
    const prices: StreamPrice[] = []
    for (const message of batch.messages) {
      const decoded = decodePriceMessage(message.value)
      if (!decoded.ok) {
        // The consumer dead-letters it; the live view just leaves it out.
        invalid++
        continue
      }
      prices.push({
        ...decoded.record,
        ingestedAt: message.headers['ingest-time'] ?? null,
        receivedAt,
        partition: batch.partition,
        offset: Number(message.offset),
      })
    }
    if (prices.length === 0) return Promise.resolve()
    for (const price of prices) advance(newest, price.partition, price.offset)
    ring = ring.length + prices.length > ringSize ? [...ring, ...prices].slice(-ringSize) : ring.concat(prices)
    for (const listener of listeners) {
      try {
        listener(prices)
      } catch (error) {
        log.error({ err: error }, 'stream listener failed')
      }
    }
    // Metrics after the listeners: ingest_to_fanout per price, the ring's size.
    observeFanoutBatch(prices)
    reportFanoutRing({ size: ring.length, capacity: ringSize })
    return Promise.resolve()
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
