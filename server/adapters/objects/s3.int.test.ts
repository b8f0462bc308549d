import { randomBytes } from 'node:crypto'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { startSwift, type SwiftServer } from '../../../tests/setup/swift.ts'
import { AppError } from '../../errors.ts'
import { openObjectStore } from './index.ts'
import { createS3Store, type S3ObjectStore } from './s3.ts'
import { objectStoreContract } from './testing.ts'

/**
 * The S3 adapter against a real S3 implementation: Debian's OpenStack Swift with s3api,
 * started once for this file (tests/setup/swift.ts; `bash scripts/install-swift.sh` installs
 * it). When Swift is missing the suite fails with that instruction; it never skips.
 */
let swift: SwiftServer | undefined
let starting: Promise<SwiftServer> | undefined
const bucket = `carbon-test-${randomBytes(4).toString('hex')}`

function swiftOnce(): Promise<SwiftServer> {
  starting ??= startSwift().then((server) => (swift = server))
  return starting
}

afterAll(async () => {
  await swift?.stop()
})

objectStoreContract('S3 (OpenStack Swift s3api)', async () => {
  const server = await swiftOnce()
  const store = await openObjectStore(
    {
      dataDir: '/nonexistent-should-not-be-used',
      S3_ENDPOINT: server.endpoint,
      S3_REGION: server.region,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: server.accessKeyId,
      S3_SECRET_ACCESS_KEY: server.secretAccessKey,
    },
    { signingSecret: randomBytes(32).toString('hex'), baseUrl: 'http://unused.example' },
  )
  expect(store.kind).toBe('s3')
  await (store as S3ObjectStore).ensureBucket()
  return { store }
})

describe('S3 store: bucket and credentials', () => {
  let server: SwiftServer
  // beforeEach, not beforeAll: without Swift every test fails with the install hint, none skip.
  beforeEach(async () => {
    server = await swiftOnce()
  })

  it('ensureBucket creates a missing bucket and is idempotent', async () => {
    const store = createS3Store({
      endpoint: server.endpoint,
      region: server.region,
      bucket: `carbon-ensure-${randomBytes(4).toString('hex')}`,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    })
    try {
      // Before: the bucket is missing, so a put fails with a clear (non-secret) message.
      const error = await store.put('a/b.txt', Buffer.from('x')).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).message).toContain('does not exist')
      await store.ensureBucket()
      await store.ensureBucket()
      await store.put('a/b.txt', Buffer.from('x'))
      expect((await store.getBuffer('a/b.txt')).toString()).toBe('x')
    } finally {
      await store.close()
    }
  })

  it('wrong credentials fail as an AppError that does not echo the secret', async () => {
    const secret = `wrong-${randomBytes(8).toString('hex')}`
    const store = createS3Store({
      endpoint: server.endpoint,
      region: server.region,
      bucket,
      accessKeyId: server.accessKeyId,
      secretAccessKey: secret,
    })
    try {
      const error = await store.head('a/b.txt').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('INTERNAL')
      expect((error as AppError).message).not.toContain(secret)
      expect((error as AppError).userMessage).toBe('The object store is not available')
    } finally {
      await store.close()
    }
  })
})
