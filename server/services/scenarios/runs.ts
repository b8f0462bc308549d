import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Logger } from 'pino'
import { TOPICS, type Bus } from '../../adapters/bus/index.ts'
import type { ClickHouseHandle } from '../../adapters/clickhouse/client.ts'
import { scenarioRuns, scenarios, scenarioVersions, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { getLogger } from '../../logger.ts'
import { ModelError, RunnerStopped, type ModelRunner } from './compute.ts'
import { engineVersions, identityOf } from './engine.ts'
import { currentRunInputs, fitInputs, inputsLineage, inputsOfRun, RunInputError, runNeedsOf, workbookRunInputs, type RunInputs, type RunNeeds } from './fuel-inputs.ts'
import { publishRun } from './outbox.ts'
import { insertRunRows } from './result-store.ts'
import { summarizePrices } from './rows.ts'
import { houseBaseScenario, MAX_CHAIN, runSummaries, runVisibleTo, scenarioVersion, visibleScenario, type RunRow, type ScenarioRow, type VersionRow } from './scenarios.ts'
import {
  BASE_RUN_REF,
  DEFAULT_DRAWS,
  DEFAULT_SEED,
  HOUSE_ACCESS,
  HOUSE_LABEL,
  RunRequestInput,
  type FuelSnapshot,
  type GasForwardSnapshot,
  type LoadShapesSnapshot,
  type Lineage,
  type LineageLink,
  type RunStatus,
  type RunSummary,
  type ScenarioAccess,
  type SummaryRow,
} from './schemas.ts'

/**
 * Scenario runs: a request finds the run of the same inputs (the run id: canonical scenario,
 * base-data version (the tables, the Henry Hub history's, the measured load shapes' and, for a
 * scenario that sets `fuel.gas = forward`, the Henry Hub forward curve's snapshot ids:
 * fuel-inputs.ts), engine version, and draws and seed for Monte Carlo) or stores a new one, queued, with its lineage (and the snapshots, from which the worker computes it), and publishes
 * its row id on `scenarios.run` through the outbox (outbox.ts). The worker (server/workers/scenario-worker.ts) runs it (executeRun) and marks it done with a summary,
 * or failed with the reason; a run is never rewritten after that: a repeated request returns it.
 *
 * Who sees a run: the organization that asked for it, and everyone for a house run (the base run).
 * A request of the same run id as a house run is answered with the house run (its results are the
 * same bytes); otherwise each organization has its own row of a run id, however many ask.
 */

type RunContext = { run: RunRow; version: VersionRow; scenario: ScenarioRow }

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/**
 * The run id `base` stands for: the house run of the base scenario's latest version, deterministic,
 * on this engine; of those the latest requested that is done (a run on newer inputs takes over
 * once it is done), else the latest requested. Read from PostgreSQL: which inputs are current is
 * the requester's business (the run records them), not the reader's. With no such run, the id the
 * run on the bundled workbook would have (the caller then reports it not found).
 */
export async function baseRunId(db: Database): Promise<string> {
  const base = await houseBaseScenario(db)
  if (!base) throw AppError.notFound('The house base scenario', { runId: BASE_RUN_REF })
  const version = await scenarioVersion(db, base)
  const [latest] = await db
    .select({ runId: scenarioRuns.runId })
    .from(scenarioRuns)
    .where(
      and(
        eq(scenarioRuns.scenarioVersionId, version.id),
        isNull(scenarioRuns.organizationId),
        eq(scenarioRuns.mode, 'deterministic'),
        eq(scenarioRuns.engineVersion, engineVersions().engineVersion),
      ),
    )
    .orderBy(sql`${scenarioRuns.status} = 'done' desc`, desc(scenarioRuns.requestedAt))
    .limit(1)
  return latest?.runId ?? identityOf(version.canonical, 'deterministic', null, null).runId
}

/** A run id (or `base`) the caller sees: its organization's row first, else the house's; NOT_FOUND otherwise. */
export async function runOfCaller(db: Database, access: ScenarioAccess, ref: string): Promise<RunContext> {
  const runId = ref === BASE_RUN_REF ? await baseRunId(db) : ref
  const [row] = await db
    .select({ run: scenarioRuns, version: scenarioVersions, scenario: scenarios })
    .from(scenarioRuns)
    .innerJoin(scenarioVersions, eq(scenarioVersions.id, scenarioRuns.scenarioVersionId))
    .innerJoin(scenarios, eq(scenarios.id, scenarioVersions.scenarioId))
    .where(and(eq(scenarioRuns.runId, runId), runVisibleTo(access)))
    .orderBy(sql`${scenarioRuns.organizationId} is null`)
    .limit(1)
  if (!row) throw AppError.notFound(ref === BASE_RUN_REF ? `The base run (${runId}) of this engine` : `Scenario run ${runId}`, { runId })
  return row
}

async function runById(db: Database, id: string): Promise<RunContext | null> {
  const [row] = await db
    .select({ run: scenarioRuns, version: scenarioVersions, scenario: scenarios })
    .from(scenarioRuns)
    .innerJoin(scenarioVersions, eq(scenarioVersions.id, scenarioRuns.scenarioVersionId))
    .innerJoin(scenarios, eq(scenarios.id, scenarioVersions.scenarioId))
    .where(eq(scenarioRuns.id, id))
    .limit(1)
  return row ?? null
}

/** The version and its parents up to the root, each as a lineage link (name, ids, version, hash). */
export async function lineageChain(db: Database, version: VersionRow): Promise<LineageLink[]> {
  const chain: LineageLink[] = []
  let current: VersionRow | null = version
  while (current && chain.length < MAX_CHAIN) {
    const [owner] = await db.select({ name: scenarios.name }).from(scenarios).where(eq(scenarios.id, current.scenarioId)).limit(1)
    chain.push({ name: owner?.name ?? '?', scenarioId: current.scenarioId, versionId: current.id, version: current.version, canonicalHash: current.canonicalHash })
    if (!current.parentVersionId) break
    const [parent]: VersionRow[] = await db.select().from(scenarioVersions).where(eq(scenarioVersions.id, current.parentVersionId)).limit(1)
    current = parent ?? null
  }
  return chain
}

/** What a run's row holds in `lineage`: the lineage shown, and the snapshots of its inputs (never shown: they are the inputs themselves). */
type StoredLineage = Lineage & { fuelSnapshot?: FuelSnapshot; loadShapesSnapshot?: LoadShapesSnapshot; gasForwardSnapshot?: GasForwardSnapshot }

/** A run as the API shows it. A house run never names a person. */
export function toRunStatus({ run, version, scenario }: RunContext): RunStatus {
  const { fuelSnapshot: _fuel, loadShapesSnapshot: _shapes, gasForwardSnapshot: _forward, ...lineage } = run.lineage as StoredLineage
  const house = run.organizationId === null
  return {
    runId: run.runId,
    owner: house ? 'house' : 'organization',
    status: run.status as RunStatus['status'],
    progress: run.progress,
    error: run.error,
    mode: run.mode as RunStatus['mode'],
    draws: run.draws,
    seed: run.seed,
    scenario: { id: scenario.id, name: scenario.name, version: version.version },
    inputsHash: run.inputsHash,
    engineVersion: run.engineVersion,
    baseDataVersion: run.baseDataVersion,
    fuelHistoryId: run.fuelHistoryId,
    lineage: { ...lineage, requestedByLabel: house ? HOUSE_LABEL : lineage.requestedByLabel },
    requestedAt: run.requestedAt.toISOString(),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    summary: (run.summary as SummaryRow[] | null) ?? null,
  }
}

/** getRun: the status, lineage and summary of a run the caller sees. */
export async function getRun(db: Database, access: ScenarioAccess, input: { runId: string }): Promise<RunStatus> {
  return toRunStatus(await runOfCaller(db, access, input.runId))
}

/** listRuns: the runs the caller sees (its organization's and the house's), newest first; of one scenario when given. */
export async function listRuns(db: Database, access: ScenarioAccess, input: { scenarioId?: string } = {}): Promise<RunSummary[]> {
  if (input.scenarioId) await visibleScenario(db, access, input.scenarioId)
  return runSummaries(db, access, input)
}

/**
 * `ch`: the ClickHouse handle the current Henry Hub history, EIA-930 demand and forward curve
 * points are read from (fuel-inputs.ts); without it a run is requested on the bundled workbook and
 * built-in shapes, and a scenario that sets `fuel.gas = forward` is refused.
 */
type RunDeps = { db: Database; bus: Bus; log?: Logger; ch?: ClickHouseHandle }

/**
 * A run's inputs: given as they are, or read for what the run's scenario needs (the version's
 * resolved assumptions decide whether the Henry Hub forward curve is read at all).
 */
export type RunInputsSource = RunInputs | ((needs: RunNeeds) => Promise<RunInputs>)

/** The current inputs of the stores behind `deps`, read for a run's needs (fuel-inputs.ts currentRunInputs). */
function currentInputsOf(deps: RunDeps): RunInputsSource {
  return (needs) => currentRunInputs(deps.ch, deps.db, needs)
}

/**
 * Stores a run request (or finds the run of the same inputs) without publishing it, on the inputs
 * given (default: the engine's own, bundled workbook and built-in shapes; requestRun reads the
 * current ones for what the scenario needs). Inputs are fitted to the version's needs
 * (fuel-inputs.ts fitInputs): a run of a scenario without `fuel.gas = forward` never carries a
 * forward curve (its id and lineage are those of before curves); one with it and no curve is a
 * BAD_REQUEST naming the remedy. Returns the row id and whether it was new.
 */
export async function createRun(
  db: Database,
  access: ScenarioAccess,
  request: RunRequestInput,
  source: RunInputsSource = workbookRunInputs(),
): Promise<{ id: string; created: boolean; runId: string }> {
  const input = RunRequestInput.parse(request)
  const scenario = await visibleScenario(db, access, input.scenarioId)
  const version = await scenarioVersion(db, scenario, input.version)
  const draws = input.mode === 'montecarlo' ? (input.draws ?? DEFAULT_DRAWS) : null
  const seed = input.mode === 'montecarlo' ? (input.seed ?? DEFAULT_SEED) : null
  const needs = runNeedsOf(version.canonical)
  const inputs = fitInputs(typeof source === 'function' ? await source(needs) : source, needs)
  const { runId, inputsHash } = identityOf(version.canonical, input.mode, draws, seed, inputs.baseDataVersion)
  const existing = await db
    .select({ id: scenarioRuns.id })
    .from(scenarioRuns)
    .where(and(eq(scenarioRuns.runId, runId), runVisibleTo(access)))
    .orderBy(sql`${scenarioRuns.organizationId} is null`)
    .limit(1)
  if (existing[0]) return { id: existing[0].id, created: false, runId }
  const { fuelHistoryId, ...recorded } = inputsLineage(inputs)
  const versions = { engineVersion: engineVersions().engineVersion, baseDataVersion: inputs.baseDataVersion, fuelHistoryId }
  const requestedAt = new Date()
  const lineage: StoredLineage = {
    chain: await lineageChain(db, version),
    ...versions,
    requestedByLabel: access.label,
    requestedAt: requestedAt.toISOString(),
    ...recorded,
  }
  const inserted = await db
    .insert(scenarioRuns)
    .values({
      runId,
      organizationId: access.organizationId,
      scenarioVersionId: version.id,
      mode: input.mode,
      draws,
      seed,
      inputsHash,
      ...versions,
      lineage,
      status: 'queued',
      requestedBy: access.userId,
      requestedByLabel: access.label,
      requestedAt,
    })
    .onConflictDoNothing()
    .returning({ id: scenarioRuns.id })
  if (inserted[0]) return { id: inserted[0].id, created: true, runId }
  // Another request of the same run won the insert: answer with its row.
  const [winner] = await db
    .select({ id: scenarioRuns.id })
    .from(scenarioRuns)
    .where(and(eq(scenarioRuns.runId, runId), runVisibleTo(access)))
    .orderBy(sql`${scenarioRuns.organizationId} is null`)
    .limit(1)
  return { id: winner!.id, created: false, runId }
}

/**
 * requestRun: the run of a scenario version (default the latest) in a mode, on the current inputs
 * (with `deps.ch`, the stored Henry Hub history and EIA-930 load shapes where the store has them,
 * and, when the scenario sets `fuel.gas = forward`, the latest house Henry Hub forward curve; else
 * the bundled workbook and built-in shapes: fuel-inputs.ts). A scenario that sets `forward` while
 * no house curve is built is refused (BAD_REQUEST: build one on /gas/curves/HENRY_HUB or set
 * fuel.gas to a price). An existing run of the same run id the caller sees is returned as it is
 * (queued, running, done or failed: runs are immutable); otherwise a queued run is stored and
 * published to `scenarios.run` (a bus that refuses leaves it to the outbox relay).
 */
export async function requestRun(deps: RunDeps, access: ScenarioAccess, request: RunRequestInput): Promise<RunStatus> {
  const { id, created } = await createRun(deps.db, access, request, currentInputsOf(deps))
  if (created) await publishRun({ db: deps.db, bus: deps.bus, log: deps.log ?? getLogger() }, id)
  const context = await runById(deps.db, id)
  return toRunStatus(context!)
}

/** Polls a run until it is done or failed or `waitMs` passed; returns its status as it then is. */
export async function waitForRun(db: Database, access: ScenarioAccess, runId: string, waitMs: number, signal?: AbortSignal): Promise<RunStatus> {
  const deadline = Date.now() + waitMs
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    const status = await getRun(db, access, { runId })
    if (status.status === 'done' || status.status === 'failed' || Date.now() >= deadline || signal?.aborted) return status
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))))
  }
}

/** The event on `jobs.progress` for a scenario run (keyed by the run id). */
export type ScenarioProgressEvent = { kind: 'scenario'; runId: string; id: string; progress: number; status: RunStatus['status'] }

/** Writes of a run's progress (row and event) at most this often. */
export const PROGRESS_INTERVAL_MS = 250

export type ExecuteDeps = { db: Database; ch: ClickHouseHandle; bus: Bus; log: Logger; model: ModelRunner }

async function publishProgress(deps: ExecuteDeps, run: RunRow, progress: number, status: RunStatus['status']): Promise<void> {
  const event: ScenarioProgressEvent = { kind: 'scenario', runId: run.runId, id: run.id, progress, status }
  try {
    await deps.bus.publish(TOPICS.jobsProgress, [{ key: run.runId, value: JSON.stringify(event) }])
  } catch (error) {
    // Progress events are a courtesy to listeners; the run's row is the record.
    deps.log.warn({ err: error, runId: run.runId }, 'scenario progress event not published')
  }
}

/**
 * Throttled progress: the row's progress and a `jobs.progress` event at most every
 * PROGRESS_INTERVAL_MS, one write at a time (a write still in flight skips the next update).
 */
function progressWriter(deps: ExecuteDeps, run: RunRow): { update(progress: number): void; flush(): Promise<void> } {
  let last = 0
  let inFlight: Promise<void> | null = null
  return {
    update(progress) {
      const now = performance.now()
      if (inFlight || now - last < PROGRESS_INTERVAL_MS) return
      last = now
      inFlight = (async () => {
        await deps.db.update(scenarioRuns).set({ progress }).where(and(eq(scenarioRuns.id, run.id), eq(scenarioRuns.status, 'running')))
        await publishProgress(deps, run, progress, 'running')
      })()
        .catch((error: unknown) => deps.log.warn({ err: error, runId: run.runId }, 'scenario progress not written'))
        .finally(() => {
          inFlight = null
        })
    },
    async flush() {
      await inFlight
    },
  }
}

/** Marks a running run done or failed; a run another delivery finished meanwhile is left as it is (never rewritten). */
async function finishRun(deps: ExecuteDeps, run: RunRow, values: Partial<typeof scenarioRuns.$inferInsert>): Promise<RunRow> {
  const [row] = await deps.db
    .update(scenarioRuns)
    .set(values)
    .where(and(eq(scenarioRuns.id, run.id), inArray(scenarioRuns.status, ['queued', 'running'])))
    .returning()
  if (!row) return (await runById(deps.db, run.id))!.run
  await publishProgress(deps, row, row.progress, row.status as RunStatus['status'])
  return row
}

/**
 * Runs one stored run: the worker's half. Returns null for an unknown row id. A run already done or
 * failed is left as it is (runs are immutable); a run interrupted while running is run again (its
 * rows are written before it turns done, and the same rows again are harmless).
 *
 * A model failure (a ModelError: the engine refused or broke on these inputs) fails the run with
 * the reason, final. A store outage throws, so the bus delivers the request again; so does a
 * stopped runner (the process is shutting down).
 */
export async function executeRun(deps: ExecuteDeps, id: string): Promise<RunRow | null> {
  const context = await runById(deps.db, id)
  if (!context) return null
  const { run, version } = context
  if (run.status === 'done' || run.status === 'failed') return run
  const [started] = await deps.db
    .update(scenarioRuns)
    .set({ status: 'running', startedAt: new Date(), progress: 0, error: null })
    .where(and(eq(scenarioRuns.id, id), inArray(scenarioRuns.status, ['queued', 'running'])))
    .returning()
  if (!started) return (await runById(deps.db, id))!.run
  await publishProgress(deps, started, 0, 'running')
  const log = deps.log.child({ runId: run.runId, id })
  const began = performance.now()
  let inputs
  try {
    inputs = inputsOfRun(run)
  } catch (error) {
    if (!(error instanceof RunInputError)) throw error
    log.warn({ reason: error.message }, 'scenario run has no usable inputs')
    return finishRun(deps, started, { status: 'failed', error: `the run's inputs cannot be used: ${error.message}`, finishedAt: new Date() })
  }
  const progress = progressWriter(deps, started)
  let rows
  try {
    const request = { canonical: version.canonical, mode: run.mode as RunStatus['mode'], draws: run.draws, seed: run.seed, fuel: inputs.fuel, shapes: inputs.shapes, forward: inputs.forward }
    rows = await deps.model.run(request, (p) => progress.update(p))
  } catch (error) {
    await progress.flush()
    if (error instanceof RunnerStopped) {
      // Shutting down mid-run: back in the outbox, so the next start's relay publishes it at once
      // (the in-process bus forgets the message; Kafka redelivers it too, and the second delivery finds it done).
      await deps.db
        .update(scenarioRuns)
        .set({ status: 'queued', progress: 0, startedAt: null, publishedAt: null })
        .where(and(eq(scenarioRuns.id, id), eq(scenarioRuns.status, 'running')))
      throw error
    }
    if (!(error instanceof ModelError)) throw error
    log.warn({ reason: error.message }, 'scenario run failed in the model')
    return finishRun(deps, started, { status: 'failed', error: `the model failed: ${error.message}`, finishedAt: new Date() })
  }
  await progress.flush()
  const modelMs = Math.round(performance.now() - began)
  await insertRunRows(deps.ch, run.runId, rows)
  const summary = summarizePrices(rows.prices)
  log.info({ mode: run.mode, draws: run.draws, prices: rows.prices.length, mix: rows.mix.length, modelMs, ms: Math.round(performance.now() - began) }, 'scenario run done')
  return finishRun(deps, started, { status: 'done', progress: 1, summary, finishedAt: new Date() })
}

/**
 * Makes sure the house base scenario has its run on this engine, base data and current Henry Hub
 * history (`deps.ch`, as requestRun): found when stored (the demo runs it at first start), else
 * queued and published for the worker (a new engine, base data or history is a new run id, so an
 * upgrade or a newly stored month queues the new base run once). Returns its run id.
 *
 * The base scenario sets a Henry Hub price (packages/scenario base.ts), not `forward`, so its run
 * never reads the forward curve: it is the prior of the power curves, and the house reference
 * does not move with every curve build (docs/decisions/024).
 */
export async function requestHouseBaseRun(deps: RunDeps): Promise<{ runId: string; created: boolean }> {
  const base = await houseBaseScenario(deps.db)
  if (!base) throw AppError.notFound('The house base scenario (seedHouseScenarios first)')
  const { id, runId, created } = await createRun(deps.db, HOUSE_ACCESS, { scenarioId: base.id, mode: 'deterministic' }, currentInputsOf(deps))
  if (created) await publishRun({ db: deps.db, bus: deps.bus, log: deps.log ?? getLogger() }, id)
  return { runId, created }
}
