import type { PriceRecord } from '@carbon/schemas'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createCarbonClient } from '../../packages/sdk/src/index.ts'
import { priceRecordFactory } from '../../tests/support/price-records.ts'
import { startStreamServer, StreamReader, until, type Member, type StreamServer } from '../../tests/support/stream-server.ts'
import type { LiveEvent } from '../services/stream/schemas.ts'
import { PRICE_STREAM_PATH, PRICE_STREAM_PROCEDURE } from './stream.ts'

/*
 * Issue 11 item 14 (streams): a live stream has a maximum lifetime (STREAM_MAX_LIFETIME_SECONDS,
 * here 1 s). At the end comes a last event with reason max_lifetime, whose id resumes the stream:
 * reconnecting with it as Last-Event-ID loses nothing and repeats nothing. The SDK (tRPC over
 * SSE) reconnects by itself.
 */

let s: StreamServer
let m: Member
const records = priceRecordFactory('test.stream-lifetime')
const lmps = (list: readonly { lmp: number }[]) => list.map((p) => p.lmp)

beforeAll(async () => {
  s = await startStreamServer(inject('postgresUrl'), { STREAM_MAX_LIFETIME_SECONDS: '1' })
  m = await s.member('lifetime', 'kim')
})

afterAll(async () => {
  await s?.close()
})

async function openRest(nodes: string, lastEventId?: string) {
  const requestId = `lifetime-${Math.random().toString(36).slice(2)}`
  const res = await fetch(`${s.baseUrl}${PRICE_STREAM_PATH}?market=MISO&runs=RT5&nodes=${nodes}`, {
    headers: { authorization: `Bearer ${m.token}`, 'x-request-id': requestId, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
  })
  // 200 comes only once the subscription is open (server/http/stream.ts admits before answering).
  expect(res.status).toBe(200)
  return { reader: new StreamReader(res.body as unknown as AsyncIterable<Uint8Array>), requestId }
}

describe('streams have a maximum lifetime (issue 11 item 14)', () => {
  it('an end before the fan-out saw any price has the id "-" (no position), and reconnecting with it starts afresh', async () => {
    // First in this file: nothing has been published to this server's bus yet.
    const first = await openRest('EMPTY.N0')
    await until(() => first.reader.ended, 'the stream to reach its lifetime')
    const end = first.reader.events.at(-1)!
    expect(end).toMatchObject({ id: '-', event: 'end', data: { type: 'end', reason: 'max_lifetime' } })
    const again = await openRest('EMPTY.N0', end.id)
    await until(() => again.reader.ended, 'the second stream to reach its lifetime')
    expect(again.reader.events.at(-1)!.data).toMatchObject({ type: 'end', reason: 'max_lifetime' })
  })

  it('REST: ends with a max_lifetime event whose id resumes exactly after what was sent, audited', async () => {
    const nodes = 'LIFE.N0,LIFE.N1'
    const first = await openRest(nodes)
    const sent = records('LIFE', 4, 2)
    await s.publish(sent)
    await until(() => first.reader.prices.length >= 4 || first.reader.ended, 'the first prices')
    await until(() => first.reader.ended, 'the stream to reach its lifetime')
    const end = first.reader.events.at(-1)!
    expect(end).toMatchObject({ event: 'end', data: { type: 'end', reason: 'max_lifetime', prices: [] } })
    expect(end.id).toMatch(/^0:\d+$/)
    const delivered = first.reader.prices

    const audit = await s.auditRows(first.requestId)
    expect(audit).toMatchObject([
      { outcome: 'allowed', status: 200, procedure: PRICE_STREAM_PROCEDURE },
      { outcome: 'allowed', status: 200, procedure: PRICE_STREAM_PROCEDURE, details: { reason: 'max_lifetime', ended: 'stream' } },
    ])

    // Published while no stream is open: the reconnect with the end's id gets them, and nothing twice.
    const meanwhile = records('LIFE', 6, 2)
    await s.publish(meanwhile)
    const resumed = await openRest(nodes, end.id)
    await until(() => resumed.reader.ended, 'the resumed stream to reach its lifetime')
    expect(lmps([...delivered, ...resumed.reader.prices])).toEqual(lmps([...sent, ...meanwhile]))
    expect(resumed.reader.events.at(-1)!.data).toMatchObject({ type: 'end', reason: 'max_lifetime' })
  })

  it('SDK: the max_lifetime end reaches onData, the SDK reconnects by itself and every price arrives once, in order', async () => {
    const carbon = createCarbonClient({ baseUrl: s.baseUrl, token: m.token })
    const received: LiveEvent[] = []
    const errors: unknown[] = []
    const before = s.fanout.listeners
    const subscription = carbon.prices.live.subscribe(
      { market: 'MISO', runs: 'RT5', nodes: 'SDKL.N0,SDKL.N1' },
      { onData: ({ data }) => received.push(data), onError: (error) => errors.push(error) },
    )
    try {
      await until(() => s.fanout.listeners > before, 'the SDK subscription to attach')
      const sent: PriceRecord[] = []
      // Publish across several lifetimes (1 s each): some prices reach a stream, some wait for the reconnect.
      for (let round = 0; round < 6; round++) {
        const batch = records('SDKL', 2, 2)
        sent.push(...batch)
        await s.publish(batch)
        await new Promise((resolve) => setTimeout(resolve, 400))
      }
      const prices = () => received.flatMap((e) => e.prices)
      await until(() => prices().length >= sent.length, 'every price through the reconnects')
      await until(() => received.filter((e) => e.type === 'end').length >= 2, 'at least two lifetimes')
      expect(received.filter((e) => e.type === 'end').every((e) => e.reason === 'max_lifetime')).toBe(true)
      expect(lmps(prices())).toEqual(lmps(sent))
      expect(errors).toEqual([])
    } finally {
      subscription.unsubscribe()
    }
  })
})
