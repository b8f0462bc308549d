import { Worker } from 'node:worker_threads'
import { type CatalogueNode, ParseError, type ParseIssue, SOURCES, type SourceId, unpackPayload } from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import type { Logger } from 'pino'
import { threadEntry } from '../../paths.ts'
import { instantMs } from '../prices/helpers.ts'

/**
 * Parsing a publisher file: unzip, decode, read every row. For a full CAISO interval (4,000 nodes
 * in a zipped CSV) that is about 100 ms of synchronous work, which on the web process's thread
 * (the embedded `carbon serve` runs the ingest there) would hold up every request and every live
 * event for as long. The ingest therefore prepares each file in a worker thread (parse-thread.ts),
 * one file at a time in the order asked: it parses the file, keeps the records of the requested
 * window and writes each as the JSON the bus carries. What comes back is cheap to hand between
 * threads (the texts end to end in a few long strings, and typed arrays: not a million objects to
 * clone) and is all the main thread needs to publish: each record's text, node and interval start.
 * One-off callers (the `parse` command, tests) parse in their own thread with `parsePayload`.
 */

export type Parsed = { records: PriceRecord[]; issues: ParseIssue[]; catalogue: CatalogueNode[] }

/** What a parser needs of a fetched payload: its bytes and the file name (a zip or not, and what errors name). */
export type ParseInput = { bytes: Uint8Array; file: string }

/**
 * Which records of a file are published: those whose interval starts in `window` (a feed may
 * answer more than was asked), with `published` (the file's Last-Modified, ISO) as the publication
 * time of records whose format carries none.
 */
export type PrepareOptions = { window: { start: number; end: number }; published: string | null }

/**
 * The records to publish as the canonical JSON the bus carries, in file order. The texts are end
 * to end in pieces of at most PIECE_CHARS characters (a V8 string has a length limit); record i
 * is in piece `piece[i]` and ends at `end[i]` there (recordText cuts it out).
 */
export type RecordTexts = {
  count: number
  pieces: string[]
  piece: Int32Array
  end: Int32Array
  /** The distinct nodes of the records, and each record's index into them. */
  nodes: string[]
  node: Int32Array
  /** Each record's interval start, ms since the epoch. */
  start: Float64Array
}

/** A prepared file: the texts to publish, how many records fell outside the window, the refused rows and the node list. */
export type Prepared = { records: RecordTexts; outside: number; issues: ParseIssue[]; catalogue: CatalogueNode[] }

export type PayloadParser = {
  /** Prepares one payload; rejects with ParseError when the file cannot be read at all, as parsePayload throws. */
  prepare(dataset: SourceId, input: ParseInput, options: PrepareOptions): Promise<Prepared>
  stop(): Promise<void>
}

const PIECE_CHARS = 1 << 24

/** Record i's JSON text: a slice of its piece (V8 makes it a view, not a copy). */
export function recordText(texts: RecordTexts, i: number): string {
  const from = i > 0 && texts.piece[i - 1] === texts.piece[i] ? texts.end[i - 1]! : 0
  return texts.pieces[texts.piece[i]!]!.slice(from, texts.end[i])
}

/**
 * The records of `records` in the window as RecordTexts, `published` set in place on those that
 * carry no publication time (the records are the caller's own, fresh from the parser).
 */
export function recordTexts(records: PriceRecord[], options: PrepareOptions, pieceChars = PIECE_CHARS): { texts: RecordTexts; outside: number } {
  const { window, published } = options
  const piece = new Int32Array(records.length)
  const end = new Int32Array(records.length)
  const node = new Int32Array(records.length)
  const start = new Float64Array(records.length)
  const pieces: string[] = []
  const nodes: string[] = []
  const nodeNumbers = new Map<string, number>()
  let parts: string[] = []
  let length = 0
  let count = 0
  for (const record of records) {
    const at = instantMs(record.intervalStart)
    if (!(at >= window.start && at < window.end)) continue
    if (record.publishedAt === null && published !== null) record.publishedAt = published
    const text = JSON.stringify(record)
    if (length + text.length > pieceChars && parts.length > 0) {
      pieces.push(parts.join(''))
      parts = []
      length = 0
    }
    parts.push(text)
    length += text.length
    let number = nodeNumbers.get(record.node)
    if (number === undefined) {
      number = nodes.length
      nodeNumbers.set(record.node, number)
      nodes.push(record.node)
    }
    piece[count] = pieces.length
    end[count] = length
    node[count] = number
    start[count] = at
    count++
  }
  if (parts.length > 0) pieces.push(parts.join(''))
  const texts = { count, pieces, piece: piece.subarray(0, count), end: end.subarray(0, count), nodes, node: node.subarray(0, count), start: start.subarray(0, count) }
  return { texts, outside: records.length - count }
}

/** Parses and prepares in the calling thread; throws ParseError for a file that cannot be read at all. */
export function preparePayload(dataset: SourceId, input: ParseInput, options: PrepareOptions): Prepared {
  const parsed = parsePayload(dataset, input)
  const { texts, outside } = recordTexts(parsed.records, options)
  return { records: texts, outside, issues: parsed.issues, catalogue: parsed.catalogue }
}

/** Parses in the calling thread; throws ParseError for a file that cannot be read at all. */
export function parsePayload(dataset: SourceId, input: ParseInput): Parsed {
  const source = SOURCES[dataset]
  const parsed: Parsed = { records: [], issues: [], catalogue: [] }
  for (const doc of unpackPayload(input.bytes, input.file)) {
    const result = source.parse(doc.text, doc.file)
    for (const record of result.records) parsed.records.push(record)
    for (const issue of result.errors) parsed.issues.push(issue)
    if (result.nodes) for (const node of result.nodes) parsed.catalogue.push(node)
  }
  return parsed
}

export type ParseJob = { id: number; dataset: SourceId; file: string; bytes: Uint8Array; options: PrepareOptions }
export type ParseAnswer =
  | { id: number; type: 'prepared'; prepared: Prepared }
  | { id: number; type: 'unusable'; issue: ParseIssue }
  | { id: number; type: 'failed'; message: string }

/** The thread's side of one job: the answer to post back (a ParseError becomes its issue, anything else its message). */
export function answerJob(job: ParseJob): ParseAnswer {
  try {
    return { id: job.id, type: 'prepared', prepared: preparePayload(job.dataset, { bytes: job.bytes, file: job.file }, job.options) }
  } catch (error) {
    if (error instanceof ParseError) {
      return { id: job.id, type: 'unusable', issue: { file: error.file, line: error.line, field: error.field, value: error.value, reason: error.reason } }
    }
    return { id: job.id, type: 'failed', message: error instanceof Error ? error.message : String(error) }
  }
}

/** The thread could not start, died or was stopped with the job in flight: not the file's fault (the ingest fetches it again). */
export class ParseThreadError extends Error {
  override name = 'ParseThreadError'
}

const THREAD_ENTRY = threadEntry('server/services/ingest/parse-thread.ts')

type Pending = { resolve: (prepared: Prepared) => void; reject: (error: Error) => void }

/**
 * A parser with one worker thread, started at the first file and kept. Files are parsed one after
 * the other in the order asked (the thread's message queue); several can be waiting. A thread that
 * dies fails the files waiting on it with ParseThreadError and the next file starts a new one.
 */
export function createThreadParser(log: Logger): PayloadParser {
  const pending = new Map<number, Pending>()
  let worker: Worker | null = null
  let nextId = 1
  let stopped = false

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error)
    pending.clear()
  }

  function onAnswer(answer: ParseAnswer) {
    const p = pending.get(answer.id)
    if (!p) return
    pending.delete(answer.id)
    if (answer.type === 'prepared') p.resolve(answer.prepared)
    else if (answer.type === 'unusable') p.reject(new ParseError(answer.issue))
    else p.reject(new Error(answer.message))
  }

  function thread(): Worker {
    if (worker) return worker
    // execArgv empty: the entry registers tsx itself (an inherited `--import tsx` would load it twice).
    const created = new Worker(THREAD_ENTRY.filename, { argv: THREAD_ENTRY.argv, execArgv: [] })
    created.on('message', onAnswer)
    created.on('error', (error) => {
      log.warn({ err: error }, 'ingest parse thread failed')
      if (worker === created) worker = null
      failAll(new ParseThreadError(`the parse thread failed: ${error.message}`))
    })
    created.on('exit', (code) => {
      if (worker === created) worker = null
      failAll(new ParseThreadError(stopped ? 'the ingest parser stopped' : `the parse thread exited (code ${code})`))
    })
    worker = created
    return created
  }

  return {
    prepare(dataset, input, options) {
      if (stopped) return Promise.reject(new ParseThreadError('the ingest parser stopped'))
      const id = nextId++
      return new Promise<Prepared>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        // A copy of exactly these bytes, moved (not cloned) to the thread: the caller keeps its payload.
        const bytes = input.bytes.slice()
        const job: ParseJob = { id, dataset, file: input.file, bytes, options }
        thread().postMessage(job, [bytes.buffer])
      })
    },
    async stop() {
      stopped = true
      const current = worker
      worker = null
      if (current) await current.terminate()
      failAll(new ParseThreadError('the ingest parser stopped'))
    },
  }
}

/** A parser that works in the calling thread (one-off commands, dead-letter replays, tests). */
export const inlineParser: PayloadParser = {
  async prepare(dataset, input, options) {
    return preparePayload(dataset, input, options)
  },
  async stop() {},
}
