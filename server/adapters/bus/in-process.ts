import type { Logger } from 'pino'
import { assertMaxRetries, assertMessages, assertTopic, closedError, deliverChunk, recordDeadLetters, silentLogger, sleep, subscribeDefaults } from './shared.ts'
import { publishTraced } from './tracing.ts'
import {
  DEFAULT_MAX_RETRIES,
  type Bus,
  type DeadLetterSink,
  type BusMessage,
  type ReceivedMessage,
  type SubscribeOptions,
  type Subscription,
} from './types.ts'

/**
 * The embedded bus: one append-only, in-memory log per topic (a single-partition topic, partition
 * 0) with committed offsets per consumer group, and the delivery semantics documented in types.ts.
 *
 * NOT durable. Everything lives in this process's memory: on restart, messages that were published
 * but not yet committed by a group, and the groups' offsets, are gone. That is acceptable for the
 * embedded default only because the bus carries no state of its own: durable state lives in the
 * stores (PostgreSQL: ingestion watermarks, job rows; ClickHouse: prices), and producers re-derive
 * what to publish from those watermarks when they start. Production uses Kafka (KAFKA_BROKERS).
 *
 * Retention: at most `maxRetainedPerTopic` messages are kept per topic, by dropping the oldest ones
 * that every known group has committed (a topic no group has subscribed to keeps its newest N, so a
 * later `fromBeginning` subscriber sees them). Messages a group has not yet committed are never
 * dropped: a stalled consumer makes its topic grow past the bound (logged once at warn each time it
 * crosses it), like Kafka lag except that memory is the limit. That includes a group whose
 * subscribers all stopped: it keeps its committed offset, and what it has not read, so that a
 * restarted subscriber resumes without a gap (Kafka would drop by retention time instead).
 *
 * Delivery is asynchronous and never blocks publish: publish appends and wakes the subscribers;
 * each subscription's loop delivers one batch at a time (at most maxBatchSize messages).
 */
export type InProcessBusOptions = {
  /** Messages kept per topic once every group has committed them (default 100,000). */
  maxRetainedPerTopic?: number
  /**
   * Offset of each topic's first message (default 0). The embedded platform starts at
   * `Date.now() * 1000` so offsets keep increasing across restarts (the live stream's event ids
   * are offsets); they stay below 2^53 for centuries.
   */
  firstOffset?: number
  log?: Logger
  /** Retries of a failing message before it is dead-lettered, for subscriptions that set none (default 5). */
  maxRetries?: number
  /** Stores messages published to `*.dlq` topics before they are appended (the platform: PostgreSQL). */
  deadLetters?: DeadLetterSink
}

export const DEFAULT_MAX_RETAINED_PER_TOPIC = 100_000

/** No lone surrogate (which UTF-8 bytes would carry as U+FFFD): String#isWellFormed, Node 20's, not yet in the ES2023 lib types. */
const wellFormed = (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed()

/**
 * A retained message. A string value is kept as the string (immutable, one compact object) and
 * becomes bytes only in a delivery; a Buffer value is a private copy. Headers are a private copy,
 * shared by the messages of one publish call that were given the same headers object.
 */
type Stored = { key: string; value: Buffer | string; headers: Readonly<Record<string, string>>; timestamp: number }

/**
 * The values of `entries` end to end in one new Buffer, with where each one ends. When every
 * value is text and all of it is ASCII (JSON of the canonical records is), the texts are encoded
 * in one step and a value's end is its running length in characters; otherwise each value is
 * measured and copied on its own.
 */
function valueBytes(entries: readonly Stored[]): { values: Buffer; at: number[] } {
  const at = new Array<number>(entries.length)
  if (entries.every((stored) => typeof stored.value === 'string')) {
    const texts = entries.map((stored) => stored.value as string)
    const values = Buffer.from(texts.join(''), 'utf8')
    let end = 0
    texts.forEach((text, i) => (at[i] = end += text.length))
    if (end === values.length) return { values, at }
  }
  let total = 0
  entries.forEach((stored, i) => (at[i] = total += typeof stored.value === 'string' ? Buffer.byteLength(stored.value, 'utf8') : stored.value.length))
  const values = Buffer.allocUnsafe(total)
  entries.forEach((stored, i) => {
    const start = i === 0 ? 0 : at[i - 1]!
    if (typeof stored.value === 'string') values.write(stored.value, start, 'utf8')
    else stored.value.copy(values, start)
  })
  return { values, at }
}

type Member = {
  options: ReturnType<typeof subscribeDefaults>
  stopped: boolean
  /**
   * Where this member reads while its group has committed nothing: decided when it first owns the
   * partition (oldest retained if fromBeginning, else the end), kept in memory only, like a
   * kafkajs consumer's position for a partition without a committed offset.
   */
  position?: number
  /** Wakes the loop when it waits for messages or for ownership. */
  wake(): void
  waiting?: () => void
  /** Cuts a retry backoff short on stop. */
  abort: AbortController
  loop?: Promise<void>
}

type Group = {
  /** The committed offset: the next offset to deliver (Kafka's convention). Unset until the first commit. */
  committed?: number
  /** Subscribers in join order; the first one not stopped owns the partition. */
  members: Member[]
}

type TopicLog = {
  name: string
  /** Live messages are entries[head..]; entries before head were dropped and are compacted away lazily. */
  entries: (Stored | undefined)[]
  head: number
  /** Offset of entries[head]. */
  base: number
  groups: Map<string, Group>
  overBound: boolean
}

export function createInProcessBus(options: InProcessBusOptions = {}): Bus {
  const log = (options.log ?? silentLogger()).child({ component: 'bus', bus: 'in-process' })
  const bound = options.maxRetainedPerTopic ?? DEFAULT_MAX_RETAINED_PER_TOPIC
  if (!Number.isInteger(bound) || bound < 1) throw new TypeError('maxRetainedPerTopic must be a positive integer')
  const busMaxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
  assertMaxRetries('maxRetries', busMaxRetries)
  const firstOffset = options.firstOffset ?? 0
  if (!Number.isSafeInteger(firstOffset) || firstOffset < 0) throw new TypeError('firstOffset must be a non-negative safe integer')
  const topics = new Map<string, TopicLog>()
  const members = new Set<{ topic: TopicLog; group: Group; member: Member }>()
  let closed = false

  function topicLog(name: string): TopicLog {
    let t = topics.get(name)
    if (!t) {
      t = { name, entries: [], head: 0, base: firstOffset, groups: new Map(), overBound: false }
      topics.set(name, t)
    }
    return t
  }

  const size = (t: TopicLog) => t.entries.length - t.head
  const end = (t: TopicLog) => t.base + size(t)

  function trim(t: TopicLog) {
    const excess = size(t) - bound
    if (excess <= 0) {
      t.overBound = false
      return
    }
    let floor = end(t)
    for (const group of t.groups.values()) {
      const at = readPosition(group)
      if (at !== undefined) floor = Math.min(floor, at)
    }
    const drop = Math.min(excess, floor - t.base)
    if (drop > 0) {
      for (let i = t.head; i < t.head + drop; i++) t.entries[i] = undefined
      t.head += drop
      t.base += drop
      // Compact once the dropped prefix is at least half the array: amortized O(1) per message.
      if (t.head >= t.entries.length / 2) {
        t.entries = t.entries.slice(t.head)
        t.head = 0
      }
    }
    const over = size(t) > bound
    if (over && !t.overBound) {
      const behind = [...t.groups].filter(([, g]) => (readPosition(g) ?? Infinity) < end(t) - bound).map(([id]) => id)
      log.warn({ topic: t.name, retained: size(t), bound, groups: behind }, 'bus topic holds more than its retention bound: groups have not committed')
    }
    t.overBound = over
  }

  function owner(group: Group): Member | undefined {
    return group.members.find((m) => !m.stopped)
  }

  /** Where the group reads next: its committed offset, or its owner's in-memory position. */
  function readPosition(group: Group): number | undefined {
    return group.committed ?? owner(group)?.position
  }

  function wakeGroup(group: Group) {
    owner(group)?.wake()
  }

  /**
   * The messages from `offset` on, as one delivery receives them: fresh copies, like a Kafka
   * fetch, so a handler mutating them cannot change a redelivery. The values are copied into one
   * Buffer per delivery and handed out as views of it (one allocation, not one per message).
   * When every value was published as well-formed text, each message also carries it as `text`:
   * a consumer that reads the texts (the prices consumer) does not decode the bytes again.
   */
  function receivedBatch(t: TopicLog, offset: number, count: number): ReceivedMessage[] {
    const entries = new Array<Stored>(count)
    for (let i = 0; i < count; i++) {
      const stored = t.entries[t.head + (offset + i - t.base)]
      if (!stored) throw new Error(`in-process bus: offset ${offset + i} of ${t.name} is not retained`)
      entries[i] = stored
    }
    const ends = valueBytes(entries)
    const texts = entries.every((stored) => typeof stored.value === 'string' && wellFormed(stored.value))
    return entries.map((stored, i) => ({
      key: stored.key,
      value: ends.values.subarray(i === 0 ? 0 : ends.at[i - 1], ends.at[i]),
      text: texts ? (stored.value as string) : undefined,
      headers: { ...stored.headers },
      offset: String(offset + i),
      timestamp: stored.timestamp,
    }))
  }

  async function run(t: TopicLog, group: Group, member: Member) {
    const { maxBatchSize } = member.options
    const waitForWake = () =>
      new Promise<void>((resolve) => {
        member.waiting = resolve
      })
    while (!member.stopped) {
      if (owner(group) !== member) {
        await waitForWake()
        continue
      }
      if (group.committed === undefined && member.position === undefined) {
        member.position = member.options.fromBeginning ? t.base : end(t)
      }
      const start = (group.committed ?? member.position)!
      if (start >= end(t)) {
        await waitForWake()
        continue
      }
      const count = Math.min(maxBatchSize, end(t) - start)
      const commit = (next: number) => {
        // Only the owner advances the offset, and it is the only one delivering: no race.
        group.committed = next
        member.position = next
      }
      const delivered = await deliverChunk({
        settings: member.options,
        system: 'in-process',
        partition: 0,
        // Built per attempt: every delivery gets fresh Buffers.
        messages: () => receivedBatch(t, start, count),
        publish: (topic, messages) => bus.publish(topic, messages),
        commit: async (offset) => commit(Number(offset) + 1),
        wait: (ms) => sleep(ms, member.abort.signal),
        stopped: () => member.stopped,
        log,
      })
      if (!delivered) return
      group.committed = start + count
      member.position = group.committed
      trim(t)
      // Yield to the event loop between batches so a busy topic cannot starve timers and I/O.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }

  const bus: Bus = {
    kind: 'in-process',

    unconsumed(topic: string, groupId: string): number {
      const t = topics.get(topic)
      const group = t?.groups.get(groupId)
      if (!t || !group) return 0
      return end(t) - (readPosition(group) ?? end(t))
    },

    async lag(topic: string, groupId: string) {
      const t = topics.get(topic)
      if (!t) return 0
      const group = t.groups.get(groupId)
      return end(t) - (group?.committed ?? t.base)
    },

    async publish(topic: string, messages: BusMessage[]) {
      if (closed) throw closedError()
      assertTopic(topic)
      assertMessages(topic, messages)
      if (messages.length === 0) return
      // A PRODUCER span; every message carries its traceparent (tracing.ts).
      await publishTraced('in-process', topic, messages, async (stamped) => {
        await recordDeadLetters(options.deadLetters, topic, stamped)
        if (closed) throw closedError()
        const t = topicLog(topic)
        const timestamp = Date.now()
        let given: BusMessage['headers']
        let copied: Stored['headers'] = {}
        for (const message of stamped) {
          // Copies: the caller may reuse its Buffer or change its headers after publish resolves.
          if (message.headers !== given || given === undefined) {
            given = message.headers
            copied = Object.freeze({ ...message.headers })
          }
          t.entries.push({
            key: message.key,
            value: typeof message.value === 'string' ? message.value : Buffer.from(message.value),
            headers: copied,
            timestamp,
          })
        }
        trim(t)
        for (const group of t.groups.values()) wakeGroup(group)
      })
    },

    async subscribe(raw: SubscribeOptions): Promise<Subscription> {
      if (closed) throw closedError()
      const opts = subscribeDefaults(raw, busMaxRetries)
      const t = topicLog(opts.topic)
      let group = t.groups.get(opts.groupId)
      if (!group) {
        group = { members: [] }
        t.groups.set(opts.groupId, group)
      }
      const member: Member = {
        options: opts,
        stopped: false,
        abort: new AbortController(),
        wake() {
          const resolve = member.waiting
          member.waiting = undefined
          // On a later turn of the event loop: handler code never runs inside publish's caller's
          // microtask chain (a publishing loop is not interleaved with deliveries).
          if (resolve) setImmediate(resolve)
        },
      }
      group.members.push(member)
      const entry = { topic: t, group, member }
      members.add(entry)
      const g = group
      member.loop = run(t, g, member).catch((error: unknown) => {
        // run() itself does not throw (handler errors are retried); this is a bug guard.
        log.error({ topic: t.name, groupId: opts.groupId, err: error }, 'bus delivery loop failed')
      })
      log.debug({ topic: t.name, groupId: opts.groupId, committed: g.committed }, 'bus subscribed')

      let stopping: Promise<void> | undefined
      return {
        stop() {
          stopping ??= (async () => {
            member.stopped = true
            member.abort.abort()
            member.wake()
            await member.loop
            g.members.splice(g.members.indexOf(member), 1)
            members.delete(entry)
            // A standby member of the same group takes over at the committed offset.
            wakeGroup(g)
            log.debug({ topic: t.name, groupId: opts.groupId, committed: g.committed }, 'bus subscription stopped')
          })()
          return stopping
        },
      }
    },

    async close() {
      if (closed) return
      closed = true
      const entries = [...members]
      for (const { member } of entries) {
        member.stopped = true
        member.abort.abort()
        member.wake()
      }
      await Promise.all(entries.map(({ member }) => member.loop))
      members.clear()
      topics.clear()
    },
  }
  return bus
}
