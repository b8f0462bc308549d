import type { Logger } from 'pino'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { observeStreamSend, trackStreamSubscriber } from '../../metrics.ts'
import { advance, formatCursor, isAfter, NO_POSITION, type Cursor } from './cursor.ts'
import type { PriceFanout } from './fanout.ts'
import { DEFAULT_QUEUE_LIMITS, SubscriberQueue, type QueueLimits } from './queue.ts'
import { replayFromStore, storedUntil } from './replay.ts'
import { matches, type StreamEvent, type StreamFilter, type StreamPrice } from './types.ts'

/**
 * One client's live price subscription: what it missed since its cursor (the Last-Event-ID it
 * reconnected with), then every new price its filter accepts, through a bounded queue.
 *
 * Resume without gap or duplicate: the listener is attached and the fan-out's ring read in one
 * synchronous step, so every price is either in that ring snapshot or reaches the listener
 * afterwards (buffered while the replay runs). What came before the ring comes from the store,
 * once the consumer has stored up to the ring's first offset (the consumer stores each partition
 * in order). The three sources are merged by partition and offset, each price after the cursor
 * once. If the store does not catch up within `catchUpMs`, or more than `maxReplay` prices were
 * missed, the client gets a `reset` event (reload your snapshot) instead of a silent gap.
 */
export type SubscriptionDeps = {
  fanout: PriceFanout
  ch: ClickHouseHandle
  log: Logger
  /**
   * The prices consumer's lag (messages it has not stored; null: unknown). Used when resuming a
   * partition the ring holds nothing of yet (a fresh web process): the store is complete only once
   * the consumer has caught up with what was published before this process started.
   */
  consumerLag?: () => Promise<number | null>
}

export type SubscriptionOptions = { limits?: QueueLimits; maxReplay?: number; catchUpMs?: number }

export type StreamSubscription = {
  /** Events until the client goes (abort) or the subscription is closed. */
  events(signal?: AbortSignal): AsyncGenerator<StreamEvent>
  /** Prices waiting for this client now. */
  readonly queued: number
  /**
   * Ends the stream for `reason` (see guard.ts): what waits is dropped and events() yields one
   * last `end` event (its id: what was sent, so a reconnect resumes there), then finishes.
   */
  end(reason: string): void
  close(): void
}

export const MAX_REPLAY = 50_000
const CATCH_UP_MS = 10_000

/** Filtered batches, per filter, shared by every subscriber with the same filter. */
const filteredCache = new WeakMap<readonly StreamPrice[], Map<string, readonly StreamPrice[]>>()

export function filterKey(filter: StreamFilter): string {
  const runs = filter.runs ? [...filter.runs].sort().join(',') : '*'
  const nodes = filter.nodes ? [...filter.nodes].sort().join(',') : '*'
  return `${filter.market}|${runs}|${nodes}`
}

function filtered(prices: readonly StreamPrice[], filter: StreamFilter, key: string): readonly StreamPrice[] {
  let byFilter = filteredCache.get(prices)
  if (!byFilter) filteredCache.set(prices, (byFilter = new Map()))
  let chosen = byFilter.get(key)
  if (!chosen) byFilter.set(key, (chosen = prices.filter((p) => matches(filter, p))))
  return chosen
}

async function waitForStore(
  ch: ClickHouseHandle,
  needed: ReadonlyMap<number, number>,
  timeoutMs: number,
  consumerLag: (() => Promise<number | null>) | null,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  if (consumerLag) {
    let lag = await consumerLag()
    while (lag !== null && lag > 0) {
      if (Date.now() > deadline) return false
      await new Promise((resolve) => setTimeout(resolve, 100))
      lag = await consumerLag()
    }
  }
  for (const [partition, offset] of needed) {
    while ((await storedUntil(ch, partition)) < offset) {
      if (Date.now() > deadline) return false
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return true
}

export async function openStreamSubscription(
  deps: SubscriptionDeps,
  request: { filter: StreamFilter; cursor: Cursor | null },
  options: SubscriptionOptions = {},
): Promise<StreamSubscription> {
  const { filter, cursor } = request
  const key = filterKey(filter)
  const queue = new SubscriberQueue(cursor ?? new Map(), options.limits ?? DEFAULT_QUEUE_LIMITS)
  const resuming = cursor !== null && cursor.size > 0
  let early: (readonly StreamPrice[])[] | null = resuming ? [] : null
  // Metrics: prices that reached this subscription before it opened count from here (see metrics.ts).
  const openedAt = Date.now()
  const untrack = trackStreamSubscriber(() => queue.size)

  const { recent, detach } = deps.fanout.attach((prices) => {
    const chosen = filtered(prices, filter, key)
    if (early) early.push(chosen)
    else queue.push(chosen)
    const last = prices[prices.length - 1]
    if (last) queue.pass(last)
  })
  // A fresh stream starts where the fan-out is now (the client has its snapshot up to here), so
  // even an end before its first price has an id to resume from.
  if (!resuming) queue.restart(deps.fanout.head())

  let reset: StreamEvent | null = null
  if (resuming) {
    try {
      reset = await replay(cursor, recent)
    } catch (error) {
      detach()
      untrack()
      throw error
    }
  }

  async function replay(from: Cursor, ring: readonly StreamPrice[]): Promise<StreamEvent | null> {
    const until = new Map<number, number>()
    for (const partition of from.keys()) {
      const start = deps.fanout.ringStart(partition)
      if (start !== undefined) until.set(partition, start)
    }
    const needed = new Map([...until].filter(([partition, start]) => start > (from.get(partition) ?? -1) + 1))
    // A partition of the cursor the ring knows nothing of: what was published before this process
    // started reaches the client only from the store, complete once the consumer has caught up.
    const unseen = [...from.keys()].some((partition) => !until.has(partition))
    const caughtUp = await waitForStore(deps.ch, needed, options.catchUpMs ?? CATCH_UP_MS, unseen ? (deps.consumerLag ?? null) : null)
    const stored = caughtUp ? await replayFromStore(deps.ch, filter, from, until, options.maxReplay ?? MAX_REPLAY) : null
    const position = new Map(from)
    const emit = (prices: readonly StreamPrice[]) => {
      const fresh = prices.filter((p) => isAfter(position, p.partition, p.offset))
      for (const p of fresh) advance(position, p.partition, p.offset)
      queue.push(fresh)
    }
    const buffered = early ?? []
    early = null
    if (!stored || stored.truncated) {
      // Too much missed, or the store is behind: tell the client to reload rather than leave a gap.
      const reason = stored ? `more than ${options.maxReplay ?? MAX_REPLAY} prices were missed` : 'the price store has not caught up yet'
      deps.log.warn({ cursor: formatCursor(from), reason }, 'stream resume refused: client told to reload')
      // Live from here: what the fan-out has seen so far is in the snapshot the client reloads.
      queue.restart(deps.fanout.head())
      return { id: queue.position, type: 'reset', prices: [], reason }
    }
    emit(stored.prices)
    emit(ring.filter((p) => matches(filter, p)))
    for (const chunk of buffered) emit(chunk)
    return null
  }

  let closed = false
  let endReason: string | null = null
  return {
    async *events(signal) {
      try {
        if (reset) yield reset
        for (;;) {
          const event = await queue.next(signal)
          if (!event) break
          observeStreamSend(event, openedAt)
          yield event
        }
        if (endReason !== null && !signal?.aborted) yield { id: queue.position || NO_POSITION, type: 'end', prices: [], reason: endReason }
      } finally {
        detach()
        queue.close()
        untrack()
      }
    },
    get queued() {
      return queue.size
    },
    end(reason) {
      if (closed || endReason !== null) return
      endReason = reason
      queue.close()
    },
    close() {
      if (closed) return
      closed = true
      detach()
      queue.close()
      untrack()
    },
  }
}
