import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type { PriceRecord } from '@carbon/schemas'
import { TOPICS, type Bus } from '../../../server/adapters/bus/index.ts'

const root = path.resolve(import.meta.dirname, '../../..')
const START_TIMEOUT_MS = 240_000
/**
 * Not 3000: `carbon serve` fetches with kafkajs' default 5 s long poll (openBus sets no
 * maxWaitTimeInMs) and heartbeats only between fetches, so a session shorter than that evicts its
 * consumers every fetch, and the fan-out's fresh group restarts at the end.
 */
const SESSION_TIMEOUT_MS = 10_000

export type RunningServer = {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
  /** SIGTERM, then its exit code once it has exited. */
  stop(): Promise<number | null>
}

/**
 * `node bin/carbon.js serve` of a test's own on Kafka (librdkafka's mock cluster) with embedded
 * stores in `dataDir`, so the web process runs the fan-out and the prices consumer in-process as
 * `carbon serve` does with KAFKA_BROKERS set. Its output is appended to `logFile` (kept after the
 * test for diagnosis); resolves once it prints its URL.
 */
/**
 * `demo: false` starts the platform without its demo data (DEMO_DATA=off), for a test whose every
 * value on the pages is one it published itself.
 */
export async function startServeOnKafka(options: { port: number; dataDir: string; brokers: string[]; logFile: string; demo?: boolean }): Promise<RunningServer> {
  const child = spawn(process.execPath, [path.join(root, 'bin/carbon.js'), 'serve', '--port', String(options.port)], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATA_DIR: options.dataDir,
      KAFKA_BROKERS: options.brokers.join(','),
      KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      INGEST_SOURCE: 'off',
      PUBLIC_URL: `http://localhost:${options.port}`,
      ...(options.demo === false ? { DEMO_DATA: 'off' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output += chunk.toString()
    fs.appendFileSync(options.logFile, chunk)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS)
    const check = () => {
      if (/254Carbon hub: http:\/\/\S+/.test(output)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout!.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before it was up:\n${output}`))
    })
  })
  const stop = () => {
    child.kill('SIGTERM')
    return exited
  }
  return { child, output: () => output, exited, stop }
}

/** Publishes price records to prices.normalized as the ingest would (keyed by market and node). */
export async function publishPrices(producer: Bus, records: PriceRecord[]): Promise<void> {
  await producer.publish(
    TOPICS.pricesNormalized,
    records.map((r) => ({ key: `${r.market}:${r.node}`, value: JSON.stringify(r), headers: { 'ingest-time': new Date().toISOString() } })),
  )
}
