import { advance, type Cursor } from './cursor.ts'
import { Position } from './position.ts'
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
 *
 * Nothing here is per subscriber when subscribers move together: waiting prices are the shared
 * arrays of the fan-out (split into shared parts of at most `maxEventPrices`), positions are shared
 * Position values, so subscribers with one filter at the live edge produce the same event (same
 * array, same id object) and therefore the same serialized bytes.
 */
export type QueueLimits = { maxQueued: number; maxEventPrices: number }

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxQueued: 20_000, maxEventPrices: 5_000 }

const keyOf = (p: StreamPrice) => `${p.node}\u0000${p.run}`

/** The highest offset per partition of a shared array, computed once for every subscriber holding it. */
const lastOffsetsCache = new WeakMap<readonly StreamPrice[], Map<number, number>>()
export function lastOffsets(prices: readonly StreamPrice[]): ReadonlyMap<number, number> {
  let last = lastOffsetsCache.get(prices)
  if (!last) {
    last = new Map()
    for (const price of prices) advance(last, price.partition, price.offset)
    lastOffsetsCache.set(prices, last)
  }
  return last
}

/** A shared array cut into shared parts of at most `size` prices (once per array and size). */
const partsCache = new WeakMap<readonly StreamPrice[], { size: number; parts: (readonly StreamPrice[])[] }>()
function partsOf(prices: readonly StreamPrice[], size: number): (readonly StreamPrice[])[] {
  if (prices.length <= size) return [prices]
  const known = partsCache.get(prices)
  if (known && known.size === size) return known.parts
  const parts: (readonly StreamPrice[])[] = []
  for (let i = 0; i < prices.length; i += size) parts.push(prices.slice(i, i + size))
  partsCache.set(prices, { size, parts })
  return parts
}

export class SubscriberQueue {
  /** Waiting prices as the arrays they came in: clients with the same filter share them (and their serialization). */
  private chunks: (readonly StreamPrice[])[] = []
  private queued = 0
  private latest: Map<string, StreamPrice> | null = null
  private skipped = 0
  private sent: Position
  private passedOver: Position
  private wake: (() => void) | null = null
  private closed = false
  /** Called whenever there may be something new to take (a push, or the queue closing). */
  onReady: (() => void) | null = null

  constructor(
    start: Cursor | Position,
    private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS,
  ) {
    this.sent = start instanceof Position ? start : Position.of(start)
    this.passedOver = this.sent
  }

  get isClosed(): boolean {
    return this.closed
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
      if (prices.length <= this.limits.maxEventPrices) this.chunks.push(prices)
      else for (const part of partsOf(prices, this.limits.maxEventPrices)) this.chunks.push(part)
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

  /** Records that the fan-out got as far as `to` (a shared last-offsets map) even if the filter left those prices out. */
  pass(to: ReadonlyMap<number, number>): void {
    this.passedOver = this.passedOver.advancedBy(to)
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
    const prices = this.chunks.shift()
    if (!prices) return null
    this.queued -= prices.length
    return { id: this.idAfter(prices), type: 'prices', prices }
  }

  /** Drops everything waiting and continues from `cursor` (after a reset: the client reloads its snapshot). */
  restart(cursor: Cursor): void {
    this.chunks = []
    this.queued = 0
    this.latest = null
    this.skipped = 0
    this.sent = this.sent.advancedBy(cursor)
    this.passedOver = this.passedOver.advancedBy(cursor)
  }

  /** The cursor of everything sent so far (a reset event's id). */
  get position(): string {
    return this.sent.text
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
    this.sent = this.sent.advancedBy(lastOffsets(prices))
    if (this.size === 0) this.sent = this.sent.advancedBy(this.passedOver.offsets)
    return this.sent.text
  }

  private notify(): void {
    this.wake?.()
    this.onReady?.()
  }
}
