import { isAscii } from 'node:buffer'
import { inflateRawSync } from 'node:zlib'
import { unzipSync } from 'fflate'
import { ParseError } from './errors.ts'

/** One text document of a publisher payload (a file, or one entry of a zip). */
export type PayloadDocument = { file: string; text: string }

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]
const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06]

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b)
}

/**
 * The documents of a publisher payload: a CAISO OASIS answer is a zip holding one CSV (or one per
 * component, or an XML error document); everything else is one UTF-8 text. A truncated or corrupt
 * zip is a ParseError naming the file, never a crash or a silent empty result.
 */
export function unpackPayload(bytes: Uint8Array, file: string): PayloadDocument[] {
  if (!startsWith(bytes, ZIP_MAGIC) && !startsWith(bytes, EMPTY_ZIP_MAGIC)) {
    return [{ file, text: decodeUtf8(bytes) }]
  }
  let entries: Record<string, Uint8Array>
  try {
    entries = readZip(bytes) ?? unzipSync(bytes)
  } catch (error) {
    throw new ParseError({
      file,
      line: 0,
      field: '(zip)',
      value: `${bytes.length} bytes`,
      reason: `truncated or corrupt zip: ${error instanceof Error ? error.message : String(error)}`,
    })
  }
  const names = Object.keys(entries).filter((name) => !name.endsWith('/'))
  if (names.length === 0) {
    throw new ParseError({ file, line: 0, field: '(zip)', value: '', reason: 'the zip holds no file' })
  }
  return names.sort().map((name) => ({ file: `${file}!${name}`, text: decodeUtf8(entries[name] as Uint8Array) }))
}

/**
 * UTF-8 bytes as text, as `TextDecoder` decodes them (a leading byte-order mark dropped, bad
 * sequences replaced). Pure ASCII, which every publisher file here is, is copied as Latin-1
 * instead: the same characters, several times faster than the decoder on tens of MB.
 */
function decodeUtf8(bytes: Uint8Array): string {
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  return new TextDecoder('utf-8').decode(bytes)
}

const EOCD_SIGNATURE = 0x06054b50
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const STORED = 0
const DEFLATED = 8

/**
 * The entries of a plain zip (no zip64, no encryption; stored or deflated), inflated by zlib,
 * which is faster than fflate's JavaScript inflate on a 40 MB OASIS CSV. It reads the fields
 * fflate reads, and checks more (signatures, sizes): null for anything else or anything that does
 * not add up (truncated, corrupt), and fflate then reads the zip as before, its error naming the
 * fault, so what opens and what is refused is unchanged.
 */
function readZip(bytes: Uint8Array): Record<string, Uint8Array> | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const eocd = endOfCentralDirectory(view)
  if (eocd < 0) return null
  // The entry count and directory offset where fflate reads them; a zip64 locator goes to fflate.
  const count = view.getUint16(eocd + 8, true)
  if (eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIGNATURE) return null
  let at = view.getUint32(eocd + 16, true)
  const entries: Record<string, Uint8Array> = {}
  for (let i = 0; i < count; i++) {
    if (at + 46 > view.byteLength || view.getUint32(at, true) !== CENTRAL_SIGNATURE) return null
    const flags = view.getUint16(at + 8, true)
    const method = view.getUint16(at + 10, true)
    const compressed = view.getUint32(at + 20, true)
    const size = view.getUint32(at + 24, true)
    const nameLength = view.getUint16(at + 28, true)
    const next = at + 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true)
    const local = view.getUint32(at + 42, true)
    if ((flags & 1) !== 0 || compressed === 0xffffffff || size === 0xffffffff || next > view.byteLength) return null
    if (method !== STORED && method !== DEFLATED) return null
    const data = entryData(view, bytes, local, compressed)
    if (data === null) return null
    const content = method === STORED ? data : inflate(data, size)
    if (content === null || content.length !== size) return null
    const name = bytes.subarray(at + 46, at + 46 + nameLength)
    entries[(flags & 0x800) !== 0 ? new TextDecoder().decode(name) : Buffer.from(name).toString('latin1')] = content
    at = next
  }
  return entries
}

/** Where the end-of-central-directory record starts, or -1. */
function endOfCentralDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff)
  for (let at = view.byteLength - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE) return at
  }
  return -1
}

function entryData(view: DataView, bytes: Uint8Array, local: number, compressed: number): Uint8Array | null {
  if (local + 30 > view.byteLength || view.getUint32(local, true) !== LOCAL_SIGNATURE) return null
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true)
  if (start + compressed > view.byteLength) return null
  return bytes.subarray(start, start + compressed)
}

/**
 * `data` inflated, its size known from the directory: one output chunk of that size (plus the
 * byte that shows the end was reached), where zlib's default 16 KiB chunks would be joined by
 * copying the whole 40 MB once more.
 */
function inflate(data: Uint8Array, size: number): Uint8Array | null {
  try {
    return inflateRawSync(data, { chunkSize: Math.max(64, size + 1) })
  } catch {
    return null
  }
}
