import { PriceRecord } from '@carbon/schemas'
import type { TrackedEnvelope } from '@trpc/server'
import { z } from 'zod'

/** A price of the live stream: the canonical record, when the ingest published it and when this server received it. */
export const StreamPriceSchema = PriceRecord.extend({
  ingestedAt: z.iso.datetime().nullable(),
  receivedAt: z.iso.datetime(),
  partition: z.number().int(),
  offset: z.number().int(),
})

/** One event of `prices.live` (its id, the resume cursor, travels as the SSE id). */
export const LiveEventOutput = z.object({
  type: z.enum(['prices', 'skipped', 'reset', 'end']),
  prices: z.array(StreamPriceSchema).readonly(),
  skipped: z.number().int().min(0).describe('updates dropped because the client fell behind (type skipped)'),
  reason: z
    .string()
    .nullable()
    .describe(
      'why the client must reload its snapshot (type reset), or why the server ended the stream (type end: token_revoked, token_expired, ' +
        'user_disabled, session_ended, organization_changed, entitlement_removed, or max_lifetime: reconnect with this event id to continue)',
    ),
})
export type LiveEvent = z.infer<typeof LiveEventOutput>

/**
 * The output of `prices.live`: an async iterable of tracked events (tRPC's SSE id + data). Typed,
 * not re-validated per event: every event is built from records the fan-out validated, and a
 * per-client parse of every price would cost more than the fan-out itself.
 */
export const LiveEventsOutput = z.custom<AsyncIterable<TrackedEnvelope<LiveEvent>>>(
  (value) => typeof value === 'object' && value !== null && Symbol.asyncIterator in value,
  'an async iterable of live events',
)
