import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { withSpan } from '../../tracing.ts'
import { createInProcessBus } from './in-process.ts'
import { publishTraced } from './tracing.ts'
import type { Batch, Bus, BusMessage } from './types.ts'

/*
 * The bus's spans and trace headers on the in-process bus (the Kafka adapter shares the code; its
 * crossing of a real Kafka-protocol broker is tracing.int.test.ts). Spans go to an in-memory
 * exporter through the real SDK.
 */

async function until<T>(find: () => T | undefined): Promise<T> {
  for (;;) {
    const found = find()
    if (found !== undefined) return found
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('tracing off', () => {
  it('passes the very same messages on and adds no header', async () => {
    const messages: BusMessage[] = [{ key: 'k', value: 'v' }]
    let sent: BusMessage[] | undefined
    await publishTraced('in-process', 'off.topic', messages, async (stamped) => {
      sent = stamped
    })
    expect(sent).toBe(messages)
    expect(messages[0]!.headers).toBeUndefined()
  })
})

describe('tracing on (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter()
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  let bus: Bus

  beforeAll(() => {
    provider.register({ propagator: new W3CTraceContextPropagator() })
    bus = createInProcessBus({ maxRetries: 1 })
  })
  afterEach(() => exporter.reset())
  afterAll(async () => {
    await bus.close()
    await provider.shutdown()
    trace.disable()
    propagation.disable()
    context.disable()
  })

  const spans = () => exporter.getFinishedSpans()
  const named = (name: string) => spans().filter((s) => s.name === name)
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

  it('publish is a PRODUCER span under the caller; the handler runs in a CONSUMER span parented by the message headers', async () => {
    const received: Batch[] = []
    const sub = await bus.subscribe({
      topic: 'traced.one',
      groupId: 'g1',
      handler: async (batch) => {
        received.push(batch)
        await withSpan('handler work', {}, async () => {})
      },
    })
    await withSpan('request', {}, () => bus.publish('traced.one', [{ key: 'build-1', value: '{}' }]))
    const work = await until(() => named('handler work')[0])
    await sub.stop()

    const request = named('request')[0]!
    const publish = named('publish traced.one')[0]!
    const process = named('process traced.one')[0]!
    expect(publish.kind).toBe(SpanKind.PRODUCER)
    expect(parentOf(publish)).toBe(request.spanContext().spanId)
    expect(publish.attributes).toMatchObject({ 'messaging.system': 'in-process', 'messaging.destination.name': 'traced.one', 'messaging.operation.type': 'send' })
    expect(received[0]!.messages[0]!.headers.traceparent).toBe(`00-${publish.spanContext().traceId}-${publish.spanContext().spanId}-01`)

    expect(process.kind).toBe(SpanKind.CONSUMER)
    expect(process.spanContext().traceId).toBe(request.spanContext().traceId)
    expect(parentOf(process)).toBe(publish.spanContext().spanId)
    expect(process.attributes).toMatchObject({
      'messaging.system': 'in-process',
      'messaging.destination.name': 'traced.one',
      'messaging.destination.partition.id': '0',
      'messaging.consumer.group.name': 'g1',
      'messaging.kafka.offset': Number(received[0]!.messages[0]!.offset),
      'carbon.bus.attempt': 1,
    })
    expect(parentOf(work)).toBe(process.spanContext().spanId)
  })

  it("replaces a traceparent and tracestate the caller set with the publishing span's", async () => {
    const received: Batch[] = []
    const sub = await bus.subscribe({ topic: 'traced.replace', groupId: 'g', handler: async (batch) => void received.push(batch) })
    const stale = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    await withSpan('request', {}, () => bus.publish('traced.replace', [{ key: 'k', value: 'v', headers: { traceparent: stale, tracestate: 'old=1', origin: 'kept' } }]))
    await until(() => received[0])
    await sub.stop()
    const publish = named('publish traced.replace')[0]!
    expect(received[0]!.messages[0]!.headers).toEqual({ origin: 'kept', traceparent: `00-${publish.spanContext().traceId}-${publish.spanContext().spanId}-01` })
  })

  it('records a failed attempt on its CONSUMER span; the retry is a span of its own', async () => {
    let calls = 0
    const sub = await bus.subscribe({
      topic: 'traced.retry',
      groupId: 'g',
      handler: async () => {
        if (++calls === 1) throw new Error('first attempt fails')
      },
    })
    await withSpan('request', {}, () => bus.publish('traced.retry', [{ key: 'k', value: 'v' }]))
    await until(() => (named('process traced.retry').length === 2 ? true : undefined))
    await sub.stop()
    const [first, second] = named('process traced.retry').sort((a, b) => Number(a.attributes['carbon.bus.attempt']) - Number(b.attributes['carbon.bus.attempt']))
    expect(first!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'first attempt fails' })
    expect(first!.events.map((e) => e.name)).toContain('exception')
    expect(second!.status.code).toBe(SpanStatusCode.UNSET)
    expect(second!.attributes['carbon.bus.attempt']).toBe(2)
    const publish = named('publish traced.retry')[0]!
    expect([parentOf(first!), parentOf(second!)]).toEqual([publish.spanContext().spanId, publish.spanContext().spanId])
  })

  it('a batch of messages from different traces is one root CONSUMER span linked to each', async () => {
    await withSpan('request A', {}, () => bus.publish('traced.mixed', [{ key: 'a', value: '1' }]))
    await withSpan('request B', {}, () => bus.publish('traced.mixed', [{ key: 'b', value: '2' }]))
    // Subscribed after both: the first batch holds the two messages.
    const sizes: number[] = []
    const sub = await bus.subscribe({ topic: 'traced.mixed', groupId: 'g', fromBeginning: true, handler: async (batch) => void sizes.push(batch.messages.length) })
    const process = await until(() => named('process traced.mixed')[0])
    await sub.stop()
    expect(sizes).toEqual([2])
    expect(process.parentSpanContext).toBeUndefined()
    const publishes = named('publish traced.mixed').map((s) => s.spanContext().spanId)
    expect(process.links.map((l) => l.context.spanId).sort()).toEqual(publishes.sort())
    expect(process.attributes['messaging.batch.message_count']).toBe(2)
  })

  it("publishes a dead letter in the failed message's trace", async () => {
    const sub = await bus.subscribe({
      topic: 'traced.poison',
      groupId: 'g',
      maxRetries: 0,
      handler: async () => {
        throw new Error('never works')
      },
    })
    await withSpan('request', {}, () => bus.publish('traced.poison', [{ key: 'k', value: 'v' }]))
    const letter = await until(() => named('publish traced.poison.dlq')[0])
    await sub.stop()
    const publish = named('publish traced.poison')[0]!
    expect(letter.spanContext().traceId).toBe(publish.spanContext().traceId)
    expect(parentOf(letter)).toBe(publish.spanContext().spanId)
  })
})
