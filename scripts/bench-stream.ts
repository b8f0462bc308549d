/**
 * `npm run bench:stream`: live price latency, from the publisher's file to SSE clients, on the
 * embedded default (PGlite + chDB in a fresh temporary DATA_DIR, in-process bus, local objects).
 *
 * In THIS process, as `carbon serve` runs them: the platform, the live price fan-out, the prices
 * consumer, the HTTP server (hub, tRPC, REST) and the ingest (which parses in a worker thread of
 * this process, as `carbon serve` does). In a CHILD process of its own
 * (scripts/support/simulator-process.ts), as MISO's and CAISO's web servers are outside the
 * platform: the publisher simulator the ingest fetches from (full-size catalogues: about 2,600 MISO
 * and 4,000 CAISO nodes; generating and zipping its files is not the measured server's work). In
 * CHILD processes (scripts/bench-stream-clients.ts; BENCH_CLIENT_PROCESSES, default 2 up to 300
 * clients and 4 above): N concurrent SSE connections with a personal access token of the demo
 * quant (MISO hub + API), through one of two transports (BENCH_MODES, default both, in this order):
 *   rest   GET /api/v1/stream/prices?market=...  (the public REST API's SSE endpoint)
 *   trpc   GET /api/trpc/prices.live?input=...   (the SDK's and the hub's subscription)
 * subscribed to either
 *   full   {"market":"MISO","runs":"RT5"}: every MISO price of every tick (BENCH_CLIENTS, default 100,1000)
 *   hubs   {"market":"MISO","runs":"RT5","types":"hub,zone"}: the hubs and zones only, as the hub's
 *          market page subscribes (the common case; BENCH_HUB_CLIENTS, default 10,000, per transport
 *          of BENCH_HUB_MODES, default both; 0 leaves these runs out).
 * BENCH_PARSING_CLIENTS (default 100) of a run's clients read every price; the others only find
 * where events end and read each event's id and length, and count the prices a parsing client of
 * their process read in the same event (same id and length: clients of one filter are sent the
 * same bytes), so that a thousand clients parsing megabytes do not make the clients the bottleneck.
 * Both views are reported: latency (every client) and latencyParsing (the parsing ones).
 * BENCH_STREAM_ENCODING (default deflate): the clients send `Accept-Encoding: deflate` and the
 * server compresses each event once for all of them (server/http/sse.ts); parsing clients inflate
 * every event, counting clients only each event's first bytes (its id), counting its compressed
 * bytes. `identity` sends no Accept-Encoding: the bytes as before compression, the before/after switch.
 * BENCH_CLIENT_NICE (default 0): the client processes' nice value; 10 gives the server the CPU first, as
 * if the clients were other machines (the server-side figures then show what the server does with
 * the CPU; the clients' latency includes their own wait for it). Recorded in clients.nice.
 * records.bytesPerPricesEvent: per `prices` event, bytes on the wire vs uncompressed (parsing clients).
 * CAISO has no API channel in the pilot's entitlements, so API clients follow MISO only; the CAISO
 * interval is still ingested and passes through the fan-out (and its filter) with every tick, as
 * it would in production. The stream caps per credential and organization are lifted (one token
 * holds every connection); every stream is still authenticated, entitled, audited and re-checked.
 * The open file limit (`ulimit -n`, read from /proc/self/limits) is printed; a run that needs more
 * sockets than it allows stops the bench with what to raise.
 *
 * Per interval ("tick"), the simulated clock moves on 5 minutes (the simulator's process
 * acknowledges it before the fetch) and the ingest fetches, at once, MISO RT5 Current (one
 * interval, every node) and CAISO RTM PRC_INTVL_LMP (one interval, ALL_APNODES) through
 * runRequest (fetch, archive, parse, publish); the consumer stores them while the fan-out streams
 * them. The next tick starts once every client has every price of this one its filter accepts
 * (counted by a listener of the fan-out in this process) plus a short pause, instead of 5 minutes
 * later. The first tick with the clients connected is the burst; the BENCH_TICKS (default 3)
 * after it are the steady ticks.
 *
 * Runs: 0 clients (the baseline: ingest + store without streaming), then each client count per
 * transport. Each run gets a fresh platform in a fresh DATA_DIR and one warm-up tick without
 * clients (node catalogue, JIT), so runs start equal and nothing a run leaves behind weighs on the
 * next. Per run:
 *   latency     per price, client receipt (the event's last byte) minus its ingestedAt (the ingest's
 *               bus publish), and minus the fetch start of its tick ("vendor file to screen"):
 *               p50/p95/p99/max in ms, all ticks and burst vs steady;
 *   fanout      server side, per tick (p50/p95/p99 over ticks): handedMs, the tick's publish ->
 *               the end of the fan-out's pass (every subscriber's event handed to its socket, or
 *               queued behind its own still-full socket: `deferred`); passMs, the fan-out got the
 *               batch -> pass end; longestSliceMs, the fan-out's longest run without yielding to
 *               the event loop (its own stall); loopMaxPerTickMs, this process's worst event-loop
 *               stall in the tick, ingest, consumer and store included (compare the 0-client run);
 *   records     expected per client (the tick's prices its filter accepts) vs received; lost =
 *               expected - received - skipped (updates the server dropped for a slow client,
 *               counted apart); leftOpen: subscriptions the server still holds 10 s after every
 *               client left;
 *   memory      this process's rss and heapUsed after a GC: before the clients connect, and with
 *               the N clients connected and idle, divided by N (rss is noisy: freed heap is not
 *               always returned to the system);
 *   cpu         this process's CPU time (user + system, all threads: server, ingest, consumer,
 *               chDB; not the simulator's process) over the run's ticks, each client process's
 *               over the same ticks, and this process's event loop delay (every SSE write waits
 *               behind whatever else runs);
 *   server      the status page's stage percentiles (server/metrics.ts rolling window).
 * If BENCH_PROFILE is not 0, one more tick of the last client count is CPU-profiled per transport
 * (not counted above) and the functions with the most self time are listed; BENCH_PROFILE_DIR=<dir>
 * keeps each whole profile there.
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
import { pino } from 'pino'
import { parseEnv } from '../server/env.ts'
import { startHttpServer, type RunningServer } from '../server/http/server.ts'
import { recentFanoutPasses, resetStreamLatencyWindows, streamLatencySummary, streamStatus, STREAM_STAGES, type FanoutPass } from '../server/metrics.ts'
import { openPlatform, setPlatform, type Platform } from '../server/platform.ts'
import { createNodeCatalogue } from '../server/services/ingest/catalogue.ts'
import { DATASETS } from '../server/services/ingest/datasets.ts'
import { createThreadParser } from '../server/services/ingest/parse.ts'
import type { PipelineDeps } from '../server/services/ingest/pipeline.ts'
import { runRequest, type RequestResult } from '../server/services/ingest/request.ts'
import { LiveInput, resolveFilter, setPriceFanout, startPriceFanout, type PriceFanout } from '../server/services/stream/index.ts'
import { matches } from '../server/services/stream/types.ts'
import { startPricesConsumer, type PricesConsumer } from '../server/workers/prices-consumer.ts'
import { profileTable, topSelfTime, type CpuProfile, type ProfileLine } from './support/cpu-profile.ts'
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
const CONNECT_TIMEOUT_MS = 600_000
const PAUSE_BETWEEN_TICKS_MS = 1_000
const CONNECT_WAVE = 50
const CLOSE_WAIT_MS = 10_000
const IPC_TIMEOUT_MS = 900_000
/** What the clients subscribe to: every MISO RT5 price (full ticks), or the hubs and zones only, as the hub's market page does. */
const SUBSCRIPTIONS = {
  full: { market: 'MISO', runs: 'RT5' },
  hubs: { market: 'MISO', runs: 'RT5', types: 'hub,zone' },
} as const
type SubscriptionName = keyof typeof SUBSCRIPTIONS
const SUBSCRIPTION = SUBSCRIPTIONS.full

/** The two ways a client follows live prices: the same subscription, two transports. */
const MODES = {
  trpc: {
    path: (sub: Record<string, string>) => `/api/trpc/prices.live?input=${encodeURIComponent(JSON.stringify(sub))}`,
    transport: 'tRPC prices.live: GET /api/trpc/prices.live, node handler before Remix (server/http/trpc-live.ts), the procedure through a server-side caller, events pushed by the fan-out as shared Buffers',
  },
  rest: {
    path: (sub: Record<string, string>) => `/api/v1/stream/prices?${new URLSearchParams(sub).toString()}`,
    transport: 'REST GET /api/v1/stream/prices: node handler before Remix, events pushed by the fan-out as shared Buffers, writes on drain',
  },
} as const
type Mode = keyof typeof MODES
const REQUESTED_MODES = (process.env.BENCH_MODES ?? 'rest,trpc').split(',').map((s) => s.trim()).filter((m): m is Mode => m in MODES)
/** Clients subscribed to hubs and zones only (the common case), per transport of BENCH_HUB_MODES; 0 leaves these runs out. */
const HUB_CLIENTS = Math.max(0, Number(process.env.BENCH_HUB_CLIENTS ?? 10_000))
const HUB_MODES = (process.env.BENCH_HUB_MODES ?? 'rest,trpc').split(',').map((s) => s.trim()).filter((m): m is Mode => m in MODES)
/** Client processes per run (default: 2 for up to 300 clients, else 4). */
const CLIENT_PROCESSES = process.env.BENCH_CLIENT_PROCESSES ? Math.max(1, Number(process.env.BENCH_CLIENT_PROCESSES)) : null
/** Clients per run that read every price (the rest count bytes and events; see bench-stream-clients.ts). */
const PARSING_CLIENTS = Math.max(1, Number(process.env.BENCH_PARSING_CLIENTS ?? 100))
/** What the clients ask for: `deflate` (Accept-Encoding: deflate) or `identity` (no Accept-Encoding: uncompressed). */
const ENCODING = process.env.BENCH_STREAM_ENCODING === 'identity' ? 'identity' : 'deflate'
/**
 * The client processes' scheduling priority (nice, 0-19; default 0, as the server's). Clients of a
 * real deployment are other machines; with BENCH_CLIENT_NICE=10 the clients on this machine get
 * the CPU the server leaves, so what the server does with the CPU is measured apart from the
 * clients' share of the same cores (their latency then includes their own wait for the CPU).
 */
const CLIENT_NICE = Math.min(19, Math.max(0, Number(process.env.BENCH_CLIENT_NICE ?? 0) || 0))
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
  simulator: SimulatorProcess
  client: HttpClient
  deps: PipelineDeps
  config: ConnectorConfig
  token: string
  consumed: () => number
}


async function startStack(dataDir: string): Promise<Stack> {
  // The rate limit and the stream caps per credential and organization are lifted: thousands of
  // subscriptions on one token within a minute measure the stream, not the limiter. Every stream
  // is still authenticated, entitled, audited and re-checked by the guard every 2 s.
  const env = parseEnv({
    DATA_DIR: dataDir,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    RATE_LIMIT_PER_MINUTE: '100000000',
    STREAM_MAX_PER_CREDENTIAL: '100000',
    STREAM_MAX_PER_ORGANIZATION: '100000',
  })
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
  progress('Starting the publisher simulator in a child process (full-size catalogues)...')
  const simulator = await spawnSimulatorProcess()
  await simulator.setNow(SIM_START)
  const config: ConnectorConfig = { urls: simulatorUrls(simulator.url), caisoNodes: 'ALL' }
  const client = createHttpClient({ userAgent: 'carbon-bench-stream', maxAttempts: 2, backoff: { initialMs: 10, maxMs: 20 }, minSpacingMs: { 'caiso.oasis': 0, 'miso.dx': 0 } })
  // Files are parsed in a worker thread, as the ingest of `carbon serve` parses them.
  const parser = createThreadParser(log)
  const deps: PipelineDeps = { db: platform.pg.db, bus: platform.bus, objects: platform.objects, catalogue: createNodeCatalogue(platform.pg.db), log, unknownNodes: 'admit', parser }
  return { platform, fanout, consumer, server, simulator, client, deps, config, token, consumed: () => consumed }
}

// ---------------------------------------------------------------- the publisher simulator's process

/** The publisher simulator in its child process (scripts/support/simulator-process.ts): MISO's and CAISO's servers are outside the platform. */
type SimulatorProcess = {
  url: string
  /** Nodes of the simulator's catalogues. */
  nodes: { miso: number; caiso: number }
  /** Fixes the simulated clock at `ms`; resolves once the simulator has it. */
  setNow(ms: number): Promise<void>
  /** Closes the simulator and waits for its process to exit (killed if it does not within SIMULATOR_EXIT_MS). */
  close(): Promise<void>
}

type SimulatorMessage =
  | { type: 'ready'; url: string; nodes: { miso: number; caiso: number } }
  | { type: 'ack'; id: number }
  | { type: 'error'; message: string }

const SIMULATOR_START_MS = 120_000
const SIMULATOR_EXIT_MS = 5_000

/** Resolves with the `ready` message; rejects on an `error` message, an exit or SIMULATOR_START_MS without an answer. */
function simulatorReady(child: ChildProcess): Promise<Extract<SimulatorMessage, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const settle = (error: Error | null, ready?: Extract<SimulatorMessage, { type: 'ready' }>) => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      if (error) {
        child.kill('SIGTERM')
        reject(error)
      } else resolve(ready!)
    }
    const onMessage = (m: SimulatorMessage) => {
      if (m.type === 'ready') settle(null, m)
      else if (m.type === 'error') settle(new Error(m.message))
    }
    const onExit = (code: number | null) => settle(new Error(`publisher simulator process exited (${code}) before it was ready`))
    const timer = setTimeout(() => settle(new Error(`publisher simulator process: not ready within ${SIMULATOR_START_MS} ms`)), SIMULATOR_START_MS)
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

/** Sends `close` and waits for the exit; SIGKILL if the process is still there after SIMULATOR_EXIT_MS. */
function closeSimulator(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const timer = setTimeout(() => {
      progress(`publisher simulator process: still running ${SIMULATOR_EXIT_MS} ms after close; killing it`)
      child.kill('SIGKILL')
    }, SIMULATOR_EXIT_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    if (child.connected) child.send({ type: 'close' })
    else child.kill('SIGTERM')
  })
}

/** Starts scripts/support/simulator-process.ts (spawned as the client processes are) and waits for it to listen. */
async function spawnSimulatorProcess(): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/support/simulator-process.ts')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', reject)
  })
  const ready = await simulatorReady(child)
  // setNow acks by id; an error or an exit fails every setNow still waiting.
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()
  const failAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error)
    pending.clear()
  }
  child.on('message', (m: SimulatorMessage) => {
    if (m.type === 'ack') pending.get(m.id)?.resolve()
    else if (m.type === 'error') {
      progress(m.message)
      failAll(new Error(m.message))
    }
  })
  child.on('exit', (code, signal) => failAll(new Error(`publisher simulator process exited (${signal ?? code})`)))
  let nextId = 0
  return {
    url: ready.url,
    nodes: ready.nodes,
    setNow: (ms) =>
      new Promise<void>((resolve, reject) => {
        if (!child.connected) return reject(new Error('publisher simulator process: not running'))
        const id = ++nextId
        // Generous, as the client processes' requests: this process's event loop may be held up.
        const timer = setTimeout(() => settle(new Error(`publisher simulator process: no ack of setNow within ${IPC_TIMEOUT_MS} ms`)), IPC_TIMEOUT_MS)
        const settle = (error: Error | null) => {
          clearTimeout(timer)
          pending.delete(id)
          if (error) reject(error)
          else resolve()
        }
        pending.set(id, { resolve: () => settle(null), reject: settle })
        child.send({ type: 'setNow', id, ms })
      }),
    close: () => closeSimulator(child),
  }
}

async function stopStack(stack: Partial<Stack>) {
  await stack.server?.close()
  await stack.consumer?.stop()
  await stack.deps?.parser?.stop()
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
  /** Prices of the tick the clients' filter accepts (what every client must receive). */
  expectedPerClient: number
  /** Fetch start to both runRequests done (fetch, archive, parse, publish, run rows). */
  ingestMs: number
  /** Fetch start until every client had every price of the tick it subscribed to (null: no clients, or it stalled). */
  deliveredToAllMs: number | null
  /** Fetch start until the consumer had handled every record published. */
  storedMs: number
  /** The fan-out's passes over the tick's batches (server/metrics.ts FanoutPass), see fanoutOf. */
  fanout: ReturnType<typeof fanoutOf>
  /** This process's longest event-loop stall during the tick (ms; monitorEventLoopDelay max). */
  loopMaxMs: number
}

/**
 * The fan-out's figures for one tick, from its passes (those that started after the fetch start):
 * handedMs: the tick's publish (ingestedAt) -> its last pass ended (every subscriber's event
 * written to its socket, or queued behind its own still-full socket: `deferred`); passMs: the
 * fan-out received the batch -> pass ended; longestSliceMs: the fan-out's longest run without
 * yielding to the event loop (its own stall).
 */
function fanoutOf(passes: readonly FanoutPass[]) {
  const served = passes.filter((p) => p.listeners > 0)
  if (served.length === 0) return null
  const handed = served.map((p) => (p.ingestedAt ? p.passEndMs - Date.parse(p.ingestedAt) : NaN)).filter(Number.isFinite)
  return {
    passes: served.length,
    handedMs: handed.length ? Math.max(...handed) : null,
    passMs: Math.max(...served.map((p) => p.passEndMs - p.receivedMs)),
    longestSliceMs: round(Math.max(...served.map((p) => p.longestSliceMs))),
    slices: served.reduce((sum, p) => sum + p.slices, 0),
    deferred: served.reduce((sum, p) => sum + p.deferred, 0),
    listeners: Math.max(...served.map((p) => p.listeners)),
  }
}

function requestFor(dataset: string, config: ConnectorConfig, window: { start: number; end: number }, now: number) {
  const planned = DATASETS[dataset]!.plan(window, config, now)
  if (planned.length !== 1) throw new Error(`${dataset}: expected one request for the interval, the plan has ${planned.length}`)
  return planned[0]!
}

function checkIngest(what: string, result: RequestResult) {
  if (result.status !== 'ok') throw new Error(`${what}: ingest ${result.status}: ${result.error ?? ''}`)
}

/**
 * Counts, in this process, what passes the fan-out and what of it the clients' filter accepts:
 * the expected prices per client of every tick (a listener of the fan-out like a subscription's).
 */
type FanoutCounter = { seen: () => number; matched: () => number; detach(): void }

async function countFanout(stack: Stack, sub: Record<string, string>): Promise<FanoutCounter> {
  const filter = await resolveFilter(stack.platform.pg.db, LiveInput.parse(sub))
  let seen = 0
  let matched = 0
  const { detach } = stack.fanout.attach((prices) => {
    seen += prices.length
    for (const price of prices) if (matches(filter, price)) matched++
  })
  return { seen: () => seen, matched: () => matched, detach }
}

/** One interval: clock forward, MISO Current + CAISO RTM fetched at once, then wait for the consumer and the clients. */
async function tick(stack: Stack, kind: TickResult['kind'], clients: ClientsProcess | null, counter: FanoutCounter, expectedBefore: number): Promise<TickResult> {
  tickIndex++
  const now = SIM_START + tickIndex * FIVE_MINUTES
  // The simulator's clock is set (acknowledged) before the fetch asks it for the interval.
  await stack.simulator.setNow(now)
  const interval = { start: now - FIVE_MINUTES, end: now }
  const miso = requestFor('miso.api.rt5_expost', stack.config, interval, now)
  const caiso = requestFor('caiso.oasis.prc_intvl_lmp', stack.config, interval, now)
  const consumedBefore = stack.consumed()
  const seenBefore = counter.seen()
  const matchedBefore = counter.matched()
  const passesBefore = recentFanoutPasses().length
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
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
  let expected: number | null = null
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS
  for (;;) {
    if (Number.isNaN(storedMs) && stack.consumed() >= consumedBefore + published) storedMs = Date.now() - fetchStartMs
    // Every record of the tick has passed the fan-out: what the filter accepted is what each client must get.
    if (expected === null && counter.seen() >= seenBefore + published) expected = expectedBefore + counter.matched() - matchedBefore
    if (clients && expected !== null && deliveredToAllMs === null && (await clients.count()).minReceived >= expected) deliveredToAllMs = Date.now() - fetchStartMs
    if (!Number.isNaN(storedMs) && expected !== null && (deliveredToAllMs !== null || !clients)) break
    if (Date.now() > deadline) {
      progress(`  tick ${tickIndex}: not every client had every price after ${DELIVERY_TIMEOUT_MS / 1000} s; going on`)
      break
    }
    await sleep(clients ? 20 : 10)
  }
  loopDelay.disable()
  const passes = recentFanoutPasses().slice(passesBefore)
  const result: TickResult = {
    tick: tickIndex,
    kind,
    interval: new Date(interval.start).toISOString(),
    fetchStartMs,
    misoRecords: misoResult.records,
    caisoRecords: caisoResult.records,
    expectedPerClient: (expected ?? expectedBefore) - expectedBefore,
    ingestMs,
    deliveredToAllMs,
    storedMs: Number.isNaN(storedMs) ? -1 : storedMs,
    fanout: fanoutOf(passes),
    loopMaxMs: round(loopDelay.max / 1e6),
  }
  const f = result.fanout
  progress(
    `  tick ${tickIndex} (${kind}): ${misoResult.records} MISO + ${caisoResult.records} CAISO records (${result.expectedPerClient} per client); ingest ${ingestMs} ms, stored ${result.storedMs} ms, every client had every price ${deliveredToAllMs ?? '—'} ms after the fetch start` +
      (f ? `; fan-out: publish -> handed to every socket ${f.handedMs} ms, longest slice ${f.longestSliceMs} ms, deferred ${f.deferred}` : '') +
      `; loop max ${result.loopMaxMs} ms`,
  )
  await sleep(PAUSE_BETWEEN_TICKS_MS)
  return result
}

// ---------------------------------------------------------------- the client process

type ClientReport = {
  clients: {
    kind: 'parsing' | 'counting'
    connected: boolean
    status: number
    events: number
    prices: number
    bytes: number
    encoding: string
    textBytes: number
    pricesEvents: number
    pricesEventWireBytes: number
    pricesEventTextBytes: number
    outOfOrder: number
    skippedEvents: number
    skippedPrices: number
    resets: number
    errors: string[]
    errorCount: number
    ended: boolean
  }[]
  /** [ingestedMs, receiptMs, prices] flat: the parsing clients' own, and every client's (counting clients' events resolved by id). */
  samples: { parsing: number[]; all: number[] }
  unresolvedEvents: number
  cpuMs: { user: number; system: number }
  rssBytes: number
}

type ClientCount = { minReceived: number; totalReceived: number; unresolved: number }

/** The client processes of a run, as one. */
type ClientsProcess = {
  processes: number
  count(): Promise<ClientCount>
  /** CPU time (user + system, ms) of each process so far. */
  cpu(): Promise<number[]>
  /** One report per process. */
  report(): Promise<ClientReport[]>
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

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1
  return counts
}

function bytesPerEvent(parsing: ClientReport['clients']): { wire: number; uncompressed: number; ratio: number | null; events: number } {
  const events = parsing.reduce((sum, c) => sum + c.pricesEvents, 0)
  const wire = parsing.reduce((sum, c) => sum + c.pricesEventWireBytes, 0)
  const text = parsing.reduce((sum, c) => sum + c.pricesEventTextBytes, 0)
  return {
    wire: Math.round(wire / Math.max(1, events)),
    uncompressed: Math.round(text / Math.max(1, events)),
    ratio: wire > 0 ? round(text / wire) : null,
    events,
  }
}

/** How many client processes a run of `n` clients gets: BENCH_CLIENT_PROCESSES, else 2 up to 300 clients and 4 above. */
const processesFor = (n: number) => Math.min(n, CLIENT_PROCESSES ?? (n <= 300 ? 2 : 4))

async function spawnClientProcess(): Promise<ChildProcess> {
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
  if (CLIENT_NICE > 0) os.setPriority(child.pid!, CLIENT_NICE)
  return child
}

/**
 * Starts `n` clients spread over processesFor(n) processes (PARSING_CLIENTS of them parse every
 * price, spread over the processes; the rest count), connected one process after the other.
 */
async function startClients(url: string, token: string, n: number, openBefore: number): Promise<{ process: ClientsProcess; connected: number; failed: number; connectMs: number }> {
  const count = processesFor(n)
  const children = await Promise.all(Array.from({ length: count }, () => spawnClientProcess()))
  const started = Date.now()
  // Every process connects its share at once, in waves of CONNECT_WAVE / processes each.
  const wave = Math.max(1, Math.floor(CONNECT_WAVE / count))
  const answers = await Promise.all(
    children.map((child, i) => {
      const clients = Math.floor(n / count) + (i < n % count ? 1 : 0)
      const parsing = Math.min(clients, Math.ceil(PARSING_CLIENTS / count))
      // The token goes over IPC, never on a command line or in a URL.
      const start = { type: 'start', url, token, clients, wave, parsing, encoding: ENCODING }
      return request<{ connected: number; failed: number }>(child, start, 'connected', CONNECT_TIMEOUT_MS)
    }),
  )
  const connected = answers.reduce((sum, a) => sum + a.connected, 0)
  const failed = answers.reduce((sum, a) => sum + a.failed, 0)
  // Subscribed, not just connected: the subscription opens after the `connected` event.
  const deadline = Date.now() + 60_000
  while (streamStatus().subscribers < openBefore + connected && Date.now() < deadline) await sleep(50)
  const clientsProcess: ClientsProcess = {
    processes: count,
    // Generous timeouts: this process's event loop may be held up for minutes (the timer would
    // fire before the answer waiting behind it is read), and a stall is caught by the tick's deadline.
    count: async () => {
      const counts = await Promise.all(children.map((child) => request<ClientCount>(child, { type: 'count' }, 'count', IPC_TIMEOUT_MS)))
      return {
        minReceived: Math.min(...counts.map((c) => c.minReceived)),
        totalReceived: counts.reduce((sum, c) => sum + c.totalReceived, 0),
        unresolved: counts.reduce((sum, c) => sum + c.unresolved, 0),
      }
    },
    cpu: () => Promise.all(children.map(async (child) => (await request<{ ms: number }>(child, { type: 'cpu' }, 'cpu', IPC_TIMEOUT_MS)).ms)),
    report: () => Promise.all(children.map((child) => request<ClientReport>(child, { type: 'report' }, 'report', IPC_TIMEOUT_MS))),
    close: () =>
      Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null) return resolve()
              child.once('exit', () => resolve())
              child.send({ type: 'close' })
              setTimeout(() => child.kill('SIGTERM'), 10_000).unref()
            }),
        ),
      ).then(() => undefined),
  }
  return { process: clientsProcess, connected, failed, connectMs: Date.now() - started }
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

/** p50/p95/p99/max of one figure over ticks (nearest rank; null values left out). */
function overTicks(values: (number | null | undefined)[]) {
  return percentiles(values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).map((value) => ({ value, weight: 1 })))
}

async function measureRun(stack: Stack, n: number, mode: Mode | null, options: { profile: boolean; subscription: SubscriptionName }) {
  const sub = SUBSCRIPTIONS[options.subscription]
  progress(`Run with ${n} client${n === 1 ? '' : 's'}${mode ? ` (${mode}, ${JSON.stringify(sub)})` : ''}:`)
  const before = memory()
  // Subscriptions open before this run's clients (a transport that failed to close an earlier run's are still counted).
  const openBefore = streamStatus().subscribers
  let clients: Awaited<ReturnType<typeof startClients>> | null = null
  if (n > 0) {
    progress(`  connecting ${n} SSE clients in ${processesFor(n)} processes (waves of ${CONNECT_WAVE})...`)
    clients = await startClients(`${baseUrl(stack)}${MODES[mode!].path(sub)}`, stack.token, n, openBefore)
    progress(`  ${clients.connected} connected, ${clients.failed} failed, in ${clients.connectMs} ms; ${streamStatus().subscribers - openBefore} subscriptions opened`)
    await sleep(1_000)
  }
  const idle = memory()
  const perClient =
    n > 0 ? { rssBytes: Math.round((idle.rss - before.rss) / n), heapUsedBytes: Math.round((idle.heapUsed - before.heapUsed) / n), externalBytes: Math.round((idle.external - before.external) / n) } : null

  const counter = await countFanout(stack, sub)
  resetStreamLatencyWindows()
  // How long this process's event loop was held up: every SSE write waits behind whatever runs.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  loopDelay.enable()
  const cpu0 = process.cpuUsage()
  const sched0 = mainThreadSchedule()
  const clientCpu0 = clients ? await clients.process.cpu() : null
  const wall0 = Date.now()
  const ticks: TickResult[] = []
  let expected = 0
  for (let i = 0; i <= STEADY_TICKS; i++) {
    const result = await tick(stack, i === 0 ? 'burst' : 'steady', clients?.process ?? null, counter, expected)
    expected += result.expectedPerClient
    ticks.push(result)
  }
  const cpu = process.cpuUsage(cpu0)
  const sched1 = mainThreadSchedule()
  const wallMs = Date.now() - wall0
  const clientCpu1 = clients ? await clients.process.cpu() : null
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
    const profiled = await tick(stack, 'profiled', clients.process, counter, expected)
    const { profile: cpuProfile } = await session.post('Profiler.stop')
    session.disconnect()
    expected += profiled.expectedPerClient
    profiledFrom = profiled.fetchStartMs
    profile = topSelfTime(cpuProfile as CpuProfile, root, 25)
    // BENCH_PROFILE_DIR: the whole profile is kept there too (for Chrome DevTools or speedscope).
    const keep = process.env.BENCH_PROFILE_DIR
    if (keep) {
      fs.mkdirSync(keep, { recursive: true })
      fs.writeFileSync(path.join(keep, `stream-${mode}-${options.subscription}-${n}.cpuprofile`), JSON.stringify(cpuProfile))
    }
  }
  counter.detach()

  let reports: ClientReport[] | null = null
  let leftOpen: number | null = null
  if (clients) {
    reports = await clients.process.report()
    await clients.process.close()
    const deadline = Date.now() + CLOSE_WAIT_MS
    while (streamStatus().subscribers > openBefore && Date.now() < deadline) await sleep(50)
    leftOpen = streamStatus().subscribers - openBefore
    if (leftOpen > 0) progress(`  ${leftOpen} subscriptions still open ${CLOSE_WAIT_MS / 1000} s after every client disconnected`)
  }

  // Records: every tick, the profiled one included (every price must arrive).
  const expectedPerClient = expected
  const all = reports?.flatMap((r) => r.clients) ?? []
  const lost = (list: typeof all) => list.reduce((sum, c) => sum + Math.max(0, expectedPerClient - c.prices - c.skippedPrices), 0)
  const records = reports
    ? {
        expectedPerClient,
        receivedMin: Math.min(...all.map((c) => c.prices)),
        receivedMax: Math.max(...all.map((c) => c.prices)),
        expectedTotal: expectedPerClient * all.length,
        receivedTotal: all.reduce((a, c) => a + c.prices, 0),
        lost: lost(all),
        /** Of the clients that read every price (the others' prices are those of the same events, by id and length). */
        lostParsing: lost(all.filter((c) => c.kind === 'parsing')),
        parsingClients: all.filter((c) => c.kind === 'parsing').length,
        countingClients: all.filter((c) => c.kind === 'counting').length,
        /** Counting clients' events no parsing client of their process read (their prices are unknown, counted as lost). */
        unresolvedEvents: reports.reduce((sum, r) => sum + r.unresolvedEvents, 0),
        clientsWithLoss: all.filter((c) => c.prices + c.skippedPrices < expectedPerClient).length,
        skippedNotices: all.reduce((sum, c) => sum + c.skippedEvents, 0),
        skippedPrices: all.reduce((sum, c) => sum + c.skippedPrices, 0),
        outOfOrder: all.reduce((sum, c) => sum + c.outOfOrder, 0),
        resets: all.reduce((sum, c) => sum + c.resets, 0),
        events: all.reduce((sum, c) => sum + c.events, 0),
        /** Bytes on the wire per client (compressed when the answers were). */
        bytesPerClient: Math.round(all.reduce((sum, c) => sum + c.bytes, 0) / Math.max(1, all.length)),
        /** Content-Encoding of the answers: how many clients got each. */
        encodings: countBy(all.map((c) => c.encoding)),
        /** Per `prices` event, mean over the parsing clients' events: bytes on the wire vs the event's text. */
        bytesPerPricesEvent: bytesPerEvent(all.filter((c) => c.kind === 'parsing')),
        clientErrors: all.reduce((sum, c) => sum + c.errorCount, 0),
        firstErrors: all.flatMap((c) => c.errors).slice(0, 3),
        endedEarly: all.filter((c) => c.ended).length,
        /** Subscriptions the server still held CLOSE_WAIT_MS after the clients disconnected (should be 0). */
        leftOpen,
      }
    : null
  // Latency over the measured ticks only (prices of the profiled tick are left out).
  const latency = reports ? latencyOf(samplesBefore(reports.flatMap((r) => r.samples.all), profiledFrom), ticks) : null
  const latencyParsing = reports ? latencyOf(samplesBefore(reports.flatMap((r) => r.samples.parsing), profiledFrom), ticks) : null
  const clientCpuMs = clientCpu0 && clientCpu1 ? clientCpu1.map((ms, i) => round(ms - clientCpu0[i]!)) : null
  const fanout = {
    what: 'server side, per tick: publish (ingestedAt) -> every subscriber of the pass handed its event (written to its socket, or queued behind its own full socket: deferred); the fan-out longest run without yielding; this process event-loop max delay during the tick (ingest, consumer and store included; compare the 0-client run)',
    handedMs: overTicks(ticks.map((t) => t.fanout?.handedMs)),
    passMs: overTicks(ticks.map((t) => t.fanout?.passMs)),
    longestSliceMs: overTicks(ticks.map((t) => t.fanout?.longestSliceMs)),
    loopMaxPerTickMs: overTicks(ticks.map((t) => t.loopMaxMs)),
    deferred: ticks.reduce((sum, t) => sum + (t.fanout?.deferred ?? 0), 0),
  }
  return {
    clients: n,
    mode,
    subscription: options.subscription,
    transport: mode ? MODES[mode].transport : null,
    subscribedTo: n > 0 ? `${JSON.stringify(sub)} with an API token of the demo quant` : null,
    clientProcesses: clients?.process.processes ?? 0,
    connect: clients ? { connected: clients.connected, failed: clients.failed, ms: clients.connectMs } : null,
    ticks,
    /** Every client (counting clients' prices resolved by event id and length). */
    latency,
    /** The parsing clients only (each price read). */
    latencyParsing,
    fanout,
    records,
    memory: { before: { rss: before.rss, heapUsed: before.heapUsed }, withIdleClients: { rss: idle.rss, heapUsed: idle.heapUsed }, perClient },
    cpu: {
      serverMs: round((cpu.user + cpu.system) / 1000),
      serverUserMs: round(cpu.user / 1000),
      serverSystemMs: round(cpu.system / 1000),
      wallMs,
      serverCoresBusy: round((cpu.user + cpu.system) / 1000 / wallMs, 2),
      /** The client processes' CPU over the measured ticks, summed, and per process. */
      clientProcessMs: clientCpuMs ? round(clientCpuMs.reduce((a, b) => a + b, 0)) : null,
      clientProcessesMs: clientCpuMs,
      clientCoresBusy: clientCpuMs ? round(clientCpuMs.reduce((a, b) => a + b, 0) / wallMs, 2) : null,
      eventLoopDelayMs,
      /**
       * The main thread (the event loop) over the measured ticks, from the kernel's scheduler
       * statistics: time it ran, and time it was ready to run but waited for a core (taken by the
       * client processes, the simulator, chDB's threads): part of every stall and of handed p99
       * that the server's code does not spend. Null where /proc/self/task/<tid>/schedstat is missing.
       */
      mainThread: sched0 && sched1 ? { ranMs: round(sched1.ranMs - sched0.ranMs), waitedForCoreMs: round(sched1.waitedMs - sched0.waitedMs) } : null,
    },
    server: { stages: server, skipped: status.skipped, ring: status.ring },
    profile,
  }
}

/** The main thread's cumulative time on a core and time runnable but waiting for one (ms; Linux schedstat), or null. */
function mainThreadSchedule(): { ranMs: number; waitedMs: number } | null {
  try {
    const [ran, waited] = fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number)
    return Number.isFinite(ran) && Number.isFinite(waited) ? { ranMs: ran! / 1e6, waitedMs: waited! / 1e6 } : null
  } catch {
    return null
  }
}

/** This process's open file limit (the shell's `ulimit -n`, inherited); null if it cannot be read. */
function openFileLimit(): number | null {
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8')
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1]
    return soft === undefined ? null : soft === 'unlimited' ? Infinity : Number(soft)
  } catch {
    const answer = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' })
    const value = Number(answer.stdout.trim())
    return Number.isFinite(value) ? value : null
  }
}

function samplesBefore(samples: number[], endMs: number): number[] {
  const out: number[] = []
  for (let i = 0; i < samples.length; i += 3) if (samples[i]! < endMs) out.push(samples[i]!, samples[i + 1]!, samples[i + 2]!)
  return out
}

// ---------------------------------------------------------------- output

function table(runs: RunResult[]): string {
  const columns: [string, number, (r: RunResult) => string | number][] = [
    ['mode', 5, (r) => r.mode ?? '—'],
    ['sub', 5, (r) => (r.clients > 0 ? r.subscription : '—')],
    ['clients', 7, (r) => r.clients],
    ['p50 ms', 8, (r) => r.latency?.publishToClientMs?.p50 ?? '—'],
    ['p95 ms', 8, (r) => r.latency?.publishToClientMs?.p95 ?? '—'],
    ['p99 ms', 8, (r) => r.latency?.publishToClientMs?.p99 ?? '—'],
    ['parse p95', 9, (r) => r.latencyParsing?.publishToClientMs?.p95 ?? '—'],
    ['file p95', 9, (r) => r.latency?.fetchStartToClientMs?.p95 ?? '—'],
    ['handed p99', 10, (r) => r.fanout.handedMs?.p99 ?? '—'],
    ['slice max', 9, (r) => r.fanout.longestSliceMs?.max ?? '—'],
    ['loop/tick', 9, (r) => r.fanout.loopMaxPerTickMs?.max ?? '—'],
    ['expected', 9, (r) => r.records?.expectedTotal ?? '—'],
    ['received', 9, (r) => r.records?.receivedTotal ?? '—'],
    ['lost', 5, (r) => r.records?.lost ?? '—'],
    ['left open', 9, (r) => r.records?.leftOpen ?? '—'],
    ['skipped', 7, (r) => r.records?.skippedPrices ?? '—'],
    ['event wire/text', 15, (r) => (r.records?.bytesPerPricesEvent.events ? `${round(r.records.bytesPerPricesEvent.wire / 1024)}/${round(r.records.bytesPerPricesEvent.uncompressed / 1024)} KiB` : '—')],
    ['rss/client', 10, (r) => (r.memory.perClient ? `${round(r.memory.perClient.rssBytes / 1024)} KiB` : '—')],
    ['heap/client', 11, (r) => (r.memory.perClient ? `${round(r.memory.perClient.heapUsedBytes / 1024)} KiB` : '—')],
    ['server CPU', 10, (r) => `${round(r.cpu.serverMs / 1000, 2)} s`],
    ['client CPU', 10, (r) => (r.cpu.clientProcessMs === null ? '—' : `${round(r.cpu.clientProcessMs / 1000, 2)} s`)],
    ['wall', 7, (r) => `${round(r.cpu.wallMs / 1000, 1)} s`],
    ['loop max', 9, (r) => `${r.cpu.eventLoopDelayMs.max} ms`],
    ['loop p99', 9, (r) => `${r.cpu.eventLoopDelayMs.p99} ms`],
    ['loop ran/waited', 16, (r) => (r.cpu.mainThread ? `${round(r.cpu.mainThread.ranMs / 1000, 2)}/${round(r.cpu.mainThread.waitedForCoreMs / 1000, 2)} s` : '—')],
  ]
  const row = (cells: (string | number)[]) => cells.map((cell, i) => String(cell).padStart(columns[i]![1])).join(' ')
  return [
    'publish -> client receipt per price, every client (p50/p95/p99); parse p95: the parsing clients only; file p95: fetch start of the tick -> client receipt;',
    'handed p99: publish -> every socket handed its event, server side, over ticks; slice max: the fan-out longest run without yielding; loop/tick: the worst tick event-loop stall of the whole process (ingest and store included);',
    'loop ran/waited: the main thread on a core, and ready but waiting for a core (the clients share this machine), over the measured ticks',
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
  const plan: { n: number; mode: Mode | null; profile: boolean; subscription: SubscriptionName }[] = [{ n: 0, mode: null, profile: false, subscription: 'full' }]
  // Transport by transport: a transport that fails to close its subscriptions when clients leave
  // (leftOpen) then burdens only its own later runs (the leak outlives a platform: the
  // subscriptions' generators stay suspended), so the REST runs come first.
  for (const mode of REQUESTED_MODES) {
    for (const [i, n] of CLIENT_COUNTS.entries()) plan.push({ n, mode, profile: PROFILE && i === CLIENT_COUNTS.length - 1, subscription: 'full' })
  }
  // The common case: many screens on the hubs and zones only.
  if (HUB_CLIENTS > 0) for (const mode of HUB_MODES) plan.push({ n: HUB_CLIENTS, mode, profile: PROFILE, subscription: 'hubs' })
  const fdLimit = openFileLimit()
  const mostClients = Math.max(0, ...plan.map((r) => r.n))
  progress(`Open file limit (ulimit -n) of this process: ${fdLimit ?? 'unknown'}; the largest run needs about ${mostClients + 200} here (one socket per client) and ${Math.ceil(mostClients / processesFor(mostClients)) + 100} per client process`)
  if (fdLimit !== null && fdLimit < mostClients + 200) throw new Error(`ulimit -n is ${fdLimit}: raise it (ulimit -n ${mostClients + 1000}) or lower BENCH_HUB_CLIENTS / BENCH_CLIENTS`)
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
        nodes = full.simulator.nodes
        for (const mode of REQUESTED_MODES) {
          const status = await probe(`${baseUrl(full)}${MODES[mode].path(SUBSCRIPTION)}`, full.token)
          if (status === 200) modes.push(mode)
          else progress(`${mode}: ${MODES[mode].path(SUBSCRIPTION)} answered ${status}; this transport is left out`)
        }
      }
      progress('  warm-up tick (no clients; first node catalogue, JIT; not counted)...')
      const warmUp = await countFanout(full, SUBSCRIPTIONS[run.subscription])
      await tick(full, 'warm-up', null, warmUp, 0)
      warmUp.detach()
      const result = await measureRun(full, run.n, run.mode, { profile: run.profile, subscription: run.subscription })
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
    process.stdout.write(`${profileTable(profiled.profile!.slice(0, 15))}\n`)
  }
  process.stdout.write(
    `${JSON.stringify({
      bench: 'stream',
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memoryGb: round(os.totalmem() / 2 ** 30), node: process.version },
      store: "embedded (PGlite + chDB, in-process bus, local objects); server, ingest and consumer in one process, the publisher simulator in a child process of its own (the vendors' servers are outside the platform), SSE clients in child processes",
      publisher: 'publisher simulator in a child process of its own (scripts/support/simulator-process.ts)',
      transports: Object.fromEntries(Object.entries(MODES).map(([mode, m]) => [mode, m.transport])),
      auth: 'Authorization: Bearer <personal access token of the demo quant>',
      subscription: SUBSCRIPTION,
      subscriptions: SUBSCRIPTIONS,
      clients: {
        processes: 'BENCH_CLIENT_PROCESSES, else 2 up to 300 clients and 4 above',
        nice: CLIENT_NICE === 0 ? 'BENCH_CLIENT_NICE 0: the clients have the same CPU priority as the server' : `BENCH_CLIENT_NICE ${CLIENT_NICE}: the clients run at a lower CPU priority than the server (nice ${CLIENT_NICE}), as if on other machines`,
        encoding: `${ENCODING} (BENCH_STREAM_ENCODING): ${ENCODING === 'deflate' ? 'Accept-Encoding: deflate; parsing clients inflate every event, counting clients inflate only the first bytes of each event (once per process per frame) and count compressed bytes, the event identified by id and compressed length' : 'no Accept-Encoding: uncompressed answers'}`,
        parsing: `${PARSING_CLIENTS} per run read every price (BENCH_PARSING_CLIENTS); the others read where events end, their id and length, and take the prices of the same event from a parsing client (latency: every client; latencyParsing: the parsing ones)`,
      },
      openFileLimit: fdLimit,
      why: 'the demo quant has MISO hub + API; CAISO has no API channel in the pilot, so clients follow MISO; CAISO is ingested and passes the fan-out each tick',
      nodes,
      perTick: 'MISO RT5 Current (one interval, every node) + CAISO RTM PRC_INTVL_LMP (one interval, ALL_APNODES), fetched at once; next tick once every client has every MISO price',
      steadyTicksPerRun: STEADY_TICKS,
      runs: Object.fromEntries(runs.map((r) => [`${r.mode ?? 'baseline'}_${r.subscription === 'hubs' ? 'hub_' : ''}clients_${r.clients}`, r])),
      totalSec: round((Date.now() - started) / 1000),
    })}\n`,
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
