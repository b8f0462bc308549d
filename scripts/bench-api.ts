/**
 * `npm run bench:api`: REST throughput and latency of markets.list, prices.latest and
 * prices.history, against the server's own /healthz as the baseline measured in the same run, on
 * two stores side by side (BENCH_STORES, default both, in this order):
 *   embedded   the default of `npm start`: PGlite + chDB in a fresh DATA_DIR;
 *   postgres   the same with DATABASE_URL on a new database of the local PostgreSQL server
 *              (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres), chDB as above.
 * Each store is seeded fresh: 7 days of demo data for every node plus one year of 5-minute prices
 * for INDIANA.HUB. Calls carry a personal access token of the demo quant, so every call pays for
 * token verification, the entitlement check and its audit row. The server is `carbon serve` in a
 * child process; autocannon (BENCH_CONNECTIONS, default 10, for BENCH_DURATION s, default 10)
 * runs in this one.
 * Each figure also has the server process's CPU per request (user + system, /proc/<pid>/stat),
 * which a noisy machine disturbs far less than the request rate.
 * The authenticated floor (markets.list against /healthz) is measured again as BENCH_FLOOR_PAIRS
 * (default 5) back-to-back pairs of 3 s each, alternating, and reported as the median of the
 * pairs' ratios: two 10 s windows minutes apart compare two different moments of a shared machine.
 * BENCH_SCENARIOS=<scenario,...>: measure only these (and the baseline), for a quick look.
 * BENCH_PROFILE=<scenario,...|all>: afterwards, each named scenario runs once more for 5 s against
 * a fresh server started with --cpu-prof, and the functions with the most self time are printed
 * (not counted in the figures above); BENCH_PROFILE_DIR=<dir> keeps each whole profile there.
 * The last line is one JSON object.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { pino } from 'pino'
import { generateDemoPrices } from '@carbon/demo-data'
import { migratePostgres, openPostgres } from '../server/adapters/postgres/client.ts'
import { createScratchServerDatabase } from '../server/adapters/postgres/testing.ts'
import { createProgress } from '../server/cli/progress.ts'
import { parseEnv } from '../server/env.ts'
import { openPlatform, seedReferenceData } from '../server/platform.ts'
import { seedDemo } from '../server/services/demo/index.ts'
import { insertPrices } from '../server/services/prices/index.ts'
import { profileTable, topSelfTime, type CpuProfile, type ProfileLine } from './support/cpu-profile.ts'
import { demoQuantToken } from './support/demo-token.ts'
import { processCpuSeconds } from './support/process-cpu.ts'

const root = path.resolve(import.meta.dirname, '..')
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const END = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000)
const YEAR_FROM = new Date(END.getTime() - 365 * 86_400_000)
const STORES = (process.env.BENCH_STORES ?? 'embedded,postgres').split(',').map((s) => s.trim()).filter(Boolean) as Store[]
const PROFILE = (process.env.BENCH_PROFILE ?? '').split(',').map((s) => s.trim()).filter(Boolean)
const ONLY = (process.env.BENCH_SCENARIOS ?? '').split(',').map((s) => s.trim()).filter(Boolean)
const POSTGRES_SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const FLOOR_PAIRS = Math.max(0, Number(process.env.BENCH_FLOOR_PAIRS ?? 5))
const FLOOR_PAIR_S = 3

type Store = 'embedded' | 'postgres'
/** Where one store's run keeps its data: DATA_DIR always (chDB, objects), DATABASE_URL for postgres. */
type StoreEnv = { DATA_DIR: string; DATABASE_URL?: string }

/** Seeds the store and returns a personal access token of the demo quant (MISO API entitlement). */
async function seed(storeEnv: StoreEnv): Promise<string> {
  const platform = await openPlatform(parseEnv({ ...storeEnv }), pino({ level: 'warn' }))
  try {
    const token = await demoQuantToken(platform, 'bench')
    await seedDemo(platform, { days: 7, end: END, progress: (total) => createProgress('Seeding 7 demo days', total) })
    const progress = createProgress('Seeding a year of INDIANA.HUB RT5', 365 * 288)
    let pending = []
    for (const batch of generateDemoPrices({ end: END, days: 365, nodes: ['INDIANA.HUB'], runs: ['RT5'] })) {
      pending.push(...batch)
      if (pending.length >= 50_000) {
        await insertPrices(platform.ch, pending)
        progress.tick(pending.length)
        pending = []
      }
    }
    await insertPrices(platform.ch, pending)
    progress.tick(pending.length)
    progress.finish()
    return token
  } finally {
    await platform.close()
  }
}

function startServer(storeEnv: StoreEnv, profileDir?: string): Promise<{ url: string; stop(): Promise<void>; pid: number }> {
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(root, 'server/cli.ts'), 'serve', '--port', '0', '--no-demo'], {
    cwd: root,
    // The rate limit is lifted: the bench measures the platform, not the limiter.
    env: { ...process.env, ...storeEnv, NODE_ENV: 'test', LOG_LEVEL: 'warn', UV_THREADPOOL_SIZE: '8', RATE_LIMIT_PER_MINUTE: '100000000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /254Carbon hub: (http:\/\/\S+)/.exec(out)
      if (match?.[1]) {
        resolve({
          url: match[1],
          pid: child.pid ?? 0,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done())
              child.kill('SIGTERM')
            }),
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)))
  })
}

/** headers: sent besides the token (a client that accepts gzip, as browsers, curl --compressed and requests do). */
type Scenario = { name: string; path: string; connections?: number; anonymous?: boolean; headers?: Record<string, string> }

async function measure(base: string, token: string, scenario: Scenario, duration = DURATION_S, serverPid?: number) {
  const headers: Record<string, string> = { ...(scenario.anonymous ? {} : { authorization: `Bearer ${token}` }), ...scenario.headers }
  // Warm-up: one request, checked for success, so a broken endpoint fails loudly. Its body's
  // length as sent (compressed when the scenario accepts gzip), as autocannon's requests get it.
  const warm = await rawGet(base + scenario.path, headers)
  if (warm.status !== 200) throw new Error(`${scenario.name}: ${warm.status} ${warm.body.toString('utf8', 0, 500)}`)
  const bytes = warm.body.length
  const cpuBefore = serverPid === undefined ? null : processCpuSeconds(serverPid)
  const result = await autocannon({
    url: base + scenario.path,
    headers,
    connections: scenario.connections ?? CONNECTIONS,
    duration,
  })
  const cpuAfter = serverPid === undefined ? null : processCpuSeconds(serverPid)
  const serverCpuMs = cpuBefore === null || cpuAfter === null ? null : Math.round((cpuAfter - cpuBefore) * 1000)
  return {
    requestsPerSec: Math.round(result.requests.average * 10) / 10,
    /** The server process's CPU (all its threads) per request answered, in microseconds. */
    serverCpuUsPerRequest: serverCpuMs === null || result.requests.total === 0 ? null : Math.round((serverCpuMs * 1000) / result.requests.total),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    responseBytes: bytes,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    connections: scenario.connections ?? CONNECTIONS,
  }
}

/** A GET with exactly these headers (fetch would add Accept-Encoding and decode), its body as received. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

function scenarios(): Scenario[] {
  const all = allScenarios()
  return ONLY.length === 0 ? all : all.filter((s) => s.name === 'baseline_healthz' || ONLY.includes(s.name))
}

function allScenarios(): Scenario[] {
  const year = `from=${YEAR_FROM.toISOString()}&to=${END.toISOString()}`
  const weekFrom = new Date(END.getTime() - 7 * 86_400_000).toISOString()
  return [
    { name: 'baseline_healthz', path: '/healthz', anonymous: true },
    { name: 'markets_list_authenticated', path: '/api/v1/markets' },
    { name: 'latest_miso_rt5_hubs_zones', path: '/api/v1/prices/latest?market=MISO&run=RT5&sparklineHours=24' },
    { name: 'latest_miso_rt5_one_node', path: '/api/v1/prices/latest?market=MISO&run=RT5&nodes=INDIANA.HUB' },
    { name: 'history_year_daily', path: `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=RT5&resolution=daily&${year}` },
    { name: 'history_year_hourly', path: `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=RT5&resolution=hourly&${year}` },
    { name: 'history_year_hourly_gzip', path: `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=RT5&resolution=hourly&${year}`, headers: { 'accept-encoding': 'gzip' } },
    { name: 'history_week_raw', path: `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=RT5&resolution=raw&from=${weekFrom}&to=${END.toISOString()}` },
    { name: 'history_year_raw', path: `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=RT5&resolution=raw&${year}`, connections: 2 },
  ]
}

type Result = Awaited<ReturnType<typeof measure>>

/** A fresh store of the given kind: its environment and how to remove it. */
async function openStore(store: Store): Promise<{ env: StoreEnv; remove(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-bench-'))
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true })
  if (store === 'embedded') return { env: { DATA_DIR: dataDir }, remove: async () => removeDir() }
  const database = await createScratchServerDatabase(POSTGRES_SERVER)
  // A server database is migrated by `carbon migrate` (a deploy step), not by the processes.
  const handle = await openPostgres({ dataDir, DATABASE_URL: database.url })
  try {
    await migratePostgres(handle)
    await seedReferenceData(handle, parseEnv({ DATA_DIR: dataDir, DATABASE_URL: database.url }))
  } finally {
    await handle.close()
  }
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: database.url },
    async remove() {
      removeDir()
      await database.drop()
    },
  }
}

/** Each scenario against one server; then the profiled ones, each on a server of its own. */
async function runStore(store: Store): Promise<{ results: Record<string, Result>; profiles: Record<string, ProfileLine[]>; floor: Floor | null }> {
  process.stderr.write(`\n== store: ${store}\n`)
  const { env, remove } = await openStore(store)
  const results: Record<string, Result> = {}
  const profiles: Record<string, ProfileLine[]> = {}
  let floor: Floor | null = null
  try {
    const token = await seed(env)
    const server = await startServer(env)
    try {
      for (const scenario of scenarios()) {
        process.stderr.write(`Measuring ${store} ${scenario.name} for ${DURATION_S} s...\n`)
        results[scenario.name] = await measure(server.url, token, scenario, DURATION_S, server.pid)
      }
      floor = await measureFloor(store, server, token)
    } finally {
      await server.stop()
    }
    for (const scenario of scenarios().filter((s) => PROFILE.includes(s.name) || PROFILE.includes('all'))) {
      process.stderr.write(`Profiling ${store} ${scenario.name} for 5 s...\n`)
      profiles[scenario.name] = await profileScenario(env, token, scenario)
    }
  } finally {
    await remove()
  }
  return { results, profiles, floor }
}

type Floor = {
  pairs: { healthzRps: number; marketsRps: number; rpsRatio: number; cpuRatio: number | null }[]
  /** Median over the pairs of markets.list's rate over /healthz's (the target: at least 1/3). */
  medianRpsRatio: number
  /** Median over the pairs of /healthz's server CPU per request over markets.list's (the same floor, by CPU instead of rate). */
  medianCpuRatio: number | null
}

/** The authenticated floor as FLOOR_PAIRS alternating pairs of short windows (see the top of this file). */
async function measureFloor(store: Store, server: { url: string; pid: number }, token: string): Promise<Floor | null> {
  const all = allScenarios()
  const healthz = all.find((s) => s.name === 'baseline_healthz')!
  const markets = all.find((s) => s.name === 'markets_list_authenticated')!
  if (FLOOR_PAIRS === 0 || !scenarios().some((s) => s.name === markets.name)) return null
  process.stderr.write(`Measuring ${store} the authenticated floor: ${FLOOR_PAIRS} pairs of /healthz and markets.list, ${FLOOR_PAIR_S} s each...\n`)
  const pairs: Floor['pairs'] = []
  for (let i = 0; i < FLOOR_PAIRS; i++) {
    const h = await measure(server.url, token, healthz, FLOOR_PAIR_S, server.pid)
    const m = await measure(server.url, token, markets, FLOOR_PAIR_S, server.pid)
    const cpuRatio = h.serverCpuUsPerRequest && m.serverCpuUsPerRequest ? round3(h.serverCpuUsPerRequest / m.serverCpuUsPerRequest) : null
    pairs.push({ healthzRps: h.requestsPerSec, marketsRps: m.requestsPerSec, rpsRatio: round3(m.requestsPerSec / h.requestsPerSec), cpuRatio })
  }
  const cpuRatios = pairs.map((p) => p.cpuRatio).filter((r): r is number => r !== null)
  return { pairs, medianRpsRatio: median(pairs.map((p) => p.rpsRatio)), medianCpuRatio: cpuRatios.length === pairs.length ? median(cpuRatios) : null }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : round3((sorted[mid - 1]! + sorted[mid]!) / 2)
}

async function profileScenario(env: StoreEnv, token: string, scenario: Scenario): Promise<ProfileLine[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-bench-prof-'))
  try {
    const server = await startServer(env, dir)
    const started = performance.now()
    try {
      await measure(server.url, token, scenario, 5)
    } finally {
      await server.stop()
    }
    // The profile covers the whole process; only the measured seconds (and the stop) count.
    const window = performance.now() - started
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
    if (!file) throw new Error(`no CPU profile written in ${dir}`)
    // BENCH_PROFILE_DIR: the whole profile is kept there too (for Chrome DevTools or speedscope).
    const keep = process.env.BENCH_PROFILE_DIR
    if (keep) {
      fs.mkdirSync(keep, { recursive: true })
      fs.copyFileSync(path.join(dir, file), path.join(keep, `${scenario.name}.cpuprofile`))
    }
    return topSelfTime(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile, root, 25, window)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

function ratiosOf(results: Record<string, Result>) {
  const baseline = results.baseline_healthz!
  return Object.fromEntries(
    Object.entries(results)
      .filter(([name]) => name !== 'baseline_healthz')
      .map(([name, r]) => [
        name,
        {
          rpsVsBaseline: round3(r.requestsPerSec / baseline.requestsPerSec),
          cpuPerRequestVsBaseline: r.serverCpuUsPerRequest && baseline.serverCpuUsPerRequest ? round3(r.serverCpuUsPerRequest / baseline.serverCpuUsPerRequest) : null,
          p50VsBaseline: baseline.latencyP50Ms ? Math.round((r.latencyP50Ms / baseline.latencyP50Ms) * 10) / 10 : null,
        },
      ]),
  )
}

async function main() {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/ensure-build.js')], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('build failed')
  const stores: Partial<Record<Store, { results: Record<string, Result>; ratios: ReturnType<typeof ratiosOf>; floor: Floor | null }>> = {}
  for (const store of STORES) {
    const { results, profiles, floor } = await runStore(store)
    stores[store] = { results, ratios: ratiosOf(results), floor }
    // Printed as each store finishes, so a later store's failure does not lose them.
    for (const [name, r] of Object.entries(results)) {
      process.stdout.write(
        `${store.padEnd(9)} ${name.padEnd(30)} ${String(r.requestsPerSec).padStart(9)} req/s  p50 ${String(r.latencyP50Ms).padStart(5)} ms  p99 ${String(r.latencyP99Ms).padStart(5)} ms  ${String(r.serverCpuUsPerRequest ?? '—').padStart(6)} us CPU/req  ${r.responseBytes} B\n`,
      )
    }
    if (floor) {
      process.stdout.write(
        `${store.padEnd(9)} floor (markets.list / healthz, ${floor.pairs.length} alternating pairs): median rate ratio ${floor.medianRpsRatio}, median CPU ratio ${floor.medianCpuRatio ?? '—'} (${floor.pairs.map((p) => p.rpsRatio).join(', ')})\n`,
      )
    }
    for (const [name, lines] of Object.entries(profiles)) {
      process.stdout.write(`\nCPU profile, ${store}, ${name} (server main thread, self time over 5 s):\n${profileTable(lines.slice(0, 20))}\n`)
    }
  }
  const side = Object.fromEntries(
    scenarios().map((s) => [s.name, Object.fromEntries(Object.entries(stores).map(([store, v]) => [store, { rps: v.results[s.name]?.requestsPerSec, p99Ms: v.results[s.name]?.latencyP99Ms }]))]),
  )
  process.stdout.write(
    `${JSON.stringify({
      bench: 'api',
      what: 'REST GET with a personal access token (verified, entitled, audited) vs /healthz, autocannon in the bench process, server in a child',
      durationSec: DURATION_S,
      connections: CONNECTIONS,
      cores: os.cpus().length,
      stores,
      sideBySide: side,
    })}\n`,
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
