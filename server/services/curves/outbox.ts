import { and, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Logger } from 'pino'
import { TOPICS, type Bus } from '../../adapters/bus/index.ts'
import { curveBuilds, type Database } from '../../adapters/postgres/schema/index.ts'

/**
 * The curve build outbox: a build's Postgres row is its own outbox entry. The row is inserted
 * `queued` with `published_at` null (one statement, so there is nothing to lose between "stored" and
 * "to be published"); whoever publishes it first claims it (sets `published_at`, counts the
 * attempt) and puts `{buildId}` on curves.build. A publish that fails gives the claim back.
 *
 * The relay (startBuildRelay, run beside every solver) publishes what nobody published (the bus was
 * down, the process died between the insert and the publish) and republishes a build that is still
 * queued or running `strandedAfterMs` after its last publication without progress (the message was
 * lost with an embedded bus, the solver died mid-build): at most `maxDeliveries` times, then the
 * build is failed with the reason, so no build stays queued forever.
 */

/** The message on `curves.build`. */
export type CurveBuildMessage = { buildId: string }

export type RelayOptions = {
  /** Pause between two relay passes. */
  intervalMs: number
  /** A queued or running build whose last publication (and start) is older than this is stranded. */
  strandedAfterMs: number
  /** Publications of one build before it is failed. */
  maxDeliveries: number
  /** Builds published per pass. */
  batchSize: number
}

export const RELAY_DEFAULTS: RelayOptions = { intervalMs: 5_000, strandedAfterMs: 60_000, maxDeliveries: 5, batchSize: 100 }

type OutboxDeps = { db: Database; bus: Bus; log: Logger }
type Claimed = { id: string; curveId: string }

const PENDING = inArray(curveBuilds.status, ['queued', 'running'])

/** Last published (and, once running, started) before the cutoff: no progress since. */
function stalledSince(strandedAfterMs: number): SQL {
  const cutoff = sql`now() - (${strandedAfterMs}::integer * interval '1 millisecond')`
  return and(lt(curveBuilds.publishedAt, cutoff), or(isNull(curveBuilds.startedAt), lt(curveBuilds.startedAt, cutoff)))!
}

/** Claims up to `limit` builds matching `where` (rows another relay holds are skipped): published now, one attempt more. */
async function claim(db: Database, where: SQL, limit: number): Promise<Claimed[]> {
  const due = db.select({ id: curveBuilds.id }).from(curveBuilds).where(where).orderBy(curveBuilds.requestedAt).limit(limit).for('update', { skipLocked: true })
  return db
    .update(curveBuilds)
    .set({ publishedAt: sql`now()`, publishAttempts: sql`${curveBuilds.publishAttempts} + 1` })
    .where(inArray(curveBuilds.id, due))
    .returning({ id: curveBuilds.id, curveId: curveBuilds.curveId })
}

/** Gives claims back after a failed publish: the builds are due again at the next pass. */
async function release(db: Database, claimed: Claimed[]): Promise<void> {
  await db
    .update(curveBuilds)
    .set({ publishedAt: null, publishAttempts: sql`greatest(${curveBuilds.publishAttempts} - 1, 0)` })
    .where(
      inArray(
        curveBuilds.id,
        claimed.map((c) => c.id),
      ),
    )
}

/** Publishes claimed builds (keyed by curve: one curve's builds are solved in order); false when the bus refused. */
async function publishClaimed(deps: OutboxDeps, claimed: Claimed[]): Promise<boolean> {
  if (claimed.length === 0) return true
  const messages = claimed.map((c) => ({ key: c.curveId, value: JSON.stringify({ buildId: c.id } satisfies CurveBuildMessage) }))
  try {
    await deps.bus.publish(TOPICS.curvesBuild, messages)
    return true
  } catch (error) {
    deps.log.warn({ err: error, builds: claimed.map((c) => c.id) }, 'curve build publish failed: left in the outbox for the relay')
    await release(deps.db, claimed)
    return false
  }
}

/**
 * Publishes one just-stored build unless the relay already did. Never throws for a bus failure:
 * the build stays in the outbox (queued, unpublished) and the relay delivers it later.
 */
export async function publishBuild(deps: OutboxDeps, buildId: string): Promise<boolean> {
  const claimed = await claim(deps.db, and(eq(curveBuilds.id, buildId), eq(curveBuilds.status, 'queued'), isNull(curveBuilds.publishedAt))!, 1)
  return publishClaimed(deps, claimed)
}

/** Fails the stranded builds that used up their deliveries, with the reason; returns how many. */
async function failExhausted(db: Database, options: RelayOptions): Promise<number> {
  const rows = await db
    .update(curveBuilds)
    .set({
      status: 'failed',
      error: `not solved after ${options.maxDeliveries} deliveries to ${TOPICS.curvesBuild}: the solver did not finish it (request the build again)`,
      finishedAt: sql`now()`,
    })
    .where(and(PENDING, gte(curveBuilds.publishAttempts, options.maxDeliveries), stalledSince(options.strandedAfterMs)))
    .returning({ id: curveBuilds.id })
  return rows.length
}

/** One relay pass: fails exhausted builds, then publishes the unpublished and the stranded ones. */
export async function relayOnce(deps: OutboxDeps, options: Partial<RelayOptions> = {}): Promise<{ published: number; failed: number }> {
  const settings = { ...RELAY_DEFAULTS, ...options }
  const failed = await failExhausted(deps.db, settings)
  const due = and(PENDING, lt(curveBuilds.publishAttempts, settings.maxDeliveries), or(isNull(curveBuilds.publishedAt), stalledSince(settings.strandedAfterMs)))!
  const claimed = await claim(deps.db, due, settings.batchSize)
  const published = (await publishClaimed(deps, claimed)) ? claimed.length : 0
  if (failed > 0 || published > 0) deps.log.info({ published, failed }, 'curve build relay: published stranded builds')
  return { published, failed }
}

export type BuildRelay = { stop(): Promise<void> }

/** Runs relayOnce now and then every `intervalMs` until stopped; a failed pass (a store outage) is logged and retried. */
export function startBuildRelay(deps: OutboxDeps, options: Partial<RelayOptions> = {}): BuildRelay {
  const settings = { ...RELAY_DEFAULTS, ...options }
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let pass: Promise<void> = Promise.resolve()
  const tick = () => {
    pass = relayOnce(deps, settings)
      .then(
        () => undefined,
        (error: unknown) => deps.log.warn({ err: error }, 'curve build relay pass failed; retrying'),
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
