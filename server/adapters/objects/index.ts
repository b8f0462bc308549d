import path from 'node:path'
import type { Env } from '../../env.ts'
import type { Logger } from '../../logger.ts'
import { openLocalStore } from './local.ts'
import { createS3Store } from './s3.ts'
import type { ObjectStore } from './types.ts'

export * from './types.ts'
export { createLocalStore, openLocalStore, verifyLocalSignature, localSigningSecret, encodeKeyPath, LOCAL_OBJECTS_PATH, type LocalStoreOptions } from './local.ts'
export { createS3Store, type S3ObjectStore, type S3StoreOptions } from './s3.ts'

export type ObjectStoreEnv = Pick<
  Env,
  'dataDir' | 'S3_ENDPOINT' | 'S3_REGION' | 'S3_BUCKET' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY'
>

/**
 * The object store chosen by configuration: S3 when S3_BUCKET is set (S3_ENDPOINT for MinIO or
 * another compatible store, unset for AWS), else the local folder `${dataDir}/objects`.
 * `signingSecret` (>= 32 characters) and `baseUrl` (the public origin) sign local download URLs;
 * S3 presigns with its own credentials. The S3 bucket is expected to exist: call
 * `ensureBucket()` on the S3 store to create it (tests, development MinIO).
 */
export async function openObjectStore(
  env: ObjectStoreEnv,
  options: { signingSecret: string; baseUrl: string; log?: Logger },
): Promise<ObjectStore> {
  const log = options.log?.child({ component: 'objects' })
  if (env.S3_BUCKET) {
    if (!env.S3_ACCESS_KEY_ID || !env.S3_SECRET_ACCESS_KEY) {
      throw new Error('S3_BUCKET is set but S3_ACCESS_KEY_ID or S3_SECRET_ACCESS_KEY is not')
    }
    log?.info({ kind: 's3', bucket: env.S3_BUCKET, endpoint: env.S3_ENDPOINT ?? 'aws' }, 'object store')
    return createS3Store({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      log,
    })
  }
  const root = path.join(env.dataDir, 'objects')
  log?.info({ kind: 'local', root }, 'object store')
  return openLocalStore({ root, signingSecret: options.signingSecret, baseUrl: options.baseUrl, log })
}
