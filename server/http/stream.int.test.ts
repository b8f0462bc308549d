import fs from 'node:fs'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { PriceRecord } from '@carbon/schemas'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createCarbonClient, isCarbonError } from '../../packages/sdk/src/index.ts'
import { TOPICS } from '../adapters/bus/index.ts'
import { migratePostgres } from '../adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../adapters/postgres/testing.ts'
import { parseEnv } from '../env.ts'
import { openPlatform, seedReferenceData, setPlatform, type Platform } from '../platform.ts'
import { DEMO_USERS } from '../services/auth/demo-identities.ts'
import { createApiToken } from '../services/auth/tokens.ts'
import { setPriceFanout, startPriceFanout, type PriceFanout } from '../services/stream/index.ts'
import type { LiveEvent } from '../services/stream/schemas.ts'
import { createContext } from '../trpc/context.ts'
import { appRouter } from '../trpc/root.ts'
import { PRICE_STREAM_PATH, PRICE_STREAM_PROCEDURE, priceStreamHandler, type RestErrorBody } from './stream.ts'
import { fetchRequest, headerOf, negotiateEncoding } from './sse.ts'
import { TRPC_LIVE_PATH, trpcLiveHandler } from './trpc-live.ts'
import { priceRecordFactory } from '../../tests/support/price-records.ts'
import { readSse, StreamReader, type SseMessage } from '../../tests/support/stream-server.ts'
import { provisionDemoUser } from '../../tests/support/demo-users.ts'

/*
 * The REST price stream and the SDK's live subscription over real HTTP: a node server with the
 * stream handler (as server.ts mounts it) and the tRPC endpoint (as app/routes/api.trpc.$.ts
 * serves it), a real platform (scratch PostgreSQL, embedded chDB, the in-process bus) and the
 * fan-out. Prices are published to the bus as the ingest does.
 */
const log = pino({ level: 'silent' })
const RATE_LIMIT = 40
/** Small enough that a client that stops reading is coalesced after a few megabytes. */
const LIMITS = { maxQueued: 2_500, maxEventPrices: 1_000 }

let platform: Platform
let fanout: PriceFanout
let database: Awaited<ReturnType<typeof createScratchServerDatabase>>
let dataDir: string
let server: http.Server
let baseUrl: string
const tokens: Record<'quant' | 'none' | 'burst', string> = { quant: '', none: '', burst: '' }
/** Every tRPC request the server got: its URL and Last-Event-ID header (the SDK's reconnects). */
const trpcRequests: { url: string; lastEventId: string | null; acceptEncoding: string | null; handledBy: 'live' | 'trpc' }[] = []

/** /api/trpc as the Remix route serves it (GET: queries and subscriptions). */
async function serveTrpc(req: IncomingMessage, res: ServerResponse) {
  const controller = new AbortController()
  res.once('close', () => controller.abort())
  const { headers } = fetchRequest(req)
  // `lostSignal=1` stands for undici losing the Request's abort after garbage collection
  // (nodejs/undici#3644): only the connection-closed signal, as app/routes/api.trpc.$.ts passes it, remains.
  const lostSignal = req.url!.includes('lostSignal=1')
  const request = new Request(new URL(req.url!, baseUrl), { headers, signal: lostSignal ? undefined : controller.signal })
  const response = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: request,
    router: appRouter,
    createContext: () =>
      createContext(request, { endpoint: 'trpc', clientAddress: req.socket.remoteAddress ?? null, connectionClosed: controller.signal }),
  })
  res.writeHead(response.status, Object.fromEntries(response.headers))
  const reader = response.body?.getReader()
  for (let chunk = await reader?.read(); reader && chunk && !chunk.done; chunk = await reader.read()) {
    if (res.destroyed) break
    if (!res.write(chunk.value)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve))
  }
  await reader?.cancel()
  res.end()
}

beforeAll(async () => {
  database = await createScratchServerDatabase(inject('postgresUrl'))
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-stream-http-'))
  const env = parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url, RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) })
  platform = await openPlatform(env, log)
  await migratePostgres(platform.pg)
  await seedReferenceData(platform.pg, env)
  setPlatform(platform)
  for (const [who, username] of [
    ['quant', 'quant'],
    ['none', 'none'],
    ['burst', 'quant'],
  ] as const) {
    const user = DEMO_USERS.find((u) => u.username === username)!
    const { userId } = await provisionDemoUser(platform.pg.db, user)
    tokens[who] = (await createApiToken(platform.pg.db, { userId, name: `stream-${who}`, scopes: ['read:prices'], expiresInDays: 1 })).token
  }
  fanout = await startPriceFanout({ bus: platform.bus, log })
  setPriceFanout(fanout)
  const stream = priceStreamHandler({ log, limits: LIMITS, keepAliveMs: 1_000 })
  const live = trpcLiveHandler({ log, keepAliveMs: 1_000 })
  server = http.createServer((req, res) => {
    if (req.url?.startsWith(PRICE_STREAM_PATH)) return stream(req, res)
    if (req.url?.startsWith('/api/trpc/')) {
      trpcRequests.push({ url: req.url, lastEventId: headerOf(req, 'last-event-id') ?? null, acceptEncoding: headerOf(req, 'accept-encoding') ?? null, handledBy: 'trpc' })
      const toTrpc = () => {
        serveTrpc(req, res).catch((error: unknown) => {
          log.error({ err: error }, 'trpc bridge failed')
          res.destroy()
        })
      }
      // As server.ts mounts them: the live handler first, tRPC's own for what it hands on.
      // `lostSignal=1` (the fetch adapter's leak test) goes to tRPC's handler directly.
      if (new URL(req.url, baseUrl).pathname !== TRPC_LIVE_PATH || req.url.includes('lostSignal=1')) return toTrpc()
      trpcRequests.at(-1)!.handledBy = 'live'
      return live(req, res, () => {
        trpcRequests.at(-1)!.handledBy = 'trpc'
        toTrpc()
      })
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  await fanout?.stop()
  setPriceFanout(undefined)
  await platform?.close()
  await database?.drop()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

const records = priceRecordFactory('test.stream-http')

async function publish(list: PriceRecord[]) {
  await platform.bus.publish(
    TOPICS.pricesNormalized,
    list.map((r) => ({ key: `${r.market}:${r.node}`, value: JSON.stringify(r), headers: { 'ingest-time': new Date().toISOString() } })),
  )
}

const nodesOf = (prefix: string, nodes = 3) => Array.from({ length: nodes }, (_, i) => `${prefix}.N${i}`).join(',')

/** Waits for `condition`, failing with `what` if it does not hold within the guard time (not a timing assertion). */
async function until(condition: () => boolean, what: string, guardMs = 30_000) {
  const deadline = Date.now() + guardMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

type Credentials = { token?: string; headers?: Record<string, string> }
let requestCount = 0

async function get(query: string, c: Credentials = {}) {
  const controller = new AbortController()
  const requestId = `stream-${++requestCount}-${Date.now().toString(36)}`
  const res = await fetch(`${baseUrl}${PRICE_STREAM_PATH}?${query}`, {
    signal: controller.signal,
    headers: { 'x-request-id': requestId, ...(c.token ? { authorization: `Bearer ${c.token}` } : {}), ...c.headers },
  })
  return { res, requestId, close: () => controller.abort() }
}

async function refusal(query: string, c: Credentials = {}) {
  const { res, requestId } = await get(query, c)
  expect(res.headers.get('content-type')).toMatch(/^application\/json/)
  return { status: res.status, body: (await res.json()) as RestErrorBody, requestId, retryAfter: res.headers.get('retry-after') }
}

async function auditRow(requestId: string) {
  const rows = await platform.pg.db.execute(
    sql`select outcome, status, procedure, market, channel from audit_events where request_id = ${requestId}`,
  )
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as Record<string, unknown>[]
  expect(list, `audit rows of ${requestId}`).toHaveLength(1)
  return list[0]
}

async function auditCount(requestId: string): Promise<number> {
  const rows = await platform.pg.db.execute(sql`select count(*)::int as n from audit_events where request_id = ${requestId}`)
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { n: number }[]
  return Number(list[0]?.n ?? 0)
}

/** Waits until the fan-out has exactly `open` listeners (closed streams detach once the server sees the close). */
const settled = (open: number) => until(() => fanout.listeners === open, `${open} fan-out listeners`)

/** Opens an entitled stream (`open` others being open) and waits until its subscription listens to the fan-out. */
async function openStream(query: string, c: Credentials = { token: tokens.quant }, open = 0) {
  await settled(open)
  const before = fanout.listeners
  const opened = await get(query, c)
  expect(opened.res.status).toBe(200)
  const reader = new StreamReader(opened.res.body as unknown as AsyncIterable<Uint8Array>)
  await until(() => fanout.listeners > before, 'the subscription to attach')
  return { ...opened, reader }
}

const lmps = (list: readonly { lmp: number }[]) => list.map((p) => p.lmp)

/**
 * Prices a reader has received, parsing only the messages that arrived since the last call: the
 * server runs in this process, so a poll that parsed every event again (reader.prices) would hold
 * up the streams it waits for more and more as megabytes arrive.
 */
const priceCounts = new WeakMap<StreamReader, { messages: number; prices: number }>()
function pricesReceived(reader: StreamReader): number {
  const seen = priceCounts.get(reader) ?? { messages: 0, prices: 0 }
  for (const message of reader.messages.slice(seen.messages)) {
    if (message.data !== undefined && /^\{"type":"prices"/.test(message.data)) seen.prices += (JSON.parse(message.data) as LiveEvent).prices.length
  }
  seen.messages = reader.messages.length
  priceCounts.set(reader, seen)
  return seen.prices
}
/** The offset of partition 0 in an event id (the in-process bus has one partition). */
const offsetOf = (id: string) => Number(/^0:(\d+)$/.exec(id)?.[1] ?? NaN)

describe('GET /api/v1/stream/prices: access', () => {
  it('refuses before streaming, with the REST error body, and audits each refusal', async () => {
    const anonymous = await refusal('market=MISO')
    expect(anonymous.status).toBe(401)
    expect(anonymous.body).toMatchObject({ code: 'UNAUTHORIZED', data: { httpStatus: 401, path: 'stream.prices', appCode: 'UNAUTHORIZED' } })

    // A hub session cookie is no REST credential.
    const cookie = await refusal('market=MISO', { headers: { cookie: 'carbon_session=anything' } })
    expect(cookie.status).toBe(401)

    const unentitled = await refusal('market=MISO', { token: tokens.none })
    expect(unentitled.status).toBe(403)
    expect(unentitled.body.code).toBe('FORBIDDEN')
    expect(unentitled.body.message).toBe('Your organization is not entitled to MISO through the API')

    const caiso = await refusal('market=CAISO', { token: tokens.quant })
    expect(caiso.status).toBe(403)
    expect(caiso.body.message).toBe('CAISO data is not available through the API')

    for (const [who, call, status] of [
      ['anonymous', anonymous, 401],
      ['cookie', cookie, 401],
      ['unentitled', unentitled, 403],
      ['caiso', caiso, 403],
    ] as const) {
      const row = await auditRow(call.requestId)
      expect(row, who).toMatchObject({ outcome: 'denied', status, procedure: PRICE_STREAM_PROCEDURE, channel: 'api' })
    }
    expect(await auditRow(unentitled.requestId)).toMatchObject({ market: 'MISO' })
  })

  it('answers 400 naming the bad parameter (query or Last-Event-ID header)', async () => {
    const market = await refusal('market=ENTSOE', { token: tokens.quant })
    expect(market.status).toBe(400)
    expect(market.body.code).toBe('BAD_REQUEST')
    expect(market.body.message).toMatch(/^Input validation failed: market: .*\(got "ENTSOE"\)$/)
    expect(market.body.issues?.[0]?.path).toEqual(['market'])
    expect(market.body.data.zodError?.fieldErrors).toHaveProperty('market')

    const runs = await refusal('market=MISO&runs=RT5,XX', { token: tokens.quant })
    expect(runs.status).toBe(400)
    expect(runs.body.message).toMatch(/runs: comma-separated market runs/)

    const cursor = await refusal('market=MISO', { token: tokens.quant, headers: { 'last-event-id': 'yesterday' } })
    expect(cursor.status).toBe(400)
    expect(cursor.body.message).toMatch(/^Last-Event-ID: "yesterday" is not partition:offset/)
    expect(await auditRow(cursor.requestId)).toMatchObject({ outcome: 'denied', status: 400 })
  })

  it('answers 405 to other methods', async () => {
    const res = await fetch(`${baseUrl}${PRICE_STREAM_PATH}?market=MISO`, { method: 'POST', headers: { authorization: `Bearer ${tokens.quant}` } })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET')
    expect(((await res.json()) as RestErrorBody).code).toBe('METHOD_NOT_SUPPORTED')
  })

  it('answers 429 with Retry-After past the per-token rate limit, shared with the other REST paths', async () => {
    let limited: Awaited<ReturnType<typeof refusal>> | null = null
    // Invalid input costs a token too (the limit is taken before the input is read), and opens no stream.
    for (let i = 0; i <= 3 * RATE_LIMIT && !limited; i++) {
      const answer = await refusal('market=ENTSOE', { token: tokens.burst })
      if (answer.status === 429) limited = answer
      else expect(answer.status).toBe(400)
    }
    expect(limited?.body).toMatchObject({ code: 'TOO_MANY_REQUESTS', data: { httpStatus: 429 } })
    expect(Number(limited?.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(await auditRow(limited!.requestId)).toMatchObject({ outcome: 'denied', status: 429 })
    // One bucket per token: its other calls are refused too.
    const other = await createCarbonClient({ baseUrl, token: tokens.burst }).markets.list.query().catch((error: unknown) => error)
    expect(isCarbonError(other) && other.data?.httpStatus).toBe(429)
  })
})

describe('GET /api/v1/stream/prices: events', () => {
  it('streams published prices of the filter as SSE events with ids, and keep-alive comments', async () => {
    const stream = await openStream(`market=MISO&runs=RT5&nodes=${nodesOf('LIVE')}`)
    expect(stream.res.headers.get('content-type')).toBe('text/event-stream')
    expect(stream.res.headers.get('cache-control')).toBe('no-cache, no-transform')
    expect(stream.res.headers.get('x-accel-buffering')).toBe('no')
    // undici's fetch asks for deflate and decodes it (the events below are read from its decoded body).
    expect(stream.res.headers.get('content-encoding')).toBe('deflate')
    expect(stream.res.headers.get('vary')).toBe('Accept-Encoding')
    expect(await auditRow(stream.requestId)).toMatchObject({ outcome: 'allowed', status: 200, procedure: PRICE_STREAM_PROCEDURE, market: 'MISO' })

    const first = records('LIVE', 6)
    await publish([...first.slice(0, 3), ...records('ELSEWHERE', 4), ...first.slice(3)])
    await until(() => stream.reader.prices.length >= 6, '6 prices')
    const second = records('LIVE', 3)
    await publish(second)
    await until(() => stream.reader.prices.length >= 9, '9 prices')
    await until(() => stream.reader.messages.some((m) => m.comment === 'keep-alive'), 'a keep-alive comment')
    stream.close()

    expect(stream.reader.messages[0]).toEqual({ retry: 2000 })
    const events = stream.reader.events
    expect(lmps(stream.reader.prices)).toEqual(lmps([...first, ...second]))
    for (const event of events) {
      expect(event.event).toBe('prices')
      expect(event.data).toMatchObject({ type: 'prices', skipped: 0, reason: null })
      expect(event.id).toMatch(/^0:\d+$/)
    }
    const offsets = events.map((e) => offsetOf(e.id))
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
    expect(new Set(offsets).size).toBe(offsets.length)
    expect(stream.reader.prices[0]).toMatchObject({ market: 'MISO', node: 'LIVE.N0', run: 'RT5', source: 'test.stream-http', partition: 0 })
  })

  it('after a reconnect with Last-Event-ID, sends exactly the N prices missed, in order (the header wins over the query)', async () => {
    const query = `market=MISO&runs=RT5&nodes=${nodesOf('RESUME')}`
    const first = await openStream(query)
    const seen = records('RESUME', 12)
    await publish(seen.slice(0, 6))
    await until(() => first.reader.prices.length >= 6, '6 prices')
    const earlierId = first.reader.events.at(-1)!.id
    await publish(seen.slice(6))
    await until(() => first.reader.prices.length >= 12, '12 prices')
    const lastId = first.reader.events.at(-1)!.id
    expect(earlierId).not.toBe(lastId)
    first.close()
    await until(() => first.reader.ended, 'the first connection to close')

    const missed = records('RESUME', 25)
    await publish([...missed.slice(0, 10), ...records('OTHER', 5), ...missed.slice(10)])
    // An older id in the query: the header is what EventSource sends on reconnect, and it wins.
    const resumed = await openStream(`${query}&lastEventId=${encodeURIComponent(earlierId)}`, {
      token: tokens.quant,
      headers: { 'last-event-id': lastId },
    })
    await until(() => resumed.reader.prices.length >= 25, 'the 25 missed prices')
    const after = records('RESUME', 2)
    await publish(after)
    await until(() => resumed.reader.prices.length >= 27, 'the prices after')
    resumed.close()
    expect(lmps(resumed.reader.prices)).toEqual(lmps([...missed, ...after]))

    // The lastEventId query parameter resumes the same way when no header is sent.
    const byQuery = await openStream(`${query}&lastEventId=${encodeURIComponent(lastId)}`)
    await until(() => byQuery.reader.prices.length >= 27, 'the 27 prices since lastId')
    byQuery.close()
    expect(lmps(byQuery.reader.prices)).toEqual(lmps([...missed, ...after]))
  })

  it('a client that stops reading does not hold up a fast one: the fast one gets every price in order, the slow one a skipped event', async () => {
    const query = `market=MISO&runs=RT5&nodes=${nodesOf('SLOW', 4)}`
    const fast = await openStream(query)
    // The slow client: a request whose response is never read, so its socket fills and stays full.
    const before = fanout.listeners
    const slow = await new Promise<IncomingMessage>((resolve, reject) => {
      http
        .get(`${baseUrl}${PRICE_STREAM_PATH}?${query}`, { headers: { authorization: `Bearer ${tokens.quant}` } }, resolve)
        .once('error', reject)
    })
    expect(slow.statusCode).toBe(200)
    // It asked for no content coding: the bytes as they are (read as plain text below).
    expect(slow.headers['content-encoding']).toBeUndefined()
    await until(() => fanout.listeners > before, 'the slow subscription to attach')

    // 40,000 prices (~16 MB of events): far more than the slow socket's buffers hold.
    const sent: PriceRecord[] = []
    for (let round = 0; round < 40; round++) {
      const batch = records('SLOW', 1_000, 4)
      sent.push(...batch)
      await publish(batch)
      await until(() => pricesReceived(fast.reader) >= sent.length, `round ${round} at the fast client`)
    }
    fast.close()
    expect(lmps(fast.reader.prices)).toEqual(lmps(sent))
    expect(fast.reader.events.every((e) => e.data.type === 'prices')).toBe(true)

    // Now the slow client reads: the events its socket held, in order, then one skipped event.
    const slowReader = new StreamReader(slow)
    await until(() => slowReader.events.some((e) => e.data.type === 'skipped'), 'the skipped event')
    const events = slowReader.events
    const skippedAt = events.findIndex((e) => e.data.type === 'skipped')
    const delivered = events.slice(0, skippedAt).flatMap((e) => e.data.prices)
    expect(events.slice(0, skippedAt).every((e) => e.event === 'prices')).toBe(true)
    expect(lmps(delivered)).toEqual(lmps(sent.slice(0, delivered.length)))
    const notice = events[skippedAt]!
    expect(notice.event).toBe('skipped')
    expect(lmps(notice.data.prices)).toEqual(lmps(sent.slice(-4)))
    expect(notice.data.skipped).toBe(sent.length - delivered.length - 4)
    expect(notice.data.skipped).toBeGreaterThan(0)
    // Its id covers everything: a reconnect would not replay what it skipped.
    expect(notice.id).toBe(fast.reader.events.at(-1)!.id)
    slow.destroy()
  })
})

/** Opens `prices.live` as httpSubscriptionLink does (GET, input as JSON) and waits until it listens to the fan-out. */
async function openTrpcLive(input: Record<string, unknown>, headers: Record<string, string> = {}, open = 0) {
  await settled(open)
  const before = fanout.listeners
  const controller = new AbortController()
  const requestId = `live-${++requestCount}-${Date.now().toString(36)}`
  const res = await fetch(`${baseUrl}${TRPC_LIVE_PATH}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    signal: controller.signal,
    headers: { authorization: `Bearer ${tokens.quant}`, 'x-request-id': requestId, ...headers },
  })
  expect(res.status).toBe(200)
  const reader = new StreamReader(res.body as unknown as AsyncIterable<Uint8Array>)
  await until(() => fanout.listeners > before, 'the tRPC subscription to attach')
  // The procedure opens the stream first, then its middleware writes the audit row (before any
  // event is written): wait for the row too.
  for (let tries = 0; (await auditCount(requestId)) === 0; tries++) {
    if (tries > 3_000) throw new Error(`no audit row for ${requestId}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return { res, reader, requestId, close: () => controller.abort() }
}

describe('tRPC prices.live on the live handler (server/http/trpc-live.ts)', () => {
  it('speaks tRPC\'s SSE protocol with the same data bytes as the REST stream, audited as prices.live, and resumes from Last-Event-ID', async () => {
    const nodes = nodesOf('WIRE', 2)
    const rest = await openStream(`market=MISO&runs=RT5&nodes=${nodes}`)
    const live = await openTrpcLive({ market: 'MISO', runs: 'RT5', nodes }, {}, 1)
    expect(live.res.headers.get('content-type')).toBe('text/event-stream')
    expect(trpcRequests.at(-1)!.handledBy).toBe('live')
    expect(await auditRow(live.requestId)).toMatchObject({ outcome: 'allowed', status: 200, procedure: 'prices.live', market: 'MISO', channel: 'api' })

    const sent = records('WIRE', 10, 2)
    await publish(sent)
    await until(() => live.reader.prices.length >= 10 && rest.reader.prices.length >= 10, '10 prices on both')
    expect(live.reader.messages[0]).toEqual({ event: 'connected', data: '{}' })
    expect(lmps(live.reader.prices)).toEqual(lmps(sent))
    const dataOf = (r: StreamReader) => r.messages.filter((m) => m.data !== undefined && m.event !== 'connected').map((m) => [m.id, m.data])
    expect(dataOf(live.reader)).toEqual(dataOf(rest.reader))
    const lastId = live.reader.events.at(-1)!.id
    live.close()
    rest.close()

    const missed = records('WIRE', 6, 2)
    await publish(missed)
    const resumed = await openTrpcLive({ market: 'MISO', runs: 'RT5', nodes }, { 'last-event-id': lastId })
    await until(() => resumed.reader.prices.length >= 6, 'the 6 missed prices')
    resumed.close()
    expect(lmps(resumed.reader.prices)).toEqual(lmps(missed))
  })

  it('refuses as tRPC does (200, connected, serialized-error with the status) and hands other requests on to tRPC\'s handler', async () => {
    const res = await fetch(`${baseUrl}${TRPC_LIVE_PATH}?input=${encodeURIComponent(JSON.stringify({ market: 'MISO' }))}`, {
      headers: { authorization: `Bearer ${tokens.none}` },
    })
    expect(res.status).toBe(200)
    const messages: SseMessage[] = []
    for await (const message of readSse(res.body as unknown as AsyncIterable<Uint8Array>)) {
      messages.push(message)
      if (message.event === 'serialized-error') break
    }
    expect(messages[0]).toEqual({ event: 'connected', data: '{}' })
    expect(JSON.parse(messages[1]!.data!)).toMatchObject({
      message: 'Your organization is not entitled to MISO through the API',
      data: { code: 'FORBIDDEN', httpStatus: 403, path: 'prices.live', appCode: 'FORBIDDEN' },
    })
    const malformed = await fetch(`${baseUrl}${TRPC_LIVE_PATH}?input=%7Bnot-json`, { headers: { authorization: `Bearer ${tokens.quant}` } })
    expect(trpcRequests.at(-1)!.handledBy).toBe('trpc')
    // tRPC's answer to input that is not JSON: its own refusal, BAD_REQUEST.
    expect(await malformed.text()).toMatch(/"code":"BAD_REQUEST"/)
  })

  it('a tRPC client that stops reading does not hold up a fast one: the fast one gets every price in order, the slow one a skipped event', async () => {
    const input = { market: 'MISO', runs: 'RT5', nodes: nodesOf('TSLOW', 4) }
    const fast = await openTrpcLive(input)
    const before = fanout.listeners
    const slow = await new Promise<IncomingMessage>((resolve, reject) => {
      http
        .get(`${baseUrl}${TRPC_LIVE_PATH}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { authorization: `Bearer ${tokens.quant}` } }, resolve)
        .once('error', reject)
    })
    await until(() => fanout.listeners > before, 'the slow subscription to attach')
    // 60,000 prices: past the default queue bound (20,000 waiting) plus what the slow socket holds.
    const sent: PriceRecord[] = []
    for (let round = 0; round < 60; round++) {
      const batch = records('TSLOW', 1_000, 4)
      sent.push(...batch)
      await publish(batch)
      await until(() => pricesReceived(fast.reader) >= sent.length, `round ${round} at the fast client`)
    }
    fast.close()
    expect(lmps(fast.reader.prices)).toEqual(lmps(sent))

    const slowReader = new StreamReader(slow)
    await until(() => slowReader.events.some((e) => e.data.type === 'skipped'), 'the skipped event')
    const events = slowReader.events
    const skippedAt = events.findIndex((e) => e.data.type === 'skipped')
    const delivered = events.slice(0, skippedAt).flatMap((e) => e.data.prices)
    expect(lmps(delivered)).toEqual(lmps(sent.slice(0, delivered.length)))
    expect(lmps(events[skippedAt]!.data.prices)).toEqual(lmps(sent.slice(-4)))
    expect(events[skippedAt]!.data.skipped).toBe(sent.length - delivered.length - 4)
    slow.destroy()
  })
})

describe('tRPC prices.live through tRPC\'s fetch adapter (what the route serves when the live handler hands a request on)', () => {
  it('ends the subscription when its client disconnects, even when the request\'s own signal never aborts', async () => {
    await settled(0)
    const input = encodeURIComponent(JSON.stringify({ market: 'MISO', runs: 'RT5', nodes: nodesOf('GONE', 2) }))
    const request = http.get(`${baseUrl}/api/trpc/prices.live?input=${input}&lostSignal=1`, { headers: { authorization: `Bearer ${tokens.quant}` } })
    const response = await new Promise<IncomingMessage>((resolve, reject) => request.once('response', resolve).once('error', reject))
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/)
    response.resume()
    await until(() => fanout.listeners === 1, 'the subscription to attach')
    await publish(records('GONE', 4, 2))
    request.destroy()
    await settled(0)
  })
})

describe('SDK: carbon.prices.live', () => {
  it('receives a published price through tRPC over SSE with a bearer token, and resumes after a dropped connection', async () => {
    const carbon = createCarbonClient({ baseUrl, token: tokens.quant })
    const received: { id: string; data: LiveEvent }[] = []
    const errors: unknown[] = []
    await settled(0)
    const before = fanout.listeners
    const subscription = carbon.prices.live.subscribe(
      { market: 'MISO', runs: 'RT5', nodes: nodesOf('SDK', 2) },
      { onData: (event) => received.push(event), onError: (error) => errors.push(error) },
    )
    try {
      await until(() => fanout.listeners > before || errors.length > 0, 'the SDK subscription to attach')
      expect(errors).toEqual([])
      const first = records('SDK', 3, 2)
      await publish([...first, ...records('NOT-SDK', 2)])
      await until(() => received.flatMap((e) => e.data.prices).length >= 3, 'the first prices')
      expect(received[0]!.id).toMatch(/^0:\d+$/)
      expect(received[0]!.data.prices[0]).toMatchObject({ market: 'MISO', node: 'SDK.N0', run: 'RT5', lmp: first[0]!.lmp })
      const lastId = received.at(-1)!.id

      // The connection drops; what is published meanwhile arrives once the SDK reconnects with its last id.
      const requestsBefore = trpcRequests.length
      server.closeAllConnections()
      const meanwhile = records('SDK', 5, 2)
      await publish(meanwhile)
      await until(() => received.flatMap((e) => e.data.prices).length >= 8, 'the prices published while disconnected')
      expect(lmps(received.flatMap((e) => e.data.prices))).toEqual(lmps([...first, ...meanwhile]))
      const reconnects = trpcRequests.slice(requestsBefore).filter((r) => r.url.startsWith('/api/trpc/prices.live'))
      const resumedFrom = reconnects.map((r) => r.lastEventId ?? new URL(r.url, baseUrl).searchParams.get('input'))
      expect(resumedFrom.some((from) => from?.includes(lastId))).toBe(true)
      // The SDK's EventSource (undici's fetch) asked for deflate on every connection: it read compressed streams.
      const sdkLive = trpcRequests.filter((r) => r.url.startsWith('/api/trpc/prices.live') && r.handledBy === 'live' && r.url.includes('SDK.N0'))
      expect(sdkLive.length).toBeGreaterThanOrEqual(2)
      expect(sdkLive.every((r) => negotiateEncoding(r.acceptEncoding ?? undefined) === 'deflate')).toBe(true)
      expect(errors).toEqual([])
    } finally {
      subscription.unsubscribe()
    }
  })

  it('raises the refusal of an unentitled token as a typed error', async () => {
    const carbon = createCarbonClient({ baseUrl, token: tokens.none })
    const error = await new Promise<unknown>((resolve) => {
      const subscription = carbon.prices.live.subscribe(
        { market: 'MISO', runs: 'RT5' },
        {
          onData: () => resolve(new Error('data for an unentitled token')),
          onError: (e) => {
            subscription.unsubscribe()
            resolve(e)
          },
        },
      )
    })
    expect(isCarbonError(error)).toBe(true)
    if (!isCarbonError(error)) return
    expect(error.data?.httpStatus).toBe(403)
    expect(error.message).toBe('Your organization is not entitled to MISO through the API')
  })
})

describe('one batch, serialized once per filter and framing, to many clients', () => {
  it('reaches clients with different filters on both transports, each its share; the SDK (tRPC client) reads the shared bytes', async () => {
    const mine = nodesOf('ONCEA', 2)
    const theirs = nodesOf('ONCEB', 3)
    const restA1 = await openStream(`market=MISO&runs=RT5&nodes=${mine}`)
    const restA2 = await openStream(`market=MISO&runs=RT5&nodes=${mine}`, { token: tokens.quant }, 1)
    const restB = await openStream(`market=MISO&runs=RT5&nodes=${theirs}`, { token: tokens.quant }, 2)
    const trpcB = await openTrpcLive({ market: 'MISO', runs: 'RT5', nodes: theirs }, {}, 3)
    const carbon = createCarbonClient({ baseUrl, token: tokens.quant })
    const received: { id: string; data: LiveEvent }[] = []
    const errors: unknown[] = []
    const before = fanout.listeners
    const sdk = carbon.prices.live.subscribe(
      { market: 'MISO', runs: 'RT5', nodes: mine },
      { onData: (event) => received.push(event), onError: (error) => errors.push(error) },
    )
    try {
      await until(() => fanout.listeners > before || errors.length > 0, 'the SDK subscription to attach')
      expect(errors).toEqual([])
      const a = records('ONCEA', 6, 2)
      const b = records('ONCEB', 9, 3)
      // One bus batch holding both filters' prices, interleaved, and prices nobody follows.
      await publish([...a.slice(0, 3), ...b.slice(0, 5), ...records('ONCEC', 4), ...a.slice(3), ...b.slice(5)])
      await until(() => received.flatMap((e) => e.data.prices).length >= 6, "the SDK's 6 prices")
      await until(() => restA1.reader.prices.length >= 6 && restA2.reader.prices.length >= 6, '6 prices on both REST clients of one filter')
      await until(() => restB.reader.prices.length >= 9 && trpcB.reader.prices.length >= 9, '9 prices on the other filter, both transports')

      expect(lmps(received.flatMap((e) => e.data.prices))).toEqual(lmps(a))
      expect(lmps(restA1.reader.prices)).toEqual(lmps(a))
      expect(lmps(restB.reader.prices)).toEqual(lmps(b))
      expect(lmps(trpcB.reader.prices)).toEqual(lmps(b))
      // Clients of one filter are sent the same bytes: same ids, same data lines, on both transports.
      const wire = (r: StreamReader) => r.messages.filter((m) => m.data !== undefined && m.event !== 'connected').map((m) => [m.id, m.data])
      expect(wire(restA2.reader)).toEqual(wire(restA1.reader))
      expect(wire(trpcB.reader)).toEqual(wire(restB.reader))
      // The SDK parsed what the REST clients of its filter read: the same event ids and records.
      expect(received.map((e) => e.id)).toEqual(restA1.reader.events.map((e) => e.id))
      expect(received.map((e) => e.data)).toEqual(restA1.reader.events.map((e) => e.data))
      // Each filter's event id covers the whole batch (what the filter passed over too): the same id.
      expect(restB.reader.events.at(-1)!.id).toBe(restA1.reader.events.at(-1)!.id)
      expect(errors).toEqual([])
    } finally {
      sdk.unsubscribe()
      for (const s of [restA1, restA2, restB, trpcB]) s.close()
    }
  })
})
