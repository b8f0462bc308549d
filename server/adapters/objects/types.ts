import type { Readable } from 'node:stream'
import { AppError } from '../../errors.ts'

/**
 * The object store: raw publisher payloads (archive, replay), exports and reports. Two forms
 * behind one interface: S3 (production: AWS S3 or MinIO; `s3.ts`) and a local folder (the
 * embedded default under `${dataDir}/objects`; `local.ts`). Keys are `/`-separated paths such as
 * `raw/MISO/da_expost_lmp/2026/07/14/<sha256>.csv`; see `validateKey` for the rules.
 */
export type PutOptions = {
  /** Stored and returned by `head` and by downloads; default application/octet-stream. */
  contentType?: string
  /** User metadata: keys `[a-z0-9-]`, values printable ASCII, 2 KB in all (S3's limit). */
  metadata?: Record<string, string>
}

export type PutResult = {
  key: string
  /** Bytes stored. */
  size: number
  /** The store's entity tag, without quotes (an MD5 for single-part uploads; opaque otherwise). */
  etag: string
  /** Hex SHA-256 of the bytes, computed while they streamed through. */
  sha256: string
}

export type ObjectHead = {
  size: number
  contentType: string
  metadata: Record<string, string>
  lastModified: Date
}

export type ListOptions = {
  /** Return only keys lexically (UTF-8 byte order) after this one: pass the previous `next`. */
  after?: string
  /** Page size, 1..1000, default 1000. */
  limit?: number
}

export type ListResult = {
  keys: string[]
  /** The last key of this page when more keys follow, else null. */
  next: string | null
}

export type SignedUrlOptions = {
  /** 1 .. 604800 (7 days, S3's maximum). */
  expiresInSeconds: number
  /** Download name: the response carries `Content-Disposition: attachment; filename=...`. */
  filename?: string
}

export type ObjectStore = {
  readonly kind: 's3' | 'local'
  put(key: string, body: Buffer | Uint8Array | Readable, options?: PutOptions): Promise<PutResult>
  /** The object's bytes as a stream; AppError NOT_FOUND when there is no such key. */
  get(key: string): Promise<Readable>
  /** The object's bytes; AppError NOT_FOUND when there is no such key. */
  getBuffer(key: string): Promise<Buffer>
  /** Null when there is no such key. */
  head(key: string): Promise<ObjectHead | null>
  /** Keys starting with `prefix` (may be ''), in lexical order, a page at a time. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>
  /** Removes the key; a missing key is not an error (as in S3). */
  delete(key: string): Promise<void>
  /** A URL that downloads the object without credentials until it expires. */
  signedUrl(key: string, options: SignedUrlOptions): Promise<string>
  close(): Promise<void>
}

export const MAX_KEY_BYTES = 1024
export const MAX_LIST_LIMIT = 1000
export const MAX_SIGNED_URL_SECONDS = 7 * 24 * 3600
const MAX_METADATA_BYTES = 2048

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

function show(key: string): string {
  return JSON.stringify(key.length > 120 ? `${key.slice(0, 120)}...` : key)
}

/**
 * The key rules both adapters enforce, so a key that works embedded works on S3 and the local
 * folder cannot be escaped: non-empty, at most 1024 UTF-8 bytes, printable (no control
 * characters), no leading `/`, no `..`, no backslash, no empty or `.` segment (`a//b`, `a/./b`,
 * trailing `/`). Throws AppError BAD_REQUEST naming the key.
 */
export function validateKey(key: unknown): string {
  const bad = (why: string) =>
    AppError.badRequest(`Invalid object key ${typeof key === 'string' ? show(key) : String(key)}: ${why}`, {
      key: typeof key === 'string' ? key.slice(0, 200) : undefined,
    })
  if (typeof key !== 'string' || key.length === 0) throw bad('must be a non-empty string')
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw bad(`longer than ${MAX_KEY_BYTES} bytes`)
  if (UNPRINTABLE.test(key)) throw bad('contains a control character')
  if (LONE_SURROGATE.test(key)) throw bad('is not well-formed Unicode')
  if (key.startsWith('/')) throw bad('must not start with "/"')
  if (key.includes('..')) throw bad('must not contain ".."')
  if (key.includes('\\')) throw bad('must not contain "\\"')
  if (key.split('/').some((segment) => segment === '' || segment === '.')) {
    throw bad('must not have empty or "." path segments (or end with "/")')
  }
  return key
}

/** A list prefix: '' or the start of a valid key (it may end with "/"). */
export function validatePrefix(prefix: unknown): string {
  if (prefix === '') return ''
  if (typeof prefix !== 'string') throw AppError.badRequest('Invalid object prefix: must be a string')
  // A trailing "/" is fine in a prefix; everything before it follows the key rules.
  validateKey(prefix.endsWith('/') ? `${prefix}x` : prefix)
  return prefix
}

export function validateListOptions(options: ListOptions = {}): { after?: string; limit: number } {
  const limit = options.limit ?? MAX_LIST_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw AppError.badRequest(`Invalid list limit ${String(options.limit)}: must be an integer 1..${MAX_LIST_LIMIT}`)
  }
  if (options.after !== undefined && (typeof options.after !== 'string' || options.after === '')) {
    throw AppError.badRequest('Invalid list option "after": must be a non-empty key')
  }
  return { after: options.after, limit }
}

export function validatePutOptions(options: PutOptions = {}): { contentType: string; metadata: Record<string, string> } {
  const contentType = options.contentType ?? 'application/octet-stream'
  if (!/^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(contentType) || !contentType.includes('/')) {
    throw AppError.badRequest(`Invalid content type ${show(contentType)}`)
  }
  const metadata = options.metadata ?? {}
  let bytes = 0
  for (const [name, value] of Object.entries(metadata)) {
    if (!/^[a-z0-9][a-z0-9-]{0,127}$/.test(name)) {
      throw AppError.badRequest(`Invalid metadata name ${show(name)}: use lowercase letters, digits and "-"`)
    }
    if (typeof value !== 'string' || !/^[\x20-\x7e]*$/.test(value) || value !== value.trim()) {
      throw AppError.badRequest(
        `Invalid metadata value for ${show(name)}: printable ASCII without leading or trailing spaces`,
      )
    }
    bytes += name.length + value.length
  }
  if (bytes > MAX_METADATA_BYTES) throw AppError.badRequest(`Metadata larger than ${MAX_METADATA_BYTES} bytes`)
  return { contentType, metadata: { ...metadata } }
}

export function validateSignedUrlOptions(options: SignedUrlOptions): { expiresInSeconds: number; filename?: string } {
  const seconds = options?.expiresInSeconds
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SIGNED_URL_SECONDS) {
    throw AppError.badRequest(
      `Invalid signed URL expiry ${String(seconds)}: must be an integer 1..${MAX_SIGNED_URL_SECONDS} seconds`,
    )
  }
  if (options.filename !== undefined) {
    if (typeof options.filename !== 'string' || options.filename.length === 0 || options.filename.length > 255) {
      throw AppError.badRequest('Invalid download filename: 1..255 characters')
    }
    if (UNPRINTABLE.test(options.filename) || /["\\/]/.test(options.filename)) {
      throw AppError.badRequest(`Invalid download filename ${show(options.filename)}: no control characters, quotes, "/" or "\\"`)
    }
  }
  return { expiresInSeconds: seconds, filename: options.filename }
}

/**
 * `attachment; filename="..."` with an ASCII fallback plus RFC 5987 `filename*` for non-ASCII
 * names. The filename has passed `validateSignedUrlOptions` (no quotes or control characters).
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_')
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return ascii === filename
    ? `attachment; filename="${filename}"`
    : `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

/** Compares two strings by their UTF-8 bytes: S3's listing order. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
