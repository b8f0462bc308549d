import { context, propagation, SpanKind, trace } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startKafkaMock, type KafkaMock } from '../../../tests/setup/kafka-mock.ts'
import { withSpan } from '../../tracing.ts'
import { createKafkaBus } from './kafka.ts'
import type { Batch, Bus } from './types.ts'

/*
 * The trace context crosses a real Kafka-protocol broker (librdkafka's mock cluster, via kcat):
 * the PRODUCER span's traceparent travels in the record headers and the CONSUMER span on the
 * other side is its child, with the handler's own spans under it.
 */
const exporter = new InMemorySpanExporter()
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
let mock: KafkaMock
let bus: Bus

beforeAll(async () => {
  provider.register({ propagator: new W3CTraceContextPropagator() })
  mock = await startKafkaMock()
  bus = createKafkaBus({ brokers: mock.brokers, clientId: 'tracing-test', consumer: { sessionTimeout: 3_000, maxWaitTimeInMs: 100 } })
})
afterAll(async () => {
  await bus?.close()
  await mock?.stop()
  await provider.shutdown()
  trace.disable()
  propagation.disable()
  context.disable()
})

it('carries traceparent through Kafka: the CONSUMER span is the child of the PRODUCER span', async () => {
  const topic = `traced.kafka.${Date.now()}`
  const received: Batch[] = []
  let handled: () => void = () => {}
  const done = new Promise<void>((resolve) => (handled = resolve))
  const sub = await bus.subscribe({
    topic,
    groupId: 'tracing-test',
    fromBeginning: true,
    handler: async (batch) => {
      received.push(batch)
      await withSpan('solve', {}, async () => {})
      handled()
    },
  })
  await withSpan('HTTP POST /api/v1/curves/build', {}, () => bus.publish(topic, [{ key: 'build-1', value: '{"id":"build-1"}', headers: { origin: 'test' } }]))
  await done
  await sub.stop()

  const spans = exporter.getFinishedSpans()
  const request = spans.find((s) => s.name === 'HTTP POST /api/v1/curves/build')!
  const publish = spans.find((s) => s.name === `publish ${topic}`)!
  const process = spans.find((s) => s.name === `process ${topic}`)!
  const solve = spans.find((s) => s.name === 'solve')!
  const traceId = request.spanContext().traceId

  const headers = received[0]!.messages[0]!.headers
  expect(headers).toEqual({ origin: 'test', traceparent: `00-${traceId}-${publish.spanContext().spanId}-01` })
  expect(publish).toMatchObject({ kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic } })
  expect(publish.parentSpanContext?.spanId).toBe(request.spanContext().spanId)
  expect(process.kind).toBe(SpanKind.CONSUMER)
  expect(process.spanContext().traceId).toBe(traceId)
  expect(process.parentSpanContext?.spanId).toBe(publish.spanContext().spanId)
  // The parent came over the wire: it is remote to the consumer.
  expect(process.parentSpanContext?.isRemote).toBe(true)
  expect(process.attributes).toMatchObject({
    'messaging.system': 'kafka',
    'messaging.destination.partition.id': String(received[0]!.partition),
    'messaging.kafka.offset': Number(received[0]!.messages[0]!.offset),
    'messaging.consumer.group.name': 'tracing-test',
  })
  expect(solve.parentSpanContext?.spanId).toBe(process.spanContext().spanId)
})
