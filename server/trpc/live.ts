import { tracked, type TrackedEnvelope } from '@trpc/server'
import { AppError } from '../errors.ts'
import type { Principal } from '../services/auth/types.ts'
import { END_REASON_TEXT, type StreamEndReason } from '../services/stream/guard.ts'
import { getPriceFanout, type LiveInput } from '../services/stream/index.ts'
import { openLiveStream, type LiveStream } from '../services/stream/live.ts'
import type { LiveEvent } from '../services/stream/schemas.ts'
import { auditScope, toTRPCError, type Context } from './trpc.ts'

/**
 * The resolver of `prices.live`. It opens the stream eagerly, inside the procedure's middleware,
 * so a refusal at opening (a stream cap: TOO_MANY_REQUESTS naming the limit) is audited and
 * answered as the procedure's error like any other refusal. Then it yields each event as a
 * tracked envelope (the id is the resume cursor).
 *
 * When the server ends the stream, the last event is `{ type: 'end', reason }`. For
 * `max_lifetime` the subscription then simply finishes (server/http/trpc-live.ts closes the
 * connection without tRPC's `return`, so the client's EventSource reconnects with the last id and
 * resumes). When access is gone it is followed by an error (UNAUTHORIZED for a credential,
 * FORBIDDEN for an entitlement; message "Access ended: ...", details.reason), which the SDK raises
 * through onError and the hub shows, instead of reconnecting.
 */
// Symbol.for: the Remix build bundles its own copy of this module.
const LIVE_STREAM = Symbol.for('carbon.liveStream')

/**
 * The stream behind what prices.live returned, when it came from liveProcedure: the SSE handler
 * (server/http/trpc-live.ts) writes its events itself, once-serialized and pushed from the fan-out,
 * instead of pulling them one promise at a time through the generator. The generator stays what
 * any other caller of the procedure iterates.
 */
export function liveStreamOf(value: unknown): LiveStream | null {
  if (typeof value !== 'object' || value === null || !(LIVE_STREAM in value)) return null
  return (value as { [LIVE_STREAM]: LiveStream })[LIVE_STREAM]
}

export async function liveProcedure(
  ctx: Context & { principal: Principal },
  input: LiveInput,
  signal: AbortSignal | undefined,
): Promise<AsyncIterable<TrackedEnvelope<LiveEvent>>> {
  const channel = ctx.auth.channel
  const audit = {
    requestId: ctx.requestId,
    principal: ctx.principal,
    channel,
    procedure: 'prices.live',
    ...auditScope(input),
    clientAddress: ctx.client.address,
    userAgent: ctx.client.userAgent,
  }
  const stream = await openLiveStream(
    { platform: ctx.platform, fanout: getPriceFanout(), log: ctx.log },
    { principal: ctx.principal, channel, market: input.market, audit },
    input,
  )
  // Ends with the client: tRPC's signal, or the connection closing (see Context.connectionClosed).
  const gone = ctx.connectionClosed ? AbortSignal.any([signal ?? new AbortController().signal, ctx.connectionClosed]) : signal
  // Also when the generator is parked at a yield nobody pulls (or never started): detach now.
  gone?.addEventListener('abort', () => stream.close(), { once: true })
  const events = (async function* () {
    try {
      for await (const event of stream.subscription.events(gone)) {
        yield tracked(event.id, { type: event.type, prices: event.prices, skipped: event.skipped ?? 0, reason: event.reason ?? null })
      }
      const reason = stream.ended
      if (reason && reason !== 'max_lifetime') throw toTRPCError(accessEnded(reason))
    } finally {
      stream.close()
    }
  })()
  return Object.assign(events, { [LIVE_STREAM]: stream })
}

/** The error that follows the `end` event of a stream whose access is gone. */
export function accessEnded(reason: StreamEndReason): AppError {
  const code = reason === 'entitlement_removed' || reason === 'organization_changed' ? 'FORBIDDEN' : 'UNAUTHORIZED'
  return new AppError(code, `live stream ended: ${reason}`, {
    userMessage: `Access ended: ${END_REASON_TEXT[reason]} (${reason})`,
    details: { reason },
  })
}
