import { advance, formatCursor, type Cursor } from './cursor.ts'
import type { StreamEvent, StreamPrice } from './types.ts'

/**
 * One subscriber's outbox: prices wait here until the client takes them (its connection has room).
 *
 * Bounded: while fewer than `maxQueued` prices wait, they are kept in order and sent as they came.
 * Past that the client has fallen behind, and the queue keeps only the latest price per (node,
 * run) (memory bounded by the nodes the client watches) counting what it dropped; the next event
 * is a `skipped` event with that count and the latest values. A slow client therefore never holds
 * up the fan-out or other clients, and never grows without bound.
 *
 * Event ids: the cursor after the last price the event holds; once the queue is empty it also
 * covers prices the filter passed over (`passed`), so a reconnect does not replay past them.
 */
export type QueueLimits = { maxQueued: number; maxEventPrices: number }

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxQueued: 20_000, maxEventPrices: 5_000 }

const keyOf = (p: StreamPrice) => `${p.node}\u0000${p.run}`

/** The highest offset per partition of a shared array, computed once for every subscriber holding it. */
const lastOffsetsCache = new WeakMap<readonly StreamPrice[], Map<number, number>>()
function lastOffsets(prices: readonly StreamPrice[]): Map<number, number> {
  let last = lastOffsetsCache.get(prices)
  if (!last) {
    last = new Map()
    for (const price of prices) advance(last, price.partition, price.offset)
    lastOffsetsCache.set(prices, last)
  }
  return last
}

export class SubscriberQueue {
  /** Waiting prices as the arrays they came in: clients with the same filter share them (and their serialization). */
  private chunks: (readonly StreamPrice[])[] = []
  private queued = 0
  private latest: Map<string, StreamPrice> | null = null
  private skipped = 0
  private readonly sent: Map<number, number>
  private readonly passedOver: Map<number, number>
  private wake: (() => void) | null = null
  private closed = false

  constructor(
    start: Cursor,
    private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS,
  ) {
    this.sent = new Map(start)
    this.passedOver = new Map(start)
  }

  /** Prices waiting now (for memory accounting and tests). */
  get size(): number {
    return this.latest ? this.latest.size : this.queued
  }

  /** Adds prices the client's filter accepted, in bus order. */
  push(prices: readonly StreamPrice[]): void {
    if (this.closed || prices.length === 0) return
    if (this.latest) {
      for (const price of prices) this.keepLatest(price)
    } else {
      this.chunks.push(prices)
      this.queued += prices.length
      if (this.queued > this.limits.maxQueued) {
        this.latest = new Map()
        for (const chunk of this.chunks) for (const price of chunk) this.keepLatest(price)
        this.chunks = []
        this.queued = 0
      }
    }
    this.notify()
  }

  /** Records that the fan-out got as far as `price` even if the filter left it out. */
  pass(price: Pick<StreamPrice, 'partition' | 'offset'>): void {
    advance(this.passedOver, price.partition, price.offset)
  }

  /** The next event, waiting until there is one; null once closed. */
  async next(signal?: AbortSignal): Promise<StreamEvent | null> {
    while (!this.closed && this.size === 0) {
      if (signal?.aborted) return null
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve()
        this.wake = () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
        signal?.addEventListener('abort', onAbort, { once: true })
      })
      this.wake = null
    }
    return this.closed ? null : this.take()
  }

  /** The next event if one is ready (no waiting). */
  take(): StreamEvent | null {
    if (this.latest) {
      const prices = [...this.latest.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      const skipped = this.skipped
      this.latest = null
      this.skipped = 0
      return { id: this.idAfter(prices), type: 'skipped', prices, skipped }
    }
    const first = this.chunks[0]
    if (!first) return null
    let prices: readonly StreamPrice[]
    if (first.length <= this.limits.maxEventPrices) {
      prices = first
      this.chunks.shift()
    } else {
      prices = first.slice(0, this.limits.maxEventPrices)
      this.chunks[0] = first.slice(this.limits.maxEventPrices)
    }
    this.queued -= prices.length
    return { id: this.idAfter(prices), type: 'prices', prices }
  }

  /** Drops everything waiting and continues from `cursor` (after a reset: the client reloads its snapshot). */
  restart(cursor: Cursor): void {
    this.chunks = []
    this.queued = 0
    this.latest = null
    this.skipped = 0
    for (const [partition, offset] of cursor) {
      advance(this.sent, partition, offset)
      advance(this.passedOver, partition, offset)
    }
  }

  /** The cursor of everything sent so far (a reset event's id). */
  get position(): string {
    return formatCursor(this.sent)
  }

  close(): void {
    this.closed = true
    this.notify()
  }

  private keepLatest(price: StreamPrice): void {
    const key = keyOf(price)
    if (this.latest!.has(key)) this.skipped++
    this.latest!.set(key, price)
  }

  private idAfter(prices: readonly StreamPrice[]): string {
    for (const [partition, offset] of lastOffsets(prices)) advance(this.sent, partition, offset)
    if (this.size === 0) for (const [partition, offset] of this.passedOver) advance(this.sent, partition, offset)
    return formatCursor(this.sent)
  }

  private notify(): void {
    this.wake?.()
  }
}
