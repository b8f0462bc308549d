/**
 * The message bus: one small interface, two adapters.
 *
 * - `kafka.ts` (production, KAFKA_BROKERS set): kafkajs 2.2.4 against a Kafka cluster.
 * - `in-process.ts` (embedded default): an in-memory log per topic inside this process.
 *
 * Delivery semantics, the same for both adapters (the contract tests in `bus.contract.ts` run
 * against each):
 *
 * - At-least-once. A batch's offsets are committed only after its handler resolved. A crash or a
 *   stop between the handler's side effects and the commit means the batch is delivered again, so
 *   handlers must be idempotent (the price store is a ReplacingMergeTree keyed by
 *   market/node/run/interval: writing a record twice is harmless).
 * - A handler that throws gets the SAME batch again (same messages, same offsets) after a short
 *   backoff (100 ms doubling to 5 s). Nothing after the failed batch is delivered to that
 *   subscription first, so nothing is skipped.
 * - Retry limit (a poison message never blocks a partition): once a batch has failed
 *   1 + `maxRetries` times (default 5, BUS_MAX_RETRIES), its messages are delivered one at a time,
 *   each with the same limit; a message that still fails is published to the subscription's
 *   dead-letter topic (`deadLetterTopic`, default `deadLetterTopicFor(topic)`) with the error as
 *   header `reason` (and `kind: handler-failed`, `source-topic`, `source-partition`,
 *   `source-offset`, `consumer-group`, `attempts`, `failed-at`, the original headers kept), its
 *   offset is committed and delivery goes on with the next message. Failures that say the handler's
 *   store is unreachable (`isTransientError`: AppError UNAVAILABLE, connection errors, PostgreSQL
 *   connection/operator SQLSTATEs) do not count toward the limit: an outage is retried for as long
 *   as it lasts and dead-letters nothing. The bus never drops a message: it is handled,
 *   dead-lettered, or (until then) delivered again. A handler may still dead-letter a message it
 *   knows it can never process itself (an invalid record) and return normally.
 * - Dead letters: `publish` to a dead-letter topic (`isDeadLetterTopic`: a name ending in `.dlq`)
 *   first hands the messages to the bus's `deadLetters` sink, when one is configured (the platform
 *   stores them in PostgreSQL `dead_letters`: server/services/dlq), and only then appends them, so
 *   a dead letter is durable before its publisher commits, on the in-process bus too.
 * - Order: messages with the same key are delivered in the order they were published.
 *   Kafka: the key chooses the partition (murmur2, the Java client's default partitioner) and a
 *   partition is an ordered log; messages with different keys may interleave in any order.
 *   In-process: one ordered log per topic, so publish order is kept for every key and across keys
 *   (a single-partition topic).
 * - Batches: one batch holds messages of one topic partition (in-process: partition 0), in offset
 *   order, at most `maxBatchSize` of them. One batch is in flight per subscription at a time.
 * - Consumer groups: a group's committed offsets say where it resumes. Each group receives every
 *   message of the topic once (plus redeliveries after failures); two groups each receive all of
 *   them, independently. Subscribers sharing a group share the topic's partitions (Kafka: the
 *   group's assignor splits them; in-process: the single partition goes to the first subscriber,
 *   the others stand by and take over at the committed offset when it stops).
 * - Starting point: where a group has a committed offset it resumes exactly there. Where it has
 *   none (per partition: a group that never committed anything there), the subscriber starts at
 *   the oldest retained message when `fromBeginning`, otherwise at the end, and that starting
 *   position is NOT remembered: a subscriber that stops before its first commit leaves nothing
 *   behind, and the next one decides afresh (Kafka's auto.offset.reset). `subscribe` resolves once
 *   the starting positions are fixed, so with `fromBeginning: false` exactly the messages published
 *   after `subscribe` resolved are delivered.
 *   Workers that must see every message subscribe with `fromBeginning: true`: it changes nothing
 *   where the group has commits, and with `false` a Kafka partition the group has never committed
 *   loses what is published to it while the group is down. `false` suits live views (a fresh group
 *   that only wants what happens from now on).
 * - Message values arrive as Buffers, headers as strings, whichever form was published.
 * - Tracing (tracing.ts): each publish is a PRODUCER span whose W3C `traceparent`/`tracestate`
 *   replace those headers in every message; each handler call is a CONSUMER span, child of the
 *   context its messages carry (when they all carry the same one), active while the handler runs.
 *   With tracing off no header is added.
 *
 * Topics: Kafka topics (and their partition counts) are created by operations (the Helm chart's
 * topic job or the platform team), never by this code; a broker that auto-creates topics gives
 * them its default partition count. Topic names are Kafka-legal: [A-Za-z0-9._-], at most 249.
 */

/** Canonical price records, one per (market, node, run, interval), keyed by `market:node`. */
export const TOPIC_PRICES_NORMALIZED = 'prices.normalized'
/** Records that failed validation or could not be stored, with the reason in headers. */
export const TOPIC_PRICES_DLQ = 'prices.dlq'
/** References to raw publisher payloads archived in the object store (for replay), not the payloads themselves. */
export const TOPIC_PRICES_RAW = 'prices.raw'
/** Canonical series records (gas, LNG, LCFS, RECs, EIA-930), one per (product, series, measure, period), keyed by `product:series`. */
export const TOPIC_SERIES_NORMALIZED = 'series.normalized'
/** Series rows refused by a reader, unusable series files and invalid series records, with the reason in headers. */
export const TOPIC_SERIES_DLQ = 'series.dlq'
/** References to raw series payloads archived in the object store (for replay). */
export const TOPIC_SERIES_RAW = 'series.raw'
/** Requests to (re)build a forward curve. */
export const TOPIC_CURVES_BUILD = 'curves.build'
/** curves.build messages the solver could not read, with the reason in headers. */
export const TOPIC_CURVES_DLQ = 'curves.dlq'
/** Scenario run requests for the scenario worker: `{id}`, the scenario_runs row id, keyed by run id. */
export const TOPIC_SCENARIOS_RUN = 'scenarios.run'
/** scenarios.run messages the scenario worker could not read or whose run does not exist, with the reason in headers. */
export const TOPIC_SCENARIOS_DLQ = 'scenarios.dlq'
/** Export jobs for the export worker: `{id}`, the export_jobs row id, keyed by the same id. */
export const TOPIC_EXPORTS_RUN = 'exports.run'
/** exports.run messages the export worker could not read or whose job does not exist, with the reason in headers. */
export const TOPIC_EXPORTS_DLQ = 'exports.dlq'
/** Report renderings for the export worker: `{id}`, the report_outputs row id, keyed by the same id. */
export const TOPIC_REPORTS_RENDER = 'reports.render'
/** reports.render messages the worker could not read or whose output row does not exist, with the reason in headers. */
export const TOPIC_REPORTS_DLQ = 'reports.dlq'
/** Progress and completion events of background jobs, keyed by job id (scenario runs: `{kind: 'scenario', runId, id, progress, status}`). */
export const TOPIC_JOBS_PROGRESS = 'jobs.progress'

export const TOPICS = {
  pricesNormalized: TOPIC_PRICES_NORMALIZED,
  pricesDlq: TOPIC_PRICES_DLQ,
  pricesRaw: TOPIC_PRICES_RAW,
  seriesNormalized: TOPIC_SERIES_NORMALIZED,
  seriesDlq: TOPIC_SERIES_DLQ,
  seriesRaw: TOPIC_SERIES_RAW,
  curvesBuild: TOPIC_CURVES_BUILD,
  curvesDlq: TOPIC_CURVES_DLQ,
  scenariosRun: TOPIC_SCENARIOS_RUN,
  scenariosDlq: TOPIC_SCENARIOS_DLQ,
  exportsRun: TOPIC_EXPORTS_RUN,
  exportsDlq: TOPIC_EXPORTS_DLQ,
  reportsRender: TOPIC_REPORTS_RENDER,
  reportsDlq: TOPIC_REPORTS_DLQ,
  jobsProgress: TOPIC_JOBS_PROGRESS,
} as const
export type KnownTopic = (typeof TOPICS)[keyof typeof TOPICS]

export type BusMessage = {
  /** Decides ordering: messages with the same key are delivered in publish order. */
  key: string
  value: Buffer | string
  headers?: Record<string, string>
}

export type ReceivedMessage = BusMessage & {
  /** Always a Buffer on delivery (a published string arrives as its UTF-8 bytes). */
  value: Buffer
  /**
   * The value as text, when the bus holds it as text (the in-process bus, for a well-formed
   * string published): exactly what decoding `value` as UTF-8 gives, without the decoding.
   * Undefined otherwise (Kafka): decode `value`.
   */
  text?: string
  /** Always present on delivery ({} when none were published). */
  headers: Record<string, string>
  /** The message's position in its partition, a decimal integer string (Kafka offsets are int64). */
  offset: string
  /** Milliseconds since the epoch, set when the message was appended. */
  timestamp: number
}

export type Batch = {
  topic: string
  partition: number
  /** At least one message, in offset order. */
  messages: ReceivedMessage[]
}

export type SubscribeOptions = {
  topic: string
  groupId: string
  /** Where a group WITHOUT committed offsets starts: the oldest retained message (true) or the end (false, default). */
  fromBeginning?: boolean
  /** Largest batch handed to the handler (default 500). A committed offset lands on a batch boundary. */
  maxBatchSize?: number
  /** Resolve = commit the batch; throw = the same batch is delivered again after a backoff. */
  handler: (batch: Batch) => Promise<void>
  /**
   * Failures of one message (beyond the first attempt) after which it is dead-lettered (default:
   * the bus's, 5). Transient failures (`isTransientError`) do not count.
   */
  maxRetries?: number
  /** Where a message that exceeded the retry limit goes (default `deadLetterTopicFor(topic)`). */
  deadLetterTopic?: string
}

/** Stores dead letters durably before the bus appends them (see `publish` to a `.dlq` topic). */
export type DeadLetterSink = {
  record(topic: string, messages: readonly BusMessage[]): Promise<void>
}

export type Subscription = {
  /**
   * Stops delivery and leaves the group. Waits for an in-flight handler call to settle (its
   * batch is committed if it resolved); a batch waiting for a retry is abandoned uncommitted.
   * Idempotent.
   */
  stop(): Promise<void>
}

export type Bus = {
  /** 'kafka' or 'in-process'. */
  readonly kind: 'kafka' | 'in-process'
  /**
   * Appends the messages, in order. Resolves once the bus holds them (Kafka: acknowledged by all
   * in-sync replicas, acks -1). Never waits for consumers.
   */
  publish(topic: string, messages: BusMessage[]): Promise<void>
  subscribe(options: SubscribeOptions): Promise<Subscription>
  /**
   * In-process bus only: messages of `topic` the group has not committed. The embedded bus is not
   * durable, so a clean shutdown waits for its consumers to reach 0 (Kafka keeps them; no method).
   */
  unconsumed?(topic: string, groupId: string): number
  /**
   * Messages of `topic` the group has not committed, over all partitions (a group that never
   * committed: everything retained). Null when the brokers cannot tell.
   */
  lag(topic: string, groupId: string): Promise<number | null>
  /** Stops every subscription and releases connections; the bus is unusable afterwards. Idempotent. */
  close(): Promise<void>
}

export const DEFAULT_MAX_BATCH_SIZE = 500
/** Retries of a failing message before it is dead-lettered, unless the bus or subscription says otherwise. */
export const DEFAULT_MAX_RETRIES = 5
/** Longest `reason` header a dead letter carries. */
export const MAX_DEAD_LETTER_REASON = 1_000

const DEAD_LETTER_TOPICS: Record<string, string> = {
  [TOPIC_PRICES_NORMALIZED]: TOPIC_PRICES_DLQ,
  [TOPIC_PRICES_RAW]: TOPIC_PRICES_DLQ,
  [TOPIC_CURVES_BUILD]: TOPIC_CURVES_DLQ,
  [TOPIC_SCENARIOS_RUN]: TOPIC_SCENARIOS_DLQ,
  [TOPIC_EXPORTS_RUN]: TOPIC_EXPORTS_DLQ,
  [TOPIC_REPORTS_RENDER]: TOPIC_REPORTS_DLQ,
}

/** A topic's dead-letter topic: prices.* -> prices.dlq, curves.build -> curves.dlq, scenarios.run -> scenarios.dlq, else `<topic>.dlq`. */
export function deadLetterTopicFor(topic: string): string {
  return DEAD_LETTER_TOPICS[topic] ?? `${topic}.dlq`
}

/** Dead-letter topics are the ones named `*.dlq`. */
export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith('.dlq')
}
/** Backoff before a failed batch is delivered again: doubles from the first to the last value. */
export const RETRY_BACKOFF_MS = { initial: 100, max: 5_000 } as const

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/

/** Kafka's rule for topic names, enforced by both adapters so embedded code cannot drift. */
export function isValidTopicName(topic: string): boolean {
  return TOPIC_NAME.test(topic) && topic !== '.' && topic !== '..'
}

/** The backoff before retry number `attempt` (1 = the first retry). */
export function retryDelayMs(attempt: number): number {
  return Math.min(RETRY_BACKOFF_MS.max, RETRY_BACKOFF_MS.initial * 2 ** Math.max(0, attempt - 1))
}
