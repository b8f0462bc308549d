/**
 * The SSE clients of `npm run bench:stream`, in a process of their own (spawned by
 * scripts/bench-stream.ts with an IPC channel), so their work is not counted as the server's.
 *
 * Opens N concurrent connections to one live price stream URL with `Authorization: Bearer
 * <token>` (the token arrives over IPC, never on the command line), and parses the Server-Sent
 * Events itself on node:http: events end at a blank line, lines `event:`, `id:`, `data:`,
 * `retry:`. Both transports: tRPC's prices.live (unnamed data events after `event: connected`)
 * and the REST endpoint /api/v1/stream/prices (`retry:` first, events named prices|skipped|reset). For each
 * data event it records, per price, the receipt time (when the event's last byte arrived) minus
 * the price's `ingestedAt`, and counts the prices each client received. The data is read as bytes
 * with a scan rather than decoded and JSON.parsed: per price, its `"ingestedAt":` and `"offset":`
 * fields (in that order in every price the server sends); a thousand clients decoding and parsing
 * every price would make this process, not the server, the bottleneck of the measurement.
 *
 * Messages from the parent: start {url, token, clients, wave}, count, report, close.
 * Messages to the parent: connected {connected, failed}, count {...}, report {...}, error.
 */
import http from 'node:http'

type Start = { type: 'start'; url: string; token: string; clients: number; wave: number }
type ParentMessage = Start | { type: 'count' } | { type: 'report' } | { type: 'close' }

type ClientStats = {
  connected: boolean
  /** HTTP status of the answer (0: no answer). */
  status: number
  events: number
  prices: number
  /** Prices that arrived with an offset not above the last one (a duplicate or out of order). */
  outOfOrder: number
  lastOffset: number
  skippedEvents: number
  /** Updates the server dropped for this client (the `skipped` count of its skipped events). */
  skippedPrices: number
  resets: number
  errors: string[]
  ended: boolean
}

/** Latency samples, flat: [ingestedMs, receiptMs, prices] per run of prices with the same ingestedAt in one event. */
const samples: number[] = []
const clients: ClientStats[] = []
const requests: http.ClientRequest[] = []
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity })

function send(message: unknown) {
  process.send?.(message)
}

const INGESTED = Buffer.from('"ingestedAt":')
const OFFSET = Buffer.from('"offset":')
const SKIPPED = Buffer.from('"skipped":')
const PRICES = Buffer.from('"prices":[')
const QUOTE = 34
const LF = 10

/** Reads one data event's prices (the bytes of its `data:` value): counts, offsets and latency runs, without decoding it to a string. */
function readPrices(stats: ClientStats, data: Buffer, receiptMs: number): void {
  let i = data.indexOf(PRICES)
  if (i < 0) {
    stats.errors.push(`event without prices: ${data.subarray(0, 80).toString('latin1')}`)
    return
  }
  let runIngested = ''
  let runMs = NaN
  let runCount = 0
  const flush = () => {
    if (runCount > 0 && Number.isFinite(runMs)) samples.push(runMs, receiptMs, runCount)
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
    stats.prices++
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
}

/** Data events: tRPC sends them unnamed (`message`), the REST endpoint names them by type. */
const DATA_EVENTS = new Set(['message', 'prices', 'skipped', 'reset'])

/** One event block (the bytes between blank lines): its `event:`, `retry:` and `data:` lines. */
function onEvent(stats: ClientStats, block: Buffer, receiptMs: number): void {
  let event = 'message'
  let data: Buffer | null = null
  let retry = false
  for (let start = 0; start < block.length; ) {
    let end = block.indexOf(LF, start)
    if (end < 0) end = block.length
    // Only the field name is decoded; the data line stays bytes.
    const head = block.toString('latin1', start, Math.min(end, start + 6))
    if (head.startsWith('data:')) data = block.subarray(start + (head === 'data: ' ? 6 : 5), end)
    else if (head.startsWith('event:')) event = block.toString('latin1', start + 6, end).trim()
    else if (head.startsWith('retry:')) retry = true
    start = end + 1
  }
  // Subscribed: tRPC's `connected` event, or the REST endpoint's first block (`retry:`), sent once admitted.
  if (event === 'connected' || (retry && data === null)) {
    if (!stats.connected) {
      stats.connected = true
      connectedCount++
    }
    return
  }
  if (event === 'serialized-error') {
    stats.errors.push(`serialized-error: ${data?.subarray(0, 300).toString('utf8') ?? ''}`)
    return
  }
  if (!DATA_EVENTS.has(event) || data === null) return
  stats.events++
  const type = /^\{"type":"(\w+)"/.exec(data.toString('latin1', 0, 40))?.[1]
  if (type === 'reset') stats.resets++
  if (type === 'skipped') {
    stats.skippedEvents++
    const k = data.lastIndexOf(SKIPPED)
    if (k >= 0) stats.skippedPrices += Number.parseInt(data.toString('latin1', k + SKIPPED.length, Math.min(data.length, k + SKIPPED.length + 20)), 10) || 0
  }
  readPrices(stats, data, receiptMs)
}

let connectedCount = 0
let failedCount = 0

/** One connection, its SSE parsed chunk by chunk (no rescanning of what was already searched). */
function open(url: URL, token: string, stats: ClientStats): Promise<void> {
  return new Promise((resolve) => {
    let settled = false
    const settle = () => {
      if (!settled) {
        settled = true
        resolve()
      }
    }
    const req = http.request(url, { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
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
      // Bytes, not strings: a thousand clients decoding every event would cost more than the server's work.
      let pending: Buffer[] = []
      let pendingEndsWithLf = false
      const complete = (last: Buffer, receiptMs: number) => {
        pending.push(last)
        const block = pending.length === 1 ? pending[0]! : Buffer.concat(pending)
        pending = []
        if (block.some((byte) => byte !== LF)) onEvent(stats, block, receiptMs)
      }
      res.on('data', (chunk: Buffer) => {
        const receiptMs = Date.now()
        let from = 0
        if (pendingEndsWithLf && chunk[0] === LF) {
          complete(Buffer.alloc(0), receiptMs)
          from = 1
        }
        for (;;) {
          const end = chunk.indexOf('\n\n', from)
          if (end < 0) break
          complete(chunk.subarray(from, end), receiptMs)
          from = end + 2
        }
        const rest = from === 0 ? chunk : chunk.subarray(from)
        if (rest.length > 0) pending.push(rest)
        pendingEndsWithLf = pending.length > 0 && rest.length > 0 && rest[rest.length - 1] === LF
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
      const stats: ClientStats = { connected: false, status: 0, events: 0, prices: 0, outOfOrder: 0, lastOffset: -1, skippedEvents: 0, skippedPrices: 0, resets: 0, errors: [], ended: false }
      clients.push(stats)
      wave.push(open(url, message.token, stats))
    }
    // One wave at a time: the server authenticates, checks and audits each subscription.
    await Promise.all(wave)
  }
  send({ type: 'connected', connected: connectedCount, failed: failedCount })
}

function counts() {
  let min = Infinity
  let total = 0
  for (const c of clients) {
    const got = c.prices + c.skippedPrices
    min = Math.min(min, got)
    total += c.prices
  }
  return { type: 'count', minReceived: clients.length ? min : 0, totalReceived: total, clients: clients.length }
}

function report() {
  const cpu = process.cpuUsage()
  return {
    type: 'report',
    clients: clients.map((c) => ({ ...c, errors: c.errors.slice(0, 3), errorCount: c.errors.length })),
    samples,
    cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 },
    rssBytes: process.memoryUsage().rss,
  }
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') {
    start(message).catch((error: unknown) => send({ type: 'error', message: String(error) }))
  } else if (message.type === 'count') {
    send(counts())
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
