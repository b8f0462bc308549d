import { ParseError, SERIES_SOURCES, type SeriesSourceDefinition, type SeriesSourceId } from '@carbon/connectors'
import { entitlementKey, SeriesRecord, type DataKey } from '@carbon/schemas'
import type { Logger } from 'pino'
import { TOPICS, type Bus, type BusMessage } from '../../adapters/bus/index.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import { ingestRuns, type Database } from '../../adapters/postgres/schema/index.ts'
import { metrics } from '../../metrics.ts'
import { archiveRaw, deadLetter, issueReason, type RawRequest } from '../ingest/pipeline.ts'
import type { IngestRunRecord, IngestRunStatus, IngestTrigger } from '../ingest/runs.ts'

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
  /** What was refused, row by row (the first MAX_LISTED_REFUSALS; `issues` counts them all). */
  refused: SeriesRefusal[]
}

/** One refusal of a file: a row the reader refused, the whole file (unusable), or a record the canonical schema or the file's key refused (line null). */
export type SeriesRefusal = { kind: 'parse-issue' | 'unusable-file' | 'invalid-record'; line: number | null; field: string; value: string; reason: string }

/** How many refusals a result lists (a file of another key refuses every record). */
export const MAX_LISTED_REFUSALS = 200

const MAX_FIELD_CHARS = 200
const clip = (text: string) => (text.length <= MAX_FIELD_CHARS ? text : `${text.slice(0, MAX_FIELD_CHARS - 1)}…`)

/** Reads, publishes and records one series file; resolves to what became of it and its ingest_runs row's id. */
export async function ingestSeriesPayload(
  deps: SeriesIngestDeps,
  payload: SeriesPayload,
  context: { trigger: IngestTrigger; startedAt: number },
): Promise<SeriesIngestResult & { runId: number }> {
  const request: RawRequest = { dataset: payload.source, file: payload.file, url: payload.url, window: payload.window }
  const rawKey = await archiveRaw(deps, payload.key, request, payload.bytes, { status: payload.status, contentType: 'application/octet-stream', fetchedAt: payload.fetchedAt }, TOPICS.seriesRaw)
  const { result, deadLetters } = await readAndPublish(deps, payload, rawKey)
  if (deadLetters.length > 0) await deps.bus.publish(TOPICS.seriesDlq, deadLetters)
  const runId = await recordSeriesRun(deps, payload, result, context)
  return { ...result, runId }
}

/**
 * The ingest_runs row of one series file read (by the ingest, an upload, a backfill or a dead
 * letter's replay, whose `payload.url` names it) and the ingest metrics.
 */
export async function recordSeriesRun(
  deps: Pick<SeriesIngestDeps, 'db'>,
  payload: SeriesPayload,
  result: SeriesIngestResult,
  context: { trigger: IngestTrigger; startedAt: number },
): Promise<number> {
  const run: IngestRunRecord = {
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
    rawKey: result.rawKey,
    publishedAt: payload.lastModified === null ? null : new Date(payload.lastModified),
    error: result.error,
    startedAt: new Date(context.startedAt),
    finishedAt: new Date(),
  }
  // As recordIngestRun (server/services/ingest/runs.ts), answering the row's id (an upload's answer names it).
  const [row] = await deps.db.insert(ingestRuns).values(run).returning({ id: ingestRuns.id })
  const labels = { market: payload.key, dataset: payload.source }
  metrics.ingestRequests.inc({ ...labels, status: result.status })
  metrics.ingestRecords.inc(labels, result.records)
  metrics.ingestIssues.inc(labels, result.issues)
  if (result.status !== 'failed') metrics.ingestLastSuccess.set(labels, Date.now() / 1000)
  return row!.id
}

/**
 * Reads one archived series file and publishes its records (series.normalized), answering the
 * dead letters of its refusals unpublished: the ingest publishes them at once; a dead letter's
 * replay (server/services/dlq) first settles the ones it replays.
 */
export async function readAndPublish(
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
    const refused: SeriesRefusal[] = [{ kind: 'unusable-file', line: error.line, field: error.field, value: error.value, reason: error.reason }]
    return { result: { status: 'failed', records: 0, issues: 1, rawKey, error: error.message, lastPeriodStart: null, refused }, deadLetters: [letter] }
  }

  const dead: BusMessage[] = parsed.errors.map((issue) =>
    deadLetter('parse-issue', `${payload.key}:${file}`, JSON.stringify({ dataset: source, rawKey, ...issue }), issueReason(issue), {
      ...where,
      file: issue.file,
      line: String(issue.line),
      field: issue.field,
    }),
  )
  const refused: SeriesRefusal[] = parsed.errors
    .slice(0, MAX_LISTED_REFUSALS)
    .map(({ line, field, value, reason }) => ({ kind: 'parse-issue' as const, line, field, value: clip(value), reason }))
  const published = payload.lastModified === null ? null : new Date(payload.lastModified).toISOString()
  const headers = { 'ingest-time': new Date().toISOString(), 'raw-key': rawKey }
  const messages: BusMessage[] = []
  let last: number | null = null
  for (const record of parsed.records) {
    const checked = SeriesRecord.safeParse({ ...record, publishedAt: record.publishedAt ?? published })
    if (!checked.success || !belongsTo(checked.data, payload.key, SERIES_SOURCES[source])) {
      const reason = checked.success
        ? `record of ${entitlementKey(checked.data)} in a file ingested under ${payload.key} (${file})`
        : `invalid series record from ${file}: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`
      dead.push(deadLetter('invalid-record', `${payload.key}:${file}`, clip(JSON.stringify(record)), reason, where))
      if (refused.length < MAX_LISTED_REFUSALS) refused.push(invalidRecordRefusal(record, checked.success ? null : checked.error, reason))
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
    refused,
  }
  return { result, deadLetters: dead }
}

/** A record refused after the reader: the first field the schema refused (else the record's key fields), its value and why. */
function invalidRecordRefusal(record: Record<string, unknown>, error: { issues: { path: PropertyKey[]; message: string }[] } | null, reason: string): SeriesRefusal {
  const issue = error?.issues[0]
  const field = issue ? issue.path.map(String).join('.') || '(record)' : 'product/market'
  const value = issue ? (issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), record) ?? '') : `${String(record.product)}/${String(record.market)}`
  return { kind: 'invalid-record', line: null, field, value: clip(typeof value === 'string' ? value : JSON.stringify(value)), reason }
}

/**
 * Whether a record may be published under the file's key: a file of one market holds only that
 * market's series, a product's file only that product's. A source whose one file spans every
 * market (`spansMarkets`) may hold GRID series of any market: each is entitled through its own.
 */
function belongsTo(record: SeriesRecord, key: DataKey, definition: SeriesSourceDefinition): boolean {
  try {
    const own = entitlementKey(record)
    return own === key || (definition.spansMarkets === true && record.product === 'GRID')
  } catch {
    return false
  }
}
