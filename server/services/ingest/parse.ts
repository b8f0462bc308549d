import { Worker } from 'node:worker_threads'
import { type CatalogueNode, ParseError, type ParseIssue, SOURCES, type SourceId, unpackPayload } from '@carbon/connectors'
import type { PriceRecord } from '@carbon/schemas'
import type { Logger } from 'pino'
import { threadEntry } from '../../paths.ts'

/**
 * Parsing a publisher file: unzip, decode, read every row. For a full CAISO interval (4,000 nodes
 * in a zipped CSV) that is about 100 ms of synchronous work, which on the web process's thread
 * (the embedded `carbon serve` runs the ingest there) would hold up every request and every live
 * event for as long. The ingest therefore parses in a worker thread (parse-thread.ts), one file at
 * a time in the order asked, and gets back the records, the refused rows and the node list; the
 * main thread only publishes them. One-off callers (the `parse` command, a dead-letter replay,
 * tests) parse in their own thread with `parsePayload`.
 */

export type Parsed = { records: PriceRecord[]; issues: ParseIssue[]; catalogue: CatalogueNode[] }

/** What a parser needs of a fetched payload: its bytes and the file name (a zip or not, and what errors name). */
export type ParseInput = { bytes: Uint8Array; file: string }

export type PayloadParser = {
  /** Parses one payload; rejects with ParseError when the file cannot be read at all, as parsePayload throws. */
  parse(dataset: SourceId, input: ParseInput): Promise<Parsed>
  stop(): Promise<void>
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

export type ParseJob = { id: number; dataset: SourceId; file: string; bytes: Uint8Array }
export type ParseAnswer =
  | { id: number; type: 'parsed'; parsed: Parsed }
  | { id: number; type: 'unusable'; issue: ParseIssue }
  | { id: number; type: 'failed'; message: string }

/** The thread's side of one job: the answer to post back (a ParseError becomes its issue, anything else its message). */
export function answerJob(job: ParseJob): ParseAnswer {
  try {
    return { id: job.id, type: 'parsed', parsed: parsePayload(job.dataset, { bytes: job.bytes, file: job.file }) }
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

type Pending = { resolve: (parsed: Parsed) => void; reject: (error: Error) => void }

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
    if (answer.type === 'parsed') p.resolve(answer.parsed)
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
    parse(dataset, input) {
      if (stopped) return Promise.reject(new ParseThreadError('the ingest parser stopped'))
      const id = nextId++
      return new Promise<Parsed>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        // A copy of exactly these bytes, moved (not cloned) to the thread: the caller keeps its payload.
        const bytes = input.bytes.slice()
        const job: ParseJob = { id, dataset, file: input.file, bytes }
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

/** A parser that works in the calling thread (one-off commands and tests). */
export const inlineParser: PayloadParser = {
  async parse(dataset, input) {
    return parsePayload(dataset, input)
  },
  async stop() {},
}
