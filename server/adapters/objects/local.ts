import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { mkdir, open, readFile, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { AppError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { digestStream, pipeInto, toReadable } from './digest.ts'
import {
  compareKeys,
  validateKey,
  validateListOptions,
  validatePrefix,
  validatePutOptions,
  validateSignedUrlOptions,
  type ObjectHead,
  type ObjectStore,
} from './types.ts'

/**
 * The embedded object store: a folder (default `${dataDir}/objects`).
 *
 *   <root>/data/<key>        the bytes, at the key's path (browsable by hand)
 *   <root>/meta/<key>        JSON sidecar { contentType, metadata, etag, sha256, size }
 *   <root>/tmp/              uploads in progress; renamed into place when complete
 *
 * Writes are atomic per file (temp file, fsync, rename on the same filesystem): a reader sees the
 * old object or the new one, never a partial one. Because keys are paths, a key cannot also be a
 * "folder" of other keys (`a` and `a/b` together): the second put fails with CONFLICT. S3 allows
 * both; the key layouts this platform uses never need it.
 *
 * Downloads: `signedUrl` returns `${baseUrl}/objects/<key>?expires=<unix>&sig=<hmac>[&filename=]`;
 * the web route that serves it checks `verifyLocalSignature` (same expiry and tamper semantics
 * as an S3 presigned URL) and streams `get(key)`.
 */
export type LocalStoreOptions = {
  root: string
  /** HMAC key for signed URLs, at least 32 characters. Never logged. */
  signingSecret: string
  /** The public origin the download route is served under, e.g. https://hub.example.com */
  baseUrl: string
  log?: Logger
}

/** The path the web server mounts local downloads under. */
export const LOCAL_OBJECTS_PATH = '/objects'

/** The key local download URLs are signed with: its own, derived from the session secret. */
export function localSigningSecret(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('carbon:objects:signed-urls').digest('base64url')
}

type Sidecar = { contentType: string; metadata: Record<string, string>; etag: string; sha256: string; size: number }

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function signaturePayload(key: string, expires: number, filename: string | undefined): string {
  // Versioned and newline-separated: keys and filenames cannot contain newlines.
  return `carbon-object-v1\n${key}\n${expires}\n${filename ?? ''}`
}

function sign(secret: string, key: string, expires: number, filename: string | undefined): Buffer {
  return createHmac('sha256', secret).update(signaturePayload(key, expires, filename)).digest()
}

/**
 * Whether a local download URL's `sig` is genuine for this key, expiry and filename, and the
 * expiry has not passed. `expires` and `sig` are the raw query values; `now` (ms) is for tests.
 * Constant-time: the HMACs are compared with timingSafeEqual.
 */
export function verifyLocalSignature(
  key: string,
  expires: string | number,
  sig: string,
  secret: string,
  options: { filename?: string; now?: number } = {},
): boolean {
  if (typeof secret !== 'string' || secret.length === 0) return false
  const expiresText = String(expires)
  if (!/^\d{1,12}$/.test(expiresText)) return false
  const expiresAt = Number(expiresText)
  try {
    validateKey(key)
  } catch {
    return false
  }
  if (typeof sig !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return false
  const given = Buffer.from(sig, 'base64url')
  const expected = sign(secret, key, expiresAt, options.filename)
  if (given.length !== expected.length) return false
  const genuine = timingSafeEqual(given, expected)
  const now = options.now ?? Date.now()
  return genuine && expiresAt * 1000 > now
}

/** `a/b c/d.csv` -> `a/b%20c/d.csv`: each segment URL-encoded, the slashes kept. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/')
}

export function createLocalStore(options: LocalStoreOptions): ObjectStore {
  if (typeof options.signingSecret !== 'string' || options.signingSecret.length < 32) {
    throw new Error('createLocalStore: signingSecret must be at least 32 characters')
  }
  const root = path.resolve(options.root)
  const dataRoot = path.join(root, 'data')
  const metaRoot = path.join(root, 'meta')
  const tmpRoot = path.join(root, 'tmp')
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  const secret = options.signingSecret
  const log = options.log

  const dataPath = (key: string) => path.join(dataRoot, ...key.split('/'))
  // The sidecar mirrors the data path exactly, so the two trees can only collide where data does.
  const metaPath = (key: string) => path.join(metaRoot, ...key.split('/'))

  let ready: Promise<void> | undefined
  const ensureRoots = () =>
    (ready ??= Promise.all([dataRoot, metaRoot, tmpRoot].map((dir) => mkdir(dir, { recursive: true }))).then(
      () => undefined,
      (error) => {
        ready = undefined
        throw error
      },
    ))

  const conflict = (key: string, error: unknown) =>
    new AppError('CONFLICT', `Object key ${JSON.stringify(key)} collides with another key's path in the local store`, {
      userMessage: `Object key ${JSON.stringify(key)} conflicts with an existing key`,
      details: { key },
      cause: error,
    })

  const mapFsError = (key: string, error: unknown): unknown => {
    const code = errorCode(error)
    if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') return conflict(key, error)
    if (code === 'ENAMETOOLONG') {
      return AppError.badRequest(`Invalid object key ${JSON.stringify(key)}: a path segment is too long for the local store`, { key })
    }
    return error
  }

  async function writeTemp(write: (tmp: string) => Promise<void>): Promise<string> {
    const tmp = path.join(tmpRoot, randomUUID())
    try {
      await write(tmp)
      return tmp
    } catch (error) {
      await rm(tmp, { force: true })
      throw error
    }
  }

  async function moveInto(tmp: string, target: string) {
    await mkdir(path.dirname(target), { recursive: true })
    try {
      await rename(tmp, target)
    } catch (error) {
      // A concurrent delete may have pruned the (empty) parent between mkdir and rename.
      if (errorCode(error) !== 'ENOENT') throw error
      await mkdir(path.dirname(target), { recursive: true })
      await rename(tmp, target)
    }
  }

  async function readSidecar(key: string): Promise<Sidecar | null> {
    try {
      return JSON.parse(await readFile(metaPath(key), 'utf8')) as Sidecar
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null
      throw error
    }
  }

  async function openData(key: string) {
    try {
      const handle = await open(dataPath(key), 'r')
      const info = await handle.stat()
      if (!info.isFile()) {
        await handle.close()
        throw AppError.notFound(`Object ${JSON.stringify(key)}`, { key })
      }
      return handle
    } catch (error) {
      const code = errorCode(error)
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
        throw AppError.notFound(`Object ${JSON.stringify(key)}`, { key })
      }
      throw error
    }
  }

  /** Removes empty folders from `dir` up to (not including) `stop`. */
  async function prune(dir: string, stop: string) {
    while (dir.startsWith(stop + path.sep)) {
      try {
        await rmdir(dir)
      } catch {
        return // not empty, already gone, or busy: leave it
      }
      dir = path.dirname(dir)
    }
  }

  /**
   * Keys under `dir` (whose key prefix is `base`) in UTF-8 byte order. Entries are visited
   * sorted by name, a folder counting as `name/`, so an in-order walk yields sorted keys; folders
   * wholly before `after` or outside `prefix` are skipped.
   */
  async function* walk(dir: string, base: string, prefix: string, after: string | undefined): AsyncGenerator<string> {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (error) {
      if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return
      throw error
    }
    const items = entries
      .filter((entry) => entry.isFile() || entry.isDirectory())
      .map((entry) => ({ name: entry.name, folder: entry.isDirectory(), key: base + entry.name + (entry.isDirectory() ? '/' : '') }))
      .sort((a, b) => compareKeys(a.key, b.key))
    for (const item of items) {
      if (item.folder) {
        const inPrefix = item.key.startsWith(prefix) || prefix.startsWith(item.key)
        const beforeAfter = after !== undefined && !after.startsWith(item.key) && compareKeys(item.key, after) < 0
        if (!inPrefix || beforeAfter) continue
        yield* walk(path.join(dir, item.name), item.key, prefix, after)
      } else {
        if (!item.key.startsWith(prefix)) continue
        if (after !== undefined && compareKeys(item.key, after) <= 0) continue
        yield item.key
      }
    }
  }

  return {
    kind: 'local',

    async put(key, body, putOptions) {
      validateKey(key)
      const { contentType, metadata } = validatePutOptions(putOptions)
      await ensureRoots()
      const source = toReadable(body)
      const digest = digestStream({ md5: true })
      const dataTmp = await writeTemp(async (tmp) => {
        const handle = await open(tmp, 'wx', 0o640)
        try {
          for await (const chunk of pipeInto(source, digest.transform)) await handle.write(chunk as Buffer)
          await handle.sync()
        } finally {
          await handle.close()
        }
      })
      const { size, sha256, md5 } = digest.result()
      const sidecar: Sidecar = { contentType, metadata, etag: md5!, sha256, size }
      let metaTmp: string | undefined
      try {
        metaTmp = await writeTemp((tmp) => writeFile(tmp, JSON.stringify(sidecar), { flag: 'wx', mode: 0o640 }))
        await moveInto(dataTmp, dataPath(key))
        await moveInto(metaTmp, metaPath(key))
      } catch (error) {
        await Promise.all([rm(dataTmp, { force: true }), metaTmp ? rm(metaTmp, { force: true }) : undefined])
        throw mapFsError(key, error)
      }
      log?.debug({ key, size }, 'object stored')
      return { key, size, etag: md5!, sha256 }
    },

    async get(key) {
      validateKey(key)
      const handle = await openData(key)
      return handle.createReadStream() as Readable
    },

    async getBuffer(key) {
      validateKey(key)
      const handle = await openData(key)
      try {
        return await handle.readFile()
      } finally {
        await handle.close()
      }
    },

    async head(key): Promise<ObjectHead | null> {
      validateKey(key)
      let info
      try {
        info = await stat(dataPath(key))
      } catch (error) {
        const code = errorCode(error)
        if (code === 'ENOENT' || code === 'ENOTDIR') return null
        throw error
      }
      if (!info.isFile()) return null
      const sidecar = await readSidecar(key)
      return {
        size: info.size,
        contentType: sidecar?.contentType ?? 'application/octet-stream',
        metadata: { ...(sidecar?.metadata ?? {}) },
        lastModified: info.mtime,
      }
    },

    async list(prefix, listOptions) {
      validatePrefix(prefix)
      const { after, limit } = validateListOptions(listOptions)
      // Start the walk at the deepest folder the prefix names.
      const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : ''
      const start = folder ? path.join(dataRoot, ...folder.slice(0, -1).split('/')) : dataRoot
      const keys: string[] = []
      let more = false
      for await (const key of walk(start, folder, prefix, after)) {
        if (keys.length === limit) {
          more = true
          break
        }
        keys.push(key)
      }
      return { keys, next: more ? keys[keys.length - 1]! : null }
    },

    async delete(key) {
      validateKey(key)
      const file = dataPath(key)
      try {
        const info = await stat(file)
        if (!info.isFile()) return
      } catch (error) {
        const code = errorCode(error)
        if (code === 'ENOENT' || code === 'ENOTDIR') {
          await rm(metaPath(key), { force: true }).catch(() => undefined)
          return
        }
        throw error
      }
      await rm(file, { force: true })
      await rm(metaPath(key), { force: true }).catch(() => undefined)
      await Promise.all([prune(path.dirname(file), dataRoot), prune(path.dirname(metaPath(key)), metaRoot)])
      log?.debug({ key }, 'object deleted')
    },

    async signedUrl(key, urlOptions) {
      validateKey(key)
      const { expiresInSeconds, filename } = validateSignedUrlOptions(urlOptions)
      // Rounded up: valid for at least expiresInSeconds (an S3 URL signed at second t lives to t + N).
      const expires = Math.ceil(Date.now() / 1000) + expiresInSeconds
      const sig = sign(secret, key, expires, filename).toString('base64url')
      const query = new URLSearchParams({ expires: String(expires), sig })
      if (filename !== undefined) query.set('filename', filename)
      return `${baseUrl}${LOCAL_OBJECTS_PATH}/${encodeKeyPath(key)}?${query.toString()}`
    },

    async close() {},
  }
}

/** Creates the store's folders now, so a read-only or missing data directory fails at start. */
export async function openLocalStore(options: LocalStoreOptions): Promise<ObjectStore> {
  const store = createLocalStore(options)
  const root = path.resolve(options.root)
  await Promise.all(['data', 'meta', 'tmp'].map((dir) => mkdir(path.join(root, dir), { recursive: true })))
  return store
}
