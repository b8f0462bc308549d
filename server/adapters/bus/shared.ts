import { pino, type Logger } from 'pino'
import { AppError } from '../../errors.ts'
import { DEFAULT_MAX_BATCH_SIZE, isValidTopicName, type BusMessage, type SubscribeOptions } from './types.ts'

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
  messages.forEach((message, index) => {
    if (typeof message?.key !== 'string') {
      throw new AppError('INTERNAL', `publish(${topic}): message ${index} has no string key`)
    }
    if (typeof message.value !== 'string' && !Buffer.isBuffer(message.value)) {
      throw new AppError('INTERNAL', `publish(${topic}): message ${index} value must be a Buffer or a string`)
    }
    if (message.headers !== undefined) {
      for (const [name, value] of Object.entries(message.headers)) {
        if (typeof value !== 'string') {
          throw new AppError('INTERNAL', `publish(${topic}): message ${index} header ${JSON.stringify(name)} must be a string`)
        }
      }
    }
  })
}

/** Validates subscribe options and fills defaults. */
export function subscribeDefaults(options: SubscribeOptions): Required<Omit<SubscribeOptions, 'handler'>> & Pick<SubscribeOptions, 'handler'> {
  assertTopic(options.topic)
  if (typeof options.groupId !== 'string' || options.groupId.length === 0 || options.groupId.length > 255) {
    throw new AppError('INTERNAL', `subscribe(${options.topic}): groupId must be a non-empty string of at most 255 characters`)
  }
  if (typeof options.handler !== 'function') throw new AppError('INTERNAL', `subscribe(${options.topic}): handler must be a function`)
  const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new AppError('INTERNAL', `subscribe(${options.topic}): maxBatchSize must be a positive integer`)
  }
  return {
    topic: options.topic,
    groupId: options.groupId,
    fromBeginning: options.fromBeginning ?? false,
    maxBatchSize,
    handler: options.handler,
  }
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
