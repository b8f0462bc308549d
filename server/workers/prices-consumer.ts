import { isExactPriceRecord, PriceRecord } from '@carbon/schemas'
import type { Logger } from 'pino'
import type { ZodError } from 'zod'
import { TOPICS, type Batch, type Bus, type BusMessage, type ReceivedMessage } from '../adapters/bus/index.ts'
import { queryRows, type ClickHouseHandle } from '../adapters/clickhouse/client.ts'
import { AppError } from '../errors.ts'
import { metrics } from '../metrics.ts'
import { insertPrices } from '../services/prices/index.ts'
import { instantMs, intervalMinutes, toClickHouseTime } from '../services/prices/helpers.ts'
import { recordArrivals, type BusPosition } from '../services/quality/index.ts'
import { sliced, yieldToEventLoop } from '../time-slice.ts'

/**
 * The prices consumer: `prices.normalized` -> ClickHouse `prices` (and `price_arrivals`).
 *
 * Input: each message value is the canonical PriceRecord as JSON (UTF-8), keyed `market:node`.
 * The subscription uses `fromBeginning: true` (a group without commits reads the whole retained
 * topic) and batches of at most `maxBatchSize` messages (the bus's batch bound).
 *
 * Per batch, the handler:
 * 1. decodes and validates every message (strict UTF-8, JSON.parse, the PriceRecord schema (a
 *    canonical record passes isExactPriceRecord, anything else goes through PriceRecord.safeParse),
 *    and the interval check the store applies, so insertPrices never refuses a batch this one
 *    accepted);
 * 2. writes all valid records with ONE insertPrices call (which splits very large calls itself)
 *    and, at the same time, appends those not recorded yet to `price_arrivals` in ONE insert with
 *    one ingested_at for the batch (the arrival log the data-quality queries and the stream's
 *    replay read: server/services/quality, server/services/stream/replay.ts). The two writes do
 *    not wait for each other: a batch that failed either is delivered again, and the redelivery
 *    writes every price again (replaced, see Idempotency) and only the arrivals still missing;
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
 * so offsets do not advance during an outage. Insert failures are thrown as AppError UNAVAILABLE
 * (storeUnavailable): retried for as long as the outage lasts, never dead-lettered. A consumer
 * process started while ClickHouse is unavailable waits for it (openWhenAvailable) and reads
 * nothing meanwhile: the records stay on the bus. Logged at warn with counts and offsets, never
 * payloads. The inserts run before the DLQ publish: they are safe to repeat, the DLQ publish is
 * not, so a store outage does not duplicate DLQ messages.
 *
 * Idempotency: at-least-once delivery means a batch can be processed twice (a crash or stop
 * between the write and the commit, a Kafka rebalance), and the ingest can publish a file's
 * records twice (killed after publishing part of a file, before recording it: the file is fetched
 * and published again). `prices` is a ReplacingMergeTree keyed by (market, node, run,
 * interval_start) and read with FINAL, so a re-inserted record counts once. `price_arrivals` is
 * append-only and read without FINAL, so before appending, the consumer drops every record that
 * already arrived: same (node, interval_start) at the same bus position (a redelivered batch), or
 * from the same raw file (header `raw-key`: content-addressed, so a republished file has the same
 * key). One query per batch over the batch's interval range (the table's sort key) finds them;
 * a partition has one consumer at a time, so nothing else appends its positions meanwhile.
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
  /** Largest batch handled (and inserted) at once (default 20,000). */
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
export const PRICES_CONSUMER_MAX_BATCH = 20_000
/** Longest `reason` header: a record with many bad fields still yields a bounded header. */
export const MAX_REASON_LENGTH = 1_000
/** Longest stretch of decoding before the consumer yields to the event loop. */
const DECODE_SLICE_MS = 5

const utf8 = new TextDecoder('utf-8', { fatal: true })

type Decoded = { ok: true; record: PriceRecord } | { ok: false; reason: string }

/** Decodes and validates one message value; the reason names the problem without echoing the payload. */
export function decodePriceMessage(message: Pick<ReceivedMessage, 'value' | 'text'>): Decoded {
  let text: string
  try {
    text = message.text ?? utf8.decode(message.value)
  } catch {
    return { ok: false, reason: 'value is not valid UTF-8' }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` }
  }
  // A producer's canonical record is taken as it is; anything else is the schema's to judge.
  let record: PriceRecord
  if (isExactPriceRecord(json)) record = json
  else {
    const parsed = PriceRecord.safeParse(json)
    if (!parsed.success) return { ok: false, reason: `invalid price record: ${describeIssues(parsed.error)}` }
    record = parsed.data
  }
  try {
    intervalMinutes(record)
  } catch (error) {
    return { ok: false, reason: `invalid price record: ${(error as Error).message}` }
  }
  return { ok: true, record }
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
    // Decoded in slices: in `carbon serve` this runs on the web process's event loop.
    await sliced(batch.messages.length, DECODE_SLICE_MS, (i) => {
      const message = batch.messages[i]!
      const decoded = decodePriceMessage(message)
      if (decoded.ok) {
        valid.push(decoded.record)
        positions.push({ partition: batch.partition, offset: message.offset, rawKey: message.headers['raw-key'] ?? '' })
      } else dead.push(deadLetter(batch, message, decoded.reason, failedAt))
    })
    const first = batch.messages[0]!.offset
    const last = batch.messages[batch.messages.length - 1]!.offset
    const where = { partition: batch.partition, firstOffset: first, lastOffset: last, messages: batch.messages.length, valid: valid.length, invalid: dead.length }

    if (valid.length > 0) {
      // The two tables are written at once: the arrivals (after the query that finds which are
      // already recorded) while the prices insert runs. Neither depends on the other: a
      // redelivered batch writes every price again and only the arrivals not yet recorded.
      // Validated by decodePriceMessage with the store's own checks: not validated twice.
      const [prices, arrivals] = await Promise.allSettled([insertPrices(ch, valid, { validated: true }), appendArrivals(valid, positions)])
      if (prices.status === 'rejected') {
        log.warn({ ...where, err: prices.reason }, 'prices insert failed; the batch will be delivered again')
        throw storeUnavailable('prices', prices.reason)
      }
      if (arrivals.status === 'rejected') {
        log.warn({ ...where, err: arrivals.reason }, 'price arrivals insert failed; the batch will be delivered again')
        throw storeUnavailable('price_arrivals', arrivals.reason)
      }
      if (arrivals.value < valid.length) log.info({ ...where, repeated: valid.length - arrivals.value }, 'price arrivals already recorded skipped')
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

  /** Appends the batch's records that have not arrived yet to price_arrivals; returns how many. */
  async function appendArrivals(valid: readonly PriceRecord[], positions: readonly BusPosition[]): Promise<number> {
    const fresh = await newArrivals(ch, valid, positions)
    await yieldToEventLoop()
    await recordArrivals(ch, fresh.records, new Date(), fresh.positions)
    return fresh.records.length
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

/**
 * A failed write of records that passed validation (the same checks the store applies) is the
 * store's failure, not the records': ClickHouse down, restarting, its data directory held by
 * another process, out of memory or parts. It is reported UNAVAILABLE, which the bus retries for
 * as long as it lasts without counting toward its retry limit (server/adapters/bus/types.ts), so
 * an outage never sends valid prices to the dead-letter topic nor commits past them.
 */
function storeUnavailable(table: string, error: unknown): AppError {
  if (error instanceof AppError && error.code === 'UNAVAILABLE') return error
  return new AppError('UNAVAILABLE', `ClickHouse ${table} write failed: ${error instanceof Error ? error.message : String(error)}`, {
    userMessage: 'The price store is unavailable',
    cause: error,
  })
}

const ARRIVALS_SEEN_SQL = `
SELECT node, toUnixTimestamp64Milli(interval_start) AS start_ms, bus_partition AS partition, toString(bus_offset) AS offset, raw_key AS raw_key
FROM price_arrivals
WHERE market IN {markets:Array(String)} AND run IN {runs:Array(String)}
  AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start <= {to:DateTime64(3, 'UTC')}
  AND ((bus_partition = {partition:UInt16} AND bus_offset BETWEEN {first:UInt64} AND {last:UInt64}) OR (raw_key != '' AND raw_key IN {rawKeys:Array(String)}))`

type Seen = { node: string; start_ms: number | string; partition: number | string; offset: string; raw_key: string }

const atPosition = (node: string, start: number, partition: number | string, offset: string) => `${node}\u0000${start}\u0000${partition}\u0000${offset}`

/** Bus offsets are decimal texts without leading zeros: the longer is larger, else the text order. */
const offsetBefore = (a: string, b: string) => a.length < b.length || (a.length === b.length && a < b)

/**
 * (raw file, node, interval start) triples, a level per part: a day of a million arrivals builds
 * a set per node and file, not a key text per record.
 */
class FileArrivals {
  private readonly byFile = new Map<string, Map<string, Set<number>>>()

  /** Adds the triple; false when it was there already. */
  add(rawKey: string, node: string, start: number): boolean {
    let nodes = this.byFile.get(rawKey)
    if (nodes === undefined) this.byFile.set(rawKey, (nodes = new Map()))
    let starts = nodes.get(node)
    if (starts === undefined) nodes.set(node, (starts = new Set()))
    if (starts.has(start)) return false
    starts.add(start)
    return true
  }
}

/**
 * The records of a batch (with their positions) that have not arrived yet: not in
 * `price_arrivals` at the same bus position or from the same raw file, and not repeated within the
 * batch (a republished file can land in the batch that holds its first publication).
 */
export async function newArrivals(
  ch: ClickHouseHandle,
  records: readonly PriceRecord[],
  positions: readonly BusPosition[],
): Promise<{ records: PriceRecord[]; positions: BusPosition[] }> {
  if (records.length === 0) return { records: [], positions: [] }
  const starts = records.map((r) => instantMs(r.intervalStart))
  let from = starts[0]!
  let to = from
  let first = positions[0]!.offset
  let last = first
  const markets = new Set<string>()
  const runs = new Set<string>()
  const rawKeys = new Set<string>()
  records.forEach((record, i) => {
    const start = starts[i]!
    if (start < from) from = start
    if (start > to) to = start
    const { offset, rawKey } = positions[i]!
    if (offsetBefore(offset, first)) first = offset
    if (offsetBefore(last, offset)) last = offset
    markets.add(record.market)
    runs.add(record.run)
    if (rawKey) rawKeys.add(rawKey)
  })
  const rows = await queryRows<Seen>(ch, 'consumer.arrivals_seen', ARRIVALS_SEEN_SQL, {
    markets: [...markets],
    runs: [...runs],
    from: toClickHouseTime(new Date(from)),
    to: toClickHouseTime(new Date(to)),
    partition: positions[0]!.partition,
    first,
    last,
    rawKeys: [...rawKeys],
  })
  // Positions are unique within a batch, so only the stored ones can repeat one.
  const seenAt = new Set<string>()
  const fromFiles = new FileArrivals()
  for (const row of rows) {
    const start = Number(row.start_ms)
    seenAt.add(atPosition(row.node, start, row.partition, String(row.offset)))
    if (row.raw_key) fromFiles.add(row.raw_key, row.node, start)
  }
  const out: { records: PriceRecord[]; positions: BusPosition[] } = { records: [], positions: [] }
  records.forEach((record, i) => {
    const position = positions[i]!
    if (seenAt.size > 0 && seenAt.has(atPosition(record.node, starts[i]!, position.partition, position.offset))) return
    if (position.rawKey && !fromFiles.add(position.rawKey, record.node, starts[i]!)) return
    out.records.push(record)
    out.positions.push(position)
  })
  return out
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
