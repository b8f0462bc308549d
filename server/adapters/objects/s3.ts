import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { AppError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { digestStream, pipeInto, toReadable } from './digest.ts'
import {
  contentDisposition,
  validateKey,
  validateListOptions,
  validatePrefix,
  validatePutOptions,
  validateSignedUrlOptions,
  type ObjectHead,
  type ObjectStore,
} from './types.ts'

/**
 * The S3 object store: AWS S3, MinIO, or any S3-compatible endpoint (tests use OpenStack Swift's
 * s3api). Uploads stream through @aws-sdk/lib-storage (multipart above one part), downloads are
 * presigned GET URLs.
 */
export type S3StoreOptions = {
  /** Unset for AWS; the MinIO/compatible endpoint otherwise (then path-style addressing is used). */
  endpoint?: string
  region: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  /** Default: true when `endpoint` is set (MinIO, Swift), false for AWS (virtual-hosted). */
  forcePathStyle?: boolean
  /** Multipart part size in bytes (minimum 5 MiB); memory per upload is about partSize * queueSize. */
  partSize?: number
  log?: Logger
}

export type S3ObjectStore = ObjectStore & {
  readonly kind: 's3'
  readonly bucket: string
  /**
   * Creates the bucket when it does not exist. Production buckets normally exist already
   * (created by infrastructure with their policies and lifecycle rules); this is for tests,
   * development MinIO and first-run convenience. Needs s3:CreateBucket only when missing.
   */
  ensureBucket(): Promise<void>
}

const PART_SIZE = 8 * 1024 * 1024
const QUEUE_SIZE = 2

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : 'Error'
}

function isMissing(error: unknown): boolean {
  const name = nameOf(error)
  return name === 'NoSuchKey' || name === 'NotFound' || (statusOf(error) === 404 && name !== 'NoSuchBucket')
}

function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^(W\/)?"|"$/g, '')
}

export function createS3Store(options: S3StoreOptions): S3ObjectStore {
  const { bucket, log } = options
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket ?? '')) {
    throw new Error(`createS3Store: invalid bucket name ${JSON.stringify(bucket)} (3-63 of a-z 0-9 . -)`)
  }
  if (!options.accessKeyId || !options.secretAccessKey) throw new Error('createS3Store: credentials are required')
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    // Without these the SDK adds CRC32 trailers to streamed uploads, which S3-compatible stores
    // (Swift's s3api, older MinIO) reject; it then also skips validating response checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  const partSize = Math.max(options.partSize ?? PART_SIZE, 5 * 1024 * 1024)

  /** An SDK failure as an AppError; the message names the operation and key, never credentials. */
  const fail = (operation: string, key: string | undefined, error: unknown): AppError => {
    if (error instanceof AppError) return error
    const name = nameOf(error)
    const where = key === undefined ? `bucket ${JSON.stringify(bucket)}` : `${JSON.stringify(key)} in bucket ${JSON.stringify(bucket)}`
    if (name === 'NoSuchBucket') {
      return new AppError('INTERNAL', `Object store ${operation} failed: bucket ${JSON.stringify(bucket)} does not exist`, {
        userMessage: 'The object store is not available',
        cause: error,
      })
    }
    const status = statusOf(error)
    const denied = status === 403 || name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch'
    return new AppError(denied ? 'INTERNAL' : 'UNAVAILABLE', `Object store ${operation} of ${where} failed: ${name}${status ? ` (HTTP ${status})` : ''}`, {
      userMessage: 'The object store is not available',
      details: key === undefined ? undefined : { key },
      cause: error,
    })
  }

  const notFound = (key: string) => AppError.notFound(`Object ${JSON.stringify(key)}`, { key })

  const store: S3ObjectStore = {
    kind: 's3',
    bucket,

    async put(key, body, putOptions) {
      validateKey(key)
      const { contentType, metadata } = validatePutOptions(putOptions)
      let payload: Buffer | Readable
      let digest: (() => { size: number; sha256: string }) | undefined
      if (body instanceof Uint8Array) {
        payload = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
        const bytes = payload
        digest = () => ({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })
      } else {
        const through = digestStream()
        payload = pipeInto(toReadable(body), through.transform)
        digest = through.result
      }
      const upload = new Upload({
        client,
        params: { Bucket: bucket, Key: key, Body: payload, ContentType: contentType, Metadata: metadata },
        partSize,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      })
      let etag: string | undefined
      try {
        const result = await upload.done()
        etag = result.ETag
      } catch (error) {
        if (!Buffer.isBuffer(payload)) (payload as Readable).destroy()
        throw fail('put', key, error)
      }
      const { size, sha256 } = digest()
      log?.debug({ key, size }, 'object stored')
      return { key, size, etag: unquote(etag), sha256 }
    },

    async get(key) {
      validateKey(key)
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        return response.Body as Readable
      } catch (error) {
        if (isMissing(error)) throw notFound(key)
        throw fail('get', key, error)
      }
    },

    async getBuffer(key) {
      validateKey(key)
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        if (!response.Body) return Buffer.alloc(0)
        const bytes = await response.Body.transformToByteArray()
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      } catch (error) {
        if (isMissing(error)) throw notFound(key)
        throw fail('get', key, error)
      }
    },

    async head(key): Promise<ObjectHead | null> {
      validateKey(key)
      try {
        const response = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        return {
          size: response.ContentLength ?? 0,
          contentType: response.ContentType ?? 'application/octet-stream',
          metadata: { ...(response.Metadata ?? {}) },
          lastModified: response.LastModified ?? new Date(0),
        }
      } catch (error) {
        if (isMissing(error)) return null
        throw fail('head', key, error)
      }
    },

    async list(prefix, listOptions) {
      validatePrefix(prefix)
      const { after, limit } = validateListOptions(listOptions)
      try {
        const response = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, StartAfter: after, MaxKeys: limit }),
        )
        const keys = (response.Contents ?? []).map((object) => object.Key).filter((key): key is string => Boolean(key))
        return { keys, next: response.IsTruncated && keys.length > 0 ? keys[keys.length - 1]! : null }
      } catch (error) {
        throw fail('list', prefix, error)
      }
    },

    async delete(key) {
      validateKey(key)
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
      } catch (error) {
        if (isMissing(error)) return
        throw fail('delete', key, error)
      }
      log?.debug({ key }, 'object deleted')
    },

    async signedUrl(key, urlOptions) {
      validateKey(key)
      const { expiresInSeconds, filename } = validateSignedUrlOptions(urlOptions)
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentDisposition: filename === undefined ? undefined : contentDisposition(filename),
      })
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds })
    },

    async ensureBucket() {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }))
        return
      } catch (error) {
        if (statusOf(error) !== 404 && nameOf(error) !== 'NotFound' && nameOf(error) !== 'NoSuchBucket') {
          throw fail('head bucket', undefined, error)
        }
      }
      try {
        await client.send(
          new CreateBucketCommand({
            Bucket: bucket,
            // us-east-1 is the one region that must NOT be named as a location constraint.
            CreateBucketConfiguration:
              options.region === 'us-east-1' ? undefined : { LocationConstraint: options.region as BucketLocationConstraint },
          }),
        )
        log?.info({ bucket }, 'object store bucket created')
      } catch (error) {
        if (nameOf(error) === 'BucketAlreadyOwnedByYou') return
        throw fail('create bucket', undefined, error)
      }
    },

    async close() {
      client.destroy()
    },
  }
  return store
}
