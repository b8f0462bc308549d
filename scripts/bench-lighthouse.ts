/**
 * `npm run bench:lighthouse`: Lighthouse's default (mobile) preset, signed in, on three hub pages:
 * the overview, a node page and a curve page. Starts the platform as `npm start` does (embedded
 * stores, demo data) in a fresh data directory, signs in as a demo analyst through the development
 * identity provider in Chromium, and hands the session cookie to Lighthouse as an extra header.
 * Each page is measured BENCH_RUNS times (default 3; pages interleaved, so a noisy moment hits all
 * three alike) and the medians are reported. Progress on stderr, a table on stdout, and the last
 * stdout line is one JSON object (BENCH_REPORT_DIR keeps each run's full Lighthouse JSON). Asserts nothing but its own setup (the server starts, sign-in
 * works, every page answers 200 signed in, every request of every measured load succeeds).
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import type { Result as LighthouseResult } from 'lighthouse'
import { cookieHeader, launchBrowser, signIn } from '../tests/e2e/support/browser.ts'
import { processCpuSeconds } from './support/process-cpu.ts'

const root = path.resolve(import.meta.dirname, '..')
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Where to keep every run's full Lighthouse result (JSON), for a closer look; none kept when unset. */
const REPORT_DIR = process.env.BENCH_REPORT_DIR
/** A demo analyst: MISO and CAISO in the hub, nothing else (no admin link in the nav bar). */
const DEMO_USER = 'Alan Analyst'
/** A hub the demo data has prices and a forward curve for (packages/demo-data DEMO_CURVE_HUBS). */
const HUB = { market: 'MISO', node: 'INDIANA.HUB' }
const PAGES = [
  { name: 'overview', path: '/' },
  { name: 'node', path: `/markets/${HUB.market}/nodes/${encodeURIComponent(HUB.node)}` },
  { name: 'curve', path: `/curves/${HUB.market}/${encodeURIComponent(HUB.node)}` },
] as const
const CHROME_FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage', '--no-first-run']

type RunningServer = { url: string; pid: number; stop(): Promise<void> }

function log(line: string): void {
  process.stderr.write(`${line}\n`)
}

/**
 * `carbon serve` as `npm start` runs it (demo data, ingest, every embedded worker) on a free port;
 * the hub's URL is printed only after the demo data is loaded, so waiting for it waits for both.
 */
function startServer(dataDir: string): Promise<RunningServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli.ts'), 'serve', '--port', '0'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const onExit = (code: number | null) => reject(new Error(`server exited with ${code}: ${out}`))
    child.once('exit', onExit)
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /254Carbon hub: (http:\/\/\S+)/.exec(out)
      if (!match?.[1]) return
      child.off('exit', onExit)
      resolve({
        url: match[1],
        pid: child.pid ?? 0,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
      })
    })
  })
}

/**
 * Waits until the server has settled after its first start (the embedded ingest catches up with
 * the publisher simulator for a while): its CPU use under a quarter of a core over 3 s, for at
 * most BENCH_SETTLE_S seconds (default 120). Measuring during the catch-up measures the catch-up.
 */
async function waitForQuietServer(pid: number): Promise<void> {
  const limitMs = Number(process.env.BENCH_SETTLE_S ?? 120) * 1000
  const started = Date.now()
  while (Date.now() - started < limitMs) {
    const before = processCpuSeconds(pid)
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const after = processCpuSeconds(pid)
    if (before === null || after === null) return
    const share = (after - before) / 3
    if (share < 0.25) {
      log(`Server settled after ${Math.round((Date.now() - started) / 1000)} s (CPU ${Math.round(share * 100)} % of a core)`)
      return
    }
  }
  log(`Server still busy after ${limitMs / 1000} s; measuring anyway`)
}

/** Signs in through the hub's login page and the development provider; returns the Cookie header. */
async function signedInCookie(baseUrl: string): Promise<string> {
  const browser = await launchBrowser()
  try {
    const page = await browser.context.newPage()
    await signIn(page, baseUrl, DEMO_USER)
    return await cookieHeader(browser.context, baseUrl)
  } finally {
    await browser.close()
  }
}

/** Setup sanity: every page answers 200 with the cookie (a 404 or a sign-in redirect would be measured otherwise). */
async function checkPages(baseUrl: string, cookie: string): Promise<void> {
  for (const page of PAGES) {
    const response = await fetch(baseUrl + page.path, { headers: { cookie }, redirect: 'manual' })
    if (response.status !== 200) throw new Error(`${page.path} answered ${response.status} signed in`)
    await response.arrayBuffer()
  }
}

const METRICS = {
  fcpMs: 'first-contentful-paint',
  lcpMs: 'largest-contentful-paint',
  tbtMs: 'total-blocking-time',
  cls: 'cumulative-layout-shift',
  siMs: 'speed-index',
} as const

type Sample = {
  performance: number
  accessibility: number
  fcpMs: number
  lcpMs: number
  tbtMs: number
  cls: number
  siMs: number
  failingAccessibility: string[]
  opportunities: { id: string; savingsMs: number; savingsBytes: number }[]
  transferBytes: number
}

/** The numbers this bench reports, read from one Lighthouse result. */
function sampleOf(lhr: LighthouseResult): Sample {
  const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100)
  const metric = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN
  const a11yIds = (lhr.categories.accessibility?.auditRefs ?? []).map((ref) => ref.id)
  const failingAccessibility = a11yIds.filter((id) => {
    const audit = lhr.audits[id]
    return audit && audit.scoreDisplayMode === 'binary' && audit.score !== null && audit.score < 1
  })
  const opportunities = Object.values(lhr.audits)
    .filter((audit) => audit.details?.type === 'opportunity' && (audit.score ?? 1) < 1)
    .map((audit) => {
      const details = audit.details as { overallSavingsMs?: number; overallSavingsBytes?: number }
      return { id: audit.id, savingsMs: Math.round(details.overallSavingsMs ?? 0), savingsBytes: Math.round(details.overallSavingsBytes ?? 0) }
    })
    .filter((o) => o.savingsMs > 0 || o.savingsBytes > 0)
    .sort((a, b) => b.savingsMs - a.savingsMs || b.savingsBytes - a.savingsBytes)
    .slice(0, 5)
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    fcpMs: Math.round(metric(METRICS.fcpMs)),
    lcpMs: Math.round(metric(METRICS.lcpMs)),
    tbtMs: Math.round(metric(METRICS.tbtMs)),
    cls: Math.round(metric(METRICS.cls) * 1000) / 1000,
    siMs: Math.round(metric(METRICS.siMs)),
    failingAccessibility,
    opportunities,
    transferBytes: Math.round(metric('total-byte-weight')),
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Medians per number; the audits and opportunities of the run whose performance score is the median. */
function summarize(samples: Sample[]) {
  const numeric = ['performance', 'accessibility', 'fcpMs', 'lcpMs', 'tbtMs', 'cls', 'siMs', 'transferBytes'] as const
  const medians = Object.fromEntries(numeric.map((key) => [key, median(samples.map((s) => s[key]))])) as Record<(typeof numeric)[number], number>
  const byPerformance = [...samples].sort((a, b) => a.performance - b.performance)
  const middle = byPerformance[Math.floor((byPerformance.length - 1) / 2)]!
  const failing = [...new Set(samples.flatMap((s) => s.failingAccessibility))].sort()
  return {
    ...medians,
    runs: samples.length,
    performanceRuns: samples.map((s) => s.performance),
    tbtRuns: samples.map((s) => s.tbtMs),
    failingAccessibility: failing,
    opportunities: middle.opportunities,
  }
}

async function runLighthouse(port: number, url: string, cookie: string): Promise<LighthouseResult> {
  const result = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility'],
    extraHeaders: { Cookie: cookie },
  })
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`)
  return result.lhr
}

/**
 * One measured run. A run Lighthouse failed to record (`runtimeError`, e.g. NO_NAVSTART: its trace
 * missed the navigation, which a loaded machine now and then makes it do) says nothing about the
 * page, so it is tried again, up to three times in all.
 */
async function measure(port: number, url: string, cookie: string): Promise<LighthouseResult> {
  for (let attempt = 1; ; attempt++) {
    const lhr = await runLighthouse(port, url, cookie)
    if (!lhr.runtimeError) {
      checkRequests(lhr)
      return lhr
    }
    const failure = `Lighthouse failed on ${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`
    if (attempt === 3) throw new Error(failure)
    log(`  ${failure}; trying again`)
  }
}

/**
 * Setup sanity: every request of the page load succeeded. The server reads the hub's build once at
 * start, so a rebuild of build/ meanwhile (another checkout user's `npm start` or e2e run) leaves
 * it naming scripts that are gone: the page then loads without JavaScript and measures far too
 * well. Such a run is refused rather than reported.
 */
function checkRequests(lhr: LighthouseResult): void {
  const items = (lhr.audits['network-requests']?.details as { items?: { url: string; statusCode: number }[] } | undefined)?.items ?? []
  const failed = items.filter((request) => request.statusCode >= 400).map((request) => `${request.statusCode} ${request.url}`)
  if (failed.length > 0) throw new Error(`requests failed while measuring ${lhr.finalDisplayedUrl} (was build/ rebuilt under the server?):\n${failed.join('\n')}`)
}

function printTable(pages: Record<string, ReturnType<typeof summarize>>): void {
  const header = ['page', 'perf', 'a11y', 'FCP ms', 'LCP ms', 'TBT ms', 'CLS', 'SI ms', 'KB']
  const rows = Object.entries(pages).map(([name, p]) => [
    name,
    String(p.performance),
    String(p.accessibility),
    String(p.fcpMs),
    String(p.lcpMs),
    String(p.tbtMs),
    String(p.cls),
    String(p.siMs),
    String(Math.round(p.transferBytes / 1024)),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  const out = [line(header), ...rows.map(line)]
  for (const [name, p] of Object.entries(pages)) {
    out.push(`${name}: failing accessibility audits: ${p.failingAccessibility.join(', ') || 'none'}`)
    out.push(`${name}: top opportunities: ${p.opportunities.map((o) => `${o.id} (${o.savingsMs} ms, ${Math.round(o.savingsBytes / 1024)} KB)`).join(', ') || 'none'}`)
  }
  process.stdout.write(`${out.join('\n')}\n`)
}

async function main() {
  if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`BENCH_RUNS must be a positive integer, not ${process.env.BENCH_RUNS}`)
  // The build's own output goes to stderr: stdout carries the table and the JSON line only.
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/ensure-build.js')], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] })
  if (build.status !== 0) throw new Error('building the hub failed')
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-bench-lighthouse-'))
  log('Starting the platform with demo data (first start loads it)...')
  const server = await startServer(dataDir)
  let chrome: chromeLauncher.LaunchedChrome | null = null
  const samples: Record<string, Sample[]> = Object.fromEntries(PAGES.map((p) => [p.name, []]))
  // The machine's load while measuring (1, 5 and 15 minute averages): on a shared machine the same
  // build scores lower when other work competes for the cores, so the figures travel with it.
  const loadAverage: { start: number[]; end: number[] } = { start: [], end: [] }
  try {
    log(`Hub at ${server.url}; signing in as ${DEMO_USER}...`)
    const cookie = await signedInCookie(server.url)
    await checkPages(server.url, cookie)
    await waitForQuietServer(server.pid)
    chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: CHROME_FLAGS, logLevel: 'silent' })
    loadAverage.start = os.loadavg().map((l) => Math.round(l * 100) / 100)
    for (let run = 1; run <= RUNS; run++) {
      for (const page of PAGES) {
        log(`Lighthouse run ${run}/${RUNS}: ${page.name} (${page.path})...`)
        const lhr = await measure(chrome.port, server.url + page.path, cookie)
        if (REPORT_DIR) {
          fs.mkdirSync(REPORT_DIR, { recursive: true })
          fs.writeFileSync(path.join(REPORT_DIR, `${page.name}-${run}.json`), JSON.stringify(lhr))
        }
        const sample = sampleOf(lhr)
        log(`  performance ${sample.performance}, accessibility ${sample.accessibility}, TBT ${sample.tbtMs} ms, LCP ${sample.lcpMs} ms`)
        samples[page.name]!.push(sample)
      }
    }
    loadAverage.end = os.loadavg().map((l) => Math.round(l * 100) / 100)
    log(`Load average: ${loadAverage.start.join(' ')} at the start, ${loadAverage.end.join(' ')} at the end`)
  } finally {
    chrome?.kill()
    await server.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
  const pages = Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, summarize(s)]))
  printTable(pages)
  const summary = {
    bench: 'lighthouse',
    preset: 'default (mobile, simulated throttling)',
    lighthouse: (createRequire(import.meta.url)('lighthouse/package.json') as { version: string }).version,
    runs: RUNS,
    cores: os.cpus().length,
    loadAverage,
    paths: Object.fromEntries(PAGES.map((p) => [p.name, p.path])),
    pages,
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
