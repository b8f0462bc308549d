import { afterEach, describe, expect, it, vi } from 'vitest'
import { AppError } from '../errors.ts'
import type { StreamEvent, StreamPrice } from '../services/stream/types.ts'
import { eventData, eventFrame, eventText } from './sse.ts'
import { formatEvent, restErrorBody } from './stream.ts'
import { streamPrice } from '../../tests/support/stream-prices.ts'

const price = (node: string, lmp: number, offset: number) => streamPrice(node, { lmp, offset })

afterEach(() => {
  vi.restoreAllMocks()
})

describe('formatEvent', () => {
  it('writes id, event and one data line holding the LiveEvent JSON', () => {
    const prices = [price('INDIANA.HUB', 31.42, 7)]
    const text = formatEvent({ id: '0:7', type: 'prices', prices })
    expect(text).toBe(`id: 0:7\nevent: prices\ndata: ${JSON.stringify({ type: 'prices', prices, skipped: 0, reason: null })}\n\n`)
  })

  it('keeps a payload with newlines on one data line', () => {
    const text = formatEvent({ id: '0:1', type: 'reset', prices: [], reason: 'line one\nline two' })
    expect(text.split('\n')).toHaveLength(5)
    const data = /^data: (.*)$/m.exec(text)![1]!
    expect(JSON.parse(data)).toEqual({ type: 'reset', prices: [], skipped: 0, reason: 'line one\nline two' })
  })
})

describe('eventData', () => {
  it('serializes a shared prices array once for every client (ids may differ)', () => {
    const prices = [price('A', 1, 1), price('B', 2, 2)]
    const stringify = vi.spyOn(JSON, 'stringify')
    const events: StreamEvent[] = Array.from({ length: 1_000 }, (_, i) => ({ id: `0:${2 + i}`, type: 'prices', prices }))
    const texts = events.map(formatEvent)
    expect(stringify).toHaveBeenCalledTimes(1)
    expect(new Set(texts.map((t) => t.slice(t.indexOf('data: ')))).size).toBe(1)
    expect(texts[999]!.startsWith('id: 0:1001\n')).toBe(true)
  })

  it('keeps prices, skipped and reset payloads of one array apart', () => {
    const prices = [price('A', 1, 1)]
    const asPrices = eventData({ type: 'prices', prices })
    const asSkipped = eventData({ type: 'skipped', prices, skipped: 12 })
    const asOtherSkip = eventData({ type: 'skipped', prices, skipped: 3 })
    expect(JSON.parse(asPrices)).toMatchObject({ type: 'prices', skipped: 0 })
    expect(JSON.parse(asSkipped)).toMatchObject({ type: 'skipped', skipped: 12 })
    expect(JSON.parse(asOtherSkip)).toMatchObject({ type: 'skipped', skipped: 3 })
    const empty: StreamPrice[] = []
    expect(JSON.parse(eventData({ type: 'reset', prices: empty, reason: 'store behind' }))).toEqual({
      type: 'reset',
      prices: [],
      skipped: 0,
      reason: 'store behind',
    })
    expect(JSON.parse(eventData({ type: 'reset', prices: empty, reason: 'too many missed' })).reason).toBe('too many missed')
  })
})

describe('restErrorBody', () => {
  it('has the shape of the REST API errors', () => {
    expect(restErrorBody(new AppError('FORBIDDEN', 'Your organization is not entitled to MISO through the API'))).toEqual({
      message: 'Your organization is not entitled to MISO through the API',
      code: 'FORBIDDEN',
      data: { code: 'FORBIDDEN', httpStatus: 403, path: 'stream.prices', appCode: 'FORBIDDEN', zodError: null },
    })
  })

  it('hides the message of an internal error', () => {
    const body = restErrorBody(new AppError('INTERNAL', 'pg: connection refused at 10.0.0.3'))
    expect(body).toMatchObject({ message: 'Internal error', code: 'INTERNAL_SERVER_ERROR', data: { httpStatus: 500 } })
  })
})

describe('eventFrame: one Buffer per event, framing and id', () => {
  it('frames REST and tRPC events as their readers expect, with the same data line, as one HTTP/1.1 chunk', () => {
    const prices = [price('A', 1, 1), price('B', 2, 2)]
    const event = { id: '0:2', type: 'prices' as const, prices }
    const rest = eventFrame(event, 'rest')!
    const trpc = eventFrame(event, 'trpc')!
    expect(eventText(rest)).toBe(formatEvent(event))
    expect(eventText(trpc)).toBe(`id: 0:2\ndata: ${eventData(event)}\n\n`)
    const text = formatEvent(event)
    expect(rest.toString('utf8')).toBe(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`)
  })

  it('is built once for every client sent the same event, and apart for another id, kind or array', () => {
    const prices = [price('A', 1, 1)]
    const first = eventFrame({ id: '0:1', type: 'prices', prices }, 'rest')
    expect(eventFrame({ id: '0:1', type: 'prices', prices }, 'rest')).toBe(first)
    expect(eventFrame({ id: '0:9', type: 'prices', prices }, 'rest')).not.toBe(first)
    expect(eventText(eventFrame({ id: '0:1', type: 'skipped', prices, skipped: 3 }, 'rest')!)).toMatch(/^id: 0:1\nevent: skipped\ndata: .*"skipped":3/)
    expect(eventFrame({ id: '0:1', type: 'prices', prices: [price('A', 1, 1)] }, 'rest')).not.toBe(first)
  })

  it('stops memoizing whole frames for an array sent under many ids (the head is then written apart)', () => {
    const prices = [price('A', 1, 1)]
    const frames = Array.from({ length: 20 }, (_, i) => eventFrame({ id: `0:${i}`, type: 'prices', prices }, 'trpc'))
    expect(frames.filter((f) => f !== null).length).toBeLessThan(20)
    expect(eventText(frames[0]!)).toBe(`id: 0:0\ndata: ${eventData({ type: 'prices', prices })}\n\n`)
  })
})
