import { z } from 'zod'
import type { Bus, ReceivedMessage, Subscription } from '../adapters/bus/index.ts'
import type { Logger } from '../logger.ts'

/**
 * A job request on the bus (`curves.build`, `scenarios.run`, `exports.run`, `reports.render`): one JSON object naming the row to work
 * on. Shared by the workers that take such requests: decoding against the request's schema, and
 * dead-lettering a request that cannot be worked on with the reason.
 */

/** The request, or why it is not one (`what` names the kind in the reason, e.g. "a build request"). */
export function decodeRequest<T>(message: ReceivedMessage, schema: z.ZodType<T>, what: string): T | { reason: string } {
  try {
    const parsed = schema.safeParse(JSON.parse(message.value.toString('utf8')))
    return parsed.success ? parsed.data : { reason: `not ${what}: ${z.prettifyError(parsed.error)}` }
  } catch (error) {
    return { reason: `not JSON: ${(error as Error).message}` }
  }
}

/** Publishes a request taken from `sourceTopic` to `deadLetterTopic` with the reason. */
export async function deadLetterRequest(
  bus: Bus,
  message: ReceivedMessage,
  topics: { sourceTopic: string; deadLetterTopic: string },
  reason: string,
): Promise<void> {
  await bus.publish(topics.deadLetterTopic, [
    {
      key: message.key,
      value: message.value,
      headers: { reason, 'source-topic': topics.sourceTopic, 'source-offset': String(message.offset), 'failed-at': new Date().toISOString() },
    },
  ])
}

const JobMessage = z.object({ id: z.uuid() })

/**
 * Subscribes a worker to a topic of job requests (`{id}` naming a row: scenario runs, exports,
 * report renderings), one request per batch (a job may take minutes; the commit follows each).
 * A request that is not one, or names no row (`execute` returns null), goes to `deadLetterTopic`
 * with the reason; `what` names the kind in reasons and logs ("a scenario run", "an export").
 */
export function subscribeJobRequests(options: {
  bus: Bus
  log: Logger
  topic: string
  deadLetterTopic: string
  groupId: string
  what: string
  /** Works on the row; null when there is no such row. */
  execute(id: string): Promise<unknown>
  /** The dead letter's reason for an id that names no row. */
  unknown(id: string): string
}): Promise<Subscription> {
  const { bus, log, topic, deadLetterTopic, what } = options
  const topics = { sourceTopic: topic, deadLetterTopic }
  return bus.subscribe({
    topic,
    groupId: options.groupId,
    fromBeginning: true,
    maxBatchSize: 1,
    deadLetterTopic,
    handler: async (batch) => {
      for (const message of batch.messages) {
        const decoded = decodeRequest(message, JobMessage, `${what} request`)
        if ('reason' in decoded) {
          log.warn({ offset: message.offset, reason: decoded.reason }, `${what} request dead-lettered`)
          await deadLetterRequest(bus, message, topics, decoded.reason)
          continue
        }
        if ((await options.execute(decoded.id)) === null) {
          log.warn({ offset: message.offset, id: decoded.id }, `${what} request for an unknown id dead-lettered`)
          await deadLetterRequest(bus, message, topics, options.unknown(decoded.id))
        }
      }
    },
  })
}
