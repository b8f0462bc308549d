import { and, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Logger } from 'pino'
import { TOPICS, type Bus } from '../../adapters/bus/index.ts'
import { scenarioRuns, type Database } from '../../adapters/postgres/schema/index.ts'

/**
 * The scenario run outbox, as the curve builds' (services/curves/outbox.ts): a run's Postgres row
 * is its own outbox entry. The row is inserted `queued` with `published_at` null; whoever publishes
 * it first claims it (sets `published_at`, counts the attempt) and puts `{id}` (the row id) on
 * scenarios.run, keyed by the run id. A publish that fails gives the claim back.
 *
 * The relay (startRunRelay, beside every scenario worker) publishes what nobody published and
 * republishes a run still queued or running `strandedAfterMs` after its last publication without
 * progress (a lost message, a worker that died mid-run): at most `maxDeliveries` times, then the run
 * is failed with the reason, so no run stays queued forever. "Without progress" means neither
 * published nor started within `strandedAfterMs`: the default (10 minutes) is well above the
 * longest Monte Carlo run a request may ask for (MAX_DRAWS).
 */

/** The message on `scenarios.run`: the scenario_runs row id. */
export type ScenarioRunMessage = { id: string }

export type RunRelayOptions = {
  /** Pause between two relay passes. */
  intervalMs: number
  /** A queued or running run whose last publication (and start) is older than this is stranded. */
  strandedAfterMs: number
  /** Publications of one run before it is failed. */
  maxDeliveries: number
  /** Runs published per pass. */
  batchSize: number
}

/** A 1,000-draw Monte Carlo run takes up to a minute: a run is stranded after 10 minutes without a (re)start. */
export const RUN_RELAY_DEFAULTS: RunRelayOptions = { intervalMs: 5_000, strandedAfterMs: 600_000, maxDeliveries: 5, batchSize: 100 }

type OutboxDeps = { db: Database; bus: Bus; log: Logger }
type Claimed = { id: string; runId: string }

const PENDING = inArray(scenarioRuns.status, ['queued', 'running'])

/** Last published (and, once running, started) before the cutoff: no progress since. */
function stalledSince(strandedAfterMs: number): SQL {
  const cutoff = sql`now() - (${strandedAfterMs}::integer * interval '1 millisecond')`
  return and(lt(scenarioRuns.publishedAt, cutoff), or(isNull(scenarioRuns.startedAt), lt(scenarioRuns.startedAt, cutoff)))!
}

/** Claims up to `limit` runs matching `where` (rows another relay holds are skipped): published now, one attempt more. */
async function claim(db: Database, where: SQL, limit: number): Promise<Claimed[]> {
  const due = db.select({ id: scenarioRuns.id }).from(scenarioRuns).where(where).orderBy(scenarioRuns.requestedAt).limit(limit).for('update', { skipLocked: true })
  return db
    .update(scenarioRuns)
    .set({ publishedAt: sql`now()`, publishAttempts: sql`${scenarioRuns.publishAttempts} + 1` })
    .where(inArray(scenarioRuns.id, due))
    .returning({ id: scenarioRuns.id, runId: scenarioRuns.runId })
}

async function release(db: Database, claimed: Claimed[]): Promise<void> {
  await db
    .update(scenarioRuns)
    .set({ publishedAt: null, publishAttempts: sql`greatest(${scenarioRuns.publishAttempts} - 1, 0)` })
    .where(
      inArray(
        scenarioRuns.id,
        claimed.map((c) => c.id),
      ),
    )
}

async function publishClaimed(deps: OutboxDeps, claimed: Claimed[]): Promise<boolean> {
  if (claimed.length === 0) return true
  const messages = claimed.map((c) => ({ key: c.runId, value: JSON.stringify({ id: c.id } satisfies ScenarioRunMessage) }))
  try {
    await deps.bus.publish(TOPICS.scenariosRun, messages)
    return true
  } catch (error) {
    deps.log.warn({ err: error, runs: claimed.map((c) => c.id) }, 'scenario run publish failed: left in the outbox for the relay')
    await release(deps.db, claimed)
    return false
  }
}

/** Publishes one just-stored run unless the relay already did; never throws for a bus failure (the relay delivers it later). */
export async function publishRun(deps: OutboxDeps, id: string): Promise<boolean> {
  const claimed = await claim(deps.db, and(eq(scenarioRuns.id, id), eq(scenarioRuns.status, 'queued'), isNull(scenarioRuns.publishedAt))!, 1)
  return publishClaimed(deps, claimed)
}

async function failExhausted(db: Database, options: RunRelayOptions): Promise<number> {
  const rows = await db
    .update(scenarioRuns)
    .set({
      status: 'failed',
      error: `not run after ${options.maxDeliveries} deliveries to ${TOPICS.scenariosRun}: the scenario worker did not finish it`,
      finishedAt: sql`now()`,
    })
    .where(and(PENDING, gte(scenarioRuns.publishAttempts, options.maxDeliveries), stalledSince(options.strandedAfterMs)))
    .returning({ id: scenarioRuns.id })
  return rows.length
}

/** One relay pass: fails exhausted runs, then publishes the unpublished and the stranded ones. */
export async function relayRunsOnce(deps: OutboxDeps, options: Partial<RunRelayOptions> = {}): Promise<{ published: number; failed: number }> {
  const settings = { ...RUN_RELAY_DEFAULTS, ...options }
  const failed = await failExhausted(deps.db, settings)
  const due = and(PENDING, lt(scenarioRuns.publishAttempts, settings.maxDeliveries), or(isNull(scenarioRuns.publishedAt), stalledSince(settings.strandedAfterMs)))!
  const claimed = await claim(deps.db, due, settings.batchSize)
  const published = (await publishClaimed(deps, claimed)) ? claimed.length : 0
  if (failed > 0 || published > 0) deps.log.info({ published, failed }, 'scenario run relay: published stranded runs')
  return { published, failed }
}

export type RunRelay = { stop(): Promise<void> }

/** Runs relayRunsOnce now and then every `intervalMs` until stopped; a failed pass (a store outage) is logged and retried. */
export function startRunRelay(deps: OutboxDeps, options: Partial<RunRelayOptions> = {}): RunRelay {
  const settings = { ...RUN_RELAY_DEFAULTS, ...options }
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let pass: Promise<void> = Promise.resolve()
  const tick = () => {
    pass = relayRunsOnce(deps, settings)
      .then(
        () => undefined,
        (error: unknown) => deps.log.warn({ err: error }, 'scenario run relay pass failed; retrying'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, settings.intervalMs).unref()
      })
  }
  tick()
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await pass
    },
  }
}
