import { randomBytes } from 'node:crypto'
import zlib from 'node:zlib'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { streamPrice } from '../../tests/support/stream-prices.ts'
import {
  adler32,
  adler32Combine,
  deflatedFrame,
  deflatePiece,
  eventFrame,
  eventText,
  negotiateEncoding,
  ZLIB_HEADER,
  zlibTrailer,
  type FramedEvent,
} from './sse.ts'

afterEach(() => {
  vi.restoreAllMocks()
})

/** The Adler-32 zlib itself writes at the end of a stream (RFC 1950 trailer). */
const zlibAdler = (bytes: Buffer) => {
  const whole = zlib.deflateSync(bytes)
  return whole.readUInt32BE(whole.length - 4)
}

const prices = (count: number, from = 1) => Array.from({ length: count }, (_, i) => streamPrice(`NODE.${i}`, { lmp: 20 + (i % 37) / 4, offset: from + i }))

describe('Adler-32', () => {
  it('equals the checksum zlib writes, for text and for bytes past the reduction bound', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('data: {}\n\n'), randomBytes(70_001), Buffer.alloc(200_000, 0xff)]) {
      expect(adler32(bytes)).toBe(zlibAdler(bytes))
    }
  })

  it('combines the checksums of two parts into the checksum of the whole', () => {
    const whole = Buffer.concat([randomBytes(150_000), Buffer.alloc(70_000, 0xff)])
    for (const cut of [0, 1, 65_520, 65_521, 65_522, 131_042, 150_000, whole.length]) {
      const first = whole.subarray(0, cut)
      const second = whole.subarray(cut)
      expect(adler32Combine(adler32(first), adler32(second), second.length)).toBe(adler32(whole))
    }
  })
})

describe('negotiateEncoding', () => {
  it('is deflate only when Accept-Encoding accepts it with a weight above 0', () => {
    expect(negotiateEncoding(undefined)).toBe('identity')
    expect(negotiateEncoding('')).toBe('identity')
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('deflate')
    expect(negotiateEncoding('gzip;q=1.0, DEFLATE;q=0.5')).toBe('deflate')
    expect(negotiateEncoding('gzip, br')).toBe('identity')
    expect(negotiateEncoding('deflate;q=0')).toBe('identity')
    expect(negotiateEncoding('*')).toBe('deflate')
    expect(negotiateEncoding('*, deflate;q=0')).toBe('identity')
    expect(negotiateEncoding('identity')).toBe('identity')
  })
})

describe('deflate event frames: compressed once, concatenated into any response', () => {
  it('a response of independently compressed pieces, in any order, inflates to its text and passes zlib\'s checksum', () => {
    const batchA = prices(400)
    const batchB = prices(3, 1_000)
    const events: FramedEvent[] = [
      { id: '0:400', type: 'prices', prices: batchA },
      { id: '0:1002', type: 'prices', prices: batchB },
      { id: '0:1002', type: 'skipped', prices: batchB, skipped: 7 },
      { id: '0:1002', type: 'end', prices: [], reason: 'token_revoked' },
    ]
    for (const framing of ['rest', 'trpc'] as const) {
      for (const order of [events, [...events].reverse()]) {
        const preamble = deflatePiece('retry: 2000\n\n')
        const keepAlive = deflatePiece(': keep-alive\n\n')
        const pieces = [preamble, ...order.map((e) => deflatedFrame(e, framing).piece), keepAlive]
        const text = ['retry: 2000\n\n', ...order.map((e) => eventText(eventFrame(e, framing)!)), ': keep-alive\n\n'].join('')
        const adler = pieces.slice(1).reduce((sum, p) => adler32Combine(sum, p.adler, p.length), pieces[0]!.adler)
        const response = Buffer.concat([ZLIB_HEADER, ...pieces.map((p) => p.bytes), zlibTrailer(adler)])
        expect(zlib.inflateSync(response).toString('utf8')).toBe(text)
        expect(adler).toBe(adler32(Buffer.from(text)))
      }
    }
  })

  it('a wrong checksum fails to inflate (the trailer is checked)', () => {
    const piece = deflatePiece('retry: 2000\n\n')
    expect(() => zlib.inflateSync(Buffer.concat([ZLIB_HEADER, piece.bytes, zlibTrailer(piece.adler + 1)]))).toThrow(/check/i)
  })

  it('each piece ends with the sync flush marker and decodes alone, without what came before it', () => {
    const frame = deflatedFrame({ id: '0:50', type: 'prices', prices: prices(50) }, 'rest')
    expect(frame.piece.bytes.subarray(-4)).toEqual(Buffer.from([0, 0, 0xff, 0xff]))
    const text = zlib.inflateRawSync(frame.piece.bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8')
    expect(text.startsWith('id: 0:50\nevent: prices\ndata: {"type":"prices"')).toBe(true)
    expect(text.endsWith('\n\n')).toBe(true)
    // As an HTTP/1.1 chunk: the size in hex, CRLF, the piece, CRLF.
    const chunk = frame.chunk!
    const sizeLine = chunk.toString('latin1', 0, chunk.indexOf('\r\n'))
    expect(Number.parseInt(sizeLine, 16)).toBe(frame.piece.bytes.length)
    expect(chunk.subarray(sizeLine.length + 2, chunk.length - 2)).toEqual(frame.piece.bytes)
  })

  it('compresses a shared batch once for every client and id; past the memoized ids the body is still shared', () => {
    const batch = prices(200)
    const deflate = vi.spyOn(zlib, 'deflateRawSync')
    const first = deflatedFrame({ id: '0:200', type: 'prices', prices: batch }, 'trpc')
    for (let i = 0; i < 1_000; i++) expect(deflatedFrame({ id: '0:200', type: 'prices', prices: batch }, 'trpc')).toBe(first)
    // The body once, the head once.
    expect(deflate).toHaveBeenCalledTimes(2)
    const frames = Array.from({ length: 20 }, (_, i) => deflatedFrame({ id: `0:${300 + i}`, type: 'prices', prices: batch }, 'trpc'))
    // One head per further id, no further body.
    expect(deflate).toHaveBeenCalledTimes(22)
    expect(frames.at(-1)!.chunk).toBeNull()
    expect(zlib.inflateRawSync(frames.at(-1)!.piece.bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8')).toBe(
      eventText(eventFrame({ id: '0:200', type: 'prices', prices: batch }, 'trpc')!).replace('id: 0:200', 'id: 0:319'),
    )
  })
})
