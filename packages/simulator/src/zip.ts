/**
 * Streaming zip (fflate's Zip + ZipDeflate): each text chunk is deflated and handed to the sink
 * as it comes, and the sink's promise (an HTTP response's 'drain') holds generation back, so a
 * large OASIS answer never sits in memory whole.
 */
import { Zip, ZipDeflate } from 'fflate'

export type ZipEntry = { name: string; chunks: Iterable<string | Uint8Array> }
/** Where zip bytes go; return a promise to make the writer wait (backpressure). */
export type ByteSink = (chunk: Uint8Array) => void | Promise<void>

export type ZipOptions = { level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9; mtime?: Date }

const bytes = (chunk: string | Uint8Array): Uint8Array => (typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk)

/** Writes a zip of `entries` to `sink`, chunk by chunk. */
export async function writeZip(entries: readonly ZipEntry[], sink: ByteSink, options: ZipOptions = {}): Promise<void> {
  const pending: Uint8Array[] = []
  let failure: Error | null = null
  const zip = new Zip((error, data) => {
    if (error) failure = error
    else pending.push(data)
  })
  const flush = async () => {
    if (failure) throw failure
    while (pending.length > 0) await sink(pending.shift()!)
  }
  for (const entry of entries) {
    const file = new ZipDeflate(entry.name, { level: options.level ?? 6 })
    if (options.mtime) file.mtime = options.mtime
    zip.add(file)
    for (const chunk of entry.chunks) {
      if (chunk.length === 0) continue
      file.push(bytes(chunk))
      await flush()
    }
    file.push(new Uint8Array(0), true)
    await flush()
  }
  zip.end()
  await flush()
}

/** The whole zip in memory (tests, failure modes that break the bytes, small answers). */
export async function zipBytes(entries: readonly ZipEntry[], options: ZipOptions = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  await writeZip(entries, (chunk) => void parts.push(chunk), options)
  return Buffer.concat(parts)
}
