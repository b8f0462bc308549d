import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import net, { type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorkerHttp, type WorkerHttp } from '../../server/http/worker-http.ts'
import { metrics, metricsHandler, setBuildInfo } from '../../server/metrics.ts'

/*
 * A real Prometheus (Debian's package, /usr/bin/prometheus) scraping metricsHandler over HTTP:
 * one job presents the bearer token through `authorization` in its scrape config, one a wrong
 * token; a third scrapes a sidecar's own listener (server/http/worker-http.ts) as the chart's
 * carbon-solver job would. The outcome is read back through Prometheus's HTTP API.
 */

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus'
const TOKEN = 'prometheus-test-token-0123456789abcdef'

let server: Server
let worker: WorkerHttp | undefined
let prometheus: ChildProcess | undefined
let prometheusLog = ''
let dir = ''
let api = ''

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

beforeAll(async () => {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(
      `Prometheus is not installed at ${PROMETHEUS}: install Debian's package (apt-get install -y prometheus; .ci/run does) ` +
        'or point PROMETHEUS_PATH at the binary',
    )
  }
  const handler = metricsHandler({ token: () => TOKEN })
  server = createServer((req, res) => {
    if (req.url?.split('?')[0] === '/metrics') void handler(req, res)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`
  // The sidecar listener with no platform yet (its /readyz would say so); /metrics serves the registry.
  worker = await startWorkerHttp({ env: { METRICS_TOKEN: TOKEN, HOST: '127.0.0.1', NODE_ENV: 'test' }, platform: () => null, port: 0, log: pino({ level: 'silent' }) })

  dir = await mkdtemp(path.join(os.tmpdir(), 'carbon-prometheus-'))
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    'scrape_configs:',
    '  - job_name: carbon',
    '    metrics_path: /metrics',
    '    authorization:',
    '      type: Bearer',
    `      credentials: ${TOKEN}`,
    '    static_configs:',
    `      - targets: ['${target}']`,
    '  - job_name: carbon-wrong-token',
    '    metrics_path: /metrics',
    '    authorization:',
    '      type: Bearer',
    '      credentials: not-the-metrics-token-at-all',
    '    static_configs:',
    `      - targets: ['${target}']`,
    '  - job_name: carbon-solver',
    '    metrics_path: /metrics',
    '    authorization:',
    '      type: Bearer',
    `      credentials: ${TOKEN}`,
    '    static_configs:',
    `      - targets: ['127.0.0.1:${worker.port}']`,
    '',
  ].join('\n')
  await writeFile(path.join(dir, 'prometheus.yml'), config)
  const port = await freePort()
  api = `http://127.0.0.1:${port}/api/v1`
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  prometheus.stdout?.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()))
  prometheus.stderr?.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()))
})

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve))
    prometheus.kill('SIGTERM')
    await exited
  }
  await new Promise((resolve) => server?.close(resolve))
  await worker?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

type QueryResult = { metric: Record<string, string>; value: [number, string] }

/** An instant query through Prometheus's HTTP API; [] while Prometheus is not up or has no sample. */
async function query(expr: string): Promise<QueryResult[]> {
  try {
    const res = await fetch(`${api}/query?query=${encodeURIComponent(expr)}`)
    if (!res.ok) return []
    const body = (await res.json()) as { status: string; data: { result: QueryResult[] } }
    return body.status === 'success' ? body.data.result : []
  } catch {
    return []
  }
}

/** Polls until `condition` holds or `timeoutMs` passed; returns whether it held (assertions follow). */
async function eventually(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline || prometheus?.exitCode !== null) return false
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return true
}

describe('Prometheus scraping /metrics', () => {
  it('scrapes the carbon metrics with the bearer token and is refused without it', async () => {
    metrics.consumerRecords.inc({ outcome: 'dead_lettered' }, 3)
    const scraped = await eventually(async () => (await query('carbon_consumer_records_total{job="carbon",outcome="dead_lettered"}')).length > 0)
    expect(scraped, `no carbon_ series scraped; Prometheus said:\n${prometheusLog}`).toBe(true)

    const [series] = await query('carbon_consumer_records_total{job="carbon",outcome="dead_lettered"}')
    expect(series!.metric).toMatchObject({ __name__: 'carbon_consumer_records_total', job: 'carbon', outcome: 'dead_lettered' })
    expect(Number(series!.value[1])).toBe(3)
    expect((await query('up{job="carbon"}')).map((r) => r.value[1])).toEqual(['1'])
    // Default process metrics come along.
    expect((await query('process_cpu_seconds_total{job="carbon"}')).length).toBe(1)

    // The wrong token: the target is down with the 401 as its error, and none of its series exist.
    expect(await eventually(async () => (await query('up{job="carbon-wrong-token"}')).length > 0)).toBe(true)
    expect((await query('up{job="carbon-wrong-token"}')).map((r) => r.value[1])).toEqual(['0'])
    expect(await query('carbon_consumer_records_total{job="carbon-wrong-token"}')).toEqual([])
    const targets = (await (await fetch(`${api}/targets`)).json()) as {
      data: { activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }
    }
    const wrong = targets.data.activeTargets.find((t) => t.labels.job === 'carbon-wrong-token')
    expect(wrong?.health).toBe('down')
    expect(wrong?.lastError).toMatch(/401/)
  })

  it("scrapes a sidecar's own listener: its build info under the sidecar's job", async () => {
    setBuildInfo('solver', { version: '9.9.9', revision: 'prom-int-test' })
    const expr = 'carbon_build_info{job="carbon-solver",command="solver",revision="prom-int-test"}'
    const scraped = await eventually(async () => (await query(expr)).length > 0)
    expect(scraped, `the sidecar listener was not scraped; Prometheus said:\n${prometheusLog}`).toBe(true)
    const [series] = await query(expr)
    expect(series!.metric).toMatchObject({ __name__: 'carbon_build_info', job: 'carbon-solver', version: '9.9.9', command: 'solver' })
    expect(series!.value[1]).toBe('1')
    expect((await query('up{job="carbon-solver"}')).map((r) => r.value[1])).toEqual(['1'])
  })
})
