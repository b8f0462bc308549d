import { z } from 'zod'
import type { Bus, ReceivedMessage } from '../adapters/bus/index.ts'

/**
 * A job request on the bus (`curves.build`, `scenarios.run`): one JSON object naming the row to work
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
