/**
 * The SSE clients of `npm run bench:stream`, in processes of their own (scripts/bench-stream.ts
 * spawns several, each with an IPC channel), so their work is not counted as the server's and
 * they do not all queue behind one event loop.
 *
 * Opens N concurrent connections to one live price stream URL with `Authorization: Bearer
 * <token>` (the token arrives over IPC, never on the command line), and reads the Server-Sent
 * Events itself on node:http as bytes: events end at a blank line; lines `event:`, `id:`,
 * `data:`, `retry:`. Both transports: tRPC's prices.live (unnamed data events after `event:
 * connected`) and the REST endpoint /api/v1/stream/prices (`retry:` first, events named
 * prices|skipped|reset|end).
 *
 * Two kinds of client, so that the clients are not the bottleneck of what they measure:
 *   parsing    (`parsing` of each process, spread over its connection order) read every price of every event: per price its
 *              `"ingestedAt":` and `"offset":` (in that order in every price the server sends),
 *              found by a byte scan rather than a decode and JSON.parse; they count prices, check
 *              the order of offsets and record latency samples.
 *   counting   read only where events end (a native search for the blank line) and each event's
 *              first bytes (its id and type), and count its bytes. An event is identified by its id
 *              and length; its prices (count and ingestedAt) are what a parsing client of this
 *              process read for the same id and length (every client with the same filter is sent
 *              the same bytes). Events no parsing client saw stay unresolved and are reported; a
 *              non-`prices` event (skipped, reset, end) is read in full like a parsing client's.
 * For each data event the receipt time is when its last byte arrived; a latency sample is that
 * minus the price's `ingestedAt`, one per run of prices with the same ingestedAt.
 *
 * Compressed streams (encoding `deflate`: `Accept-Encoding: deflate`, the default of
 * bench-stream.ts; BENCH_STREAM_ENCODING=identity asks for nothing). The server writes every event
 * as one HTTP chunk of raw deflate from a fresh compressor ending in a sync flush (00 00 ff ff;
 * server/http/sse.ts), so the answer splits, where a received piece ends with that marker, into
 * groups that inflate on their own. Parsing clients inflate every group (inflateRawSync) and read
 * the text as above. Counting clients do not inflate a `prices` event: they inflate only the first
 * bytes of a group (once per process for identical bytes: every client is sent the same frame) to
 * learn its id and type, and count its compressed bytes; the event is identified by id and
 * compressed length, resolved by a parsing client's reading of the same group. Small groups (the
 * preamble, keep-alives, skipped/reset/end, errors) are inflated and read in full.
 * `bytes` counts what came on the wire; parsing clients also count the text and, per `prices`
 * event, wire and text bytes (the report's bytes per event on the wire vs uncompressed).
 *
 * Messages from the parent: start {url, token, clients, wave, parsing}, count, cpu, report, close.
 * Messages to the parent: connected {connected, failed}, count {...}, cpu {ms}, report {...}, error.
 */
import http from 'node:http'
import zlib from 'node:zlib'

type Start = { type: 'start'; url: string; token: string; clients: number; wave: number; parsing: number; encoding: 'deflate' | 'identity' }
type ParentMessage = Start | { type: 'count' } | { type: 'cpu' } | { type: 'report' } | { type: 'close' }

type ClientStats = {
  kind: 'parsing' | 'counting'
  connected: boolean
  /** HTTP status of the answer (0: no answer). */
  status: number
  events: number
  /** Prices received (for a counting client: of its resolved events). */
  prices: number
  /** Bytes on the wire (compressed when the answer is). */
  bytes: number
  /** Content-Encoding of the answer ('identity' when none). */
  encoding: string
  /** Parsing clients: text bytes read (after inflating), and of their `prices` events: how many, wire bytes, text bytes. */
  textBytes: number
  pricesEvents: number
  pricesEventWireBytes: number
  pricesEventTextBytes: number
  /** Prices that arrived with an offset not above the last one (a duplicate or out of order; parsing clients). */
  outOfOrder: number
  lastOffset: number
  skippedEvents: number
  /** Updates the server dropped for this client (the `skipped` count of its skipped events). */
  skippedPrices: number
  resets: number
  errors: string[]
  ended: boolean
}

/** What a parsing client read of one event: its prices and their runs of equal ingestedAt ([ingestedMs, count] pairs, flat). */
type EventContent = { prices: number; runs: number[] }

/** A counting client's `prices` event: its key (id + length) and receipt time, resolved to its prices once known. */
type CountedEvent = { key: string; receiptMs: number; content: EventContent | null }

/** Latency samples, flat: [ingestedMs, receiptMs, prices] per run of prices with the same ingestedAt in one event. */
const parsingSamples: number[] = []
const clients: ClientStats[] = []
const counted = new Map<ClientStats, CountedEvent[]>()
/** Event id + length -> what a parsing client of this process read in it. */
const contents = new Map<string, EventContent>()
const requests: http.ClientRequest[] = []
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity })

function send(message: unknown) {
  process.send?.(message)
}

const INGESTED = Buffer.from('"ingestedAt":')
const OFFSET = Buffer.from('"offset":')
const SKIPPED = Buffer.from('"skipped":')
const PRICES = Buffer.from('"prices":[')
const BLANK_LINE = Buffer.from('\n\n')
const QUOTE = 34
const LF = 10
/** Bytes of an event's start a counting client keeps: its id, event and the start of its data. */
const HEAD_BYTES = 512

/** Reads one data event's prices (the bytes of its `data:` value): counts, offsets and runs of equal ingestedAt, without decoding it to a string. */
function readPrices(stats: ClientStats, data: Buffer): EventContent {
  const content: EventContent = { prices: 0, runs: [] }
  let i = data.indexOf(PRICES)
  if (i < 0) {
    stats.errors.push(`event without prices: ${data.subarray(0, 80).toString('latin1')}`)
    return content
  }
  let runIngested = ''
  let runMs = NaN
  let runCount = 0
  const flush = () => {
    if (runCount > 0 && Number.isFinite(runMs)) content.runs.push(runMs, runCount)
    runCount = 0
  }
  for (;;) {
    i = data.indexOf(INGESTED, i)
    if (i < 0) break
    i += INGESTED.length
    let ingested = ''
    if (data[i] === QUOTE) {
      const end = data.indexOf(QUOTE, i + 1)
      ingested = data.toString('latin1', i + 1, end)
      i = end
    }
    const at = data.indexOf(OFFSET, i)
    if (at < 0) break
    let j = at + OFFSET.length
    let offset = 0
    for (let c = data[j]!; c >= 48 && c <= 57; c = data[++j]!) offset = offset * 10 + (c - 48)
    i = j
    content.prices++
    if (offset <= stats.lastOffset) stats.outOfOrder++
    else stats.lastOffset = offset
    if (ingested === runIngested) {
      runCount++
    } else {
      flush()
      runIngested = ingested
      runMs = ingested ? Date.parse(ingested) : NaN
      runCount = 1
    }
  }
  flush()
  return content
}

/** Data events: tRPC sends them unnamed (`message`), the REST endpoint names them by type. */
const DATA_EVENTS = new Set(['message', 'prices', 'skipped', 'reset', 'end'])

type Fields = { event: string; id: string | null; data: Buffer | null; retry: boolean }

/** The `event:`, `id:`, `retry:` and `data:` lines of an event block (or of its first bytes). */
function fieldsOf(block: Buffer): Fields {
  const fields: Fields = { event: 'message', id: null, data: null, retry: false }
  for (let start = 0; start < block.length; ) {
    let end = block.indexOf(LF, start)
    if (end < 0) end = block.length
    // Only the field name is decoded; the data line stays bytes.
    const head = block.toString('latin1', start, Math.min(end, start + 6))
    if (head.startsWith('data:')) fields.data = block.subarray(start + (head === 'data: ' ? 6 : 5), end)
    else if (head.startsWith('event:')) fields.event = block.toString('latin1', start + 6, end).trim()
    else if (head.startsWith('id:')) fields.id = block.toString('latin1', start + 3, end).trim()
    else if (head.startsWith('retry:')) fields.retry = true
    start = end + 1
  }
  return fields
}

const typeOf = (data: Buffer | null) => (data ? /^\{"type":"(\w+)"/.exec(data.toString('latin1', 0, 40))?.[1] : undefined)

/** Control events (subscribed, errors); true when the block was one. */
function onControl(stats: ClientStats, fields: Fields): boolean {
  // Subscribed: tRPC's `connected` event, or the REST endpoint's first block (`retry:`), sent once admitted.
  if (fields.event === 'connected' || (fields.retry && fields.data === null)) {
    if (!stats.connected) {
      stats.connected = true
      connectedCount++
    }
    return true
  }
  if (fields.event === 'serialized-error') {
    stats.errors.push(`serialized-error: ${fields.data?.subarray(0, 300).toString('utf8') ?? ''}`)
    return true
  }
  return !DATA_EVENTS.has(fields.event) || fields.data === null
}

/** A whole event block, read in full (parsing clients; counting clients' non-`prices` events). `wireLength`: its bytes on the wire (its compressed group), when compressed. */
function onEvent(stats: ClientStats, block: Buffer, receiptMs: number, wireLength?: number): void {
  const fields = fieldsOf(block)
  if (onControl(stats, fields)) return
  const data = fields.data!
  stats.events++
  const type = typeOf(data)
  if (type === 'end') return
  if (type === 'reset') stats.resets++
  if (type === 'skipped') {
    stats.skippedEvents++
    const k = data.lastIndexOf(SKIPPED)
    if (k >= 0) stats.skippedPrices += Number.parseInt(data.toString('latin1', k + SKIPPED.length, Math.min(data.length, k + SKIPPED.length + 20)), 10) || 0
  }
  const content = readPrices(stats, data)
  stats.prices += content.prices
  for (let r = 0; r < content.runs.length; r += 2) parsingSamples.push(content.runs[r]!, receiptMs, content.runs[r + 1]!)
  if (stats.kind === 'parsing' && type === 'prices' && fields.id !== null) {
    const length = wireLength ?? block.length
    contents.set(`${fields.id}|${length}`, content)
    stats.pricesEvents++
    stats.pricesEventWireBytes += length
    stats.pricesEventTextBytes += block.length
  }
}

/** A counting client's event, from its first bytes and its length: a `prices` event is recorded by key, anything else read in full. */
function onCountedEvent(stats: ClientStats, head: Buffer, length: number, receiptMs: number, whole: () => Buffer): void {
  const fields = fieldsOf(head)
  if (onControl(stats, fields)) return
  if (typeOf(fields.data) !== 'prices' || fields.id === null) return onEvent(stats, whole(), receiptMs)
  stats.events++
  counted.get(stats)!.push({ key: `${fields.id}|${length}`, receiptMs, content: null })
}

/** Resolves a counting client's events to their prices where a parsing client has read them; returns how many stay unresolved. */
function resolve(stats: ClientStats): number {
  let unresolved = 0
  for (const event of counted.get(stats) ?? []) {
    if (event.content) continue
    const content = contents.get(event.key)
    if (!content) {
      unresolved++
      continue
    }
    event.content = content
    stats.prices += content.prices
  }
  return unresolved
}

let connectedCount = 0
let failedCount = 0

/**
 * Splits a response into event blocks as chunks arrive (no rescanning of what was searched). A
 * parsing client gets each block whole; a counting client gets the block's first bytes, its length
 * and a way to have it whole (kept only while the block may need it: a non-`prices` event).
 */
type BlockReader = ((chunk: Buffer, receiptMs?: number) => void) & {
  /** Whether a block has begun and not ended (the next bytes continue it). */
  midBlock(): boolean
}

function blockReader(stats: ClientStats, kind: ClientStats['kind'] = stats.kind, wireLength?: () => number): BlockReader {
  let pending: Buffer[] = []
  let pendingBytes = 0
  let head: Buffer | null = null
  let keepWhole = true
  let pendingEndsWithLf = false
  const complete = (last: Buffer, receiptMs: number) => {
    const length = pendingBytes + last.length
    if (kind === 'parsing' || keepWhole) pending.push(last)
    const firstBytes = head ?? last.subarray(0, HEAD_BYTES)
    const blocks = pending
    pending = []
    pendingBytes = 0
    head = null
    keepWhole = true
    if (length === 0 || !firstBytes.some((byte) => byte !== LF)) return
    const whole = () => (blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks))
    if (kind === 'parsing') onEvent(stats, whole(), receiptMs, wireLength?.())
    else onCountedEvent(stats, firstBytes, length, receiptMs, whole)
  }
  const read = (chunk: Buffer, receiptMs = Date.now()) => {
    let from = 0
    if (pendingEndsWithLf && chunk[0] === LF) {
      complete(Buffer.alloc(0), receiptMs)
      from = 1
    }
    for (;;) {
      const end = chunk.indexOf(BLANK_LINE, from)
      if (end < 0) break
      complete(chunk.subarray(from, end), receiptMs)
      from = end + 2
    }
    const rest = from === 0 ? chunk : chunk.subarray(from)
    if (rest.length > 0) {
      if (kind === 'counting' && pendingBytes === 0) {
        // The start of a block: keep its first bytes; the rest only if it is not a `prices` event.
        head = Buffer.from(rest.subarray(0, HEAD_BYTES))
        keepWhole = !/"type":"prices"/.test(head.toString('latin1'))
      }
      if (kind === 'parsing' || keepWhole) pending.push(rest)
      pendingBytes += rest.length
    }
    pendingEndsWithLf = rest.length > 0 && rest[rest.length - 1] === LF
  }
  return Object.assign(read, { midBlock: () => pendingBytes > 0 || pendingEndsWithLf })
}

/** Where every piece the server compresses ends (an empty stored block: Z_SYNC_FLUSH). */
const SYNC_FLUSH = Buffer.from([0x00, 0x00, 0xff, 0xff])
const ZLIB_HEADER_BYTES = 2
/** Compressed bytes inflated to read a group's head (id, type): enough for a dynamic Huffman table and the first hundreds of characters. */
const HEAD_WIRE_BYTES = 600
/** Groups up to this many compressed bytes are inflated whole (control events, keep-alives, small events). */
const SMALL_GROUP_BYTES = 1_024
const inflateOptions = { finishFlush: zlib.constants.Z_SYNC_FLUSH }
/** Compressed length + first bytes of a group -> its head as text: identical frames are inflated once per process. */
const heads = new Map<string, Buffer>()

function headOf(group: Buffer): Buffer {
  const key = `${group.length}|${group.toString('latin1', 0, 64)}`
  let head = heads.get(key)
  if (!head) {
    head = zlib.inflateRawSync(group.subarray(0, HEAD_WIRE_BYTES), inflateOptions).subarray(0, HEAD_BYTES)
    heads.set(key, head)
  }
  return head
}

/**
 * Reads a deflate answer (see the top of this file): groups of compressed pieces, each ending with
 * the sync-flush marker, inflated whole (parsing clients, small groups) into a text reader, or,
 * for a counting client's large group, only its head.
 */
function deflateReader(stats: ClientStats): (chunk: Buffer) => void {
  let group: Buffer[] = []
  let groupBytes = 0
  let headerLeft = ZLIB_HEADER_BYTES
  let currentWire = 0
  const text = blockReader(stats, 'parsing', () => currentWire)
  const onGroup = (bytes: Buffer, receiptMs: number) => {
    const whole = stats.kind === 'parsing' || bytes.length <= SMALL_GROUP_BYTES || text.midBlock()
    if (whole) {
      const inflated = zlib.inflateRawSync(bytes, inflateOptions)
      stats.textBytes += inflated.length
      currentWire = bytes.length
      text(inflated, receiptMs)
      return
    }
    onCountedEvent(stats, headOf(bytes), bytes.length, receiptMs, () => zlib.inflateRawSync(bytes, inflateOptions))
  }
  return (chunk) => {
    const receiptMs = Date.now()
    if (headerLeft > 0) {
      const skip = Math.min(headerLeft, chunk.length)
      headerLeft -= skip
      chunk = chunk.subarray(skip)
    }
    if (chunk.length === 0) return
    group.push(chunk)
    groupBytes += chunk.length
    // The end of a group is the end of a received piece: HTTP chunks (one per event) are never merged.
    const last = chunk.length >= SYNC_FLUSH.length ? chunk.subarray(chunk.length - SYNC_FLUSH.length) : Buffer.concat(group).subarray(-SYNC_FLUSH.length)
    if (!last.equals(SYNC_FLUSH)) return
    const bytes = group.length === 1 ? group[0]! : Buffer.concat(group, groupBytes)
    group = []
    groupBytes = 0
    onGroup(bytes, receiptMs)
  }
}

/** One connection. */
function open(url: URL, token: string, stats: ClientStats, encoding: Start['encoding']): Promise<void> {
  return new Promise((settleOpen) => {
    let settled = false
    const settle = () => {
      if (!settled) {
        settled = true
        settleOpen()
      }
    }
    const headers = { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(encoding === 'deflate' ? { 'accept-encoding': 'deflate' } : {}) }
    const req = http.request(url, { agent, headers }, (res) => {
      stats.status = res.statusCode ?? 0
      if (stats.status !== 200) {
        failedCount++
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk.slice(0, 500)))
        res.on('end', () => {
          stats.errors.push(`HTTP ${stats.status}: ${body.slice(0, 300)}`)
          settle()
        })
        return
      }
      stats.encoding = res.headers['content-encoding'] ?? 'identity'
      const read = stats.encoding === 'deflate' ? deflateReader(stats) : blockReader(stats)
      res.on('data', (chunk: Buffer) => {
        stats.bytes += chunk.length
        if (stats.encoding !== 'deflate') stats.textBytes += chunk.length
        read(chunk)
        if (stats.connected) settle()
      })
      res.on('end', () => {
        stats.ended = true
        settle()
      })
      res.on('error', (error) => stats.errors.push(`response: ${error.message}`))
    })
    req.on('error', (error) => {
      if (!closing) stats.errors.push(`request: ${error.message}`)
      if (!stats.connected) failedCount++
      settle()
    })
    req.end()
    requests.push(req)
  })
}

let closing = false

async function start(message: Start) {
  const url = new URL(message.url)
  for (let i = 0; i < message.clients; i += message.wave) {
    const wave: Promise<void>[] = []
    for (let j = i; j < Math.min(message.clients, i + message.wave); j++) {
      const stats: ClientStats = {
        // Spread over the connection order (the fan-out serves subscribers in the order they came).
        kind: message.parsing > 0 && j % Math.ceil(message.clients / message.parsing) === 0 ? 'parsing' : 'counting',
        connected: false,
        status: 0,
        events: 0,
        prices: 0,
        bytes: 0,
        encoding: 'identity',
        textBytes: 0,
        pricesEvents: 0,
        pricesEventWireBytes: 0,
        pricesEventTextBytes: 0,
        outOfOrder: 0,
        lastOffset: -1,
        skippedEvents: 0,
        skippedPrices: 0,
        resets: 0,
        errors: [],
        ended: false,
      }
      clients.push(stats)
      if (stats.kind === 'counting') counted.set(stats, [])
      wave.push(open(url, message.token, stats, message.encoding))
    }
    // One wave at a time: the server authenticates, checks and audits each subscription.
    await Promise.all(wave)
  }
  send({ type: 'connected', connected: connectedCount, failed: failedCount })
}

function counts() {
  let min = Infinity
  let total = 0
  let unresolved = 0
  for (const c of clients) {
    if (c.kind === 'counting') unresolved += resolve(c)
    const got = c.prices + c.skippedPrices
    min = Math.min(min, got)
    total += c.prices
  }
  return { type: 'count', minReceived: clients.length ? min : 0, totalReceived: total, clients: clients.length, unresolved }
}

function report() {
  let unresolvedEvents = 0
  // Every client's samples: the parsing clients' own, plus the counting clients' resolved events.
  const allSamples = [...parsingSamples]
  for (const c of clients) {
    if (c.kind !== 'counting') continue
    unresolvedEvents += resolve(c)
    for (const event of counted.get(c)!) {
      if (!event.content) continue
      const runs = event.content.runs
      for (let r = 0; r < runs.length; r += 2) allSamples.push(runs[r]!, event.receiptMs, runs[r + 1]!)
    }
  }
  const cpu = process.cpuUsage()
  return {
    type: 'report',
    clients: clients.map((c) => ({ ...c, errors: c.errors.slice(0, 3), errorCount: c.errors.length })),
    samples: { parsing: parsingSamples, all: allSamples },
    unresolvedEvents,
    cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
    rssBytes: process.memoryUsage().rss,
  }
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    start(message).catch((error: unknown) => send({ type: 'error', message: String(error) }))
  } else if (message.type === 'count') {
    send(counts())
  } else if (message.type === 'cpu') {
    const cpu = process.cpuUsage()
    send({ type: 'cpu', ms: (cpu.user + cpu.system) / 1000 })
  } else if (message.type === 'report') {
    send(report())
  } else if (message.type === 'close') {
    closing = true
    for (const req of requests) req.destroy()
    agent.destroy()
    process.disconnect?.()
    setTimeout(() => process.exit(0), 100).unref()
  }
})
process.on('disconnect', () => process.exit(0))
