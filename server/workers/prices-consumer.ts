import { PriceRecord } from '@carbon/schemas'
import type { Logger } from 'pino'
import type { ZodError } from 'zod'
import { TOPICS, type Batch, type Bus, type BusMessage, type ReceivedMessage } from '../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../adapters/clickhouse/client.ts'
import { metrics } from '../metrics.ts'
import { insertPrices } from '../services/prices/index.ts'
import { intervalMinutes } from '../services/prices/helpers.ts'
import { recordArrivals, type BusPosition } from '../services/quality/index.ts'

/**
 * The prices consumer: `prices.normalized` -> ClickHouse `prices` (and `price_arrivals`).
 *
 * Input: each message value is the canonical PriceRecord as JSON (UTF-8), keyed `market:node`.
 * The subscription uses `fromBeginning: true` (a group without commits reads the whole retained
 * topic) and batches of at most `maxBatchSize` messages (the bus's batch bound).
 *
 * Per batch, the handler:
 * 1. decodes and validates every message (strict UTF-8, JSON.parse, PriceRecord.safeParse, and the
 *    interval check the store applies, so insertPrices never refuses a batch this one accepted);
 * 2. writes all valid records with ONE insertPrices call (which splits very large calls itself),
 *    then, once that succeeded, appends the same records to `price_arrivals` in ONE insert with
 *    one ingested_at for the batch (the arrival log the data-quality queries read:
 *    server/services/quality);
 * 3. publishes every invalid message to `prices.dlq`: the original value and key, with headers
 *    `reason` (the zod issue paths and messages, or the decoding/JSON error), `source-topic`,
 *    `source-partition`, `source-offset` and `failed-at` (ISO time);
 * 4. resolves only after the inserts and the DLQ publish succeeded. The bus commits a batch's
 *    offsets only after its handler resolved, so an offset is committed only once its record is
 *    durably in ClickHouse (`prices` and `price_arrivals`) or in the DLQ. Nothing is dropped
 *    silently: every message is stored, dead-lettered, or (on failure) delivered again.
 *
 * Failures: if an insert or the DLQ publish throws, the handler throws; the bus delivers the SAME
 * batch again after its backoff (100 ms doubling to 5 s) and nothing after it is delivered first,
 * so offsets do not advance during an outage. Logged at warn with counts and offsets, never
 * payloads. The inserts run before the DLQ publish: they are safe to repeat, the DLQ publish is
 * not, so a store outage does not duplicate DLQ messages.
 *
 * Idempotency: at-least-once delivery means a batch can be processed twice (a crash or stop
 * between the write and the commit, a Kafka rebalance). `prices` is a ReplacingMergeTree keyed by
 * (market, node, run, interval_start) and read with FINAL, so a re-inserted record counts once.
 * `price_arrivals` is append-only: a redelivered batch (or one whose arrivals insert failed after
 * `prices` took it) is appended again, which its readers allow for (distinct keys and LMPs).
 * The DLQ is at-least-once too: a redelivered batch (e.g. the DLQ publish failed after a
 * partial send) can dead-letter a message again; `source-topic`/`source-partition`/`source-offset`
 * identify duplicates.
 *
 * Metrics (server/metrics.ts): carbon_consumer_records_total{outcome="stored"|"dead_lettered"}
 * counts messages once their batch step succeeded (a redelivered batch counts again);
 * carbon_consumer_batch_seconds times every batch attempt, failed ones included.
 */
export type PricesConsumerOptions = {
  bus: Bus
  ch: ClickHouseHandle
  log: Logger
  /** Consumer group; instances sharing it share the topic's partitions (default 'prices-consumer'). */
  groupId?: string
  /** Largest batch handled (and inserted) at once (default 5,000). */
  maxBatchSize?: number
  /**
   * Called after each batch was handled successfully (stored and dead-lettered, just before its
   * offsets are committed) with its number of messages; a redelivered batch is reported again.
   * For callers that wait until what they published was consumed (e.g. a backfill).
   */
  onBatch?: (messages: number) => void
}

export type PricesConsumer = {
  /**
   * On the in-process bus (not durable): waits until everything published so far is stored, at
   * most `timeoutMs`; true when drained. Kafka keeps what is unconsumed: resolves true at once.
   */
  drain(timeoutMs: number): Promise<boolean>
  /** Stops consuming; waits for an in-flight batch to settle (committed only if it succeeded). Idempotent. */
  stop(): Promise<void>
}

export const PRICES_CONSUMER_GROUP = 'prices-consumer'
export const PRICES_CONSUMER_MAX_BATCH = 5_000
/** Longest `reason` header: a record with many bad fields still yields a bounded header. */
export const MAX_REASON_LENGTH = 1_000

const utf8 = new TextDecoder('utf-8', { fatal: true })

type Decoded = { ok: true; record: PriceRecord } | { ok: false; reason: string }

/** Decodes and validates one message value; the reason names the problem without echoing the payload. */
export function decodePriceMessage(value: Buffer): Decoded {
  let text: string
  try {
    text = utf8.decode(value)
  } catch {
    return { ok: false, reason: 'value is not valid UTF-8' }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` }
  }
  const parsed = PriceRecord.safeParse(json)
  if (!parsed.success) return { ok: false, reason: `invalid price record: ${describeIssues(parsed.error)}` }
  try {
    intervalMinutes(parsed.data)
  } catch (error) {
    return { ok: false, reason: `invalid price record: ${(error as Error).message}` }
  }
  return { ok: true, record: parsed.data }
}

function describeIssues(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ')
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

export async function startPricesConsumer(options: PricesConsumerOptions): Promise<PricesConsumer> {
  const { bus, ch, groupId = PRICES_CONSUMER_GROUP, maxBatchSize = PRICES_CONSUMER_MAX_BATCH } = options
  const topic = TOPICS.pricesNormalized
  const log = options.log.child({ component: 'prices-consumer', topic, groupId })

  async function handle(batch: Batch): Promise<void> {
    const timer = metrics.consumerBatchSeconds.startTimer()
    try {
      await store(batch)
    } finally {
      timer()
    }
  }

  async function store(batch: Batch): Promise<void> {
    const valid: PriceRecord[] = []
    const positions: BusPosition[] = []
    const dead: BusMessage[] = []
    const failedAt = new Date().toISOString()
    for (const message of batch.messages) {
      const decoded = decodePriceMessage(message.value)
      if (decoded.ok) {
        valid.push(decoded.record)
        positions.push({ partition: batch.partition, offset: message.offset })
      } else dead.push(deadLetter(batch, message, decoded.reason, failedAt))
    }
    const first = batch.messages[0]!.offset
    const last = batch.messages[batch.messages.length - 1]!.offset
    const where = { partition: batch.partition, firstOffset: first, lastOffset: last, messages: batch.messages.length, valid: valid.length, invalid: dead.length }

    if (valid.length > 0) {
      try {
        await insertPrices(ch, valid)
      } catch (error) {
        log.warn({ ...where, err: error }, 'prices insert failed; the batch will be delivered again')
        throw error
      }
      try {
        await recordArrivals(ch, valid, new Date(), positions)
      } catch (error) {
        log.warn({ ...where, err: error }, 'price arrivals insert failed; the batch will be delivered again')
        throw error
      }
      metrics.consumerRecords.inc({ outcome: 'stored' }, valid.length)
    }
    if (dead.length > 0) {
      try {
        await bus.publish(TOPICS.pricesDlq, dead)
      } catch (error) {
        log.warn({ ...where, err: error }, 'prices dead-letter publish failed; the batch will be delivered again')
        throw error
      }
      metrics.consumerRecords.inc({ outcome: 'dead_lettered' }, dead.length)
      log.warn({ ...where, offsets: dead.map((m) => m.headers!['source-offset']) }, 'invalid price messages sent to the dead-letter topic')
    }
    log.debug(where, 'prices batch stored')
    options.onBatch?.(batch.messages.length)
  }

  const subscription = await bus.subscribe({ topic, groupId, fromBeginning: true, maxBatchSize, handler: handle })
  log.info({ maxBatchSize }, 'prices consumer started')

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
      stopping ??= (async () => {
        await subscription.stop()
        log.info('prices consumer stopped')
      })()
      return stopping
    },
  }
}

function deadLetter(batch: Batch, message: ReceivedMessage, reason: string, failedAt: string): BusMessage {
  return {
    key: message.key,
    value: message.value,
    headers: {
      reason: truncate(reason, MAX_REASON_LENGTH),
      'source-topic': batch.topic,
      'source-partition': String(batch.partition),
      'source-offset': message.offset,
      'failed-at': failedAt,
    },
  }
}
