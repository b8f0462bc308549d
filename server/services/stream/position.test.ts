import { describe, expect, it } from 'vitest'
import { parseCursor } from './cursor.ts'
import { Position } from './position.ts'
import { streamPrice } from '../../../tests/support/stream-prices.ts'
import { SubscriberQueue } from './queue.ts'

const price = (node: string, offset: number, partition = 0) => streamPrice(node, { lmp: offset, offset, partition })

describe('Position', () => {
  it('is one object per cursor, with the cursor as its text', () => {
    const a = Position.of(parseCursor('3:7,0:5'))
    expect(a.text).toBe('0:5,3:7')
    expect(Position.of(new Map([[0, 5], [3, 7]]))).toBe(a)
  })

  it('moves forward only, per partition, and positions reached by different paths are the same object', () => {
    const start = Position.of(parseCursor('0:5'))
    const move = new Map([[0, 9], [1, 2]])
    const moved = start.advancedBy(move)
    expect(moved.text).toBe('0:9,1:2')
    expect(start.advancedBy(move)).toBe(moved)
    expect(moved.advancedBy(new Map([[0, 3]]))).toBe(moved)
    expect(Position.of(parseCursor('0:7')).advancedBy(new Map([[0, 9], [1, 2]]))).toBe(moved)
  })
})

describe('SubscriberQueue with shared positions', () => {
  it('gives subscribers that stood together the same event: same prices array, same id string', () => {
    const head = Position.of(parseCursor('0:10'))
    const batch = [price('A', 11), price('B', 12), price('C', 13)]
    const mine = batch.filter((p) => p.node !== 'C')
    const last = new Map([[0, 13]])
    const queues = [new SubscriberQueue(head), new SubscriberQueue(head)]
    for (const q of queues) {
      q.pass(last)
      q.push(mine)
    }
    const [a, b] = queues.map((q) => q.take()!)
    expect(a!.prices).toBe(b!.prices)
    expect(a!.id).toBe('0:13')
    expect(a!.id).toBe(b!.id)
  })

  it('keeps the id of an event taken while more wait at its own last price, then covers what the filter passed over', () => {
    const q = new SubscriberQueue(Position.of(parseCursor('0:10')))
    q.pass(new Map([[0, 12]]))
    q.push([price('A', 11)])
    q.pass(new Map([[0, 20]]))
    q.push([price('A', 15)])
    expect(q.take()!.id).toBe('0:11')
    expect(q.take()!.id).toBe('0:20')
  })

  it('cuts a large shared array into shared parts of at most maxEventPrices', () => {
    const batch = Array.from({ length: 5 }, (_, i) => price(`N${i}`, i + 1))
    const limits = { maxQueued: 100, maxEventPrices: 2 }
    const queues = [new SubscriberQueue(Position.start, limits), new SubscriberQueue(Position.start, limits)]
    for (const q of queues) q.push(batch)
    const events = queues.map((q) => [q.take()!, q.take()!, q.take()!])
    expect(events[0]!.map((e) => e.prices.length)).toEqual([2, 2, 1])
    for (let i = 0; i < 3; i++) expect(events[0]![i]!.prices).toBe(events[1]![i]!.prices)
  })
})
