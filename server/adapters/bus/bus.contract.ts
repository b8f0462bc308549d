import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { pino, type Logger } from 'pino'
import { describe, it, type TestContext } from 'vitest'
import { AppError } from '../../errors.ts'
import type { Batch, Bus, BusMessage, DeadLetterSink, ReceivedMessage, Subscription } from './types.ts'

/**
 * The delivery contract of types.ts, as tests, run against every adapter: `in-process.int.test.ts`
 * and `kafka.int.test.ts` call `busContract` with a factory for their bus. Every test uses topic
 * and group names of its own, so one broker (one mock cluster) serves a whole file.
 */
export type BusUnderTest = {
  /** A new bus whose logs go to `log` (and dead letters to `deadLetters`, when given). */
  open(log: Logger, options?: { deadLetters?: DeadLetterSink }): Bus
  /** argv for close-check.script.ts: how a child process opens the same kind of bus. */
  closeCheckArgs(): string[]
  /** How long to wait after the expected messages arrived before asserting nothing more comes. */
  quietMs: number
  /** Run the tests of the suite concurrently (they share no state but the broker). */
  concurrent?: boolean
}

export type LogEntry = { level: number; msg: string; [field: string]: unknown }

/** A pino logger that keeps its entries in memory (level debug). */
export function capturingLogger(): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = []
  const log = pino({ level: 'debug' }, { write: (line: string) => void entries.push(JSON.parse(line) as LogEntry) })
  return { log, entries }
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`
}

/**
 * Polls until `condition` holds or `timeoutMs` passed, and returns whether it held. It does not
 * throw: the assertions that follow fail with a readable diff of what did arrive.
 */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const seqOf = (m: ReceivedMessage) => (JSON.parse(m.value.toString('utf8')) as { seq: number }).seq
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
const PINO_WARN = 40

export function busContract(name: string, subject: BusUnderTest) {
  // Tests share nothing but the broker (own topics, groups, bus and log each), so an adapter whose
  // tests mostly wait (Kafka: ~3 s per group join on the mock) can run them concurrently.
  const suite = subject.concurrent ? describe.concurrent : describe
  suite(`bus contract: ${name}`, () => {
    /** A bus of the adapter under test, with its own captured log, closed when the test finishes. */
    function openBus(context: TestContext, options?: { deadLetters?: DeadLetterSink }): Bus & { entries: LogEntry[] } {
      const { log, entries } = capturingLogger()
      const bus = subject.open(log, options)
      context.onTestFinished(() => bus.close())
      return Object.assign(bus, { entries })
    }

    it('round-trips key, string and Buffer values and headers, with offsets and timestamps', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.roundtrip')
      const got: Batch[] = []
      const before = Date.now()
      const sub = await bus.subscribe({ topic, groupId: uniqueName('g'), fromBeginning: true, handler: async (b) => void got.push(b) })
      await bus.publish(topic, [
        { key: 'MISO:ALTE.ALTE', value: '{"lmp":31.5}', headers: { 'content-type': 'application/json', schema: 'price.v1' } },
        { key: 'CAISO:TH_NP15', value: Buffer.from([0, 1, 2, 255]), headers: { empty: '' } },
        { key: 'ERCOT:HB_NORTH', value: 'no headers' },
      ])
      await waitFor(() => got.flatMap((b) => b.messages).length >= 3, 20_000)
      await delay(subject.quietMs)
      const messages = got.flatMap((b) => b.messages)
      expect(messages).toHaveLength(3)
      const byKey = new Map(messages.map((m) => [m.key, m]))
      expect(byKey.get('MISO:ALTE.ALTE')?.value).toEqual(Buffer.from('{"lmp":31.5}'))
      expect(byKey.get('MISO:ALTE.ALTE')?.headers).toEqual({ 'content-type': 'application/json', schema: 'price.v1' })
      expect(byKey.get('CAISO:TH_NP15')?.value).toEqual(Buffer.from([0, 1, 2, 255]))
      expect(byKey.get('CAISO:TH_NP15')?.headers).toEqual({ empty: '' })
      expect(byKey.get('ERCOT:HB_NORTH')?.value.toString()).toBe('no headers')
      expect(byKey.get('ERCOT:HB_NORTH')?.headers).toEqual({})
      for (const batch of got) {
        expect(batch.topic).toBe(topic)
        expect(Number.isInteger(batch.partition)).toBe(true)
      }
      for (const m of messages) {
        expect(Buffer.isBuffer(m.value)).toBe(true)
        expect(m.offset).toMatch(/^\d+$/)
        expect(m.timestamp).toBeGreaterThanOrEqual(before - 1_000)
        expect(m.timestamp).toBeLessThanOrEqual(Date.now() + 1_000)
      }
      await sub.stop()
    })

    it('keeps per-key order across 1,000 messages with 10 keys, each delivered once', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.order')
      const seen = new Map<string, number[]>()
      const sizes: number[] = []
      let total = 0
      const sub = await bus.subscribe({
        topic,
        groupId: uniqueName('g'),
        fromBeginning: true,
        maxBatchSize: 37, // not a divisor of anything here: batch edges land mid-key-run
        handler: async (batch) => {
          sizes.push(batch.messages.length)
          for (const m of batch.messages) {
            const list = seen.get(m.key) ?? []
            list.push(seqOf(m))
            seen.set(m.key, list)
            total++
          }
        },
      })
      // Ten sequential publishes of 100: order must hold across requests, not only inside one.
      for (let round = 0; round < 10; round++) {
        await bus.publish(
          topic,
          range(round * 100, round * 100 + 99).map((seq) => ({ key: `node-${seq % 10}`, value: JSON.stringify({ seq }) })),
        )
      }
      await waitFor(() => total >= 1_000, 20_000)
      await delay(subject.quietMs)
      expect(total).toBe(1_000)
      expect(Math.min(...sizes)).toBeGreaterThan(0)
      expect(Math.max(...sizes)).toBeLessThanOrEqual(37)
      expect([...seen.keys()].sort()).toEqual(range(0, 9).map((k) => `node-${k}`))
      for (const [key, seqs] of seen) {
        const k = Number(key.slice('node-'.length))
        expect(seqs, `order of ${key}`).toEqual(range(0, 99).map((i) => i * 10 + k))
      }
      await sub.stop()
    })

    it('redelivers the same batch after a handler failure, before anything after it; nothing lost or skipped', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.retry')
      type Attempt = { partition: number; offsets: string[]; seqs: number[]; ok: boolean; at: number }
      const attempts: Attempt[] = []
      let failuresLeft = 2
      const processed: number[] = []
      await bus.publish(topic, range(0, 59).map((seq) => ({ key: 'one-node', value: JSON.stringify({ seq }) })))
      const sub = await bus.subscribe({
        topic,
        groupId: uniqueName('g'),
        fromBeginning: true,
        maxBatchSize: 10,
        handler: async (batch) => {
          const seqs = batch.messages.map(seqOf)
          const attempt: Attempt = { partition: batch.partition, offsets: batch.messages.map((m) => m.offset), seqs, ok: false, at: Date.now() }
          attempts.push(attempt)
          if (seqs.includes(25) && failuresLeft > 0) {
            failuresLeft--
            // Mutating the delivered Buffer must not change what is delivered again.
            batch.messages[0]!.value.fill(0)
            throw new Error('store unavailable (test)')
          }
          processed.push(...seqs)
          attempt.ok = true
        },
      })
      await waitFor(() => processed.length >= 60, 20_000)
      await delay(subject.quietMs)

      expect(processed).toEqual(range(0, 59))
      const failedAt = attempts.findIndex((a) => !a.ok)
      expect(failedAt).toBeGreaterThanOrEqual(0)
      const failed = attempts[failedAt]!
      // The two failures and the success that follows are the same batch: same offsets, same content.
      expect(attempts.slice(failedAt, failedAt + 3).map((a) => [a.offsets, a.seqs, a.ok])).toEqual([
        [failed.offsets, failed.seqs, false],
        [failed.offsets, failed.seqs, false],
        [failed.offsets, failed.seqs, true],
      ])
      expect(failed.seqs).toContain(25)
      // Redelivery waits for a backoff (100 ms, then 200 ms).
      expect(attempts[failedAt + 1]!.at - failed.at).toBeGreaterThanOrEqual(90)
      expect(attempts[failedAt + 2]!.at - attempts[failedAt + 1]!.at).toBeGreaterThanOrEqual(190)
      // Every successful delivery was of fresh offsets: nothing delivered twice after success.
      const okOffsets = attempts.filter((a) => a.ok).flatMap((a) => a.offsets)
      expect(new Set(okOffsets).size).toBe(60)
      const warnings = bus.entries.filter((e) => e.level === PINO_WARN && e.msg.includes('handler failed'))
      expect(warnings.map((w) => w.attempt)).toEqual([1, 2])
      expect(warnings[0]).toMatchObject({ topic, firstOffset: failed.offsets[0], lastOffset: failed.offsets.at(-1) })
      expect(JSON.stringify(warnings)).not.toContain('"seq"') // ids and offsets, never payloads
      await sub.stop()
    })

    it('dead-letters a poison message after its retries, with the error as reason, and goes on with the next ones', async (context) => {
      const { expect } = context
      // The sink sees every dead letter before the bus holds it (the platform stores them in PostgreSQL).
      const recorded: { topic: string; messages: BusMessage[] }[] = []
      const bus = openBus(context, { deadLetters: { record: async (topic, messages) => void recorded.push({ topic, messages: [...messages] }) } })
      const topic = uniqueName('contract.poison')
      const groupId = uniqueName('g')
      const maxRetries = 2
      const processed: number[] = []
      let poisonAttempts = 0
      const sub = await bus.subscribe({
        topic,
        groupId,
        fromBeginning: true,
        maxBatchSize: 4,
        maxRetries,
        handler: async (batch) => {
          for (const message of batch.messages) {
            const seq = seqOf(message)
            if (seq === 5) {
              poisonAttempts++
              throw new Error(`prior is not finite for seq ${seq} (test)`)
            }
          }
          processed.push(...batch.messages.map(seqOf))
        },
      })
      const dead: ReceivedMessage[] = []
      const dlq = await bus.subscribe({ topic: `${topic}.dlq`, groupId: uniqueName('g'), fromBeginning: true, handler: async (b) => void dead.push(...b.messages) })
      await bus.publish(topic, range(0, 11).map((seq) => ({ key: 'one-node', value: JSON.stringify({ seq }), headers: { origin: 'test' } })))
      await waitFor(() => processed.includes(11) && dead.length >= 1, 30_000)
      await delay(subject.quietMs)

      // Every other message is processed, in order; the poison one never.
      expect([...new Set(processed)]).toEqual(range(0, 11).filter((seq) => seq !== 5))
      // Its batch failed 1 + maxRetries times, then the message alone failed 1 + maxRetries times.
      expect(poisonAttempts).toBe(2 * (1 + maxRetries))
      expect(dead).toHaveLength(1)
      const [letter] = dead
      expect(seqOf(letter!)).toBe(5)
      expect(letter!.key).toBe('one-node')
      expect(letter!.headers).toMatchObject({
        origin: 'test',
        kind: 'handler-failed',
        reason: 'prior is not finite for seq 5 (test)',
        'source-topic': topic,
        'consumer-group': groupId,
        attempts: String(1 + maxRetries),
      })
      expect(letter!.headers['source-offset']).toMatch(/^\d+$/)
      expect(recorded.map((r) => [r.topic, r.messages.map((m) => m.headers?.['source-offset'])])).toEqual([[`${topic}.dlq`, [letter!.headers['source-offset']]]])
      // The group moved past it: nothing is left to deliver.
      let lag = await bus.lag(topic, groupId)
      for (let i = 0; i < 100 && lag !== 0; i++) {
        await delay(100)
        lag = await bus.lag(topic, groupId)
      }
      expect(lag).toBe(0)
      expect(bus.entries.some((e) => e.msg.startsWith('bus retry limit reached: message sent to the dead-letter topic'))).toBe(true)
      await Promise.all([sub.stop(), dlq.stop()])
    })

    it('never dead-letters during an outage: transient failures do not count toward the retry limit', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.outage')
      const deadLetterTopic = uniqueName('contract.outage-dead')
      let outageLeft = 4
      const processed: number[] = []
      const sub = await bus.subscribe({
        topic,
        groupId: uniqueName('g'),
        fromBeginning: true,
        maxRetries: 1,
        deadLetterTopic,
        handler: async (batch) => {
          if (outageLeft > 0) {
            outageLeft--
            throw new AppError('UNAVAILABLE', 'ClickHouse is unreachable (test)', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })
          }
          processed.push(...batch.messages.map(seqOf))
        },
      })
      const dead: ReceivedMessage[] = []
      const dlq = await bus.subscribe({ topic: deadLetterTopic, groupId: uniqueName('g'), fromBeginning: true, handler: async (b) => void dead.push(...b.messages) })
      await bus.publish(topic, range(0, 2).map((seq) => ({ key: 'k', value: JSON.stringify({ seq }) })))
      await waitFor(() => processed.length >= 3, 30_000)
      await delay(subject.quietMs)
      expect(processed).toEqual([0, 1, 2])
      expect(outageLeft).toBe(0)
      expect(dead).toEqual([])
      await Promise.all([sub.stop(), dlq.stop()])
    })

    it('resumes a restarted group exactly at its committed offset (41..160 once each)', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.resume')
      const groupId = uniqueName('g')
      await bus.publish(topic, range(1, 100).map((seq) => ({ key: 'one-node', value: JSON.stringify({ seq }) })))

      // First life: batches of one message, commits after each; message 41 keeps failing, so the
      // committed offset stays right after message 40 when the subscription stops.
      const firstLife: number[] = []
      let refusals = 0
      const first = await bus.subscribe({
        topic,
        groupId,
        fromBeginning: true,
        maxBatchSize: 1,
        handler: async (batch) => {
          const seq = seqOf(batch.messages[0]!)
          if (seq > 40) {
            refusals++
            throw new Error('shutting down (test)')
          }
          firstLife.push(seq)
        },
      })
      await waitFor(() => firstLife.length >= 40 && refusals >= 1, 20_000)
      await first.stop()
      expect(firstLife).toEqual(range(1, 40))
      expect(refusals).toBeGreaterThanOrEqual(1)

      await bus.publish(topic, range(101, 160).map((seq) => ({ key: 'one-node', value: JSON.stringify({ seq }) })))
      const secondLife: number[] = []
      const second = await bus.subscribe({
        topic,
        groupId,
        fromBeginning: true, // irrelevant: the group has a committed offset
        handler: async (batch) => void secondLife.push(...batch.messages.map(seqOf)),
      })
      await waitFor(() => secondLife.length >= 120, 20_000)
      await delay(subject.quietMs)
      expect(secondLife).toEqual(range(41, 160))
      await second.stop()
    })

    it('reports a group\'s lag: everything before it commits, 0 once it has read all', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.lag')
      const groupId = uniqueName('g')
      await bus.publish(topic, range(1, 30).map((i) => ({ key: `k${i % 4}`, value: String(i) })))
      expect(await bus.lag(topic, groupId)).toBe(30)
      let seen = 0
      const sub = await bus.subscribe({ topic, groupId, fromBeginning: true, handler: async (b) => void (seen += b.messages.length) })
      await waitFor(() => seen >= 30, 20_000)
      let lag = await bus.lag(topic, groupId)
      for (let i = 0; i < 100 && lag !== 0; i++) {
        await delay(100)
        lag = await bus.lag(topic, groupId)
      }
      expect(lag).toBe(0)
      await sub.stop()
    })

    it('delivers everything to each of two groups', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.groups')
      const a: number[] = []
      const b: number[] = []
      const subs = await Promise.all([
        bus.subscribe({ topic, groupId: uniqueName('ga'), fromBeginning: true, handler: async (x) => void a.push(...x.messages.map(seqOf)) }),
        bus.subscribe({ topic, groupId: uniqueName('gb'), fromBeginning: true, handler: async (x) => void b.push(...x.messages.map(seqOf)) }),
      ])
      await bus.publish(topic, range(0, 199).map((seq) => ({ key: `node-${seq % 5}`, value: JSON.stringify({ seq }) })))
      await waitFor(() => a.length >= 200 && b.length >= 200, 20_000)
      await delay(subject.quietMs)
      expect([...a].sort((x, y) => x - y)).toEqual(range(0, 199))
      expect([...b].sort((x, y) => x - y)).toEqual(range(0, 199))
      await Promise.all(subs.map((s) => s.stop()))
    })

    it('shares a group between two subscribers: every message once, each key with one of them, in order', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.shared')
      const groupId = uniqueName('g')
      type Got = { key: string; seq: number }
      const a: Got[] = []
      const b: Got[] = []
      const record = (into: Got[]) => async (batch: Batch) => void into.push(...batch.messages.map((m) => ({ key: m.key, seq: seqOf(m) })))
      // One after the other: the second join rebalances the group before anything is published.
      const first = await bus.subscribe({ topic, groupId, fromBeginning: true, handler: record(a) })
      const second = await bus.subscribe({ topic, groupId, fromBeginning: true, handler: record(b) })
      await bus.publish(topic, range(0, 399).map((seq) => ({ key: `node-${seq % 8}`, value: JSON.stringify({ seq }) })))
      await waitFor(() => a.length + b.length >= 400, 20_000)
      await delay(subject.quietMs)
      expect([...a, ...b].map((g) => g.seq).sort((x, y) => x - y)).toEqual(range(0, 399))
      const keysOf = (list: Got[]) => new Set(list.map((g) => g.key))
      for (const key of keysOf(a)) expect(keysOf(b).has(key), `${key} went to both subscribers`).toBe(false)
      for (const list of [a, b]) {
        for (const key of keysOf(list)) {
          const seqs = list.filter((g) => g.key === key).map((g) => g.seq)
          expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
        }
      }
      await Promise.all([first.stop(), second.stop()])
    })

    it('starts a new group at the end unless fromBeginning', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.latest')
      await bus.publish(topic, range(0, 9).map((seq) => ({ key: 'k', value: JSON.stringify({ seq }) })))
      const got: number[] = []
      const sub = await bus.subscribe({ topic, groupId: uniqueName('g'), handler: async (x) => void got.push(...x.messages.map(seqOf)) })
      await bus.publish(topic, range(10, 14).map((seq) => ({ key: 'k', value: JSON.stringify({ seq }) })))
      await waitFor(() => got.length >= 5, 20_000)
      await delay(subject.quietMs)
      expect(got).toEqual(range(10, 14))
      await sub.stop()
    })

    it('does not remember the starting position of a group that never committed', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.nocommit')
      const groupId = uniqueName('g')
      let attempts = 0
      const first = await bus.subscribe({
        topic,
        groupId,
        handler: async () => {
          attempts++
          throw new Error('failing before any commit (test)')
        },
      })
      await bus.publish(topic, [{ key: 'k', value: JSON.stringify({ seq: 1 }) }])
      await waitFor(() => attempts >= 1, 20_000)
      await first.stop()
      expect(attempts).toBeGreaterThanOrEqual(1)
      // Nothing committed: a new subscriber of the group without fromBeginning starts at the end...
      const got: number[] = []
      const second = await bus.subscribe({ topic, groupId, handler: async (b) => void got.push(...b.messages.map(seqOf)) })
      await bus.publish(topic, [{ key: 'k', value: JSON.stringify({ seq: 2 }) }])
      await waitFor(() => got.length >= 1, 20_000)
      await delay(subject.quietMs)
      expect(got).toEqual([2])
      await second.stop()
      // ...and one with fromBeginning starts at the oldest retained message (2 is committed now).
      const other = uniqueName('g')
      const all: number[] = []
      const third = await bus.subscribe({ topic, groupId: other, fromBeginning: true, handler: async (b) => void all.push(...b.messages.map(seqOf)) })
      await waitFor(() => all.length >= 2, 20_000)
      await delay(subject.quietMs)
      expect(all).toEqual([1, 2])
      await third.stop()
    })

    it('never blocks publish on a slow handler, and stop waits for the in-flight batch', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.slow')
      let release!: () => void
      const gate = new Promise<void>((resolve) => (release = resolve))
      let calls = 0
      let finished = 0
      const sub: Subscription = await bus.subscribe({
        topic,
        groupId: uniqueName('g'),
        fromBeginning: true,
        handler: async () => {
          calls++
          await gate
          finished++
        },
      })
      await bus.publish(topic, [{ key: 'k', value: 'first' }])
      await waitFor(() => calls === 1, 20_000)
      const started = Date.now()
      for (let i = 0; i < 20; i++) await bus.publish(topic, [{ key: 'k', value: `more ${i}` }])
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(calls).toBe(1) // one in-flight batch per subscription
      const stopped = sub.stop()
      let stopDone = false
      void stopped.then(() => (stopDone = true))
      await delay(100)
      expect(stopDone).toBe(false)
      release()
      await stopped
      expect(finished).toBe(1)
    })

    it('stops promptly while a failing batch waits for its retry, leaving it uncommitted', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      const topic = uniqueName('contract.stuck')
      const groupId = uniqueName('g')
      await bus.publish(topic, [0, 1].map((seq) => ({ key: 'k', value: JSON.stringify({ seq }) })))
      let attempts = 0
      const done: number[] = []
      const sub = await bus.subscribe({
        topic,
        groupId,
        fromBeginning: true,
        maxBatchSize: 1,
        handler: async (batch) => {
          const seq = seqOf(batch.messages[0]!)
          if (seq === 0) return void done.push(seq)
          attempts++
          throw new Error('always failing (test)')
        },
      })
      // Backoffs 100, 200, 400, 800 ms: the 5th attempt is followed by a 1.6 s wait.
      await waitFor(() => attempts >= 5, 20_000)
      expect(attempts).toBeGreaterThanOrEqual(5)
      const started = Date.now()
      await sub.stop()
      expect(Date.now() - started).toBeLessThan(1_500)
      const attemptsAtStop = attempts
      await delay(subject.quietMs)
      expect(attempts).toBe(attemptsAtStop)
      expect(done).toEqual([0])
      // Message 0 was committed, message 1 was not: the group resumes at message 1.
      const again: number[] = []
      const next = await bus.subscribe({ topic, groupId, handler: async (b) => void again.push(...b.messages.map(seqOf)) })
      await waitFor(() => again.length >= 1, 20_000)
      expect(again).toEqual([1])
      await next.stop()
    })

    it('rejects bad topic names and messages, and use after close', async (context) => {
      const { expect } = context
      const bus = openBus(context)
      await expect(bus.publish('bad topic', [{ key: 'k', value: 'v' }])).rejects.toBeInstanceOf(AppError)
      await expect(bus.publish(uniqueName('t'), [{ key: 1 as unknown as string, value: 'v' }])).rejects.toThrow(/string key/)
      await expect(bus.publish(uniqueName('t'), [{ key: 'k', value: 5 as unknown as string }])).rejects.toThrow(/Buffer or a string/)
      await expect(bus.subscribe({ topic: 'x/y', groupId: 'g', handler: async () => {} })).rejects.toBeInstanceOf(AppError)
      await bus.publish(uniqueName('t'), []) // empty publish is a no-op
      await bus.close()
      await bus.close() // idempotent
      await expect(bus.publish(uniqueName('t'), [{ key: 'k', value: 'v' }])).rejects.toMatchObject({ code: 'UNAVAILABLE' })
      await expect(bus.subscribe({ topic: uniqueName('t'), groupId: 'g', handler: async () => {} })).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    })

    it('closes cleanly: a process that used the bus exits by itself after close()', async ({ expect }) => {
      const script = fileURLToPath(new URL('./close-check.script.ts', import.meta.url))
      const child = spawn(process.execPath, ['--import', 'tsx', script, ...subject.closeCheckArgs()], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
      const exit = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL')
          resolve({ code: null, timedOut: true })
        }, 25_000)
        child.once('exit', (code) => {
          clearTimeout(timer)
          resolve({ code, timedOut: false })
        })
      })
      expect(exit, out).toEqual({ code: 0, timedOut: false })
      expect(out).toContain('received 25')
      expect(out).toContain('closed')
      expect(out).not.toContain('handles still open')
    })
  })
}
