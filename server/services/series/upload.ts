import { isSeriesSourceId, SERIES_SOURCES } from '@carbon/connectors'
import type { DataKey } from '@carbon/schemas'
import { z } from 'zod'
import { AppError } from '../../errors.ts'
import type { Principal } from '../auth/types.ts'
import { ingestSeriesPayload, type SeriesIngestDeps, type SeriesIngestResult } from './ingest.ts'

/** The series sources users enter as files (REC quotes have no publisher: docs/decisions/023). */
export const UPLOADABLE_SOURCES = ['carbon.rec_prices_csv'] as const
export type UploadableSource = (typeof UPLOADABLE_SOURCES)[number]

/**
 * Largest file accepted (1.5 MB): a REC quote file of a few thousand rows is well under it, and a
 * form or JSON body carrying it stays within the upload body limit (HTTP_UPLOAD_LIMIT_BYTES, 2 MB by
 * default, server/http/limits.ts isUploadPath), which refuses a larger body before it is read.
 */
export const MAX_UPLOAD_BYTES = 1536 * 1024

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
): Promise<SeriesIngestResult & { runId: number }> {
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
      file: storedFileName(file),
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

/**
 * The name a user's file is archived and recorded under: letters, digits, `.`, `_` and `-` only,
 * no run of dots and no leading dot (an object key refuses `..`; `../../etc/passwd` is
 * `___etc_passwd`).
 */
export function storedFileName(file: string): string {
  return (
    file
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/\.{2,}/g, '_')
      .replace(/^\.+/, '') || 'upload.csv'
  )
}

/**
 * The largest CSV the API takes (characters): within the upload body limit (HTTP_UPLOAD_LIMIT_BYTES,
 * 2 MB by default), which refuses a larger body with 413 before it is read. The hub's form takes
 * files up to MAX_UPLOAD_BYTES.
 */
export const MAX_API_CSV_CHARS = 1_000_000

/** A file of series values entered through the API (REST POST /series/upload, tRPC series.upload, the SDK). */
export const SeriesUploadInput = z
  .object({
    product: z.literal('REC'),
    source: z.enum(UPLOADABLE_SOURCES),
    /** The file's name, kept in the archive, the run and the dead letters (e.g. rec_quotes_2026-10-15.csv). */
    file: z.string().trim().min(1, 'name the file, e.g. rec_quotes_2026-10-15.csv').max(200),
    /** The file's text: the header line of the source's layout, then one row per value. */
    csv: z.string().min(1, 'the CSV is empty').max(MAX_API_CSV_CHARS, `more than ${MAX_API_CSV_CHARS} characters: upload larger files from the hub's form`),
  })
  .refine((input) => SERIES_SOURCES[input.source].product === input.product, {
    path: ['source'],
    message: 'the source does not hold values of this product',
  })
export type SeriesUploadInput = z.infer<typeof SeriesUploadInput>

export const SeriesRefusalOutput = z.object({
  kind: z.enum(['parse-issue', 'unusable-file', 'invalid-record']),
  /** The file's line (1 = the header), null for a record refused after reading. */
  line: z.number().int().nullable(),
  field: z.string(),
  value: z.string(),
  reason: z.string(),
})

export const SeriesUploadOutput = z.object({
  /** The ingest_runs row of the upload (the data-health page lists it). */
  runId: z.number().int(),
  file: z.string(),
  source: z.string(),
  product: z.string(),
  /** ok: every row sent to the store; partial: some refused; failed: the file is unusable as a whole. */
  status: z.enum(['ok', 'partial', 'no-data', 'failed']),
  /** Values sent to the store (they are stored within seconds, by the series consumer). */
  records: z.number().int(),
  /** Rows refused, each kept as a dead letter. */
  issues: z.number().int(),
  error: z.string().nullable(),
  /** The refused rows by line, field and value (the first 200). */
  refused: z.array(SeriesRefusalOutput),
})
export type SeriesUploadOutput = z.infer<typeof SeriesUploadOutput>

/**
 * An upload through the API: the CSV text through the same pipeline as the hub's form
 * (uploadSeriesFile), answered with the run id and the refused rows by line, field and value.
 * The caller has passed the access gate for the input's product (analyst role, write:series).
 */
export async function uploadSeriesCsv(deps: SeriesIngestDeps, principal: Principal, input: SeriesUploadInput): Promise<SeriesUploadOutput> {
  const upload = SeriesUploadInput.parse(input)
  const bytes = new TextEncoder().encode(upload.csv)
  const result = await uploadSeriesFile(deps, principal, { source: upload.source, file: upload.file, bytes })
  deps.log.info({ runId: result.runId, source: upload.source, status: result.status, records: result.records, issues: result.issues }, 'series file uploaded')
  return SeriesUploadOutput.parse({
    runId: result.runId,
    file: storedFileName(upload.file),
    source: upload.source,
    product: upload.product,
    status: result.status,
    records: result.records,
    issues: result.issues,
    error: result.error,
    refused: result.refused,
  })
}
