/**
 * `npm run bench:ingest`: ingest throughput on this machine, on the embedded default (chDB +
 * PGlite in a fresh temporary DATA_DIR, in-process bus, local object store), from full-size
 * publisher files served by the publisher simulator (about 2,600 MISO and 4,000 CAISO nodes,
 * generated, its clock fixed at a time when every file is published):
 *
 *   miso_csv            MISO market report {D}_da_expost_lmp.csv (one market day, hourly)
 *   miso_json           MISO API GetRealTimeFiveMinExPost/Previous (a whole market day, 5-minute)
 *   miso_json_current   MISO API GetRealTimeFiveMinExPost/Current (the latest interval)
 *   caiso_oasis_csv     CAISO OASIS PRC_INTVL_LMP RTM, one hour, grp_type=ALL_APNODES (a zipped CSV)
 *
 * Three measurements per file:
 *   parse      unpackPayload + SOURCES[id].parse of bytes fetched once beforehand (the fetch is
 *              not timed); BENCH_REPEAT repetitions (default 5) after one warm-up, median reported.
 *   endToEnd   runRequest (fetch from the simulator, archive raw, parse, catalogue, publish on the
 *              bus, record the run) plus the prices consumer, until the consumer has handled every
 *              published record and `count() FROM prices FINAL` over the source and window equals
 *              the record count. One run per file (a second would only replace the same rows).
 *              The simulator generates its answer inside this process, so `fetchMs` (the client's
 *              own measure of that answer, request to last byte) is reported beside it, and
 *              `recordsPerSecExclFetch` leaves it out. `requestMs` is runRequest alone (fetch,
 *              archive, parse, publish, run row); `drainMs` what the consumer needed after it.
 *   rawInsert  the baseline: insertPrices of the SAME parsed records into the same store, timed
 *              the same way (until the FINAL count matches). The copies carry source
 *              `bench.raw-insert.<file>` and a `RAW~` node prefix: `prices` is keyed by market,
 *              node, run and interval (not source), so unprefixed copies would replace the rows
 *              the end-to-end run stored.
 *
 * Order: every file is fetched, then every parse measured (nothing else running); then per file
 * the end-to-end run and its raw insert, each after chDB's background merges of the earlier
 * inserts have finished (on a small machine they would otherwise share the cores).
 *
 * Ratios compare each path's records/s with the raw insert's (1 = as fast as the bare insert).
 * Rows are the publisher's rows: data entries of a JSON answer, non-empty lines of a CSV
 * (headers included). Progress goes to stderr, a table to stdout, and the last stdout line is one
 * JSON object. A benchmark measures; it asserts nothing beyond the sanity of its own setup.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  createHttpClient,
  misoDayStart,
  SOURCES,
  simulatorUrls,
  unpackPayload,
  type ConnectorConfig,
  type FetchedPayload,
  type FetchRequest,
  type HttpClient,
  type SourceId,
  type Window,
} from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import { createPublisherSimulator, type PublisherSimulator } from '@carbon/simulator'
import { pino } from 'pino'
import { queryRows } from '../server/adapters/clickhouse/client.ts'
import { parseEnv } from '../server/env.ts'
import { openPlatform, type Platform } from '../server/platform.ts'
import { createNodeCatalogue } from '../server/services/ingest/catalogue.ts'
import { DATASETS } from '../server/services/ingest/datasets.ts'
import type { PipelineDeps } from '../server/services/ingest/pipeline.ts'
import { runRequest } from '../server/services/ingest/request.ts'
import { insertPrices } from '../server/services/prices/index.ts'
import { startPricesConsumer, type PricesConsumer } from '../server/workers/prices-consumer.ts'

const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 5))
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const FIVE_MINUTES = 5 * MINUTE
/** 2026-07-20 13:00 EST: the DA report of 07-20 and the 5-minute prices of 07-19 are out, as is the CAISO hour 17:00-18:00Z. */
const NOW = Date.parse('2026-07-20T18:00:00Z')
/** How long to wait for the consumer before giving up on a file (a stuck pipeline, not a slow one). */
const DRAIN_TIMEOUT_MS = 240_000
// Warnings (slow queries, bus retention) go to stderr: stdout is the table and the JSON line.
const log = pino({ level: 'warn' }, pino.destination({ dest: 2, sync: true }))

type FileName = 'miso_csv' | 'miso_json' | 'miso_json_current' | 'caiso_oasis_csv'
type FileSpec = { name: FileName; dataset: SourceId; window: Window }

const TODAY = misoDayStart(NOW)
const LATEST_RT5 = Math.floor(NOW / FIVE_MINUTES) * FIVE_MINUTES - FIVE_MINUTES
const LAST_HOUR = Math.floor(NOW / HOUR) * HOUR - HOUR

const FILES: readonly FileSpec[] = [
  { name: 'miso_csv', dataset: 'miso.da_expost_lmp', window: { start: TODAY, end: TODAY + DAY } },
  { name: 'miso_json', dataset: 'miso.api.rt5_expost', window: { start: TODAY - DAY, end: TODAY } },
  { name: 'miso_json_current', dataset: 'miso.api.rt5_expost', window: { start: LATEST_RT5, end: LATEST_RT5 + FIVE_MINUTES } },
  { name: 'caiso_oasis_csv', dataset: 'caiso.oasis.prc_intvl_lmp', window: { start: LAST_HOUR, end: LAST_HOUR + HOUR } },
]

type ParseStats = { records: number; rows: number; bytes: number; textBytes: number; issues: number; ms: number; recordsPerSec: number; rowsPerSec: number; mbPerSec: number; textMbPerSec: number; runsMs: number[] }
/** `countQueryMs`: one more count query once done (not in `ms`): the store's share of a small file's time. */
type PathStats = { records: number; ms: number; recordsPerSec: number; countQueryMs: number }
type EndToEndStats = PathStats & { recordsPerSecExclFetch: number; requestMs: number; fetchMs: number; drainMs: number; retries: number; issues: number; newNodes: number; status: string }

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits
const perSec = (n: number, ms: number) => (ms > 0 ? Math.round((n / ms) * 1000) : 0)

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

function progress(line: string) {
  process.stderr.write(`${line}\n`)
}

/** The one request the dataset plans for the file's window (each file here is exactly one). */
function requestFor(spec: FileSpec, config: ConnectorConfig): FetchRequest {
  const planned = DATASETS[spec.dataset]!.plan(spec.window, config, NOW)
  if (planned.length !== 1) throw new Error(`${spec.name}: expected one request for the window, the plan has ${planned.length}`)
  return planned[0]!
}

async function fetchPayload(client: HttpClient, request: FetchRequest): Promise<FetchedPayload> {
  const outcome = await client.fetch(request)
  if (outcome.kind !== 'payload') throw new Error(`${request.file}: not published at the simulated time (${outcome.reason})`)
  return outcome.payload
}

/** The publisher's rows: entries of a MISO API answer's `data`, non-empty lines of a CSV. */
function sourceRows(payload: FetchedPayload): { rows: number; textBytes: number } {
  let rows = 0
  let textBytes = 0
  for (const doc of unpackPayload(payload.bytes, payload.request.file)) {
    textBytes += Buffer.byteLength(doc.text, 'utf8')
    if (doc.text.startsWith('{')) {
      const data = (JSON.parse(doc.text) as { data?: unknown[] }).data
      rows += Array.isArray(data) ? data.length : 0
    } else {
      for (const line of doc.text.split('\n')) if (line.trim() !== '') rows++
    }
  }
  return { rows, textBytes }
}

/** What the pipeline's parse step does: unpack, parse every document, gather records and issues. */
function parseOnce(payload: FetchedPayload): { records: PriceRecord[]; issues: number; ms: number } {
  const started = performance.now()
  const source = SOURCES[payload.request.dataset]
  const records: PriceRecord[] = []
  let issues = 0
  for (const doc of unpackPayload(payload.bytes, payload.request.file)) {
    const result = source.parse(doc.text, doc.file)
    for (const record of result.records) records.push(record)
    issues += result.errors.length
  }
  return { records, issues, ms: performance.now() - started }
}

function measureParse(spec: FileSpec, payload: FetchedPayload): ParseStats {
  const { rows, textBytes } = sourceRows(payload)
  progress(`${spec.name}: parse, warm-up + ${REPEAT} runs...`)
  let last = parseOnce(payload)
  const runsMs: number[] = []
  for (let i = 0; i < REPEAT; i++) {
    last = parseOnce(payload)
    runsMs.push(last.ms)
  }
  const ms = median(runsMs)
  const bytes = payload.bytes.length
  return {
    records: last.records.length,
    rows,
    bytes,
    textBytes,
    issues: last.issues,
    ms: round(ms),
    recordsPerSec: perSec(last.records.length, ms),
    rowsPerSec: perSec(rows, ms),
    mbPerSec: round(bytes / 1e6 / (ms / 1000), 2),
    textMbPerSec: round(textBytes / 1e6 / (ms / 1000), 2),
    runsMs: runsMs.map((x) => round(x)),
  }
}

async function storedCount(platform: Platform, source: string, window: Window): Promise<number> {
  const rows = await queryRows<{ n: string }>(
    platform.ch,
    'bench_count',
    `SELECT count() AS n FROM prices FINAL
      WHERE source = {source:String}
        AND interval_start >= fromUnixTimestamp64Milli({start:Int64}, 'UTC')
        AND interval_start < fromUnixTimestamp64Milli({end:Int64}, 'UTC')`,
    { source, start: window.start, end: window.end },
  )
  return Number(rows[0]!.n)
}

/** Resolves once `done()` holds, polling every `everyMs`; throws after DRAIN_TIMEOUT_MS. */
/** How long one count query takes now (run after a step; not part of its time). */
async function countQueryMs(platform: Platform, source: string, window: Window): Promise<number> {
  const started = performance.now()
  await storedCount(platform, source, window)
  return round(performance.now() - started)
}

async function until(what: string, done: () => boolean | Promise<boolean>, everyMs: number): Promise<void> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${DRAIN_TIMEOUT_MS} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** Client-side measures per URL: the last answer's time (request to last byte) and the retries taken. */
type FetchLog = { ms: Map<string, number>; retries: Map<string, number> }
type Pipeline = { platform: Platform; client: HttpClient; deps: PipelineDeps; consumed: () => number; fetches: FetchLog }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Lets the machine go quiet before a timed step: pending timers run (a long synchronous parse
 * holds them back, and an idle keep-alive socket the simulator has meanwhile closed would
 * otherwise be reused), and chDB's background merges of earlier inserts finish, so they do not
 * compete for the cores with the step measured (bounded: 60 s).
 */
async function settle(platform: Platform): Promise<void> {
  await sleep(250)
  const deadline = performance.now() + 60_000
  while (performance.now() < deadline) {
    const rows = await queryRows<{ n: string }>(platform.ch, 'bench_merges', 'SELECT count() AS n FROM system.merges')
    if (Number(rows[0]!.n) === 0) return
    await sleep(250)
  }
}

async function measureEndToEnd(pipeline: Pipeline, spec: FileSpec, request: FetchRequest): Promise<EndToEndStats> {
  const { platform, client, deps } = pipeline
  const before = pipeline.consumed()
  pipeline.fetches.ms.delete(request.url)
  pipeline.fetches.retries.delete(request.url)
  const started = performance.now()
  const result = await runRequest(deps, client, DATASETS[spec.dataset]!, request, 'schedule')
  const requestMs = performance.now() - started
  if (result.status === 'failed' || result.status === 'no-data') throw new Error(`${spec.name}: ingest ${result.status}: ${result.error ?? ''}`)
  // The bus counter first (cheap), then the store's own count, so polling does not load the store.
  await until(`the consumer to handle ${result.records} ${spec.name} records`, () => pipeline.consumed() >= before + result.records, 5)
  await until(`${result.records} ${spec.name} rows in prices FINAL`, async () => (await storedCount(platform, spec.dataset, request.window)) >= result.records, 20)
  const ms = performance.now() - started
  const fetchMs = pipeline.fetches.ms.get(request.url) ?? 0
  return {
    records: result.records,
    ms: round(ms),
    recordsPerSec: perSec(result.records, ms),
    recordsPerSecExclFetch: perSec(result.records, ms - fetchMs),
    countQueryMs: await countQueryMs(platform, spec.dataset, request.window),
    requestMs: round(requestMs),
    fetchMs: round(fetchMs),
    drainMs: round(ms - requestMs),
    retries: pipeline.fetches.retries.get(request.url) ?? 0,
    issues: result.issues,
    newNodes: result.newNodes,
    status: result.status,
  }
}

async function measureRawInsert(platform: Platform, spec: FileSpec, records: readonly PriceRecord[]): Promise<PathStats> {
  const source = `bench.raw-insert.${spec.name}`
  const copies = records.map((r) => ({ ...r, node: `RAW~${r.node}`, source }))
  const started = performance.now()
  await insertPrices(platform.ch, copies)
  await until(`${copies.length} raw-inserted ${spec.name} rows`, async () => (await storedCount(platform, source, spec.window)) >= copies.length, 20)
  const ms = performance.now() - started
  return { records: copies.length, ms: round(ms), recordsPerSec: perSec(copies.length, ms), countQueryMs: await countQueryMs(platform, source, spec.window) }
}

async function startPipeline(platform: Platform): Promise<{ pipeline: Pipeline; consumer: PricesConsumer }> {
  let consumed = 0
  const consumer = await startPricesConsumer({ bus: platform.bus, ch: platform.ch, log, onBatch: (n) => (consumed += n) })
  // No politeness spacing: `{}` alone would keep the client's default OASIS spacing (5.5 s).
  const fetches: FetchLog = { ms: new Map(), retries: new Map() }
  // A retry (reported in the results) rather than a failed run if a socket breaks anyway.
  const client = createHttpClient({
    userAgent: 'carbon-bench-ingest',
    maxAttempts: 2,
    backoff: { initialMs: 10, maxMs: 20 },
    minSpacingMs: { 'caiso.oasis': 0, 'miso.dx': 0 },
    onEvent: (event) => {
      if (event.type === 'response') fetches.ms.set(event.request.url, event.ms)
      if (event.type === 'retry' || event.type === 'throttled') fetches.retries.set(event.request.url, (fetches.retries.get(event.request.url) ?? 0) + 1)
    },
  })
  const deps: PipelineDeps = { db: platform.pg.db, bus: platform.bus, objects: platform.objects, catalogue: createNodeCatalogue(platform.pg.db), log, unknownNodes: 'admit' }
  return { pipeline: { platform, client, deps, consumed: () => consumed, fetches }, consumer }
}

function table(parse: Record<string, ParseStats>, endToEnd: Record<string, EndToEndStats>, rawInsert: Record<string, PathStats>): string {
  const columns: [string, number, (name: string) => string | number][] = [
    ['file', 18, (name) => name],
    ['records', 8, (name) => parse[name]!.records],
    ['MB', 6, (name) => (parse[name]!.bytes / 1e6).toFixed(1)],
    ['parse rec/s', 12, (name) => parse[name]!.recordsPerSec],
    ['parse MB/s', 10, (name) => parse[name]!.mbPerSec],
    ['e2e rec/s', 10, (name) => endToEnd[name]!.recordsPerSec],
    ['e2e ms', 8, (name) => endToEnd[name]!.ms],
    ['fetch ms', 8, (name) => endToEnd[name]!.fetchMs],
    ['raw ins rec/s', 13, (name) => rawInsert[name]!.recordsPerSec],
    ['e2e/raw', 7, (name) => (endToEnd[name]!.recordsPerSec / rawInsert[name]!.recordsPerSec).toFixed(3)],
  ]
  const row = (cells: (string | number)[]) => cells.map((cell, i) => (i === 0 ? String(cell).padEnd(columns[i]![1]) : String(cell).padStart(columns[i]![1]))).join(' ')
  return [row(columns.map(([title]) => title)), ...Object.keys(parse).map((name) => row(columns.map(([, , value]) => value(name))))].join('\n')
}

async function main() {
  const started = performance.now()
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-bench-ingest-'))
  let simulator: PublisherSimulator | undefined
  let platform: Platform | undefined
  let consumer: PricesConsumer | undefined
  const parse: Record<string, ParseStats> = {}
  const endToEnd: Record<string, EndToEndStats> = {}
  const rawInsert: Record<string, PathStats> = {}
  let nodes = { miso: 0, caiso: 0 }
  try {
    progress(`Opening the embedded platform in ${dataDir} (migrations run)...`)
    platform = await openPlatform(parseEnv({ DATA_DIR: dataDir }), log)
    progress('Starting the publisher simulator (full-size catalogues)...')
    simulator = await createPublisherSimulator({ fixturesDir: null })
    simulator.setNow(new Date(NOW))
    nodes = { miso: simulator.model.miso.nodes.length, caiso: simulator.model.caiso.nodes.length }
    const config: ConnectorConfig = { urls: simulatorUrls(simulator.url), caisoNodes: 'ALL' }
    const running = await startPipeline(platform)
    consumer = running.consumer
    const { pipeline } = running

    // 1. Every file fetched once (not timed), then every parse measured on a quiet machine.
    const payloads = new Map<FileName, FetchedPayload>()
    for (const spec of FILES) {
      const request = requestFor(spec, config)
      progress(`${spec.name}: fetching ${request.file} once (not timed)...`)
      const payload = await fetchPayload(pipeline.client, request)
      payloads.set(spec.name, payload)
      progress(`  ${(payload.bytes.length / 1e6).toFixed(1)} MB in ${Math.round(pipeline.fetches.ms.get(request.url) ?? 0)} ms`)
    }
    for (const spec of FILES) {
      const stats = measureParse(spec, payloads.get(spec.name)!)
      parse[spec.name] = stats
      progress(`  ${stats.records} records, median ${stats.ms} ms (${stats.recordsPerSec} records/s)`)
    }

    // 2. Per file: end to end, then the raw insert of the same records (parsed again, not timed).
    for (const spec of FILES) {
      const payload = payloads.get(spec.name)!
      await settle(platform)
      progress(`${spec.name}: end to end (runRequest + prices consumer)...`)
      const e2e = await measureEndToEnd(pipeline, spec, payload.request)
      endToEnd[spec.name] = e2e
      progress(`  end to end: ${e2e.records} records in ${e2e.ms} ms (fetch ${e2e.fetchMs} ms, runRequest ${e2e.requestMs} ms, drain ${e2e.drainMs} ms)`)

      const records = parseOnce(payload).records
      await settle(platform)
      progress(`${spec.name}: raw insertPrices baseline...`)
      rawInsert[spec.name] = await measureRawInsert(platform, spec, records)
      progress(`  raw insert: ${rawInsert[spec.name]!.records} records in ${rawInsert[spec.name]!.ms} ms`)
      payloads.delete(spec.name)
    }
  } finally {
    await consumer?.stop()
    await simulator?.close()
    await platform?.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }

  const ratios = Object.fromEntries(
    Object.keys(parse).map((name) => {
      const raw = rawInsert[name]!.recordsPerSec
      return [
        name,
        {
          endToEndVsRawInsert: round(endToEnd[name]!.recordsPerSec / raw, 3),
          endToEndExclFetchVsRawInsert: round(endToEnd[name]!.recordsPerSecExclFetch / raw, 3),
          parseVsRawInsert: round(parse[name]!.recordsPerSec / raw, 3),
        },
      ]
    }),
  )
  process.stdout.write(`${table(parse, endToEnd, rawInsert)}\n`)
  process.stdout.write(
    `${JSON.stringify({
      bench: 'ingest',
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGb: round(os.totalmem() / 2 ** 30), node: process.version },
      store: 'embedded (PGlite + chDB, in-process bus, local objects)',
      simulatedNow: new Date(NOW).toISOString(),
      nodes,
      repeat: REPEAT,
      parse,
      endToEnd,
      rawInsert,
      ratios,
      totalSec: round((performance.now() - started) / 1000),
    })}\n`,
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
