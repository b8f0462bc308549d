import { createHash } from 'node:crypto'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import { AppError } from '../../errors.ts'

/**
 * The bytes archived under a raw key, checked against the content hash the key ends with; the
 * reason when they are gone or differ (both dead-letter replays read through this).
 */
export async function archivedBytes(objects: ObjectStore, rawKey: string): Promise<{ ok: true; bytes: Buffer } | { ok: false; reason: string }> {
  let bytes: Buffer
  try {
    bytes = await objects.getBuffer(rawKey)
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') {
      return { ok: false, reason: `raw payload ${rawKey} is not in the object store; re-ingest its window with npx carbon backfill --force` }
    }
    throw error
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (!rawKey.endsWith(`.${sha256.slice(0, 12)}`)) return { ok: false, reason: `raw payload ${rawKey}: the stored bytes do not match the key's content hash` }
  return { ok: true, bytes }
}
