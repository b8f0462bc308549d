/**
 * `npm run bench:api`: REST throughput and latency of prices.latest and prices.history on the
 * embedded default (PGlite + chDB), against the server's own /healthz as the baseline measured in
 * the same run. Seeds a fresh data directory: 7 days of demo data for every node plus one year of
 * 5-minute prices for INDIANA.HUB. Calls carry a personal access token of the demo quant, so
 * every call pays for token verification, the entitlement check and its audit row. The last line
 * is one JSON object.
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { pino } from 'pino'
import { generateDemoPrices } from '@carbon/demo-data'
import { createProgress } from '../server/cli/progress.ts'
import { parseEnv } from '../server/env.ts'
import { openPlatform } from '../server/platform.ts'
import { seedDemo } from '../server/services/demo/index.ts'
import { insertPrices } from '../server/services/prices/index.ts'
import { demoQuantToken } from './support/demo-token.ts'

const root = path.resolve(import.meta.dirname, '..')
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const END = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000)
const YEAR_FROM = new Date(END.getTime() - 365 * 86_400_000)

/** Seeds the store and returns a personal access token of the demo quant (MISO API entitlement). */
async function seed(dataDir: string): Promise<string> {
  const platform = await openPlatform(parseEnv({ DATA_DIR: dataDir }), pino({ level: 'warn' }))
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

function startServer(dataDir: string): Promise<{ url: string; stop(): Promise<void>; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli.ts'), 'serve', '--port', '0', '--no-demo'], {
    cwd: root,
    // The rate limit is lifted: the bench measures the platform, not the limiter.
    env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn', UV_THREADPOOL_SIZE: '8', RATE_LIMIT_PER_MINUTE: '100000000' },
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

type Scenario = { name: string; path: string; connections?: number; anonymous?: boolean }

async function measure(base: string, token: string, scenario: Scenario) {
  const headers: Record<string, string> = scenario.anonymous ? {} : { authorization: `Bearer ${token}` }
  // Warm-up: one request, checked for success, so a broken endpoint fails loudly.
  const warm = await fetch(base + scenario.path, { headers })
  if (!warm.ok) throw new Error(`${scenario.name}: ${warm.status} ${await warm.text()}`)
  const bytes = (await warm.arrayBuffer()).byteLength
  const result = await autocannon({
    url: base + scenario.path,
    headers,
    connections: scenario.connections ?? CONNECTIONS,
    duration: DURATION_S,
  })
  return {
    requestsPerSec: Math.round(result.requests.average * 10) / 10,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    responseBytes: bytes,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    connections: scenario.connections ?? CONNECTIONS,
  }
}

async function main() {
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/ensure-build.js')], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('build failed')
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-bench-'))
  const token = await seed(dataDir)
  const server = await startServer(dataDir)
  const year = `from=${YEAR_FROM.toISOString()}&to=${END.toISOString()}`
  const weekFrom = new Date(END.getTime() - 7 * 86_400_000).toISOString()
  const scenarios: Scenario[] = [
    { name: 'baseline_healthz', path: '/healthz', anonymous: true },
    { name: 'markets_list_authenticated', path: '/api/v1/markets' },
    { name: 'latest_miso_rt5_hubs_zones', path: '/api/v1/prices/latest?market=MISO&run=RT5&sparklineHours=24' },
    { name: 'latest_miso_rt5_one_node', path: '/api/v1/prices/latest?market=MISO&run=RT5&nodes=INDIANA.HUB' },
    { name: 'history_year_daily', path: `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=RT5&resolution=daily&${year}` },
    { name: 'history_year_hourly', path: `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=RT5&resolution=hourly&${year}` },
    { name: 'history_week_raw', path: `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=RT5&resolution=raw&from=${weekFrom}&to=${END.toISOString()}` },
    { name: 'history_year_raw', path: `/api/v1/prices/history?market=MISO&node=INDIANA.HUB&run=RT5&resolution=raw&${year}`, connections: 2 },
  ]
  const results: Record<string, Awaited<ReturnType<typeof measure>>> = {}
  try {
    for (const scenario of scenarios) {
      process.stderr.write(`Measuring ${scenario.name} for ${DURATION_S} s...\n`)
      results[scenario.name] = await measure(server.url, token, scenario)
    }
  } finally {
    await server.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
  const baseline = results.baseline_healthz!
  const ratios = Object.fromEntries(
    Object.entries(results)
      .filter(([name]) => name !== 'baseline_healthz')
      .map(([name, r]) => [name, { rpsVsBaseline: Math.round((r.requestsPerSec / baseline.requestsPerSec) * 1000) / 1000, p50VsBaseline: baseline.latencyP50Ms ? Math.round((r.latencyP50Ms / baseline.latencyP50Ms) * 10) / 10 : null }]),
  )
  for (const [name, r] of Object.entries(results)) {
    process.stderr.write(`${name.padEnd(30)} ${String(r.requestsPerSec).padStart(9)} req/s  p50 ${r.latencyP50Ms} ms  p99 ${r.latencyP99Ms} ms  ${r.responseBytes} B\n`)
  }
  process.stdout.write(
    `${JSON.stringify({ bench: 'api', store: 'embedded (PGlite + chDB)', durationSec: DURATION_S, cores: os.cpus().length, results, ratios })}\n`,
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
