/**
 * `npm run bench:stream`: live price latency, from the publisher's file to SSE clients, on the
 * embedded default (PGlite + chDB in a fresh temporary DATA_DIR, in-process bus, local objects).
 *
 * In THIS process, as `carbon serve` runs them: the platform, the live price fan-out, the prices
 * consumer, the HTTP server (hub, tRPC, REST) and the ingest, fed by the publisher simulator
 * (full-size catalogues: about 2,600 MISO and 4,000 CAISO nodes). In a CHILD process
 * (scripts/bench-stream-clients.ts): N concurrent SSE connections with a personal access token of
 * the demo quant (MISO hub + API), subscribed to {"market":"MISO","runs":"RT5"} through one of two
 * transports (BENCH_MODES, default both, in this order):
 *   rest   GET /api/v1/stream/prices?market=...  (the public REST API's SSE endpoint)
 *   trpc   GET /api/trpc/prices.live?input=...   (the SDK's and the hub's subscription)
 * CAISO has no API channel in the pilot's entitlements, so API clients follow MISO only; the CAISO
 * interval is still ingested and passes through the fan-out (and its filter) with every tick, as
 * it would in production.
 *
 * Per interval ("tick"), the simulated clock moves on 5 minutes and the ingest fetches, at once,
 * MISO RT5 Current (one interval, every node) and CAISO RTM PRC_INTVL_LMP (one interval,
 * ALL_APNODES) through runRequest (fetch, archive, parse, publish); the consumer stores them while
 * the fan-out streams them. The next tick starts once every client has every MISO price of this
 * one (plus a short pause) instead of 5 minutes later. The first tick with the clients connected
 * is the burst; the BENCH_TICKS (default 3) after it are the steady ticks.
 *
 * Runs: 0 clients (the baseline: ingest + store without streaming), then BENCH_CLIENTS (default
 * 100,1000) per transport. Each run gets a fresh platform in a fresh DATA_DIR and one warm-up tick
 * without clients (node catalogue, JIT), so runs start equal and nothing a run leaves behind
 * weighs on the next. Per run:
 *   latency     per price, client receipt (the event's last byte) minus its ingestedAt (the ingest's
 *               bus publish), and minus the fetch start of its tick ("vendor file to screen"):
 *               p50/p95/p99/max in ms, all ticks and burst vs steady;
 *   records     expected per client (MISO records published) vs received; lost = expected -
 *               received - skipped (updates the server dropped for a slow client, counted apart);
 *               leftOpen: subscriptions the server still holds 10 s after every client left;
 *   memory      this process's rss and heapUsed after a GC: before the clients connect, and with
 *               the N clients connected and idle, divided by N (rss is noisy: freed heap is not
 *               always returned to the system);
 *   cpu         this process's CPU time (user + system, all threads: server, ingest, simulator,
 *               consumer, chDB) over the run's ticks, the client process's, and this process's
 *               event loop delay (every SSE write waits behind whatever else runs);
 *   server      the status page's stage percentiles (server/metrics.ts rolling window).
 * If BENCH_PROFILE is not 0, one more tick of the last client count is CPU-profiled per transport
 * (not counted above) and the functions with the most self time are listed.
 *
 * Progress goes to stderr, a table to stdout, and the last stdout line is one JSON object.
 * A benchmark measures; it asserts nothing beyond the sanity of its own setup.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import { Session } from 'node:inspector/promises'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import v8 from 'node:v8'
import vm from 'node:vm'
import { createHttpClient, misoDayStart, simulatorUrls, type ConnectorConfig, type HttpClient } from '@carbon/connectors'
import { createPublisherSimulator, type PublisherSimulator } from '@carbon/simulator'
import { pino } from 'pino'
import { parseEnv } from '../server/env.ts'
import { startHttpServer, type RunningServer } from '../server/http/server.ts'
import { resetStreamLatencyWindows, streamLatencySummary, streamStatus, STREAM_STAGES } from '../server/metrics.ts'
import { openPlatform, setPlatform, type Platform } from '../server/platform.ts'
import { createNodeCatalogue } from '../server/services/ingest/catalogue.ts'
import { DATASETS } from '../server/services/ingest/datasets.ts'
import type { PipelineDeps } from '../server/services/ingest/pipeline.ts'
import { runRequest, type RequestResult } from '../server/services/ingest/request.ts'
import { setPriceFanout, startPriceFanout, type PriceFanout } from '../server/services/stream/index.ts'
import { startPricesConsumer, type PricesConsumer } from '../server/workers/prices-consumer.ts'
import { demoQuantToken } from './support/demo-token.ts'

const root = path.resolve(import.meta.dirname, '..')
const CLIENT_COUNTS = (process.env.BENCH_CLIENTS ?? '100,1000').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0)
/** Steady ticks after the burst, per run. */
const STEADY_TICKS = Math.max(0, Number(process.env.BENCH_TICKS ?? 3))
const PROFILE = process.env.BENCH_PROFILE !== '0'
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const FIVE_MINUTES = 5 * MINUTE
/** Simulated clock: yesterday 12:00 EST (MISO's day), so no tick of the bench crosses a MISO day. */
const SIM_START = misoDayStart(Date.now()) - DAY + 12 * HOUR
/** How long to wait for every client to have every price of a tick before reporting a stall. */
const DELIVERY_TIMEOUT_MS = 180_000
const CONNECT_TIMEOUT_MS = 300_000
const PAUSE_BETWEEN_TICKS_MS = 1_000
const CONNECT_WAVE = 50
const CLOSE_WAIT_MS = 10_000
const IPC_TIMEOUT_MS = 900_000
const SUBSCRIPTION = { market: 'MISO', runs: 'RT5' } as const

/** The two ways a client follows live prices: the same subscription, two transports. */
const MODES = {
  trpc: {
    path: `/api/trpc/prices.live?input=${encodeURIComponent(JSON.stringify(SUBSCRIPTION))}`,
    transport: 'tRPC prices.live: GET /api/trpc/prices.live, SSE through the Remix request handler (JSON per client, web streams)',
  },
  rest: {
    path: `/api/v1/stream/prices?${new URLSearchParams(SUBSCRIPTION).toString()}`,
    transport: 'REST GET /api/v1/stream/prices: node handler before Remix, one JSON per event shared by clients with the same filter, writes on drain',
  },
} as const
type Mode = keyof typeof MODES
const REQUESTED_MODES = (process.env.BENCH_MODES ?? 'rest,trpc').split(',').map((s) => s.trim()).filter((m): m is Mode => m in MODES)
// Warnings go to stderr: stdout is the table and the JSON line.
const log = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination({ dest: 2, sync: true }))

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const progress = (line: string) => process.stderr.write(`${line}\n`)

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

function memory() {
  gc()
  gc()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external }
}

// ---------------------------------------------------------------- percentiles

type Percentiles = { prices: number; p50: number; p95: number; p99: number; max: number } | null

/** Per-price percentiles (nearest rank) of values that each count `weight` prices. */
function percentiles(values: { value: number; weight: number }[]): Percentiles {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a.value - b.value)
  const total = sorted.reduce((sum, v) => sum + v.weight, 0)
  const at = (q: number) => {
    const rank = Math.max(1, Math.ceil(q * total - 1e-9))
    let seen = 0
    for (const v of sorted) {
      seen += v.weight
      if (seen >= rank) return v.value
    }
    return sorted[sorted.length - 1]!.value
  }
  return { prices: total, p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]!.value) }
}

// ---------------------------------------------------------------- the platform in this process

type Stack = {
  platform: Platform
  fanout: PriceFanout
  consumer: PricesConsumer
  server: RunningServer
  simulator: PublisherSimulator
  client: HttpClient
  deps: PipelineDeps
  config: ConnectorConfig
  token: string
  consumed: () => number
}


async function startStack(dataDir: string): Promise<Stack> {
  // The rate limit is lifted: a thousand subscriptions on one token within a minute measure the
  // stream, not the limiter.
  const env = parseEnv({ DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn', HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '100000000' })
  progress(`Opening the embedded platform in ${dataDir} (migrations run)...`)
  const platform = await openPlatform(env, log)
  setPlatform(platform)
  const token = await demoQuantToken(platform, 'bench-stream')
  // As `carbon serve`: the fan-out first, then the consumer, then the web server.
  const fanout = await startPriceFanout({ bus: platform.bus, log })
  setPriceFanout(fanout)
  let consumed = 0
  const consumer = await startPricesConsumer({ bus: platform.bus, ch: platform.ch, log, onBatch: (n) => (consumed += n) })
  progress('Starting the HTTP server (Remix build)...')
  const server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    dev: false,
    log,
    publicUrl: env.publicUrl,
    identityOrigin: new URL(platform.auth.issuer).origin,
  })
  progress('Starting the publisher simulator (full-size catalogues)...')
  const simulator = await createPublisherSimulator({ fixturesDir: null })
  simulator.setNow(new Date(SIM_START))
  const config: ConnectorConfig = { urls: simulatorUrls(simulator.url), caisoNodes: 'ALL' }
  const client = createHttpClient({ userAgent: 'carbon-bench-stream', maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 }, minSpacingMs: { 'caiso.oasis': 0, 'miso.dx': 0 } })
  const deps: PipelineDeps = { db: platform.pg.db, bus: platform.bus, objects: platform.objects, catalogue: createNodeCatalogue(platform.pg.db), log, unknownNodes: 'admit' }
  return { platform, fanout, consumer, server, simulator, client, deps, config, token, consumed: () => consumed }
}

async function stopStack(stack: Partial<Stack>) {
  await stack.server?.close()
  await stack.consumer?.stop()
  await stack.fanout?.stop()
  setPriceFanout(undefined)
  await stack.simulator?.close()
  await stack.platform?.close()
}

const baseUrl = (stack: Stack) => stack.server.url.replace('localhost', '127.0.0.1')

/** Whether a transport answers here (the REST endpoint may not be mounted in this build): its status to one request. */
function probe(url: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      resolve(res.statusCode ?? 0)
      res.destroy()
    })
    req.on('error', () => resolve(0))
  })
}

// ---------------------------------------------------------------- ticks

let tickIndex = 0

type TickResult = {
  tick: number
  kind: 'warm-up' | 'burst' | 'steady' | 'profiled'
  interval: string
  fetchStartMs: number
  misoRecords: number
  caisoRecords: number
  /** Fetch start to both runRequests done (fetch, archive, parse, publish, run rows). */
  ingestMs: number
  /** Fetch start until every client had every MISO price of the tick (null: no clients, or it stalled). */
  deliveredToAllMs: number | null
  /** Fetch start until the consumer had handled every record published. */
  storedMs: number
}

function requestFor(dataset: string, config: ConnectorConfig, window: { start: number; end: number }, now: number) {
  const planned = DATASETS[dataset]!.plan(window, config, now)
  if (planned.length !== 1) throw new Error(`${dataset}: expected one request for the interval, the plan has ${planned.length}`)
  return planned[0]!
}

function checkIngest(what: string, result: RequestResult) {
  if (result.status !== 'ok') throw new Error(`${what}: ingest ${result.status}: ${result.error ?? ''}`)
}

/** One interval: clock forward, MISO Current + CAISO RTM fetched at once, then wait for the consumer and the clients. */
async function tick(stack: Stack, kind: TickResult['kind'], clients: ClientsProcess | null, expectedBefore: number): Promise<TickResult> {
  tickIndex++
  const now = SIM_START + tickIndex * FIVE_MINUTES
  stack.simulator.setNow(new Date(now))
  const interval = { start: now - FIVE_MINUTES, end: now }
  const miso = requestFor('miso.api.rt5_expost', stack.config, interval, now)
  const caiso = requestFor('caiso.oasis.prc_intvl_lmp', stack.config, interval, now)
  const consumedBefore = stack.consumed()
  const fetchStartMs = Date.now()
  const [misoResult, caisoResult] = await Promise.all([
    runRequest(stack.deps, stack.client, DATASETS['miso.api.rt5_expost']!, miso, 'schedule'),
    runRequest(stack.deps, stack.client, DATASETS['caiso.oasis.prc_intvl_lmp']!, caiso, 'schedule'),
  ])
  const ingestMs = Date.now() - fetchStartMs
  checkIngest(miso.file, misoResult)
  checkIngest(caiso.file, caisoResult)
  const published = misoResult.records + caisoResult.records
  let deliveredToAllMs: number | null = null
  let storedMs = NaN
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS
  const expected = expectedBefore + misoResult.records
  for (;;) {
    if (Number.isNaN(storedMs) && stack.consumed() >= consumedBefore + published) storedMs = Date.now() - fetchStartMs
    if (clients && deliveredToAllMs === null && (await clients.count()).minReceived >= expected) deliveredToAllMs = Date.now() - fetchStartMs
    if (!Number.isNaN(storedMs) && (deliveredToAllMs !== null || !clients)) break
    if (Date.now() > deadline) {
      progress(`  tick ${tickIndex}: not every client had every price after ${DELIVERY_TIMEOUT_MS / 1000} s; going on`)
      break
    }
    await sleep(clients ? 20 : 10)
  }
  const result: TickResult = {
    tick: tickIndex,
    kind,
    interval: new Date(interval.start).toISOString(),
    fetchStartMs,
    misoRecords: misoResult.records,
    caisoRecords: caisoResult.records,
    ingestMs,
    deliveredToAllMs,
    storedMs: Number.isNaN(storedMs) ? -1 : storedMs,
  }
  progress(
    `  tick ${tickIndex} (${kind}): ${misoResult.records} MISO + ${caisoResult.records} CAISO records; ingest ${ingestMs} ms, stored ${result.storedMs} ms, every client had every price ${deliveredToAllMs ?? '—'} ms after the fetch start`,
  )
  await sleep(PAUSE_BETWEEN_TICKS_MS)
  return result
}

// ---------------------------------------------------------------- the client process

type ClientReport = {
  clients: {
    connected: boolean
    status: number
    events: number
    prices: number
    outOfOrder: number
    skippedEvents: number
    skippedPrices: number
    resets: number
    errors: string[]
    errorCount: number
    ended: boolean
  }[]
  samples: number[]
  cpuMs: { user: number; system: number }
  rssBytes: number
}

type ClientsProcess = {
  child: ChildProcess
  count(): Promise<{ minReceived: number; totalReceived: number }>
  report(): Promise<ClientReport>
  close(): Promise<void>
}

function request<T>(child: ChildProcess, message: { type: string }, reply: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage)
      reject(new Error(`client process: no ${reply} within ${timeoutMs} ms`))
    }, timeoutMs)
    const onMessage = (m: { type: string }) => {
      if (m.type !== reply) return
      clearTimeout(timer)
      child.off('message', onMessage)
      resolve(m as T)
    }
    child.on('message', onMessage)
    child.send(message)
  })
}

async function startClients(url: string, token: string, n: number, openBefore: number): Promise<{ process: ClientsProcess; connected: number; failed: number; connectMs: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/bench-stream-clients.ts')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  child.on('message', (m: { type: string; message?: string }) => {
    if (m.type === 'error') progress(`client process: ${m.message}`)
  })
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  const started = Date.now()
  // The token goes over IPC, never on a command line or in a URL.
  const connected = await request<{ connected: number; failed: number }>(child, { type: 'start', url, token, clients: n, wave: CONNECT_WAVE } as { type: string }, 'connected', CONNECT_TIMEOUT_MS)
  // Subscribed, not just connected: the subscription opens after the `connected` event.
  const deadline = Date.now() + 60_000
  while (streamStatus().subscribers < openBefore + connected.connected && Date.now() < deadline) await sleep(50)
  const clientsProcess: ClientsProcess = {
    child,
    // Generous timeouts: this process's event loop may be held up for minutes (the timer would
    // fire before the answer waiting behind it is read), and a stall is caught by the tick's deadline.
    count: () => request(child, { type: 'count' }, 'count', IPC_TIMEOUT_MS),
    report: () => request(child, { type: 'report' }, 'report', IPC_TIMEOUT_MS),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.send({ type: 'close' })
        setTimeout(() => child.kill('SIGTERM'), 10_000).unref()
      }),
  }
  return { process: clientsProcess, connected: connected.connected, failed: connected.failed, connectMs: Date.now() - started }
}

// ---------------------------------------------------------------- one run

type RunResult = Awaited<ReturnType<typeof measureRun>>

function latencyOf(samples: number[], ticks: TickResult[]) {
  const starts = ticks.map((t) => t.fetchStartMs).sort((a, b) => a - b)
  const kindAt = new Map(ticks.map((t) => [t.fetchStartMs, t.kind]))
  const all = { publish: [] as { value: number; weight: number }[], fetch: [] as { value: number; weight: number }[] }
  const byKind: Record<string, typeof all> = { burst: { publish: [], fetch: [] }, steady: { publish: [], fetch: [] } }
  for (let i = 0; i < samples.length; i += 3) {
    const ingested = samples[i]!
    const receipt = samples[i + 1]!
    const weight = samples[i + 2]!
    // The tick a price belongs to: the last fetch start at or before its publish.
    let start: number | undefined
    for (const s of starts) if (s <= ingested) start = s
    const publish = { value: receipt - ingested, weight }
    const fetch = start === undefined ? null : { value: receipt - start, weight }
    const kind = start === undefined ? undefined : kindAt.get(start)
    all.publish.push(publish)
    if (fetch) all.fetch.push(fetch)
    if (kind && byKind[kind]) {
      byKind[kind]!.publish.push(publish)
      if (fetch) byKind[kind]!.fetch.push(fetch)
    }
  }
  return {
    publishToClientMs: percentiles(all.publish),
    fetchStartToClientMs: percentiles(all.fetch),
    burst: { publishToClientMs: percentiles(byKind.burst!.publish), fetchStartToClientMs: percentiles(byKind.burst!.fetch) },
    steady: { publishToClientMs: percentiles(byKind.steady!.publish), fetchStartToClientMs: percentiles(byKind.steady!.fetch) },
  }
}

function serverStages() {
  const summary = streamLatencySummary()
  return Object.fromEntries(
    STREAM_STAGES.map((stage) => {
      const s = summary.stages[stage]
      return [stage, s ? { prices: s.prices, samples: s.samples, p50Ms: round(s.p50 * 1000), p95Ms: round(s.p95 * 1000), p99Ms: round(s.p99 * 1000), maxMs: round(s.max * 1000) } : null]
    }),
  )
}

async function measureRun(stack: Stack, n: number, mode: Mode | null, options: { profile: boolean }) {
  progress(`Run with ${n} client${n === 1 ? '' : 's'}${mode ? ` (${mode})` : ''}:`)
  const before = memory()
  // Subscriptions open before this run's clients (a transport that failed to close an earlier run's are still counted).
  const openBefore = streamStatus().subscribers
  let clients: Awaited<ReturnType<typeof startClients>> | null = null
  if (n > 0) {
    progress(`  connecting ${n} SSE clients (waves of ${CONNECT_WAVE})...`)
    clients = await startClients(`${baseUrl(stack)}${MODES[mode!].path}`, stack.token, n, openBefore)
    progress(`  ${clients.connected} connected, ${clients.failed} failed, in ${clients.connectMs} ms; ${streamStatus().subscribers - openBefore} subscriptions opened`)
    await sleep(1_000)
  }
  const idle = memory()
  const perClient =
    n > 0 ? { rssBytes: Math.round((idle.rss - before.rss) / n), heapUsedBytes: Math.round((idle.heapUsed - before.heapUsed) / n), externalBytes: Math.round((idle.external - before.external) / n) } : null

  resetStreamLatencyWindows()
  // How long this process's event loop was held up: every SSE write waits behind whatever runs.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const cpu0 = process.cpuUsage()
  const wall0 = Date.now()
  const ticks: TickResult[] = []
  let expected = 0
  for (let i = 0; i <= STEADY_TICKS; i++) {
    const result = await tick(stack, i === 0 ? 'burst' : 'steady', clients?.process ?? null, expected)
    expected += result.misoRecords
    ticks.push(result)
  }
  const cpu = process.cpuUsage(cpu0)
  const wallMs = Date.now() - wall0
  loopDelay.disable()
  const eventLoopDelayMs = { p50: round(loopDelay.percentile(50) / 1e6), p99: round(loopDelay.percentile(99) / 1e6), max: round(loopDelay.max / 1e6) }
  const server = serverStages()
  const status = streamStatus()

  let profile: ProfileLine[] | null = null
  let profiledFrom = Infinity
  if (options.profile && clients) {
    progress('  one more tick, CPU-profiled (not counted in latency or CPU above)...')
    const session = new Session()
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 500 })
    await session.post('Profiler.start')
    const profiled = await tick(stack, 'profiled', clients.process, expected)
    const { profile: cpuProfile } = await session.post('Profiler.stop')
    session.disconnect()
    expected += profiled.misoRecords
    profiledFrom = profiled.fetchStartMs
    profile = topSelfTime(cpuProfile as CpuProfile, 25)
  }

  let report: ClientReport | null = null
  let leftOpen: number | null = null
  if (clients) {
    report = await clients.process.report()
    await clients.process.close()
    const deadline = Date.now() + CLOSE_WAIT_MS
    while (streamStatus().subscribers > openBefore && Date.now() < deadline) await sleep(50)
    leftOpen = streamStatus().subscribers - openBefore
    if (leftOpen > 0) progress(`  ${leftOpen} subscriptions still open ${CLOSE_WAIT_MS / 1000} s after every client disconnected`)
  }

  // Records: every tick, the profiled one included (every price must arrive).
  const expectedPerClient = expected
  const perClientReceived = report?.clients.map((c) => c.prices) ?? []
  const records = report
    ? {
        expectedPerClient,
        receivedMin: Math.min(...perClientReceived),
        receivedMax: Math.max(...perClientReceived),
        expectedTotal: expectedPerClient * report.clients.length,
        receivedTotal: perClientReceived.reduce((a, b) => a + b, 0),
        lost: report.clients.reduce((sum, c) => sum + Math.max(0, expectedPerClient - c.prices - c.skippedPrices), 0),
        clientsWithLoss: report.clients.filter((c) => c.prices + c.skippedPrices < expectedPerClient).length,
        skippedNotices: report.clients.reduce((sum, c) => sum + c.skippedEvents, 0),
        skippedPrices: report.clients.reduce((sum, c) => sum + c.skippedPrices, 0),
        outOfOrder: report.clients.reduce((sum, c) => sum + c.outOfOrder, 0),
        resets: report.clients.reduce((sum, c) => sum + c.resets, 0),
        events: report.clients.reduce((sum, c) => sum + c.events, 0),
        clientErrors: report.clients.reduce((sum, c) => sum + c.errorCount, 0),
        firstErrors: report.clients.flatMap((c) => c.errors).slice(0, 3),
        endedEarly: report.clients.filter((c) => c.ended).length,
        /** Subscriptions the server still held CLOSE_WAIT_MS after the clients disconnected (should be 0). */
        leftOpen,
      }
    : null
  // Latency over the measured ticks only (prices of the profiled tick are left out).
  const measuredSamples = report ? samplesBefore(report.samples, profiledFrom) : []
  return {
    clients: n,
    mode,
    transport: mode ? MODES[mode].transport : null,
    subscribedTo: n > 0 ? `${JSON.stringify(SUBSCRIPTION)} with an API token of the demo quant` : null,
    connect: clients ? { connected: clients.connected, failed: clients.failed, ms: clients.connectMs } : null,
    ticks,
    latency: report ? latencyOf(measuredSamples, ticks) : null,
    records,
    memory: { before: { rss: before.rss, heapUsed: before.heapUsed }, withIdleClients: { rss: idle.rss, heapUsed: idle.heapUsed }, perClient },
    cpu: {
      serverMs: round((cpu.user + cpu.system) / 1000),
      serverUserMs: round(cpu.user / 1000),
      serverSystemMs: round(cpu.system / 1000),
      wallMs,
      serverCoresBusy: round((cpu.user + cpu.system) / 1000 / wallMs, 2),
      clientProcessMs: report ? round(report.cpuMs.user + report.cpuMs.system) : null,
      eventLoopDelayMs,
    },
    server: { stages: server, skipped: status.skipped, ring: status.ring },
    profile,
  }
}

function samplesBefore(samples: number[], endMs: number): number[] {
  const out: number[] = []
  for (let i = 0; i < samples.length; i += 3) if (samples[i]! < endMs) out.push(samples[i]!, samples[i + 1]!, samples[i + 2]!)
  return out
}

// ---------------------------------------------------------------- CPU profile

type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}
type ProfileLine = { function: string; where: string; selfMs: number; share: number; via: string | null }

/**
 * Self time per function (name + file:line) from a V8 CPU profile, highest first. For a function
 * without a source (native, GC, builtins) `via` names the nearest caller with one that spent the
 * most of that time.
 */
function topSelfTime(profile: CpuProfile, limit: number): ProfileLine[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)
  const frame = (id: number) => {
    const { functionName, url, lineNumber } = byNode.get(id)!.callFrame
    const where = url ? `${url.replace(/^file:\/\//, '').replace(`${root}/`, '')}:${lineNumber + 1}` : ''
    return { name: functionName || '(anonymous)', where }
  }
  const self = new Map<string, { us: number; vias: Map<string, number> }>()
  let total = 0
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0
    total += us
    if (!byNode.has(id)) return
    const f = frame(id)
    const key = `${f.name}\u0000${f.where}`
    let entry = self.get(key)
    if (!entry) self.set(key, (entry = { us: 0, vias: new Map() }))
    entry.us += us
    if (!f.where) {
      let up = parent.get(id)
      while (up !== undefined && !frame(up).where) up = parent.get(up)
      if (up !== undefined) {
        const caller = frame(up)
        const via = `${caller.name} ${caller.where}`
        entry.vias.set(via, (entry.vias.get(via) ?? 0) + us)
      }
    }
  })
  // The profiler's own work (the inspector session serialising the profile) is left out.
  return [...self]
    .filter(([, { vias }]) => ![...vias.keys()].some((via) => via.includes('node:inspector')))
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, limit)
    .map(([key, { us, vias }]) => {
      const [fn, where] = key.split('\u0000')
      const via = [...vias].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
      return { function: fn!, where: where!, selfMs: round(us / 1000), share: round(us / Math.max(1, total), 3), via }
    })
}

// ---------------------------------------------------------------- output

function table(runs: RunResult[]): string {
  const columns: [string, number, (r: RunResult) => string | number][] = [
    ['mode', 5, (r) => r.mode ?? '—'],
    ['clients', 7, (r) => r.clients],
    ['p50 ms', 8, (r) => r.latency?.publishToClientMs?.p50 ?? '—'],
    ['p95 ms', 8, (r) => r.latency?.publishToClientMs?.p95 ?? '—'],
    ['p99 ms', 8, (r) => r.latency?.publishToClientMs?.p99 ?? '—'],
    ['file p95', 9, (r) => r.latency?.fetchStartToClientMs?.p95 ?? '—'],
    ['expected', 9, (r) => r.records?.expectedTotal ?? '—'],
    ['received', 9, (r) => r.records?.receivedTotal ?? '—'],
    ['lost', 5, (r) => r.records?.lost ?? '—'],
    ['left open', 9, (r) => r.records?.leftOpen ?? '—'],
    ['skipped', 7, (r) => r.records?.skippedPrices ?? '—'],
    ['rss/client', 10, (r) => (r.memory.perClient ? `${round(r.memory.perClient.rssBytes / 1024)} KiB` : '—')],
    ['heap/client', 11, (r) => (r.memory.perClient ? `${round(r.memory.perClient.heapUsedBytes / 1024)} KiB` : '—')],
    ['server CPU', 10, (r) => `${round(r.cpu.serverMs / 1000, 2)} s`],
    ['wall', 7, (r) => `${round(r.cpu.wallMs / 1000, 1)} s`],
    ['loop max', 9, (r) => `${r.cpu.eventLoopDelayMs.max} ms`],
  ]
  const row = (cells: (string | number)[]) => cells.map((cell, i) => String(cell).padStart(columns[i]![1])).join(' ')
  return [
    'publish -> client receipt per price (p50/p95/p99); file p95: fetch start of the tick -> client receipt',
    row(columns.map(([title]) => title)),
    ...runs.map((r) => row(columns.map(([, , value]) => value(r)))),
  ].join('\n')
}

async function main() {
  const started = Date.now()
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/ensure-build.js')], { cwd: root, stdio: ['ignore', 2, 2] })
  if (build.status !== 0) throw new Error('build failed')
  const runs: RunResult[] = []
  let nodes = { miso: 0, caiso: 0 }
  const modes: Mode[] = []
  const plan: { n: number; mode: Mode | null; profile: boolean }[] = [{ n: 0, mode: null, profile: false }]
  // Transport by transport: a transport that fails to close its subscriptions when clients leave
  // (leftOpen) then burdens only its own later runs (the leak outlives a platform: the
  // subscriptions' generators stay suspended), so the REST runs come first.
  for (const mode of REQUESTED_MODES) {
    for (const [i, n] of CLIENT_COUNTS.entries()) plan.push({ n, mode, profile: PROFILE && i === CLIENT_COUNTS.length - 1 })
  }
  for (const [i, run] of plan.entries()) {
    if (run.mode && !modes.includes(run.mode)) continue
    // A fresh platform per run: every run starts equal, and subscriptions a transport fails to
    // close when its clients leave (reported as leftOpen) do not weigh on the next run.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-bench-stream-'))
    const stack: Partial<Stack> = {}
    try {
      Object.assign(stack, await startStack(dataDir))
      const full = stack as Stack
      if (i === 0) {
        nodes = { miso: full.simulator.model.miso.nodes.length, caiso: full.simulator.model.caiso.nodes.length }
        for (const mode of REQUESTED_MODES) {
          const status = await probe(`${baseUrl(full)}${MODES[mode].path}`, full.token)
          if (status === 200) modes.push(mode)
          else progress(`${mode}: ${MODES[mode].path} answered ${status}; this transport is left out`)
        }
      }
      progress('  warm-up tick (no clients; first node catalogue, JIT; not counted)...')
      await tick(full, 'warm-up', null, 0)
      const result = await measureRun(full, run.n, run.mode, { profile: run.profile })
      runs.push(result)
      progress(table([result]).split('\n').slice(1).join('\n'))
    } finally {
      await stopStack(stack)
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
  process.stdout.write(`${table(runs)}\n`)
  for (const profiled of runs.filter((r) => r.profile)) {
    process.stdout.write(`\nCPU profile of one more tick, ${profiled.mode}, ${profiled.clients} clients (self time on this process's main thread):\n`)
    for (const line of profiled.profile!.slice(0, 15)) process.stdout.write(`${String(line.selfMs).padStart(9)} ms ${(line.share * 100).toFixed(1).padStart(5)}%  ${line.function}  ${line.where}${line.via ? `  (via ${line.via})` : ''}\n`)
  }
  process.stdout.write(
    `${JSON.stringify({
      bench: 'stream',
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGb: round(os.totalmem() / 2 ** 30), node: process.version },
      store: 'embedded (PGlite + chDB, in-process bus, local objects); server, ingest, consumer and simulator in one process, SSE clients in a child process',
      transports: Object.fromEntries(Object.entries(MODES).map(([mode, m]) => [mode, m.transport])),
      auth: 'Authorization: Bearer <personal access token of the demo quant>',
      subscription: SUBSCRIPTION,
      why: 'the demo quant has MISO hub + API; CAISO has no API channel in the pilot, so clients follow MISO; CAISO is ingested and passes the fan-out each tick',
      nodes,
      perTick: 'MISO RT5 Current (one interval, every node) + CAISO RTM PRC_INTVL_LMP (one interval, ALL_APNODES), fetched at once; next tick once every client has every MISO price',
      steadyTicksPerRun: STEADY_TICKS,
      runs: Object.fromEntries(runs.map((r) => [`${r.mode ?? 'baseline'}_clients_${r.clients}`, r])),
      totalSec: round((Date.now() - started) / 1000),
    })}\n`,
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
