import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../errors.ts'
import { openObjectStore } from './index.ts'
import { createLocalStore, encodeKeyPath, LOCAL_OBJECTS_PATH, verifyLocalSignature } from './local.ts'
import { objectStoreContract, sleep } from './testing.ts'
import { contentDisposition, type ObjectStore } from './types.ts'

const secret = randomBytes(32).toString('base64url')

/**
 * What the web server's local download route is to do (built later, elsewhere): check the
 * signature with verifyLocalSignature, answer 403 otherwise, stream get(key) with its content
 * type and the signed filename. Here only so the contract's fetch-based checks run end to end.
 */
function downloadRoute(store: () => ObjectStore): http.RequestListener {
  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (!url.pathname.startsWith(`${LOCAL_OBJECTS_PATH}/`)) return void res.writeHead(404).end()
      let key: string
      try {
        key = url.pathname.slice(LOCAL_OBJECTS_PATH.length + 1).split('/').map(decodeURIComponent).join('/')
      } catch {
        return void res.writeHead(400).end()
      }
      const filename = url.searchParams.get('filename') ?? undefined
      const ok = verifyLocalSignature(key, url.searchParams.get('expires') ?? '', url.searchParams.get('sig') ?? '', secret, { filename })
      if (!ok) return void res.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden')
      const head = await store().head(key)
      if (!head) return void res.writeHead(404).end()
      res.writeHead(200, {
        'content-type': head.contentType,
        'content-length': head.size,
        ...(filename ? { 'content-disposition': contentDisposition(filename) } : {}),
      })
      await pipeline(await store().get(key), res)
    })().catch(() => res.destroy())
  }
}

let dir: string
let server: http.Server
let baseUrl: string

objectStoreContract('local folder', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-objects-'))
  // The store needs the server's URL and the server needs the store: start the server first.
  const holder: { store?: ObjectStore } = {}
  server = http.createServer(downloadRoute(() => holder.store!))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const current = await openObjectStore(
    { dataDir: dir, S3_REGION: 'us-east-1', S3_BUCKET: undefined, S3_ENDPOINT: undefined, S3_ACCESS_KEY_ID: undefined, S3_SECRET_ACCESS_KEY: undefined },
    { signingSecret: secret, baseUrl },
  )
  holder.store = current
  expect(current.kind).toBe('local')
  return {
    store: current,
    cleanup: async () => {
      await new Promise((resolve) => server.close(resolve))
      await rm(dir, { recursive: true, force: true })
    },
  }
})

describe('local store: files on disk and signatures', () => {
  let root: string
  let store: ObjectStore
  const baseUrl = 'https://hub.example.com/'
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'carbon-objects-'))
    store = createLocalStore({ root, signingSecret: secret, baseUrl })
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('keeps each object at its key path with a JSON sidecar, and no temp files after a put', async () => {
    const key = 'raw/MISO/da_expost_lmp/2026/07/14/abc.csv'
    await store.put(key, Buffer.from('x,y\n'), { contentType: 'text/csv', metadata: { publisher: 'MISO' } })
    expect((await stat(path.join(root, 'data', ...key.split('/')))).size).toBe(4)
    const sidecar = JSON.parse(await readFile(path.join(root, 'meta', ...key.split('/')), 'utf8'))
    expect(sidecar).toMatchObject({ contentType: 'text/csv', metadata: { publisher: 'MISO' }, size: 4 })
    expect(await readdir(path.join(root, 'tmp'))).toEqual([])
    // A failed put leaves no temp file either.
    const failing = new Readable({
      read() {
        this.destroy(new Error('boom'))
      },
    })
    await expect(store.put('raw/failing.csv', failing)).rejects.toThrow('boom')
    expect(await readdir(path.join(root, 'tmp'))).toEqual([])
    // Deleting the last key of a folder removes the emptied folders.
    await store.delete(key)
    expect(await readdir(path.join(root, 'data'))).toEqual([])
  })

  it('refuses a key that would need a file to also be a folder, with CONFLICT', async () => {
    await store.put('c/a', Buffer.from('1'))
    const error = await store.put('c/a/b', Buffer.from('2')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('CONFLICT')
    await store.put('d/a/b', Buffer.from('1'))
    const other = await store.put('d/a', Buffer.from('2')).catch((e: unknown) => e)
    expect((other as AppError).code).toBe('CONFLICT')
    expect((await store.getBuffer('d/a/b')).toString()).toBe('1')
  })

  it('requires a signing secret of at least 32 characters', () => {
    expect(() => createLocalStore({ root, signingSecret: 'short', baseUrl })).toThrow('at least 32')
  })

  describe('verifyLocalSignature', () => {
    const key = 'exports/acme/2026/prices report.csv'
    const read = (url: string) => {
      const parsed = new URL(url)
      return {
        parsed,
        key: parsed.pathname.slice(LOCAL_OBJECTS_PATH.length + 1).split('/').map(decodeURIComponent).join('/'),
        expires: parsed.searchParams.get('expires')!,
        sig: parsed.searchParams.get('sig')!,
        filename: parsed.searchParams.get('filename') ?? undefined,
      }
    }

    it('accepts the URL signedUrl made: the key, expiry and filename it carries', async () => {
      const before = Math.floor(Date.now() / 1000)
      const url = await store.signedUrl(key, { expiresInSeconds: 600, filename: 'prices.csv' })
      expect(url.startsWith(`https://hub.example.com/objects/${encodeKeyPath(key)}?`)).toBe(true)
      const got = read(url)
      expect(got.key).toBe(key)
      expect(got.filename).toBe('prices.csv')
      expect(Number(got.expires)).toBeGreaterThanOrEqual(before + 600)
      expect(Number(got.expires)).toBeLessThanOrEqual(before + 602)
      expect(verifyLocalSignature(got.key, got.expires, got.sig, secret, { filename: got.filename })).toBe(true)
      expect(verifyLocalSignature(got.key, Number(got.expires), got.sig, secret, { filename: got.filename })).toBe(true)
    })

    it('refuses an expired URL', async () => {
      const got = read(await store.signedUrl(key, { expiresInSeconds: 60 }))
      const expiresMs = Number(got.expires) * 1000
      expect(verifyLocalSignature(got.key, got.expires, got.sig, secret, { now: expiresMs - 1 })).toBe(true)
      expect(verifyLocalSignature(got.key, got.expires, got.sig, secret, { now: expiresMs })).toBe(false)
      expect(verifyLocalSignature(got.key, got.expires, got.sig, secret, { now: expiresMs + 3_600_000 })).toBe(false)
      // And in real time.
      const short = read(await store.signedUrl(key, { expiresInSeconds: 1 }))
      expect(verifyLocalSignature(short.key, short.expires, short.sig, secret)).toBe(true)
      await sleep(Number(short.expires) * 1000 - Date.now() + 50)
      expect(verifyLocalSignature(short.key, short.expires, short.sig, secret)).toBe(false)
    })

    it('refuses a tampered URL: key, signature, expiry, filename, secret', async () => {
      const got = read(await store.signedUrl(key, { expiresInSeconds: 600, filename: 'prices.csv' }))
      const opts = { filename: got.filename }
      expect(verifyLocalSignature(got.key, got.expires, got.sig, secret, opts)).toBe(true)
      expect(verifyLocalSignature('exports/other/2026/prices report.csv', got.expires, got.sig, secret, opts)).toBe(false)
      expect(verifyLocalSignature(`${got.key}x`, got.expires, got.sig, secret, opts)).toBe(false)
      const flipped = (got.sig[0] === 'A' ? 'B' : 'A') + got.sig.slice(1)
      expect(verifyLocalSignature(got.key, got.expires, flipped, secret, opts)).toBe(false)
      expect(verifyLocalSignature(got.key, String(Number(got.expires) + 1), got.sig, secret, opts)).toBe(false)
      expect(verifyLocalSignature(got.key, got.expires, got.sig, secret, { filename: 'other.csv' })).toBe(false)
      expect(verifyLocalSignature(got.key, got.expires, got.sig, secret)).toBe(false)
      expect(verifyLocalSignature(got.key, got.expires, got.sig, randomBytes(32).toString('base64url'), opts)).toBe(false)
      for (const junk of ['', 'abc', `${got.sig}A`, got.sig.slice(1), '!'.repeat(43)]) {
        expect(verifyLocalSignature(got.key, got.expires, junk, secret, opts)).toBe(false)
      }
      for (const badExpires of ['', '-1', '1e10', ' 1', 'abc']) {
        expect(verifyLocalSignature(got.key, badExpires, got.sig, secret, opts)).toBe(false)
      }
      expect(verifyLocalSignature('../etc/passwd', got.expires, got.sig, secret, opts)).toBe(false)
    })
  })
})
