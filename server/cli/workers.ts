import { isSeriesDatasetId, SERIES_DATASET_IDS, SERIES_DATASETS, type SeriesDatasetDefinition, type SeriesDatasetId } from '@carbon/connectors'
import { MarketId } from '@carbon/schemas'
import { TOPICS } from '../adapters/bus/index.ts'
import type { Env } from '../env.ts'
import { AppError } from '../errors.ts'
import { startWorkerHttp, type WorkerHttp } from '../http/worker-http.ts'
import type { Logger } from '../logger.ts'
import { registerConsumerLag, registerStoreGauge, type ConsumedTopic } from '../metrics.ts'
import { openPlatform, type Platform } from '../platform.ts'
import { checkReadiness, platformProbes } from '../services/health/index.ts'
import { runBackfill as backfill } from '../services/ingest/backfill.ts'
import { resolveDataset } from '../services/ingest/datasets.ts'
import { runSeriesBackfill } from '../services/series/backfill.ts'
import { watermarkKey } from '../services/series/scheduler.ts'
import { CURVE_SOLVER_GROUP, startCurveSolver } from '../workers/curve-solver.ts'
import { EXPORT_WORKER_GROUP, startExportWorker } from '../workers/export-worker.ts'
import { PRICES_CONSUMER_GROUP, startPricesConsumer, type PricesConsumer } from '../workers/prices-consumer.ts'
import { SERIES_CONSUMER_GROUP, startSeriesConsumer } from '../workers/series-consumer.ts'
import { REPORT_RENDERER_GROUP, startReportRenderer } from '../workers/report-renderer.ts'
import { SCENARIO_WORKER_GROUP, startScenarioWorker } from '../workers/scenario-worker.ts'
import { openWhenAvailable } from '../workers/stores.ts'
import { connectorConfig, ingestHttpClient, pipelineDeps, resolveIngestSource, startEmbeddedSimulator, startIngestWorker } from '../workers/ingest.ts'
import { acquireDataLock } from './commands.ts'
import { stderr, stdout } from './output.ts'
import { createProgress } from './progress.ts'
import { DRAIN_TIMEOUT_MS, stopOnSignals } from './shutdown.ts'

/**
 * The sidecar commands: `carbon ingest`, `consumer`, `solver`, `scenario-worker`, `export-worker`
 * and `backfill`. Against real engines (Kafka, PostgreSQL, ClickHouse) each runs alone, scaled as
 * its own deployment. On the in-process bus nothing crosses processes, so `ingest` and `backfill`
 * also run the prices consumer in their own process (otherwise nothing would store what they
 * publish) and the others are refused: `carbon serve` runs everything there. Each long-running
 * sidecar (not backfill, a Job) also serves /healthz, /readyz and /metrics on METRICS_PORT
 * (server/http/worker-http.ts).
 */

/** The topics and consumer groups each worker reads (the lag gauge's series). */
export const CONSUMED_TOPICS = {
  consumer: [
    { topic: TOPICS.pricesNormalized, group: PRICES_CONSUMER_GROUP },
    { topic: TOPICS.seriesNormalized, group: SERIES_CONSUMER_GROUP },
  ],
  solver: [{ topic: TOPICS.curvesBuild, group: CURVE_SOLVER_GROUP }],
  scenarioWorker: [{ topic: TOPICS.scenariosRun, group: SCENARIO_WORKER_GROUP }],
  exportWorker: [{ topic: TOPICS.exportsRun, group: EXPORT_WORKER_GROUP }],
  reportRenderer: [{ topic: TOPICS.reportsRender, group: REPORT_RENDERER_GROUP }],
} as const satisfies Record<string, readonly ConsumedTopic[]>

/**
 * A sidecar's health and metrics (its carbon_build_info is set by the CLI's telemetry start,
 * server/cli/telemetry.ts): the listener on METRICS_PORT (/healthz, /readyz, /metrics), started before the platform opens so liveness holds
 * while the sidecar waits for its stores. `opened` hands it the platform and registers the
 * platform's scrape-time series (carbon_store_up, and the lag of the groups the sidecar reads);
 * `close` stops the listener and removes them.
 */
async function startSidecarHttp(env: Env, log: Logger) {
  let platform: Platform | null = null
  const unregister: (() => void)[] = []
  const http: WorkerHttp = await startWorkerHttp({ env, platform: () => platform, port: env.METRICS_PORT, log })
  return {
    opened(opened: Platform, consumed: readonly ConsumedTopic[]) {
      platform = opened
      unregister.push(registerStoreGauge(() => checkReadiness(platformProbes(opened)), { log }))
      unregister.push(registerConsumerLag(opened.bus, consumed, { log }))
    },
    async close() {
      for (const remove of unregister.splice(0)) remove()
      await http.close()
    },
  }
}

type SidecarHttp = Awaited<ReturnType<typeof startSidecarHttp>>

/**
 * Runs until SIGINT/SIGTERM, then closes the health and metrics listener, stops `stop` and closes
 * the platform (bounded: shutdown.ts).
 */
function untilSignal(platform: Platform, log: Logger, release: () => void, http: SidecarHttp, stop: () => Promise<void>): number {
  stopOnSignals(log, async () => {
    await http.close()
    await stop()
    await platform.close()
    release()
  })
  return -1
}

/** Opens the sidecar's platform (`open`) after its listener started; the listener is closed again when opening fails. */
async function openSidecar(env: Env, log: Logger, open: () => Promise<{ platform: Platform; release: () => void }>) {
  const http = await startSidecarHttp(env, log)
  try {
    return { ...(await open()), http }
  } catch (error) {
    await http.close()
    throw error
  }
}

async function openWorkerPlatform(env: Env, log: Logger): Promise<{ platform: Platform; release: () => void }> {
  const release = acquireDataLock(env)
  try {
    return { platform: await openPlatform(env, log, { checkSchema: true }), release }
  } catch (error) {
    release()
    throw error
  }
}

export async function runConsumerCommand(env: Env, log: Logger): Promise<number> {
  if (env.embedded.bus) {
    throw new AppError('BAD_REQUEST', 'the consumer sidecar reads Kafka: set KAFKA_BROKERS (on the embedded default `carbon serve` runs the consumer itself)')
  }
  // ClickHouse down (or its embedded directory held elsewhere): wait, reading nothing, not exit.
  const { platform, release, http } = await openSidecar(env, log, () =>
    openWhenAvailable(() => openWorkerPlatform(env, log), { log, what: 'ClickHouse (or another store of the consumer)' }),
  )
  http.opened(platform, CONSUMED_TOPICS.consumer)
  // The series consumer first: the signal handlers are installed (untilSignal) as soon as the
  // prices consumer, whose batches start at once, has started.
  const series = await startSeriesConsumer({ bus: platform.bus, ch: platform.ch, log })
  const consumer = await startPricesConsumer({ bus: platform.bus, ch: platform.ch, log })
  const code = untilSignal(platform, log, release, http, () => Promise.all([consumer.stop(), series.stop()]).then(() => undefined))
  await stdout().write('prices consumer running: prices.normalized and series.normalized -> ClickHouse (Ctrl-C stops)\n')
  return code
}

export async function runSolverCommand(env: Env, log: Logger): Promise<number> {
  if (env.embedded.bus) {
    throw new AppError('BAD_REQUEST', 'the solver sidecar reads Kafka: set KAFKA_BROKERS (on the embedded default `carbon serve` runs the solver itself)')
  }
  const { platform, release, http } = await openSidecar(env, log, () => openWorkerPlatform(env, log))
  http.opened(platform, CONSUMED_TOPICS.solver)
  const solver = await startCurveSolver({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log })
  const code = untilSignal(platform, log, release, http, () => solver.stop())
  await stdout().write('curve solver running: curves.build -> curve points (Ctrl-C stops)\n')
  return code
}

/**
 * `carbon scenario-worker`: scenarios.run -> the fundamentals model -> scenario results. A run in
 * flight at shutdown goes back to the outbox.
 */
export async function runScenarioWorkerCommand(env: Env, log: Logger): Promise<number> {
  if (env.embedded.bus) {
    throw new AppError('BAD_REQUEST', 'the scenario worker sidecar reads Kafka: set KAFKA_BROKERS (on the embedded default `carbon serve` runs the scenario worker itself)')
  }
  const { platform, release, http } = await openSidecar(env, log, () => openWorkerPlatform(env, log))
  http.opened(platform, CONSUMED_TOPICS.scenarioWorker)
  const worker = await startScenarioWorker({ bus: platform.bus, db: platform.pg.db, ch: platform.ch, log })
  const code = untilSignal(platform, log, release, http, () => worker.stop())
  await stdout().write('scenario worker running: scenarios.run -> scenario results (Ctrl-C stops)\n')
  return code
}

/**
 * `carbon export-worker`: exports.run -> CSV/Parquet files, and reports.render -> scheduled report
 * PDFs (with the daily schedule), both into the object store. A job in flight at shutdown is
 * delivered again at the next start.
 */
export async function runExportWorkerCommand(env: Env, log: Logger): Promise<number> {
  if (env.embedded.bus) {
    throw new AppError('BAD_REQUEST', 'the export worker sidecar reads Kafka: set KAFKA_BROKERS (on the embedded default `carbon serve` runs the export worker itself)')
  }
  const { platform, release, http } = await openSidecar(env, log, () => openWorkerPlatform(env, log))
  http.opened(platform, [...CONSUMED_TOPICS.exportWorker, ...CONSUMED_TOPICS.reportRenderer])
  const deps = { bus: platform.bus, db: platform.pg.db, ch: platform.ch, objects: platform.objects, env: platform.env, log }
  const [exports, reports] = await Promise.all([startExportWorker(deps), startReportRenderer(deps)])
  const code = untilSignal(platform, log, release, http, async () => {
    await Promise.all([exports.stop(), reports.stop()])
  })
  await stdout().write('export worker running: exports.run -> files, reports.render -> report PDFs, in the object store (Ctrl-C stops)\n')
  return code
}

export async function runIngestCommand(env: Env, log: Logger): Promise<number> {
  const source = resolveIngestSource(env)
  if (source === 'off') throw new AppError('BAD_REQUEST', 'INGEST_SOURCE is off: nothing to ingest (set INGEST_SOURCE=publishers or simulator)')
  const { platform, release, http } = await openSidecar(env, log, () => openWorkerPlatform(env, log))
  // With Kafka the ingest reads no topic; on the in-process bus it runs the prices consumer too.
  http.opened(platform, env.embedded.bus ? CONSUMED_TOPICS.consumer : [])
  const consumer: PricesConsumer | null = env.embedded.bus ? await startPricesConsumer({ bus: platform.bus, ch: platform.ch, log }) : null
  const worker = await startIngestWorker(platform, source)
  const code = untilSignal(platform, log, release, http, async () => {
    await worker.stop()
    // The in-process bus forgets what it holds: store everything published before stopping.
    if (consumer && !(await consumer.drain(DRAIN_TIMEOUT_MS))) {
      log.warn({ waitedMs: DRAIN_TIMEOUT_MS }, 'prices still unconsumed at shutdown: they are lost with the in-process bus')
    }
    await consumer?.stop()
  })
  await stdout().write(`ingest running from ${worker.publisherUrl ?? 'the publishers'}${consumer ? ' (with the prices consumer: in-process bus)' : ''} (Ctrl-C stops)\n`)
  return code
}

function parseTime(name: string, value: string | undefined): Date {
  if (!value) throw AppError.badRequest(`backfill needs --${name} (a date YYYY-MM-DD or an ISO time)`)
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw AppError.badRequest(`--${name} must be a date YYYY-MM-DD or an ISO time, got "${value}"`)
  return new Date(ms)
}

export type BackfillArgs = { market?: string; dataset?: string; from?: string; to?: string; force: boolean; source?: string }

/** --from and --to as times, --to clipped (said on stderr) to what the dataset has published; refused when empty. */
async function backfillWindow(dataset: { id: string; publishedUntil(now: number): number }, args: Pick<BackfillArgs, 'from' | 'to'>): Promise<{ from: Date; to: Date }> {
  const from = parseTime('from', args.from)
  let to = parseTime('to', args.to)
  const publishedUntil = dataset.publishedUntil(Date.now())
  if (to.getTime() > publishedUntil) {
    await stderr().write(`--to is past what ${dataset.id} has published; backfilling until ${new Date(publishedUntil).toISOString()}\n`)
    to = new Date(publishedUntil)
  }
  if (!(from < to)) throw AppError.badRequest(`nothing to backfill: --from ${from.toISOString()} is not before ${to.toISOString()}`)
  return { from, to }
}

/**
 * `carbon backfill --market MISO --dataset rt-final --from 2026-07-01 --to 2026-07-08`. Dates are
 * UTC midnights unless given as times; --to is exclusive. Prints a progress bar; resumable.
 */
export async function runBackfillCommand(env: Env, log: Logger, args: BackfillArgs): Promise<number> {
  if (args.dataset && isSeriesDatasetId(args.dataset)) return runSeriesBackfillCommand(env, log, { ...args, dataset: args.dataset })
  const market = MarketId.safeParse(args.market)
  if (!market.success) throw AppError.badRequest(`backfill needs --market ${MarketId.options.join('|')}${args.market ? `, got "${args.market}"` : ''}`)
  if (!args.dataset) throw AppError.badRequest(`backfill needs --dataset (e.g. --dataset rt-final, or a series dataset: ${SERIES_DATASET_IDS.join(', ')})`)
  const dataset = resolveDataset(market.data, args.dataset)
  const { from, to } = await backfillWindow(dataset, args)

  const source = backfillSource(env, args.source)
  const { platform, release } = await openWorkerPlatform(env, log)
  const simulator = source === 'simulator' && !env.INGEST_SIMULATOR_URL ? await startEmbeddedSimulator(log) : null
  let consumed = 0
  const consumer = env.embedded.bus
    ? await startPricesConsumer({ bus: platform.bus, ch: platform.ch, log, onBatch: (messages) => (consumed += messages) })
    : null
  try {
    const config = await connectorConfig(platform, source === 'simulator' ? (env.INGEST_SIMULATOR_URL ?? simulator!.url) : null)
    const deps = pipelineDeps(platform, log)
    const progress = backfillProgress(dataset.id)
    const result = await backfill(deps, ingestHttpClient(env, log), config, { dataset, from, to, force: args.force }, progress.hooks)
    progress.finish()
    if (result.status === 'already-done') return reportAlreadyDone(dataset.id, from, to, result.id)
    if (consumer) await waitFor(() => consumed >= result.records, 'the prices consumer to store every record')
    return reportBackfill(result, 'records')
  } finally {
    await consumer?.stop()
    await simulator?.close()
    await platform.close()
    release()
  }
}

/** The progress bar of a backfill on stderr (from where a resumed job stands), and the hooks that move it. */
function backfillProgress(datasetId: string) {
  let bar: ReturnType<typeof createProgress> | null = null
  const hooks = {
    onStart(p: { resumedFrom: Date | null; done: number; total: number }) {
      if (p.resumedFrom) void stderr().write(`Resuming from ${p.resumedFrom.toISOString()} (${p.done} of ${p.total} requests already done)\n`)
      bar = createProgress(`Backfill ${datasetId}`, p.total)
      bar.tick(p.done)
    },
    onProgress: () => bar?.tick(1),
  }
  return { hooks, finish: () => bar?.finish() }
}

async function reportAlreadyDone(datasetId: string, from: Date, to: Date, jobId: string): Promise<number> {
  await stdout().write(`${datasetId} ${from.toISOString()} .. ${to.toISOString()} was backfilled already (job ${jobId}); --force fetches it again\n`)
  return 0
}

/** The backfill's outcome on stdout (its problem on stderr) and its exit code: 1 stopped, 3 some requests failed, else 0. */
async function reportBackfill(
  result: { status: string; done: number; total: number; records: number; issues: number; id: string; error: string | null; failedRequests: number },
  unit: 'records' | 'values',
): Promise<number> {
  await stdout().write(
    `${result.status === 'done' ? 'Backfill done' : 'Backfill stopped'}: ${result.done}/${result.total} requests, ${result.records.toLocaleString('en-US')} ${unit}, ${result.issues} refused (dead-letter topic), job ${result.id}\n`,
  )
  if (result.error) await stderr().write(`${result.status === 'failed' ? 'Stopped by' : 'Last problem'}: ${result.error}\n${result.status === 'failed' ? 'Run the same command again to resume.\n' : ''}`)
  return result.status === 'failed' ? 1 : result.failedRequests > 0 ? 3 : 0
}

/** The backfill's source (simulator or publishers): --source, else INGEST_SOURCE's. */
function backfillSource(env: Env, given: string | undefined): 'simulator' | 'publishers' {
  if (given !== undefined && given !== 'simulator' && given !== 'publishers') throw AppError.badRequest(`--source must be simulator or publishers, got "${given}"`)
  const configured = resolveIngestSource(env)
  return given ?? (configured === 'off' ? 'publishers' : configured)
}

/**
 * `carbon backfill --dataset eia.930.region_data --from 2026-07-01 --to 2026-07-08`: a series
 * dataset (server/services/series/backfill.ts) through the scheduler's requests (EIA-930 per
 * respondent and day, a workbook once), progress on stderr and in ingest_backfills, resumable. No
 * --market: EIA-930 files are ingested under the market each respondent maps to, the others under
 * their product. --to is clipped to what the dataset has published.
 */
async function runSeriesBackfillCommand(env: Env, log: Logger, args: BackfillArgs & { dataset: SeriesDatasetId }): Promise<number> {
  const dataset = SERIES_DATASETS[args.dataset] as SeriesDatasetDefinition
  if (args.market !== undefined) {
    throw AppError.badRequest(`--market is not for series datasets: ${dataset.id} is ingested under ${watermarkKey(dataset) === 'GRID' ? 'the market each EIA-930 respondent maps to' : `its product, ${watermarkKey(dataset)}`}; leave --market out`)
  }
  const { from, to } = await backfillWindow(dataset, args)
  const source = backfillSource(env, args.source)
  const { platform, release } = await openWorkerPlatform(env, log)
  const simulator = source === 'simulator' && !env.INGEST_SIMULATOR_URL ? await startEmbeddedSimulator(log) : null
  // On the in-process bus the series consumer runs here, or nothing would store what is published.
  const consumer = env.embedded.bus ? await startSeriesConsumer({ bus: platform.bus, ch: platform.ch, log }) : null
  try {
    const config = await connectorConfig(platform, source === 'simulator' ? (env.INGEST_SIMULATOR_URL ?? simulator!.url) : null)
    const deps = { db: platform.pg.db, bus: platform.bus, objects: platform.objects, log }
    const progress = backfillProgress(dataset.id)
    const result = await runSeriesBackfill(deps, ingestHttpClient(env, log), config, { dataset, from, to, force: args.force }, progress.hooks)
    progress.finish()
    if (result.status === 'already-done') return reportAlreadyDone(dataset.id, from, to, result.id)
    if (consumer && !(await consumer.drain(600_000))) throw new AppError('UNAVAILABLE', 'timed out waiting for the series consumer to store every value')
    return reportBackfill(result, 'values')
  } finally {
    await consumer?.stop()
    await simulator?.close()
    await platform.close()
    release()
  }
}

async function waitFor(done: () => boolean, what: string): Promise<void> {
  const started = Date.now()
  while (!done()) {
    if (Date.now() - started > 600_000) throw new AppError('UNAVAILABLE', `timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
