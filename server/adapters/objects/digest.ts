import { createHash } from 'node:crypto'
import { Readable, Transform } from 'node:stream'

/**
 * A pass-through that counts bytes and hashes them (SHA-256 for callers, MD5 for the local
 * store's entity tag) as they stream by. `result()` is valid once the stream has ended.
 */
export function digestStream(options: { md5?: boolean } = {}) {
  const sha256 = createHash('sha256')
  const md5 = options.md5 ? createHash('md5') : undefined
  let size = 0
  let done: { size: number; sha256: string; md5?: string } | undefined
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      sha256.update(chunk)
      md5?.update(chunk)
      callback(null, chunk)
    },
    flush(callback) {
      done = { size, sha256: sha256.digest('hex'), md5: md5?.digest('hex') }
      callback()
    },
  })
  return {
    transform,
    result() {
      if (!done) throw new Error('digestStream: the stream has not ended')
      return done
    },
  }
}

/** The body as a stream: buffers become a one-chunk stream, streams pass through. */
export function toReadable(body: Buffer | Uint8Array | Readable): Readable {
  if (body instanceof Uint8Array) {
    return Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)], { objectMode: false })
  }
  if (body && typeof (body as Readable).pipe === 'function') return body
  throw new TypeError('object body must be a Buffer, a Uint8Array or a Readable stream')
}

/**
 * Pipes `source` into `transform`, forwarding a source error so the consumer sees it, and
 * destroying the source when the consumer gives up early (so a socket body is not left open).
 */
export function pipeInto(source: Readable, transform: Transform): Transform {
  source.once('error', (error) => transform.destroy(error))
  transform.once('close', () => {
    if (!source.readableEnded && !source.destroyed) source.destroy()
  })
  source.pipe(transform)
  return transform
}
