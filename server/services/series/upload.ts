import { isSeriesSourceId, SERIES_SOURCES } from '@carbon/connectors'
import type { DataKey } from '@carbon/schemas'
import { AppError } from '../../errors.ts'
import type { Principal } from '../auth/types.ts'
import { ingestSeriesPayload, type SeriesIngestDeps, type SeriesIngestResult } from './ingest.ts'

/** The series sources users enter as files (REC quotes have no publisher: docs/decisions/023). */
export const UPLOADABLE_SOURCES = ['carbon.rec_prices_csv'] as const
export type UploadableSource = (typeof UPLOADABLE_SOURCES)[number]

/** Largest file accepted: a REC quote file of a few thousand rows is well under it. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024

/**
 * A file a user entered, through the same pipeline as a publisher's (archived, read, published,
 * dead-lettered row by row, one ingest_runs row whose URL names the user): the records reach the
 * store through the series consumer. The caller has passed the access gate for the source's
 * product with the analyst role.
 */
export async function uploadSeriesFile(
  deps: SeriesIngestDeps,
  principal: Principal,
  upload: { source: string; file: string; bytes: Uint8Array },
): Promise<SeriesIngestResult> {
  const { source, file, bytes } = upload
  if (!isSeriesSourceId(source) || !(UPLOADABLE_SOURCES as readonly string[]).includes(source)) {
    throw AppError.badRequest(`source: "${source}" is not entered by file; these are: ${UPLOADABLE_SOURCES.join(', ')}`, { source })
  }
  if (bytes.length === 0) throw AppError.badRequest(`file: ${file} is empty`, { file })
  if (bytes.length > MAX_UPLOAD_BYTES) throw AppError.badRequest(`file: ${file} has ${bytes.length} bytes, more than ${MAX_UPLOAD_BYTES}`, { file })
  const key: DataKey = SERIES_SOURCES[source].product as DataKey
  const now = Date.now()
  return ingestSeriesPayload(
    deps,
    {
      source,
      key,
      bytes,
      file: file.replace(/[^A-Za-z0-9._-]/g, '_') || 'upload.csv',
      url: `upload:${principal.label}`,
      window: { start: now, end: now },
      status: null,
      fetchedAt: now,
      lastModified: now,
      attempts: 1,
    },
    { trigger: 'upload', startedAt: now },
  )
}
