import { SeriesRecord } from '@carbon/schemas'
import type { Logger } from 'pino'
import { TOPICS, type Batch, type Bus, type BusMessage, type ReceivedMessage } from '../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../adapters/clickhouse/client.ts'
import { AppError } from '../errors.ts'
import { metrics } from '../metrics.ts'
import { insertSeriesValues } from '../services/series/store.ts'
import { MAX_REASON_LENGTH } from './prices-consumer.ts'

/**
 * The series consumer: `series.normalized` -> ClickHouse `series_values`.
 *
 * Each message value is a canonical SeriesRecord as JSON, keyed `product:series`, with the
 * archived payload's key in header `raw-key`. Per batch: every message is decoded and validated
 * (SeriesRecord schema); the valid ones are written in one insert per raw file (the row's
 * raw_key); the invalid ones go to `series.dlq` with the reason. The handler resolves only after
 * both, so an offset is committed only once its record is stored or dead-lettered. A failed insert
 * is the store's failure (UNAVAILABLE: retried without limit, never dead-lettered). Idempotent:
 * `series_values` is a ReplacingMergeTree read with FINAL, so a redelivered batch counts once.
 * Series volumes are small (a file is at most a few thousand values), so nothing is sliced.
 */
export type SeriesConsumerOptions = { bus: Bus; ch: ClickHouseHandle; log: Logger; groupId?: string }

export type SeriesConsumer = {
  /** In-process bus: waits until everything published so far is stored (at most `timeoutMs`). */
  drain(timeoutMs: number): Promise<boolean>
  stop(): Promise<void>
}

export const SERIES_CONSUMER_GROUP = 'series-consumer'
const MAX_BATCH = 5_000

const utf8 = new TextDecoder('utf-8', { fatal: true })

type Decoded = { ok: true; record: SeriesRecord } | { ok: false; reason: string }

/** Decodes and validates one message value; the reason names the problem without echoing the payload. */
export function decodeSeriesMessage(message: Pick<ReceivedMessage, 'value' | 'text'>): Decoded {
  let json: unknown
  try {
    json = JSON.parse(message.text ?? utf8.decode(message.value))
  } catch (error) {
    return { ok: false, reason: error instanceof SyntaxError ? `invalid JSON: ${error.message}` : 'value is not valid UTF-8' }
  }
  const parsed = SeriesRecord.safeParse(json)
  if (parsed.success) return { ok: true, record: parsed.data }
  const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ')
  return { ok: false, reason: `invalid series record: ${issues}` }
}

function deadLetter(batch: Batch, message: ReceivedMessage, reason: string, failedAt: string): BusMessage {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      kind: 'invalid-record',
      reason: reason.length <= MAX_REASON_LENGTH ? reason : `${reason.slice(0, MAX_REASON_LENGTH - 1)}…`,
      'source-topic': batch.topic,
      'source-partition': String(batch.partition),
      'source-offset': message.offset,
      'failed-at': failedAt,
    },
  }
}

export async function startSeriesConsumer(options: SeriesConsumerOptions): Promise<SeriesConsumer> {
  const { bus, ch, groupId = SERIES_CONSUMER_GROUP } = options
  const topic = TOPICS.seriesNormalized
  const log = options.log.child({ component: 'series-consumer', topic, groupId })

  async function handle(batch: Batch): Promise<void> {
    const byRawKey = new Map<string, SeriesRecord[]>()
    const dead: BusMessage[] = []
    const failedAt = new Date().toISOString()
    for (const message of batch.messages) {
      const decoded = decodeSeriesMessage(message)
      if (!decoded.ok) {
        dead.push(deadLetter(batch, message, decoded.reason, failedAt))
        continue
      }
      const rawKey = message.headers['raw-key'] ?? ''
      const group = byRawKey.get(rawKey)
      if (group) group.push(decoded.record)
      else byRawKey.set(rawKey, [decoded.record])
    }
    const ingestedAt = new Date().toISOString()
    try {
      for (const [rawKey, records] of byRawKey) await insertSeriesValues(ch, records, { ingestedAt, rawKey })
    } catch (error) {
      log.warn({ err: error, messages: batch.messages.length }, 'series insert failed; the batch will be delivered again')
      throw new AppError('UNAVAILABLE', `series_values insert failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
    const stored = batch.messages.length - dead.length
    if (stored > 0) metrics.consumerRecords.inc({ outcome: 'stored' }, stored)
    if (dead.length > 0) {
      await bus.publish(TOPICS.seriesDlq, dead)
      metrics.consumerRecords.inc({ outcome: 'dead_lettered' }, dead.length)
      log.warn({ offsets: dead.map((m) => m.headers!['source-offset']) }, 'invalid series messages sent to the dead-letter topic')
    }
  }

  const subscription = await bus.subscribe({ topic, groupId, fromBeginning: true, maxBatchSize: MAX_BATCH, handler: handle })
  log.info('series consumer started')
  let stopping: Promise<void> | undefined
  return {
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs
      while ((bus.unconsumed?.(topic, groupId) ?? 0) > 0) {
        if (Date.now() > deadline) return false
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return true
    },
    stop() {
      stopping ??= subscription.stop().then(() => log.info('series consumer stopped'))
      return stopping
    },
  }
}
