import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { migrateClickHouse } from '../adapters/clickhouse/migrate.ts'
import { migratePostgres } from '../adapters/postgres/client.ts'
import type { Env } from '../env.ts'
import { AppError } from '../errors.ts'
import { startHttpServer } from '../http/server.ts'
import type { Logger } from '../logger.ts'
import { registerConsumerLag, registerStoreGauge } from '../metrics.ts'
import { openPlatform, seedReferenceData, setPlatform, type Platform } from '../platform.ts'
import { DEV_IDP_PATH } from '../services/auth/config.ts'
import { checkReadiness, platformProbes } from '../services/health/index.ts'
import { clearDemo, DEFAULT_DEMO_DAYS } from '../services/demo/index.ts'
import { loadDemoUntilComplete, type DemoLoadOptions } from '../services/demo/load.ts'
import { pricesPublished } from '../services/prices/read-cache.ts'
import { setPriceFanout, startPriceFanout } from '../services/stream/index.ts'
import { startIngestWorker, resolveIngestSource } from '../workers/ingest.ts'
import { startCurveSolver } from '../workers/curve-solver.ts'
import { startExportWorker } from '../workers/export-worker.ts'
import { startReportRenderer } from '../workers/report-renderer.ts'
import { startScenarioWorker } from '../workers/scenario-worker.ts'
import { requestHouseBaseRun, seedHouseScenarios } from '../services/scenarios/index.ts'
import { startPricesConsumer } from '../workers/prices-consumer.ts'
import { startSeriesConsumer } from '../workers/series-consumer.ts'
import { stderr, stdout } from './output.ts'
import { createProgress } from './progress.ts'
import { DRAIN_TIMEOUT_MS, stopOnSignals } from './shutdown.ts'
import { CONSUMED_TOPICS } from './workers.ts'

function usesEmbeddedFiles(env: Env) {
  return env.embedded.postgres || env.embedded.clickhouse
}

/**
 * Embedded stores live in files one process may open at a time. The serving process records
 * its pid; other commands refuse to touch the files while it runs.
 */
export function acquireDataLock(env: Env): () => void {
  if (!usesEmbeddedFiles(env)) return () => {}
  fs.mkdirSync(env.dataDir, { recursive: true })
  const lockFile = path.join(env.dataDir, 'carbon.pid')
  const holder = Number(fs.existsSync(lockFile) ? fs.readFileSync(lockFile, 'utf8').trim() : NaN)
  if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
    throw new AppError(
      'CONFLICT',
      `the embedded data directory ${env.dataDir} is in use by process ${holder}; stop it first (or set DATA_DIR)`,
    )
  }
  fs.writeFileSync(lockFile, String(process.pid))
  return () => fs.rmSync(lockFile, { force: true })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function parseDays(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DEMO_DAYS
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0 || n > 3660) {
    throw new AppError('BAD_REQUEST', `--days must be a whole number of days between 1 and 3660, got "${value}"`)
  }
  return n
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new AppError('BAD_REQUEST', `--port must be a port number between 0 and 65535 (0 = any free port), got "${value}"`)
  }
  return n
}

/**
 * Loads the demo until complete (services/demo/load.ts), saying what it does on stderr: an
 * interrupted earlier load is named and loaded again.
 */
async function loadDemo(platform: Platform, options: { days: number; mode: DemoLoadOptions['mode'] }) {
  const started = Date.now()
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1)
  const result = await loadDemoUntilComplete(platform, {
    ...options,
    progress: (total) => createProgress('Loading demo data', total),
    onResume: () => void stderr().write('Demo data incomplete from an earlier start; loading again\n'),
  })
  if (result.prices) {
    await stderr().write(`Demo data: ${result.prices.records.toLocaleString('en-US')} prices for ${result.prices.nodes} nodes in ${seconds()} s\n`)
  }
  if (result.scenarios) await stderr().write(`Demo base scenario: run ${result.scenarios.runId} to 2050 in ${seconds()} s\n`)
  if (result.curves) await stderr().write(`Demo curves: ${result.curves.builds} builds to 2050 in ${seconds()} s\n`)
  if (result.series) {
    await stderr().write(`Demo series (gas, LNG, LCFS, RECs, EIA-930): ${result.series.records.toLocaleString('en-US')} values from ${result.series.files} files in ${seconds()} s\n`)
  }
}

export async function runMigrate(env: Env, log: Logger): Promise<number> {
  const release = acquireDataLock(env)
  const platform = await openPlatform(env, log, { migrateEmbedded: false })
  try {
    const pg = await migratePostgres(platform.pg)
    await seedReferenceData(platform.pg, env)
    // The house scenarios (the built-in base) exist wherever the schema does: `extends "base"` resolves everywhere.
    await seedHouseScenarios(platform.pg.db)
    const ch = await migrateClickHouse(platform.ch)
    await stdout().write(
      `Postgres (${platform.pg.kind}): ${pg.applied} migration(s) applied\nClickHouse (${platform.ch.kind}): ${ch.applied.length} migration(s) applied${ch.applied.length ? `: ${ch.applied.join(', ')}` : ''}\n`,
    )
    return 0
  } finally {
    await platform.close()
    release()
  }
}

export async function runSeedDemo(env: Env, log: Logger, options: { days?: string; reset: boolean }): Promise<number> {
  const days = parseDays(options.days)
  const release = acquireDataLock(env)
  // Embedded stores are migrated here; real ones must have been (`carbon migrate`): checked.
  const platform = await openPlatform(env, log, { checkSchema: true }).catch((error: unknown) => {
    release()
    throw error
  })
  try {
    if (options.reset) {
      await clearDemo(platform)
      await stderr().write('Removed every price and pricing node.\n')
    }
    await loadDemo(platform, { days, mode: 'seed' })
    return 0
  } finally {
    await platform.close()
    release()
  }
}

/** A free TCP port on this machine (for `--port 0`: the public URL must be known before listening). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** The embedded development identity provider, mounted on the web server at DEV_IDP_PATH. */
async function devIdentityProvider(platform: Platform) {
  const { env, auth, log } = platform
  // Loaded on demand: oidc-provider is only needed where the development provider runs.
  const { createDevProvider } = await import('../adapters/identity/dev-provider.ts')
  const provider = await createDevProvider({
    issuer: auth.issuer,
    keyFile: path.join(env.dataDir, 'dev-idp-key.json'),
    hubClient: {
      clientId: auth.clientId,
      clientSecret: auth.clientSecret,
      redirectUris: [auth.redirectUri],
      postLogoutRedirectUris: [auth.postLogoutRedirectUri],
    },
    apiAudience: auth.apiAudience,
    log: log.child({ component: 'dev-idp' }),
  })
  log.warn({ issuer: auth.issuer }, 'development identity provider is running: demo users only, never for production')
  return provider
}

/**
 * What the web process runs besides the web: on the in-process bus nothing outside this process
 * can consume or produce, so it runs the prices consumer and (unless INGEST_SOURCE=off or
 * --no-ingest) the ingest. With Kafka they are sidecars (`carbon consumer`, `carbon ingest`),
 * except the consumer while ClickHouse is embedded: chDB's files belong to one process, this one.
 */
async function startEmbeddedWorkers(platform: Platform, ingest: boolean): Promise<{ stop(): Promise<void> }> {
  const { embedded } = platform.env
  // The consumer and the curve solver read the bus and write ClickHouse: in this process when either is embedded.
  const inProcess = embedded.bus || embedded.clickhouse
  // Started together: with Kafka each joins its own consumer group, which takes seconds apiece.
  // The scenario worker runs where the curve solver runs: it reads the bus and writes ClickHouse.
  // So do the export worker and the report renderer: they read ClickHouse and write the object store.
  const files = { bus: platform.bus, db: platform.pg.db, ch: platform.ch, objects: platform.objects, env: platform.env, log: platform.log }
  const [consumer, series, solver, scenarios, exports, reports] = inProcess
    ? await Promise.all([
        startPricesConsumer({ bus: platform.bus, ch: platform.ch, log: platform.log }),
        startSeriesConsumer({ bus: platform.bus, ch: platform.ch, log: platform.log }),
        startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log: platform.log }),
        startScenarioWorker({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log: platform.log }),
        startExportWorker(files),
        startReportRenderer(files),
      ])
    : [null, null, null, null, null, null]
  // Their consumer groups' lag, on this process's /metrics (the fan-out's own group is per process: left out).
  const unregisterLag = inProcess ? registerConsumerLag(platform.bus, Object.values(CONSUMED_TOPICS).flat(), { log: platform.log }) : () => {}
  const source = ingest && embedded.bus ? resolveIngestSource(platform.env) : 'off'
  const worker = source === 'off' ? null : await startIngestWorker(platform, source)
  if (worker) await stdout().write(`Live prices: ingest from ${worker.publisherUrl ? `the publisher simulator (${worker.publisherUrl})` : 'MISO and CAISO'}\n`)
  return {
    async stop() {
      // The ingest first, then the consumer. The in-process bus forgets what it holds, so the
      // consumer first stores everything published (bounded wait); Kafka keeps it for the next start.
      await worker?.stop()
      // Both consumers drain at once, within one bound.
      const [pricesDrained, seriesDrained] = await Promise.all([consumer?.drain(DRAIN_TIMEOUT_MS) ?? true, series?.drain(DRAIN_TIMEOUT_MS) ?? true])
      if (!pricesDrained) platform.log.warn({ waitedMs: DRAIN_TIMEOUT_MS }, 'prices still unconsumed at shutdown: they are lost with the in-process bus')
      if (!seriesDrained) platform.log.warn({ waitedMs: DRAIN_TIMEOUT_MS }, 'series values still unconsumed at shutdown: they are lost with the in-process bus')
      // Each leaves its consumer group (seconds apiece with Kafka): together, within the shutdown bound.
      await Promise.all([consumer?.stop(), series?.stop(), solver?.stop(), scenarios?.stop(), exports?.stop(), reports?.stop()])
      unregisterLag()
    },
  }
}

/** Runs the web process (and, on the embedded default, everything else) until SIGINT/SIGTERM. */
export async function runServe(baseEnv: Env, log: Logger, options: { dev: boolean; port?: string; demo: boolean; ingest?: boolean }): Promise<number> {
  const requested = parsePort(options.port, baseEnv.PORT)
  const port = requested === 0 ? await freePort() : requested
  const env: Env = { ...baseEnv, PORT: port, publicUrl: baseEnv.PUBLIC_URL ? baseEnv.publicUrl : `http://localhost:${port}` }
  const started = Date.now()
  const release = acquireDataLock(env)
  const platform = await openPlatform(env, log, { checkSchema: true }).catch((error: unknown) => {
    release()
    throw error
  })
  setPlatform(platform)
  // carbon_store_up: the readiness check of this platform, at scrape time.
  registerStoreGauge(() => checkReadiness(platformProbes(platform)), { log })
  // The house scenarios (the built-in base), saved at every start: a new engine's base is a new version, an unchanged one nothing.
  await seedHouseScenarios(platform.pg.db)
  const idp = platform.auth.devProvider ? await devIdentityProvider(platform) : null
  if (options.demo && env.DEMO_DATA === 'auto' && env.embedded.clickhouse) {
    await loadDemo(platform, { days: DEFAULT_DEMO_DAYS, mode: 'first-start' })
  }
  // The base run of this engine: stored by the demo load, else queued for the scenario worker (started below, or the sidecar).
  await requestHouseBaseRun({ db: platform.pg.db, bus: platform.bus, log })
  // The live price fan-out first, so it sees every price the workers below publish.
  const fanout = await startPriceFanout({ bus: platform.bus, log })
  setPriceFanout(fanout)
  // Every price the fan-out sees makes the cached answers about its market and run stale
  // (services/prices/read-cache.ts): the sidecar consumer stores what this process only sees.
  fanout.attach((prices) => void pricesPublished(platform.ch, prices))
  const workers = await startEmbeddedWorkers(platform, options.ingest ?? true)
  const server = await startHttpServer({
    port,
    host: env.HOST,
    dev: options.dev,
    log,
    mounts: idp ? [{ path: DEV_IDP_PATH, handler: idp.handler }] : [],
    publicUrl: env.publicUrl,
    identityOrigin: new URL(platform.auth.issuer).origin,
    limits: { bodyBytes: env.HTTP_BODY_LIMIT_BYTES, uploadBytes: env.HTTP_UPLOAD_LIMIT_BYTES, trpcMaxBatch: env.TRPC_MAX_BATCH },
  })
  log.info({ url: server.url, embedded: env.embedded, startupMs: Date.now() - started }, '254Carbon is up')

  // SIGTERM/SIGINT: stop taking requests, then the workers (the ingest first, the consumer after
  // storing what it published), the fan-out and the stores; bounded (shutdown.ts).
  stopOnSignals(log, async () => {
    await server.close()
    await workers.stop()
    await fanout.stop()
    await idp?.close()
    await platform.close()
    release()
  })
  // Printed once the signal handlers are installed: whoever waits for this line may stop us.
  await stdout().write(`254Carbon hub: ${server.url}  (API reference: ${server.url}/api/docs)\n`)
  return -1
}
