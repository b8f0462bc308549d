import {
  CompressionTypes,
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs'
import type { Logger } from 'pino'
import { AppError } from '../../errors.ts'
import { assertMaxRetries, assertMessages, assertTopic, closedError, deliverChunk, recordDeadLetters, silentLogger, sleep, subscribeDefaults } from './shared.ts'
import { publishTraced } from './tracing.ts'
import { DEFAULT_MAX_RETRIES, type Bus, type BusMessage, type DeadLetterSink, type ReceivedMessage, type SubscribeOptions, type Subscription } from './types.ts'

/**
 * The production bus on kafkajs 2.2.4, with the semantics documented in types.ts.
 *
 * Producer: acks -1 (all in-sync replicas), gzip, keys as given so the default (murmur2, Java
 * compatible) partitioner keeps every key on one partition, and at most one request in flight per
 * broker so a retried request cannot overtake a later one (kafkajs' idempotent producer is not
 * used: it is experimental in 2.2.4). A retry after a lost acknowledgement can duplicate a message:
 * at-least-once, consumers are idempotent.
 *
 * Consumer: one kafkajs consumer per subscription, `eachBatch` with `autoCommit: false` and
 * `eachBatchAutoResolve: false`. kafkajs fetches a partition from its last *resolved* offset, so:
 * the fetched batch is cut into chunks of maxBatchSize; after the handler resolves a chunk, its last
 * offset is resolved and committed explicitly (OffsetCommit to the group coordinator) before the
 * next chunk is delivered. A throwing handler gets the same chunk again after a backoff (heartbeats
 * continue meanwhile); nothing is resolved or committed, so a stop, crash or rebalance hands the
 * partition to the next owner at the committed offset. Partitions are processed one batch at a
 * time (partitionsConsumedConcurrently 1): one in-flight batch per subscription.
 *
 * A handler must finish within the session timeout (default 30 s) or the member is evicted and the
 * batch is delivered again elsewhere; heartbeats are sent between chunks and during backoffs only.
 *
 * Topics are NOT created here (no createTopics call; the test broker cannot do it either): in
 * production the chart/operations create them with their partition counts and replication; a
 * broker with auto.create.topics.enable creates missing ones on first use with its defaults.
 */
export type KafkaBusOptions = {
  brokers: string[]
  clientId: string
  log?: Logger
  consumer?: {
    /** Default 30,000 ms. Tests against the mock use 3,000. */
    sessionTimeout?: number
    /** Default a third of sessionTimeout, at most 3,000 ms. */
    heartbeatInterval?: number
    /** Default 60,000 ms. */
    rebalanceTimeout?: number
    /** Longest a fetch waits on the broker for data (default 5,000 ms; tests use 100). */
    maxWaitTimeInMs?: number
  }
  /** Retries of a failing message before it is dead-lettered, for subscriptions that set none (default 5). */
  maxRetries?: number
  /** Stores messages published to `*.dlq` topics before they are sent (the platform: PostgreSQL). */
  deadLetters?: DeadLetterSink
}

/** Messages per produce request; a larger publish is sent as several requests, in order. */
const PUBLISH_CHUNK = 1_000

/**
 * Joining a group is tried this often when the broker refuses it with an error code kafkajs does
 * not restart on. The librdkafka mock cluster does so when the leader's SyncGroup completes the
 * generation before a follower's arrives (INVALID_REQUEST); a real broker can refuse a join while
 * its coordinator moves. A connection failure is not retried here.
 */
const JOIN_ATTEMPTS = 3
const JOIN_RETRY_MS = 500

function isBrokerRefusal(error: unknown): boolean {
  for (let e = error as { name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'KafkaJSProtocolError') return true
  }
  return false
}

export function createKafkaBus(options: KafkaBusOptions): Bus {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw new AppError('INTERNAL', 'createKafkaBus: at least one broker (host:port) is required')
  }
  const log = (options.log ?? silentLogger()).child({ component: 'bus', bus: 'kafka' })
  const busMaxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
  assertMaxRetries('maxRetries', busMaxRetries)
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: kafkaLevelFor(log),
    logCreator: pinoLogCreator(log),
  })
  const sessionTimeout = options.consumer?.sessionTimeout ?? 30_000
  const heartbeatInterval = options.consumer?.heartbeatInterval ?? Math.min(3_000, Math.floor(sessionTimeout / 3))

  let producer: Promise<Producer> | undefined
  const subscriptions = new Set<Subscription>()
  let closed = false
  let closing: Promise<void> | undefined

  function connectedProducer(): Promise<Producer> {
    producer ??= (async () => {
      const p = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1 })
      try {
        await p.connect()
      } catch (error) {
        producer = undefined
        throw error
      }
      return p
    })()
    return producer
  }

  const bus: Bus = {
    kind: 'kafka',

    async lag(topic: string, groupId: string) {
      assertTopic(topic)
      const admin = kafka.admin()
      try {
        await admin.connect()
        const ends = await admin.fetchTopicOffsets(topic)
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
        const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]))
        let behind = 0
        for (const end of ends) {
          const done = at.get(end.partition) ?? -1
          behind += Number(end.high) - (done < 0 ? Number(end.low) : done)
        }
        return behind
      } catch (error) {
        log.warn({ err: error, topic, groupId }, 'could not read consumer lag')
        return null
      } finally {
        await admin.disconnect().catch(() => {})
      }
    },

    async publish(topic: string, messages: BusMessage[]) {
      if (closed) throw closedError()
      assertTopic(topic)
      assertMessages(topic, messages)
      if (messages.length === 0) return
      // A PRODUCER span; every message carries its traceparent (tracing.ts).
      await publishTraced('kafka', topic, messages, async (stamped) => {
        await recordDeadLetters(options.deadLetters, topic, stamped)
        const p = await connectedProducer()
        for (let i = 0; i < stamped.length; i += PUBLISH_CHUNK) {
          await p.send({
            topic,
            acks: -1,
            compression: CompressionTypes.GZIP,
            messages: stamped.slice(i, i + PUBLISH_CHUNK).map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
          })
        }
      })
    },

    async subscribe(raw: SubscribeOptions): Promise<Subscription> {
      if (closed) throw closedError()
      const opts = subscribeDefaults(raw, busMaxRetries)
      for (let attempt = 1; ; attempt++) {
        try {
          return await joinOnce(opts)
        } catch (error) {
          if (closed || attempt >= JOIN_ATTEMPTS || !isBrokerRefusal(error)) throw error
          log.warn({ err: error, topic: opts.topic, groupId: opts.groupId, attempt }, 'the broker refused joining the group; trying again')
          await sleep(JOIN_RETRY_MS * attempt)
        }
      }
    },

    close() {
      closing ??= (async () => {
        closed = true
        await Promise.allSettled([...subscriptions].map((s) => s.stop()))
        const p = producer
        producer = undefined
        if (p) await (await p.catch(() => undefined))?.disconnect()
      })()
      return closing
    },
  }

  /** One consumer joining the group; resolves after its first fetch (see firstFetch). */
  async function joinOnce(opts: ReturnType<typeof subscribeDefaults>): Promise<Subscription> {
    const { topic, groupId, maxBatchSize } = opts
    const consumerLog = log.child({ topic, groupId })
    const consumer: Consumer = kafka.consumer({
      groupId,
      sessionTimeout,
      heartbeatInterval,
      rebalanceTimeout: options.consumer?.rebalanceTimeout,
      maxWaitTimeInMs: options.consumer?.maxWaitTimeInMs,
    })
    const abort = new AbortController()

    async function eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload) {
      const { partition } = batch
      for (let i = 0; i < batch.messages.length; i += maxBatchSize) {
        const chunk = batch.messages.slice(i, i + maxBatchSize)
        const last = chunk[chunk.length - 1]!.offset
        const commit = async (offset: string) => {
          resolveOffset(offset)
          const next = (BigInt(offset) + 1n).toString()
          await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] })
          await heartbeat()
        }
        const delivered = await deliverChunk({
          settings: opts,
          system: 'kafka',
          partition,
          messages: () => chunk.map(toReceived),
          publish: (to, messages) => bus.publish(to, messages),
          commit,
          // Heartbeat through the backoff so a long one does not get this member evicted.
          wait: async (delay) => {
            for (let waited = 0; waited < delay && !abort.signal.aborted; waited += heartbeatInterval) {
              await sleep(Math.min(heartbeatInterval, delay - waited), abort.signal)
              if (!abort.signal.aborted) await heartbeat()
            }
          },
          // Stopping or rebalanced away: leave the rest unresolved and uncommitted.
          stopped: () => !isRunning() || isStale() || abort.signal.aborted,
          log,
        })
        if (!delivered) return
        await commit(last)
      }
    }

    // Resolves after the first fetch: by then the group is joined and every assigned partition's
    // start offset is resolved, so "fromBeginning: false" means "published after subscribe".
    // Rejects if the consumer crashes for good before that.
    let crashedForGood: ((error: Error) => void) | undefined
    const firstFetch = new Promise<void>((resolve, reject) => {
      crashedForGood = reject
      const off = consumer.on(consumer.events.FETCH, () => {
        off()
        resolve()
      })
      abort.signal.addEventListener('abort', () => resolve(), { once: true })
    })
    // Awaited below; this only keeps a crash after a failed start from being an unhandled rejection.
    firstFetch.catch(() => {})
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload
      // kafkajs restarts the consumer itself after a retriable crash; otherwise it is dead.
      if (restart) consumerLog.warn({ err: error }, 'bus consumer crashed; kafkajs restarts it')
      else {
        consumerLog.error({ err: error }, 'bus consumer crashed and stopped')
        crashedForGood?.(error)
      }
    })

    let stopping: Promise<void> | undefined
    const subscription: Subscription = {
      stop() {
        stopping ??= (async () => {
          abort.abort()
          try {
            await consumer.disconnect()
          } finally {
            subscriptions.delete(subscription)
            consumerLog.debug('bus subscription stopped')
          }
        })()
        return stopping
      },
    }
    subscriptions.add(subscription)

    try {
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: opts.fromBeginning })
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch })
      await firstFetch
    } catch (error) {
      await subscription.stop().catch(() => {})
      throw new AppError('UNAVAILABLE', `Cannot subscribe to ${topic} as ${groupId}: ${(error as Error).message}`, { cause: error })
    }
    consumerLog.debug('bus subscribed')
    return subscription
  }
  return bus
}

function toReceived(message: KafkaMessage): ReceivedMessage {
  return {
    key: message.key ? message.key.toString('utf8') : '',
    // A copy per delivery: a handler mutating it must not change what a redelivery carries.
    value: message.value ? Buffer.from(message.value) : Buffer.alloc(0),
    headers: headersToStrings(message.headers),
    offset: message.offset,
    timestamp: Number(message.timestamp),
  }
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue
    // Kafka allows a header name twice; we publish each once, so the last one wins.
    const one = Array.isArray(value) ? value[value.length - 1] : value
    if (one !== undefined) out[name] = one.toString()
  }
  return out
}

/** The kafkajs log level matching the pino logger's, so kafkajs never builds entries pino drops. */
export function kafkaLevelFor(log: Logger): KafkaLogLevel {
  switch (log.level) {
    case 'trace':
    case 'debug':
      return KafkaLogLevel.DEBUG
    case 'info':
      return KafkaLogLevel.INFO
    case 'warn':
      return KafkaLogLevel.WARN
    case 'error':
    case 'fatal':
      return KafkaLogLevel.ERROR
    default:
      return KafkaLogLevel.NOTHING
  }
}

/** kafkajs logs -> pino, at the same levels, with kafkajs' namespace and fields (never message payloads). */
export function pinoLogCreator(log: Logger) {
  const kafkaLog = log.child({ kafkajs: true })
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry as LogEntry['log'] & { logger?: string }
      const bindings = { namespace, ...fields }
      switch (level) {
        case KafkaLogLevel.ERROR:
          // kafkajs logs every error RESPONSE of the protocol at error ("Response Heartbeat ...: The
          // group is rebalancing"), although its callers retry or rejoin; what really fails surfaces
          // again as a Runner/Consumer error or a crash. Those responses are warnings.
          if (namespace === 'Connection' && message.startsWith('Response ')) kafkaLog.warn(bindings, message)
          else kafkaLog.error(bindings, message)
          break
        case KafkaLogLevel.WARN:
          kafkaLog.warn(bindings, message)
          break
        case KafkaLogLevel.INFO:
          kafkaLog.info(bindings, message)
          break
        default:
          kafkaLog.debug(bindings, message)
      }
    }
}
