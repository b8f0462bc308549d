import type { Logger } from 'pino'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { observeStreamSend, trackStreamSubscriber } from '../../metrics.ts'
import { advance, formatCursor, isAfter, NO_POSITION, type Cursor } from './cursor.ts'
import type { PriceFanout } from './fanout.ts'
import { DEFAULT_QUEUE_LIMITS, lastOffsets, SubscriberQueue, type QueueLimits } from './queue.ts'
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

/**
 * Where a subscription can write its events itself (a client connection): the push alternative to
 * events(). `write` returns false when the connection takes no more for now; the subscription then
 * keeps (and if need be coalesces) what follows in its queue until `onDrain` calls back.
 */
export type EventSink = {
  write(event: StreamEvent): boolean
  /** Calls `resume` once, when the connection can take more. */
  onDrain(resume: () => void): void
}

export type StreamSubscription = {
  /** Events until the client goes (abort) or the subscription is closed. */
  events(signal?: AbortSignal): AsyncGenerator<StreamEvent>
  /**
   * Writes the events to `sink` as they come, synchronously from the fan-out while the sink takes
   * them (no promise, generator or copy per event), until the subscription is closed or, after the
   * server ended it, its `end` event is written. Resolves with how many events were written. Use
   * either this or events(), not both.
   */
  deliver(sink: EventSink): Promise<number>
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
  const resuming = cursor !== null && cursor.size > 0
  // A fresh stream starts where the fan-out is now (the client has its snapshot up to here), so
  // even an end before its first price has an id to resume from. The fan-out's shared position
  // (read in the same synchronous step as the attach below): streams opened together share ids.
  const queue = new SubscriberQueue(resuming ? cursor : deps.fanout.position(), options.limits ?? DEFAULT_QUEUE_LIMITS)
  let early: (readonly StreamPrice[])[] | null = resuming ? [] : null
  // Metrics: prices that reached this subscription before it opened count from here (see metrics.ts).
  const openedAt = Date.now()
  const untrack = trackStreamSubscriber(() => queue.size)

  // Push delivery (deliver()): whether the client's connection is full now; null when events() is used.
  let sinkFull: boolean | null = null
  const { recent, detach } = deps.fanout.attach((prices) => {
    const chosen = filtered(prices, filter, key)
    // Handed on: written to the connection (push() below delivers it synchronously) unless it was full already.
    const handed = chosen.length === 0 || sinkFull === null ? undefined : !sinkFull
    // Passed first: when this batch's prices are taken, the id already covers the whole batch.
    queue.pass(lastOffsets(prices))
    if (early) early.push(chosen)
    else queue.push(chosen)
    return handed
  })

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
  const endEvent = (): StreamEvent => ({ id: queue.position || NO_POSITION, type: 'end', prices: [], reason: endReason ?? undefined })

  /**
   * Push delivery: writes what is ready to the sink now (called by the fan-out, inside its
   * time-sliced pass, and when the sink drains); stops at the first write the sink cannot take.
   */
  function deliverTo(sink: EventSink): Promise<number> {
    let written = 0
    let waiting = false
    sinkFull = false
    let pending: StreamEvent | null = reset
    reset = null
    let finish: () => void = () => {}
    const finished = new Promise<number>((resolve) => (finish = () => resolve(written)))
    const write = (event: StreamEvent): boolean => {
      written++
      if (sink.write(event)) return true
      waiting = sinkFull = true
      sink.onDrain(() => {
        waiting = sinkFull = false
        flush()
      })
      return false
    }
    let endWritten = false
    const flush = (): void => {
      if (closed) return finish()
      if (waiting) return
      if (pending) {
        const first = pending
        pending = null
        if (!write(first)) return
      }
      // Once closed, what waits is dropped (as for events()).
      for (let event = queue.isClosed ? null : queue.take(); event; event = queue.isClosed ? null : queue.take()) {
        observeStreamSend(event, openedAt)
        if (!write(event)) return
      }
      if (!queue.isClosed) return
      // Ended by the server: the last event, and done once the connection took it.
      if (endReason !== null && !endWritten) {
        endWritten = true
        if (!write(endEvent())) return
      }
      finish()
    }
    queue.onReady = flush
    flush()
    return finished.finally(() => {
      queue.onReady = null
      detach()
      queue.close()
      untrack()
    })
  }

  return {
    deliver: deliverTo,
    async *events(signal) {
      try {
        if (reset) yield reset
        for (;;) {
          const event = await queue.next(signal)
          if (!event) break
          observeStreamSend(event, openedAt)
          yield event
        }
        if (endReason !== null && !signal?.aborted) yield endEvent()
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
