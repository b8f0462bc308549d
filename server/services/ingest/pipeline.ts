import { createHash } from 'node:crypto'
import {
  type FetchedPayload,
  type FetchRequest,
  ParseError,
  type ParseIssue,
  SOURCES,
} from '@carbon/connectors'
import type { DataKey, MarketId } from '@carbon/schemas'
import type { Logger } from 'pino'
import { TOPICS, type Bus, type BusMessage, type KnownTopic } from '../../adapters/bus/index.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import type { Database } from '../../adapters/postgres/schema/index.ts'
import { metrics } from '../../metrics.ts'
import { sliced } from '../../time-slice.ts'
import type { NodeCatalogue } from './catalogue.ts'
import { inlineParser, recordText, type Prepared, type PayloadParser, type RecordTexts } from './parse.ts'
import { recordIngestRun, type IngestRunStatus, type IngestTrigger } from './runs.ts'

/**
 * One publisher answer through the pipeline:
 *
 *   archive raw bytes (object store) -> reference on prices.raw -> parse -> node catalogue
 *   -> records on prices.normalized (key market:node) -> refused rows on prices.dlq -> ingest_runs row
 *
 * The raw payload is archived FIRST, whatever it holds (an HTML page, a broken zip), so every
 * answer can be replayed and nothing the publisher sent is lost. A file that cannot be read at all
 * is one dead letter (kind `unusable-file`); a row that cannot be read is one dead letter (kind
 * `parse-issue`) and the rest of the file is still published; with `unknownNodes: 'dead-letter'`
 * records of nodes outside the catalogue are dead letters too (kind `unknown-node`), otherwise
 * the nodes are registered and counted as new.
 */
export type PipelineDeps = {
  db: Database
  bus: Bus
  objects: ObjectStore
  catalogue: NodeCatalogue
  log: Logger
  unknownNodes: 'admit' | 'dead-letter'
  /** Where files are parsed and their records written as JSON: a worker thread in a serving process (createThreadParser), else this thread. */
  parser?: PayloadParser
}

export type IngestResult = {
  status: IngestRunStatus
  records: number
  issues: number
  newNodes: number
  rawKey: string | null
  error: string | null
  /** The latest interval start among the published records (null when none). */
  lastIntervalStart: number | null
}

/** Messages per publish call: large files go out in slices so no single append is huge. */
const PUBLISH_SLICE = 5_000
/**
 * Longest stretch of building messages before the event loop gets a turn: in `carbon serve` the
 * ingest shares its loop with every live stream and API request.
 */
const ENCODE_SLICE_MS = 5
const MAX_HEADER_CHARS = 1_000

const clip = (text: string, max = MAX_HEADER_CHARS) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

function datePath(ms: number): string {
  const d = new Date(ms).toISOString()
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}`
}

/** What the archive needs of a request: its dataset (source id), file name, URL and window. */
export type RawRequest = Pick<FetchRequest, 'file' | 'url' | 'window'> & { dataset: string }

/**
 * `raw/MISO/miso.da_expost_lmp/2026/07/14/20260714_da_expost_lmp.csv.<sha256:12>` (a product's:
 * `raw/GAS/eia.ng.hh_spot_monthly/...`): content-addressed, so a refetch of the same bytes lands
 * on the same key.
 */
export function rawKeyFor(market: DataKey, request: RawRequest, sha256: string): string {
  const file = request.file.replace(/[^A-Za-z0-9._-]/g, '_')
  return `raw/${market}/${request.dataset}/${datePath(request.window.start)}/${file}.${sha256.slice(0, 12)}`
}

/** Archives raw bytes and announces them on `topic` (prices.raw, or series.raw for series files); returns the object key. */
export async function archiveRaw(
  deps: Pick<PipelineDeps, 'bus' | 'objects'>,
  market: DataKey,
  request: RawRequest,
  bytes: Uint8Array,
  info: { status: number | null; contentType: string; fetchedAt: number },
  topic: KnownTopic = TOPICS.pricesRaw,
): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const key = rawKeyFor(market, request, sha256)
  await deps.objects.put(key, bytes, {
    contentType: /^[\x21-\x7e][\x20-\x7e]*$/.test(info.contentType) && info.contentType.includes('/') ? info.contentType : 'application/octet-stream',
    metadata: { dataset: request.dataset, 'fetched-at': new Date(info.fetchedAt).toISOString(), status: String(info.status ?? 'none') },
  })
  await deps.bus.publish(topic, [
    {
      key: `${market}:${request.dataset}`,
      value: JSON.stringify({
        key,
        market,
        dataset: request.dataset,
        file: request.file,
        url: request.url,
        sha256,
        bytes: bytes.length,
        status: info.status,
        fetchedAt: new Date(info.fetchedAt).toISOString(),
        window: { start: new Date(request.window.start).toISOString(), end: new Date(request.window.end).toISOString() },
      }),
    },
  ])
  return key
}

/** A dead letter carrying `value`, a JSON text (a record's as published, or a description of the file or row). */
export function deadLetter(kind: string, key: string, value: string, reason: string, extra: Record<string, string>): BusMessage {
  return {
    key,
    value,
    headers: { kind, reason: clip(reason), 'failed-at': new Date().toISOString(), ...extra },
  }
}

export function issueReason(issue: ParseIssue): string {
  return `${issue.file} line ${issue.line}, ${issue.field}: ${issue.reason} (found ${JSON.stringify(clip(issue.value, 200))})`
}

/** Publishes the records `chosen` picks (all when null) to prices.normalized, keyed market:node. */
async function publishRecords(bus: Bus, market: MarketId, texts: RecordTexts, chosen: Int32Array | null, rawKey: string): Promise<void> {
  // One headers object for every message of the file: the bus copies headers, never changes them.
  const headers = { 'ingest-time': new Date().toISOString(), 'raw-key': rawKey }
  const keys = texts.nodes.map((node) => `${market}:${node}`)
  const total = chosen === null ? texts.count : chosen.length
  for (let from = 0; from < total; from += PUBLISH_SLICE) {
    const messages = new Array<BusMessage>(Math.min(PUBLISH_SLICE, total - from))
    await sliced(messages.length, ENCODE_SLICE_MS, (j) => {
      const i = chosen === null ? from + j : chosen[from + j]!
      messages[j] = { key: keys[texts.node[i]!]!, value: recordText(texts, i), headers }
    })
    await bus.publish(TOPICS.pricesNormalized, messages)
  }
}

/** Ingests one fetched payload; returns what became of it (also written to ingest_runs). */
export async function ingestPayload(
  deps: PipelineDeps,
  payload: FetchedPayload,
  context: { trigger: IngestTrigger; startedAt: number },
  signal?: AbortSignal,
): Promise<IngestResult> {
  const { request } = payload
  const market = SOURCES[request.dataset].market
  const rawKey = await archiveRaw(deps, market, request, payload.bytes, payload)
  const { result, deadLetters } = await parseAndPublish(deps, payload, rawKey, signal)
  if (deadLetters.length > 0) await deps.bus.publish(TOPICS.pricesDlq, deadLetters)
  await finish(deps, payload, context, result)
  return result
}

/**
 * The pipeline's steps after the archive, for a payload already archived under `rawKey`: parse,
 * register the nodes the file lists, admit (or refuse) unknown nodes, publish the records of the
 * requested window to prices.normalized. Returns the result and the dead letters of the refused
 * rows (or of the unusable file), which the caller publishes to prices.dlq: `ingestPayload` at
 * once, a dead-letter replay (server/services/dlq) after matching them with the ones it replays.
 */
export async function parseAndPublish(
  deps: Pick<PipelineDeps, 'bus' | 'catalogue' | 'log' | 'unknownNodes' | 'parser'>,
  payload: FetchedPayload,
  rawKey: string,
  signal?: AbortSignal,
): Promise<{ result: IngestResult; deadLetters: BusMessage[] }> {
  // Stopping (SIGTERM): nothing of this answer is published, so no watermark passes it; the raw
  // payload stays archived and the next start fetches it again.
  signal?.throwIfAborted()
  const { request } = payload
  const dataset = request.dataset
  const market = SOURCES[dataset].market
  const log = deps.log.child({ dataset, file: request.file })
  const where = { 'source-dataset': dataset, 'raw-key': rawKey }

  // A feed may answer more than was asked (MISO's Rolling: the whole market day so far): only the
  // requested window is published; the rest was (or will be) fetched by its own window.
  // The file's Last-Modified is the publication time of records whose format does not carry one.
  const published = payload.lastModified === null ? null : new Date(payload.lastModified).toISOString()
  let prepared: Prepared
  try {
    prepared = await (deps.parser ?? inlineParser).prepare(dataset, { bytes: payload.bytes, file: request.file }, { window: request.window, published })
  } catch (error) {
    if (!(error instanceof ParseError)) throw error
    const unusable = deadLetter('unusable-file', `${market}:${request.file}`, JSON.stringify({ dataset, file: request.file, rawKey, reason: error.message }), error.message, {
      ...where,
      file: error.file,
      line: String(error.line),
      field: error.field,
    })
    log.warn({ rawKey, reason: error.message }, 'publisher file unusable; raw payload kept, dead letter written')
    return { result: { status: 'failed', records: 0, issues: 1, newNodes: 0, rawKey, error: error.message, lastIntervalStart: null }, deadLetters: [unusable] }
  }

  signal?.throwIfAborted()
  if (prepared.catalogue.length > 0) await deps.catalogue.register(market, prepared.catalogue)
  const dead: BusMessage[] = prepared.issues.map((issue) =>
    deadLetter('parse-issue', `${market}:${request.file}`, JSON.stringify({ dataset, rawKey, ...issue }), issueReason(issue), {
      ...where,
      file: issue.file,
      line: String(issue.line),
      field: issue.field,
    }),
  )

  const texts = prepared.records
  if (prepared.outside > 0) log.debug({ outside: prepared.outside }, 'records outside the requested window not published')
  let newNodes = 0
  let chosen: Int32Array | null = null
  const unknown = await deps.catalogue.unknownNodes(market, texts.nodes)
  if (unknown.length > 0 && deps.unknownNodes === 'admit') {
    newNodes = await deps.catalogue.admit(market, unknown)
    log.info({ newNodes, examples: unknown.slice(0, 5) }, 'nodes seen for the first time registered')
  } else if (unknown.length > 0) {
    const refused = new Set(unknown)
    const kept: number[] = []
    for (let i = 0; i < texts.count; i++) {
      const node = texts.nodes[texts.node[i]!]!
      if (!refused.has(node)) {
        kept.push(i)
        continue
      }
      const reason = `unknown node ${JSON.stringify(node)}: not in the ${market} node catalogue (${request.file})`
      dead.push(deadLetter('unknown-node', `${market}:${node}`, recordText(texts, i), reason, where))
    }
    chosen = Int32Array.from(kept)
    log.warn({ unknownNodes: unknown.length, examples: unknown.slice(0, 5) }, 'records of unknown nodes sent to the dead-letter topic')
  }

  await publishRecords(deps.bus, market, texts, chosen, rawKey)
  if (prepared.issues.length > 0) log.warn({ issues: prepared.issues.length, first: issueReason(prepared.issues[0]!) }, 'rows refused; sent to the dead-letter topic')

  const records = chosen === null ? texts.count : chosen.length
  let last: number | null = null
  for (let j = 0; j < records; j++) {
    const start = texts.start[chosen === null ? j : chosen[j]!]!
    if (last === null || start > last) last = start
  }
  const issues = dead.length
  const result: IngestResult = { status: issues > 0 ? 'partial' : 'ok', records, issues, newNodes, rawKey, error: null, lastIntervalStart: last }
  return { result, deadLetters: dead }
}

/** The columns of an ingest_runs row that describe the request itself. */
function requestColumns(request: RawRequest, market: DataKey, context: { trigger: IngestTrigger; startedAt: number }) {
  return {
    market,
    dataset: request.dataset,
    trigger: context.trigger,
    windowStart: new Date(request.window.start),
    windowEnd: new Date(request.window.end),
    url: request.url,
    file: request.file,
    startedAt: new Date(context.startedAt),
  }
}

async function finish(deps: PipelineDeps, payload: FetchedPayload, context: { trigger: IngestTrigger; startedAt: number }, result: IngestResult) {
  const { request } = payload
  const market = SOURCES[request.dataset].market
  await recordIngestRun(deps.db, {
    ...requestColumns(request, market, context),
    status: result.status,
    httpStatus: payload.status,
    attempts: payload.attempts,
    records: result.records,
    issues: result.issues,
    newNodes: result.newNodes,
    bytes: payload.bytes.length,
    rawKey: result.rawKey,
    publishedAt: payload.lastModified === null ? null : new Date(payload.lastModified),
    error: result.error,
    finishedAt: new Date(),
  })
  const labels = { market, dataset: request.dataset }
  metrics.ingestRequests.inc({ ...labels, status: result.status })
  metrics.ingestRecords.inc(labels, result.records)
  metrics.ingestIssues.inc(labels, result.issues)
  metrics.ingestFetchSeconds.observe(labels, (payload.fetchedAt - context.startedAt) / 1000)
  if (result.status !== 'failed') metrics.ingestLastSuccess.set(labels, Date.now() / 1000)
}

/** What a request that brought no usable answer ended in: not published yet, or failed after its retries. */
export type Unanswered = { status: 'no-data' | 'failed'; httpStatus: number | null; attempts: number; reason: string; bytes: Uint8Array | null }

/**
 * Records a price request that brought no usable answer (not published yet, or failed after its
 * retries): what the publisher answered is archived, and the run row says why. Returns the raw key.
 */
export function recordUnanswered(
  deps: Pick<PipelineDeps, 'db' | 'bus' | 'objects' | 'log'>,
  request: FetchRequest,
  outcome: Unanswered,
  context: { trigger: IngestTrigger; startedAt: number },
): Promise<string | null> {
  return recordUnansweredRequest(deps, { request, key: SOURCES[request.dataset].market, rawTopic: TOPICS.pricesRaw }, outcome, context)
}

/**
 * Records any request (a price file's or a series file's) that brought no usable answer, under its
 * data key, the answer's bytes archived and announced on `rawTopic`.
 */
export async function recordUnansweredRequest(
  deps: Pick<PipelineDeps, 'db' | 'bus' | 'objects' | 'log'>,
  target: { request: RawRequest; key: DataKey; rawTopic: KnownTopic },
  outcome: Unanswered,
  context: { trigger: IngestTrigger; startedAt: number },
): Promise<string | null> {
  const { request, key } = target
  const now = Date.now()
  // What a failing publisher answered (an HTML page, an error document) is kept too.
  const rawKey =
    outcome.bytes && outcome.bytes.length > 0
      ? await archiveRaw(deps, key, request, outcome.bytes, { status: outcome.httpStatus, contentType: 'application/octet-stream', fetchedAt: now }, target.rawTopic)
      : null
  await recordIngestRun(deps.db, {
    ...requestColumns(request, key, context),
    status: outcome.status,
    httpStatus: outcome.httpStatus,
    attempts: outcome.attempts,
    records: 0,
    issues: 0,
    newNodes: 0,
    bytes: outcome.bytes?.length ?? 0,
    rawKey,
    publishedAt: null,
    error: outcome.status === 'failed' ? outcome.reason : null,
    finishedAt: new Date(now),
  })
  metrics.ingestRequests.inc({ market: key, dataset: request.dataset, status: outcome.status })
  if (outcome.status === 'failed') deps.log.warn({ key, dataset: request.dataset, file: request.file, rawKey, reason: outcome.reason }, 'publisher request failed')
  return rawKey
}
