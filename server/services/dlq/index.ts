import { createHash } from 'node:crypto'
import { SOURCES, type FetchedPayload, type SourceId } from '@carbon/connectors'
import { MarketId } from '@carbon/schemas'
import { and, desc, eq, gte, inArray, isNull, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Logger } from 'pino'
import { z } from 'zod'
import { TOPICS, isDeadLetterTopic, type Bus, type BusMessage, type DeadLetterSink } from '../../adapters/bus/index.ts'
import type { ObjectStore } from '../../adapters/objects/types.ts'
import { deadLetters, ingestRuns, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { countDeadLetters } from '../../metrics.ts'
import { decodePriceMessage } from '../../workers/prices-consumer.ts'
import { createNodeCatalogue } from '../ingest/catalogue.ts'
import { parseAndPublish } from '../ingest/pipeline.ts'
import { archivedBytes } from './archived.ts'
import { runSeriesFile } from './series-files.ts'

/*
 * Dead letters, durable and usable (decision 009).
 *
 * - `createDeadLetterStore(db)` is the bus's dead-letter sink: every message published to a
 *   `*.dlq` topic, by any publisher (the ingest pipeline, the prices consumer, the curve solver,
 *   the bus's own retry limit), becomes a `dead_letters` row BEFORE the bus holds it, so it
 *   survives the in-process bus and its publisher's commit. A redelivered dead letter (same topic,
 *   key, payload and failure headers) is the same row, `occurrences` + 1.
 * - `listDeadLetters` / `deadLetterSummary` read them (CLI `carbon dlq list`, the data-health page).
 * - `replayDeadLetter(s)` send them through the same pipeline again once the cause is fixed: a
 *   price record is validated again (and, for an unknown node, checked against the catalogue) and
 *   published to prices.normalized, where the prices consumer stores it; a curve build request is
 *   published to curves.build again; any other message a consumer gave up on goes back to its
 *   source topic. A refused publisher row (`parse-issue`) or an unusable file: the archived raw
 *   payload (its `raw-key`) is read from the object store and run through the ingest pipeline's
 *   parse-and-publish steps again (`parseAndPublish`), once for all pending dead letters of that
 *   file. A series file's dead letters (series.dlq: a refused row, an unusable file, a record the
 *   ingest refused after reading) likewise run the archived file through the series pipeline
 *   (`readAndPublish`, under the source and data key of its run; ./series-files.ts), recorded as
 *   an ingest run of its own whose URL names the replay. A row is marked `replayed` in the same transaction that holds its lock, so replaying
 *   twice publishes nothing twice; one that still fails stays, with its new reason.
 */

/** Headers that describe the failure, not the message: left out when a dead letter is replayed. */
const FAILURE_HEADERS = ['reason', 'kind', 'failed-at', 'source-topic', 'source-partition', 'source-offset', 'consumer-group', 'attempts']
/** Headers that change with every occurrence of the same failure: left out of the fingerprint. */
const VOLATILE_HEADERS = new Set(['failed-at', 'attempts'])

const utf8 = new TextDecoder('utf-8', { fatal: true })

export type DeadLetterRow = typeof deadLetters.$inferSelect

/** The bus sink that stores dead letters in PostgreSQL (see decision 009). */
export function createDeadLetterStore(db: Database, log: Logger): DeadLetterSink {
  return {
    async record(topic, messages) {
      const rows = new Map<string, typeof deadLetters.$inferInsert & { occurrences: number }>()
      for (const message of messages) {
        const row = toRow(topic, message)
        const same = rows.get(row.fingerprint)
        if (same) same.occurrences++
        else rows.set(row.fingerprint, { ...row, occurrences: 1 })
      }
      await db
        .insert(deadLetters)
        .values([...rows.values()])
        .onConflictDoUpdate({
          target: deadLetters.fingerprint,
          set: { occurrences: sql`${deadLetters.occurrences} + excluded.occurrences`, lastSeenAt: sql`now()` },
        })
      // Counted once stored: carbon_dead_letters_total{topic,kind}, one per message (a repeated one is an occurrence more).
      for (const row of rows.values()) countDeadLetters(topic, row.kind, row.occurrences)
      log.debug({ topic, deadLetters: messages.length }, 'dead letters stored')
    },
  }
}

function payloadOf(value: Buffer | string): { payload: string; payloadEncoding: 'utf8' | 'base64'; json: unknown } {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return { payload: bytes.toString('base64'), payloadEncoding: 'base64', json: null }
  }
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    // Not JSON: stored as text all the same.
  }
  return { payload: text, payloadEncoding: 'utf8', json }
}

function stringField(json: unknown, name: string): string | null {
  if (json === null || typeof json !== 'object') return null
  const value = (json as Record<string, unknown>)[name]
  return typeof value === 'string' && value.length > 0 ? value : null
}

function intOrNull(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return null
  return Number(text)
}

/** One dead_letters row from a message published to a dead-letter topic. */
export function toRow(topic: string, message: BusMessage): typeof deadLetters.$inferInsert & { fingerprint: string } {
  const headers = { ...message.headers }
  const { payload, payloadEncoding, json } = payloadOf(message.value)
  const keyMarket = message.key.split(':')[0]
  const market = stringField(json, 'market') ?? (MarketId.safeParse(keyMarket).success ? keyMarket! : null)
  const stable = Object.keys(headers)
    .filter((name) => !VOLATILE_HEADERS.has(name))
    .sort()
    .map((name) => [name, headers[name]])
  const fingerprint = createHash('sha256').update(JSON.stringify([topic, message.key, payload, stable])).digest('hex')
  return {
    topic,
    market,
    dataset: headers['source-dataset'] ?? stringField(json, 'dataset') ?? stringField(json, 'source'),
    kind: headers.kind ?? (topic === TOPICS.curvesDlq ? 'invalid-build-request' : 'invalid-record'),
    reason: headers.reason ?? '(no reason given)',
    file: headers.file ?? stringField(json, 'file'),
    line: intOrNull(headers.line),
    field: headers.field ?? null,
    rawKey: headers['raw-key'] ?? stringField(json, 'rawKey'),
    messageKey: message.key,
    payload,
    payloadEncoding,
    headers,
    sourceTopic: headers['source-topic'] ?? null,
    sourcePartition: intOrNull(headers['source-partition']),
    sourceOffset: headers['source-offset'] ?? null,
    fingerprint,
  }
}

export const ListInput = z.object({
  topic: z
    .string()
    .refine(isDeadLetterTopic, 'must be a dead-letter topic (ending in .dlq), e.g. prices.dlq')
    .optional(),
  since: z.date().optional(),
  /** Also the ones replayed successfully (default: only those still to deal with). */
  includeReplayed: z.boolean().default(false),
  limit: z.number().int().min(1).max(100_000).default(1_000),
})
export type ListInput = z.input<typeof ListInput>

function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw AppError.badRequest(`invalid ${what}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

const notReplayed = () => or(isNull(deadLetters.replayResult), ne(deadLetters.replayResult, 'replayed'))

/** Dead letters, newest first. */
export async function listDeadLetters(db: Database, input: ListInput = {}): Promise<DeadLetterRow[]> {
  const { topic, since, includeReplayed, limit } = parseInput(ListInput, input, 'dead-letter list')
  const where: SQL[] = []
  if (topic) where.push(eq(deadLetters.topic, topic))
  if (since) where.push(gte(deadLetters.createdAt, since))
  if (!includeReplayed) where.push(notReplayed()!)
  return db
    .select()
    .from(deadLetters)
    .where(and(...where))
    .orderBy(desc(deadLetters.createdAt), desc(deadLetters.id))
    .limit(limit)
}

export type DeadLetterGroup = {
  topic: string
  market: string | null
  dataset: string | null
  /** Dead letters not replayed successfully. */
  pending: number
  /** Replayed successfully. */
  replayed: number
  latestAt: Date
  /** The most recent distinct reasons of the pending ones (at most 3). */
  latestReasons: string[]
}

const REASONS_PER_GROUP = 3

/** Dead letters per topic, market and dataset, with the latest reasons: the data-health page. */
export async function deadLetterSummary(db: Database): Promise<DeadLetterGroup[]> {
  const groups = await db
    .select({
      topic: deadLetters.topic,
      market: deadLetters.market,
      dataset: deadLetters.dataset,
      pending: sql<number>`count(*) filter (where ${deadLetters.replayResult} is distinct from 'replayed')`.mapWith(Number),
      replayed: sql<number>`count(*) filter (where ${deadLetters.replayResult} = 'replayed')`.mapWith(Number),
      latestAt: sql<Date>`max(${deadLetters.lastSeenAt})`.mapWith((value: string | Date) => new Date(value)),
    })
    .from(deadLetters)
    .groupBy(deadLetters.topic, deadLetters.market, deadLetters.dataset)
  // The latest reasons per group: a window over the pending rows, a few per group.
  const reasons = await db.execute<{ topic: string; market: string | null; dataset: string | null; reason: string }>(sql`
    select topic, market, dataset, reason from (
      select topic, market, dataset, reason, row_number() over (partition by topic, market, dataset order by max(last_seen_at) desc) as n
      from ${deadLetters}
      where replay_result is distinct from 'replayed'
      group by topic, market, dataset, reason
    ) latest where n <= ${REASONS_PER_GROUP} order by n`)
  const rows = Array.isArray(reasons) ? reasons : (reasons as unknown as { rows: typeof reasons }).rows
  const keyOf = (g: { topic: string; market: string | null; dataset: string | null }) => JSON.stringify([g.topic, g.market, g.dataset])
  const byGroup = new Map<string, string[]>()
  for (const row of rows as { topic: string; market: string | null; dataset: string | null; reason: string }[]) {
    const list = byGroup.get(keyOf(row)) ?? []
    list.push(row.reason)
    byGroup.set(keyOf(row), list)
  }
  return groups
    .map((g) => ({ ...g, latestReasons: byGroup.get(keyOf(g)) ?? [] }))
    .sort((a, b) => b.pending - a.pending || b.latestAt.getTime() - a.latestAt.getTime())
}

export type ReplayOutcome = {
  id: number
  outcome: 'replayed' | 'failed' | 'already-replayed'
  reason: string | null
  topic: string | null
  /** A file's dead letter: the other pending dead letters of the same raw file, settled by the same run of the file. */
  sameFile?: ReplayOutcome[]
}

type Plan = { ok: true; topic: string; message: BusMessage } | { ok: false; reason: string }

const BuildRequest = z.object({ buildId: z.uuid() })

function valueOf(row: DeadLetterRow): Buffer {
  return Buffer.from(row.payload, row.payloadEncoding === 'base64' ? 'base64' : 'utf8')
}

/** The message's own headers (what it was published with), plus where the replay came from. */
function replayHeaders(row: DeadLetterRow): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(row.headers)) if (!FAILURE_HEADERS.includes(name)) headers[name] = value
  headers['replayed-from'] = `dead-letter:${row.id}`
  return headers
}

/** Whether the row holds a canonical price record (a refused record, an unknown node, a stuck record). */
function isPriceRecordLetter(row: DeadLetterRow): boolean {
  return row.topic === TOPICS.pricesDlq && (row.kind === 'unknown-node' || row.sourceTopic === TOPICS.pricesNormalized)
}

async function planPriceRecord(db: Database, row: DeadLetterRow): Promise<Plan> {
  const decoded = decodePriceMessage({ value: valueOf(row) })
  if (!decoded.ok) return { ok: false, reason: decoded.reason }
  if (row.kind === 'unknown-node') {
    const unknown = await createNodeCatalogue(db).unknownNodes(decoded.record.market, [decoded.record.node])
    if (unknown.length > 0) {
      return { ok: false, reason: `unknown node ${JSON.stringify(decoded.record.node)}: still not in the ${decoded.record.market} node catalogue` }
    }
  }
  return { ok: true, topic: TOPICS.pricesNormalized, message: { key: row.messageKey, value: valueOf(row), headers: replayHeaders(row) } }
}

function planBuildRequest(row: DeadLetterRow): Plan {
  let json: unknown
  try {
    json = JSON.parse(valueOf(row).toString('utf8'))
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` }
  }
  const parsed = BuildRequest.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    return { ok: false, reason: `not a build request: ${issues.join('; ')}` }
  }
  return { ok: true, topic: TOPICS.curvesBuild, message: { key: row.messageKey, value: valueOf(row), headers: replayHeaders(row) } }
}

/** What replaying a row means, or why it cannot be replayed (yet). */
async function planReplay(db: Database, row: DeadLetterRow): Promise<Plan> {
  if (isPriceRecordLetter(row)) return planPriceRecord(db, row)
  if (row.topic === TOPICS.curvesDlq && (row.sourceTopic === null || row.sourceTopic === TOPICS.curvesBuild)) return planBuildRequest(row)
  // The reason the publisher gave (row.reason may hold an earlier replay's).
  const original = row.headers.reason ?? row.reason
  if (row.kind === 'parse-issue' || row.kind === 'unusable-file') {
    return {
      ok: false,
      // (One with a raw key is replayed from its file: replayFile.)
      reason: `${original} [replay: this dead letter names no raw payload to run again; re-ingest its window with npx carbon backfill --force]`,
    }
  }
  if (row.sourceTopic) return { ok: true, topic: row.sourceTopic, message: { key: row.messageKey, value: valueOf(row), headers: replayHeaders(row) } }
  return { ok: false, reason: `${original} [replay: no source topic to send it back to]` }
}

export type ReplayDeps = {
  db: Database
  bus: Bus
  log: Logger
  /** Where the raw payloads are archived: a refused publisher row or an unusable file is replayed from its file. */
  objects: ObjectStore
  /** What the pipeline does with nodes outside the catalogue when a file is replayed (INGEST_UNKNOWN_NODES; default admit). */
  unknownNodes?: 'admit' | 'dead-letter'
}

const MAX_REASON = 2_000
const clip = (text: string) => (text.length <= MAX_REASON ? text : `${text.slice(0, MAX_REASON - 1)}…`)

/** Dead letters that stand for a publisher file (a refused row of it, or the whole file): replayed by running the file again. */
const FILE_KINDS = ['parse-issue', 'unusable-file']

/**
 * A series file's dead letters: also a record the ingest refused after reading it (`invalid-record`
 * without a source topic: the canonical schema, or a record of another data key than the file's),
 * which only running the file again can settle. One the series consumer refused has its source
 * topic and goes back there.
 */
const SERIES_FILE_KINDS = ['parse-issue', 'unusable-file', 'invalid-record']

/** Which pipeline a file's dead letters are replayed through, and the dead letters that stand for the file. */
function fileSourceOf(row: DeadLetterRow): FileSource | null {
  if (row.rawKey === null) return null
  if (row.topic === TOPICS.pricesDlq && FILE_KINDS.includes(row.kind)) return PRICE_FILES
  if (row.topic === TOPICS.seriesDlq && SERIES_FILE_KINDS.includes(row.kind) && row.sourceTopic === null) return SERIES_FILES
  return null
}

/** What the file replays of one pipeline share: where its dead letters are, and how its archived file runs again. */
type FileSource = {
  topic: typeof TOPICS.pricesDlq | typeof TOPICS.seriesDlq
  normalizedTopic: string
  /** The pending dead letters of the raw file (locked by the caller's query). */
  where(rawKey: string): SQL
  /** Runs the archived file again: its result and the dead letters of its refusals (not published), and what to do once committed. */
  run(deps: ReplayDeps, tx: Tx, rawKey: string, replayOf: number): Promise<FileRun>
}

type FileRun =
  | { ok: false; reason: string }
  | { ok: true; result: { status: string; records: number; error: string | null }; letters: BusMessage[]; afterCommit?: () => Promise<void> }

const PRICE_FILES: FileSource = {
  topic: TOPICS.pricesDlq,
  normalizedTopic: TOPICS.pricesNormalized,
  where: (rawKey) => and(eq(deadLetters.topic, TOPICS.pricesDlq), eq(deadLetters.rawKey, rawKey), inArray(deadLetters.kind, FILE_KINDS))!,
  async run(deps, tx, rawKey) {
    const raw = await loadRawFile(tx, deps.objects, rawKey)
    if (!raw.ok) return raw
    const pipeline = { bus: deps.bus, catalogue: createNodeCatalogue(tx as unknown as Database), log: deps.log, unknownNodes: deps.unknownNodes ?? 'admit' }
    const { result, deadLetters: letters } = await parseAndPublish(pipeline, raw.payload, rawKey)
    return { ok: true, result, letters }
  },
}

const SERIES_FILES: FileSource = {
  topic: TOPICS.seriesDlq,
  normalizedTopic: TOPICS.seriesNormalized,
  where: (rawKey) =>
    and(eq(deadLetters.topic, TOPICS.seriesDlq), eq(deadLetters.rawKey, rawKey), inArray(deadLetters.kind, SERIES_FILE_KINDS), isNull(deadLetters.sourceTopic))!,
  run: (deps, tx, rawKey, replayOf) => runSeriesFile(deps, tx, rawKey, replayOf),
}

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0]

/**
 * Replays one dead letter: under its row lock, publishes it through the pipeline and marks it
 * replayed, or records why it still fails. Replaying a replayed one does nothing. A refused
 * publisher row or an unusable file runs its archived raw file again, which settles every pending
 * dead letter of that file (returned in `sameFile`).
 */
export async function replayDeadLetter(deps: ReplayDeps, id: number): Promise<ReplayOutcome> {
  if (!Number.isSafeInteger(id) || id < 1) throw AppError.badRequest(`dead-letter id must be a positive integer, got ${String(id)}`)
  const outcomes = await replayLocked(deps, id)
  const [mine, ...others] = outcomes
  return others.length > 0 ? { ...mine!, sameFile: others } : mine!
}

/** The outcome of `id` first, then those of the other dead letters its replay settled. */
async function replayLocked(deps: ReplayDeps, id: number): Promise<ReplayOutcome[]> {
  const log = deps.log.child({ component: 'dlq-replay', deadLetter: id })
  let newDeadLetters: { topic: string; messages: BusMessage[] } | null = null
  let afterCommit: (() => Promise<void>) | undefined
  const outcomes = await deps.db.transaction(async (tx): Promise<ReplayOutcome[]> => {
    const [row] = await tx.select().from(deadLetters).where(eq(deadLetters.id, id)).for('update')
    if (!row) throw AppError.notFound(`dead letter ${id}`)
    if (row.replayResult === 'replayed') return [{ id, outcome: 'already-replayed', reason: null, topic: null }]
    const source = fileSourceOf(row)
    if (source) {
      const file = await replayFile(deps, tx, row as DeadLetterRow & { rawKey: string }, source, log)
      newDeadLetters = { topic: source.topic, messages: file.newDeadLetters }
      afterCommit = file.afterCommit
      return file.outcomes
    }
    const plan = await planReplay(tx as unknown as Database, row)
    const now = new Date()
    if (!plan.ok) {
      await markFailed(tx, id, plan.reason, now)
      log.info({ reason: plan.reason }, 'dead letter still fails; kept with its new reason')
      return [{ id, outcome: 'failed', reason: plan.reason, topic: null }]
    }
    await deps.bus.publish(plan.topic, [plan.message])
    await markReplayed(tx, [id], now)
    log.info({ topic: plan.topic }, 'dead letter replayed')
    return [{ id, outcome: 'replayed', reason: null, topic: plan.topic }]
  })
  // New refusals met by a file's replay, stored by the bus's sink once the locks are released: the
  // sink writes on a connection of its own (PGlite runs one transaction at a time), and none of
  // them is a dead letter this replay settled. A series file's run is recorded then too, for the same reason.
  const fresh = newDeadLetters as { topic: string; messages: BusMessage[] } | null
  if (fresh && fresh.messages.length > 0) await deps.bus.publish(fresh.topic, fresh.messages)
  await afterCommit?.()
  return outcomes
}

async function markFailed(tx: Tx, id: number, reason: string, now: Date): Promise<void> {
  await tx
    .update(deadLetters)
    .set({ replayResult: 'failed', reason: clip(reason), replayedAt: now, replayAttempts: sql`${deadLetters.replayAttempts} + 1` })
    .where(eq(deadLetters.id, id))
}

async function markReplayed(tx: Tx, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return
  await tx
    .update(deadLetters)
    .set({ replayResult: 'replayed', replayedAt: now, replayAttempts: sql`${deadLetters.replayAttempts} + 1` })
    .where(inArray(deadLetters.id, ids))
}

type RawFile = { ok: true; payload: FetchedPayload } | { ok: false; reason: string }

/**
 * The archived answer behind a raw key, as the pipeline took it: the bytes from the object store
 * (checked against the key's content hash) and the request (dataset, window, file, URL,
 * publication time) from the latest ingest run that archived it.
 */
async function loadRawFile(tx: Tx, objects: ObjectStore, rawKey: string): Promise<RawFile> {
  const [run] = await tx.select().from(ingestRuns).where(eq(ingestRuns.rawKey, rawKey)).orderBy(desc(ingestRuns.id)).limit(1)
  if (!run) return { ok: false, reason: `no ingest run archived raw payload ${rawKey}; re-ingest its window with npx carbon backfill --force` }
  if (!Object.hasOwn(SOURCES, run.dataset)) return { ok: false, reason: `raw payload ${rawKey}: dataset ${run.dataset} has no parser` }
  const stored = await archivedBytes(objects, rawKey)
  if (!stored.ok) return stored
  const { bytes } = stored
  const payload: FetchedPayload = {
    request: {
      dataset: run.dataset as SourceId,
      url: run.url,
      window: { start: run.windowStart.getTime(), end: run.windowEnd.getTime() },
      file: run.file,
      rateGroup: 'dlq-replay',
    },
    status: run.httpStatus ?? 200,
    contentType: 'application/octet-stream',
    bytes,
    fetchedAt: Date.now(),
    lastModified: run.publishedAt?.getTime() ?? null,
    attempts: 0,
  }
  return { ok: true, payload }
}

/** Which pending dead letter a dead letter of the replayed file is (the same refusal of the same row), if any. */
function matchRefusals(rows: DeadLetterRow[], fresh: ReturnType<typeof toRow>[]): Map<number, number> {
  const matched = new Map<number, number>() // row id -> index in fresh
  const taken = new Set<number>()
  const passes: ((row: DeadLetterRow, letter: ReturnType<typeof toRow>) => boolean)[] = [
    (row, letter) => row.fingerprint === letter.fingerprint,
    (row, letter) => row.kind === letter.kind && row.file === letter.file && row.line === letter.line && row.field === letter.field,
    // The same row refused for another field or another reason (the parser changed).
    (row, letter) => row.kind === 'parse-issue' && letter.kind === 'parse-issue' && row.file === letter.file && row.line === letter.line,
  ]
  for (const same of passes) {
    for (const row of rows) {
      if (matched.has(row.id)) continue
      const i = fresh.findIndex((letter, n) => !taken.has(n) && same(row, letter))
      if (i < 0) continue
      matched.set(row.id, i)
      taken.add(i)
    }
  }
  return matched
}

/**
 * Replays a file's dead letters: takes the locks of every pending refused row or unusable-file
 * dead letter of the raw file (for a series file also the records the ingest refused after
 * reading it), runs the archived bytes through the pipeline's read-and-publish steps again
 * (records to prices.normalized or series.normalized), then settles each one: still refused (the
 * same row refused again, or the file still unusable) -> failed with the new reason, and its new
 * dead letter is not stored again; else replayed. Refusals the file did not have before (say, an
 * unknown node in strict mode now that the row parses) are returned, to be stored as dead letters
 * of their own once the transaction committed, unless already stored.
 */
async function replayFile(
  deps: ReplayDeps,
  tx: Tx,
  first: DeadLetterRow & { rawKey: string },
  source: FileSource,
  log: Logger,
): Promise<{ outcomes: ReplayOutcome[]; newDeadLetters: BusMessage[]; afterCommit?: () => Promise<void> }> {
  const rows = await tx
    .select()
    .from(deadLetters)
    .where(and(source.where(first.rawKey), notReplayed()))
    .orderBy(deadLetters.id)
    .for('update')
  // `first` leads (its outcome is the caller's); it is locked and pending, so it is among `rows`.
  const group = [first, ...rows.filter((r) => r.id !== first.id)]
  const now = new Date()
  const run = await source.run(deps, tx, first.rawKey, first.id)
  if (!run.ok) {
    const outcomes: ReplayOutcome[] = []
    for (const row of group) {
      const reason = `${row.headers.reason ?? row.reason} [replay: ${run.reason}]`
      await markFailed(tx, row.id, reason, now)
      outcomes.push({ id: row.id, outcome: 'failed', reason, topic: null })
    }
    log.info({ rawKey: first.rawKey, reason: run.reason }, 'raw file cannot be replayed; dead letters kept')
    return { outcomes, newDeadLetters: [] }
  }

  const { result, letters } = run
  const fresh = letters.map((message) => toRow(source.topic, message))
  const outcomes: ReplayOutcome[] = []
  const replayed: number[] = []
  let toStore: BusMessage[] = []
  if (result.status === 'failed') {
    // Still unusable: every dead letter of the file is still refused, with the file's reason.
    for (const row of group) {
      const reason = result.error ?? fresh[0]?.reason ?? row.reason
      await markFailed(tx, row.id, reason, now)
      outcomes.push({ id: row.id, outcome: 'failed', reason, topic: null })
    }
  } else {
    const matched = matchRefusals(group, fresh)
    for (const row of group) {
      const i = matched.get(row.id)
      if (i === undefined) {
        replayed.push(row.id)
        outcomes.push({ id: row.id, outcome: 'replayed', reason: null, topic: source.normalizedTopic })
      } else {
        await markFailed(tx, row.id, fresh[i]!.reason, now)
        outcomes.push({ id: row.id, outcome: 'failed', reason: fresh[i]!.reason, topic: null })
      }
    }
    const kept = new Set(matched.values())
    const candidates = letters.filter((_, i) => !kept.has(i))
    if (candidates.length > 0) {
      // A refusal already stored (an unknown node dead-lettered by the first ingest) is not stored again.
      const prints = candidates.map((message) => toRow(source.topic, message).fingerprint)
      const known = new Set((await tx.select({ fingerprint: deadLetters.fingerprint }).from(deadLetters).where(inArray(deadLetters.fingerprint, prints))).map((r) => r.fingerprint))
      toStore = candidates.filter((_, i) => !known.has(prints[i]!))
    }
  }
  await markReplayed(tx, replayed, now)
  log.info(
    { rawKey: first.rawKey, records: result.records, replayed: replayed.length, stillFailing: group.length - replayed.length, newDeadLetters: toStore.length },
    'raw file replayed through the pipeline',
  )
  return { outcomes, newDeadLetters: toStore, afterCommit: run.afterCommit }
}

/**
 * Replays every dead letter not yet replayed successfully (optionally of one topic), oldest
 * first; the dead letters of one raw file run that file once.
 */
export async function replayAllDeadLetters(deps: ReplayDeps, options: { topic?: string } = {}): Promise<ReplayOutcome[]> {
  const { topic } = parseInput(ListInput.pick({ topic: true }), options, 'dead-letter replay')
  const ids = await deps.db
    .select({ id: deadLetters.id })
    .from(deadLetters)
    .where(and(notReplayed(), topic ? eq(deadLetters.topic, topic) : undefined))
    .orderBy(deadLetters.id)
  const outcomes: ReplayOutcome[] = []
  const settled = new Set<number>()
  for (const { id } of ids) {
    if (settled.has(id)) continue
    for (const outcome of await replayLocked(deps, id)) {
      settled.add(outcome.id)
      outcomes.push(outcome)
    }
  }
  return outcomes
}
