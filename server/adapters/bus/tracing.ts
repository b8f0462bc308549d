import { context, propagation, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context, type Link } from '@opentelemetry/api'
import { extractContext, injectContext, recordFailure, tracer } from '../../tracing.ts'
import type { Batch, BusMessage, ReceivedMessage } from './types.ts'

/**
 * Tracing of the bus, the same for both adapters (OpenTelemetry messaging conventions):
 *
 * - publish: one PRODUCER span `publish <topic>` per `publish` call, child of the active context,
 *   and its W3C `traceparent` (+ `tracestate`) written into every message's headers. Our context
 *   REPLACES a `traceparent`/`tracestate` the caller passed: the header must name the span that
 *   really published the message (a dead letter or a replay carries the headers of an earlier hop,
 *   which would otherwise point the consumer at a stale parent). With tracing off nothing is
 *   injected and the messages are passed on untouched (the same objects).
 * - consume: one CONSUMER span `process <topic>` per handler call (every delivery attempt of a
 *   batch is its own span, `carbon.bus.attempt` 1, 2, ...), active while the handler runs so the
 *   handler's spans nest under it, failed when the handler throws. The handler takes a batch, so
 *   the span is per batch: when every message of the batch carries the same context (one message,
 *   or messages of one publish call) that context is the span's parent and the trace continues
 *   through the bus; otherwise the span is a root with a link to each distinct message context
 *   (at most MAX_LINKS), the messaging conventions' batch form.
 * - dead letters are published in the context of the message that failed, so the dead letter's
 *   PRODUCER span joins the message's trace.
 */
export type BusSystem = 'kafka' | 'in-process'

/** Links a batch span carries at most (the SDK's default link limit). */
export const MAX_LINKS = 128
const TRACEPARENT = 'traceparent'
const TRACESTATE = 'tracestate'

/** `send(messages)` inside a PRODUCER span, the messages stamped with the span's context. */
export async function publishTraced(system: BusSystem, topic: string, messages: BusMessage[], send: (messages: BusMessage[]) => Promise<void>): Promise<void> {
  const attributes: Attributes = {
    'messaging.system': system,
    'messaging.destination.name': topic,
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'publish',
  }
  if (messages.length > 1) attributes['messaging.batch.message_count'] = messages.length
  else if (messages[0]) attributes['messaging.message.key'] = messages[0].key
  const span = tracer().startSpan(`publish ${topic}`, { kind: SpanKind.PRODUCER, attributes })
  const active = trace.setSpan(context.active(), span)
  try {
    await context.with(active, () => send(stamp(messages, injectContext({}, active))))
  } catch (error) {
    recordFailure(span, error)
    throw error
  } finally {
    span.end()
  }
}

/** The messages with `carrier` as their trace headers; the same array when there is nothing to add. */
function stamp(messages: BusMessage[], carrier: Record<string, string>): BusMessage[] {
  if (Object.keys(carrier).length === 0) return messages
  return messages.map((message) => {
    const { [TRACEPARENT]: _parent, [TRACESTATE]: _state, ...rest } = message.headers ?? {}
    return { ...message, headers: { ...rest, ...carrier } }
  })
}

/** Calls `handle(batch)` inside a CONSUMER span (see the module comment for its parent and links). */
export async function handleTraced(
  system: BusSystem,
  consumer: { groupId: string; attempt: number },
  batch: Batch,
  handle: (batch: Batch) => Promise<void>,
): Promise<void> {
  const { messages } = batch
  const first = messages[0]
  const last = messages[messages.length - 1]
  const attributes: Attributes = {
    'messaging.system': system,
    'messaging.destination.name': batch.topic,
    'messaging.destination.partition.id': String(batch.partition),
    'messaging.consumer.group.name': consumer.groupId,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'carbon.bus.attempt': consumer.attempt,
  }
  if (first) attributes['messaging.kafka.offset'] = Number(first.offset)
  if (messages.length > 1 && last) {
    attributes['messaging.batch.message_count'] = messages.length
    attributes['carbon.bus.last_offset'] = Number(last.offset)
  } else if (first) attributes['messaging.message.key'] = first.key
  const { parent, links } = batchParent(messages)
  const span = tracer().startSpan(`process ${batch.topic}`, { kind: SpanKind.CONSUMER, attributes, links }, parent)
  try {
    await context.with(trace.setSpan(parent, span), () => handle(batch))
  } catch (error) {
    recordFailure(span, error)
    throw error
  } finally {
    span.end()
  }
}

/** The consumer span's parent and links: see the module comment. */
export function batchParent(messages: readonly ReceivedMessage[]): { parent: Context; links: Link[] } {
  // Tracing off (the no-op propagator reads no field): skip the scan of every message's headers.
  if (propagation.fields().length === 0) return { parent: ROOT_CONTEXT, links: [] }
  let shared: string | undefined
  let uniform = true
  for (const message of messages) {
    const value = message.headers[TRACEPARENT]
    if (value === undefined) uniform = false
    else if (shared === undefined) shared = value
    else if (value !== shared) uniform = false
  }
  // Nothing carries a context (or tracing was off where they were published): a root span.
  if (shared === undefined) return { parent: ROOT_CONTEXT, links: [] }
  if (uniform) return { parent: extractContext(messages[0]!.headers), links: [] }
  const seen = new Set<string>()
  const links: Link[] = []
  for (const message of messages) {
    const value = message.headers[TRACEPARENT]
    if (value === undefined || seen.has(value)) continue
    seen.add(value)
    const linked = trace.getSpanContext(extractContext(message.headers))
    if (linked) links.push({ context: linked })
    if (links.length >= MAX_LINKS) break
  }
  return { parent: ROOT_CONTEXT, links }
}

/** Runs `fn` in the context `message` carries (dead letters: their publish joins the message's trace). */
export function inMessageContext<T>(message: Pick<ReceivedMessage, 'headers'>, fn: () => Promise<T>): Promise<T> {
  if (message.headers[TRACEPARENT] === undefined) return fn()
  return context.with(extractContext(message.headers), fn)
}
