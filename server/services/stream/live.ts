import { TOPICS } from '../../adapters/bus/index.ts'
import type { Logger } from '../../logger.ts'
import type { Platform } from '../../platform.ts'
import { PRICES_CONSUMER_GROUP } from '../../workers/prices-consumer.ts'
import { parseCursor } from './cursor.ts'
import type { PriceFanout } from './fanout.ts'
import { streamGuard, type StreamEndReason, type StreamHolder, type StreamLease } from './guard.ts'
import type { LiveInput } from './index.ts'
import { resolveFilter } from './index.ts'
import type { QueueLimits } from './queue.ts'
import { openStreamSubscription, type StreamSubscription } from './subscription.ts'

/**
 * One admitted live stream, the same for both transports (REST SSE and tRPC `prices.live`): a slot
 * from the process's StreamGuard (caps, lifetime, access re-checked while open) and the
 * subscription; when the guard ends the stream, the subscription yields its final `end` event.
 */
export type LiveStream = {
  subscription: StreamSubscription
  /** Why the server ended the stream, null while it runs (or when the client went). */
  readonly ended: StreamEndReason | null
  /** Resolves when the server ends the stream (never, when the client goes first). */
  readonly whenEnded: Promise<StreamEndReason>
  /** Closes the subscription and frees the slot (idempotent); every transport calls it when done. */
  close(): void
}

export type LiveStreamDeps = { platform: Platform; fanout: PriceFanout; log: Logger; limits?: QueueLimits }

/**
 * Opens a live stream for an already authorized holder (`holder.audit` is what its audit row
 * recorded). Throws TOO_MANY_REQUESTS past a stream cap (before anything is opened), BAD_REQUEST
 * for a cursor or filter that cannot be used.
 */
export async function openLiveStream(deps: LiveStreamDeps, holder: StreamHolder, input: LiveInput): Promise<LiveStream> {
  const { platform } = deps
  const guard = streamGuard(platform.pg.db, platform.env, platform.log)
  let subscription: StreamSubscription | null = null
  let endedWith: (reason: StreamEndReason) => void = () => {}
  const whenEnded = new Promise<StreamEndReason>((resolve) => (endedWith = resolve))
  const lease: StreamLease = guard.admit(holder, (reason) => {
    subscription?.end(reason)
    endedWith(reason)
  })
  try {
    const cursor = input.lastEventId ? parseCursor(input.lastEventId) : null
    const filter = await resolveFilter(platform.pg.db, input)
    subscription = await openStreamSubscription(
      { fanout: deps.fanout, ch: platform.ch, log: deps.log, consumerLag: () => platform.bus.lag(TOPICS.pricesNormalized, PRICES_CONSUMER_GROUP) },
      { filter, cursor },
      { limits: deps.limits },
    )
  } catch (error) {
    lease.release()
    throw error
  }
  // Ended while the subscription was opening (a resume can take a while): end it now.
  if (lease.ended) subscription.end(lease.ended)
  const opened = subscription
  return {
    subscription: opened,
    get ended() {
      return lease.ended
    },
    whenEnded,
    close() {
      opened.close()
      lease.release()
    },
  }
}
