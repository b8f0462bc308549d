import { describe, expect, it } from 'vitest'
import { capturingLogger, waitFor } from './bus.contract.ts'
import { createInProcessBus } from './in-process.ts'
import type { Batch } from './types.ts'

// What only the in-process adapter promises (the shared contract runs in in-process.int.test.ts).

const values = (batches: Batch[]) => batches.flatMap((b) => b.messages.map((m) => m.value.toString()))
const msgs = (from: number, to: number, key = (i: number) => `k${i % 3}`) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ key: key(from + i), value: String(from + i) }))

describe('createInProcessBus', () => {
  it('keeps one total order per topic (a single partition), across keys', async () => {
    const bus = createInProcessBus()
    const got: Batch[] = []
    await bus.publish('t', msgs(0, 299))
    const sub = await bus.subscribe({ topic: 't', groupId: 'g', fromBeginning: true, maxBatchSize: 64, handler: async (b) => void got.push(b) })
    await waitFor(() => values(got).length >= 300, 5_000)
    expect(values(got)).toEqual(Array.from({ length: 300 }, (_, i) => String(i)))
    expect(got.map((b) => b.messages.length)).toEqual([64, 64, 64, 64, 44])
    expect(new Set(got.map((b) => b.partition))).toEqual(new Set([0]))
    expect(got.flatMap((b) => b.messages.map((m) => Number(m.offset)))).toEqual(Array.from({ length: 300 }, (_, i) => i))
    await sub.stop()
    await bus.close()
  })

  it('delivers every value byte for byte: text in any script, Buffers, both in one batch, a Buffer changed after publishing', async () => {
    const bus = createInProcessBus()
    const got: Batch[] = []
    const reused = Buffer.from('bytes \u0000\xff', 'latin1')
    const sent = ['{"node":"A"}', 'Zürich – 東京 😀', '', 'plain']
    await bus.publish('ascii', sent.filter((v) => Buffer.byteLength(v) === v.length).map((value) => ({ key: 'k', value })))
    await bus.publish('text', sent.map((value) => ({ key: 'k', value })))
    await bus.publish('mixed', [...sent.map((value) => ({ key: 'k', value })), { key: 'k', value: reused }])
    reused.fill(0)
    const subs = await Promise.all(
      ['ascii', 'text', 'mixed'].map((topic) => bus.subscribe({ topic, groupId: 'g', fromBeginning: true, handler: async (b) => void got.push(b) })),
    )
    await waitFor(() => got.flatMap((b) => b.messages).length >= 12, 5_000)
    const byTopic = (topic: string) => got.filter((b) => b.topic === topic).flatMap((b) => b.messages.map((m) => m.value))
    expect(byTopic('ascii').map((v) => v.toString('utf8'))).toEqual(['{"node":"A"}', '', 'plain'])
    expect(byTopic('text').map((v) => v.toString('utf8'))).toEqual(sent)
    expect(byTopic('mixed').map((v) => v.toString('utf8')).slice(0, 4)).toEqual(sent)
    expect(byTopic('mixed')[4]!.equals(Buffer.from('bytes \u0000\xff', 'latin1'))).toBe(true)
    for (const sub of subs) await sub.stop()
    await bus.close()
  })

  it('hands text values over as text too, exactly what their bytes decode to; none when a value is bytes or not well-formed', async () => {
    const bus = createInProcessBus()
    const got: Batch[] = []
    const sent = ['{"node":"A"}', 'Zürich – 東京 😀', '']
    await bus.publish('text', sent.map((value) => ({ key: 'k', value })))
    await bus.publish('lone', [...sent, 'half \ud83d pair'].map((value) => ({ key: 'k', value })))
    await bus.publish('bytes', [{ key: 'k', value: 'text' }, { key: 'k', value: Buffer.from('raw') }])
    const subs = await Promise.all(
      ['text', 'lone', 'bytes'].map((topic) => bus.subscribe({ topic, groupId: 'g', fromBeginning: true, handler: async (b) => void got.push(b) })),
    )
    await waitFor(() => got.flatMap((b) => b.messages).length >= 9, 5_000)
    const byTopic = (topic: string) => got.filter((b) => b.topic === topic).flatMap((b) => b.messages)
    expect(byTopic('text').map((m) => m.text)).toEqual(sent)
    expect(byTopic('text').map((m) => m.value.toString('utf8'))).toEqual(sent)
    // A lone surrogate arrives as U+FFFD in the bytes, so text would not match them: none is given.
    expect(byTopic('lone').map((m) => m.text)).toEqual([undefined, undefined, undefined, undefined])
    expect(byTopic('lone')[3]!.value.toString('utf8')).toBe('half \ufffd pair')
    expect(byTopic('bytes').map((m) => m.text)).toEqual([undefined, undefined])
    for (const sub of subs) await sub.stop()
    await bus.close()
  })

  it('starts offsets at firstOffset, so a restarted embedded bus continues above the last one', async () => {
    const first = 1_795_000_000_000_000
    const bus = createInProcessBus({ firstOffset: first })
    const got: Batch[] = []
    await bus.publish('t', msgs(0, 4))
    const sub = await bus.subscribe({ topic: 't', groupId: 'g', fromBeginning: true, handler: async (b) => void got.push(b) })
    await waitFor(() => values(got).length >= 5, 5_000)
    expect(got.flatMap((b) => b.messages.map((m) => m.offset))).toEqual(['1795000000000000', '1795000000000001', '1795000000000002', '1795000000000003', '1795000000000004'])
    await sub.stop()
    await bus.close()
    expect(() => createInProcessBus({ firstOffset: 2 ** 53 })).toThrow(/safe integer/)
  })

  it('counts what a group has not committed yet (unconsumed), down to 0', async () => {
    const bus = createInProcessBus()
    await bus.publish('t', msgs(0, 9))
    expect(bus.unconsumed?.('t', 'g')).toBe(0) // no such group yet
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const sub = await bus.subscribe({ topic: 't', groupId: 'g', fromBeginning: true, maxBatchSize: 4, handler: () => gate })
    expect(bus.unconsumed?.('t', 'g')).toBe(10)
    release()
    await waitFor(() => bus.unconsumed?.('t', 'g') === 0, 5_000)
    await bus.publish('t', msgs(10, 12))
    await waitFor(() => bus.unconsumed?.('t', 'g') === 0, 5_000)
    await sub.stop()
    await bus.close()
  })

  it('keeps the newest maxRetainedPerTopic messages of a topic no group reads', async () => {
    const bus = createInProcessBus({ maxRetainedPerTopic: 10 })
    await bus.publish('t', msgs(0, 24))
    const got: Batch[] = []
    const sub = await bus.subscribe({ topic: 't', groupId: 'late', fromBeginning: true, handler: async (b) => void got.push(b) })
    await waitFor(() => values(got).length >= 10, 5_000)
    await new Promise((r) => setTimeout(r, 20))
    expect(values(got)).toEqual(Array.from({ length: 10 }, (_, i) => String(15 + i)))
    expect(got[0]!.messages[0]!.offset).toBe('15')
    await sub.stop()
    await bus.close()
  })

  it('never drops what a group has not committed, warns when that holds the topic over its bound', async () => {
    const { log, entries } = capturingLogger()
    const bus = createInProcessBus({ maxRetainedPerTopic: 5, log })
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const slow: string[] = []
    const sub = await bus.subscribe({
      topic: 't',
      groupId: 'slow',
      maxBatchSize: 2,
      handler: async (b) => {
        await gate
        slow.push(...b.messages.map((m) => m.value.toString()))
      },
    })
    await bus.publish('t', msgs(0, 19))
    const warnings = entries.filter((e) => e.level === 40 && e.msg.includes('retention bound'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ topic: 't', bound: 5, groups: ['slow'] })
    release()
    await waitFor(() => slow.length >= 20, 5_000)
    expect(slow).toEqual(Array.from({ length: 20 }, (_, i) => String(i)))
    // Once committed, the topic is trimmed back to its bound: a new group from the beginning sees 5.
    const late: Batch[] = []
    const lateSub = await bus.subscribe({ topic: 't', groupId: 'late', fromBeginning: true, handler: async (b) => void late.push(b) })
    await waitFor(() => values(late).length >= 5, 5_000)
    await new Promise((r) => setTimeout(r, 20))
    expect(values(late)).toEqual(['15', '16', '17', '18', '19'])
    await Promise.all([sub.stop(), lateSub.stop()])
    await bus.close()
  })

  it('a second subscriber of the same group stands by and takes over at the committed offset', async () => {
    const bus = createInProcessBus()
    const first: string[] = []
    const second: string[] = []
    const a = await bus.subscribe({ topic: 't', groupId: 'g', fromBeginning: true, handler: async (b) => void first.push(...b.messages.map((m) => m.value.toString())) })
    const b = await bus.subscribe({ topic: 't', groupId: 'g', fromBeginning: true, handler: async (x) => void second.push(...x.messages.map((m) => m.value.toString())) })
    await bus.publish('t', msgs(0, 9))
    await waitFor(() => first.length >= 10, 5_000)
    await new Promise((r) => setTimeout(r, 20))
    expect(second).toEqual([])
    await a.stop()
    await bus.publish('t', msgs(10, 14))
    await waitFor(() => second.length >= 5, 5_000)
    expect(first).toEqual(Array.from({ length: 10 }, (_, i) => String(i)))
    expect(second).toEqual(['10', '11', '12', '13', '14'])
    await b.stop()
    await bus.close()
  })

  it('publish returns before any handler runs, and copies the published Buffer', async () => {
    const bus = createInProcessBus()
    let calls = 0
    const seen: string[] = []
    await bus.subscribe({ topic: 't', groupId: 'g', handler: async (b) => void (calls++, seen.push(...b.messages.map((m) => m.value.toString()))) })
    const value = Buffer.from('original')
    await bus.publish('t', [{ key: 'k', value }])
    expect(calls).toBe(0)
    value.write('mutated!')
    await waitFor(() => calls === 1, 5_000)
    expect(seen).toEqual(['original'])
    await bus.close()
  })

  it('rejects a bad retention bound', () => {
    expect(() => createInProcessBus({ maxRetainedPerTopic: 0 })).toThrow(/positive integer/)
  })
})
