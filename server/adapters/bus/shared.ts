import { pino, type Logger } from 'pino'
import { AppError } from '../../errors.ts'
import {
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_RETRIES,
  MAX_DEAD_LETTER_REASON,
  deadLetterTopicFor,
  isDeadLetterTopic,
  isValidTopicName,
  retryDelayMs,
  type Batch,
  type BusMessage,
  type DeadLetterSink,
  type ReceivedMessage,
  type SubscribeOptions,
} from './types.ts'
import { handleTraced, inMessageContext, type BusSystem } from './tracing.ts'

/** Helpers both adapters share, so they reject the same inputs with the same errors. */

export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

export function assertTopic(topic: string): void {
  if (typeof topic !== 'string' || !isValidTopicName(topic)) {
    throw new AppError('INTERNAL', `Invalid bus topic name ${JSON.stringify(topic)}: use [A-Za-z0-9._-], at most 249 characters`)
  }
}

export function assertMessages(topic: string, messages: BusMessage[]): void {
  if (!Array.isArray(messages)) throw new AppError('INTERNAL', `publish(${topic}): messages must be an array`)
  // Messages of one file often share one headers object: it is checked once.
  let checked: BusMessage['headers']
  messages.forEach((message, index) => {
    if (typeof message?.key !== 'string') {
      throw new AppError('INTERNAL', `publish(${topic}): message ${index} has no string key`)
    }
    if (typeof message.value !== 'string' && !Buffer.isBuffer(message.value)) {
      throw new AppError('INTERNAL', `publish(${topic}): message ${index} value must be a Buffer or a string`)
    }
    if (message.headers !== undefined && message.headers !== checked) {
      for (const [name, value] of Object.entries(message.headers)) {
        if (typeof value !== 'string') {
          throw new AppError('INTERNAL', `publish(${topic}): message ${index} header ${JSON.stringify(name)} must be a string`)
        }
      }
      checked = message.headers
    }
  })
}

export type SubscribeSettings = Required<Omit<SubscribeOptions, 'handler'>> & Pick<SubscribeOptions, 'handler'>

/** Validates subscribe options and fills defaults (`busMaxRetries`: the bus's default retry limit). */
export function subscribeDefaults(options: SubscribeOptions, busMaxRetries = DEFAULT_MAX_RETRIES): SubscribeSettings {
  assertTopic(options.topic)
  if (typeof options.groupId !== 'string' || options.groupId.length === 0 || options.groupId.length > 255) {
    throw new AppError('INTERNAL', `subscribe(${options.topic}): groupId must be a non-empty string of at most 255 characters`)
  }
  if (typeof options.handler !== 'function') throw new AppError('INTERNAL', `subscribe(${options.topic}): handler must be a function`)
  const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new AppError('INTERNAL', `subscribe(${options.topic}): maxBatchSize must be a positive integer`)
  }
  const maxRetries = options.maxRetries ?? busMaxRetries
  assertMaxRetries(`subscribe(${options.topic}): maxRetries`, maxRetries)
  const deadLetterTopic = options.deadLetterTopic ?? deadLetterTopicFor(options.topic)
  assertTopic(deadLetterTopic)
  if (deadLetterTopic === options.topic) {
    throw new AppError('INTERNAL', `subscribe(${options.topic}): the dead-letter topic must differ from the topic`)
  }
  return {
    topic: options.topic,
    groupId: options.groupId,
    fromBeginning: options.fromBeginning ?? false,
    maxBatchSize,
    handler: options.handler,
    maxRetries,
    deadLetterTopic,
  }
}

export function assertMaxRetries(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 1_000) {
    throw new AppError('INTERNAL', `${what} must be an integer from 0 to 1000, got ${String(value)}`)
  }
}

/** Hands messages published to a dead-letter topic to the sink first (durable before appended). */
export async function recordDeadLetters(sink: DeadLetterSink | undefined, topic: string, messages: readonly BusMessage[]): Promise<void> {
  if (sink && messages.length > 0 && isDeadLetterTopic(topic)) await sink.record(topic, messages)
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
])

/**
 * Whether a handler failure says a store or service is unreachable rather than that the message is
 * bad: AppError UNAVAILABLE, socket/DNS errors (Node and undici codes), postgres.js connection
 * errors, PostgreSQL SQLSTATE classes 08 (connection), 53 (resources), 57P (operator
 * intervention: shutdown, restart), serialization failures and deadlocks. Follows `cause` chains
 * and AggregateErrors. Such failures never count toward the retry limit.
 */
export function isTransientError(error: unknown, depth = 0): boolean {
  if (depth > 8 || error === null || typeof error !== 'object') return false
  if (error instanceof AppError) return error.code === 'UNAVAILABLE' || isTransientError(error.cause, depth + 1)
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (TRANSIENT_CODES.has(code) || code.startsWith('UND_ERR_')) return true
    if (/^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1-4]$/.test(code) || code === '40001' || code === '40P01') return true
  }
  if (error instanceof AggregateError && error.errors.some((e) => isTransientError(e, depth + 1))) return true
  return isTransientError((error as { cause?: unknown }).cause, depth + 1)
}

/** How one chunk of a partition is delivered, whichever adapter: see `deliverChunk`. */
export type ChunkDelivery = {
  settings: SubscribeSettings
  /** Which adapter delivers (the consumer span's messaging.system). */
  system: BusSystem
  partition: number
  /** Fresh copies of the chunk's messages, in offset order (a handler may mutate what it got). */
  messages(): ReceivedMessage[]
  /** The bus's own publish (dead letters go through the sink like any other). */
  publish(topic: string, messages: BusMessage[]): Promise<void>
  /** Commits everything up to and including `offset`: used while messages go one at a time. */
  commit(offset: string): Promise<void>
  /** Waits out a backoff; returns early when the subscription stops. */
  wait(ms: number): Promise<void>
  /** True once the subscription stops (or, Kafka, loses the partition). */
  stopped(): boolean
  log: Logger
}

type Attempted = 'ok' | 'stopped' | { error: unknown; attempts: number }

/**
 * Delivers one chunk with the retry limit of types.ts: the whole chunk until it succeeds or has
 * failed 1 + maxRetries times (transient failures not counted), then its messages one at a time,
 * dead-lettering each that exhausts the limit too. Resolves true once every message of the chunk
 * was handled or dead-lettered (the caller commits the chunk), false when stopped first (nothing
 * more is committed).
 */
export async function deliverChunk(delivery: ChunkDelivery): Promise<boolean> {
  const all = await attempt(delivery, (messages) => messages)
  if (all === 'ok') return true
  if (all === 'stopped') return false
  const count = delivery.messages().length
  if (count === 1) return deadLetter(delivery, 0, all)
  const messages = delivery.messages()
  delivery.log.warn(
    { topic: delivery.settings.topic, groupId: delivery.settings.groupId, partition: delivery.partition, firstOffset: messages[0]!.offset, lastOffset: messages[count - 1]!.offset, attempts: all.attempts },
    'bus retry limit reached for a batch; delivering its messages one at a time to find the poison message',
  )
  for (let index = 0; index < count; index++) {
    const one = await attempt(delivery, (fresh) => [fresh[index]!])
    if (one === 'stopped') return false
    if (one !== 'ok' && !(await deadLetter(delivery, index, one))) return false
    await delivery.commit(messages[index]!.offset)
  }
  return true
}

async function attempt(delivery: ChunkDelivery, pick: (messages: ReceivedMessage[]) => ReceivedMessage[]): Promise<Attempted> {
  const { settings, partition, log } = delivery
  let counted = 0
  for (let failures = 0; ; ) {
    if (delivery.stopped()) return 'stopped'
    const batch: Batch = { topic: settings.topic, partition, messages: pick(delivery.messages()) }
    try {
      // One CONSUMER span per attempt, active while the handler runs (tracing.ts).
      await handleTraced(delivery.system, { groupId: settings.groupId, attempt: failures + 1 }, batch, (b) => invoke(settings.handler, b))
      return 'ok'
    } catch (error) {
      failures++
      const transient = isTransientError(error)
      if (!transient) counted++
      if (counted > settings.maxRetries) return { error, attempts: failures }
      const delay = retryDelayMs(failures)
      log.warn(
        {
          topic: settings.topic,
          groupId: settings.groupId,
          partition,
          firstOffset: batch.messages[0]!.offset,
          lastOffset: batch.messages[batch.messages.length - 1]!.offset,
          attempt: failures,
          transient,
          retryInMs: delay,
          err: error,
        },
        'bus handler failed; the batch will be delivered again',
      )
      await delivery.wait(delay)
    }
  }
}

/** Publishes message `index` to the dead-letter topic, retrying the publish until it succeeds; false when stopped first. */
async function deadLetter(delivery: ChunkDelivery, index: number, failure: { error: unknown; attempts: number }): Promise<boolean> {
  const { settings, partition, log } = delivery
  const message = delivery.messages()[index]!
  const reason = failure.error instanceof Error ? failure.error.message : String(failure.error)
  const letter: BusMessage = {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      kind: 'handler-failed',
      reason: reason.length <= MAX_DEAD_LETTER_REASON ? reason : `${reason.slice(0, MAX_DEAD_LETTER_REASON - 1)}…`,
      'source-topic': settings.topic,
      'source-partition': String(partition),
      'source-offset': message.offset,
      'consumer-group': settings.groupId,
      attempts: String(failure.attempts),
      'failed-at': new Date().toISOString(),
    },
  }
  for (let tries = 1; ; tries++) {
    if (delivery.stopped()) return false
    try {
      // In the failed message's trace: the dead letter's PRODUCER span joins it.
      await inMessageContext(message, () => delivery.publish(settings.deadLetterTopic, [letter]))
      break
    } catch (error) {
      log.warn({ topic: settings.topic, deadLetterTopic: settings.deadLetterTopic, offset: message.offset, err: error }, 'dead-letter publish failed; trying again')
      await delivery.wait(retryDelayMs(tries))
    }
  }
  log.error(
    { topic: settings.topic, groupId: settings.groupId, partition, offset: message.offset, attempts: failure.attempts, deadLetterTopic: settings.deadLetterTopic, err: failure.error },
    'bus retry limit reached: message sent to the dead-letter topic, delivery goes on',
  )
  return true
}

export function closedError(): AppError {
  return new AppError('UNAVAILABLE', 'The message bus is closed')
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** Calls a handler so that a synchronous throw becomes a rejection. */
export function invoke<T>(fn: (arg: T) => Promise<void>, arg: T): Promise<void> {
  try {
    return Promise.resolve(fn(arg))
  } catch (error) {
    return Promise.reject(error)
  }
}
