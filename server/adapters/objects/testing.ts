import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../errors.ts'
import { compareKeys, type ObjectStore } from './types.ts'

/**
 * The behaviour every ObjectStore adapter promises, as one vitest suite. Each adapter's
 * integration test calls it with a function that opens the store against the real backend
 * (a temporary folder; a throwaway OpenStack Swift speaking S3).
 *
 * Signed URLs are checked over HTTP with plain fetch: the S3 adapter's presigned URLs go to
 * the store itself; the local adapter's go to whatever serves `${baseUrl}/objects/...`.
 */
export type ContractTarget = {
  store: ObjectStore
  /** Runs after the suite (stop servers, remove folders). */
  cleanup?: () => Promise<void>
}

export function sha256Hex(bytes: Buffer | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks)
}

/** A deterministic-size stream of random bytes in 64 KiB chunks; `expected()` is its SHA-256. */
export function randomStream(totalBytes: number, options: { failAfter?: number } = {}) {
  const hash = createHash('sha256')
  let sent = 0
  const stream = new Readable({
    read() {
      if (options.failAfter !== undefined && sent >= options.failAfter) {
        this.destroy(new Error('source failed on purpose'))
        return
      }
      if (sent >= totalBytes) {
        this.push(null)
        return
      }
      const chunk = randomBytes(Math.min(64 * 1024, totalBytes - sent))
      sent += chunk.length
      hash.update(chunk)
      this.push(chunk)
    },
  })
  return { stream, expected: () => hash.digest('hex') }
}

async function expectAppError(promise: Promise<unknown>, code: string, messagePart?: string) {
  const error = await promise.then(
    () => {
      throw new Error(`expected AppError ${code}, but the call succeeded`)
    },
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as AppError).code).toBe(code)
  if (messagePart !== undefined) expect((error as AppError).message).toContain(messagePart)
  return error as AppError
}

function tamperFirstChar(value: string): string {
  return (value[0] === 'a' ? 'b' : 'a') + value.slice(1)
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export function objectStoreContract(name: string, open: () => Promise<ContractTarget>) {
  describe(`ObjectStore contract: ${name}`, () => {
    let target: ContractTarget
    let store: ObjectStore
    // Every test writes under its own prefix, so tests cannot see each other's keys.
    const prefix = () => `contract/${randomUUID()}`

    // A backend that cannot start fails every test with its error (not a skipped suite).
    let openError: unknown
    beforeAll(async () => {
      try {
        target = await open()
        store = target.store
      } catch (error) {
        openError = error
      }
    })
    beforeEach(() => {
      if (openError) throw openError
    })
    afterAll(async () => {
      await store?.close()
      await target?.cleanup?.()
    })

    it('puts a Buffer and reads it back with get, getBuffer and head', async () => {
      const key = `${prefix()}/hello.csv`
      const body = Buffer.from('node,lmp\nALTW.WELLS,31.27\n')
      const before = Date.now()
      const put = await store.put(key, body, { contentType: 'text/csv', metadata: { publisher: 'MISO', rows: '1' } })
      expect(put).toEqual({ key, size: body.length, etag: expect.any(String), sha256: sha256Hex(body) })
      expect(put.etag).toMatch(/^[0-9a-f]{32}(-\d+)?$/)
      expect(put.etag).not.toContain('"')

      expect(await store.getBuffer(key)).toEqual(body)
      expect(await readAll(await store.get(key))).toEqual(body)

      const head = await store.head(key)
      expect(head).toMatchObject({ size: body.length, contentType: 'text/csv', metadata: { publisher: 'MISO', rows: '1' } })
      expect(head!.lastModified).toBeInstanceOf(Date)
      // Second resolution on S3, so allow a little either side.
      expect(head!.lastModified.getTime()).toBeGreaterThanOrEqual(before - 2000)
      expect(head!.lastModified.getTime()).toBeLessThanOrEqual(Date.now() + 2000)
    })

    it('stores a Uint8Array view (offset, length) and an empty body', async () => {
      const base = prefix()
      const backing = new Uint8Array([9, 9, 1, 2, 3, 4, 9])
      const view = backing.subarray(2, 6)
      const put = await store.put(`${base}/view.bin`, view)
      expect(put.size).toBe(4)
      expect(put.sha256).toBe(sha256Hex(Buffer.from([1, 2, 3, 4])))
      expect(await store.getBuffer(`${base}/view.bin`)).toEqual(Buffer.from([1, 2, 3, 4]))

      const empty = await store.put(`${base}/empty.bin`, Buffer.alloc(0))
      expect(empty.size).toBe(0)
      expect(empty.sha256).toBe(sha256Hex(Buffer.alloc(0)))
      expect((await store.getBuffer(`${base}/empty.bin`)).length).toBe(0)
      expect(await store.head(`${base}/empty.bin`)).toMatchObject({
        size: 0,
        contentType: 'application/octet-stream',
        metadata: {},
      })
    })

    it('overwrites an object, content type and metadata together', async () => {
      const key = `${prefix()}/report.json`
      await store.put(key, Buffer.from('{"v":1}'), { contentType: 'application/json', metadata: { version: '1' } })
      const second = await store.put(key, Buffer.from('second version'), { contentType: 'text/plain' })
      expect(second.sha256).toBe(sha256Hex(Buffer.from('second version')))
      expect((await store.getBuffer(key)).toString()).toBe('second version')
      expect(await store.head(key)).toMatchObject({ size: 14, contentType: 'text/plain', metadata: {} })
    })

    it('streams a ~20 MB upload and download with the right size and SHA-256', async () => {
      const key = `${prefix()}/large.bin`
      const size = 20 * 1024 * 1024 + 12_345
      const source = randomStream(size)
      const put = await store.put(key, source.stream, { contentType: 'application/octet-stream', metadata: { kind: 'large' } })
      const expected = source.expected()
      expect(put.size).toBe(size)
      expect(put.sha256).toBe(expected)
      expect(await store.head(key)).toMatchObject({ size, metadata: { kind: 'large' } })

      const hash = createHash('sha256')
      let received = 0
      for await (const chunk of await store.get(key)) {
        hash.update(chunk as Buffer)
        received += (chunk as Buffer).length
      }
      expect(received).toBe(size)
      expect(hash.digest('hex')).toBe(expected)
    })

    it('fails a put whose source stream errors and leaves no object behind', async () => {
      const key = `${prefix()}/broken.bin`
      const source = randomStream(12 * 1024 * 1024, { failAfter: 6 * 1024 * 1024 })
      await expect(store.put(key, source.stream)).rejects.toThrow()
      expect(await store.head(key)).toBeNull()
      await expectAppError(store.get(key), 'NOT_FOUND')
    })

    it('stores a raw publisher payload under its content-addressed key', async () => {
      const body = Buffer.from('MARKET_DAY,NODE,TYPE,VALUE,HE1\n07/14/2026,ALTW.WELLS,Gennode,LMP,31.27\n')
      const key = `raw/MISO/da_expost_lmp/2026/07/14/${sha256Hex(body)}.csv`
      const put = await store.put(key, body, { contentType: 'text/csv', metadata: { 'source-url': 'https://docs.misoenergy.org/x.csv' } })
      expect(put.key).toBe(key)
      expect(put.sha256).toBe(sha256Hex(body))
      const listed = await store.list('raw/MISO/da_expost_lmp/2026/07/14/')
      expect(listed.keys).toContain(key)
      await store.delete(key)
    })

    it('reports missing keys: get and getBuffer NOT_FOUND, head null, delete a no-op', async () => {
      const key = `${prefix()}/missing.csv`
      const error = await expectAppError(store.get(key), 'NOT_FOUND', key)
      expect(error.status).toBe(404)
      await expectAppError(store.getBuffer(key), 'NOT_FOUND', key)
      expect(await store.head(key)).toBeNull()
      await expect(store.delete(key)).resolves.toBeUndefined()
      // A missing key under an existing "folder", and a key below an existing object.
      const base = prefix()
      await store.put(`${base}/exists.txt`, Buffer.from('x'))
      await expectAppError(store.get(`${base}/nope.txt`), 'NOT_FOUND')
      expect(await store.head(`${base}/exists.txt/below`)).toBeNull()
      await expectAppError(store.get(`${base}/exists.txt/below`), 'NOT_FOUND')
    })

    it('lists by prefix in lexical (UTF-8 byte) order and pages with after/next', async () => {
      const base = prefix()
      const names = ['a/1.csv', 'a/2.csv', 'a/sub/3.csv', 'a-b.csv', 'a.csv', 'b c.csv', 'b/ü.csv', 'Z.csv', 'b/z.csv', 'b~.csv']
      const keys = names.map((n) => `${base}/${n}`)
      for (const key of keys) await store.put(key, Buffer.from(key))
      const sorted = [...keys].sort(compareKeys)

      expect(await store.list(`${base}/`)).toEqual({ keys: sorted, next: null })
      expect((await store.list(`${base}/a/`)).keys).toEqual([`${base}/a/1.csv`, `${base}/a/2.csv`, `${base}/a/sub/3.csv`])
      // A prefix that is not a whole folder name.
      expect((await store.list(`${base}/a`)).keys).toEqual(sorted.filter((k) => k.startsWith(`${base}/a`)))
      expect((await store.list(`${base}/b`)).keys).toEqual([`${base}/b c.csv`, `${base}/b/z.csv`, `${base}/b/ü.csv`, `${base}/b~.csv`])
      expect(await store.list(`${base}/nothing/`)).toEqual({ keys: [], next: null })
      expect(await store.list(`${base}/a/1.csv`)).toEqual({ keys: [`${base}/a/1.csv`], next: null })

      // Paging: 3 at a time visits every key once, in order, and ends with next = null.
      const seen: string[] = []
      let after: string | undefined
      let pages = 0
      for (;;) {
        const page = await store.list(`${base}/`, { limit: 3, after })
        pages += 1
        seen.push(...page.keys)
        if (page.next === null) break
        expect(page.keys).toHaveLength(3)
        expect(page.next).toBe(page.keys[2])
        after = page.next
      }
      expect(seen).toEqual(sorted)
      expect(pages).toBe(Math.ceil(sorted.length / 3))
      // `after` need not be an existing key.
      expect((await store.list(`${base}/`, { after: `${base}/a/3` })).keys).toEqual(sorted.filter((k) => compareKeys(k, `${base}/a/3`) > 0))
      // Exactly `limit` keys left: next is the last key, and the page after it is empty.
      const lastTwo = await store.list(`${base}/`, { limit: 2, after: sorted[sorted.length - 3] })
      expect(lastTwo.keys).toEqual(sorted.slice(-2))
      expect(lastTwo.next === null || (await store.list(`${base}/`, { after: lastTwo.next })).keys.length === 0).toBe(true)

      await expectAppError(store.list(`${base}/`, { limit: 0 }), 'BAD_REQUEST')
      await expectAppError(store.list(`${base}/`, { limit: 1001 }), 'BAD_REQUEST')
      await expectAppError(store.list('/abs'), 'BAD_REQUEST')
    })

    it('deletes an object and only that object', async () => {
      const base = prefix()
      await store.put(`${base}/x/keep.csv`, Buffer.from('keep'))
      await store.put(`${base}/x/drop.csv`, Buffer.from('drop'))
      await store.delete(`${base}/x/drop.csv`)
      expect(await store.head(`${base}/x/drop.csv`)).toBeNull()
      await expectAppError(store.getBuffer(`${base}/x/drop.csv`), 'NOT_FOUND')
      expect((await store.list(`${base}/`)).keys).toEqual([`${base}/x/keep.csv`])
      await store.delete(`${base}/x/keep.csv`)
      expect(await store.list(`${base}/`)).toEqual({ keys: [], next: null })
      // The "folder" can be used again after it emptied.
      await store.put(`${base}/x/again.csv`, Buffer.from('again'))
      expect((await store.list(`${base}/x/`)).keys).toEqual([`${base}/x/again.csv`])
    })

    it('accepts keys with spaces, Unicode and 1024 bytes', async () => {
      const base = prefix()
      const unicode = `${base}/Résumé 2026 (final) #1 +%.csv`
      await store.put(unicode, Buffer.from('u'))
      expect((await store.getBuffer(unicode)).toString()).toBe('u')
      const segment = 'x'.repeat(200)
      let long = `${base}`
      while (Buffer.byteLength(long) + 201 <= 1024) long += `/${segment}`
      long += '/' + 'y'.repeat(1024 - Buffer.byteLength(long) - 1)
      expect(Buffer.byteLength(long)).toBe(1024)
      await store.put(long, Buffer.from('long'))
      expect((await store.getBuffer(long)).toString()).toBe('long')
      expect((await store.list(`${base}/`)).keys).toEqual([unicode, long].sort(compareKeys))
    })

    it('rejects invalid keys with BAD_REQUEST naming the key, on every operation', async () => {
      const bad = ['', '/raw/x.csv', 'raw/../etc/passwd', '..', 'raw/a..b', 'a\u0000b', 'a\nb', 'a\u007fb', 'a//b', 'a/', './a', 'a/./b', 'a\\b', 'é'.repeat(513)]
      for (const key of bad) {
        const error = await expectAppError(store.put(key, Buffer.from('x')), 'BAD_REQUEST', 'Invalid object key')
        expect(error.status).toBe(400)
        if (key === '/raw/x.csv' || key === 'raw/../etc/passwd') expect(error.message).toContain(JSON.stringify(key))
        await expectAppError(store.get(key), 'BAD_REQUEST')
        await expectAppError(store.getBuffer(key), 'BAD_REQUEST')
        await expectAppError(store.head(key), 'BAD_REQUEST')
        await expectAppError(store.delete(key), 'BAD_REQUEST')
        await expectAppError(store.signedUrl(key, { expiresInSeconds: 60 }), 'BAD_REQUEST')
      }
      await expectAppError(store.put(`${prefix()}/k`, Buffer.from('x'), { metadata: { Bad_Name: 'x' } }), 'BAD_REQUEST', 'metadata')
      await expectAppError(store.put(`${prefix()}/k`, Buffer.from('x'), { metadata: { ok: 'line\nbreak' } }), 'BAD_REQUEST', 'metadata')
      await expectAppError(store.put(`${prefix()}/k`, Buffer.from('x'), { contentType: 'not a type' }), 'BAD_REQUEST', 'content type')
      await expectAppError(store.signedUrl(`${prefix()}/k`, { expiresInSeconds: 0 }), 'BAD_REQUEST')
      await expectAppError(store.signedUrl(`${prefix()}/k`, { expiresInSeconds: 8 * 24 * 3600 }), 'BAD_REQUEST')
      await expectAppError(store.signedUrl(`${prefix()}/k`, { expiresInSeconds: 60, filename: 'a"b.csv' }), 'BAD_REQUEST')
    })

    describe('signed URLs (plain fetch, no credentials)', () => {
      let keyA: string
      let keyB: string
      const bodyA = Buffer.from('node,lmp\nA,1\n')
      beforeAll(async () => {
        if (openError) return // each test then fails with it
        const base = prefix()
        keyA = `${base}/export-a.csv`
        keyB = `${base}/export-b.csv`
        await store.put(keyA, bodyA, { contentType: 'text/csv' })
        await store.put(keyB, Buffer.from('node,lmp\nB,2\n'), { contentType: 'text/csv' })
      })

      it('a valid URL downloads the object with the filename in Content-Disposition', async () => {
        const url = await store.signedUrl(keyA, { expiresInSeconds: 300, filename: 'MISO prices 2026-07-14.csv' })
        const response = await fetch(url)
        expect(response.status).toBe(200)
        expect(Buffer.from(await response.arrayBuffer())).toEqual(bodyA)
        expect(response.headers.get('content-disposition')).toBe('attachment; filename="MISO prices 2026-07-14.csv"')
        expect(response.headers.get('content-type')).toContain('text/csv')

        const plain = await fetch(await store.signedUrl(keyB, { expiresInSeconds: 60 }))
        expect(plain.status).toBe(200)
        expect(await plain.text()).toBe('node,lmp\nB,2\n')

        const unicode = await fetch(await store.signedUrl(keyA, { expiresInSeconds: 60, filename: 'Zürich €.csv' }))
        expect(unicode.status).toBe(200)
        await unicode.arrayBuffer()
        expect(unicode.headers.get('content-disposition')).toContain("filename*=UTF-8''Z%C3%BCrich%20%E2%82%AC.csv")
      })

      it('an expired URL is refused with 403', async () => {
        const url = await store.signedUrl(keyA, { expiresInSeconds: 1 })
        const fresh = await fetch(url)
        expect(fresh.status).toBe(200)
        await fresh.arrayBuffer()
        await sleep(2600)
        const expired = await fetch(url)
        expect(expired.status).toBe(403)
        expect(await expired.text()).not.toContain('node,lmp')
      })

      it('a tampered URL (other key, signature, expiry or filename) is refused with 403', async () => {
        const url = await store.signedUrl(keyA, { expiresInSeconds: 300, filename: 'a.csv' })
        const check = async (changed: string) => {
          expect(changed).not.toBe(url)
          const response = await fetch(changed)
          expect(response.status).toBe(403)
          expect(await response.text()).not.toContain('node,lmp')
        }
        // Another object's key, same signature.
        await check(url.replace('export-a.csv', 'export-b.csv'))
        // The signature itself.
        const parsed = new URL(url)
        const sigParam = parsed.searchParams.has('X-Amz-Signature') ? 'X-Amz-Signature' : 'sig'
        const withSig = new URL(url)
        withSig.searchParams.set(sigParam, tamperFirstChar(parsed.searchParams.get(sigParam)!))
        await check(withSig.toString())
        // A longer life.
        const expiresParam = parsed.searchParams.has('X-Amz-Expires') ? 'X-Amz-Expires' : 'expires'
        const longer = new URL(url)
        longer.searchParams.set(expiresParam, String(Number(parsed.searchParams.get(expiresParam)) + 3600))
        await check(longer.toString())
        // Another download name.
        const filenameParam = parsed.searchParams.has('response-content-disposition') ? 'response-content-disposition' : 'filename'
        const renamed = new URL(url)
        renamed.searchParams.set(filenameParam, filenameParam === 'filename' ? 'b.csv' : 'attachment; filename="b.csv"')
        await check(renamed.toString())
        // The untouched URL still works.
        const ok = await fetch(url)
        expect(ok.status).toBe(200)
        await ok.arrayBuffer()
      })
    })
  })
}
