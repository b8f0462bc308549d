import { ParseError, SERIES_SOURCES, type SeriesSourceId } from '@carbon/connectors'
import { entitlementKey, SeriesRecord, type DataKey } from '@carbon/schemas'
import type { Logger } from 'pino'
import { TOPICS, type Bus, type BusMessage } from '../../adapters/bus/index.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { metrics } from '../../metrics.ts'
import { archiveRaw, deadLetter, issueReason, type RawRequest } from '../ingest/pipeline.ts'
import { recordIngestRun, type IngestRunStatus, type IngestTrigger } from '../ingest/runs.ts'

/**
 * One series file through the same pipeline as a price file (server/services/ingest/pipeline.ts):
 *
 *   archive raw bytes (object store raw/<key>/<source>/...) -> reference on series.raw -> read
 *   (packages/connectors SERIES_SOURCES) -> records on series.normalized (key product:series)
 *   -> refused rows and an unusable file on series.dlq -> one ingest_runs row
 *
 * The raw bytes are archived first, whatever they hold, so every answer can be replayed. A file
 * that cannot be read is one dead letter (kind `unusable-file`) naming file, line, field and
 * value; each row a reader refuses is one (kind `parse-issue`); a record the reader made that the
 * canonical schema refuses is one too (kind `invalid-record`: a reader's bug, never dropped).
 * Records outside `window` (when given) are published too: a series file is small, and what a
 * publisher revises in older periods is worth keeping.
 */
export type SeriesIngestDeps = { db: Database; bus: Bus; objects: ObjectStore; log: Logger }

export type SeriesPayload = {
  source: SeriesSourceId
  /** What the file is ingested under (entitlements, runs, archive path): its product, or a GRID file's market. */
  key: DataKey
  bytes: Uint8Array
  file: string
  /** Where it came from: the publisher URL, or `upload:<user>` for a file a user entered. */
  url: string
  window: { start: number; end: number }
  status: number | null
  fetchedAt: number
  lastModified: number | null
  attempts: number
}

export type SeriesIngestResult = {
  status: IngestRunStatus
  records: number
  issues: number
  rawKey: string
  error: string | null
  /** The latest period start among the published records (null when none). */
  lastPeriodStart: number | null
}

const MAX_FIELD_CHARS = 200
const clip = (text: string) => (text.length <= MAX_FIELD_CHARS ? text : `${text.slice(0, MAX_FIELD_CHARS - 1)}…`)

/** Reads, publishes and records one series file; resolves to what became of it. */
export async function ingestSeriesPayload(
  deps: SeriesIngestDeps,
  payload: SeriesPayload,
  context: { trigger: IngestTrigger; startedAt: number },
): Promise<SeriesIngestResult> {
  const request: RawRequest = { dataset: payload.source, file: payload.file, url: payload.url, window: payload.window }
  const rawKey = await archiveRaw(deps, payload.key, request, payload.bytes, { status: payload.status, contentType: 'application/octet-stream', fetchedAt: payload.fetchedAt }, TOPICS.seriesRaw)
  const { result, deadLetters } = await readAndPublish(deps, payload, rawKey)
  if (deadLetters.length > 0) await deps.bus.publish(TOPICS.seriesDlq, deadLetters)
  await recordIngestRun(deps.db, {
    market: payload.key,
    dataset: payload.source,
    trigger: context.trigger,
    windowStart: new Date(payload.window.start),
    windowEnd: new Date(payload.window.end),
    url: payload.url,
    file: payload.file,
    status: result.status,
    httpStatus: payload.status,
    attempts: payload.attempts,
    records: result.records,
    issues: result.issues,
    newNodes: 0,
    bytes: payload.bytes.length,
    rawKey,
    publishedAt: payload.lastModified === null ? null : new Date(payload.lastModified),
    error: result.error,
    startedAt: new Date(context.startedAt),
    finishedAt: new Date(),
  })
  const labels = { market: payload.key, dataset: payload.source }
  metrics.ingestRequests.inc({ ...labels, status: result.status })
  metrics.ingestRecords.inc(labels, result.records)
  metrics.ingestIssues.inc(labels, result.issues)
  if (result.status !== 'failed') metrics.ingestLastSuccess.set(labels, Date.now() / 1000)
  return result
}

async function readAndPublish(
  deps: Pick<SeriesIngestDeps, 'bus' | 'log'>,
  payload: SeriesPayload,
  rawKey: string,
): Promise<{ result: SeriesIngestResult; deadLetters: BusMessage[] }> {
  const { source, file } = payload
  const where = { 'source-dataset': source, 'raw-key': rawKey }
  const log = deps.log.child({ dataset: source, file })
  let parsed
  try {
    parsed = SERIES_SOURCES[source].parse(payload.bytes, file)
  } catch (error) {
    if (!(error instanceof ParseError)) throw error
    const letter = deadLetter('unusable-file', `${payload.key}:${file}`, JSON.stringify({ dataset: source, file, rawKey, reason: error.message }), error.message, {
      ...where,
      file: error.file,
      line: String(error.line),
      field: error.field,
    })
    log.warn({ rawKey, reason: error.message }, 'series file unusable; raw payload kept, dead letter written')
    return { result: { status: 'failed', records: 0, issues: 1, rawKey, error: error.message, lastPeriodStart: null }, deadLetters: [letter] }
  }

  const dead: BusMessage[] = parsed.errors.map((issue) =>
    deadLetter('parse-issue', `${payload.key}:${file}`, JSON.stringify({ dataset: source, rawKey, ...issue }), issueReason(issue), {
      ...where,
      file: issue.file,
      line: String(issue.line),
      field: issue.field,
    }),
  )
  const published = payload.lastModified === null ? null : new Date(payload.lastModified).toISOString()
  const headers = { 'ingest-time': new Date().toISOString(), 'raw-key': rawKey }
  const messages: BusMessage[] = []
  let last: number | null = null
  for (const record of parsed.records) {
    const checked = SeriesRecord.safeParse({ ...record, publishedAt: record.publishedAt ?? published })
    if (!checked.success || !belongsTo(checked.data, payload.key)) {
      const reason = checked.success
        ? `record of ${entitlementKey(checked.data)} in a file ingested under ${payload.key} (${file})`
        : `invalid series record from ${file}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`
      dead.push(deadLetter('invalid-record', `${payload.key}:${file}`, clip(JSON.stringify(record)), reason, where))
      continue
    }
    messages.push({ key: `${checked.data.product}:${checked.data.series}`, value: JSON.stringify(checked.data), headers })
    const start = Date.parse(checked.data.periodStart)
    if (last === null || start > last) last = start
  }
  if (messages.length > 0) await deps.bus.publish(TOPICS.seriesNormalized, messages)
  if (dead.length > 0) log.warn({ issues: dead.length }, 'series rows refused; sent to the dead-letter topic')
  const result: SeriesIngestResult = {
    status: dead.length > 0 ? 'partial' : 'ok',
    records: messages.length,
    issues: dead.length,
    rawKey,
    error: null,
    lastPeriodStart: last,
  }
  return { result, deadLetters: dead }
}

/** Whether a record may be published under the file's key (a GRID file of one market holds only that market's series). */
function belongsTo(record: SeriesRecord, key: DataKey): boolean {
  try {
    return entitlementKey(record) === key
  } catch {
    return false
  }
}
